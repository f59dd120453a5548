//! DKIM: with a domain, a selector and a private key (RSA or Ed25519, PEM) set,
//! every outgoing message is signed (lettre's `dkim`), the outbox files included,
//! and `gatehouse mail dkim-record` prints the DNS TXT record receivers check the
//! signature against.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use lettre::message::dkim::{
    DkimCanonicalization, DkimCanonicalizationType, DkimConfig, DkimSigningAlgorithm,
    DkimSigningKey,
};
use lettre::message::header::HeaderName;
use lettre::Message;

/// Signs messages for one domain and selector.
pub struct Signer {
    config: DkimConfig,
    domain: String,
    selector: String,
    /// `v=DKIM1; k=…; p=…`: the public half, as DNS publishes it.
    record: String,
}

impl std::fmt::Debug for Signer {
    // Never the key.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Signer")
            .field("domain", &self.domain)
            .field("selector", &self.selector)
            .finish_non_exhaustive()
    }
}

/// The headers the signature covers (one absent from a message is signed as absent,
/// so it cannot be added on the way). Not Content-Type: lettre writes a multipart's
/// Content-Type with the body, after it has signed the headers, so covering it would
/// sign it as absent and no receiver would verify the message.
const SIGNED_HEADERS: [&str; 8] = [
    "From",
    "To",
    "Subject",
    "Date",
    "Message-ID",
    "Reply-To",
    "Auto-Submitted",
    "MIME-Version",
];

fn dns_name(value: &str) -> bool {
    !value.is_empty()
        && value.len() <= 253
        && value.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        })
}

impl Signer {
    /// Reads the key file. Every failure is one sentence naming what to fix.
    pub fn load(domain: &str, selector: &str, key_file: &std::path::Path) -> Result<Self, String> {
        let pem = std::fs::read_to_string(key_file)
            .map_err(|e| format!("Cannot read the DKIM key file {}: {e}.", key_file.display()))?;
        Self::from_pem(domain, selector, &pem)
            .map_err(|why| format!("The DKIM key file {} {why}", key_file.display()))
    }

    /// A signer from a PEM private key: PKCS#1 (`RSA PRIVATE KEY`) or PKCS#8
    /// (`PRIVATE KEY`, RSA or Ed25519). The error completes "The DKIM key file … ".
    pub fn from_pem(domain: &str, selector: &str, pem: &str) -> Result<Self, String> {
        use rsa::pkcs1::{DecodeRsaPrivateKey, EncodeRsaPrivateKey};
        use rsa::pkcs8::{DecodePrivateKey, EncodePublicKey};
        use rsa::traits::PublicKeyParts;
        if !dns_name(domain) {
            return Err(format!(
                "is for GATEHOUSE_DKIM_DOMAIN {domain:?}, which is not a domain name."
            ));
        }
        if !dns_name(selector) {
            return Err(format!(
                "is for GATEHOUSE_DKIM_SELECTOR {selector:?}, which is not a DNS label."
            ));
        }
        let rsa = rsa::RsaPrivateKey::from_pkcs1_pem(pem)
            .ok()
            .or_else(|| rsa::RsaPrivateKey::from_pkcs8_pem(pem).ok());
        let (key, record) = if let Some(rsa) = rsa {
            if rsa.size() * 8 < 1024 {
                return Err(format!(
                    "holds a {}-bit RSA key; receivers ignore DKIM keys under 1024 bits (2048 is usual).",
                    rsa.size() * 8
                ));
            }
            let public = rsa
                .to_public_key()
                .to_public_key_der()
                .map_err(|_| "holds an RSA key whose public half can't be encoded.".to_string())?;
            let pkcs1 = rsa
                .to_pkcs1_pem(rsa::pkcs1::LineEnding::LF)
                .map_err(|_| "holds an RSA key that can't be used.".to_string())?;
            let key = DkimSigningKey::new(&pkcs1, DkimSigningAlgorithm::Rsa)
                .map_err(|_| "holds an RSA key that can't be used.".to_string())?;
            (
                key,
                format!("v=DKIM1; k=rsa; p={}", STANDARD.encode(public.as_bytes())),
            )
        } else if let Ok(ed) = ed25519_dalek::SigningKey::from_pkcs8_pem(pem) {
            let key = DkimSigningKey::new(
                &STANDARD.encode(ed.to_bytes()),
                DkimSigningAlgorithm::Ed25519,
            )
            .map_err(|_| "holds an Ed25519 key that can't be used.".to_string())?;
            (
                key,
                format!(
                    "v=DKIM1; k=ed25519; p={}",
                    STANDARD.encode(ed.verifying_key().to_bytes())
                ),
            )
        } else {
            return Err(
                "does not hold an RSA or Ed25519 private key in PEM (make one with `openssl genrsa 2048` or `openssl genpkey -algorithm ed25519`)."
                    .to_string(),
            );
        };
        let config = DkimConfig::new(
            selector.to_string(),
            domain.to_string(),
            key,
            SIGNED_HEADERS
                .iter()
                .map(|h| HeaderName::new_from_ascii_str(h))
                .collect(),
            DkimCanonicalization {
                header: DkimCanonicalizationType::Relaxed,
                body: DkimCanonicalizationType::Relaxed,
            },
        );
        Ok(Self {
            config,
            domain: domain.to_string(),
            selector: selector.to_string(),
            record,
        })
    }

    /// Adds the `DKIM-Signature` header.
    pub fn sign(&self, message: &mut Message) {
        message.sign(&self.config);
    }

    /// The TXT record's value (`v=DKIM1; k=…; p=…`).
    pub fn txt_value(&self) -> &str {
        &self.record
    }

    /// The record to publish, in zone-file form: its name, and its value split into
    /// strings of at most 255 characters (a 2048-bit RSA key needs two).
    pub fn dns_record(&self) -> String {
        let chunks: Vec<String> = self
            .record
            .as_bytes()
            .chunks(255)
            .map(|c| format!("\"{}\"", String::from_utf8_lossy(c)))
            .collect();
        format!(
            "{}._domainkey.{}. IN TXT ( {} )",
            self.selector,
            self.domain,
            chunks.join(" ")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Made for these tests only (openssl genpkey -algorithm ed25519).
    const ED25519: &str = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEICAMBnyUMfMQKIGu7P/GfbHDMa5OrlLWp2Q/LO8dlcoi\n-----END PRIVATE KEY-----\n";

    // Made for these tests only (openssl genpkey -algorithm rsa, 1024 bits: the least
    // receivers accept, and quick to load).
    const RSA: &str = "-----BEGIN PRIVATE KEY-----\nMIICdgIBADANBgkqhkiG9w0BAQEFAASCAmAwggJcAgEAAoGBAKTdZqFLRW/zluN4\nVerksjzLk4lk6sR2oenvxmLAWbUcp5G3QfiPY3SzDM/CcvmsFUAFTp1nW/joefrl\nqixA/xt4jEmIVH5POlbjYsc/ymF3WdpE6mCIPl0leiPSFirK2+E5hYagtDg+kXZ/\n3K8Ik5R/8v+ezQEA68/Jdsxc+CuJAgMBAAECgYB9GxV6aGg04CAsVXC9YvZuc/1t\nUYtlsrCDmVRuM5DfgvMV/H6vZAAQ2p5qOiCNniwx/NT/VSPR6nhGEGnmUxxCQJV6\ndZvAwhoq3XX6IdM2RetZ+/vyc0CYb2X950b7xGm1t1j2b86DLII5vAUJ/SYWOh/x\n4w2CVKDb2vSWOiVREQJBAM80lThFovC/ZpY7NBqr9Gu4vvf4nz1yd7gmlWYtKStU\n2rwQFe5sh3/THEUBUuHd1KpyuiWsextIKUr8VQ5sIVMCQQDLsE9CihP7puoq2MHI\nfxjjBEp5/HMS0PFEPHJ+lMFnqH6MCyTBU6NYhppQ76GSFpwRQ4JX6vsgp8lawHea\nA1gzAkEAmfgt5fnBAXqIxZvKtQMQBjfrGCKUWbnEgn+RRrLKQ9uzCko9scTNz0tV\nV2WLbDFFxT6pWjNX60btAD6PCb+J5wJAWawA+NY4/ez54msSxOXPWwIkl5egQYRi\n8xt5fGiYzL3NGHI/eC0OGIcJoOAeTWZOxvrlgzcb38B+UMmy3cbjKQJAS1q2FWzt\nesYWpLgfsIQR1BnbCAuRqRqQ/WEhP/jjDIFAHANgW0m1gS66gvH3FGXzkTzRJ7ep\nq5ruqFSWg9knoA==\n-----END PRIVATE KEY-----\n";

    #[test]
    fn each_key_gives_its_record_and_never_shows_in_debug() {
        for (pem, kind) in [(ED25519, "ed25519"), (RSA, "rsa")] {
            let signer = Signer::from_pem("acme.example", "gh2026", pem).unwrap();
            assert!(signer
                .txt_value()
                .starts_with(&format!("v=DKIM1; k={kind}; p=")));
            let record = signer.dns_record();
            assert!(record.starts_with("gh2026._domainkey.acme.example. IN TXT ( \"v=DKIM1;"));
            assert!(record.split('"').all(|part| part.len() <= 255));
            // Settings (and so the signer) may be printed with {:?}: never the key.
            assert_eq!(
                format!("{signer:?}"),
                "Signer { domain: \"acme.example\", selector: \"gh2026\", .. }"
            );
        }
        // The same RSA key in PKCS#1 (`BEGIN RSA PRIVATE KEY`) gives the same record.
        use rsa::pkcs1::EncodeRsaPrivateKey;
        use rsa::pkcs8::DecodePrivateKey;
        let pkcs1 = rsa::RsaPrivateKey::from_pkcs8_pem(RSA)
            .unwrap()
            .to_pkcs1_pem(rsa::pkcs1::LineEnding::LF)
            .unwrap();
        assert!(pkcs1.starts_with("-----BEGIN RSA PRIVATE KEY-----"));
        assert_eq!(
            Signer::from_pem("acme.example", "gh2026", &pkcs1)
                .unwrap()
                .txt_value(),
            Signer::from_pem("acme.example", "gh2026", RSA)
                .unwrap()
                .txt_value()
        );
    }

    #[test]
    fn bad_keys_and_names_are_one_sentence() {
        let not_a_key = Signer::from_pem("acme.example", "s1", "hello").unwrap_err();
        assert!(not_a_key.starts_with("does not hold an RSA or Ed25519 private key in PEM"));
        let bad_domain = Signer::from_pem("acme example", "s1", ED25519).unwrap_err();
        assert!(bad_domain.contains("not a domain name"));
        let bad_selector = Signer::from_pem("acme.example", "s 1", ED25519).unwrap_err();
        assert!(bad_selector.contains("not a DNS label"));
        let missing = Signer::load(
            "acme.example",
            "s1",
            std::path::Path::new("/nonexistent/k.pem"),
        )
        .unwrap_err();
        assert!(missing.starts_with("Cannot read the DKIM key file /nonexistent/k.pem"));
    }
}
