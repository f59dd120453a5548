//! Row type of the `check_decisions` table (the check API's decision log). Never sent
//! over the wire: server functions map it to a DTO.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "check_decisions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = true)]
    pub id: i64,
    pub tenant_id: i64,
    pub api_key_id: i64,
    /// The key's name when it asked.
    pub key_name: String,
    /// Whom the question was about, as asked (an email, or "member 42").
    pub subject: String,
    /// The membership, when there was one.
    pub member_id: Option<i64>,
    /// What was asked, as a target key (`permission:users.manage`, `feature:api_keys`).
    pub target: String,
    pub allowed: bool,
    /// The reasons' codes, comma-separated (empty when allowed).
    pub reasons: String,
    pub at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
