//! Random tokens and their hashes. Tokens come from the OS RNG; only their SHA-256
//! is ever stored.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use rand::rngs::OsRng;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// 256 bits from the OS RNG, URL-safe.
pub fn random_token() -> String {
    URL_SAFE_NO_PAD.encode(random_bytes::<32>())
}

/// The form in which a token is stored.
pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// The server's key for secrets that must be read back (TOTP seeds). Every replica
/// needs the same key; it never goes to the database, so a stolen database alone
/// does not reveal any seed.
#[derive(Clone)]
pub struct SecretKey([u8; 32]);

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretKey(..)")
    }
}

impl SecretKey {
    pub fn random() -> Self {
        Self(random_bytes())
    }

    /// Reads a key written by [`SecretKey::to_text`] (64 hex digits).
    pub fn from_text(text: &str) -> Option<Self> {
        let bytes = hex::decode(text.trim()).ok()?;
        Some(Self(bytes.try_into().ok()?))
    }

    pub fn to_text(&self) -> String {
        hex::encode(self.0)
    }

    /// Encrypts and authenticates `plain`, bound to `context` (e.g. the account id):
    /// a sealed value copied to another row does not open there.
    pub fn seal(&self, context: &str, plain: &[u8]) -> String {
        use chacha20poly1305::aead::{Aead, KeyInit, Payload};
        use chacha20poly1305::{XChaCha20Poly1305, XNonce};
        let cipher = XChaCha20Poly1305::new((&self.0).into());
        let nonce = random_bytes::<24>();
        let sealed = cipher
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: plain,
                    aad: context.as_bytes(),
                },
            )
            .unwrap_or_default();
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        format!("v1:{}", URL_SAFE_NO_PAD.encode(out))
    }

    /// A keyed checksum (HMAC-SHA-256, hex) of `message` bound to `context`: proof
    /// that this server wrote the message.
    pub fn mac(&self, context: &str, message: &[u8]) -> String {
        use hmac::{Hmac, Mac};
        let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(&self.0) else {
            return String::new();
        };
        mac.update(context.as_bytes());
        mac.update(&[0]);
        mac.update(message);
        hex::encode(mac.finalize().into_bytes())
    }

    /// Whether `tag` is this key's [`SecretKey::mac`] of `message` (in constant time).
    pub fn verify_mac(&self, context: &str, message: &[u8], tag: &str) -> bool {
        use hmac::{Hmac, Mac};
        let (Ok(mut mac), Ok(tag)) = (Hmac::<Sha256>::new_from_slice(&self.0), hex::decode(tag))
        else {
            return false;
        };
        mac.update(context.as_bytes());
        mac.update(&[0]);
        mac.update(message);
        mac.verify_slice(&tag).is_ok()
    }

    /// The plain bytes of a value sealed with this key and context, or `None`.
    pub fn open(&self, context: &str, sealed: &str) -> Option<Vec<u8>> {
        use chacha20poly1305::aead::{Aead, KeyInit, Payload};
        use chacha20poly1305::{XChaCha20Poly1305, XNonce};
        let raw = URL_SAFE_NO_PAD.decode(sealed.strip_prefix("v1:")?).ok()?;
        if raw.len() < 24 + 16 {
            return None;
        }
        let (nonce, body) = raw.split_at(24);
        XChaCha20Poly1305::new((&self.0).into())
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: body,
                    aad: context.as_bytes(),
                },
            )
            .ok()
    }
}

/// Random bytes from the OS RNG.
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    OsRng.fill_bytes(&mut bytes);
    bytes
}

/// A short opaque id that ties a user-facing error to a log line.
pub fn reference_id() -> String {
    hex::encode(random_bytes::<6>())
}

/// `N` random bytes as hex digits.
pub fn reference_id_bytes<const N: usize>() -> String {
    hex::encode(random_bytes::<N>())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_unique_and_hashed() {
        let a = random_token();
        let b = random_token();
        assert_ne!(a, b);
        assert!(a.len() >= 43, "256 bits in base64url is 43 characters");
        let h = hash_token(&a);
        assert_eq!(h.len(), 64);
        assert_ne!(h, a);
        assert_eq!(h, hash_token(&a));
    }

    #[test]
    fn sealed_secrets_open_only_with_their_key_and_context() {
        let key = SecretKey::random();
        let sealed = key.seal("account:1", b"seed bytes");
        assert!(!sealed.contains("seed"));
        assert_ne!(
            sealed,
            key.seal("account:1", b"seed bytes"),
            "fresh nonce each time"
        );
        assert_eq!(
            key.open("account:1", &sealed).as_deref(),
            Some(&b"seed bytes"[..])
        );
        assert_eq!(key.open("account:2", &sealed), None);
        let tag = key.mac("ctx", b"message");
        assert!(key.verify_mac("ctx", b"message", &tag));
        assert!(!key.verify_mac("ctx", b"messagf", &tag));
        assert!(!key.verify_mac("other", b"message", &tag));
        assert!(!SecretKey::random().verify_mac("ctx", b"message", &tag));
        assert!(!key.verify_mac("ctx", b"message", "zz"));
        assert_eq!(SecretKey::random().open("account:1", &sealed), None);
        let text = key.to_text();
        assert_eq!(
            SecretKey::from_text(&text)
                .unwrap()
                .open("account:1", &sealed)
                .as_deref(),
            Some(&b"seed bytes"[..])
        );
        assert!(SecretKey::from_text("abc").is_none());
        assert!(!format!("{key:?}").contains(&text));
    }
}
