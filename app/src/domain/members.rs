//! Settings → Users: wire types of the members table, invitations and the Edit dialog. None carries a hash, token or secret.

use crate::domain::access::Permission;
use crate::domain::{MembershipStatus, Role, TenantKind};
use serde::{Deserialize, Serialize};

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
    /// For invited members: when the latest live link expires.
    #[serde(default)]
    pub invite_expires: Option<String>,
    /// Sign-in is locked after repeated wrong passwords (an admin can unlock it).
    pub locked: bool,
    /// Disabled by the operator of this Gatehouse: no sign-in anywhere, and tenant
    /// admins can't lift it.
    #[serde(default)]
    pub disabled: bool,
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
    /// Members of the tenant by status, whatever the filters (the tabs' counts).
    pub counts: StatusCounts,
}

/// How many members of a tenant have each status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusCounts {
    pub active: u64,
    pub suspended: u64,
    pub invited: u64,
}

impl StatusCounts {
    pub fn of(&self, status: MembershipStatus) -> u64 {
        match status {
            MembershipStatus::Active => self.active,
            MembershipStatus::Suspended => self.suspended,
            MembershipStatus::Invited => self.invited,
        }
    }

    pub fn total(&self) -> u64 {
        self.active + self.suspended + self.invited
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InviteInput {
    pub email: String,
    pub role: Role,
    pub template_id: Option<i64>,
    pub crm_access: bool,
    /// Beta features (turned on for the tenant) reach this person too.
    #[serde(default)]
    pub beta_access: bool,
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
    /// Beta features (turned on for the tenant) reach this person too.
    #[serde(default)]
    pub beta_access: bool,
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
