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
    /// Access reviews flag "No sign-in for N days" after this many days.
    pub stale_sign_in_days: i64,
    /// An access review is due this often (days), or never.
    pub review_every_days: Option<i64>,
    /// When the next access review is due, and when the admins were last told.
    pub review_due_at: Option<i64>,
    pub review_reminded_at: Option<i64>,
    /// The check API's decisions are kept this many days.
    pub decision_log_days: i64,
    /// People created by SCIM get an invitation email (else the admin sends it).
    pub scim_invites: bool,
    /// Accounts at a verified domain may join by themselves.
    pub auto_join_on: bool,
    pub auto_join_template_id: Option<i64>,
    /// Most seats auto-join may take (null: only the plan's limit).
    pub auto_join_seat_cap: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
