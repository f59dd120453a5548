//! CSV files uploaded on Users → Import, until applied or a day old.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "member_imports")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = true)]
    pub id: i64,
    pub tenant_id: i64,
    /// Who uploaded it (only they see its preview).
    pub membership_id: i64,
    pub file_name: String,
    /// The rows as read (`domain::imports::ImportLine`, JSON).
    pub rows: String,
    /// Why the file could not be read, if it could not.
    pub problem: Option<String>,
    pub created_at: i64,
    pub applied_at: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
