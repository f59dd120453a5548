//! Text people type: short names (tenant, display and template names) and free
//! text (messages, reasons).

use super::error::AppError;

/// Characters that are invisible or turn text around (zero-width spaces and joiners,
/// the soft hyphen, word joiners, the byte-order mark, and the bidirectional
/// embedding, override and isolate controls): they let "ada\u{200b}@example.com" pass
/// for "ada@example.com" or a name read backwards.
pub fn is_invisible_or_bidi(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{061C}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{2069}'
            | '\u{FEFF}'
    )
}

/// Unicode NFC, so that "é" typed as one character or as "e" + accent is one
/// name. On the server only: the tables stay out of the WASM bundle (the server's
/// answer is the one that counts).
pub fn nfc(text: &str) -> String {
    #[cfg(feature = "ssr")]
    {
        use unicode_normalization::UnicodeNormalization;
        text.nfc().collect()
    }
    #[cfg(not(feature = "ssr"))]
    {
        text.to_string()
    }
}

/// Trims `input` and checks it has at most `max_chars` characters and no control
/// characters (so it can never break a mail header or a log line). `label` names
/// the thing in the message, e.g. "tenant name"; `field` is the form field.
pub fn parse_short_text(
    input: &str,
    field: &str,
    label: &str,
    max_chars: usize,
) -> Result<String, AppError> {
    let text = nfc(input.trim());
    if text.chars().count() > max_chars {
        return Err(AppError::field(
            field,
            format!("Use at most {max_chars} characters for the {label}."),
        ));
    }
    if text.chars().any(char::is_control) {
        return Err(AppError::field(
            field,
            format!("The {label} cannot contain line breaks or control characters."),
        ));
    }
    if text.chars().any(is_invisible_or_bidi) {
        return Err(AppError::field(
            field,
            format!(
                "The {label} cannot contain invisible or text-direction characters. Type it again without them."
            ),
        ));
    }
    Ok(text)
}

/// Free text people write (a message they saw, why they need access, a
/// justification): trimmed, control and invisible characters dropped (line breaks
/// kept), at most `max_chars`; `required` is the sentence when it may not be empty.
pub fn parse_free_text(
    input: &str,
    field: &str,
    max_chars: usize,
    required: Option<&str>,
) -> Result<String, AppError> {
    let kept: String = nfc(input)
        .chars()
        .filter(|c| *c == '\n' || !(c.is_control() || is_invisible_or_bidi(*c)))
        .collect();
    let kept = kept.trim().to_string();
    if kept.chars().count() > max_chars {
        return Err(AppError::field(
            field,
            format!("Keep it under {max_chars} characters."),
        ));
    }
    match required {
        Some(sentence) if kept.is_empty() => Err(AppError::field(field, sentence)),
        _ => Ok(kept),
    }
}

/// Keys chosen from a list (checkboxes): each one known (`parse`), at least one;
/// sorted, without repeats. `unknown` and `none` are the field's sentences.
pub fn parse_choices<T: Ord>(
    keys: &[String],
    parse: impl Fn(&str) -> Option<T>,
    field: &str,
    unknown: &str,
    none: &str,
) -> Result<Vec<T>, AppError> {
    let mut chosen = Vec::with_capacity(keys.len());
    for key in keys {
        chosen.push(parse(key.trim()).ok_or_else(|| AppError::field(field, unknown))?);
    }
    chosen.sort();
    chosen.dedup();
    if chosen.is_empty() {
        return Err(AppError::field(field, none));
    }
    Ok(chosen)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_and_bounds() {
        assert_eq!(
            parse_short_text("  Acme  ", "tenant", "tenant name", 80).unwrap(),
            "Acme"
        );
        assert_eq!(parse_short_text("", "name", "name", 80).unwrap(), "");
        let long = parse_short_text(&"x".repeat(81), "name", "name", 80).unwrap_err();
        assert_eq!(
            long.field_message("name").as_deref(),
            Some("Use at most 80 characters for the name.")
        );
        let broken = parse_short_text("a\r\nBcc: x", "name", "name", 80).unwrap_err();
        assert!(broken
            .field_message("name")
            .unwrap()
            .contains("line breaks"));
        assert_eq!(
            parse_short_text("Zoë 🙂", "name", "name", 6).unwrap(),
            "Zoë 🙂"
        );
    }

    #[test]
    fn invisible_and_direction_characters_are_refused() {
        for name in ["Ada\u{200b}", "\u{202e}adA", "A\u{2066}da", "\u{feff}Ada"] {
            let err = parse_short_text(name, "display_name", "name", 80).unwrap_err();
            assert!(
                err.field_message("display_name")
                    .is_some_and(|m| m.contains("invisible")),
                "{name:?}"
            );
        }
        assert_eq!(
            parse_short_text("Zoë Ångström", "name", "name", 80).unwrap(),
            "Zoë Ångström"
        );
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn names_are_stored_in_nfc() {
        let decomposed = "Jose\u{301}";
        let stored = parse_short_text(decomposed, "name", "name", 80).unwrap();
        assert_eq!(stored, "Jos\u{e9}");
        assert_eq!(stored.chars().count(), 4);
    }
}
