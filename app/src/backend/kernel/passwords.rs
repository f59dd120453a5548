//! argon2id hashing with OWASP parameters, off the async runtime and with bounded
//! concurrency so a burst of sign-ins cannot exhaust memory or starve other requests.

use crate::domain::password::{check_new_password, PasswordError, PasswordPolicy};
use crate::domain::AppError;
use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher as _, PasswordVerifier, SaltString,
};
use argon2::{Algorithm, Argon2, Params, Version};
use std::sync::Arc;
use tokio::sync::Semaphore;

#[cfg(test)]
use crate::domain::password::context_words;

/// m = 19456 KiB, t = 2, p = 1 (OWASP's argon2id recommendation).
pub const MEMORY_KIB: u32 = 19_456;
pub const ITERATIONS: u32 = 2;
pub const PARALLELISM: u32 = 1;

#[derive(Clone)]
pub struct PasswordHasher {
    permits: Arc<Semaphore>,
    dummy_hash: Arc<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum HashError {
    #[error("password hashing failed: {0}")]
    Hash(String),
    #[error("hashing task failed: {0}")]
    Join(String),
}

fn argon2() -> Argon2<'static> {
    // The constants are valid parameters; `Params::new` only fails outside its ranges.
    let params = Params::new(MEMORY_KIB, ITERATIONS, PARALLELISM, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

fn hash_blocking(password: &str) -> Result<String, HashError> {
    let salt = SaltString::generate(&mut OsRng);
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| HashError::Hash(e.to_string()))
}

fn verify_blocking(password: &str, hash: &str) -> bool {
    match PasswordHash::new(hash) {
        Ok(parsed) => argon2()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

impl PasswordHasher {
    pub fn new(max_concurrent: usize) -> Result<Self, HashError> {
        let dummy = hash_blocking("gatehouse dummy password for unknown accounts")?;
        Ok(Self {
            permits: Arc::new(Semaphore::new(max_concurrent.max(1))),
            dummy_hash: Arc::new(dummy),
        })
    }

    pub async fn hash(&self, password: &str) -> Result<String, HashError> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|e| HashError::Join(e.to_string()))?;
        let password = password.to_owned();
        tokio::task::spawn_blocking(move || hash_blocking(&password))
            .await
            .map_err(|e| HashError::Join(e.to_string()))?
    }

    /// Verifies `password` against `hash`. With no hash (unknown account, or one that
    /// never set a password) it verifies against a dummy hash so the time taken is
    /// the same, and answers false.
    pub async fn verify(&self, password: &str, hash: Option<&str>) -> bool {
        let Ok(_permit) = self.permits.acquire().await else {
            return false;
        };
        let password = password.to_owned();
        let (target, real) = match hash {
            Some(h) => (h.to_owned(), true),
            None => (self.dummy_hash.as_str().to_owned(), false),
        };
        let ok = tokio::task::spawn_blocking(move || verify_blocking(&password, &target))
            .await
            .unwrap_or(false);
        ok && real
    }
}

/// The full check of a new password: the domain's length and context rules, then
/// the common-password list and guessability estimate of zxcvbn (its list holds
/// some 30,000 common passwords). Answers with a field error on `field` that names
/// the rule that failed.
pub fn check_new(
    policy: &PasswordPolicy,
    password: &str,
    has_two_factor: bool,
    context: &[String],
    field: &str,
) -> Result<(), AppError> {
    let fail = |e: PasswordError| AppError::field(field, e.to_string());
    check_new_password(password, policy.min_for(has_two_factor), context).map_err(fail)?;
    // zxcvbn's work grows with length; beyond 100 characters nothing is guessable.
    let sample: String = password.chars().take(100).collect();
    let inputs: Vec<&str> = context.iter().map(String::as_str).collect();
    let estimate = zxcvbn::zxcvbn(&sample, &inputs);
    let warning = estimate.feedback().and_then(|f| f.warning());
    use zxcvbn::feedback::Warning;
    if matches!(
        warning,
        Some(
            Warning::ThisIsATop10Password
                | Warning::ThisIsATop100Password
                | Warning::ThisIsACommonPassword
                | Warning::ThisIsSimilarToACommonlyUsedPassword
        )
    ) && estimate.score() < zxcvbn::Score::Three
    {
        return Err(fail(PasswordError::Common));
    }
    if estimate.score() < zxcvbn::Score::Two {
        let hint = match warning {
            Some(w) => format!(": {}", w.to_string().trim_end_matches('.').to_lowercase()),
            None => String::new(),
        };
        return Err(fail(PasswordError::TooGuessable { hint }));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_and_guessable_passwords_are_refused_with_the_reason() {
        let policy = PasswordPolicy::default();
        let words = context_words("ada@example.com", &["Acme".to_string()]);
        let message = |p: &str| match check_new(&policy, p, false, &words, "password") {
            Ok(()) => "ok".to_string(),
            Err(e) => e.field_message("password").unwrap_or_default(),
        };
        for common in [
            "password",
            "password1",
            "12345678",
            "iloveyou",
            "qwertyuiop",
            "trustno1",
            "sunshine",
            "football",
        ] {
            assert!(
                message(common).contains("most commonly used"),
                "{common}: {}",
                message(common)
            );
        }
        assert!(
            message("aaaaaaaaaaaa").contains("too easy to guess"),
            "{}",
            message("aaaaaaaaaaaa")
        );
        assert!(message("short").contains("at least 8"));
        assert!(message("acme rocks forever").contains("workspace name"));
        for fine in [
            "a perfectly long passphrase",
            "violet tundra lantern",
            "пароль для меня 🙂",
            "correct horse battery staple",
        ] {
            assert_eq!(message(fine), "ok", "{fine}");
        }
        let strict = PasswordPolicy {
            min_chars: 8,
            min_chars_without_two_factor: 15,
        };
        assert!(check_new(&strict, "violet tundra", false, &words, "password").is_err());
        assert!(check_new(&strict, "violet tundra", true, &words, "password").is_ok());
    }

    #[tokio::test]
    async fn hashes_are_argon2id_phc_with_owasp_params_and_salted() {
        let hasher = PasswordHasher::new(2).unwrap();
        let a = hasher.hash("correct horse battery staple").await.unwrap();
        let b = hasher.hash("correct horse battery staple").await.unwrap();
        assert!(a.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{a}");
        assert_ne!(a, b, "same password, different salt");
        assert!(
            hasher
                .verify("correct horse battery staple", Some(&a))
                .await
        );
        assert!(
            !hasher
                .verify("Correct horse battery staple", Some(&a))
                .await,
            "never case-folded"
        );
        assert!(!hasher.verify("correct horse battery stapl", Some(&a)).await);
        assert!(!hasher.verify("anything", None).await);
        assert!(!hasher.verify("anything", Some("not a phc string")).await);
    }

    #[tokio::test]
    async fn long_passwords_are_not_truncated() {
        let hasher = PasswordHasher::new(1).unwrap();
        let long = "ä".repeat(200);
        let h = hasher.hash(&long).await.unwrap();
        let mut other = long.clone();
        other.push('x');
        assert!(hasher.verify(&long, Some(&h)).await);
        assert!(!hasher.verify(&other, Some(&h)).await);
    }
}
