//! Row type of the `tenants` table. Never sent over the wire: server functions map it to a DTO.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "tenants")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = true)]
    pub id: i64,
    pub name: String,
    pub kind: String,
    pub plan: String,
    pub seat_limit: i64,
    pub require_admin_two_factor: bool,
    pub created_at: i64,
    /// The other tenant of a production and sandbox pair.
    pub paired_tenant_id: Option<i64>,
    /// When set, only members of this group (and admins) can sign in here.
    pub sign_in_group_id: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
