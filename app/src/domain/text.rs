//! Short names people type (tenant names, display names, template names).

use super::error::AppError;

/// Trims `input` and checks it has at most `max_chars` characters and no control
/// characters (so it can never break a mail header or a log line). `label` names
/// the thing in the message, e.g. "tenant name"; `field` is the form field.
pub fn parse_short_text(
    input: &str,
    field: &str,
    label: &str,
    max_chars: usize,
) -> Result<String, AppError> {
    let text = input.trim();
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
    Ok(text.to_string())
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
}
