//! My account: wire types. None carries a hash, token or secret.

use crate::domain::text::parse_short_text;
use crate::domain::AppError;
use crate::domain::{MembershipStatus, Role, TenantKind};
use serde::{Deserialize, Serialize};

/// How the console looks for this account, on every device it signs in on.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum ColorScheme {
    /// As the device is set (`prefers-color-scheme`).
    #[default]
    System,
    Light,
    Dark,
}

impl ColorScheme {
    pub const ALL: [ColorScheme; 3] = [ColorScheme::System, ColorScheme::Light, ColorScheme::Dark];

    pub fn as_str(self) -> &'static str {
        match self {
            ColorScheme::System => "system",
            ColorScheme::Light => "light",
            ColorScheme::Dark => "dark",
        }
    }

    /// Anything unknown reads as "system".
    pub fn parse(text: &str) -> ColorScheme {
        ColorScheme::ALL
            .into_iter()
            .find(|s| s.as_str() == text)
            .unwrap_or_default()
    }

    pub fn label(self) -> &'static str {
        match self {
            ColorScheme::System => "System",
            ColorScheme::Light => "Light",
            ColorScheme::Dark => "Dark",
        }
    }

    /// The `data-theme` of `<html>`: none when the device decides.
    pub fn theme_attribute(self) -> Option<&'static str> {
        match self {
            ColorScheme::System => None,
            ColorScheme::Light => Some("light"),
            ColorScheme::Dark => Some("dark"),
        }
    }
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
    pub created: crate::domain::time::At,
    pub last_seen: crate::domain::time::At,
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

/// A display name: trimmed, at most 100 characters, no control characters (may be empty).
pub fn parse_display_name(input: &str) -> Result<String, AppError> {
    parse_short_text(input, "display_name", "name", 100)
}
