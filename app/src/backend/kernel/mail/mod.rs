//! Outgoing mail. Messages are written to the `mail_outbox` table inside the same
//! transaction as the change that causes them (an invite, a reset), and a delivery
//! loop sends them after commit, with retries: a mail server outage never loses or
//! rolls back the change. Without SMTP they are written as `.eml` files to the outbox
//! folder, so invite links work on a laptop with no mail server.
//!
//! Bodies carry live invite and reset links, so a queued body is sealed with the
//! server key (bound to its recipient) and erased once delivered: a copy or backup
//! of the database yields no working link. Recipient, subject, status and times stay.

use super::crypto::SecretKey;
use super::state::Settings;
use crate::backend::entities::mail_outbox;
use crate::domain::Email;

pub mod letters;
pub use letters::{earlier_invitation_subject, invitation_subject, Letter, RESET_SUBJECT};
use lettre::message::header::{Header, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};

/// The invitations to `tenant` and password reset emails sent to `email`, newest
/// first, created before `before` (ms) if given: what a person's admins may see of
/// their mail (another tenant's invitations are never read).
pub async fn invitation_and_reset_mails(
    conn: &impl ConnectionTrait,
    email: &str,
    tenant: &str,
    before: Option<i64>,
    limit: u64,
) -> Result<Vec<mail_outbox::Model>, DbErr> {
    let mut q = mail_outbox::Entity::find()
        .filter(mail_outbox::Column::Recipient.eq(email))
        .filter(mail_outbox::Column::Subject.is_in([
            invitation_subject(tenant),
            earlier_invitation_subject(tenant),
            RESET_SUBJECT.to_string(),
        ]));
    if let Some(before) = before {
        q = q.filter(mail_outbox::Column::CreatedAt.lt(before));
    }
    q.order_by_desc(mail_outbox::Column::Id)
        .limit(limit)
        .all(conn)
        .await
}

/// How a queued email fared, and since when: sent (when), failed so far (next
/// try), or still waiting (queued when).
pub fn delivery(row: &mail_outbox::Model) -> (crate::domain::access::diagnose::MailState, i64) {
    use crate::domain::access::diagnose::MailState;
    match (row.sent_at, &row.last_error) {
        (Some(at), _) => (MailState::Sent, at),
        (None, Some(_)) => (MailState::Failed, row.next_attempt_at),
        (None, None) => (MailState::Queued, row.created_at),
    }
}

/// Removes CR, LF and other control characters (for subjects and names in headers).
pub fn header_safe(value: &str) -> String {
    value.chars().filter(|c| !c.is_control()).collect()
}

/// What a body's seal is bound to: a sealed body copied to another recipient's row
/// does not open.
fn seal_context(recipient: &str) -> String {
    format!("mail:{recipient}")
}

/// Queues `letter` for `to`, written out from its templates, with its own
/// Message-ID on the sending domain and, for invitations, `Reply-To` the inviter.
pub async fn enqueue(
    conn: &impl ConnectionTrait,
    settings: &Settings,
    now_ms: i64,
    to: &Email,
    letter: &Letter,
) -> Result<(), DbErr> {
    let mail = letter
        .write()
        .map_err(|e| DbErr::Custom(format!("mail template: {e}")))?;
    let recipient = to.to_string();
    let key = &settings.secret_key;
    let context = seal_context(&recipient);
    // An `Email` is always a valid address, so an invitation always has its Reply-To.
    let reply_to = mail.reply_to.and_then(|inviter| {
        let address: lettre::Address = inviter.email.as_str().parse().ok()?;
        // A person without a display name is named by their address alone.
        let name = Some(header_safe(&inviter.name))
            .filter(|n| !n.trim().is_empty() && n.as_str() != inviter.email.as_str());
        Some(Mailbox::new(name, address).to_string())
    });
    mail_outbox::ActiveModel {
        body_text: Set(key.seal(&context, mail.text.as_bytes())),
        body_html: Set(key.seal(&context, mail.html.as_bytes())),
        recipient: Set(recipient),
        subject: Set(header_safe(&mail.subject)),
        reply_to: Set(reply_to),
        message_id: Set(Some(message_id(settings))),
        attempts: Set(0),
        next_attempt_at: Set(now_ms),
        created_at: Set(now_ms),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    // Counted when written (a transaction that then rolls back still counts).
    metrics::counter!("gatehouse_emails_total", "outcome" => "queued").increment(1);
    Ok(())
}

/// How many messages wait to be sent (for the metrics).
pub async fn queue_depth(conn: &impl ConnectionTrait) -> Result<u64, DbErr> {
    use sea_orm::PaginatorTrait;
    mail_outbox::Entity::find()
        .filter(mail_outbox::Column::SentAt.is_null())
        .filter(mail_outbox::Column::Attempts.lt(10))
        .count(conn)
        .await
}

/// A queued body in clear. Rows queued before bodies were sealed are plain text.
fn open_body(key: &SecretKey, recipient: &str, stored: &str) -> Result<String, String> {
    if !stored.starts_with("v1:") {
        return Ok(stored.to_string());
    }
    key.open(&seal_context(recipient), stored)
        .and_then(|plain| String::from_utf8(plain).ok())
        .ok_or_else(|| "the message can't be opened with this server's key".to_string())
}

/// `Auto-Submitted: auto-generated` (RFC 3834): no vacation replies or loops.
#[derive(Debug, Clone)]
struct AutoSubmitted;

impl Header for AutoSubmitted {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("Auto-Submitted")
    }

    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(AutoSubmitted)
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "auto-generated".to_string())
    }
}

/// The domain of the sender's address (what Message-IDs end with).
fn sending_domain(settings: &Settings) -> String {
    settings
        .mail_from
        .parse::<Mailbox>()
        .map(|m| m.email.domain().to_string())
        .unwrap_or_else(|_| "localhost".to_string())
}

/// A new Message-ID on the sending domain, kept with the queued message so that
/// every retry carries the same one.
fn message_id(settings: &Settings) -> String {
    format!(
        "<{}@{}>",
        hex::encode(super::crypto::random_bytes::<16>()),
        sending_domain(settings)
    )
}

fn build_message(settings: &Settings, row: &mail_outbox::Model) -> Result<Message, String> {
    let from: Mailbox = settings
        .mail_from
        .parse()
        .map_err(|e| format!("bad sender address: {e}"))?;
    let to: Mailbox = row
        .recipient
        .parse()
        .map_err(|e| format!("bad recipient: {e}"))?;
    let mut builder = Message::builder()
        .from(from)
        .to(to)
        .subject(header_safe(&row.subject))
        .date_now()
        .message_id(Some(
            row.message_id
                .clone()
                .unwrap_or_else(|| message_id(settings)),
        ))
        .header(AutoSubmitted);
    if let Some(reply_to) = row.reply_to.as_deref().and_then(|r| r.parse().ok()) {
        builder = builder.reply_to(reply_to);
    }
    let mut message = builder
        .multipart(MultiPart::alternative_plain_html(
            open_body(&settings.secret_key, &row.recipient, &row.body_text)?,
            open_body(&settings.secret_key, &row.recipient, &row.body_html)?,
        ))
        .map_err(|e| e.to_string())?;
    if let Some(signer) = &settings.dkim {
        signer.sign(&mut message);
    }
    Ok(message)
}

async fn send_one(settings: &Settings, row: &mail_outbox::Model) -> Result<(), String> {
    let message = build_message(settings, row)?;
    match &settings.smtp_url {
        Some(url) => {
            let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                .map_err(|e| format!("bad SMTP URL: {e}"))?
                .build();
            transport
                .send(message)
                .await
                .map(|_| ())
                .map_err(|e| e.to_string())
        }
        None => {
            tokio::fs::create_dir_all(&settings.outbox_dir)
                .await
                .map_err(|e| e.to_string())?;
            let path = settings.outbox_dir.join(format!("{:010}.eml", row.id));
            tokio::fs::write(&path, message.formatted())
                .await
                .map_err(|e| e.to_string())
        }
    }
}

/// The outbox rows this server has claimed and not yet finished, and whether it is
/// stopping: on SIGTERM the delivery loop stops between messages and what it still
/// holds is handed back ([`release_claims`]) so another replica sends it at once
/// instead of after the claim's minute.
#[derive(Default)]
pub struct Claims {
    held: std::sync::Mutex<std::collections::HashMap<i64, i64>>,
    stopping: std::sync::atomic::AtomicBool,
}

impl Claims {
    /// Asks the delivery loop to stop after the message it is sending.
    pub fn stop(&self) {
        self.stopping
            .store(true, std::sync::atomic::Ordering::SeqCst);
    }

    pub fn stopping(&self) -> bool {
        self.stopping.load(std::sync::atomic::Ordering::SeqCst)
    }

    fn held(&self) -> std::sync::MutexGuard<'_, std::collections::HashMap<i64, i64>> {
        self.held.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Sends what is due. Returns how many messages went out. Failures are retried
/// with a growing delay (at most 10 attempts).
pub async fn deliver_pending(
    conn: &impl ConnectionTrait,
    settings: &Settings,
    now_ms: i64,
) -> Result<usize, DbErr> {
    deliver(conn, settings, now_ms, &Claims::default()).await
}

/// [`deliver_pending`] for a server's delivery loop: records what it claims in
/// `claims` and stops between messages once `claims` is stopping.
pub async fn deliver(
    conn: &impl ConnectionTrait,
    settings: &Settings,
    now_ms: i64,
    claims: &Claims,
) -> Result<usize, DbErr> {
    let due = mail_outbox::Entity::find()
        .filter(mail_outbox::Column::SentAt.is_null())
        .filter(mail_outbox::Column::NextAttemptAt.lte(now_ms))
        .filter(mail_outbox::Column::Attempts.lt(10))
        .order_by_asc(mail_outbox::Column::Id)
        .limit(50)
        .all(conn)
        .await?;
    let mut sent = 0;
    for row in due {
        if claims.stopping() {
            break;
        }
        // Claim the message first so that several replicas never send it twice.
        let claim_until = now_ms + 60_000;
        let claimed = mail_outbox::Entity::update_many()
            .col_expr(mail_outbox::Column::NextAttemptAt, Expr::value(claim_until))
            .filter(mail_outbox::Column::Id.eq(row.id))
            .filter(mail_outbox::Column::SentAt.is_null())
            .filter(mail_outbox::Column::NextAttemptAt.eq(row.next_attempt_at))
            .exec(conn)
            .await?
            .rows_affected;
        if claimed != 1 {
            continue;
        }
        claims.held().insert(row.id, claim_until);
        let id = row.id;
        let result = send_one(settings, &row).await;
        let attempts = row.attempts + 1;
        let mut active: mail_outbox::ActiveModel = row.into();
        active.attempts = Set(attempts);
        match result {
            Ok(()) => {
                metrics::counter!("gatehouse_emails_total", "outcome" => "sent").increment(1);
                active.sent_at = Set(Some(now_ms));
                active.last_error = Set(None);
                // Delivered: the links inside are no longer kept anywhere here.
                active.body_text = Set(String::new());
                active.body_html = Set(String::new());
                sent += 1;
            }
            Err(error) => {
                metrics::counter!("gatehouse_emails_total", "outcome" => "failed").increment(1);
                tracing::warn!(attempts, error = %error, "mail delivery failed; will retry");
                active.last_error = Set(Some(error.chars().take(500).collect()));
                active.next_attempt_at = Set(now_ms + 1000 * 2_i64.pow(attempts.min(12) as u32));
            }
        }
        active.update(conn).await?;
        claims.held().remove(&id);
    }
    Ok(sent)
}

/// Hands back every message `claims` still holds (a delivery stopped part-way):
/// each becomes due at `now_ms` for any replica, unless it was sent or claimed
/// again meanwhile. Returns how many were released.
pub async fn release_claims(
    conn: &impl ConnectionTrait,
    claims: &Claims,
    now_ms: i64,
) -> Result<u64, DbErr> {
    let held: Vec<(i64, i64)> = claims.held().drain().collect();
    let mut released = 0;
    for (id, until) in held {
        released += mail_outbox::Entity::update_many()
            .col_expr(mail_outbox::Column::NextAttemptAt, Expr::value(now_ms))
            .filter(mail_outbox::Column::Id.eq(id))
            .filter(mail_outbox::Column::SentAt.is_null())
            .filter(mail_outbox::Column::NextAttemptAt.eq(until))
            .exec(conn)
            .await?
            .rows_affected;
    }
    Ok(released)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_bodies_open_only_for_their_recipient_and_key() {
        let key = SecretKey::random();
        let sealed = key.seal(&seal_context("ada@example.com"), b"https://x/reset/abc");
        assert!(!sealed.contains("abc"));
        assert_eq!(
            open_body(&key, "ada@example.com", &sealed).as_deref(),
            Ok("https://x/reset/abc")
        );
        assert!(open_body(&key, "eve@example.com", &sealed).is_err());
        assert!(open_body(&SecretKey::random(), "ada@example.com", &sealed).is_err());
        assert_eq!(open_body(&key, "a@b.c", "plain").as_deref(), Ok("plain"));
    }

    #[test]
    fn headers_lose_line_breaks() {
        assert_eq!(
            header_safe("Hi\r\nBcc: evil@example.com"),
            "HiBcc: evil@example.com"
        );
    }
}
