//! Webhooks (Settings → Webhooks): endpoints a tenant's programs listen on, the
//! events they choose, and what every delivery carries. Deliveries follow the
//! Standard Webhooks convention: headers `webhook-id` (stable across retries),
//! `webhook-timestamp` (seconds) and `webhook-signature` (`v1,` + base64 of
//! HMAC-SHA256 over `id.timestamp.body`, keyed by the secret after `whsec_`).

use crate::domain::AppError;
use serde::{Deserialize, Serialize};

/// Every signing secret starts with this (the Standard Webhooks convention).
pub const SECRET_PREFIX: &str = "whsec_";

/// The most endpoints one tenant may have.
pub const MAX_ENDPOINTS: usize = 10;
pub const MAX_URL_CHARS: usize = 2000;

/// What a program can be told about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum WebhookEvent {
    MemberInvited,
    MemberActivated,
    MemberUpdated,
    MemberSuspended,
    MemberDeleted,
    TemplateUpdated,
    GroupChanged,
    AccessRequestOpened,
    AccessRequestApproved,
    AccessRequestDeclined,
}

impl WebhookEvent {
    pub const ALL: [WebhookEvent; 10] = [
        WebhookEvent::MemberInvited,
        WebhookEvent::MemberActivated,
        WebhookEvent::MemberUpdated,
        WebhookEvent::MemberSuspended,
        WebhookEvent::MemberDeleted,
        WebhookEvent::TemplateUpdated,
        WebhookEvent::GroupChanged,
        WebhookEvent::AccessRequestOpened,
        WebhookEvent::AccessRequestApproved,
        WebhookEvent::AccessRequestDeclined,
    ];

    /// The event's type as programs see it (`member.invited`).
    pub fn as_str(self) -> &'static str {
        match self {
            WebhookEvent::MemberInvited => "member.invited",
            WebhookEvent::MemberActivated => "member.activated",
            WebhookEvent::MemberUpdated => "member.updated",
            WebhookEvent::MemberSuspended => "member.suspended",
            WebhookEvent::MemberDeleted => "member.deleted",
            WebhookEvent::TemplateUpdated => "template.updated",
            WebhookEvent::GroupChanged => "group.changed",
            WebhookEvent::AccessRequestOpened => "access_request.opened",
            WebhookEvent::AccessRequestApproved => "access_request.approved",
            WebhookEvent::AccessRequestDeclined => "access_request.declined",
        }
    }

    pub fn parse(key: &str) -> Option<WebhookEvent> {
        WebhookEvent::ALL.into_iter().find(|e| e.as_str() == key)
    }

    pub fn label(self) -> &'static str {
        match self {
            WebhookEvent::MemberInvited => "Member invited",
            WebhookEvent::MemberActivated => "Member joined (accepted the invitation)",
            WebhookEvent::MemberUpdated => "Member's access changed",
            WebhookEvent::MemberSuspended => "Member suspended",
            WebhookEvent::MemberDeleted => "Member removed",
            WebhookEvent::TemplateUpdated => "Role template changed",
            WebhookEvent::GroupChanged => "Group changed",
            WebhookEvent::AccessRequestOpened => "Access request opened",
            WebhookEvent::AccessRequestApproved => "Access request approved",
            WebhookEvent::AccessRequestDeclined => "Access request declined",
        }
    }

    /// The event an audited change is, if any: the audit trail and the webhooks
    /// describe the same changes, so every path that audits one sends it.
    pub fn of_audit_action(action: &str) -> Option<WebhookEvent> {
        Some(match action {
            "member.invited" => WebhookEvent::MemberInvited,
            "member.joined" | "member.auto_joined" => WebhookEvent::MemberActivated,
            "member.updated"
            | "member.reactivated"
            | "member.profile_updated"
            | "access.expired"
            | "diagnostics.fix_applied" => WebhookEvent::MemberUpdated,
            "member.suspended" => WebhookEvent::MemberSuspended,
            "member.deleted" | "member.invite_cancelled" => WebhookEvent::MemberDeleted,
            "template.created" | "template.updated" | "template.deleted" => {
                WebhookEvent::TemplateUpdated
            }
            "group.created"
            | "group.updated"
            | "group.deleted"
            | "group.member_added"
            | "group.member_removed"
            | "group.template_attached"
            | "group.template_detached" => WebhookEvent::GroupChanged,
            "access.requested" => WebhookEvent::AccessRequestOpened,
            "access.approved" => WebhookEvent::AccessRequestApproved,
            "access.declined" => WebhookEvent::AccessRequestDeclined,
            _ => return None,
        })
    }
}

/// The type of the event "Send test event" sends.
pub const TEST_EVENT: &str = "webhook.test";

/// Chosen events as stored (comma-separated) back to events; unknown keys dropped.
pub fn events_from_stored(text: &str) -> Vec<WebhookEvent> {
    text.split(',').filter_map(WebhookEvent::parse).collect()
}

pub fn events_to_stored(events: &[WebhookEvent]) -> String {
    events
        .iter()
        .map(|e| e.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

/// The chosen events: at least one, each known; sorted, without repeats.
pub fn parse_events(keys: &[String]) -> Result<Vec<WebhookEvent>, AppError> {
    crate::domain::text::parse_choices(
        keys,
        WebhookEvent::parse,
        "events",
        "Choose events from the list.",
        "Choose at least one event to send.",
    )
}

#[cfg(feature = "ssr")]
/// The endpoint's URL: absolute http(s) with a host, no credentials, no fragment;
/// `https` unless `allow_http` (a server that is not in production mode).
pub fn parse_endpoint_url(input: &str, allow_http: bool) -> Result<url::Url, AppError> {
    let error = |m: &str| AppError::field("url", m);
    let text = input.trim();
    if text.is_empty() {
        return Err(error("Enter the URL that should receive the events."));
    }
    if text.chars().count() > MAX_URL_CHARS {
        return Err(error("That URL is too long."));
    }
    let url = url::Url::parse(text)
        .map_err(|_| error("Enter a full URL, like https://example.com/hooks/gatehouse."))?;
    match url.scheme() {
        "https" => {}
        "http" if allow_http => {}
        "http" => return Err(error("Use an https:// URL: events carry people's details.")),
        _ => return Err(error("Enter a URL that starts with https://.")),
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(error(
            "Enter a full URL, like https://example.com/hooks/gatehouse.",
        ));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(error("Leave the user name and password out of the URL."));
    }
    if url.fragment().is_some() {
        return Err(error("Leave out the part after #."));
    }
    Ok(url)
}

/// Whether an address is on the public internet: not loopback, private, link-local,
/// shared (carrier-grade NAT), documentation, multicast, unspecified or broadcast.
pub fn is_public_address(ip: std::net::IpAddr) -> bool {
    use std::net::IpAddr;
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || v4.is_documentation()
                || a == 0
                || (a == 100 && (64..128).contains(&b))
                || (a == 192 && b == 0 && v4.octets()[2] == 0)
                || (a == 198 && (b == 18 || b == 19))
                || a >= 240)
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public_address(IpAddr::V4(v4));
            }
            let first = v6.segments()[0];
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00 // unique local
                || (first & 0xffc0) == 0xfe80 // link-local
                || first == 0x2001 && v6.segments()[1] == 0xdb8 // documentation
                || first == 0x64 && v6.segments()[1] == 0xff9b) // NAT64 to anywhere
        }
    }
}

/// When the attempt after `attempts` failed ones happens, in seconds after the
/// failure (exponential, then gives up): 10 s, 1 min, 5 min, 30 min, 2 h, 6 h, 12 h.
pub fn retry_delay_secs(attempts: u32) -> Option<i64> {
    const DELAYS: [i64; 7] = [10, 60, 300, 1800, 7200, 21_600, 43_200];
    DELAYS.get(attempts.saturating_sub(1) as usize).copied()
}

/// What "New endpoint" sends.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewEndpoint {
    pub url: String,
    pub events: Vec<String>,
}

/// The answer to creating an endpoint or rotating its secret: the secret, shown once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndpointSecret {
    pub id: i64,
    pub url: String,
    pub secret: String,
}

/// One endpoint as the page lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndpointView {
    pub id: i64,
    pub url: String,
    pub events: Vec<WebhookEvent>,
    pub created_by: String,
    pub created: crate::domain::time::At,
    pub secret_rotated: Option<crate::domain::time::At>,
    /// Deliveries waiting for a retry, and given up on, in the last 7 days.
    pub retrying: u64,
    pub failed: u64,
}

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum DeliveryState {
    Pending,
    Delivered,
    Failed,
}

impl DeliveryState {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryState::Pending => "pending",
            DeliveryState::Delivered => "delivered",
            DeliveryState::Failed => "failed",
        }
    }

    pub fn parse(text: &str) -> Option<DeliveryState> {
        [
            DeliveryState::Pending,
            DeliveryState::Delivered,
            DeliveryState::Failed,
        ]
        .into_iter()
        .find(|s| s.as_str() == text)
    }

    pub fn label(self) -> &'static str {
        match self {
            DeliveryState::Pending => "Waiting to retry",
            DeliveryState::Delivered => "Delivered",
            DeliveryState::Failed => "Gave up",
        }
    }
}

/// One delivery in an endpoint's log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryView {
    pub id: i64,
    /// The stable `webhook-id`.
    pub message_id: String,
    pub event: String,
    pub created: crate::domain::time::At,
    pub state: DeliveryState,
    pub attempts: i64,
    /// The last attempt's HTTP status, or why there was none ("timed out").
    pub last_result: Option<String>,
    pub last_duration_ms: Option<i64>,
    pub next_retry: Option<crate::domain::time::At>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::IpAddr;

    #[test]
    fn audited_changes_map_to_the_events_programs_choose() {
        for event in WebhookEvent::ALL {
            assert_eq!(WebhookEvent::parse(event.as_str()), Some(event));
        }
        assert_eq!(
            WebhookEvent::of_audit_action("member.joined"),
            Some(WebhookEvent::MemberActivated)
        );
        assert_eq!(
            WebhookEvent::of_audit_action("group.member_added"),
            Some(WebhookEvent::GroupChanged)
        );
        assert_eq!(WebhookEvent::of_audit_action("sign_in.succeeded"), None);
        let keys = |k: &[&str]| k.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            parse_events(&keys(&[
                "member.deleted",
                "member.invited",
                "member.invited"
            ]))
            .unwrap(),
            vec![WebhookEvent::MemberInvited, WebhookEvent::MemberDeleted]
        );
        assert!(parse_events(&[]).is_err());
        assert!(parse_events(&keys(&["member.exploded"])).is_err());
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn endpoint_urls_are_full_https_urls_without_credentials() {
        assert!(parse_endpoint_url("https://hooks.example.com/in", false).is_ok());
        assert!(parse_endpoint_url("http://127.0.0.1:9000/in", true).is_ok());
        for (bad, allow_http, words) in [
            ("", false, "Enter the URL"),
            ("hooks.example.com", false, "full URL"),
            ("http://hooks.example.com", false, "https://"),
            ("ftp://hooks.example.com", true, "https://"),
            ("https://user:pw@hooks.example.com", false, "user name"),
            ("https://hooks.example.com/#x", false, "after #"),
        ] {
            let error = parse_endpoint_url(bad, allow_http).unwrap_err();
            assert!(error.field_message("url").unwrap().contains(words), "{bad}");
        }
    }

    #[test]
    fn only_public_addresses_are_public() {
        for private in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "255.255.255.255",
            "::1",
            "fe80::1",
            "fd00::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "::",
        ] {
            assert!(
                !is_public_address(private.parse::<IpAddr>().unwrap()),
                "{private}"
            );
        }
        for public in ["93.184.216.34", "1.1.1.1", "2606:4700::1111"] {
            assert!(
                is_public_address(public.parse::<IpAddr>().unwrap()),
                "{public}"
            );
        }
    }

    #[test]
    fn retries_back_off_then_stop() {
        assert_eq!(retry_delay_secs(1), Some(10));
        assert_eq!(retry_delay_secs(2), Some(60));
        assert_eq!(retry_delay_secs(7), Some(43_200));
        assert_eq!(retry_delay_secs(8), None);
    }
}
