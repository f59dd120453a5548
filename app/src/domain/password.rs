//! Password rules after NIST SP 800-63B: length only, no composition rules,
//! never truncated or case-folded.

/// Fewest characters a password may have.
pub const MIN_PASSWORD_CHARS: usize = 8;
/// Most characters a password may have (well above the 64 NIST asks us to accept).
pub const MAX_PASSWORD_CHARS: usize = 256;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    #[error("Use at least {min} characters for your password.")]
    TooShort { min: usize },
    #[error("Use at most {max} characters for your password.")]
    TooLong { max: usize },
    #[error("Don't use your email address or the workspace name in your password.")]
    ContainsContext,
}

/// Checks a new password. `context` holds words the password must not contain
/// (the email's local part, the tenant name, the product name).
pub fn check_new_password(
    password: &str,
    min_chars: usize,
    context: &[&str],
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
        .map(|w| w.trim().to_lowercase())
        .any(|w| w.chars().count() >= 4 && lowered.contains(&w))
    {
        return Err(PasswordError::ContainsContext);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_rules() {
        assert_eq!(
            check_new_password("short", 8, &[]),
            Err(PasswordError::TooShort { min: 8 })
        );
        assert_eq!(
            check_new_password("seven77", 8, &[]),
            Err(PasswordError::TooShort { min: 8 })
        );
        assert!(check_new_password("eight888", 8, &[]).is_ok());
        assert!(check_new_password(&"x".repeat(64), 8, &[]).is_ok());
        assert!(check_new_password(&"x".repeat(256), 8, &[]).is_ok());
        assert_eq!(
            check_new_password(&"x".repeat(257), 8, &[]),
            Err(PasswordError::TooLong { max: 256 })
        );
        assert_eq!(
            check_new_password("fourteen chars", 15, &[]),
            Err(PasswordError::TooShort { min: 15 })
        );
    }

    #[test]
    fn any_unicode_counts_by_character() {
        // Eight characters, more than eight bytes.
        assert!(check_new_password("пароль🙂 ", 8, &[]).is_ok());
        assert!(check_new_password("🙂🙂🙂🙂🙂🙂🙂", 8, &[]).is_err());
        assert!(check_new_password("with spaces in it", 8, &[]).is_ok());
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
