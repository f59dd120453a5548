//! The audit log and a member's activity: wire types, what each recorded action
//! means in words and which kind it is, and the filters. None carries a hash,
//! token or secret.

#[cfg(feature = "ssr")]
use crate::domain::AppError;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRow {
    pub id: i64,
    pub time: crate::domain::time::At,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub detail: String,
    /// The member the row is about, in this tenant, when there is one (their
    /// activity timeline is a link away).
    #[serde(default)]
    pub member_id: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditPage {
    pub rows: Vec<AuditRow>,
    pub has_more: bool,
}

/// The kinds the audit log filters by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum AuditKind {
    Access,
    SignIn,
    Settings,
    Reviews,
}

impl AuditKind {
    pub const ALL: [AuditKind; 4] = [Self::Access, Self::SignIn, Self::Settings, Self::Reviews];

    pub fn key(self) -> &'static str {
        match self {
            Self::Access => "access",
            Self::SignIn => "sign_in",
            Self::Settings => "settings",
            Self::Reviews => "reviews",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Access => "Access changes",
            Self::SignIn => "Sign-in and security",
            Self::Settings => "Settings",
            Self::Reviews => "Reviews",
        }
    }

    pub fn parse(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.key() == key)
    }
}

/// Every action the audit trail records: its code, its words, its kind.
const ACTIONS: &[(&str, &str, AuditKind)] = {
    use AuditKind::*;
    &[
        ("tenant.created", "Tenant created", Settings),
        ("member.created", "Member created", Access),
        ("member.invited", "Invited", Access),
        ("member.invite_resent", "Invitation resent", Access),
        ("member.joined", "Accepted invitation", Access),
        ("member.auto_joined", "Joined by verified domain", Access),
        ("member.updated", "Access changed", Access),
        ("member.suspended", "Suspended", Access),
        ("member.reactivated", "Reactivated", Access),
        (
            "member.profile_updated",
            "Name or identity provider id changed",
            Access,
        ),
        ("member.deleted", "Removed", Access),
        ("member.invite_cancelled", "Invitation cancelled", Access),
        ("member.unlocked", "Sign-in unlocked", SignIn),
        ("template.created", "Role template created", Access),
        ("template.updated", "Role template changed", Access),
        ("template.deleted", "Role template deleted", Access),
        ("sign_in.succeeded", "Signed in", SignIn),
        ("sign_in.failed", "Sign-in refused", SignIn),
        (
            "session.switched_tenant",
            "Switched into this tenant",
            SignIn,
        ),
        (
            "account.locked",
            "Locked after repeated wrong passwords",
            SignIn,
        ),
        (
            "password.reset_requested",
            "Asked for a password reset",
            SignIn,
        ),
        ("password.reset", "Reset their password", SignIn),
        ("password.changed", "Changed their password", SignIn),
        ("account.renamed", "Changed their name", Settings),
        ("two_factor.enabled", "Turned on two-factor", SignIn),
        ("two_factor.disabled", "Turned off two-factor", SignIn),
        (
            "two_factor.recovery_codes_replaced",
            "Made new recovery codes",
            SignIn,
        ),
        ("session.ended", "Signed out one of their sessions", SignIn),
        (
            "session.ended_others",
            "Signed out their other sessions",
            SignIn,
        ),
        (
            "tenant.security_changed",
            "Sign-in security changed",
            SignIn,
        ),
        (
            "tenant.sign_in_group_changed",
            "Changed who can sign in",
            SignIn,
        ),
        ("access.denied", "Refused: not allowed to", Access),
        ("tenant.flag_changed", "Feature flag changed", Settings),
        (
            "tenant.plan_changed",
            "Plan changed by the operator",
            Settings,
        ),
        ("tenant.sandbox_created", "Sandbox created", Settings),
        (
            "tenant.provisioning_changed",
            "Provisioning settings changed",
            Settings,
        ),
        ("tenant.domain_verified", "Email domain verified", Settings),
        ("api_key.created", "API key created", Settings),
        ("api_key.revoked", "API key revoked", Settings),
        (
            "api_key.first_used",
            "API key used for the first time",
            Settings,
        ),
        ("webhook.created", "Webhook endpoint added", Settings),
        (
            "webhook.secret_rotated",
            "Webhook signing secret rotated",
            Settings,
        ),
        ("webhook.deleted", "Webhook endpoint deleted", Settings),
        (
            "check_log.retention_changed",
            "Changed how long check decisions are kept",
            Settings,
        ),
        ("group.created", "Group created", Settings),
        ("group.updated", "Group renamed", Settings),
        ("group.deleted", "Group deleted", Settings),
        ("group.member_added", "Added to a group", Access),
        ("group.member_removed", "Removed from a group", Access),
        (
            "group.template_attached",
            "Role template given to a group",
            Access,
        ),
        (
            "group.template_detached",
            "Role template taken from a group",
            Access,
        ),
        ("diagnostics.run", "Ran access diagnostics", Access),
        ("access.requested", "Asked for access", Access),
        ("access.approved", "Access request approved", Access),
        ("access.declined", "Access request declined", Access),
        ("access.expired", "Temporary access ended", Access),
        (
            "diagnostics.fix_applied",
            "Applied a fix from diagnostics",
            Access,
        ),
        (
            "account.disabled",
            "Disabled by the operator of this Gatehouse",
            SignIn,
        ),
        ("account.enabled", "Enabled again by the operator", SignIn),
    ]
};

/// What an action code means, in words (an unknown code is shown as it is).
pub fn describe(action: &str) -> &str {
    ACTIONS
        .iter()
        .find(|(code, _, _)| *code == action)
        .map_or(action, |(_, words, _)| words)
}

/// The action codes of one kind.
pub fn actions_of(kind: AuditKind) -> Vec<&'static str> {
    ACTIONS
        .iter()
        .filter(|(_, _, k)| *k == kind)
        .map(|(code, _, _)| *code)
        .collect()
}

/// The audit log's filters as typed in its form (a GET form: each is a link).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditQuery {
    /// An `AuditKind` key, or empty for every kind.
    #[serde(default)]
    pub kind: String,
    /// First and last day (`2026-12-01`, UTC), inclusive; empty for open-ended.
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    /// Part of the email of who did it or whom it was about.
    #[serde(default)]
    pub who: String,
}

/// [`AuditQuery`] read: days as [start, end) instants in ms.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    pub kind: Option<AuditKind>,
    pub from_ms: Option<i64>,
    pub until_ms: Option<i64>,
    pub who: String,
}

impl AuditFilter {
    /// Only by who did it or whom it was about.
    pub fn who(who: &str) -> Self {
        Self {
            who: who.to_string(),
            ..Self::default()
        }
    }
}

#[cfg(feature = "ssr")]
fn day_start(text: &str, field: &str) -> Result<Option<i64>, AppError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| Some(t.and_utc().timestamp_millis()))
        .ok_or_else(|| AppError::field(field, "Enter a date like 2026-12-01, or leave it empty."))
}

/// The days `from` and `to` (fields of those names, `2026-12-01`, UTC, inclusive,
/// either empty for open-ended) as [start, end) instants in ms.
#[cfg(feature = "ssr")]
pub fn day_range(from: &str, to: &str) -> Result<(Option<i64>, Option<i64>), AppError> {
    let from_ms = day_start(from, "from")?;
    let until_ms = day_start(to, "to")?.map(|start| start + 24 * 3600 * 1000);
    if let (Some(from), Some(until)) = (from_ms, until_ms) {
        if until <= from {
            return Err(AppError::field(
                "to",
                "The last day can't be before the first day.",
            ));
        }
    }
    Ok((from_ms, until_ms))
}

#[cfg(feature = "ssr")]
impl AuditQuery {
    pub fn parse(&self) -> Result<AuditFilter, AppError> {
        let kind = match self.kind.trim() {
            "" => None,
            key => Some(
                AuditKind::parse(key)
                    .ok_or_else(|| AppError::field("kind", "Choose one of the kinds listed."))?,
            ),
        };
        let (from_ms, until_ms) = day_range(&self.from, &self.to)?;
        let who = self.who.trim();
        if who.chars().count() > 254 {
            return Err(AppError::field(
                "who",
                "That is longer than any email address.",
            ));
        }
        Ok(AuditFilter {
            kind,
            from_ms,
            until_ms,
            who: who.to_lowercase(),
        })
    }
}

/// One event in a member's activity timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityEvent {
    pub time: crate::domain::time::At,
    /// What happened, in words ("Signed in", "Invitation email failed").
    pub what: String,
    /// The details in words ("from 203.0.113.9, Firefox on Windows").
    pub detail: String,
    /// Who did it (an email, "expiry", or the person themselves).
    pub by: String,
}

/// A member's history in this tenant, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityPage {
    pub member_id: i64,
    pub member: String,
    pub events: Vec<ActivityEvent>,
    /// The cursor of the next (older) page, if any.
    pub older: Option<i64>,
}

/// An email the outbox failed to deliver, in words a person understands, from the
/// mail server's answer (whose own words stay in the operator's log).
pub fn delivery_failure_words(error: &str) -> &'static str {
    let e = error.to_lowercase();
    let has = |needles: &[&str]| needles.iter().any(|n| e.contains(n));
    if has(&[
        "550",
        "551",
        "553",
        "mailbox unavailable",
        "user unknown",
        "no such user",
        "does not exist",
    ]) {
        "mailbox unavailable"
    } else if has(&["552", "quota", "mailbox full", "over quota"]) {
        "mailbox full"
    } else if has(&["421", "450", "451", "452", "try again", "greylist"]) {
        "the receiving server asked to try again later"
    } else if has(&["554", "spam", "blocked", "rejected", "policy"]) {
        "refused by the receiving server"
    } else if has(&[
        "connection refused",
        "timed out",
        "timeout",
        "dns",
        "resolve",
        "unreachable",
        "connect",
    ]) {
        "the mail server couldn't be reached"
    } else {
        "the mail server didn't accept it"
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    #[test]
    fn every_action_has_words_and_a_kind() {
        assert_eq!(describe("member.updated"), "Access changed");
        assert_eq!(describe("something.new"), "something.new");
        let access = actions_of(AuditKind::Access);
        assert!(access.contains(&"member.updated") && access.contains(&"access.expired"));
        assert!(actions_of(AuditKind::SignIn).contains(&"sign_in.failed"));
        assert!(!access.contains(&"sign_in.failed"));
        for kind in AuditKind::ALL {
            assert_eq!(AuditKind::parse(kind.key()), Some(kind));
        }
    }

    #[test]
    fn filters_read_days_and_refuse_nonsense_next_to_the_field() {
        let q = AuditQuery {
            kind: "sign_in".into(),
            from: "2026-12-01".into(),
            to: "2026-12-01".into(),
            who: " Bob@ ".into(),
        };
        let f = q.parse().unwrap();
        assert_eq!(f.kind, Some(AuditKind::SignIn));
        assert_eq!(f.until_ms.unwrap() - f.from_ms.unwrap(), 24 * 3600 * 1000);
        assert_eq!(f.who, "bob@");
        for (field, bad) in [
            (
                "kind",
                AuditQuery {
                    kind: "nope".into(),
                    ..AuditQuery::default()
                },
            ),
            (
                "from",
                AuditQuery {
                    from: "yesterday".into(),
                    ..AuditQuery::default()
                },
            ),
            (
                "to",
                AuditQuery {
                    from: "2026-12-02".into(),
                    to: "2026-12-01".into(),
                    ..AuditQuery::default()
                },
            ),
        ] {
            assert!(
                bad.parse().unwrap_err().field_message(field).is_some(),
                "{field}"
            );
        }
    }

    #[test]
    fn delivery_failures_in_words() {
        assert_eq!(
            delivery_failure_words("550 5.1.1 <x@y>: Recipient address rejected: User unknown"),
            "mailbox unavailable"
        );
        assert_eq!(
            delivery_failure_words("Connection refused (os error 111)"),
            "the mail server couldn't be reached"
        );
        assert_eq!(
            delivery_failure_words("???"),
            "the mail server didn't accept it"
        );
    }
}

/// A value of a recorded change in words: booleans as on/off, permission keys as
/// their labels, lists joined.
fn value_words(
    key: &str,
    value: &serde_json::Value,
    template_name: &dyn Fn(i64) -> String,
) -> String {
    use serde_json::Value;
    match value {
        Value::Null => "none".into(),
        Value::Bool(on) => if *on { "on" } else { "off" }.into(),
        Value::Number(n) if key.ends_with("template_id") => {
            n.as_i64().map_or_else(|| n.to_string(), template_name)
        }
        Value::String(s) => crate::domain::access::Permission::parse(s)
            .map_or_else(|| s.clone(), |p| p.label().to_string()),
        Value::Array(items) if items.is_empty() => "none".into(),
        Value::Array(items) => items
            .iter()
            .map(|v| value_words(key, v, template_name))
            .collect::<Vec<_>>()
            .join(", "),
        other => other.to_string(),
    }
}

/// A field name of a recorded change in words.
fn key_words(key: &str) -> String {
    match key {
        "crm_access" => "CRM access".into(),
        "beta_access" => "beta access".into(),
        "template_id" | "moved_to_template_id" => "role template".into(),
        other => other.replace('_', " "),
    }
}

/// A record's fields in the order people read a change: who, role, status,
/// template, CRM and beta access, permissions, then the rest by name.
fn in_order(
    map: &serde_json::Map<String, serde_json::Value>,
) -> Vec<(&String, &serde_json::Value)> {
    const FIRST: [&str; 7] = [
        "email",
        "role",
        "status",
        "template_id",
        "crm_access",
        "beta_access",
        "permissions",
    ];
    let mut fields: Vec<(&String, &serde_json::Value)> = map.iter().collect();
    fields.sort_by_key(|(k, _)| {
        (
            FIRST.iter().position(|f| f == k).unwrap_or(FIRST.len()),
            k.as_str(),
        )
    });
    fields
}

/// The details of an audit row in words: for a change, each field that changed
/// ("role: user → admin; permissions: + see analytics dashboards"); otherwise its
/// recorded facts. `template_name` names a role template by id.
pub fn change_words(
    before: Option<&serde_json::Value>,
    after: Option<&serde_json::Value>,
    template_name: &dyn Fn(i64) -> String,
) -> String {
    use serde_json::Value;
    let empty = serde_json::Map::new();
    let object = |v: Option<&Value>| match v {
        Some(Value::Object(map)) => Some(map.clone()),
        _ => None,
    };
    let (b, a) = (object(before), object(after));
    let mut parts = Vec::new();
    match (&b, &a) {
        (Some(b), Some(a)) => {
            for (key, new) in in_order(a) {
                let old = b.get(key).unwrap_or(&Value::Null);
                if old == new {
                    continue;
                }
                if let (Value::Array(old), Value::Array(new)) = (old, new) {
                    let added: Vec<&Value> = new.iter().filter(|v| !old.contains(v)).collect();
                    let removed: Vec<&Value> = old.iter().filter(|v| !new.contains(v)).collect();
                    let words = |vs: &[&Value]| {
                        vs.iter()
                            .map(|v| value_words(key, v, template_name))
                            .collect::<Vec<_>>()
                            .join(", ")
                    };
                    let mut change = Vec::new();
                    if !added.is_empty() {
                        change.push(format!("+ {}", words(&added)));
                    }
                    if !removed.is_empty() {
                        change.push(format!("− {}", words(&removed)));
                    }
                    parts.push(format!("{}: {}", key_words(key), change.join(", ")));
                } else if b.contains_key(key) {
                    parts.push(format!(
                        "{}: {} → {}",
                        key_words(key),
                        value_words(key, old, template_name),
                        value_words(key, new, template_name)
                    ));
                } else {
                    parts.push(format!(
                        "{}: {}",
                        key_words(key),
                        value_words(key, new, template_name)
                    ));
                }
            }
        }
        (one, other) => {
            let facts = other.as_ref().or(one.as_ref()).unwrap_or(&empty);
            let prefix = if other.is_none() && one.is_some() {
                "was "
            } else {
                ""
            };
            for (key, value) in in_order(facts) {
                parts.push(format!(
                    "{prefix}{}: {}",
                    key_words(key),
                    value_words(key, value, template_name)
                ));
            }
        }
    }
    parts.join("; ")
}

#[cfg(test)]
mod words_tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_change_in_words() {
        let name = |id: i64| format!("T{id}");
        let before = json!({"email": "bob@x", "role": "user", "template_id": null, "crm_access": false, "permissions": ["analytics.view"]});
        let after = json!({"email": "bob@x", "role": "admin", "template_id": 3, "crm_access": true, "permissions": ["conversations.delete"]});
        assert_eq!(
            change_words(Some(&before), Some(&after), &name),
            "role: user → admin; role template: none → T3; CRM access: off → on; permissions: + delete conversations, − see analytics dashboards"
        );
        assert_eq!(
            change_words(None, Some(&json!({"reason": "wrong password"})), &name),
            "reason: wrong password"
        );
        assert_eq!(change_words(None, None, &name), "");
    }
}
