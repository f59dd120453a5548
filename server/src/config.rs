//! Command-line flags and environment variables.

use app::backend::kernel::crypto::SecretKey;
use app::backend::kernel::db::DEFAULT_DATABASE_URL;
use app::backend::kernel::dkim::Signer as DkimSigner;
use app::backend::Settings;
use app::domain::password::{PasswordPolicy, MIN_PASSWORD_CHARS};
use clap::{Args, Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "gatehouse",
    version,
    about = "Gatehouse: a multi-tenant user and access console.",
    long_about = "Gatehouse: a multi-tenant user and access console.\n\n\
                  With no subcommand it serves the web app. On a new database, create the first \
                  tenant and its admin with `gatehouse create-admin`."
)]
pub struct Cli {
    #[command(flatten)]
    pub common: Common,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Clone, Args)]
pub struct Common {
    /// Address to listen on.
    #[arg(
        long,
        env = "GATEHOUSE_LISTEN",
        default_value = "127.0.0.1:3000",
        global = true
    )]
    pub listen: SocketAddr,
    /// Database: `sqlite://path/to/file.db` (embedded) or `postgres://user:pass@host/db`.
    #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE_URL, global = true, hide_env_values = true)]
    pub database_url: String,
    /// Folder where mail is written as .eml files when no SMTP server is configured.
    #[arg(
        long,
        env = "GATEHOUSE_OUTBOX",
        default_value = "./data/outbox",
        global = true
    )]
    pub outbox: PathBuf,
    /// Real SMTP server, e.g. smtp://mail.example.com:587 (optional).
    #[arg(
        long,
        env = "GATEHOUSE_SMTP_URL",
        global = true,
        hide_env_values = true
    )]
    pub smtp_url: Option<String>,
    /// Sender of every email.
    #[arg(
        long,
        env = "GATEHOUSE_MAIL_FROM",
        default_value = "Gatehouse <gatehouse@localhost>",
        global = true
    )]
    pub mail_from: String,
    /// Days an invitation link stays valid.
    #[arg(
        long,
        env = "GATEHOUSE_INVITE_TTL_DAYS",
        default_value_t = 7,
        global = true
    )]
    pub invite_ttl_days: i64,
    /// Minutes a password reset link stays valid.
    #[arg(
        long,
        env = "GATEHOUSE_RESET_TTL_MINUTES",
        default_value_t = 30,
        global = true
    )]
    pub reset_ttl_minutes: i64,
    /// Wrong passwords in a row after which an account is locked (1 minute, doubling).
    #[arg(
        long,
        env = "GATEHOUSE_LOCKOUT_THRESHOLD",
        default_value_t = 10,
        global = true
    )]
    pub lockout_threshold: i64,
    /// Sign-in attempts one IP address may make per minute before getting 429.
    #[arg(
        long,
        env = "GATEHOUSE_SIGN_IN_PER_IP_PER_MINUTE",
        default_value_t = 30,
        global = true
    )]
    pub sign_in_per_ip_per_minute: i64,
    /// Requests one API key may make per minute to /v1 before getting 429 (counted by
    /// each server process).
    #[arg(
        long,
        env = "GATEHOUSE_API_PER_KEY_PER_MINUTE",
        default_value_t = 600,
        global = true
    )]
    pub api_per_key_per_minute: i64,
    /// Let webhooks reach loopback, private and link-local addresses (1 to allow).
    /// (The variable reads 1, true, yes or on as allowed.)
    #[arg(
        long,
        env = "GATEHOUSE_WEBHOOK_ALLOW_PRIVATE",
        action = clap::ArgAction::SetTrue,
        value_parser = clap::builder::FalseyValueParser::new(),
        global = true
    )]
    pub webhook_allow_private: bool,
    /// Base of links in emails (default: http://<listen address>).
    #[arg(long, env = "GATEHOUSE_PUBLIC_URL", global = true)]
    pub public_url: Option<String>,
    /// Minutes without activity after which a session ends.
    #[arg(
        long,
        env = "GATEHOUSE_SESSION_IDLE_MINUTES",
        default_value_t = 720,
        global = true
    )]
    pub session_idle_minutes: i64,
    /// Hours after sign-in after which a session ends, however active.
    #[arg(
        long,
        env = "GATEHOUSE_SESSION_MAX_HOURS",
        default_value_t = 168,
        global = true
    )]
    pub session_max_hours: i64,
    /// Fewest password characters for an account without two-factor (at least 8;
    /// NIST SP 800-63B-4 suggests 15 for single-factor accounts).
    #[arg(
        long,
        env = "GATEHOUSE_PASSWORD_MIN_WITHOUT_TWO_FACTOR",
        default_value_t = 8,
        global = true
    )]
    pub password_min_without_two_factor: usize,
    /// File holding the key that seals two-factor seeds (64 hex digits). Created with
    /// a random key when missing; every replica must use the same key.
    #[arg(
        long,
        env = "GATEHOUSE_SECRET_KEY_FILE",
        default_value = "./data/secret.key",
        global = true
    )]
    pub secret_key_file: PathBuf,
    /// Addresses of reverse proxies in front of Gatehouse, comma-separated. Only
    /// requests from them have their `X-Forwarded-For` believed.
    #[arg(
        long,
        env = "GATEHOUSE_TRUSTED_PROXIES",
        value_delimiter = ',',
        global = true
    )]
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// Domain every outgoing email is DKIM-signed for (`d=`), e.g. acme.example.
    /// Set with the selector and the key file, or not at all.
    #[arg(long, env = "GATEHOUSE_DKIM_DOMAIN", global = true)]
    pub dkim_domain: Option<String>,
    /// DKIM selector: the DNS name `<selector>._domainkey.<domain>` holds the key.
    #[arg(long, env = "GATEHOUSE_DKIM_SELECTOR", global = true)]
    pub dkim_selector: Option<String>,
    /// DKIM private key, RSA or Ed25519 in PEM (see `gatehouse mail dkim-record`).
    #[arg(long, env = "GATEHOUSE_DKIM_KEY_FILE", global = true)]
    pub dkim_key_file: Option<PathBuf>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_file_is_created_once_owner_only_and_then_reused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/secret.key");
        let first = load_or_create_key(&path).unwrap();
        let again = load_or_create_key(&path).unwrap();
        assert_eq!(first.to_text(), again.to_text());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        std::fs::write(&path, "not a key").unwrap();
        assert!(load_or_create_key(&path)
            .unwrap_err()
            .contains("does not hold a key"));
    }

    #[test]
    fn dkim_settings_come_together_and_a_bad_key_stops_start_up_with_a_sentence() {
        use clap::Parser;
        let dir = tempfile::tempdir().unwrap();
        let key = dir.path().join("dkim.pem");
        let cli = |args: &[&str]| {
            let mut all = vec!["gatehouse"];
            all.extend_from_slice(args);
            all.push("serve");
            Cli::try_parse_from(all).unwrap().common
        };
        assert!(cli(&[]).dkim().unwrap().is_none());
        let half = cli(&["--dkim-domain", "acme.example"]).dkim().unwrap_err();
        assert_eq!(
            half,
            "DKIM needs GATEHOUSE_DKIM_DOMAIN, GATEHOUSE_DKIM_SELECTOR and GATEHOUSE_DKIM_KEY_FILE together; GATEHOUSE_DKIM_SELECTOR and GATEHOUSE_DKIM_KEY_FILE are not set."
        );
        let key_arg = key.to_str().unwrap();
        let all = [
            "--dkim-domain",
            "acme.example",
            "--dkim-selector",
            "s1",
            "--dkim-key-file",
            key_arg,
        ];
        let unreadable = cli(&all).settings().unwrap_err();
        assert!(
            unreadable.starts_with("Cannot read the DKIM key file"),
            "{unreadable}"
        );
        std::fs::write(
            &key,
            "-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n",
        )
        .unwrap();
        let wrong = cli(&all).settings().unwrap_err();
        assert!(
            wrong.contains("does not hold an RSA or Ed25519 private key in PEM"),
            "{wrong}"
        );
        assert_eq!(wrong.lines().count(), 1);
    }

    #[test]
    fn a_signing_domain_the_sender_is_not_under_is_told() {
        assert_eq!(
            dmarc_misaligned("acme.example", "Acme <access@acme.example>"),
            None
        );
        assert_eq!(
            dmarc_misaligned("acme.example", "access@mail.acme.example"),
            None
        );
        let told = dmarc_misaligned("acme.example", "Gatehouse <gatehouse@localhost>").unwrap();
        assert!(told.starts_with("Mail is DKIM-signed for acme.example but sent from localhost"));
        assert!(dmarc_misaligned("acme.example", "x@notacme.example").is_some());
    }

    #[test]
    fn allowing_private_webhook_addresses_reads_the_usual_words() {
        use clap::Parser;
        // The only test that touches this variable.
        for (value, allowed) in [("1", true), ("true", true), ("0", false), ("false", false)] {
            std::env::set_var("GATEHOUSE_WEBHOOK_ALLOW_PRIVATE", value);
            let cli = Cli::try_parse_from(["gatehouse", "serve"]).unwrap();
            assert_eq!(cli.common.webhook_allow_private, allowed, "{value}");
        }
        std::env::remove_var("GATEHOUSE_WEBHOOK_ALLOW_PRIVATE");
        let cli = Cli::try_parse_from(["gatehouse", "serve"]).unwrap();
        assert!(!cli.common.webhook_allow_private);
        let cli = Cli::try_parse_from(["gatehouse", "--webhook-allow-private", "serve"]).unwrap();
        assert!(cli.common.webhook_allow_private);
    }
}

#[derive(Debug, Clone, Subcommand)]
pub enum Command {
    /// Serve the web app (the default).
    Serve(Serve),
    /// Run the database migrations and stop (for deployments that migrate as a
    /// separate step before starting the servers with `serve --no-migrate`).
    Migrate,
    /// Copy the embedded SQLite database to a file while servers keep writing (a
    /// consistent snapshot). On PostgreSQL, shows the `pg_dump` command instead.
    Backup(Backup),
    /// Put a backup made by `gatehouse backup` back in place of the SQLite database
    /// (refused while a server uses it).
    Restore(Restore),
    /// Create a tenant and its first admin. Nothing is written if the tenant or the
    /// email already exists or the password is refused.
    CreateAdmin(CreateAdmin),
    /// Operator changes to a tenant.
    #[command(subcommand)]
    Tenant(TenantCommand),
    /// Operator changes to an account.
    #[command(subcommand)]
    Account(AccountCommand),
    /// Look at the emails Gatehouse sends, and the DKIM record to publish.
    #[command(subcommand)]
    Mail(MailCommand),
}

#[derive(Debug, Clone, Subcommand)]
pub enum MailCommand {
    /// Print an example of an email (subject, headers, plain text) and write its
    /// HTML part to a file, to look at before going live. Every kind without --kind.
    Preview(Preview),
    /// Print the DNS TXT record that lets receivers check the DKIM signatures
    /// (needs GATEHOUSE_DKIM_DOMAIN, GATEHOUSE_DKIM_SELECTOR and GATEHOUSE_DKIM_KEY_FILE).
    DkimRecord,
}

#[derive(Debug, Clone, Args)]
pub struct Preview {
    /// invite, invite-resent, reset, password-changed, two-factor-on, two-factor-off,
    /// email-changed, access-request, access-approved, access-declined or review-due.
    #[arg(long)]
    pub kind: Option<String>,
    /// Folder the HTML parts are written to, as <kind>.html.
    #[arg(long, default_value = "mail-preview")]
    pub html_dir: PathBuf,
}

#[derive(Debug, Clone, Args)]
pub struct Serve {
    /// Do not migrate the database at start (it must already be current: see
    /// `gatehouse migrate`).
    #[arg(long)]
    pub no_migrate: bool,
    /// Seconds a stopping server (SIGTERM, Ctrl-C) waits for the requests in flight
    /// and the mail it is sending before it exits anyway.
    #[arg(long, env = "GATEHOUSE_SHUTDOWN_GRACE_SECONDS", default_value_t = 20)]
    pub shutdown_grace_seconds: u64,
    /// Address for Prometheus metrics at `/metrics` (off when not set), e.g.
    /// 127.0.0.1:9100. Keep it off the public network.
    #[arg(long, env = "GATEHOUSE_METRICS_LISTEN")]
    pub metrics_listen: Option<SocketAddr>,
}

#[derive(Debug, Clone, Args)]
pub struct Backup {
    /// The file to write (must not exist yet).
    #[arg(long)]
    pub to: PathBuf,
}

#[derive(Debug, Clone, Args)]
pub struct Restore {
    /// A file written by `gatehouse backup`.
    #[arg(long)]
    pub from: PathBuf,
}

#[derive(Debug, Clone, Subcommand)]
pub enum AccountCommand {
    /// Stop an account signing in anywhere; its sessions end at once.
    Disable(AccountEmail),
    /// Let a disabled account sign in again.
    Enable(AccountEmail),
}

#[derive(Debug, Clone, Args)]
pub struct AccountEmail {
    /// The account's email.
    #[arg(long)]
    pub email: String,
}

#[derive(Debug, Clone, Subcommand)]
pub enum TenantCommand {
    /// Move a tenant to another plan (and seat limit). Nothing is written for an
    /// unknown tenant or plan.
    SetPlan(SetPlan),
    /// Verify an email domain for a tenant (verified-domain auto-join). The operator
    /// is trusted: no DNS lookup is made.
    AddDomain(AddDomain),
}

#[derive(Debug, Clone, Args)]
pub struct AddDomain {
    /// Name of the tenant.
    #[arg(long)]
    pub tenant: String,
    /// The email domain, such as acme.com.
    #[arg(long)]
    pub domain: String,
}

#[derive(Debug, Clone, Args)]
pub struct SetPlan {
    /// Name of the tenant.
    #[arg(long)]
    pub tenant: String,
    /// `free`, `team`, `business` or `enterprise`.
    #[arg(long)]
    pub plan: String,
    /// Seat limit; the plan's default when left out.
    #[arg(long)]
    pub seats: Option<i64>,
}

#[derive(Debug, Clone, Args)]
pub struct CreateAdmin {
    /// Name of the new tenant.
    #[arg(long)]
    pub tenant: String,
    /// Email of the first admin.
    #[arg(long)]
    pub email: String,
    /// Display name of the first admin.
    #[arg(long, default_value = "")]
    pub name: String,
    /// `production` or `sandbox`.
    #[arg(long, default_value = "production")]
    pub kind: String,
    /// `free`, `team`, `business` or `enterprise`.
    #[arg(long, default_value = "team")]
    pub plan: String,
    /// Read the password from the first line of standard input (required: passwords
    /// never go on the command line, where other users and shell history can see them).
    #[arg(long, required = true)]
    pub password_stdin: bool,
}

/// A sentence when DMARC would not count the DKIM signature: the sender's domain
/// must be the signing domain or below it (relaxed alignment).
fn dmarc_misaligned(dkim_domain: &str, mail_from: &str) -> Option<String> {
    let from = mail_from
        .rsplit_once('@')?
        .1
        .trim_end_matches('>')
        .trim()
        .to_ascii_lowercase();
    let signing = dkim_domain.to_ascii_lowercase();
    let aligned = from == signing || from.ends_with(&format!(".{signing}"));
    (!aligned).then(|| {
        format!(
            "Mail is DKIM-signed for {signing} but sent from {from}: receivers checking DMARC will not count the signature. Sign for {from} (or a domain it is under), or send from that domain."
        )
    })
}

/// Reads the secret key file, or creates it (owner-only) with a fresh random key.
fn load_or_create_key(path: &std::path::Path) -> Result<SecretKey, String> {
    match std::fs::read_to_string(path) {
        Ok(text) => SecretKey::from_text(&text).ok_or_else(|| {
            format!(
                "{} does not hold a key (64 hex digits). Restore the right file: without it, two-factor seeds cannot be read.",
                path.display()
            )
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let key = SecretKey::random();
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir)
                    .map_err(|e| format!("Cannot create {}: {e}", dir.display()))?;
            }
            // Written whole to a file of its own, then linked into place: a server
            // starting at the same moment reads either no file or the whole key.
            let mut staged = path.as_os_str().to_owned();
            staged.push(format!(".{}.new", std::process::id()));
            let staged = std::path::PathBuf::from(staged);
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create(true).truncate(true);
            #[cfg(unix)]
            {
                use std::os::unix::fs::OpenOptionsExt;
                options.mode(0o600);
            }
            let written = options
                .open(&staged)
                .and_then(|mut file| std::io::Write::write_all(&mut file, key.to_text().as_bytes()))
                .map_err(|e| format!("Cannot write {}: {e}", staged.display()));
            let linked = written.and_then(|()| match std::fs::hard_link(&staged, path) {
                Ok(()) => Ok(true),
                // Another process put its key there a moment ago: use that one.
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
                Err(e) => Err(format!("Cannot create {}: {e}", path.display())),
            });
            let _ = std::fs::remove_file(&staged);
            if linked? {
                Ok(key)
            } else {
                load_or_create_key(path)
            }
        }
        Err(e) => Err(format!("Cannot read {}: {e}", path.display())),
    }
}

impl Common {
    /// The base of links in emails.
    pub fn public_url(&self) -> String {
        self.public_url
            .clone()
            .unwrap_or_else(|| format!("http://{}", self.listen))
            .trim_end_matches('/')
            .to_string()
    }

    /// The DKIM signer, when the three DKIM settings are given; a key that can't be
    /// used, or a setting without the others, is one sentence that stops start-up.
    pub fn dkim(&self) -> Result<Option<DkimSigner>, String> {
        match (&self.dkim_domain, &self.dkim_selector, &self.dkim_key_file) {
            (None, None, None) => Ok(None),
            (Some(domain), Some(selector), Some(key_file)) => {
                DkimSigner::load(domain, selector, key_file).map(Some)
            }
            (domain, selector, key_file) => {
                let missing: Vec<&str> = [
                    (domain.is_none(), "GATEHOUSE_DKIM_DOMAIN"),
                    (selector.is_none(), "GATEHOUSE_DKIM_SELECTOR"),
                    (key_file.is_none(), "GATEHOUSE_DKIM_KEY_FILE"),
                ]
                .into_iter()
                .filter_map(|(missing, name)| missing.then_some(name))
                .collect();
                Err(format!(
                    "DKIM needs GATEHOUSE_DKIM_DOMAIN, GATEHOUSE_DKIM_SELECTOR and GATEHOUSE_DKIM_KEY_FILE together; {} {} not set.",
                    missing.join(" and "),
                    if missing.len() == 1 { "is" } else { "are" }
                ))
            }
        }
    }

    pub fn settings(&self) -> Result<Settings, String> {
        let public_url = self.public_url();
        let dkim = self.dkim()?.map(std::sync::Arc::new);
        if let Some(warning) = self
            .dkim_domain
            .as_deref()
            .and_then(|d| dmarc_misaligned(d, &self.mail_from))
        {
            tracing::warn!("{warning}");
        }
        Ok(Settings {
            public_url,
            session_idle_secs: self.session_idle_minutes.max(1) * 60,
            session_absolute_secs: self.session_max_hours.max(1) * 3600,
            outbox_dir: self.outbox.clone(),
            smtp_url: self.smtp_url.clone(),
            mail_from: self.mail_from.clone(),
            invite_ttl_secs: self.invite_ttl_days.max(1) * 86_400,
            reset_ttl_secs: self.reset_ttl_minutes.max(1) * 60,
            lockout_threshold: self.lockout_threshold.max(1),
            sign_in_attempts_per_ip_per_minute: self.sign_in_per_ip_per_minute.max(1),
            api_requests_per_key_per_minute: self.api_per_key_per_minute.max(1),
            webhook_allow_private: self.webhook_allow_private,
            password_policy: PasswordPolicy {
                min_chars: MIN_PASSWORD_CHARS,
                min_chars_without_two_factor: self
                    .password_min_without_two_factor
                    .clamp(MIN_PASSWORD_CHARS, 64),
            },
            secret_key: load_or_create_key(&self.secret_key_file)?,
            trusted_proxies: self.trusted_proxies.clone(),
            dkim,
        })
    }
}
