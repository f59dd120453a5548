//! Wire types. None of them carries a hash, token or secret.

use crate::domain::{Plan, Role, TenantKind};
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
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TenantOverview {
    pub name: String,
    pub kind: TenantKind,
    pub plan: Plan,
    pub seat_limit: i64,
    pub seats_used: i64,
    /// Each plan-locked feature's name and whether this plan includes it.
    pub plan_features: Vec<(String, bool)>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberRow {
    pub id: i64,
    pub email: String,
    pub role: Role,
    pub status: crate::domain::MembershipStatus,
    pub last_login: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateSummary {
    pub id: i64,
    pub name: String,
    pub members: i64,
}
