//! A user agent string in words a person recognises ("Firefox 133 on Windows",
//! "Safari on iPhone"), read by woothee.

/// Browser (with its major version on a computer) and system; "Unknown device" when
/// neither is known.
pub fn describe_user_agent(ua: &str) -> String {
    let parsed = woothee::parser::Parser::new().parse(ua);
    let known = |s: &str| !s.is_empty() && s != woothee::woothee::VALUE_UNKNOWN;
    let (browser, system) = match &parsed {
        Some(r) => {
            let (name, major) = match r.name {
                "Chrome" if ua.contains("HeadlessChrome") => (
                    "Headless Chrome",
                    r.version.split('.').next().unwrap_or_default(),
                ),
                // woothee names curl, python and the like "HTTP Library", the tool as
                // its version.
                "HTTP Library" => (r.version, ""),
                name => (name, r.version.split('.').next().unwrap_or_default()),
            };
            // A phone's browser updates itself: its version says little there.
            let phone = matches!(r.category, "smartphone" | "mobilephone");
            let browser = match (known(name), known(major) && !phone) {
                (true, true) => Some(format!("{name} {major}")),
                (true, false) => Some(name.to_string()),
                (false, _) => None,
            };
            let system = known(r.os).then(|| system_name(r.os));
            (browser, system)
        }
        None => (None, None),
    };
    match (browser, system) {
        (Some(b), Some(s)) => format!("{b} on {s}"),
        (Some(b), None) => b,
        (None, Some(s)) => format!("Browser on {s}"),
        (None, None) => "Unknown device".to_string(),
    }
}

/// The system as people call it ("Windows", not "Windows 10": Windows 11 says 10).
fn system_name(os: &str) -> String {
    match os {
        os if os.starts_with("Windows") => "Windows".to_string(),
        "Mac OSX" | "Mac OS" => "macOS".to_string(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_common_browsers() {
        for (ua, words) in [
            ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36", "Chrome 130 on Linux"),
            ("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0", "Firefox 133 on Windows"),
            ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1", "Safari on iPhone"),
            ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36 Edg/130.0.0.0", "Edge 130 on Windows"),
            ("Mozilla/5.0 (Macintosh; Intel Mac OS X 14_1) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15", "Safari 17 on macOS"),
            ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36", "Chrome on Android"),
            ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36", "Headless Chrome 131 on Linux"),
            ("curl/8.5.0", "curl"),
            ("", "Unknown device"),
            ("something odd", "Unknown device"),
        ] {
            assert_eq!(describe_user_agent(ua), words, "{ua}");
        }
    }
}
