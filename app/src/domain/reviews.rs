//! Access reviews (seed 001: "confirm active users, remove stale access, and
//! revalidate elevated roles"): wire types, what counts as elevated access, the
//! flags in words, decisions, and the record's CSV. None carries a hash, token or
//! secret.

use crate::domain::access::{
    effective_permissions, evaluate, AccessInputs, Action, Category, Permission, TemplateGrant,
};
use crate::domain::roles::csv_line;
use crate::domain::{MembershipStatus, Role};
use serde::{Deserialize, Serialize};

/// Who a review covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReviewScope {
    Everyone,
    /// Members with elevated access only.
    Elevated,
}

impl ReviewScope {
    pub fn key(self) -> &'static str {
        match self {
            Self::Everyone => "everyone",
            Self::Elevated => "elevated",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Everyone => "Everyone",
            Self::Elevated => "Elevated access only",
        }
    }

    pub fn parse(key: &str) -> Option<Self> {
        [Self::Everyone, Self::Elevated]
            .into_iter()
            .find(|s| s.key() == key)
    }
}

/// Members shown on one page of an open review.
pub const REVIEW_PAGE_SIZE: u64 = 50;

/// The choices of "Review access every N days" (`None`: off).
pub const REVIEW_EVERY_CHOICES: [Option<i64>; 4] = [None, Some(30), Some(90), Some(180)];
/// The choices of "No sign-in for N days".
pub const STALE_DAYS_CHOICES: [i64; 4] = [30, 60, 90, 180];

/// A reviewer's decision on one member.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Decision {
    Keep,
    /// Remove access by suspending the membership (it can be reactivated).
    Suspend,
    /// Remove access by removing them from the tenant.
    Remove,
    /// Reduce to this role template: role User, that template, no direct grants.
    Reduce(i64),
}

impl Decision {
    pub fn key(self) -> String {
        match self {
            Self::Keep => "keep".into(),
            Self::Suspend => "suspend".into(),
            Self::Remove => "remove".into(),
            Self::Reduce(t) => format!("reduce:{t}"),
        }
    }

    pub fn parse(key: &str) -> Option<Self> {
        match key {
            "keep" => Some(Self::Keep),
            "suspend" => Some(Self::Suspend),
            "remove" => Some(Self::Remove),
            other => other
                .strip_prefix("reduce:")
                .and_then(|id| id.parse().ok())
                .map(Self::Reduce),
        }
    }
}

/// Elevated: any manage or delete, and anything under users, settings or
/// integrations.
pub fn is_elevated(p: Permission) -> bool {
    matches!(p.action, Action::Manage | Action::Delete)
        || matches!(
            p.category,
            Category::Users | Category::Settings | Category::Integrations
        )
}

/// The elevated access someone holds, each in plain words with where it comes
/// from ("manage people, roles and role templates (the role template “Leads”)").
pub fn elevated_access(inputs: &AccessInputs) -> Vec<String> {
    if inputs.role == Role::Admin {
        return vec!["the Admin role (every permission)".to_string()];
    }
    Permission::all()
        .filter(|p| is_elevated(*p))
        .filter_map(|p| {
            let decision = evaluate(inputs, p);
            decision.granted().then(|| {
                let from: Vec<String> = decision.sources.iter().map(|s| s.to_string()).collect();
                format!("{} ({})", p.label(), from.join(", "))
            })
        })
        .collect()
}

/// What reducing to `template` would take away and give, by the one evaluation:
/// role User, that template, no direct grants; groups stay.
pub fn reduce_change(
    inputs: &AccessInputs,
    template: &TemplateGrant,
) -> (Vec<Permission>, Vec<Permission>) {
    let after = AccessInputs {
        role: Role::User,
        direct: Default::default(),
        template: Some(template.clone()),
        groups: inputs.groups.clone(),
    };
    let (before, now) = (effective_permissions(inputs), effective_permissions(&after));
    (
        before.difference(&now).copied().collect(),
        now.difference(&before).copied().collect(),
    )
}

/// The flags of a member in words.
pub fn flags(
    status: MembershipStatus,
    days_since_sign_in: Option<i64>,
    stale_days: i64,
    elevated: bool,
    two_factor: bool,
) -> Vec<String> {
    let mut out = Vec::new();
    match status {
        MembershipStatus::Invited => out.push("Invitation never accepted".to_string()),
        MembershipStatus::Active => match days_since_sign_in {
            Some(days) if days < stale_days => {}
            _ => out.push(format!("No sign-in for {stale_days} days")),
        },
        MembershipStatus::Suspended => {}
    }
    if elevated {
        out.push("Elevated access".to_string());
    }
    if !two_factor && status != MembershipStatus::Invited {
        out.push("No two-factor".to_string());
    }
    out
}

/// A template a member could be reduced to, and what that would change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReduceOption {
    pub template_id: i64,
    pub name: String,
    pub loses: Vec<Permission>,
    pub gains: Vec<Permission>,
}

/// One member of an open review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewRow {
    pub item_id: i64,
    pub member_id: i64,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub status: MembershipStatus,
    pub template: Option<String>,
    pub groups: Vec<String>,
    pub elevated: Vec<String>,
    pub last_sign_in: Option<crate::domain::time::At>,
    pub two_factor: bool,
    pub flags: Vec<String>,
    /// The draft decision, as a `Decision` key.
    pub decision: Option<String>,
    pub reduce_options: Vec<ReduceOption>,
    /// The reviewer's own row: only "Keep".
    pub own: bool,
}

/// A completed review's record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewRecord {
    pub completed_by: String,
    pub completed_at: crate::domain::time::At,
    pub kept: i64,
    pub removed: i64,
    pub reduced: i64,
    pub note: String,
}

/// A completed review's line for one member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordedItem {
    pub email: String,
    /// What they had at the start, in words.
    pub had: String,
    pub decision: String,
    pub outcome: String,
}

/// One review, open (its rows, live) or completed (its record and items).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewView {
    pub id: i64,
    pub scope: ReviewScope,
    pub started_by: String,
    pub started_at: crate::domain::time::At,
    pub record: Option<ReviewRecord>,
    pub rows: Vec<ReviewRow>,
    pub items: Vec<RecordedItem>,
    /// Members in the review, and how many have a decision.
    pub total: u64,
    pub decided: u64,
}

impl ReviewView {
    /// The record as CSV: one line per member.
    pub fn csv(&self) -> String {
        let mut out = String::new();
        if let Some(r) = &self.record {
            out.push_str(&csv_line(&[
                "Review",
                &format!("#{}", self.id),
                self.scope.label(),
                &format!(
                    "completed by {} at {}",
                    r.completed_by,
                    r.completed_at.utc_words()
                ),
                &format!(
                    "kept {}, removed {}, reduced {}",
                    r.kept, r.removed, r.reduced
                ),
                &r.note,
            ]));
        }
        out.push_str(&csv_line(&["Email", "Had", "Decision", "Outcome"]));
        for item in &self.items {
            out.push_str(&csv_line(&[
                &item.email,
                &item.had,
                &item.decision,
                &item.outcome,
            ]));
        }
        out
    }
}

/// A review in the list of Settings → Access reviews.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewSummary {
    pub id: i64,
    pub scope: ReviewScope,
    pub started_by: String,
    pub started_at: crate::domain::time::At,
    pub record: Option<ReviewRecord>,
}

/// Settings → Access reviews: the settings, the reviews, and whether one is due.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewsPage {
    pub reviews: Vec<ReviewSummary>,
    pub stale_days: i64,
    pub review_every_days: Option<i64>,
    /// "Access review due" when one is due now.
    pub due: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::access::{GrantSource, GroupGrant};

    fn p(key: &str) -> Permission {
        Permission::parse(key).unwrap()
    }

    #[test]
    fn elevated_access_says_what_and_where_from() {
        assert!(is_elevated(p("users.view")) && is_elevated(p("analytics.manage")));
        assert!(is_elevated(p("conversations.delete")) && !is_elevated(p("analytics.view")));
        let inputs = AccessInputs {
            role: Role::User,
            direct: [p("users.manage"), p("analytics.view")].into(),
            template: None,
            groups: vec![GroupGrant {
                name: "Ops".into(),
                templates: vec![TemplateGrant {
                    name: "Cleaners".into(),
                    permissions: [p("conversations.delete")].into(),
                }],
            }],
        };
        let words = elevated_access(&inputs);
        assert_eq!(words.len(), 2, "{words:?}");
        assert!(
            words[0].starts_with("delete conversations (the group “Ops”"),
            "{words:?}"
        );
        assert_eq!(
            words[1],
            format!(
                "manage people, roles and role templates ({})",
                GrantSource::Direct
            )
        );
        let (loses, gains) = reduce_change(
            &inputs,
            &TemplateGrant {
                name: "Viewers".into(),
                permissions: [p("analytics.view"), p("conversations.view")].into(),
            },
        );
        assert_eq!(loses, [p("users.manage")]);
        assert_eq!(gains, [p("conversations.view")]);
    }

    #[test]
    fn flags_and_decisions_in_words() {
        use MembershipStatus::*;
        assert_eq!(
            flags(Active, Some(120), 90, true, false),
            ["No sign-in for 90 days", "Elevated access", "No two-factor"]
        );
        assert_eq!(
            flags(Active, None, 90, false, true),
            ["No sign-in for 90 days"]
        );
        assert!(flags(Active, Some(3), 90, false, true).is_empty());
        assert_eq!(
            flags(Invited, None, 90, false, false),
            ["Invitation never accepted"]
        );
        for d in [
            Decision::Keep,
            Decision::Suspend,
            Decision::Remove,
            Decision::Reduce(7),
        ] {
            assert_eq!(Decision::parse(&d.key()), Some(d));
        }
        assert_eq!(Decision::parse("reduce:x"), None);
        assert_eq!(ReviewScope::parse("elevated"), Some(ReviewScope::Elevated));
    }
}
