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

/// The domain in its ASCII (IDNA) form. On the server only: the IDNA tables stay
/// out of the WASM bundle; the browser keeps the domain as typed.
fn ascii_domain(domain: &str) -> Result<String, EmailError> {
    #[cfg(feature = "ssr")]
    {
        idna::domain_to_ascii(domain).map_err(|_| EmailError::Malformed)
    }
    #[cfg(not(feature = "ssr"))]
    {
        Ok(domain.to_string())
    }
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
            c.is_whitespace()
                || c.is_control()
                || crate::domain::text::is_invisible_or_bidi(c)
                || matches!(c, '<' | '>' | ',' | ';' | '"' | '\\')
        }) {
            return Err(EmailError::Malformed);
        }
        let normalised = crate::domain::text::nfc(trimmed);
        let (local, domain) = normalised.rsplit_once('@').ok_or(EmailError::Malformed)?;
        // One spelling per domain: "bücher.de" and "xn--bcher-kva.de" are one address.
        let domain = ascii_domain(domain)?;
        let domain = domain.as_str();
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
        let email = format!("{}@{}", local.to_lowercase(), domain.to_lowercase());
        if email.chars().count() > MAX_EMAIL_LEN {
            return Err(EmailError::TooLong);
        }
        Ok(Email(email))
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

    #[test]
    fn invisible_characters_never_pass_for_another_address() {
        assert_eq!(
            Email::parse("ada\u{200b}@example.com"),
            Err(EmailError::Malformed)
        );
        assert_eq!(
            Email::parse("ada@exam\u{202e}ple.com"),
            Err(EmailError::Malformed)
        );
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn international_domains_have_one_spelling() {
        let unicode = Email::parse("user@bücher.de").unwrap();
        let ascii = Email::parse("user@xn--bcher-kva.de").unwrap();
        assert_eq!(unicode, ascii);
        assert_eq!(unicode.as_str(), "user@xn--bcher-kva.de");
        assert_eq!(Email::parse("User@BÜCHER.de").unwrap(), ascii);
        assert_eq!(
            Email::parse("Ada@Example.COM").unwrap().as_str(),
            "ada@example.com"
        );
    }
}
