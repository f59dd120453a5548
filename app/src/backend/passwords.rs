//! argon2id hashing with OWASP parameters, off the async runtime and with bounded
//! concurrency so a burst of sign-ins cannot exhaust memory or starve other requests.

use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher as _, PasswordVerifier, SaltString,
};
use argon2::{Algorithm, Argon2, Params, Version};
use std::sync::Arc;
use tokio::sync::Semaphore;

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

#[cfg(test)]
mod tests {
    use super::*;

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
