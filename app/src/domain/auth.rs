//! Sign-in and the signed-in person: wire types. None carries a hash, token or secret.

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
    /// Whether the person may manage people, roles and role templates here.
    pub can_manage_users: bool,
    /// What they may hand out, and to whom (the Users page shows the same limits
    /// the server enforces).
    pub grantor: crate::domain::access::Grantor,
    /// Access requests waiting for a decision (counted for people managers only).
    #[serde(default)]
    pub open_requests: u64,
    /// An access review is due (told to admins only).
    #[serde(default)]
    pub review_due: bool,
    /// The server's clock when this was answered: relative times ("5 minutes ago")
    /// are counted from it, so a page reads the same before and after hydration.
    #[serde(default)]
    pub now: crate::domain::time::At,
    /// Light, dark, or as the device says.
    #[serde(default)]
    pub color_scheme: crate::domain::account::ColorScheme,
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

/// The set-up an admin must finish before signing in to a tenant that requires it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequiredSetup {
    pub setup: TotpSetup,
    pub tenant_name: String,
}
