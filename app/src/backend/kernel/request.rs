//! What a server function knows about the HTTP request it runs in.

use axum::http::HeaderMap;

#[derive(Debug, Clone, Default)]
pub struct RequestMeta {
    pub ip: String,
    pub user_agent: String,
    pub session_token: Option<String>,
}

/// The id of the request being served: in every log line about it (its tracing
/// span) and in the "Reference: …" of a "something went wrong" sentence, so support
/// can find the line a person quotes. Put in the request's extensions by the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestId(pub String);

tokio::task_local! {
    /// The request id while the request's own task runs.
    pub static REQUEST_ID: RequestId;
}

impl RequestId {
    /// A fresh id: 16 hex digits in groups of four (`7F3A-09BC-…`), easy to read out.
    pub fn fresh() -> RequestId {
        let hex = super::crypto::reference_id_bytes::<8>().to_uppercase();
        let groups: Vec<&str> = (0..4).map(|i| &hex[i * 4..i * 4 + 4]).collect();
        RequestId(groups.join("-"))
    }

    /// The id a trusted proxy sent (`X-Request-Id`, such as nginx's `$request_id`),
    /// when it is a plausible id (hex digits and `-`, 8 to 64 of them: never words
    /// a page would then show); else a fresh one.
    pub fn from_proxy(sent: Option<&str>) -> RequestId {
        match sent {
            Some(id)
                if (8..=64).contains(&id.len())
                    && id.chars().all(|c| c.is_ascii_hexdigit() || c == '-') =>
            {
                RequestId(id.to_string())
            }
            _ => RequestId::fresh(),
        }
    }

    /// The id of the request this code serves, if any: from its task, or (in a
    /// task Leptos spawned to render a page) from the request in the Leptos context.
    pub fn current() -> Option<RequestId> {
        REQUEST_ID.try_with(Clone::clone).ok().or_else(|| {
            leptos::prelude::use_context::<axum::http::request::Parts>()
                .and_then(|parts| parts.extensions.get::<RequestId>().cloned())
        })
    }
}

/// Reads one cookie's value from the `Cookie` headers.
pub fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
        .filter(|v| !v.is_empty())
}

/// Strips control characters (CR, LF…) and bounds the length, so request data
/// can go into a log line or an audit row safely.
pub fn clean_for_log(value: &str, max_chars: usize) -> String {
    value
        .chars()
        .filter(|c| !c.is_control())
        .take(max_chars)
        .collect()
}

/// The client's address. Only when the TCP peer is one of `trusted_proxies` is
/// `X-Forwarded-For` believed: its entries are walked from the right (the ones our
/// proxies added), trusted proxies are skipped, and the first other address is the
/// client. An entry that does not parse ends the walk (nothing to its left can be
/// trusted) and the last trusted hop stands for the client. Anyone else can write
/// any `X-Forwarded-For` they like, so from them it is ignored.
pub fn client_ip(
    peer: Option<std::net::IpAddr>,
    headers: &HeaderMap,
    trusted_proxies: &[std::net::IpAddr],
) -> Option<std::net::IpAddr> {
    let peer = peer?;
    if !trusted_proxies.contains(&peer) {
        return Some(peer);
    }
    let entries: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect();
    let mut last_trusted = peer;
    for entry in entries.into_iter().rev() {
        match entry.parse::<std::net::IpAddr>() {
            Ok(ip) if trusted_proxies.contains(&ip) => last_trusted = ip,
            Ok(ip) => return Some(ip),
            Err(_) => break,
        }
    }
    Some(last_trusted)
}

/// The key a per-address limit counts under: an IPv4 address whole, an IPv6 address
/// by its /64 (one subscriber usually holds a whole /64, so counting single IPv6
/// addresses would give them unlimited keys).
pub fn rate_limit_key(ip: &str) -> String {
    match ip.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let prefix = u128::from(v6) & !((1u128 << 64) - 1);
                format!("{}/64", std::net::Ipv6Addr::from(prefix))
            }
        },
        Ok(v4) => v4.to_string(),
        Err(_) => ip.to_string(),
    }
}

impl RequestMeta {
    pub fn from_headers(headers: &HeaderMap, peer_ip: Option<String>, cookie_name: &str) -> Self {
        let user_agent = headers
            .get(axum::http::header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(|v| clean_for_log(v, 200))
            .unwrap_or_default();
        RequestMeta {
            ip: peer_ip.unwrap_or_default(),
            user_agent,
            session_token: cookie_value(headers, cookie_name),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn request_ids_are_fresh_readable_or_a_plausible_proxy_id() {
        let a = RequestId::fresh().0;
        assert_eq!(a.len(), 19);
        assert!(a
            .split('-')
            .all(|g| g.len() == 4 && g.chars().all(|c| c.is_ascii_hexdigit())));
        assert_ne!(a, RequestId::fresh().0);
        let nginx = "3f2a9c1be07d4a51b2c8e0f9a6d7c4e1";
        assert_eq!(RequestId::from_proxy(Some(nginx)).0, nginx);
        for crafted in [
            "call-us-now-please",
            "short",
            "<script>alert(1)</script>",
            "",
        ] {
            let id = RequestId::from_proxy(Some(crafted)).0;
            assert_ne!(id, crafted);
            assert_eq!(id.len(), 19);
        }
    }

    #[tokio::test]
    async fn internal_errors_carry_the_request_id_as_their_reference() {
        let id = RequestId("7F3A-0000-1111-2222".into());
        let error = REQUEST_ID
            .scope(id, async { crate::backend::internal("boom") })
            .await;
        assert_eq!(
            error,
            crate::domain::AppError::Internal("7F3A-0000-1111-2222".into())
        );
        assert!(error
            .to_string()
            .ends_with("Reference: 7F3A-0000-1111-2222"));
        // Outside a request: a fresh reference of its own.
        assert!(
            matches!(crate::backend::internal("boom"), crate::domain::AppError::Internal(r) if r.len() == 12)
        );
    }

    #[test]
    fn finds_cookie_among_others() {
        let mut h = HeaderMap::new();
        h.append(
            "cookie",
            HeaderValue::from_static("a=1; gatehouse_session=abc; b=2"),
        );
        assert_eq!(
            cookie_value(&h, "gatehouse_session").as_deref(),
            Some("abc")
        );
        assert_eq!(cookie_value(&h, "missing"), None);
    }

    #[test]
    fn forwarded_for_is_believed_only_from_trusted_proxies() {
        let proxy: std::net::IpAddr = "10.0.0.1".parse().unwrap();
        let client: std::net::IpAddr = "203.0.113.7".parse().unwrap();
        let mut h = HeaderMap::new();
        h.append(
            "x-forwarded-for",
            HeaderValue::from_static("198.51.100.9, 203.0.113.7"),
        );
        // Directly connected: the header is the caller's own claim, ignored.
        assert_eq!(client_ip(Some(client), &h, &[proxy]), Some(client));
        assert_eq!(client_ip(Some(proxy), &h, &[]), Some(proxy));
        // Through our proxy: the rightmost address it saw (the spoofable left part is not used).
        assert_eq!(client_ip(Some(proxy), &h, &[proxy]), Some(client));
        let mut chained = HeaderMap::new();
        chained.append(
            "x-forwarded-for",
            HeaderValue::from_static("203.0.113.7, 10.0.0.2"),
        );
        let second: std::net::IpAddr = "10.0.0.2".parse().unwrap();
        assert_eq!(
            client_ip(Some(proxy), &chained, &[proxy, second]),
            Some(client)
        );
        assert_eq!(
            client_ip(Some(proxy), &HeaderMap::new(), &[proxy]),
            Some(proxy)
        );
        assert_eq!(client_ip(None, &h, &[proxy]), None);
    }

    #[test]
    fn malformed_or_spoofed_forwarded_lists_never_pick_the_clients_claim() {
        let proxy: std::net::IpAddr = "10.0.0.1".parse().unwrap();
        let ip = |s: &str| -> std::net::IpAddr { s.parse().unwrap() };
        let with = |value: &'static str| {
            let mut h = HeaderMap::new();
            h.append("x-forwarded-for", HeaderValue::from_static(value));
            h
        };
        // The client wrote "6.6.6.6, x": the unparsable entry ends the walk.
        assert_eq!(
            client_ip(Some(proxy), &with("6.6.6.6, x"), &[proxy]),
            Some(proxy)
        );
        // Garbage to the left of the address our proxy saw is never reached.
        assert_eq!(
            client_ip(Some(proxy), &with("x, 6.6.6.6, 203.0.113.7"), &[proxy]),
            Some(ip("203.0.113.7"))
        );
        // A spoofed trusted address on the left does not hide the real client.
        assert_eq!(
            client_ip(Some(proxy), &with("10.0.0.1, 203.0.113.7"), &[proxy]),
            Some(ip("203.0.113.7"))
        );
        // Empty entries and spaces.
        assert_eq!(client_ip(Some(proxy), &with(" , "), &[proxy]), Some(proxy));
        assert_eq!(
            client_ip(Some(proxy), &with("  203.0.113.7  "), &[proxy]),
            Some(ip("203.0.113.7"))
        );
        // Two headers: read as one list, right to left.
        let mut two = HeaderMap::new();
        two.append("x-forwarded-for", HeaderValue::from_static("6.6.6.6"));
        two.append("x-forwarded-for", HeaderValue::from_static("203.0.113.7"));
        assert_eq!(
            client_ip(Some(proxy), &two, &[proxy]),
            Some(ip("203.0.113.7"))
        );
    }

    #[test]
    fn ipv6_addresses_count_by_their_64_prefix() {
        assert_eq!(
            rate_limit_key("2001:db8:1:2:aaaa:bbbb:cccc:dddd"),
            "2001:db8:1:2::/64"
        );
        assert_eq!(
            rate_limit_key("2001:db8:1:2::1"),
            rate_limit_key("2001:db8:1:2:ffff::9")
        );
        assert_ne!(
            rate_limit_key("2001:db8:1:2::1"),
            rate_limit_key("2001:db8:1:3::1")
        );
        assert_eq!(rate_limit_key("203.0.113.7"), "203.0.113.7");
        assert_eq!(rate_limit_key("::ffff:203.0.113.7"), "203.0.113.7");
        assert_eq!(rate_limit_key(""), "");
    }

    #[test]
    fn log_values_lose_newlines() {
        assert_eq!(
            clean_for_log("evil\r\nInjected: yes", 100),
            "evilInjected: yes"
        );
        assert_eq!(clean_for_log("abcdef", 3), "abc");
    }
}
