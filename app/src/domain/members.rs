//! Settings → Users: wire types of the members table, invitations and the Edit dialog. None carries a hash, token or secret.

use crate::domain::access::Permission;
use crate::domain::time::At;
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
    pub last_login: Option<At>,
    /// Permissions granted to this member directly (not through the template).
    pub direct_permissions: Vec<Permission>,
    /// For invited members: the latest invitation link has expired.
    pub invite_expired: bool,
    /// For invited members: when the latest live link expires.
    #[serde(default)]
    pub invite_expires: Option<At>,
    /// Sign-in is locked after repeated wrong passwords (an admin can unlock it).
    pub locked: bool,
    /// Disabled by the operator of this Gatehouse: no sign-in anywhere, and tenant
    /// admins can't lift it.
    #[serde(default)]
    pub disabled: bool,
    /// Temporary access, each with its end: the role template's, CRM access's, and
    /// the direct grants' ("see analytics dashboards until 12 Dec 17:00 UTC").
    #[serde(default)]
    pub template_until: Option<At>,
    #[serde(default)]
    pub crm_until: Option<At>,
    #[serde(default)]
    pub temporary_permissions: Vec<TemporaryGrant>,
    #[serde(default)]
    pub role_until: Option<At>,
    #[serde(default)]
    pub beta_until: Option<At>,
    /// For invited members: how the latest invitation email fared ("Sent 10:42",
    /// "Failed: mailbox unavailable").
    #[serde(default)]
    pub invite_delivery: Option<InviteDelivery>,
}

/// A permission given for a while.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemporaryGrant {
    /// The permission in words ("export analytics").
    pub what: String,
    pub until: At,
}

/// How an invitation email fared: "Sent" or "Queued" and when, or "Failed: why".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InviteDelivery {
    pub words: String,
    pub at: Option<At>,
}

impl MemberRow {
    /// Their temporary access in one sentence for the Edit user dialog, if any.
    pub fn temporary_words(&self) -> Option<String> {
        let mut parts: Vec<String> = Vec::new();
        if let Some(until) = &self.role_until {
            parts.push(format!("the Admin role until {}", until.utc_words()));
        }
        if let (Some(name), Some(until)) = (&self.template_name, &self.template_until) {
            parts.push(format!(
                "the role template “{name}” until {}",
                until.utc_words()
            ));
        }
        if let Some(until) = &self.crm_until {
            parts.push(format!("CRM access until {}", until.utc_words()));
        }
        if let Some(until) = &self.beta_until {
            parts.push(format!("beta access until {}", until.utc_words()));
        }
        parts.extend(
            self.temporary_permissions
                .iter()
                .map(|t| format!("{} until {}", t.what, t.until.utc_words())),
        );
        (!parts.is_empty()).then(|| {
            format!(
                "Temporary: {}. Each ends by itself; changing it here makes your choice stay.",
                parts.join("; ")
            )
        })
    }
}

/// A filtered count of members stops here: "1,000+" (forty pages) is as useful as
/// the exact figure and doesn't read 100,000 rows on every keystroke of a search.
pub const COUNT_CAP: u64 = 1_000;

/// What the Users table asks for.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberQuery {
    pub search: String,
    pub status: Option<MembershipStatus>,
    pub role: Option<Role>,
    /// Zero-based. Shown as is; which rows it holds is found by `after` or
    /// `before` when the link carries one, else by counting rows from the start.
    pub page: u64,
    /// The Next link: the rows after (older than) this member id.
    #[serde(default)]
    pub after: Option<i64>,
    /// The Previous link: the rows before (newer than) this member id.
    #[serde(default)]
    pub before: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberPage {
    pub rows: Vec<MemberRow>,
    /// Members matching the query, counted up to [`COUNT_CAP`] (see `total_capped`).
    pub total: u64,
    /// More than `COUNT_CAP` members match: show "1,000+".
    pub total_capped: bool,
    /// Whether a page follows this one.
    pub has_next: bool,
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
    /// "Until" (a UTC date and time, empty for good): what this change adds (the
    /// Admin role, a template, a direct permission, CRM or beta access) ends by
    /// itself then.
    #[serde(default)]
    pub until: String,
}

/// "Remove from all my tenants": each tenant where the admin may remove the person
/// (only tenants where the admin is an admin are ever named) and what they lose.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OffboardPreview {
    pub email: String,
    pub tenants: Vec<OffboardPlace>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OffboardPlace {
    pub tenant: String,
    pub status: MembershipStatus,
    /// What they lose there, in words.
    pub loses: Vec<String>,
}

/// What happened in one tenant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OffboardOutcome {
    pub tenant: String,
    pub removed: bool,
    /// Why not, in the words the Delete user check gives.
    pub why: Option<String>,
}

impl OffboardOutcome {
    /// All outcomes in one sentence for a toast.
    pub fn summary(outcomes: &[OffboardOutcome]) -> String {
        let done: Vec<&str> = outcomes
            .iter()
            .filter(|o| o.removed)
            .map(|o| o.tenant.as_str())
            .collect();
        let mut text = if done.is_empty() {
            "Removed from no tenant.".to_string()
        } else {
            format!("Removed from {}.", done.join(", "))
        };
        for o in outcomes.iter().filter(|o| !o.removed) {
            text.push_str(&format!(
                " Not from {}: {}",
                o.tenant,
                o.why.clone().unwrap_or_default()
            ));
        }
        text
    }
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

#[cfg(test)]
mod temporary_tests {
    use super::*;

    #[test]
    fn temporary_access_is_one_sentence() {
        let mut row = MemberRow {
            id: 1,
            email: "bob@example.com".into(),
            display_name: String::new(),
            role: Role::User,
            status: MembershipStatus::Active,
            template_id: Some(2),
            template_name: Some("Analysts".into()),
            crm_access: true,
            beta_access: false,
            last_login: None,
            direct_permissions: vec![],
            invite_expired: false,
            invite_expires: None,
            locked: false,
            disabled: false,
            template_until: None,
            crm_until: None,
            temporary_permissions: vec![],
            role_until: None,
            beta_until: None,
            invite_delivery: None,
        };
        assert_eq!(row.temporary_words(), None);
        row.template_until = Some(At(1_765_558_800_000)); // 2025-12-12T17:00:00Z
        row.crm_until = Some(At(1_765_616_400_000)); // 2025-12-13T09:00:00Z
        row.temporary_permissions = vec![TemporaryGrant {
            what: "export analytics".into(),
            until: At(1_765_706_400_000), // 2025-12-14T10:00:00Z
        }];
        assert_eq!(
            row.temporary_words().unwrap(),
            "Temporary: the role template “Analysts” until 12 Dec 2025, 17:00 UTC; CRM access until 13 Dec 2025, 09:00 UTC; export analytics until 14 Dec 2025, 10:00 UTC. Each ends by itself; changing it here makes your choice stay."
        );
    }
}
