//! Webhooks: a change queues a delivery in its own transaction, sent after commit,
//! signed the Standard Webhooks way and verified by a real receiver on loopback;
//! an outage is retried with backoff and nothing is lost or sent twice beyond
//! at-least-once with a stable id; private addresses are refused unless allowed;
//! the secret rotates; endpoints stay in their tenant and need the plan.

use crate::common::{self, meta, TestApp};
use app::backend::webhooks::{self, sign};
use app::domain::webhooks::{DeliveryState, NewEndpoint};
use app::domain::AppError;
use axum::http::{HeaderMap, StatusCode};
use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::{Arc, Mutex};

/// A receiver on loopback: answers `status`, keeps what came.
#[derive(Clone)]
struct Receiver {
    url: String,
    got: Arc<Mutex<Vec<(HeaderMap, String, u16)>>>,
    status: Arc<AtomicU16>,
}

impl Receiver {
    async fn start() -> Receiver {
        let got: Arc<Mutex<Vec<(HeaderMap, String, u16)>>> = Arc::default();
        let status = Arc::new(AtomicU16::new(200));
        let (g, s) = (got.clone(), status.clone());
        let app = axum::Router::new().route(
            "/hook",
            axum::routing::post(move |headers: HeaderMap, body: String| {
                let (g, s) = (g.clone(), s.clone());
                async move {
                    let code = s.load(Ordering::SeqCst);
                    g.lock().unwrap().push((headers, body, code));
                    StatusCode::from_u16(code).unwrap()
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Receiver { url, got, status }
    }

    /// What arrived and was answered 2xx: (webhook-id, event type, body).
    fn accepted(&self) -> Vec<(String, String, String)> {
        self.got
            .lock()
            .unwrap()
            .iter()
            .filter(|(_, _, code)| *code < 300)
            .map(|(h, body, _)| {
                let json: serde_json::Value = serde_json::from_str(body).unwrap();
                (
                    h["webhook-id"].to_str().unwrap().to_string(),
                    json["type"].as_str().unwrap().to_string(),
                    body.clone(),
                )
            })
            .collect()
    }

    /// Every request verifies with `secret` (Standard Webhooks).
    fn all_signed_with(&self, secret: &str) -> bool {
        self.got.lock().unwrap().iter().all(|(h, body, _)| {
            let id = h["webhook-id"].to_str().unwrap();
            let ts: i64 = h["webhook-timestamp"].to_str().unwrap().parse().unwrap();
            sign::signature(secret, id, ts, body).as_deref()
                == Some(h["webhook-signature"].to_str().unwrap())
        })
    }
}

async fn app_allowing_loopback(engine: &'static str) -> TestApp {
    TestApp::with_settings(engine, |s| s.webhook_allow_private = true).await
}

fn endpoint(url: &str, events: &[&str]) -> NewEndpoint {
    NewEndpoint {
        url: url.into(),
        events: events.iter().map(|e| e.to_string()).collect(),
    }
}

async fn states(app: &TestApp) -> Vec<(String, i64)> {
    use app::backend::entities::webhook_deliveries;
    use sea_orm::{EntityTrait, QueryOrder};
    webhook_deliveries::Entity::find()
        .order_by_asc(webhook_deliveries::Column::Id)
        .all(app.state.db.conn())
        .await
        .unwrap()
        .into_iter()
        .map(|d| (d.state, d.attempts))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_is_sent_after_commit_signed_to_the_endpoints_that_chose_it() {
    for engine in common::engines() {
        let app = app_allowing_loopback(engine).await;
        let admin = app.acme_admin().await;
        let s = &app.state;
        let receiver = Receiver::start().await;
        let other = Receiver::start().await;
        let created = webhooks::create(
            s,
            &admin,
            &meta(None),
            &endpoint(&receiver.url, &["member.invited"]),
        )
        .await
        .unwrap();
        assert!(created.secret.starts_with("whsec_"), "{engine}");
        webhooks::create(
            s,
            &admin,
            &meta(None),
            &endpoint(&other.url, &["member.deleted"]),
        )
        .await
        .unwrap();
        app::backend::members::invite(
            s,
            &admin,
            &meta(None),
            common::invite_input("ann@example.com"),
        )
        .await
        .unwrap();
        // A change that fails (already a member) queues nothing.
        app::backend::members::invite(
            s,
            &admin,
            &meta(None),
            common::invite_input("ann@example.com"),
        )
        .await
        .unwrap_err();
        assert_eq!(
            states(&app).await,
            vec![("pending".to_string(), 0)],
            "{engine}"
        );
        // Nothing is sent before the loop runs: after commit, never inside it.
        assert!(receiver.got.lock().unwrap().is_empty(), "{engine}");
        assert_eq!(webhooks::deliver_due(s).await.unwrap(), 1, "{engine}");
        let accepted = receiver.accepted();
        assert_eq!(accepted.len(), 1, "{engine}");
        assert_eq!(accepted[0].1, "member.invited", "{engine}");
        let body: serde_json::Value = serde_json::from_str(&accepted[0].2).unwrap();
        assert_eq!(
            body["data"]["object"]["label"], "ann@example.com",
            "{engine}: {body}"
        );
        assert_eq!(body["data"]["actor"], "ada@example.com", "{engine}: {body}");
        assert!(accepted[0].0.starts_with("msg_"), "{engine}");
        assert!(receiver.all_signed_with(&created.secret), "{engine}");
        assert!(other.got.lock().unwrap().is_empty(), "{engine}");
        assert_eq!(
            states(&app).await,
            vec![("delivered".to_string(), 1)],
            "{engine}"
        );
        // The log shows it, with the status and duration.
        let (log, more) = webhooks::deliveries(s.db.conn(), &admin, created.id, None)
            .await
            .unwrap();
        assert!(!more, "{engine}");
        assert_eq!(log[0].state, DeliveryState::Delivered, "{engine}");
        assert_eq!(log[0].last_result.as_deref(), Some("200"), "{engine}");
        assert!(log[0].last_duration_ms.is_some(), "{engine}");
        assert_eq!(webhooks::deliver_due(s).await.unwrap(), 0, "{engine}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_outage_is_retried_with_backoff_and_nothing_is_lost_or_doubled() {
    for engine in common::engines() {
        let app = app_allowing_loopback(engine).await;
        let admin = app.acme_admin().await;
        let s = &app.state;
        let receiver = Receiver::start().await;
        let created = webhooks::create(
            s,
            &admin,
            &meta(None),
            &endpoint(&receiver.url, &["member.invited"]),
        )
        .await
        .unwrap();
        receiver.status.store(503, Ordering::SeqCst);
        for who in ["a@example.com", "b@example.com", "c@example.com"] {
            app::backend::members::invite(s, &admin, &meta(None), common::invite_input(who))
                .await
                .unwrap();
        }
        assert_eq!(webhooks::deliver_due(s).await.unwrap(), 3, "{engine}");
        assert!(receiver.accepted().is_empty(), "{engine}");
        let (log, _) = webhooks::deliveries(s.db.conn(), &admin, created.id, None)
            .await
            .unwrap();
        assert!(
            log.iter().all(|d| d.next_retry.is_some()),
            "{engine}: {log:?}"
        );
        assert!(
            log[0].last_result.as_deref().unwrap().contains("503"),
            "{engine}: {log:?}"
        );
        // Not before the backoff (10 s after the first failure).
        app.clock.advance_ms(5_000);
        assert_eq!(webhooks::deliver_due(s).await.unwrap(), 0, "{engine}");
        // Still down at the second try; back up at the third.
        app.clock.advance_ms(6_000);
        assert_eq!(webhooks::deliver_due(s).await.unwrap(), 3, "{engine}");
        receiver.status.store(200, Ordering::SeqCst);
        app.clock.advance_ms(30_000);
        assert_eq!(webhooks::deliver_due(s).await.unwrap(), 0, "{engine}");
        app.clock.advance_ms(31_000);
        assert_eq!(webhooks::deliver_due(s).await.unwrap(), 3, "{engine}");
        // Each message once, under the same id its failed attempts carried.
        let accepted = receiver.accepted();
        let mut ids: Vec<&str> = accepted.iter().map(|(id, _, _)| id.as_str()).collect();
        ids.sort();
        ids.dedup();
        assert_eq!((accepted.len(), ids.len()), (3, 3), "{engine}");
        let all_ids: std::collections::BTreeSet<String> = receiver
            .got
            .lock()
            .unwrap()
            .iter()
            .map(|(h, _, _)| h["webhook-id"].to_str().unwrap().to_string())
            .collect();
        assert_eq!(all_ids.len(), 3, "{engine}");
        assert_eq!(receiver.got.lock().unwrap().len(), 9, "{engine}");
        assert!(
            states(&app)
                .await
                .iter()
                .all(|(s, n)| s == "delivered" && *n == 3),
            "{engine}"
        );
        // An endpoint that never recovers is given up on after 8 attempts (7 retries).
        receiver.status.store(500, Ordering::SeqCst);
        webhooks::send_test(s, &admin, created.id).await.unwrap();
        for _ in 0..8 {
            webhooks::deliver_due(s).await.unwrap();
            app.clock.advance_ms(13 * 3_600_000);
        }
        let (log, _) = webhooks::deliveries(s.db.conn(), &admin, created.id, None)
            .await
            .unwrap();
        assert_eq!(log[0].event, "webhook.test", "{engine}");
        assert_eq!(
            (log[0].state, log[0].attempts),
            (DeliveryState::Failed, 8),
            "{engine}"
        );
        assert!(log[0].next_retry.is_none(), "{engine}");
        // The log keeps done deliveries 30 days; one still waiting is never deleted.
        webhooks::send_test(s, &admin, created.id).await.unwrap();
        assert_eq!(webhooks::purge_log(s).await.unwrap(), 0, "{engine}");
        app.clock.advance_ms(webhooks::LOG_KEPT_MS);
        assert_eq!(webhooks::purge_log(s).await.unwrap(), 4, "{engine}");
        assert_eq!(
            states(&app).await,
            vec![("pending".to_string(), 0)],
            "{engine}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn private_addresses_and_plain_http_are_refused_unless_allowed() {
    let app = TestApp::new("sqlite").await;
    let admin = app.acme_admin().await;
    let s = &app.state;
    let receiver = Receiver::start().await;
    for url in [
        receiver.url.as_str(),
        "http://localhost:9/hook",
        "http://[::1]/hook",
        "http://10.0.0.5/",
    ] {
        let error = webhooks::create(s, &admin, &meta(None), &endpoint(url, &["member.invited"]))
            .await
            .unwrap_err();
        assert!(
            error
                .field_message("url")
                .unwrap()
                .contains("private network"),
            "{url}: {error:?}"
        );
    }
    // A name that resolves to loopback is refused when sending (after DNS).
    let named = receiver.url.replace("127.0.0.1", "localhost");
    {
        use app::backend::entities::webhook_endpoints;
        use sea_orm::{ActiveModelTrait, Set};
        webhook_endpoints::ActiveModel {
            tenant_id: Set(admin.tenant.id),
            url: Set(named),
            events: Set(",member.invited,".into()),
            secret_sealed: Set(s.settings.secret_key.seal(
                &format!("webhook-secret:{}", admin.tenant.id),
                sign::new_secret().as_bytes(),
            )),
            created_by: Set("ada@example.com".into()),
            created_at: Set(app.clock_now()),
            ..Default::default()
        }
        .insert(s.db.conn())
        .await
        .unwrap();
    }
    app::backend::members::invite(
        s,
        &admin,
        &meta(None),
        common::invite_input("ann@example.com"),
    )
    .await
    .unwrap();
    webhooks::deliver_due(s).await.unwrap();
    assert!(receiver.got.lock().unwrap().is_empty());
    let id = webhooks::list(s.db.conn(), &admin).await.unwrap()[0].id;
    let (log, _) = webhooks::deliveries(s.db.conn(), &admin, id, None)
        .await
        .unwrap();
    assert!(
        log[0].last_result.as_deref().unwrap().contains("private"),
        "{log:?}"
    );
    // In production mode (an https public URL) endpoints must be https.
    let production = TestApp::with_settings("sqlite", |s| {
        s.public_url = "https://gatehouse.example.com".into();
        s.webhook_allow_private = true;
    })
    .await;
    let admin = production.acme_admin().await;
    let error = webhooks::create(
        &production.state,
        &admin,
        &meta(None),
        &endpoint("http://hooks.example.com/in", &["member.invited"]),
    )
    .await
    .unwrap_err();
    assert!(
        error.field_message("url").unwrap().contains("https"),
        "{error:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rotated_secret_signs_from_then_on_and_endpoints_stay_in_their_tenant() {
    let app = app_allowing_loopback("sqlite").await;
    let acme = app.acme_with_bob().await;
    let (s, admin) = (&app.state, &acme.admin);
    let receiver = Receiver::start().await;
    let created = webhooks::create(
        s,
        admin,
        &meta(None),
        &endpoint(&receiver.url, &["member.invited"]),
    )
    .await
    .unwrap();
    let rotated = webhooks::rotate_secret(s, admin, &meta(None), created.id)
        .await
        .unwrap();
    assert_ne!(rotated.secret, created.secret);
    webhooks::send_test(s, admin, created.id).await.unwrap();
    webhooks::deliver_due(s).await.unwrap();
    assert_eq!(receiver.accepted()[0].1, "webhook.test");
    assert!(receiver.all_signed_with(&rotated.secret));
    assert!(!receiver.all_signed_with(&created.secret));
    // Bad input: a sentence on each field, nothing written.
    let error = webhooks::create(s, admin, &meta(None), &endpoint("", &[]))
        .await
        .unwrap_err();
    assert!(error.field_message("url").is_some() && error.field_message("events").is_some());
    assert_eq!(webhooks::list(s.db.conn(), admin).await.unwrap().len(), 1);
    // Another tenant's admin neither sees nor touches it.
    app.tenant_with_admin("Globex", "hank@globex.example").await;
    let (hank, _) = common::actor(&app, "hank@globex.example", common::PASSWORD).await;
    assert!(webhooks::list(s.db.conn(), &hank).await.unwrap().is_empty());
    for result in [
        webhooks::send_test(s, &hank, created.id).await,
        webhooks::delete(s, &hank, &meta(None), created.id).await,
        webhooks::rotate_secret(s, &hank, &meta(None), created.id)
            .await
            .map(|_| ()),
    ] {
        assert_eq!(result, Err(AppError::NotFound));
    }
    // A plain member may not; a plan without webhooks says so.
    let bob = app::backend::kernel::actor::current_actor(s, &meta(Some(acme.user_token.clone())))
        .await
        .unwrap();
    assert!(matches!(
        webhooks::list(s.db.conn(), &bob).await,
        Err(AppError::Forbidden(_))
    ));
    app::backend::tenant::operator::set_plan(&s.db, app.clock_now(), "Acme", "free", None)
        .await
        .unwrap();
    let (ada, _) = common::actor(&app, "ada@example.com", common::PASSWORD).await;
    match webhooks::list(s.db.conn(), &ada).await {
        Err(AppError::Forbidden(words)) => assert!(words.contains("plan"), "{words}"),
        other => panic!("{other:?}"),
    }
    // Deleting ends deliveries to it (Acme back on a plan with webhooks).
    app::backend::tenant::operator::set_plan(&s.db, app.clock_now(), "Acme", "team", None)
        .await
        .unwrap();
    let (ada, _) = common::actor(&app, "ada@example.com", common::PASSWORD).await;
    webhooks::delete(s, &ada, &meta(None), created.id)
        .await
        .unwrap();
    assert!(webhooks::list(s.db.conn(), &ada).await.unwrap().is_empty());
    assert!(states(&app).await.is_empty());
}
