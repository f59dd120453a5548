//! The state every request handler and server function reaches through context.

use super::db::Db;
use crate::backend::kernel::clock::Clock;
use crate::backend::kernel::crypto::SecretKey;
use crate::backend::kernel::passwords::PasswordHasher;
use crate::domain::password::PasswordPolicy;
use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use std::sync::Arc;

/// Settings that shape behaviour (all have defaults; the binary reads them from
/// flags and the environment).
#[derive(Debug, Clone)]
pub struct Settings {
    /// Base of links in emails, e.g. `http://127.0.0.1:3000`.
    pub public_url: String,
    /// A session ends after this long without a request.
    pub session_idle_secs: i64,
    /// A session ends this long after sign-in, however active.
    pub session_absolute_secs: i64,
    /// Folder where mail is written as `.eml` files when no SMTP server is configured.
    pub outbox_dir: std::path::PathBuf,
    /// `smtp://host:port` (or `smtps://…`) of a real mail server, when configured.
    pub smtp_url: Option<String>,
    /// Sender of every email.
    pub mail_from: String,
    /// How long an invitation link stays valid.
    pub invite_ttl_secs: i64,
    /// How long a password reset link stays valid.
    pub reset_ttl_secs: i64,
    /// Wrong passwords in a row after which an account is locked for a while.
    pub lockout_threshold: i64,
    /// Sign-in attempts one IP address may make per minute.
    pub sign_in_attempts_per_ip_per_minute: i64,
    /// Requests one API key may make per minute to `/v1` (per server process).
    pub api_requests_per_key_per_minute: i64,
    /// Webhooks may be sent to loopback, private and link-local addresses (for a
    /// receiver on the same machine or network; off unless the operator says so).
    pub webhook_allow_private: bool,
    /// Minimum password lengths.
    pub password_policy: PasswordPolicy,
    /// Key that seals TOTP seeds at rest (the same on every replica).
    pub secret_key: SecretKey,
    /// Reverse proxies whose `X-Forwarded-For` names the client (for per-IP limits,
    /// the audit trail and the sessions list).
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// Signs every outgoing message with DKIM, when configured.
    pub dkim: Option<Arc<crate::backend::kernel::dkim::Signer>>,
}

impl Settings {
    pub fn secure_cookies(&self) -> bool {
        self.public_url.starts_with("https://")
    }

    pub fn session_cookie_name(&self) -> &'static str {
        if self.secure_cookies() {
            "__Host-gatehouse_session"
        } else {
            "gatehouse_session"
        }
    }
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            public_url: "http://127.0.0.1:3000".to_string(),
            session_idle_secs: 12 * 60 * 60,
            session_absolute_secs: 7 * 24 * 60 * 60,
            outbox_dir: std::path::PathBuf::from("data/outbox"),
            smtp_url: None,
            mail_from: "Gatehouse <gatehouse@localhost>".to_string(),
            invite_ttl_secs: 7 * 24 * 60 * 60,
            reset_ttl_secs: 30 * 60,
            lockout_threshold: 10,
            sign_in_attempts_per_ip_per_minute: 30,
            api_requests_per_key_per_minute: 600,
            webhook_allow_private: false,
            password_policy: PasswordPolicy::default(),
            secret_key: SecretKey::random(),
            trusted_proxies: Vec::new(),
            dkim: None,
        }
    }
}

#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub db: Db,
    pub hasher: PasswordHasher,
    pub clock: Arc<dyn Clock>,
    pub settings: Arc<Settings>,
}

impl AppState {
    pub fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }
}
