//! Row type of the `webhook_endpoints` table. Never sent over the wire: server functions map it to a DTO.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "webhook_endpoints")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = true)]
    pub id: i64,
    pub tenant_id: i64,
    pub url: String,
    /// Event keys between commas (`,member.invited,member.deleted,`).
    pub events: String,
    /// The signing secret, sealed with the server's key.
    pub secret_sealed: String,
    pub created_by: String,
    pub created_at: i64,
    pub secret_rotated_at: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
