//! Forgot password and reset links, on a fresh database per test.

use crate::common::{each_engine, meta, meta_from, split, TestApp, PASSWORD};
use app::backend::auth::recovery;
use app::backend::auth::sign_in::sign_in;
use app::backend::entities::{mail_outbox, password_resets, reset_requests};
use app::backend::kernel::actor::current_actor;
use app::domain::AppError;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use sea_orm::{EntityTrait, PaginatorTrait};

#[tokio::test]
async fn unknown_and_known_emails_get_the_same_answer() {
    each_engine(|app| async move {
        let engine = app.engine;
        app.tenant_with_admin("Acme", "ada@example.com").await;
        let s = &app.state;
        assert!(
            recovery::request_reset(s, "nobody@example.com", &meta(None))
                .await
                .is_ok()
        );
        // The request itself is the same single queued row for any email; the
        // worker decides later.
        assert_eq!(
            reset_requests::Entity::find()
                .count(s.db.conn())
                .await
                .unwrap(),
            1
        );
        assert_eq!(recovery::process_reset_requests(s).await.unwrap(), 1);
        assert_eq!(
            reset_requests::Entity::find()
                .count(s.db.conn())
                .await
                .unwrap(),
            0
        );
        assert_eq!(
            mail_outbox::Entity::find()
                .count(s.db.conn())
                .await
                .unwrap(),
            0,
            "no mail for unknown emails"
        );
        assert!(recovery::request_reset(s, "ADA@example.com", &meta(None))
            .await
            .is_ok());
        assert_eq!(recovery::process_reset_requests(s).await.unwrap(), 1);
        assert_eq!(
            mail_outbox::Entity::find()
                .count(s.db.conn())
                .await
                .unwrap(),
            1,
            "{engine}"
        );
        let err = recovery::request_reset(s, "not an email", &meta(None))
            .await
            .unwrap_err();
        assert!(err.field_message("email").is_some());
        // Over HTTP the two answers are byte-identical.
        let a = app
            .call(
                "request_password_reset",
                &[("email", "ada@example.com")],
                None,
            )
            .await;
        let b = app
            .call(
                "request_password_reset",
                &[("email", "ghost@example.com")],
                None,
            )
            .await;
        assert_eq!((a.0, &a.1), (b.0, &b.1));
        assert_eq!(a.0, StatusCode::OK);
    })
    .await;
}

#[tokio::test]
async fn a_reset_is_single_use_expires_and_ends_every_session() {
    each_engine(|app| async move {
        let engine = app.engine;
        app.tenant_with_admin("Acme", "ada@example.com").await;
        let s = &app.state;
        let session = app.session_token("ada@example.com", PASSWORD).await;
        recovery::request_reset(s, "ada@example.com", &meta(None))
            .await
            .unwrap();
        let first = app.mailed_token("ada@example.com", "reset").await;
        assert!(first.len() >= 43);
        let row = password_resets::Entity::find()
            .one(s.db.conn())
            .await
            .unwrap()
            .unwrap();
        assert_ne!(row.token_hash, first, "stored hashed");
        assert_eq!(row.expires_at, app.clock_now() + 30 * 60_000);

        // A newer request voids the older link.
        recovery::request_reset(s, "ada@example.com", &meta(None))
            .await
            .unwrap();
        let second = app.mailed_token("ada@example.com", "reset").await;
        assert_ne!(first, second);
        assert!(matches!(
            recovery::reset_email(s, &first).await,
            Err(AppError::Conflict(_))
        ));
        assert_eq!(
            recovery::reset_email(s, &second).await.unwrap(),
            "ada@example.com"
        );

        // Bad new passwords change nothing.
        let err = recovery::complete_reset(s, &second, "short", "short", &meta(None))
            .await
            .unwrap_err();
        assert!(err.field_message("password").is_some());
        let err = recovery::complete_reset(
            s,
            &second,
            "a brand new passphrase",
            "a different one!",
            &meta(None),
        )
        .await
        .unwrap_err();
        assert!(err.field_message("confirm").is_some());
        assert!(current_actor(s, &meta(Some(session.clone()))).await.is_ok());

        recovery::complete_reset(
            s,
            &second,
            "a brand new passphrase",
            "a brand new passphrase",
            &meta(None),
        )
        .await
        .unwrap();
        assert_eq!(
            current_actor(s, &meta(Some(session))).await.unwrap_err(),
            AppError::Unauthenticated,
            "{engine}: sessions end"
        );
        assert_eq!(
            sign_in(s, "ada@example.com", PASSWORD, &meta(None))
                .await
                .unwrap_err(),
            AppError::SignInRefused
        );
        assert!(
            sign_in(s, "ada@example.com", "a brand new passphrase", &meta(None))
                .await
                .is_ok()
        );
        let reused = recovery::complete_reset(
            s,
            &second,
            "another passphrase!",
            "another passphrase!",
            &meta(None),
        )
        .await
        .unwrap_err();
        assert!(reused.to_string().contains("already used"), "{reused}");

        // Expiry.
        recovery::request_reset(s, "ada@example.com", &meta(None))
            .await
            .unwrap();
        let third = app.mailed_token("ada@example.com", "reset").await;
        app.clock.advance_secs(30 * 60 + 1);
        let expired = recovery::reset_email(s, &third).await.unwrap_err();
        assert!(
            expired.to_string().contains("expired"),
            "{engine}: {expired}"
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_reset_page_sends_no_referrer_and_the_sign_in_page_links_to_it() {
    let app = TestApp::new("sqlite").await;
    app.tenant_with_admin("Acme", "ada@example.com").await;
    recovery::request_reset(&app.state, "ada@example.com", &meta(None))
        .await
        .unwrap();
    let token = app.mailed_token("ada@example.com", "reset").await;
    let page = Request::get(format!("/reset/{token}"))
        .header("accept", "text/html")
        .body(Body::empty())
        .unwrap();
    let response = app.send(page).await;
    assert_eq!(response.headers()["referrer-policy"], "no-referrer");
    let (status, html, _) = split(response).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Choose a new password") && html.contains("ada@example.com"));
    assert!(html.contains("<label for=\"password\">New password</label>"));
    let (_, sign_in_html, _) = split(
        app.send(Request::get("/sign-in").body(Body::empty()).unwrap())
            .await,
    )
    .await;
    assert!(sign_in_html.contains("href=\"/forgot-password\""));
    let forgot = app
        .send(
            Request::get("/forgot-password")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(forgot.status(), StatusCode::OK);
}

#[tokio::test]
async fn reset_requests_are_limited_per_ip_whatever_the_email() {
    let mut app = TestApp::new("sqlite").await;
    let mut settings = (*app.state.settings).clone();
    settings.sign_in_attempts_per_ip_per_minute = 3;
    app.state.settings = std::sync::Arc::new(settings);
    app.tenant_with_admin("Acme", "ada@example.com").await;
    let s = &app.state;
    for email in ["ada@example.com", "nobody@example.com", "ada@example.com"] {
        recovery::request_reset(s, email, &meta_from("192.0.2.1"))
            .await
            .unwrap();
    }
    for email in ["ada@example.com", "nobody@example.com"] {
        assert_eq!(
            recovery::request_reset(s, email, &meta_from("192.0.2.1"))
                .await
                .unwrap_err(),
            AppError::RateLimited {
                retry_after_secs: 60
            }
        );
    }
    recovery::request_reset(s, "ada@example.com", &meta_from("192.0.2.2"))
        .await
        .unwrap();
    app.clock.advance_secs(60);
    recovery::request_reset(s, "ada@example.com", &meta_from("192.0.2.1"))
        .await
        .unwrap();
}

/// One link used twice at the same moment is used once: one invitation accepted
/// twice makes one membership and one session; one reset link used twice sets one
/// password. (On PostgreSQL the link's row is locked while it is used.) Several
/// rounds, so the two uses really overlap.
#[tokio::test]
async fn a_link_used_twice_in_parallel_is_used_once() {
    each_engine(|app| async move {
        let engine = app.engine;
        let s = &app.state;
        let admin = app.acme_admin().await;
        let here = meta(None);
        for round in 0..3 {
            let email = format!("bob{round}@example.com");
            app::backend::members::invite(s, &admin, &here, crate::common::invite_input(&email))
                .await
                .unwrap();
            let invite = app.mailed_token(&email, "invite").await;
            let accept = |password: &'static str| {
                app::backend::members::accept_invite(s, &invite, "Bob", password, &here)
            };
            let (first, second) =
                tokio::join!(accept("bob's passphrase!"), accept("another passphrase!"));
            let results = [first.map(|_| ()), second.map(|_| ())];
            assert_eq!(
                results.iter().filter(|r| r.is_ok()).count(),
                1,
                "{engine} round {round}: {results:?}"
            );
            assert!(
                results
                    .iter()
                    .any(|r| matches!(r, Err(AppError::Conflict(m)) if m.contains("already"))),
                "{engine}: {results:?}"
            );
        }
        let sessions = app::backend::entities::sessions::Entity::find()
            .all(s.db.conn())
            .await
            .unwrap();
        assert_eq!(
            sessions.len(),
            1 + 3,
            "{engine}: one session per invitation"
        );

        for round in 0..3 {
            recovery::request_reset(s, "ada@example.com", &here)
                .await
                .unwrap();
            let reset = app.mailed_token("ada@example.com", "reset").await;
            let first_password = format!("first new passphrase {round}");
            let second_password = format!("second new passphrase {round}");
            let (reset, here) = (&reset, &here);
            let use_link = |password: String| async move {
                recovery::complete_reset(s, reset, &password, &password, here).await
            };
            let (first, second) = tokio::join!(
                use_link(first_password.clone()),
                use_link(second_password.clone())
            );
            let results = [first, second];
            assert_eq!(
                results.iter().filter(|r| r.is_ok()).count(),
                1,
                "{engine} round {round}: {results:?}"
            );
            let (winner, loser) = if results[0].is_ok() {
                (first_password, second_password)
            } else {
                (second_password, first_password)
            };
            let ip = |n: u8| meta_from(&format!("10.9.{round}.{n}"));
            assert!(
                sign_in(s, "ada@example.com", &winner, &ip(1)).await.is_ok(),
                "{engine}"
            );
            assert!(
                sign_in(s, "ada@example.com", &loser, &ip(2)).await.is_err(),
                "{engine}"
            );
        }
    })
    .await;
}

/// The lookup of a link inside a write transaction holds it: a second transaction
/// using the same link waits, then sees it used. (Made deterministic: the first
/// transaction marks the link used only after the second has asked for it.)
#[tokio::test]
async fn a_link_being_used_is_held_until_its_use_commits() {
    use app::backend::kernel::tokens::{find_live, Refusals};
    use sea_orm::{ActiveModelTrait, Set};
    const REFUSALS: Refusals = Refusals {
        unknown: "unknown",
        used: "already used",
        replaced: "replaced",
        expired: "expired",
    };
    each_engine(|app| async move {
        let engine = app.engine;
        let s = &app.state;
        app.tenant_with_admin("Acme", "ada@example.com").await;
        recovery::request_reset(s, "ada@example.com", &meta(None))
            .await
            .unwrap();
        let token = app.mailed_token("ada@example.com", "reset").await;
        let now = app.clock_now();
        let first = s.db.begin_write().await.unwrap();
        let link = find_live::<password_resets::Entity>(
            &*first,
            password_resets::Column::TokenHash,
            &token,
            now,
            &REFUSALS,
        )
        .await
        .unwrap();
        let db = s.db.clone();
        let second_token = token.clone();
        let second = tokio::spawn(async move {
            let txn = db.begin_write().await.unwrap();
            find_live::<password_resets::Entity>(
                &*txn,
                password_resets::Column::TokenHash,
                &second_token,
                now,
                &REFUSALS,
            )
            .await
            .map(|_| ())
        });
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        let mut used: password_resets::ActiveModel = link.into();
        used.used_at = Set(Some(now));
        used.update(&*first).await.unwrap();
        first.commit().await.unwrap();
        let answer = second.await.unwrap();
        assert_eq!(
            answer,
            Err(AppError::Conflict("already used".into())),
            "{engine}"
        );
    })
    .await;
}
