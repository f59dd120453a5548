//! The check API's decision log (Settings → API keys → Check decisions): every
//! answer `POST /v1/check` gave, which key asked, about whom, what, the answer and
//! its reason codes. Admins filter it like the audit log (a GET form: each view is a
//! link); it is kept for the tenant's chosen number of days.

use crate::domain::AppError;
use serde::{Deserialize, Serialize};

/// Decisions are kept this many days unless the tenant chooses otherwise.
pub const DEFAULT_DECISION_DAYS: i64 = 30;
/// The longest a tenant may keep decisions (days).
pub const MAX_DECISION_DAYS: i64 = 365;

/// Rows per page of the decision log.
pub const DECISION_PAGE_SIZE: u64 = 50;

/// The days to keep decisions, as typed: a whole number from 1 to 365.
pub fn parse_retention_days(text: &str) -> Result<i64, AppError> {
    text.trim()
        .parse::<i64>()
        .ok()
        .filter(|d| (1..=MAX_DECISION_DAYS).contains(d))
        .ok_or_else(|| {
            AppError::field(
                "days",
                format!("Enter a whole number of days from 1 to {MAX_DECISION_DAYS}."),
            )
        })
}

/// The log's filters as typed in its form.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecisionQuery {
    /// An API key's id, or empty for every key.
    #[serde(default)]
    pub key: String,
    /// Part of the email (or "member 42") the question was about.
    #[serde(default)]
    pub who: String,
    /// `allowed`, `denied`, or empty for both.
    #[serde(default)]
    pub answer: String,
    /// First and last day (`2026-12-01`, UTC), inclusive; empty for open-ended.
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
}

/// [`DecisionQuery`] read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DecisionFilter {
    pub key: Option<i64>,
    pub who: String,
    pub allowed: Option<bool>,
    pub from_ms: Option<i64>,
    pub until_ms: Option<i64>,
}

#[cfg(feature = "ssr")]
impl DecisionQuery {
    pub fn parse(&self) -> Result<DecisionFilter, AppError> {
        let key = match self.key.trim() {
            "" => None,
            id => Some(
                id.parse::<i64>()
                    .map_err(|_| AppError::field("key", "Choose one of the keys listed."))?,
            ),
        };
        let allowed = match self.answer.trim() {
            "" => None,
            "allowed" => Some(true),
            "denied" => Some(false),
            _ => return Err(AppError::field("answer", "Choose Allowed, Denied or Both.")),
        };
        let (from_ms, until_ms) = crate::domain::audit::day_range(&self.from, &self.to)?;
        let who = self.who.trim();
        if who.chars().count() > 254 {
            return Err(AppError::field(
                "who",
                "That is longer than any email address.",
            ));
        }
        Ok(DecisionFilter {
            key,
            who: who.to_lowercase(),
            allowed,
            from_ms,
            until_ms,
        })
    }
}

/// One answer the check API gave.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecisionRow {
    pub id: i64,
    pub time: crate::domain::time::At,
    pub key_name: String,
    /// Whom it was about: their email, or what was asked when nobody matched.
    pub subject: String,
    /// What was asked, in words ("Manage users", "Use API keys").
    pub asked: String,
    /// The target's key, for a link to diagnostics.
    pub target: String,
    pub allowed: bool,
    /// The reasons' stable codes (`permission_missing`, `plan_excludes`, …).
    pub reasons: Vec<String>,
}

/// A key the log can be narrowed to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyChoice {
    pub id: i64,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecisionPage {
    pub rows: Vec<DecisionRow>,
    pub has_more: bool,
    /// How many days decisions are kept.
    pub retention_days: i64,
    pub keys: Vec<KeyChoice>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retention_is_a_whole_number_of_days_within_a_year() {
        assert_eq!(parse_retention_days(" 30 "), Ok(30));
        assert_eq!(parse_retention_days("365"), Ok(365));
        for bad in ["0", "366", "-1", "2.5", "a month", ""] {
            let error = parse_retention_days(bad).unwrap_err();
            assert!(
                error.field_message("days").unwrap().contains("1 to 365"),
                "{bad}"
            );
        }
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn filters_are_read_or_named_wrong() {
        let q = DecisionQuery {
            key: "7".into(),
            who: " Ann@Example.COM ".into(),
            answer: "denied".into(),
            from: "2026-12-01".into(),
            to: "2026-12-01".into(),
        };
        let f = q.parse().unwrap();
        assert_eq!(f.key, Some(7));
        assert_eq!(f.who, "ann@example.com");
        assert_eq!(f.allowed, Some(false));
        assert_eq!(f.until_ms.unwrap() - f.from_ms.unwrap(), 24 * 3600 * 1000);
        assert_eq!(
            DecisionQuery::default().parse().unwrap(),
            DecisionFilter::default()
        );
        for (field, q) in [
            (
                "key",
                DecisionQuery {
                    key: "x".into(),
                    ..Default::default()
                },
            ),
            (
                "answer",
                DecisionQuery {
                    answer: "maybe".into(),
                    ..Default::default()
                },
            ),
            (
                "from",
                DecisionQuery {
                    from: "monday".into(),
                    ..Default::default()
                },
            ),
            (
                "who",
                DecisionQuery {
                    who: "a".repeat(255),
                    ..Default::default()
                },
            ),
        ] {
            assert!(
                q.parse().unwrap_err().field_message(field).is_some(),
                "{field}"
            );
        }
    }
}
