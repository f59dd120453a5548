//! Mail through a real SMTP server: Debian's aiosmtpd on loopback, started here.
//! Mail is queued in the outbox table and survives a mail server outage.

use crate::common::{meta, TestApp};
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
