//! Lockout after repeated wrong passwords and the per-IP sign-in limit.

use crate::common::{self, each_engine, meta_from, TestApp, PASSWORD};
use app::backend::auth::sign_in::sign_in;
use app::backend::entities::{accounts, audit_events};
use app::backend::kernel::request::RequestMeta;
use app::backend::members;
use app::domain::AppError;
use axum::http::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

#[tokio::test]
async fn ten_wrong_passwords_lock_the_account_without_saying_so() {
    each_engine(|app| async move {
        let engine = app.engine;
        app.tenant_with_admin("Acme", "ada@example.com").await;
        let s = &app.state;
        // Spread over IPs so the per-IP limit is not what stops them.
        for i in 0..10 {
            let err = sign_in(
                s,
                "ada@example.com",
                "wrong password!",
                &meta_from(&format!("10.0.0.{i}")),
            )
            .await
            .unwrap_err();
            assert_eq!(err, AppError::SignInRefused);
        }
        // Locked: even the right password gets the same generic refusal.
        assert_eq!(
            sign_in(s, "ada@example.com", PASSWORD, &meta_from("10.0.1.1"))
                .await
                .unwrap_err(),
            AppError::SignInRefused
        );
        let locks = audit_events::Entity::find()
            .filter(audit_events::Column::Action.eq("account.locked"))
            .count(s.db.conn())
            .await
            .unwrap();
        assert_eq!(locks, 1, "{engine}");
        let account = accounts::Entity::find()
            .one(s.db.conn())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            account.locked_until,
            Some(app.clock_now() + 60_000),
            "the lock is in the database"
        );

        // After the delay the right password works and clears the count.
        app.clock.advance_secs(61);
        assert!(
            sign_in(s, "ada@example.com", PASSWORD, &meta_from("10.0.1.2"))
                .await
                .is_ok()
        );
        let account = accounts::Entity::find()
            .one(s.db.conn())
            .await
            .unwrap()
            .unwrap();
        assert_eq!((account.failed_sign_ins, account.locked_until), (0, None));

        // The delay grows: ten more failures lock for 1 minute, the next for 2.
        for i in 0..11 {
            let _ = sign_in(
                s,
                "ada@example.com",
                "wrong password!",
                &meta_from(&format!("10.0.2.{i}")),
            )
            .await;
            if i == 9 {
                app.clock.advance_secs(61);
            }
        }
        let account = accounts::Entity::find()
            .one(s.db.conn())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            account.locked_until,
            Some(app.clock_now() + 120_000),
            "{engine}: growing delay"
        );
    })
    .await;
}

#[tokio::test]
async fn one_ip_is_limited_per_minute_with_retry_after() {
    let app = TestApp::new("sqlite").await;
    app.tenant_with_admin("Acme", "ada@example.com").await;
    let s = &app.state;
    for _ in 0..30 {
        let _ = sign_in(
            s,
            "nobody@example.com",
            "whatever pw",
            &meta_from("192.0.2.7"),
        )
        .await;
    }
    let err = sign_in(s, "ada@example.com", PASSWORD, &meta_from("192.0.2.7"))
        .await
        .unwrap_err();
    assert_eq!(
        err,
        AppError::RateLimited {
            retry_after_secs: 60
        }
    );
    assert!(
        sign_in(s, "ada@example.com", PASSWORD, &meta_from("192.0.2.8"))
            .await
            .is_ok(),
        "other IPs are not affected"
    );
    app.clock.advance_secs(60);
    assert!(
        sign_in(s, "ada@example.com", PASSWORD, &meta_from("192.0.2.7"))
            .await
            .is_ok(),
        "a new window"
    );

    // Over HTTP: 429 with Retry-After.
    let mut last = None;
    for _ in 0..31 {
        last = Some(
            app.call(
                "sign_in",
                &[("email", "x@example.com"), ("password", "whatever pw")],
                None,
            )
            .await,
        );
    }
    let (status, body, _) = last.unwrap();
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    let request = axum::http::Request::post("/api/sign_in")
        .header("content-type", "application/x-www-form-urlencoded")
        .header("origin", common::ORIGIN)
        .body(axum::body::Body::from(
            "email=x%40example.com&password=whatever",
        ))
        .unwrap();
    let response = app.send(request).await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(response.headers()["retry-after"], "60");
}

#[tokio::test]
async fn an_admin_sees_the_lock_and_lifts_it() {
    each_engine(|app| async move {
        let engine = app.engine;
        app.tenant_with_admin("Acme", "ada@example.com").await;
        app.tenant_with_admin("Globex", "hank@globex.example").await;
        let s = &app.state;
        let token = sign_in(s, "ada@example.com", PASSWORD, &meta_from("10.1.0.1"))
            .await
            .unwrap()
            .token;
        let meta = RequestMeta {
            session_token: Some(token),
            ..meta_from("10.1.0.1")
        };
        let ada = app::backend::kernel::actor::current_actor(s, &meta)
            .await
            .unwrap();
        for i in 0..10 {
            let _ = sign_in(
                s,
                "hank@globex.example",
                "wrong password!",
                &meta_from(&format!("10.2.0.{i}")),
            )
            .await;
        }
        // Hank is not in Acme: his id answers like a nonexistent one.
        let hank_member = app::backend::entities::memberships::Entity::find()
            .filter(app::backend::entities::memberships::Column::TenantId.eq(2))
            .one(s.db.conn())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            members::unlock(s, &ada, &meta, hank_member.id)
                .await
                .unwrap_err(),
            AppError::NotFound
        );

        // Lock Ada's own account (from elsewhere) and let her lift it from a live session.
        let page = members::list(
            s.db.conn(),
            &ada.tenant,
            &Default::default(),
            app.clock_now(),
        )
        .await
        .unwrap();
        assert!(page.rows.iter().all(|r| !r.locked));
        for i in 0..10 {
            let _ = sign_in(
                s,
                "ada@example.com",
                "wrong password!",
                &meta_from(&format!("10.3.0.{i}")),
            )
            .await;
        }
        let page = members::list(
            s.db.conn(),
            &ada.tenant,
            &Default::default(),
            app.clock_now(),
        )
        .await
        .unwrap();
        assert!(page.rows[0].locked, "{engine}: the table shows the lock");
        members::unlock(s, &ada, &meta, ada.membership.id)
            .await
            .unwrap();
        assert!(
            sign_in(s, "ada@example.com", PASSWORD, &meta_from("10.4.0.1"))
                .await
                .is_ok(),
            "{engine}"
        );
    })
    .await;
}

/// One sign-in attempt over HTTP from TCP peer `peer`, claiming `forwarded_for`.
async fn attempt_via(app: &TestApp, peer: &str, forwarded_for: &str) -> StatusCode {
    let mut request = axum::http::Request::post("/api/sign_in")
        .header("content-type", "application/x-www-form-urlencoded")
        .header("origin", common::ORIGIN)
        .header("accept", "application/json")
        .header("x-forwarded-for", forwarded_for)
        .body(axum::body::Body::from(
            "email=x%40example.com&password=whatever",
        ))
        .unwrap();
    let addr: std::net::SocketAddr = format!("{peer}:40000").parse().unwrap();
    request
        .extensions_mut()
        .insert(axum::extract::ConnectInfo(addr));
    app.send(request).await.status()
}

#[tokio::test]
async fn the_per_ip_limit_believes_forwarded_for_only_from_trusted_proxies() {
    let mut app = TestApp::new("sqlite").await;
    let mut settings = (*app.state.settings).clone();
    settings.sign_in_attempts_per_ip_per_minute = 3;
    settings.trusted_proxies = vec!["10.0.0.1".parse().unwrap()];
    app.state.settings = std::sync::Arc::new(settings);

    // Behind the proxy, each client has its own allowance.
    for _ in 0..3 {
        assert_eq!(
            attempt_via(&app, "10.0.0.1", "203.0.113.1").await,
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        attempt_via(&app, "10.0.0.1", "203.0.113.1").await,
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(
        attempt_via(&app, "10.0.0.1", "203.0.113.2").await,
        StatusCode::UNAUTHORIZED
    );

    // A direct caller can't escape its limit by inventing X-Forwarded-For values.
    for i in 0..3 {
        let spoof = format!("198.51.100.{i}");
        assert_eq!(
            attempt_via(&app, "192.0.2.50", &spoof).await,
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        attempt_via(&app, "192.0.2.50", "198.51.100.99").await,
        StatusCode::TOO_MANY_REQUESTS
    );
}

#[tokio::test]
async fn ipv6_callers_are_limited_by_their_64_prefix() {
    let app = TestApp::new("sqlite").await;
    app.tenant_with_admin("Acme", "ada@example.com").await;
    let s = &app.state;
    // Thirty attempts, each from another address of one /64.
    for i in 0..30 {
        let _ = sign_in(
            s,
            "nobody@example.com",
            "whatever pw",
            &meta_from(&format!("2001:db8:5:6::{:x}", i + 1)),
        )
        .await;
    }
    let err = sign_in(
        s,
        "ada@example.com",
        PASSWORD,
        &meta_from("2001:db8:5:6:ffff::1"),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, AppError::RateLimited { .. }), "{err:?}");
    assert!(
        sign_in(
            s,
            "ada@example.com",
            PASSWORD,
            &meta_from("2001:db8:5:7::1")
        )
        .await
        .is_ok(),
        "the next /64 is another caller"
    );
}

#[tokio::test]
async fn parallel_wrong_passwords_are_all_counted_and_a_racing_right_one_opens_nothing() {
    each_engine(|app| async move {
        let engine = app.engine;
        app.tenant_with_admin("Acme", "ada@example.com").await;
        // Thirty wrong passwords at once, each from its own address.
        let burst: Vec<_> = (0..30)
            .map(|i| {
                let state = app.state.clone();
                tokio::spawn(async move {
                    sign_in(
                        &state,
                        "ada@example.com",
                        "not the password at all",
                        &meta_from(&format!("198.51.100.{i}")),
                    )
                    .await
                })
            })
            .collect();
        for task in burst {
            assert!(task.await.unwrap().is_err());
        }
        let account = accounts::Entity::find()
            .filter(accounts::Column::Email.eq("ada@example.com"))
            .one(app.state.db.conn())
            .await
            .unwrap()
            .unwrap();
        let threshold = app.state.settings.lockout_threshold;
        assert!(
            account.failed_sign_ins >= threshold,
            "{engine}: {}",
            account.failed_sign_ins
        );
        assert!(account.locked_until.is_some(), "{engine}");

        // The counter itself loses nothing: thirty failures recorded at once are thirty.
        let before = account.failed_sign_ins;
        let counters: Vec<_> = (0..30)
            .map(|_| {
                let state = app.state.clone();
                tokio::spawn(async move {
                    let txn = state.db.begin_write().await.unwrap();
                    app::backend::kernel::throttle::record_failure(
                        &*txn,
                        account.id,
                        state.now_ms(),
                        state.settings.lockout_threshold,
                    )
                    .await
                    .unwrap();
                    txn.commit().await.unwrap();
                })
            })
            .collect();
        for task in counters {
            task.await.unwrap();
        }
        let after = accounts::Entity::find_by_id(account.id)
            .one(app.state.db.conn())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(after.failed_sign_ins, before + 30, "{engine}");

        // The right password, sent together with more wrong ones, gets no session.
        let mut tasks = Vec::new();
        for i in 0..6 {
            let state = app.state.clone();
            let password = if i == 3 {
                PASSWORD
            } else {
                "still wrong, sorry"
            };
            tasks.push(tokio::spawn(async move {
                sign_in(
                    &state,
                    "ada@example.com",
                    password,
                    &meta_from(&format!("203.0.113.{i}")),
                )
                .await
            }));
        }
        for task in tasks {
            assert_eq!(
                task.await.unwrap().unwrap_err(),
                AppError::SignInRefused,
                "{engine}"
            );
        }
    })
    .await;
}

/// Acme with Bob (see `acme_with_bob`), and Beta, whose admin Carol invited Bob, who
/// joined with the same account. Answers Acme and Beta's id.
async fn bob_in_acme_and_beta(app: &TestApp) -> (common::AdminAndUser, i64) {
    let acme = app.acme_with_bob().await;
    let (beta, _) = app.tenant_with_admin("Beta", "carol@example.com").await;
    let s = &app.state;
    let carol = common::actor(app, "carol@example.com", PASSWORD).await.0;
    let bob = common::invite_input("bob@example.com");
    members::invite(s, &carol, &common::meta(None), bob)
        .await
        .unwrap();
    let token = app.mailed_token("bob@example.com", "invite").await;
    members::accept_invite(s, &token, "Bob", "bob's passphrase!", &common::meta(None))
        .await
        .unwrap();
    (acme, beta)
}

/// Ten wrong passwords for Bob, each from another address of 10.0.`net`.0/24 (so
/// the per-IP limit is not what stops them): his account locks.
async fn ten_wrong_passwords_for_bob(app: &TestApp, net: u8) {
    for i in 0..10 {
        let ip = meta_from(&format!("10.0.{net}.{i}"));
        let _ = sign_in(&app.state, "bob@example.com", "a wrong guess!", &ip).await;
    }
}

/// Refused sign-ins and the lock they lead to are in the audit log of every tenant
/// the account belongs to, never of another, and never with the password tried.
#[tokio::test]
async fn each_tenants_admins_see_refused_sign_ins_and_locks_of_their_members() {
    each_engine(|app| async move {
        let engine = app.engine;
        let (acme, beta) = bob_in_acme_and_beta(&app).await;
        let (gamma, _) = app.tenant_with_admin("Gamma", "dan@example.com").await;
        let s = &app.state;
        ten_wrong_passwords_for_bob(&app, 1).await;
        let _ = sign_in(
            s,
            "nobody@example.com",
            "whatever it is",
            &meta_from("10.0.2.1"),
        )
        .await;
        let conn = s.db.conn();
        for tenant in [acme.admin.tenant.id, beta] {
            let log = app::backend::audit::list(conn, tenant, "bob@", None)
                .await
                .unwrap();
            let actions: Vec<&str> = log.rows.iter().map(|r| r.action.as_str()).collect();
            assert_eq!(
                actions.iter().filter(|a| **a == "Sign-in refused").count(),
                10,
                "{engine} tenant {tenant}: {actions:?}"
            );
            assert!(
                actions.contains(&"Locked after repeated wrong passwords"),
                "{engine} tenant {tenant}: {actions:?}"
            );
        }
        for tenant in [acme.admin.tenant.id, beta, gamma] {
            let log = app::backend::audit::list(conn, tenant, "", None)
                .await
                .unwrap();
            assert!(
                log.rows
                    .iter()
                    .all(|r| !r.target.contains("nobody") && !r.actor.contains("nobody")),
                "{engine}: an unknown email is the operator's only"
            );
        }
        let gamma_log = app::backend::audit::list(conn, gamma, "bob@", None)
            .await
            .unwrap();
        assert!(gamma_log.rows.is_empty(), "{engine}: {:?}", gamma_log.rows);
        let all = audit_events::Entity::find().all(conn).await.unwrap();
        assert!(
            all.iter()
                .all(|r| !format!("{r:?}").contains("guess number")),
            "{engine}: a tried password is never recorded"
        );
    })
    .await;
}

/// The rule for a lock of someone in two tenants: the lock is the account's, so an
/// admin (or people manager) of either tenant may lift it, for both; the unlock is
/// recorded in the unlocking tenant's log only, so the other tenant learns nothing
/// of it (it sees the refusals and the lock, which are its member's).
#[tokio::test]
async fn an_admin_of_one_tenant_unlocks_a_shared_account_for_both() {
    each_engine(|app| async move {
        let engine = app.engine;
        let (acme, beta) = bob_in_acme_and_beta(&app).await;
        let s = &app.state;
        ten_wrong_passwords_for_bob(&app, 3).await;
        assert_eq!(
            sign_in(
                s,
                "bob@example.com",
                "bob's passphrase!",
                &meta_from("10.0.4.1")
            )
            .await
            .unwrap_err(),
            AppError::SignInRefused,
            "{engine}: locked"
        );
        members::unlock(s, &acme.admin, &common::meta(None), acme.user_id)
            .await
            .unwrap();
        let signed_in = sign_in(
            s,
            "bob@example.com",
            "bob's passphrase!",
            &meta_from("10.0.4.2"),
        )
        .await
        .unwrap();
        assert!(
            [acme.admin.tenant.id, beta].contains(&signed_in.tenant_id),
            "{engine}"
        );
        let unlocked_in = |tenant: i64| {
            let conn = s.db.conn();
            async move {
                app::backend::audit::list(conn, tenant, "bob@", None)
                    .await
                    .unwrap()
                    .rows
                    .iter()
                    .filter(|r| r.action == "Sign-in unlocked")
                    .count()
            }
        };
        assert_eq!(unlocked_in(acme.admin.tenant.id).await, 1, "{engine}");
        assert_eq!(unlocked_in(beta).await, 0, "{engine}");
    })
    .await;
}
