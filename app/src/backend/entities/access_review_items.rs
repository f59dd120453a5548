//! Row type of the `access_review_items` table. Never sent over the wire: server functions map it to a DTO.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "access_review_items")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = true)]
    pub id: i64,
    pub review_id: i64,
    /// The member reviewed (no foreign key: the record outlives a removal).
    pub membership_id: i64,
    pub email: String,
    /// What they had when the review started, as JSON (role, status, template).
    #[sea_orm(column_type = "Text")]
    pub snapshot: String,
    /// The reviewer's decision ("keep", "suspend", "remove", "reduce:<template id>"),
    /// a draft until the review is completed.
    pub decision: Option<String>,
    /// What completing did, in words.
    pub outcome: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
