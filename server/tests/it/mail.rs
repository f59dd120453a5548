//! Mail through a real SMTP server: Debian's aiosmtpd on loopback, started here.
//! Mail is queued in the outbox table and survives a mail server outage.

use crate::common::{self, each_engine, meta, TestApp, PASSWORD};
use app::backend::auth::recovery;
use app::backend::entities::mail_outbox;
use app::backend::kernel::dkim::Signer;
use app::backend::kernel::mail;
use app::backend::kernel::mail::letters::{AccessRequested, Letter};
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

    /// Writes `message` to a file of its own (for the receiver's script).
    fn save(&self, message: &str) -> std::path::PathBuf {
        let n = std::fs::read_dir(self.maildir.parent().unwrap())
            .unwrap()
            .count();
        let path = self
            .maildir
            .parent()
            .unwrap()
            .join(format!("message-{n}.eml"));
        std::fs::write(&path, message).unwrap();
        path
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
    // A tenant name with a line break, a person's name with markup.
    let letter = Letter::AccessRequested(AccessRequested {
        tenant: "Acme\r\nBcc: evil@example.com".into(),
        who: "<b>Eve</b>".into(),
        what: "manage users".into(),
        why: String::new(),
    });
    mail::enqueue(s.db.conn(), &s.settings, app.clock_now(), &to, &letter)
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
        notice.contains("Subject: Access request from <b>Eve</b> in AcmeBcc: evil@example.com"),
        "{notice}"
    );
    let headers = notice.split("\r\n\r\n").next().unwrap();
    let headers = headers.split("\n\n").next().unwrap();
    assert!(
        !headers
            .lines()
            .any(|l| l.to_ascii_lowercase().starts_with("bcc:")),
        "no header was injected: {notice}"
    );
    let read = read_as_receiver(&sink.save(notice), None);
    let html = read["html"].as_str().unwrap();
    assert!(
        html.contains("&#60;b&#62;Eve&#60;/b&#62; asked for access"),
        "{html}"
    );
    assert!(!html.contains("<b>Eve"));
    assert!(read["text"]
        .as_str()
        .unwrap()
        .contains("<b>Eve</b> asked for access"));
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

/// What a receiver reads of a message file: headers, decoded parts and, given
/// the DKIM record, whether dkimpy verifies the signature (.ci/mail_check.py).
fn read_as_receiver(path: &std::path::Path, record: Option<&str>) -> serde_json::Value {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../.ci/mail_check.py");
    let mut command = Command::new("/usr/bin/python3");
    command.arg(script);
    if let Some(record) = record {
        command.args(["--record", record]);
    }
    let out = command
        .arg(path)
        .output()
        .expect("python3 runs .ci/mail_check.py");
    assert!(
        out.status.success(),
        "mail_check.py failed (python3-dkim and python3-nacl are installed by `make test`): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// A new private key in PEM from openssl: `rsa` (2048 bits) or `ed25519`.
fn new_key(dir: &std::path::Path, algorithm: &str) -> std::path::PathBuf {
    let path = dir.join(format!("dkim-{algorithm}.pem"));
    let mut command = Command::new("openssl");
    command
        .args(["genpkey", "-algorithm", algorithm, "-out"])
        .arg(&path);
    if algorithm == "rsa" {
        command.args(["-pkeyopt", "rsa_keygen_bits:2048"]);
    }
    let status = command
        .stderr(Stdio::null())
        .status()
        .expect("openssl runs");
    assert!(status.success());
    path
}

/// Every message leaves DKIM-signed (RSA or Ed25519) through the real SMTP sink
/// and into the outbox files, and dkimpy verifies the signature against the record
/// `gatehouse mail dkim-record` prints; an invitation carries a Message-ID on the
/// sending domain, Date, Auto-Submitted, Reply-To the inviting admin, a subject
/// naming the tenant, and no link but its own.
#[tokio::test]
async fn mail_is_dkim_signed_and_carries_the_headers_receivers_trust() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let sink = Sink::start(dir.path(), port);
    for (n, algorithm) in ["rsa", "ed25519"].into_iter().enumerate() {
        let mut app = TestApp::new("sqlite").await;
        let key = new_key(dir.path(), algorithm);
        let signer = Signer::load("acme.example", "gh2026", &key).unwrap();
        let record = signer.txt_value().to_string();
        assert!(signer
            .dns_record()
            .starts_with("gh2026._domainkey.acme.example. IN TXT ( \"v=DKIM1; k="));
        let mut settings = (*app.state.settings).clone();
        settings.smtp_url = Some(format!("smtp://127.0.0.1:{port}"));
        settings.mail_from = "Acme access <access@acme.example>".into();
        settings.dkim = Some(Arc::new(signer));
        app.state.settings = Arc::new(settings.clone());
        let admin = app.acme_admin().await;
        let s = &app.state;
        app::backend::members::invite(
            s,
            &admin,
            &meta(None),
            common::invite_input("bob@example.com"),
        )
        .await
        .unwrap();
        assert_eq!(
            mail::deliver_pending(s.db.conn(), &s.settings, app.clock_now())
                .await
                .unwrap(),
            1
        );
        let mut messages = Vec::new();
        for _ in 0..50 {
            messages = sink.messages();
            if messages.len() == n + 1 {
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let sent = messages
            .iter()
            .find(|m| m.contains(&format!("a={algorithm}-sha256")))
            .unwrap_or_else(|| panic!("{algorithm}: no signed message in {messages:?}"));
        let path = sink.save(sent);
        let read = read_as_receiver(&path, Some(&record));
        assert_eq!(
            read["dkim_verified"], true,
            "{algorithm}: {}\n{sent}",
            read["dkim_log"]
        );
        assert_eq!(read["dkim_asked"][0], "gh2026._domainkey.acme.example.");
        let headers = &read["headers"];
        assert_eq!(headers["subject"], "Join Acme on Gatehouse");
        assert_eq!(headers["auto-submitted"], "auto-generated");
        assert!(headers["date"].as_str().is_some_and(|d| !d.is_empty()));
        let id = headers["message-id"].as_str().unwrap();
        assert!(
            id.starts_with('<') && id.ends_with("@acme.example>"),
            "{id}"
        );
        let reply_to = headers["reply-to"].as_str().unwrap();
        assert!(reply_to.contains("ada@example.com"), "{reply_to}");
        let html = read["html"].as_str().unwrap();
        assert!(!html.contains("<img"));
        let links: Vec<&str> = html.split("href=\"").skip(1).collect();
        assert_eq!(links.len(), 1, "one link, the invitation's own: {html}");
        assert!(links[0].starts_with(&format!("{}/invite/", settings.public_url)));
        assert!(read["text"]
            .as_str()
            .unwrap()
            .contains("invited you to join Acme on Gatehouse."));

        // The signature covers what a forger would change.
        let forged = sent.replace("Subject: Join Acme", "Subject: Join Evil");
        let read = read_as_receiver(&sink.save(&forged), Some(&record));
        assert_eq!(read["dkim_verified"], false, "{algorithm}");

        // Without SMTP, the outbox file is signed the same way.
        let outbox = dir.path().join(format!("outbox-{algorithm}"));
        settings.smtp_url = None;
        settings.outbox_dir = outbox.clone();
        app.state.settings = Arc::new(settings);
        let s = &app.state;
        recovery::request_reset(s, "ada@example.com", &meta(None))
            .await
            .unwrap();
        recovery::process_reset_requests(s).await.unwrap();
        mail::deliver_pending(s.db.conn(), &s.settings, app.clock_now())
            .await
            .unwrap();
        let file = std::fs::read_dir(&outbox)
            .unwrap()
            .next()
            .unwrap()
            .unwrap()
            .path();
        let read = read_as_receiver(&file, Some(&record));
        assert_eq!(
            read["dkim_verified"], true,
            "{algorithm}: outbox file: {}",
            read["dkim_log"]
        );
        assert_eq!(read["headers"]["subject"], "Reset your Gatehouse password");
        assert!(read["headers"].get("reply-to").is_none());
    }
}
