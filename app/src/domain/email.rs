//! A parsed, normalised email address ("parse, don't validate").

use serde::{Deserialize, Serialize};
use std::fmt;

/// The longest address we accept (RFC 5321 path limit).
pub const MAX_EMAIL_LEN: usize = 254;

/// An email address that has been trimmed, lower-cased and checked.
/// Two addresses that differ only in case are the same `Email`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    #[error("Enter an email address.")]
    Empty,
    #[error("This email address is too long (254 characters at most).")]
    TooLong,
    #[error("Enter a valid email address, like name@example.com.")]
    Malformed,
}

impl Email {
    pub fn parse(input: &str) -> Result<Self, EmailError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(EmailError::Empty);
        }
        if trimmed.chars().count() > MAX_EMAIL_LEN {
            return Err(EmailError::TooLong);
        }
        if trimmed.chars().any(|c| {
            c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | ',' | ';' | '"' | '\\')
        }) {
            return Err(EmailError::Malformed);
        }
        let (local, domain) = trimmed.rsplit_once('@').ok_or(EmailError::Malformed)?;
        if local.is_empty() || local.len() > 64 || local.contains('@') {
            return Err(EmailError::Malformed);
        }
        let labels: Vec<&str> = domain.split('.').collect();
        if labels.len() < 2
            || labels.iter().any(|l| {
                l.is_empty()
                    || l.len() > 63
                    || l.starts_with('-')
                    || l.ends_with('-')
                    || !l.chars().all(|c| c.is_alphanumeric() || c == '-')
            })
        {
            return Err(EmailError::Malformed);
        }
        Ok(Email(trimmed.to_lowercase()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Email {
    type Error = EmailError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Email::parse(&value)
    }
}

impl From<Email> for String {
    fn from(value: Email) -> Self {
        value.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_case_and_whitespace() {
        let e = Email::parse("  Ada.Lovelace@Example.COM ").unwrap();
        assert_eq!(e.as_str(), "ada.lovelace@example.com");
        assert_eq!(e, Email::parse("ada.lovelace@example.com").unwrap());
    }

    #[test]
    fn rejects_bad_input_with_a_reason() {
        let cases = [
            ("", EmailError::Empty),
            ("   ", EmailError::Empty),
            ("no-at-sign", EmailError::Malformed),
            ("@example.com", EmailError::Malformed),
            ("a@b", EmailError::Malformed),
            ("a@@b.com", EmailError::Malformed),
            ("a b@example.com", EmailError::Malformed),
            ("a@exa mple.com", EmailError::Malformed),
            ("a@example..com", EmailError::Malformed),
            ("a@-example.com", EmailError::Malformed),
            ("evil@example.com\r\nBcc: x@y.com", EmailError::Malformed),
            ("a\n@example.com", EmailError::Malformed),
            ("<a@example.com>", EmailError::Malformed),
        ];
        for (input, expected) in cases {
            assert_eq!(Email::parse(input), Err(expected), "input {input:?}");
        }
        let long = format!("{}@example.com", "a".repeat(300));
        assert_eq!(Email::parse(&long), Err(EmailError::TooLong));
    }

    #[test]
    fn serde_round_trip_validates() {
        let e: Email = serde_json::from_str("\"X@Example.org\"").unwrap();
        assert_eq!(e.as_str(), "x@example.org");
        assert!(serde_json::from_str::<Email>("\"nope\"").is_err());
    }
}
