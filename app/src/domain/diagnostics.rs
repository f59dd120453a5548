//! Settings → Access diagnostics: wire types, the "What did they see?" rule, the
//! one-click fixes' stable keys and the escalation bundle (seeds 000 and 001).
//! Nothing here carries a token, hash or secret.

use crate::domain::access::diagnose::{Diagnosis, Fix, Subject, Target};
use crate::domain::text::parse_free_text;
use crate::domain::AppError;
use serde::{Deserialize, Serialize};

/// Longest "What did they see?" message kept.
pub const MAX_SEEN_CHARS: usize = 2000;

/// One run of diagnostics, as the page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiagnosticsReport {
    pub email: String,
    pub diagnosis: Diagnosis,
    /// The escalation bundle, as text to paste and as JSON to download.
    pub bundle_text: String,
    pub bundle_json: String,
    pub reference: String,
}

/// Members on one page of "Who can …?".
pub const WHO_CAN_PAGE_SIZE: u64 = 50;

/// "Who can …?" counts up to this many; past it the page says "more than".
pub const WHO_CAN_COUNT_LIMIT: u64 = 1000;

/// One member who can, and every way they can.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WhoCanRow {
    pub member_id: i64,
    pub email: String,
    pub name: String,
    /// "the Admin role", "a direct grant", "the role template “T”", "the group “G”
    /// (through its role template “T”)".
    pub how: Vec<String>,
}

/// "Who can …?": the active members who can, a page at a time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WhoCanPage {
    pub target: Target,
    pub rows: Vec<WhoCanRow>,
    /// How many can, counted up to [`WHO_CAN_COUNT_LIMIT`].
    pub total: u64,
    /// More than `total` can (counting stopped at the limit).
    #[serde(default)]
    pub more: bool,
    /// Zero-based.
    pub page: u64,
    /// Another page follows this one.
    #[serde(default)]
    pub has_next: bool,
    /// When nobody can, whatever their access: the tenant-wide reason (plan, flag).
    pub nobody_because: Option<String>,
}

/// `1234567` as `1,234,567`.
fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

impl WhoCanPage {
    /// "3 members can see analytics dashboards", "More than 1,000 members can …".
    pub fn heading(&self) -> String {
        let what = self.target.what();
        match (self.more, self.total) {
            (true, n) => format!("More than {} members can {what}", grouped(n)),
            (false, 1) => format!("1 member can {what}"),
            (false, n) => format!("{} members can {what}", grouped(n)),
        }
    }

    /// "Showing 51–100 of 120." (or without the "of" past the count limit).
    pub fn range(&self) -> String {
        let first = self.page * WHO_CAN_PAGE_SIZE + 1;
        let last = first + (self.rows.len() as u64).saturating_sub(1);
        if self.more {
            format!("Showing {}–{}.", grouped(first), grouped(last))
        } else {
            format!(
                "Showing {}–{} of {}.",
                grouped(first),
                grouped(last),
                grouped(self.total)
            )
        }
    }
}

/// The exact message the person saw: optional, up to 2,000 characters, control
/// characters other than line breaks removed.
pub fn parse_seen(input: &str) -> Result<String, AppError> {
    parse_free_text(input, "seen", MAX_SEEN_CHARS, None)
}

impl Fix {
    /// A stable key for the fix's form: `reactivate`, `turn_on_flag:cases`,
    /// `add_to_group:4`, `assign_template:2`, `grant:analytics.view`.
    pub fn key(&self) -> String {
        match self {
            Fix::Reactivate => "reactivate".into(),
            Fix::ResendInvite => "resend_invite".into(),
            Fix::SendPasswordReset => "send_password_reset".into(),
            Fix::Unlock => "unlock".into(),
            Fix::TurnOnBeta => "turn_on_beta".into(),
            Fix::TurnOnFlag { flag } => format!("turn_on_flag:{}", flag.as_str()),
            Fix::GiveCrmAccess => "give_crm_access".into(),
            Fix::AddToGroup { group_id, .. } => format!("add_to_group:{group_id}"),
            Fix::AssignTemplate { template_id, .. } => format!("assign_template:{template_id}"),
            Fix::Grant { permission } => format!("grant:{}", permission.key()),
        }
    }
}

impl Diagnosis {
    /// The fix with this key, if the diagnosis offers it: a fix is only ever applied
    /// when the server's own fresh diagnosis offers it.
    pub fn offered(&self, key: &str) -> Option<&Fix> {
        self.checks
            .iter()
            .flat_map(|c| c.fixes.iter())
            .find(|f| f.key() == key)
    }
}

/// The escalation bundle (seed 000 "when to escalate"): what they tried, the message
/// they saw, role, tenant, and every check run. Answers it as text and as JSON.
pub fn escalation_bundle(
    subject: &Subject,
    diagnosis: &Diagnosis,
    seen: &str,
    at: &str,
    reference: &str,
) -> (String, serde_json::Value) {
    let member = subject.member.as_ref();
    let role = member.map(|m| m.access.role.label());
    let template = member.and_then(|m| m.access.template.as_ref().map(|t| t.name.clone()));
    let groups: Vec<String> = member
        .map(|m| m.access.groups.iter().map(|g| g.name.clone()).collect())
        .unwrap_or_default();
    let status = member.map(|m| m.status.label());
    let tried = diagnosis.target.label();
    let checks: Vec<serde_json::Value> = diagnosis
        .checks
        .iter()
        .map(|c| {
            serde_json::json!({
                "check": c.area.label(),
                "result": c.result.label(),
                "kind": c.kind.label(),
                "evidence": c.evidence,
            })
        })
        .collect();
    let json = serde_json::json!({
        "reference": reference,
        "time_utc": at,
        "tenant": { "name": subject.tenant, "kind": subject.tenant_kind.label(), "plan": subject.plan.label() },
        "person": { "email": subject.email, "name": diagnosis.person, "role": role, "role_template": template, "groups": groups, "status": status },
        "tried": tried,
        "message_seen": seen,
        "verdict": diagnosis.verdict,
        "allowed": diagnosis.allowed,
        "problem_kind": diagnosis.blocker.map(|k| k.label()),
        "checks": checks,
    });
    let mut text = format!(
        "Gatehouse escalation {reference} ({at})\nTenant: {} ({}, {} plan)\nPerson: {} <{}>\nRole: {}{}\nGroups: {}\nStatus: {}\nTried to: {tried}\nMessage they saw: {}\nVerdict: {}\nChecks:\n",
        subject.tenant,
        subject.tenant_kind.label(),
        subject.plan.label(),
        diagnosis.person,
        subject.email,
        role.unwrap_or("none (not a member)"),
        template.map(|t| format!(", role template “{t}”")).unwrap_or_default(),
        if groups.is_empty() { "none".to_string() } else { groups.join(", ") },
        status.unwrap_or("not a member"),
        if seen.is_empty() { "(not given)" } else { seen },
        diagnosis.verdict,
    );
    for c in &diagnosis.checks {
        text.push_str(&format!(
            "- {}: {}. {}\n",
            c.area.label(),
            c.result.label(),
            c.evidence.join(" ")
        ));
    }
    (text, json)
}

/// The target a form names, or a sentence next to the field.
pub fn parse_target(key: &str) -> Result<Target, AppError> {
    Target::parse(key)
        .ok_or_else(|| AppError::field("target", "Choose what they're trying to do from the list."))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn who_can_counts_in_words_and_stops_at_the_limit() {
        let mut page = WhoCanPage {
            target: Target::parse("permission:analytics.view").unwrap(),
            rows: Vec::new(),
            total: 1,
            more: false,
            page: 0,
            has_next: false,
            nobody_because: None,
        };
        assert_eq!(page.heading(), "1 member can see analytics dashboards");
        page.total = 1000;
        page.more = true;
        assert_eq!(
            page.heading(),
            "More than 1,000 members can see analytics dashboards"
        );
        page.page = 400;
        page.rows = vec![
            WhoCanRow {
                member_id: 1,
                email: "a@example.com".into(),
                name: "A".into(),
                how: vec![],
            };
            50
        ];
        assert_eq!(page.range(), "Showing 20,001–20,050.");
        page.more = false;
        page.total = 1_234_567;
        assert_eq!(page.range(), "Showing 20,001–20,050 of 1,234,567.");
    }

    #[test]
    fn the_message_seen_is_kept_short_and_clean() {
        assert_eq!(
            parse_seen("  Access denied\u{202e}\n(403) ").unwrap(),
            "Access denied\n(403)"
        );
        let long = "x".repeat(MAX_SEEN_CHARS + 1);
        assert!(parse_seen(&long)
            .unwrap_err()
            .field_message("seen")
            .is_some());
        assert!(parse_target("feature:nope")
            .unwrap_err()
            .field_message("target")
            .is_some());
    }
}
