//! Row type of the `access_requests` table. Never sent over the wire: server functions map it to a DTO.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "access_requests")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = true)]
    pub id: i64,
    pub tenant_id: i64,
    pub membership_id: i64,
    pub permission: Option<String>,
    pub feature: Option<String>,
    pub message: String,
    pub status: String,
    pub decided_by: Option<i64>,
    pub justification: Option<String>,
    pub created_at: i64,
    pub decided_at: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
