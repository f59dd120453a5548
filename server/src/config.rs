//! Command-line flags and environment variables.

use app::backend::db::DEFAULT_DATABASE_URL;
use app::backend::Settings;
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
}

#[derive(Debug, Clone, Subcommand)]
pub enum Command {
    /// Serve the web app (the default).
    Serve,
    /// Create a tenant and its first admin. Nothing is written if the tenant or the
    /// email already exists or the password is refused.
    CreateAdmin(CreateAdmin),
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

impl Common {
    pub fn settings(&self) -> Settings {
        let public_url = self
            .public_url
            .clone()
            .unwrap_or_else(|| format!("http://{}", self.listen))
            .trim_end_matches('/')
            .to_string();
        Settings {
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
        }
    }
}
