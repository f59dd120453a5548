//! Tenant settings: wire types. None carries a hash, token or secret.

use crate::domain::text::parse_short_text;
use crate::domain::AppError;
use crate::domain::{Flag, Plan, TenantKind};
use serde::{Deserialize, Serialize};

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
    /// The other tenant of its production and sandbox pair, if any.
    #[serde(default)]
    pub paired_with: Option<String>,
    /// Group-restricted sign-in: the group whose members (and the admins) alone
    /// can sign in, or `None` when every active member can.
    #[serde(default)]
    pub sign_in_group: Option<SignInGroupChoice>,
    /// Every group it could be restricted to, with what each would cost; filled
    /// for the admins who may change it.
    #[serde(default)]
    pub sign_in_choices: Vec<SignInGroupChoice>,
}

/// A group sign-in could be restricted to, and how many active members (not
/// admins) are outside it: they would lose sign-in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignInGroupChoice {
    pub id: i64,
    pub name: String,
    pub would_lose: i64,
}

/// One row of Settings → Feature flags.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlagView {
    pub flag: Flag,
    pub label: String,
    pub description: String,
    /// Only people with beta access get it, even when it is on.
    pub beta: bool,
    pub on: bool,
}

pub const MAX_TENANT_NAME_CHARS: usize = 80;

/// A tenant name: trimmed, 2 to 80 characters, no control characters.
pub fn parse_tenant_name(input: &str) -> Result<String, AppError> {
    let name = parse_short_text(input, "tenant", "tenant name", MAX_TENANT_NAME_CHARS)?;
    if name.chars().count() < 2 {
        return Err(AppError::field(
            "tenant",
            "Enter a tenant name of at least 2 characters.",
        ));
    }
    Ok(name)
}
