//! Wire types. None of them carries a hash, token or secret.

use crate::domain::permissions::Permission;
use crate::domain::{MembershipStatus, Plan, Role, TenantKind};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TenantChoice {
    pub id: i64,
    pub name: String,
    pub kind: TenantKind,
    pub role: Role,
}

/// The signed-in person as the UI sees them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Me {
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub tenant_id: i64,
    pub tenant_name: String,
    pub tenant_kind: TenantKind,
    pub plan: Plan,
    pub seat_limit: i64,
    /// Every tenant this account can switch to, the current one included.
    pub tenants: Vec<TenantChoice>,
    /// Whether the person may manage people, roles and role templates here.
    pub can_manage_users: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TenantOverview {
    pub name: String,
    pub kind: TenantKind,
    pub plan: Plan,
    pub seat_limit: i64,
    pub seats_used: i64,
    /// Admins must sign in with two-factor.
    pub require_admin_two_factor: bool,
    /// Whether the viewer may change the sign-in security settings.
    pub can_manage_security: bool,
    /// Each plan-locked feature's name and whether this plan includes it.
    pub plan_features: Vec<(String, bool)>,
}

/// One row of the Users table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberRow {
    pub id: i64,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub status: MembershipStatus,
    pub template_id: Option<i64>,
    pub template_name: Option<String>,
    pub crm_access: bool,
    pub beta_access: bool,
    pub last_login: Option<String>,
    /// Permissions granted to this member directly (not through the template).
    pub direct_permissions: Vec<Permission>,
    /// For invited members: the latest invitation link has expired.
    pub invite_expired: bool,
    /// Sign-in is locked after repeated wrong passwords (an admin can unlock it).
    pub locked: bool,
}

/// What the Users table asks for.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberQuery {
    pub search: String,
    pub status: Option<MembershipStatus>,
    pub role: Option<Role>,
    /// Zero-based.
    pub page: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberPage {
    pub rows: Vec<MemberRow>,
    /// Members matching the query.
    pub total: u64,
    pub page: u64,
    pub page_size: u64,
    pub seats_used: i64,
    pub seat_limit: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InviteInput {
    pub email: String,
    pub role: Role,
    pub template_id: Option<i64>,
    pub crm_access: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberUpdate {
    pub id: i64,
    pub email: String,
    pub role: Role,
    pub status: MembershipStatus,
    pub template_id: Option<i64>,
    pub crm_access: bool,
    pub permissions: Vec<Permission>,
}

/// A role template with its permissions and how many members use it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateView {
    pub id: i64,
    pub name: String,
    pub permissions: Vec<Permission>,
    pub members: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateInput {
    /// `None` creates a template.
    pub id: Option<i64>,
    pub name: String,
    pub permissions: Vec<Permission>,
}

/// What the accept-invite page shows before anything is submitted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InviteDetails {
    pub tenant_name: String,
    pub tenant_kind: TenantKind,
    pub email: String,
    /// The person already has a Gatehouse account with a password: they sign in
    /// instead of choosing a password.
    pub existing_account: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRow {
    pub id: i64,
    pub time: String,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditPage {
    pub rows: Vec<AuditRow>,
    pub has_more: bool,
}

/// What the set-up page shows to connect an authenticator app. The QR code comes as
/// the `d` of an SVG path (numbers and path letters only) and its size in modules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TotpSetup {
    /// The secret in base32, grouped by four, for typing into an app by hand.
    pub secret: String,
    pub qr_path: String,
    pub qr_size: u32,
}

/// One of the account's workspaces on My account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountMembership {
    pub tenant_name: String,
    pub tenant_kind: TenantKind,
    pub role: Role,
    pub status: MembershipStatus,
    /// The tenant this session is in.
    pub current: bool,
}

/// One signed-in session of the account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionRow {
    pub id: i64,
    /// Browser and system, in words ("Chrome on Linux"), from the user agent.
    pub device: String,
    pub user_agent: String,
    pub ip: String,
    pub created: String,
    pub last_seen: String,
    /// The session this page is being viewed in.
    pub current: bool,
}

/// Everything the My account page shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountOverview {
    pub email: String,
    pub display_name: String,
    pub two_factor: bool,
    pub recovery_codes_left: u64,
    /// Fewest characters a new password needs for this account right now.
    pub password_min_chars: usize,
    pub memberships: Vec<AccountMembership>,
    pub sessions: Vec<SessionRow>,
}

/// The set-up an admin must finish before signing in to a tenant that requires it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequiredSetup {
    pub setup: TotpSetup,
    pub tenant_name: String,
}
