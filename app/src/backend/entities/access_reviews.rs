//! Row type of the `access_reviews` table. Never sent over the wire: server functions map it to a DTO.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "access_reviews")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = true)]
    pub id: i64,
    pub tenant_id: i64,
    /// "everyone" or "elevated".
    pub scope: String,
    pub started_by: String,
    pub started_at: i64,
    pub completed_by: Option<String>,
    pub completed_at: Option<i64>,
    pub note: Option<String>,
    pub kept: i64,
    pub removed: i64,
    pub reduced: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
