//! Password rules after NIST SP 800-63B: length only, no composition rules,
//! never truncated or case-folded; no common password, nothing built from the
//! person's email or workspace. (The common-password check needs the server's list,
//! so it runs in `backend::passwords::check_new`; everything else is here.)

/// Fewest characters a password may have.
pub const MIN_PASSWORD_CHARS: usize = 8;
/// What NIST SP 800-63B-4 asks of a password that is the only factor.
pub const MIN_PASSWORD_CHARS_SINGLE_FACTOR: usize = 15;

/// How long a password must be: `min_chars` always, `min_chars_without_two_factor`
/// for an account without two-factor (a server setting; 8 unless configured, NIST
/// suggests 15).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PasswordPolicy {
    pub min_chars: usize,
    pub min_chars_without_two_factor: usize,
}

impl Default for PasswordPolicy {
    fn default() -> Self {
        Self {
            min_chars: MIN_PASSWORD_CHARS,
            min_chars_without_two_factor: MIN_PASSWORD_CHARS,
        }
    }
}

impl PasswordPolicy {
    pub fn min_for(&self, has_two_factor: bool) -> usize {
        if has_two_factor {
            self.min_chars
        } else {
            self.min_chars.max(self.min_chars_without_two_factor)
        }
    }
}

/// The words a new password must not contain: the email (and its part before the
/// @), the names of the person's workspaces, and the product name.
pub fn context_words(email: &str, tenant_names: &[String]) -> Vec<String> {
    let mut words = vec![email.to_string(), "gatehouse".to_string()];
    if let Some(local) = email.split('@').next() {
        words.push(local.to_string());
    }
    words.extend(tenant_names.iter().cloned());
    words
}
/// Most characters a password may have (well above the 64 NIST asks us to accept).
pub const MAX_PASSWORD_CHARS: usize = 256;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    #[error("Use at least {min} characters for your password.")]
    TooShort { min: usize },
    #[error("Use at most {max} characters for your password.")]
    TooLong { max: usize },
    #[error("Don't use your email address, the workspace name or “Gatehouse” in your password.")]
    ContainsContext,
    #[error("This is one of the most commonly used passwords, so it is among the first an attacker tries. Choose something else, such as a few unrelated words.")]
    Common,
    #[error("This password is too easy to guess{hint}. Make it longer, for example with a few unrelated words.")]
    TooGuessable { hint: String },
}

/// Checks a new password. `context` holds words the password must not contain
/// (the email's local part, the tenant name, the product name).
pub fn check_new_password(
    password: &str,
    min_chars: usize,
    context: &[impl AsRef<str>],
) -> Result<(), PasswordError> {
    let chars = password.chars().count();
    if chars < min_chars {
        return Err(PasswordError::TooShort { min: min_chars });
    }
    if chars > MAX_PASSWORD_CHARS {
        return Err(PasswordError::TooLong {
            max: MAX_PASSWORD_CHARS,
        });
    }
    let lowered = password.to_lowercase();
    if context
        .iter()
        .map(|w| w.as_ref().trim().to_lowercase())
        .any(|w| w.chars().count() >= 4 && lowered.contains(&w))
    {
        return Err(PasswordError::ContainsContext);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const NONE: &[&str] = &[];

    #[test]
    fn policy_asks_more_of_a_password_without_two_factor() {
        let default = PasswordPolicy::default();
        assert_eq!(default.min_for(false), 8);
        let strict = PasswordPolicy {
            min_chars: 8,
            min_chars_without_two_factor: MIN_PASSWORD_CHARS_SINGLE_FACTOR,
        };
        assert_eq!(strict.min_for(false), 15);
        assert_eq!(strict.min_for(true), 8);
        let words = context_words("ada.l@example.com", &["Acme".to_string()]);
        assert_eq!(
            check_new_password("my ada.l passphrase", 8, &words),
            Err(PasswordError::ContainsContext)
        );
        assert_eq!(
            check_new_password("acme acme acme!", 8, &words),
            Err(PasswordError::ContainsContext)
        );
        assert_eq!(
            check_new_password("I love GateHouse", 8, &words),
            Err(PasswordError::ContainsContext)
        );
        assert!(check_new_password("violet tundra lantern", 8, &words).is_ok());
    }

    #[test]
    fn length_rules() {
        assert_eq!(
            check_new_password("short", 8, NONE),
            Err(PasswordError::TooShort { min: 8 })
        );
        assert_eq!(
            check_new_password("seven77", 8, NONE),
            Err(PasswordError::TooShort { min: 8 })
        );
        assert!(check_new_password("eight888", 8, NONE).is_ok());
        assert!(check_new_password(&"x".repeat(64), 8, NONE).is_ok());
        assert!(check_new_password(&"x".repeat(256), 8, NONE).is_ok());
        assert_eq!(
            check_new_password(&"x".repeat(257), 8, NONE),
            Err(PasswordError::TooLong { max: 256 })
        );
        assert_eq!(
            check_new_password("fourteen chars", 15, NONE),
            Err(PasswordError::TooShort { min: 15 })
        );
    }

    #[test]
    fn any_unicode_counts_by_character() {
        // Eight characters, more than eight bytes.
        assert!(check_new_password("пароль🙂 ", 8, NONE).is_ok());
        assert!(check_new_password("🙂🙂🙂🙂🙂🙂🙂", 8, NONE).is_err());
        assert!(check_new_password("with spaces in it", 8, NONE).is_ok());
    }

    #[test]
    fn refuses_context_words() {
        assert_eq!(
            check_new_password("Acme-corp-2026!", 8, &["acme"]),
            Err(PasswordError::ContainsContext)
        );
        assert!(check_new_password("unrelated phrase", 8, &["acme", "ab"]).is_ok());
    }
}
