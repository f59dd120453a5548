//! Row type of the `memberships` table. Never sent over the wire: server functions map it to a DTO.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "memberships")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = true)]
    pub id: i64,
    pub tenant_id: i64,
    pub account_id: i64,
    pub role: String,
    pub role_template_id: Option<i64>,
    pub status: String,
    pub crm_access: bool,
    pub beta_access: bool,
    pub last_login_at: Option<i64>,
    pub invited_by: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
    /// The end of a temporary role template (ms since the epoch), and the template
    /// the member goes back to then (`None`: no template).
    pub template_until: Option<i64>,
    pub template_restore_id: Option<i64>,
    /// The end of temporary CRM access.
    pub crm_until: Option<i64>,
    /// Who gave the member's temporary template or CRM access (their email).
    pub temporary_by: Option<String>,
    /// The end of a temporary role (the Admin role) and the role the member goes
    /// back to then.
    pub role_until: Option<i64>,
    pub role_restore: Option<String>,
    /// The end of temporary beta access.
    pub beta_until: Option<i64>,
    /// The identity provider's id of the person (SCIM `externalId`).
    pub external_id: Option<String>,
    /// The name the identity provider gave (SCIM `name`, `displayName`), as JSON.
    pub profile: Option<String>,
    /// How the membership came: `scim`, `import`, `auto_join`; null: invited by hand.
    pub provisioned_by: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::accounts::Entity",
        from = "Column::AccountId",
        to = "super::accounts::Column::Id"
    )]
    Account,
}

impl Related<super::accounts::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Account.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
