//! Time-based one-time passwords (RFC 6238 over RFC 4226): HMAC-SHA1, 30-second
//! steps, six digits, one step of clock skew either way. A step that was accepted
//! once is never accepted again (the caller stores the last one).

use totp_rs::{Algorithm, Secret, TOTP};

pub const STEP_SECS: i64 = 30;
pub const DIGITS: u32 = 6;
/// Bytes of a new secret (160 bits, as RFC 4226 recommends).
pub const SECRET_BYTES: usize = 20;

/// RFC 4648 base32 without padding (what authenticator apps expect).
pub fn base32_encode(bytes: &[u8]) -> String {
    match Secret::Raw(bytes.to_vec()).to_encoded() {
        Secret::Encoded(text) => text,
        Secret::Raw(_) => String::new(),
    }
}

/// Decodes base32 as a person may type it: any case, with spaces, dashes or padding.
pub fn base32_decode(text: &str) -> Option<Vec<u8>> {
    let compact: String = text
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '='))
        .map(|c| c.to_ascii_uppercase())
        .collect();
    Secret::Encoded(compact).to_bytes().ok()
}

/// The time step a moment falls in.
pub fn step_at(now_ms: i64) -> i64 {
    now_ms.div_euclid(1000 * STEP_SECS)
}

/// A generator for `secret` (any length: the seeds we make are 160 bits).
fn generator(secret: &[u8], digits: u32) -> TOTP {
    TOTP::new_unchecked(
        Algorithm::SHA1,
        digits as usize,
        0,
        STEP_SECS as u64,
        secret.to_vec(),
        None,
        String::new(),
    )
}

/// The code for one time step, as a number (RFC 4226 dynamic truncation).
pub fn code_at(secret: &[u8], step: i64, digits: u32) -> u32 {
    let time = u64::try_from(step.max(0)).unwrap_or(0) * STEP_SECS as u64;
    generator(secret, digits)
        .generate(time)
        .parse()
        .unwrap_or(u32::MAX)
}

/// Whether `input` looks like a TOTP code (six digits, spaces allowed).
pub fn looks_like_code(input: &str) -> bool {
    let digits: String = input.chars().filter(|c| !c.is_whitespace()).collect();
    digits.len() == DIGITS as usize && digits.chars().all(|c| c.is_ascii_digit())
}

/// Checks a six-digit code against the current step and one step either side.
/// Returns the matching step, unless it is not newer than `last_used_step`
/// (a code, or any code of an already used step, is accepted only once).
pub fn verify(secret: &[u8], input: &str, now_ms: i64, last_used_step: Option<i64>) -> Option<i64> {
    if !looks_like_code(input) {
        return None;
    }
    let digits: String = input.chars().filter(|c| !c.is_whitespace()).collect();
    let code: u32 = digits.parse().ok()?;
    let current = step_at(now_ms);
    let mut matched = None;
    for step in [current - 1, current, current + 1] {
        // Compare every candidate so the time taken does not say which one matched.
        if code_at(secret, step, DIGITS) == code {
            matched = Some(step);
        }
    }
    matched.filter(|step| last_used_step.is_none_or(|last| *step > last))
}

/// The `otpauth://` address an authenticator app reads from the QR code. A colon
/// would end the issuer or account early, so it becomes a space.
pub fn otpauth_uri(issuer: &str, account: &str, secret: &[u8]) -> String {
    TOTP::new_unchecked(
        Algorithm::SHA1,
        DIGITS as usize,
        1,
        STEP_SECS as u64,
        secret.to_vec(),
        Some(issuer.replace(':', " ")),
        account.replace(':', " "),
    )
    .get_url()
}

/// A QR code as an SVG path (dark modules as unit squares) and its size in modules,
/// so the page can draw it as an inline `<svg>` without any markup from the server.
pub fn qr_path(data: &str) -> Option<(String, u32)> {
    let code = qrcode::QrCode::with_error_correction_level(data, qrcode::EcLevel::M).ok()?;
    let width = code.width();
    let mut path = String::new();
    for (i, color) in code.to_colors().into_iter().enumerate() {
        if color == qrcode::Color::Dark {
            let (x, y) = (i % width, i / width);
            path.push_str(&format!("M{x} {y}h1v1h-1z"));
        }
    }
    Some((path, width as u32))
}

#[cfg(test)]
mod tests {
    use super::*;

    // RFC 6238 appendix B, SHA-1 secret.
    const RFC_SECRET: &[u8] = b"12345678901234567890";

    #[test]
    fn rfc_6238_test_vectors() {
        for (time, expected) in [
            (59_i64, 94_287_082_u32),
            (1_111_111_109, 7_081_804),
            (1_111_111_111, 14_050_471),
            (1_234_567_890, 89_005_924),
            (2_000_000_000, 69_279_037),
            (20_000_000_000, 65_353_130),
        ] {
            assert_eq!(
                code_at(RFC_SECRET, step_at(time * 1000), 8),
                expected,
                "t={time}"
            );
        }
        // Six digits are the last six of the same number.
        assert_eq!(code_at(RFC_SECRET, step_at(59_000), 6), 287_082);
    }

    #[test]
    fn base32_round_trip_and_rfc_4648_vectors() {
        assert_eq!(base32_encode(b"foobar"), "MZXW6YTBOI");
        assert_eq!(base32_encode(b"f"), "MY");
        assert_eq!(
            base32_decode("mzxw 6ytb-oi").as_deref(),
            Some(&b"foobar"[..])
        );
        assert_eq!(
            base32_decode("MZXW6YTBOI======").as_deref(),
            Some(&b"foobar"[..])
        );
        assert_eq!(base32_decode("not base32!"), None);
        let secret = [7u8; SECRET_BYTES];
        assert_eq!(base32_decode(&base32_encode(&secret)).unwrap(), secret);
    }

    #[test]
    fn verify_allows_one_step_of_skew_and_never_a_replay() {
        let now = 1_700_000_000_000;
        let step = step_at(now);
        let code = |s: i64| format!("{:06}", code_at(RFC_SECRET, s, DIGITS));
        assert_eq!(verify(RFC_SECRET, &code(step), now, None), Some(step));
        assert_eq!(
            verify(RFC_SECRET, &code(step - 1), now, None),
            Some(step - 1)
        );
        assert_eq!(
            verify(RFC_SECRET, &code(step + 1), now, None),
            Some(step + 1)
        );
        assert_eq!(verify(RFC_SECRET, &code(step - 2), now, None), None);
        assert_eq!(verify(RFC_SECRET, &code(step + 2), now, None), None);
        // The same step, or an older one, is refused once a step was used.
        assert_eq!(verify(RFC_SECRET, &code(step), now, Some(step)), None);
        assert_eq!(verify(RFC_SECRET, &code(step - 1), now, Some(step)), None);
        assert_eq!(
            verify(RFC_SECRET, &code(step + 1), now, Some(step)),
            Some(step + 1)
        );
        assert_eq!(verify(RFC_SECRET, "12345", now, None), None);
        assert_eq!(verify(RFC_SECRET, "abcdef", now, None), None);
    }

    #[test]
    fn uri_and_qr_code() {
        let uri = otpauth_uri("Gatehouse (Acme: EU)", "ada@example.com", b"foobar");
        assert_eq!(
            uri,
            "otpauth://totp/Gatehouse%20%28Acme%20%20EU%29:ada%40example.com?secret=MZXW6YTBOI&issuer=Gatehouse%20%28Acme%20%20EU%29"
        );
        let (path, size) = qr_path(&uri).unwrap();
        assert!(size >= 21);
        assert!(path.starts_with('M'));
        assert!(path
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == ' ' || c == '-'));
    }
}
