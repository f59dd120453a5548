//! Time-based one-time passwords (RFC 6238 over RFC 4226): HMAC-SHA1, 30-second
//! steps, six digits, one step of clock skew either way. A step that was accepted
//! once is never accepted again (the caller stores the last one).

use hmac::{Hmac, Mac};
use sha1::Sha1;

pub const STEP_SECS: i64 = 30;
pub const DIGITS: u32 = 6;
/// Bytes of a new secret (160 bits, as RFC 4226 recommends).
pub const SECRET_BYTES: usize = 20;

const BASE32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// RFC 4648 base32 without padding (what authenticator apps expect).
/// The base32 letter for the low five bits of `value`.
fn base32_digit(value: u32) -> Option<char> {
    BASE32.get((value & 31) as usize).map(|&b| char::from(b))
}

pub fn base32_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
    let mut buffer: u32 = 0;
    let mut bits = 0u32;
    for &b in bytes {
        buffer = (buffer << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.extend(base32_digit(buffer >> bits));
        }
    }
    if bits > 0 {
        out.extend(base32_digit(buffer << (5 - bits)));
    }
    out
}

/// Decodes base32, ignoring case, spaces, dashes and padding.
pub fn base32_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let mut buffer: u32 = 0;
    let mut bits = 0u32;
    for c in text.chars() {
        if c == ' ' || c == '-' || c == '=' {
            continue;
        }
        let upper = c.to_ascii_uppercase() as u8;
        let value = BASE32.iter().position(|&x| x == upper)? as u32;
        buffer = (buffer << 5) | value;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push(((buffer >> bits) & 0xff) as u8);
        }
    }
    Some(out)
}

/// The time step a moment falls in.
pub fn step_at(now_ms: i64) -> i64 {
    now_ms.div_euclid(1000 * STEP_SECS)
}

/// The code for one time step, as a number (RFC 4226 dynamic truncation).
pub fn code_at(secret: &[u8], step: i64, digits: u32) -> u32 {
    // HMAC accepts keys of any length, so this cannot fail.
    let Ok(mut mac) = Hmac::<Sha1>::new_from_slice(secret) else {
        return u32::MAX;
    };
    mac.update(&step.to_be_bytes());
    let digest: [u8; 20] = mac.finalize().into_bytes().into();
    let offset = usize::from(digest[19] & 0x0f);
    // offset ≤ 15, so the four bytes are always there.
    let Some(&[a, b, c, d]) = digest.get(offset..offset + 4) else {
        return u32::MAX;
    };
    let binary = u32::from_be_bytes([a & 0x7f, b, c, d]);
    binary % 10u32.pow(digits)
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

/// The `otpauth://` address an authenticator app reads from the QR code.
pub fn otpauth_uri(issuer: &str, account: &str, secret_b32: &str) -> String {
    format!(
        "otpauth://totp/{}:{}?secret={}&issuer={}&algorithm=SHA1&digits={}&period={}",
        percent(issuer),
        percent(account),
        secret_b32,
        percent(issuer),
        DIGITS,
        STEP_SECS
    )
}

fn percent(text: &str) -> String {
    let mut out = String::new();
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~@".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
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
        let uri = otpauth_uri("Gatehouse (Acme)", "ada@example.com", "MZXW6YTBOI");
        assert_eq!(
            uri,
            "otpauth://totp/Gatehouse%20%28Acme%29:ada@example.com?secret=MZXW6YTBOI&issuer=Gatehouse%20%28Acme%29&algorithm=SHA1&digits=6&period=30"
        );
        let (path, size) = qr_path(&uri).unwrap();
        assert!(size >= 21);
        assert!(path.starts_with('M'));
        assert!(path
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == ' ' || c == '-'));
    }
}
