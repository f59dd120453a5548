//! Mail through a real SMTP server: Debian's aiosmtpd on loopback, started here.
//! Mail is queued in the outbox table and survives a mail server outage.

use crate::common::{self, each_engine, meta, TestApp, PASSWORD};
use app::backend::auth::recovery;
use app::backend::entities::mail_outbox;
use app::backend::kernel::mail::{self, Outgoing};
use app::domain::Email;
use sea_orm::EntityTrait;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

/// An SMTP sink writing every message it receives into a maildir.
struct Sink {
    child: Child,
    maildir: std::path::PathBuf,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Sink {
    fn start(dir: &std::path::Path, port: u16) -> Sink {
        let maildir = dir.join("maildir");
        let mut child = Command::new("/usr/bin/python3")
            .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}")])
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(&maildir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("python3-aiosmtpd is installed by `make test` (.ci/install-tools.sh)");
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return Sink { child, maildir };
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = child.kill();
        let _ = child.wait();
        panic!("the SMTP sink did not start on port {port}");
    }

    fn messages(&self) -> Vec<String> {
        let Ok(entries) = std::fs::read_dir(self.maildir.join("new")) else {
            return Vec::new();
        };
        entries
            .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
            .collect()
    }
}

impl Drop for Sink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test]
async fn mail_reaches_a_real_smtp_server_after_an_outage_without_header_injection() {
    let mut app = TestApp::new("sqlite").await;
    let dir = tempfile::tempdir().unwrap();
    // The sink's port, but no server on it yet: first, the mail server is down.
    let port = free_port();
    let mut settings = (*app.state.settings).clone();
    settings.smtp_url = Some(format!("smtp://127.0.0.1:{port}"));
    app.state.settings = Arc::new(settings);
    app.tenant_with_admin("Acme", "ada@example.com").await;
    let s = &app.state;
    recovery::request_reset(s, "ada@example.com", &meta(None))
        .await
        .unwrap();
    recovery::process_reset_requests(s).await.unwrap();
    let to = Email::parse("bob@example.com").unwrap();
    mail::enqueue(
        s.db.conn(),
        &s.settings,
        app.clock_now(),
        Outgoing::notice(to, "Hello\r\nBcc: evil@example.com", "Body <b>text</b>"),
    )
    .await
    .unwrap();

    // Mail server down: nothing is sent, nothing is lost, the error is kept.
    let sent = mail::deliver_pending(s.db.conn(), &s.settings, app.clock_now())
        .await
        .unwrap();
    assert_eq!(sent, 0);
    let rows = mail_outbox::Entity::find().all(s.db.conn()).await.unwrap();
    assert_eq!(rows.len(), 2);
    assert!(rows
        .iter()
        .all(|r| r.sent_at.is_none() && r.attempts == 1 && r.last_error.is_some()));

    // The server comes up on that port; the retry delivers both.
    let sink = Sink::start(dir.path(), port);
    app.clock.advance_secs(120);
    let sent = mail::deliver_pending(s.db.conn(), &s.settings, app.clock_now())
        .await
        .unwrap();
    assert_eq!(sent, 2);
    let mut messages = Vec::new();
    for _ in 0..50 {
        messages = sink.messages();
        if messages.len() == 2 {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(messages.len(), 2, "{messages:?}");
    let reset = messages
        .iter()
        .find(|m| m.contains("To: ada@example.com"))
        .unwrap();
    assert!(reset.contains("Subject: Reset your Gatehouse password"));
    assert!(reset.contains("/reset/"));
    assert!(reset.contains("text/plain") && reset.contains("text/html"));
    let notice = messages
        .iter()
        .find(|m| m.contains("To: bob@example.com"))
        .unwrap();
    assert!(
        notice.contains("Subject: HelloBcc: evil@example.com"),
        "{notice}"
    );
    assert!(
        !notice
            .lines()
            .any(|l| l.to_ascii_lowercase().starts_with("bcc:")),
        "no header was injected: {notice}"
    );
    assert!(notice.contains("Body &lt;b&gt;text&lt;/b&gt;"));
    assert!(!notice.contains("X-RcptTo: evil@example.com"));
}

/// Links sit in the outbox only sealed, and not at all once delivered: after an
/// invitation is accepted and a reset used, with all mail delivered, a dump of
/// every table holds none of the tokens or passwords that went by.
#[tokio::test]
async fn a_database_dump_holds_no_live_link_and_no_secret() {
    each_engine(|app| async move {
        let engine = app.engine;
        let s = &app.state;
        let admin = app.acme_admin().await;
        app::backend::members::invite(
            s,
            &admin,
            &meta(None),
            common::invite_input("bob@example.com"),
        )
        .await
        .unwrap();
        // Queued and not yet delivered: the body is sealed.
        let queued = common::dump(&app).await;
        assert!(queued.contains("mail_outbox"), "{engine}");
        assert!(
            !queued.contains("/invite/"),
            "{engine}: a link in clear: {queued}"
        );
        let invite = app.mailed_token("bob@example.com", "invite").await;
        let bob = app::backend::members::accept_invite(
            s,
            &invite,
            "Bob",
            "bob's passphrase!",
            &meta(None),
        )
        .await
        .unwrap();
        recovery::request_reset(s, "ada@example.com", &meta(None))
            .await
            .unwrap();
        let reset = app.mailed_token("ada@example.com", "reset").await;
        let new_password = "a brand new passphrase";
        recovery::complete_reset(s, &reset, new_password, new_password, &meta(None))
            .await
            .unwrap();
        let ada = app.session_token("ada@example.com", new_password).await;
        mail::deliver_pending(s.db.conn(), &s.settings, app.clock_now())
            .await
            .unwrap();

        let dump = common::dump(&app).await;
        let rows = mail_outbox::Entity::find().all(s.db.conn()).await.unwrap();
        assert!(rows.len() >= 3, "{engine}");
        assert!(
            rows.iter()
                .all(|r| r.sent_at.is_some() && r.body_text.is_empty() && r.body_html.is_empty()),
            "{engine}: delivered bodies are erased"
        );
        assert!(rows
            .iter()
            .any(|r| r.recipient == "bob@example.com" && !r.subject.is_empty()));
        for secret in [
            invite.as_str(),
            reset.as_str(),
            bob.token.as_str(),
            ada.as_str(),
            new_password,
            PASSWORD,
            "bob's passphrase!",
        ] {
            assert!(
                !dump.contains(secret),
                "{engine}: {secret} found in the dump"
            );
        }
    })
    .await;
}

/// Rows written before the fix: delivered bodies are erased and a Unicode email
/// domain is stored in its ASCII form, so it is the same account as its twin.
#[tokio::test]
async fn the_hygiene_migration_erases_old_bodies_and_normalises_emails() {
    use app::backend::migrations::Migrator;
    use sea_orm::{ConnectionTrait, Statement};
    use sea_orm_migration::MigratorTrait;
    let dir = tempfile::tempdir().unwrap();
    let db =
        app::backend::kernel::db::Db::connect(&format!("sqlite://{}/old.db", dir.path().display()))
            .await
            .unwrap();
    Migrator::up(db.conn(), Some(2)).await.unwrap();
    let backend = db.conn().get_database_backend();
    for sql in [
        "INSERT INTO accounts (email, display_name, failed_sign_ins, created_at) VALUES ('user@b\u{fc}cher.de', '', 0, 1)",
        "INSERT INTO mail_outbox (recipient, subject, body_text, body_html, attempts, next_attempt_at, created_at, sent_at) VALUES ('a@b.c', 'S', 'https://x/reset/tok', '<a>tok</a>', 1, 1, 1, 2)",
        "INSERT INTO mail_outbox (recipient, subject, body_text, body_html, attempts, next_attempt_at, created_at) VALUES ('a@b.c', 'S', 'queued', 'queued', 0, 1, 1)",
    ] {
        db.conn()
            .execute(Statement::from_string(backend, sql))
            .await
            .unwrap();
    }
    Migrator::up(db.conn(), None).await.unwrap();
    let dump: Vec<String> = db
        .conn()
        .query_all(Statement::from_string(
            backend,
            "SELECT email AS v FROM accounts UNION ALL SELECT body_text FROM mail_outbox ORDER BY 1",
        ))
        .await
        .unwrap()
        .iter()
        .map(|r| r.try_get::<String>("", "v").unwrap())
        .collect();
    assert_eq!(dump, ["", "queued", "user@xn--bcher-kva.de"]);
}
