//! Where a person may be sent after signing in.

/// A relative, same-origin path, or `/` when the input is anything else
/// (absolute URLs, protocol-relative `//host`, backslash tricks, control characters).
pub fn safe_redirect_target(next: Option<&str>) -> String {
    let Some(next) = next.map(str::trim).filter(|n| !n.is_empty()) else {
        return "/".into();
    };
    let ok = next.starts_with('/')
        && !next.starts_with("//")
        && !next.starts_with("/\\")
        && !next.contains('\\')
        && !next.chars().any(char::is_control)
        && next.len() <= 512;
    if ok {
        next.to_string()
    } else {
        "/".into()
    }
}

/// What a query value keeps as it is: RFC 3986's unreserved characters, and `/` so
/// that a path in `?next=` stays readable.
const QUERY_VALUE: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~')
    .remove(b'/');

/// Percent-encodes a value for a query string (keeps `/` readable).
pub fn encode_query_value(value: &str) -> String {
    percent_encoding::utf8_percent_encode(value, QUERY_VALUE).to_string()
}

#[cfg(test)]
mod tests {
    use super::safe_redirect_target as t;

    #[test]
    fn query_values_are_encoded() {
        assert_eq!(
            super::encode_query_value("/settings/users?page=2&x"),
            "/settings/users%3Fpage%3D2%26x"
        );
        assert_eq!(super::encode_query_value("Zoë & co"), "Zo%C3%AB%20%26%20co");
    }

    #[test]
    fn only_relative_paths_survive() {
        assert_eq!(t(None), "/");
        assert_eq!(t(Some("")), "/");
        assert_eq!(t(Some("/settings/users?page=2")), "/settings/users?page=2");
        for evil in [
            "https://evil.example",
            "//evil.example/x",
            "/\\evil.example",
            "\\\\evil.example",
            "javascript:alert(1)",
            "/ok\r\nSet-Cookie: x=1",
            "settings",
        ] {
            assert_eq!(t(Some(evil)), "/", "{evil:?}");
        }
    }
}
