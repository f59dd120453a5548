//! Running Gatehouse as an operator does: migrating (several servers at once, or a
//! server older than its database), stopping with mail in hand, backup and restore.

use crate::common::{self, invite_input, meta, TestApp};
use app::backend::entities::{audit_events, mail_outbox, memberships};
use app::backend::kernel::db::{Db, Schema};
use app::backend::kernel::mail::letters::{Letter, ReviewDue};
use app::backend::kernel::mail::{self, Claims};
use app::backend::members;
use app::domain::Email;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, Statement};
use std::sync::Arc;
use std::time::Duration;

/// Two servers started at the same moment on an empty PostgreSQL database: both come
/// up, and the schema is migrated once and completely (the advisory lock).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn servers_starting_together_on_an_empty_postgres_database_both_migrate_it() {
    if std::env::var("GATEHOUSE_TEST_POSTGRES_URL").is_err() {
        return;
    }
    for _ in 0..3 {
        let url = common::fresh_postgres_url().await;
        let (a, b) = tokio::join!(Db::connect(&url), Db::connect(&url));
        let (a, b) = (a.unwrap(), b.unwrap());
        let (first, second) = tokio::join!(a.migrate(), b.migrate());
        first.unwrap();
        second.unwrap();
        assert_eq!(a.schema().await.unwrap(), Schema::Current);
        let applied = a
            .conn()
            .query_one(Statement::from_string(
                a.conn().get_database_backend(),
                "SELECT COUNT(*) AS n FROM seaql_migrations",
            ))
            .await
            .unwrap()
            .unwrap()
            .try_get::<i64>("", "n")
            .unwrap();
        use sea_orm_migration::MigratorTrait;
        assert_eq!(
            applied as usize,
            app::backend::migrations::Migrator::migrations().len()
        );
    }
}

/// A server whose code is older than the database's schema refuses it with one
/// sentence; one that is behind says to migrate.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_older_than_its_database_refuses_to_serve_it() {
    common::each_engine(|app| async move {
        let db = &app.state.db;
        let backend = db.conn().get_database_backend();
        assert_eq!(db.schema().await.unwrap(), Schema::Current);
        db.conn()
            .execute(Statement::from_string(
                backend,
                "INSERT INTO seaql_migrations (version, applied_at) VALUES ('m20991231_000001_from_the_future', 0)",
            ))
            .await
            .unwrap();
        assert_eq!(
            db.schema().await.unwrap(),
            Schema::Newer(vec!["m20991231_000001_from_the_future".into()])
        );
        let refused = db.migrate().await.unwrap_err();
        assert!(
            refused.starts_with("This database was migrated by a newer Gatehouse")
                && refused.contains("m20991231_000001_from_the_future"),
            "{refused}"
        );
        db.conn()
            .execute(Statement::from_string(
                backend,
                "DELETE FROM seaql_migrations WHERE version LIKE 'm2099%' OR version = (SELECT MAX(version) FROM seaql_migrations WHERE version < 'm2099')",
            ))
            .await
            .unwrap();
        assert_eq!(db.schema().await.unwrap(), Schema::Behind(1));
    })
    .await;
}

/// A stopping server hands back the message it had claimed but not sent: another
/// replica sends it at once instead of a minute later.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopping_server_hands_back_the_mail_it_had_claimed() {
    common::each_engine(|mut app| async move {
        // A mail server that accepts the connection and never answers.
        let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = silent.local_addr().unwrap().port();
        let outbox_replica = app.state.clone();
        let mut settings = (*app.state.settings).clone();
        settings.smtp_url = Some(format!("smtp://127.0.0.1:{port}"));
        app.state.settings = Arc::new(settings);
        let s = app.state.clone();
        let now = app.clock_now();
        let to = Email::parse("bob@example.com").unwrap();
        let letter = Letter::ReviewDue(ReviewDue {
            tenant: "Acme".into(),
        });
        mail::enqueue(s.db.conn(), &s.settings, now, &to, &letter)
            .await
            .unwrap();
        let claims = Arc::new(Claims::default());
        let sending = {
            let (s, claims) = (s.clone(), claims.clone());
            tokio::spawn(async move { mail::deliver(s.db.conn(), &s.settings, now, &claims).await })
        };
        // Wait until the message is claimed (held for a minute), then stop.
        let mut claimed = false;
        for _ in 0..100 {
            let row = mail_outbox::Entity::find()
                .one(s.db.conn())
                .await
                .unwrap()
                .unwrap();
            if row.next_attempt_at == now + 60_000 {
                claimed = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert!(claimed, "{}: the message was never claimed", app.engine);
        claims.stop();
        sending.abort();
        assert_eq!(
            mail::release_claims(s.db.conn(), &claims, now)
                .await
                .unwrap(),
            1
        );
        // Released once only, and due now for any replica.
        assert_eq!(
            mail::release_claims(s.db.conn(), &claims, now)
                .await
                .unwrap(),
            0
        );
        let row = mail_outbox::Entity::find()
            .one(s.db.conn())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.next_attempt_at, now);
        assert_eq!(row.sent_at, None);
        let other = &outbox_replica;
        let sent = mail::deliver_pending(other.db.conn(), &other.settings, now)
            .await
            .unwrap();
        assert_eq!(sent, 1, "{}", app.engine);
        drop(silent);
    })
    .await;
}

fn cli(args: &[&str]) -> server::config::Cli {
    use clap::Parser;
    server::config::Cli::try_parse_from(std::iter::once("gatehouse").chain(args.iter().copied()))
        .unwrap()
}

async fn run_ops(args: &[&str]) -> Result<String, String> {
    use server::config::Command;
    let parsed = cli(args);
    match parsed.command.unwrap() {
        Command::Backup(b) => server::ops::backup(&parsed.common, &b).await,
        Command::Restore(r) => server::ops::restore(&parsed.common, &r).await,
        _ => unreachable!(),
    }
}

/// `gatehouse backup` taken while people are being invited restores to a database
/// whose invariants hold: every membership has its audit row and no tenant holds
/// more members than seats; restore refuses a file a server uses, and a file that
/// is not a backup.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_backup_taken_under_writes_restores_to_a_sound_database() {
    let app = TestApp::new("sqlite").await;
    let admin = app.acme_admin().await;
    let dir = tempfile::tempdir().unwrap();
    let live = app.sqlite_url();
    let backup = dir.path().join("backup.db");
    let writer = {
        let (state, admin) = (app.state.clone(), admin.clone());
        tokio::spawn(async move {
            for i in 0..60 {
                let email = format!("person{i}@example.com");
                // Until the seats run out (the plan's limit).
                if members::invite(&state, &admin, &meta(None), invite_input(&email))
                    .await
                    .is_err()
                {
                    break;
                }
            }
        })
    };
    tokio::time::sleep(Duration::from_millis(150)).await;
    let said = run_ops(&[
        "--database-url",
        &live,
        "backup",
        "--to",
        backup.to_str().unwrap(),
    ])
    .await
    .unwrap();
    assert!(said.starts_with("Backed up"), "{said}");
    writer.await.unwrap();
    // Never over an existing file.
    let again = run_ops(&[
        "--database-url",
        &live,
        "backup",
        "--to",
        backup.to_str().unwrap(),
    ])
    .await;
    assert!(again.unwrap_err().contains("already exists"));

    let restored_path = dir.path().join("restored/gatehouse.db");
    let restored_url = format!("sqlite://{}", restored_path.display());
    let said = run_ops(&[
        "--database-url",
        &restored_url,
        "restore",
        "--from",
        backup.to_str().unwrap(),
    ])
    .await
    .unwrap();
    assert!(said.starts_with("Restored"), "{said}");
    let db = Db::connect(&restored_url).await.unwrap();
    assert_eq!(db.schema().await.unwrap(), Schema::Current);
    let members = memberships::Entity::find().all(db.conn()).await.unwrap();
    let invited: Vec<_> = members.iter().filter(|m| m.status == "invited").collect();
    assert!(
        !invited.is_empty(),
        "the backup was taken while invitations were written"
    );
    let audited = audit_events::Entity::find()
        .filter(audit_events::Column::Action.eq("member.invited"))
        .all(db.conn())
        .await
        .unwrap();
    // Every invitation has its audit row, every audit row its membership.
    for m in &invited {
        assert!(
            audited.iter().any(|e| e.target_id == Some(m.id)),
            "membership {} unaudited",
            m.id
        );
    }
    for e in &audited {
        assert!(
            members.iter().any(|m| Some(m.id) == e.target_id),
            "audit row {} dangles",
            e.id
        );
    }
    let invitations = mail_outbox::Entity::find()
        .filter(mail_outbox::Column::Subject.eq(mail::invitation_subject("Acme")))
        .count(db.conn())
        .await
        .unwrap();
    assert_eq!(
        invitations as usize,
        invited.len(),
        "one invitation mail each"
    );
    for tenant in app::backend::entities::tenants::Entity::find()
        .all(db.conn())
        .await
        .unwrap()
    {
        let held = members.iter().filter(|m| m.tenant_id == tenant.id).count() as i64;
        assert!(
            held <= tenant.seat_limit,
            "{held} members for {} seats",
            tenant.seat_limit
        );
    }
    db.close().await;

    // A server holds the database: restore refuses and changes nothing.
    let held = server::ops::hold_database(&restored_url).unwrap();
    let refused = run_ops(&[
        "--database-url",
        &restored_url,
        "restore",
        "--from",
        backup.to_str().unwrap(),
    ])
    .await;
    assert!(refused
        .unwrap_err()
        .starts_with("A Gatehouse server is using"));
    drop(held);
    // Not a backup: refused with a sentence, nothing changed.
    let junk = dir.path().join("notes.txt");
    std::fs::write(
        &junk,
        "not a database at all, just some words to fill a page",
    )
    .unwrap();
    let refused = run_ops(&[
        "--database-url",
        &restored_url,
        "restore",
        "--from",
        junk.to_str().unwrap(),
    ])
    .await;
    assert!(refused.unwrap_err().contains("is not a Gatehouse backup"));
    let db = Db::connect(&restored_url).await.unwrap();
    assert_eq!(
        memberships::Entity::find().count(db.conn()).await.unwrap(),
        members.len() as u64
    );
}

/// `gatehouse migrate` runs the migrations alone; `serve --no-migrate` then starts on
/// the current database and refuses one that is behind, with the command to run.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn migrate_alone_then_serve_without_migrating() {
    use server::cli::{build_state, Migrate};
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/gatehouse.db", dir.path().display());
    let key = dir.path().join("secret.key");
    let parsed = cli(&[
        "--database-url",
        &url,
        "--secret-key-file",
        key.to_str().unwrap(),
        "serve",
        "--no-migrate",
    ]);
    let server::config::Command::Serve(serve) = parsed.command.clone().unwrap() else {
        unreachable!()
    };
    assert!(serve.no_migrate);
    // A new database, not migrated: refused, and told what to run.
    let refused = build_state(&parsed.common, Migrate::Check)
        .await
        .err()
        .unwrap();
    assert!(
        refused.contains("behind this server: run `gatehouse migrate` first"),
        "{refused}"
    );
    let said = server::cli::migrate(&parsed.common).await.unwrap();
    assert_eq!(said, "The database's schema is current.");
    let state = build_state(&parsed.common, Migrate::Check).await.unwrap();
    assert_eq!(state.db.schema().await.unwrap(), Schema::Current);
}
