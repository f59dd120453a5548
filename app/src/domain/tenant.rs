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

/// Settings → Tenant → Provisioning: what SCIM does with new people, and
/// verified-domain auto-join.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ProvisioningSettings {
    /// People created by SCIM get an invitation email (else the admin sends it).
    pub scim_invites: bool,
    pub auto_join_on: bool,
    pub auto_join_template_id: Option<i64>,
    /// The most seats auto-join may take; None: only the plan's limit.
    pub auto_join_seat_cap: Option<i64>,
    /// Seats auto-join has taken so far (members who joined that way).
    pub auto_joined: i64,
    /// The email domains the operator verified for this tenant.
    pub domains: Vec<String>,
    /// The role templates to choose from: (id, name).
    pub templates: Vec<(i64, String)>,
    /// Whether the viewer may change these (admins).
    pub can_manage: bool,
}

/// A tenant the signed-in account may join by itself (verified-domain auto-join).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JoinOffer {
    pub tenant_id: i64,
    pub tenant_name: String,
    pub kind: TenantKind,
    /// The role template joiners get, if any.
    pub template: Option<String>,
    /// The domain that makes the account eligible.
    pub domain: String,
}

/// An email domain as the operator gives it: lower case, labels of letters, digits
/// and hyphens, at least one dot.
pub fn parse_domain(text: &str) -> Result<String, AppError> {
    let domain = text.trim().trim_start_matches('@').to_ascii_lowercase();
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    };
    if domain.len() > 253 || !domain.contains('.') || !domain.split('.').all(label_ok) {
        return Err(AppError::field(
            "domain",
            format!("“{}” is not a domain name like acme.com.", text.trim()),
        ));
    }
    Ok(domain)
}

/// The auto-join seat cap field: empty for none, else 1 to 1,000,000.
pub fn parse_seat_cap(text: &str) -> Result<Option<i64>, AppError> {
    match text.trim() {
        "" => Ok(None),
        t => t
            .parse::<i64>()
            .ok()
            .filter(|n| (1..=1_000_000).contains(n))
            .map(Some)
            .ok_or_else(|| {
                AppError::field(
                    "seat_cap",
                    "Enter how many seats auto-join may use, from 1 to 1000000, or leave it empty for no cap.",
                )
            }),
    }
}

#[cfg(test)]
mod provisioning_tests {
    use super::*;

    #[test]
    fn domains_and_caps_are_read_or_refused() {
        assert_eq!(parse_domain(" @Acme.COM ").unwrap(), "acme.com");
        assert_eq!(parse_domain("mail.acme.co.uk").unwrap(), "mail.acme.co.uk");
        for bad in [
            "acme",
            "acme..com",
            "-acme.com",
            "ac me.com",
            "acme.com/x",
            "",
        ] {
            assert!(parse_domain(bad).is_err(), "{bad}");
        }
        assert_eq!(parse_seat_cap(" ").unwrap(), None);
        assert_eq!(parse_seat_cap("10").unwrap(), Some(10));
        assert!(parse_seat_cap("0").is_err());
        assert!(parse_seat_cap("ten").is_err());
    }
}
