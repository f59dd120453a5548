//! Row type of the `membership_permissions` table. Never sent over the wire: server functions map it to a DTO.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "membership_permissions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub membership_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub permission: String,
    /// The end of a temporary grant (ms since the epoch); `None` is permanent.
    pub expires_at: Option<i64>,
    /// Who gave a temporary grant (their email), for the expiry's audit row.
    pub granted_by: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
