//! API keys (Settings → API keys): what a key may be used for, and the words and
//! checks of the page. A key belongs to one tenant; its secret is shown once and
//! stored only as a hash.

use crate::domain::access::diagnose::Target;
use crate::domain::access::features::ReasonKind;
use crate::domain::text::parse_short_text;
use crate::domain::AppError;
use crate::domain::Email;
use serde::{Deserialize, Serialize};

/// Every secret starts with this, so people and secret scanners recognise one.
pub const SECRET_PREFIX: &str = "gatehouse_";

/// How many characters of a secret are kept in clear to tell keys apart.
pub const SHOWN_PREFIX_CHARS: usize = SECRET_PREFIX.len() + 6;

pub const MAX_KEY_NAME_CHARS: usize = 80;

/// What a key may be used for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum ApiScope {
    Check,
    MembersRead,
    MembersWrite,
    Scim,
}

impl ApiScope {
    pub const ALL: [ApiScope; 4] = [
        ApiScope::Check,
        ApiScope::MembersRead,
        ApiScope::MembersWrite,
        ApiScope::Scim,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ApiScope::Check => "check",
            ApiScope::MembersRead => "members:read",
            ApiScope::MembersWrite => "members:write",
            ApiScope::Scim => "scim",
        }
    }

    pub fn parse(key: &str) -> Option<ApiScope> {
        ApiScope::ALL.into_iter().find(|s| s.as_str() == key)
    }

    pub fn label(self) -> &'static str {
        match self {
            ApiScope::Check => "Check access",
            ApiScope::MembersRead => "Read members",
            ApiScope::MembersWrite => "Change members",
            ApiScope::Scim => "SCIM provisioning",
        }
    }

    /// What the scope lets a program do, for the New API key dialog.
    pub fn description(self) -> &'static str {
        match self {
            ApiScope::Check => "Ask whether a person may do something (POST /v1/check).",
            ApiScope::MembersRead => "List and read members.",
            ApiScope::MembersWrite => "Invite, change, suspend and remove members.",
            ApiScope::Scim => "Let an identity provider create and update people and groups.",
        }
    }
}

/// Scope keys as stored (comma-separated) back to scopes; unknown keys are dropped.
pub fn scopes_from_stored(text: &str) -> Vec<ApiScope> {
    text.split(',').filter_map(ApiScope::parse).collect()
}

pub fn scopes_to_stored(scopes: &[ApiScope]) -> String {
    scopes
        .iter()
        .map(|s| s.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

/// What the New API key form sends. `scopes` holds scope keys; `expires` is a date
/// (`YYYY-MM-DD`), or empty for a key that does not expire.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewApiKey {
    pub name: String,
    pub scopes: Vec<String>,
    pub expires: String,
}

/// The answer to creating a key: the only time its secret is seen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatedApiKey {
    pub id: i64,
    pub name: String,
    pub secret: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ApiKeyState {
    Active,
    Expired,
    Revoked,
}

impl ApiKeyState {
    pub fn label(self) -> &'static str {
        match self {
            ApiKeyState::Active => "Active",
            ApiKeyState::Expired => "Expired",
            ApiKeyState::Revoked => "Revoked",
        }
    }
}

/// A row of the API keys list (never the secret, never its hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiKeyView {
    pub id: i64,
    pub name: String,
    /// The secret's first characters, then "…".
    pub shown: String,
    pub scopes: Vec<ApiScope>,
    pub created_by: String,
    pub created: crate::domain::time::At,
    pub last_used: Option<crate::domain::time::At>,
    pub expires: Option<crate::domain::time::At>,
    pub state: ApiKeyState,
    /// "by ada@example.com, 3 Dec 10:00 UTC" for a revoked key.
    pub revoked: Option<String>,
}

pub fn parse_key_name(input: &str) -> Result<String, AppError> {
    let name = parse_short_text(input, "name", "name", MAX_KEY_NAME_CHARS)?;
    if name.is_empty() {
        return Err(AppError::field(
            "name",
            "Enter a name that says where the key is used, such as Billing service.",
        ));
    }
    Ok(name)
}

/// At least one scope, each one known; in catalog order, without repeats.
pub fn parse_scopes(keys: &[String]) -> Result<Vec<ApiScope>, AppError> {
    crate::domain::text::parse_choices(
        keys,
        ApiScope::parse,
        "scopes",
        "Choose scopes from the list: check, members:read, members:write or scim.",
        "Choose at least one scope: what the key may be used for.",
    )
}

/// The part of a secret kept in clear to tell keys apart (lists show it with "…").
pub fn secret_prefix(secret: &str) -> String {
    secret.chars().take(SHOWN_PREFIX_CHARS).collect()
}

/// The most questions one batch of the check API may ask.
pub const MAX_BATCH: usize = 100;

/// One question to the check API (`POST /v1/check`): about a member, by email or
/// by membership id, and a permission (`users.manage`) or a feature (`api_keys`).
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckQuestion {
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub member_id: Option<i64>,
    #[serde(default)]
    pub permission: Option<String>,
    #[serde(default)]
    pub feature: Option<String>,
}

/// Up to [`MAX_BATCH`] questions at once; answers come in the same order.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckBatch {
    pub checks: Vec<CheckQuestion>,
}

/// Why the answer is no, as the access engine says it.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckReason {
    /// `authentication`, `authorization` or `product_scope`.
    pub kind: ReasonKind,
    /// A stable code for programs (`permission_missing`, `plan_excludes`, …).
    pub code: String,
    pub message_for_user: String,
    pub message_for_admin: String,
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckAnswer {
    pub allowed: bool,
    pub reasons: Vec<CheckReason>,
    /// Where the person asks an admin for the access, when only their role or
    /// grants stand in the way (not the plan, a flag, or their sign-in).
    pub request_access_url: Option<String>,
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckBatchAnswer {
    pub results: Vec<CheckAnswer>,
}

/// Whom a check asks about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Who {
    Email(Email),
    Member(i64),
}

/// A question's person and what they want to do, or a sentence on the field that
/// is wrong.
pub fn parse_question(q: &CheckQuestion) -> Result<(Who, Target), AppError> {
    let who = match (&q.email, q.member_id) {
        (Some(email), None) => {
            Who::Email(Email::parse(email).map_err(|e| AppError::field("email", e.to_string()))?)
        }
        (None, Some(id)) => Who::Member(id),
        _ => {
            return Err(AppError::field(
                "email",
                "Ask about one person: give either \"email\" or \"member_id\".",
            ))
        }
    };
    let target = match (&q.permission, &q.feature) {
        (Some(p), None) => Target::parse(&format!("permission:{p}")).filter(|t| matches!(t, Target::Permission(_))),
        (None, Some(f)) => Target::parse(&format!("feature:{f}")).filter(|t| matches!(t, Target::Feature(_))),
        _ => {
            return Err(AppError::field(
                "permission",
                "Ask about one thing: give either \"permission\" (such as users.manage) or \"feature\" (such as api_keys).",
            ))
        }
    }
    .ok_or_else(|| {
        AppError::field(
            if q.permission.is_some() { "permission" } else { "feature" },
            "There is no such permission or feature. Permissions look like users.manage; features like api_keys.",
        )
    })?;
    Ok((who, target))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_are_known_at_least_one_and_in_order() {
        let keys = |k: &[&str]| k.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            parse_scopes(&keys(&["scim", "check", "check"])).unwrap(),
            vec![ApiScope::Check, ApiScope::Scim]
        );
        let none = parse_scopes(&[]).unwrap_err();
        assert!(none
            .field_message("scopes")
            .unwrap()
            .contains("at least one"));
        let unknown = parse_scopes(&keys(&["admin"])).unwrap_err();
        assert!(unknown
            .field_message("scopes")
            .unwrap()
            .contains("from the list"));
        for scope in ApiScope::ALL {
            assert_eq!(ApiScope::parse(scope.as_str()), Some(scope));
        }
        let stored = scopes_to_stored(&[ApiScope::Check, ApiScope::MembersRead]);
        assert_eq!(stored, "check,members:read");
        assert_eq!(
            scopes_from_stored(&stored),
            vec![ApiScope::Check, ApiScope::MembersRead]
        );
    }

    #[test]
    fn a_name_is_required_and_short() {
        assert_eq!(parse_key_name("  Billing  ").unwrap(), "Billing");
        assert!(parse_key_name(" ")
            .unwrap_err()
            .field_message("name")
            .is_some());
        assert!(parse_key_name(&"x".repeat(81)).is_err());
        assert!(parse_key_name("a\u{202e}b").is_err());
    }

    #[test]
    fn a_question_names_one_person_and_one_thing() {
        let q = |email: Option<&str>, member: Option<i64>, p: Option<&str>, f: Option<&str>| {
            CheckQuestion {
                email: email.map(String::from),
                member_id: member,
                permission: p.map(String::from),
                feature: f.map(String::from),
            }
        };
        let (who, target) = parse_question(&q(
            Some("Ada@Example.com"),
            None,
            Some("users.manage"),
            None,
        ))
        .unwrap();
        assert_eq!(who, Who::Email(Email::parse("ada@example.com").unwrap()));
        assert_eq!(target.key(), "permission:users.manage");
        let (who, target) = parse_question(&q(None, Some(7), None, Some("api_keys"))).unwrap();
        assert_eq!(
            (who, target.key()),
            (Who::Member(7), "feature:api_keys".to_string())
        );
        for (bad, field) in [
            (
                q(Some("a@b.example"), Some(1), Some("users.manage"), None),
                "email",
            ),
            (q(None, None, Some("users.manage"), None), "email"),
            (
                q(Some("not an email"), None, Some("users.manage"), None),
                "email",
            ),
            (q(Some("a@b.example"), None, None, None), "permission"),
            (
                q(Some("a@b.example"), None, Some("users.fly"), None),
                "permission",
            ),
            (
                q(Some("a@b.example"), None, None, Some("teleport")),
                "feature",
            ),
            (
                q(
                    Some("a@b.example"),
                    None,
                    Some("users.manage"),
                    Some("api_keys"),
                ),
                "permission",
            ),
        ] {
            let error = parse_question(&bad).unwrap_err();
            assert!(error.field_message(field).is_some(), "{bad:?}: {error:?}");
        }
    }

    #[test]
    fn a_list_shows_only_the_start_of_a_secret() {
        let secret = format!("{SECRET_PREFIX}abcdefghijklmnopqrstuvwxyz");
        assert_eq!(secret_prefix(&secret), format!("{SECRET_PREFIX}abcdef"));
    }
}
