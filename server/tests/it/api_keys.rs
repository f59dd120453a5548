//! Settings → API keys: a secret shown once and stored as a hash, the list, first
//! use and revoking, expiry, the audit trail; who may manage keys (the permission and
//! the plan, said in words) and that keys stay in their tenant.

use crate::common::{self, each_engine, meta, PASSWORD};
use app::backend::api_keys;
use app::backend::kernel::crypto::hash_token;
use app::domain::api_keys::{ApiKeyState, ApiScope, NewApiKey};
use app::domain::AppError;

fn new_key(name: &str, scopes: &[&str], expires: &str) -> NewApiKey {
    NewApiKey {
        name: name.into(),
        scopes: scopes.iter().map(|s| s.to_string()).collect(),
        expires: expires.into(),
    }
}

async fn audit_actions(app: &common::TestApp, tenant: i64) -> Vec<(String, String)> {
    app::backend::audit::list(app.state.db.conn(), tenant, "", None)
        .await
        .unwrap()
        .rows
        .into_iter()
        .filter(|r| r.action.starts_with("API key"))
        .map(|r| (r.action, r.actor))
        .collect()
}

#[tokio::test]
async fn a_key_is_shown_once_stored_as_a_hash_and_revoked_for_good() {
    each_engine(|app| async move {
        let engine = app.engine;
        let acme = app.acme_with_bob().await;
        let (s, m, admin) = (&app.state, meta(None), &acme.admin);
        let tenant = admin.tenant.id;

        // Bad input: a sentence next to each field, nothing written.
        let before = common::dump(&app).await;
        let bad = api_keys::create(s, admin, &m, &new_key(" ", &[], "2020-01-01"))
            .await
            .unwrap_err();
        assert!(bad.field_message("name").is_some(), "{engine}: {bad:?}");
        assert!(bad.field_message("scopes").is_some(), "{engine}: {bad:?}");
        assert!(
            bad.field_message("expires").unwrap().contains("future"),
            "{engine}: {bad:?}"
        );
        let far = api_keys::create(s, admin, &m, &new_key("K", &["check"], "2099-01-01"))
            .await
            .unwrap_err();
        assert!(far.field_message("expires").is_some(), "{engine}: {far:?}");
        assert_eq!(
            common::dump(&app).await,
            before,
            "{engine}: nothing written"
        );

        let created = api_keys::create(
            s,
            admin,
            &m,
            &new_key("Billing service", &["members:read", "check"], ""),
        )
        .await
        .unwrap();
        assert!(created.secret.starts_with("gatehouse_"), "{engine}");
        // 256 random bits after the prefix (43 characters of base64url).
        assert_eq!(created.secret.len(), "gatehouse_".len() + 43, "{engine}");
        let stored = common::dump(&app).await;
        let random_part = created.secret.trim_start_matches("gatehouse_");
        assert!(
            !stored.contains(random_part),
            "{engine}: the secret is stored"
        );
        assert!(stored.contains(&hash_token(&created.secret)), "{engine}");

        let list = api_keys::list(s.db.conn(), admin).await.unwrap();
        assert_eq!(list.len(), 1, "{engine}");
        let key = &list[0];
        assert_eq!(
            (
                key.name.as_str(),
                key.scopes.clone(),
                key.created_by.as_str(),
                key.last_used,
                key.expires,
                key.state
            ),
            (
                "Billing service",
                vec![ApiScope::Check, ApiScope::MembersRead],
                "ada@example.com",
                None,
                None,
                ApiKeyState::Active
            ),
            "{engine}"
        );
        assert!(
            created.secret.starts_with(key.shown.trim_end_matches('…')),
            "{engine}: {}",
            key.shown
        );
        let listed = serde_json::to_string(&list).unwrap();
        assert!(!listed.contains(random_part), "{engine}: {listed}");

        // Use: the key's tenant, its scopes only; an unknown key is refused.
        let used = api_keys::authenticate(s, &created.secret, ApiScope::Check, "10.0.0.9")
            .await
            .unwrap();
        assert_eq!(
            (used.tenant_id, used.key_id),
            (tenant, created.id),
            "{engine}"
        );
        let scim = api_keys::authenticate(s, &created.secret, ApiScope::Scim, "10.0.0.9")
            .await
            .unwrap_err();
        assert!(
            matches!(&scim, AppError::Forbidden(words) if words.contains("SCIM provisioning")),
            "{engine}: {scim:?}"
        );
        let guessed = format!("gatehouse_{}", "A".repeat(43));
        assert_eq!(
            api_keys::authenticate(s, &guessed, ApiScope::Check, "10.0.0.9")
                .await
                .unwrap_err(),
            AppError::Unauthenticated,
            "{engine}"
        );
        app.clock.advance_ms(120_000);
        api_keys::authenticate(s, &created.secret, ApiScope::Check, "10.0.0.9")
            .await
            .unwrap();
        let list = api_keys::list(s.db.conn(), admin).await.unwrap();
        assert!(list[0].last_used.is_some(), "{engine}");

        // Revoked: refused from now on, listed as revoked by whom.
        api_keys::revoke(s, admin, &m, created.id).await.unwrap();
        assert_eq!(
            api_keys::authenticate(s, &created.secret, ApiScope::Check, "10.0.0.9")
                .await
                .unwrap_err(),
            AppError::Unauthenticated,
            "{engine}"
        );
        let list = api_keys::list(s.db.conn(), admin).await.unwrap();
        assert_eq!(list[0].state, ApiKeyState::Revoked, "{engine}");
        assert!(
            list[0]
                .revoked
                .as_deref()
                .unwrap()
                .contains("ada@example.com"),
            "{engine}: {:?}",
            list[0].revoked
        );

        // Created, first used (once, by the key), revoked: newest first.
        assert_eq!(
            audit_actions(&app, tenant).await,
            vec![
                ("API key revoked".to_string(), "ada@example.com".to_string()),
                (
                    "API key used for the first time".to_string(),
                    "API key “Billing service”".to_string()
                ),
                ("API key created".to_string(), "ada@example.com".to_string()),
            ],
            "{engine}"
        );

        // Expiry: works until the end of the chosen day, then is refused.
        let tomorrow = chrono::DateTime::from_timestamp_millis(app.clock_now() + 86_400_000)
            .unwrap()
            .format("%Y-%m-%d")
            .to_string();
        let short = api_keys::create(s, admin, &m, &new_key("Short", &["check"], &tomorrow))
            .await
            .unwrap();
        api_keys::authenticate(s, &short.secret, ApiScope::Check, "10.0.0.9")
            .await
            .unwrap();
        app.clock.advance_ms(3 * 86_400_000);
        assert_eq!(
            api_keys::authenticate(s, &short.secret, ApiScope::Check, "10.0.0.9")
                .await
                .unwrap_err(),
            AppError::Unauthenticated,
            "{engine}"
        );
        // A request now (an actor judges at the time of its request).
        let (ada, _) = common::actor(&app, "ada@example.com", PASSWORD).await;
        let list = api_keys::list(s.db.conn(), &ada).await.unwrap();
        assert_eq!(list[0].state, ApiKeyState::Expired, "{engine}");
    })
    .await;
}

#[tokio::test]
async fn keys_need_the_permission_and_the_plan_and_stay_in_their_tenant() {
    each_engine(|app| async move {
        let engine = app.engine;
        let acme = app.acme_with_bob().await;
        let (s, m, admin) = (&app.state, meta(None), &acme.admin);
        let key = api_keys::create(s, admin, &m, &new_key("CRM", &["check"], ""))
            .await
            .unwrap();

        // A member without integrations-manage: refused in words, nothing written.
        let (bob, _) = common::actor(&app, "bob@example.com", "bob's passphrase!").await;
        let before = common::dump(&app).await;
        for refusal in [
            api_keys::list(s.db.conn(), &bob).await.map(|_| ()),
            api_keys::create(s, &bob, &m, &new_key("Mine", &["check"], ""))
                .await
                .map(|_| ()),
            api_keys::revoke(s, &bob, &m, key.id).await,
        ] {
            let error = refusal.unwrap_err();
            assert!(
                matches!(&error, AppError::Forbidden(words) if words.contains("integrations")),
                "{engine}: {error:?}"
            );
        }
        assert_eq!(common::dump(&app).await, before, "{engine}");

        // Another tenant's admin: sees none of Acme's keys, and its id is "not found".
        app.tenant_with_admin("Globex", "hank@globex.example").await;
        let (hank, _) = common::actor(&app, "hank@globex.example", PASSWORD).await;
        assert!(
            api_keys::list(s.db.conn(), &hank).await.unwrap().is_empty(),
            "{engine}"
        );
        assert_eq!(
            api_keys::revoke(s, &hank, &m, key.id).await.unwrap_err(),
            AppError::NotFound,
            "{engine}"
        );
        let used = api_keys::authenticate(s, &key.secret, ApiScope::Check, "10.0.0.9")
            .await
            .unwrap();
        assert_eq!(used.tenant_id, admin.tenant.id, "{engine}");

        // On a plan without API keys, even an admin is told the plan is why.
        app::backend::tenant::operator::set_plan(&s.db, app.clock_now(), "Acme", "free", None)
            .await
            .unwrap();
        let (ada, _) = common::actor(&app, "ada@example.com", PASSWORD).await;
        let error = api_keys::list(s.db.conn(), &ada).await.unwrap_err();
        assert!(
            matches!(&error, AppError::Forbidden(words) if words.contains("plan")),
            "{engine}: {error:?}"
        );
    })
    .await;
}

/// `POST /v1/check` with a key: the engine's answer and reasons with their codes,
/// one question or a batch; only the key's tenant; no key, a wrong key or a key
/// without the check scope refused in words; bad questions get a sentence.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_check_api_answers_with_the_engines_reasons() {
    use axum::body::Body;
    use axum::http::{Request, StatusCode};
    each_engine(|app| async move {
        let engine = app.engine;
        let acme = app.acme_with_bob().await;
        let (s, m, admin) = (&app.state, meta(None), &acme.admin);
        let key = api_keys::create(s, admin, &m, &new_key("Host", &["check"], ""))
            .await
            .unwrap();
        let scim_only = api_keys::create(s, admin, &m, &new_key("IdP", &["scim"], ""))
            .await
            .unwrap();
        app.tenant_with_admin("Globex", "hank@globex.example").await;
        let ask = |secret: Option<String>, body: String| {
            let mut request = Request::post("/v1/check").header("content-type", "application/json");
            if let Some(secret) = secret {
                request = request.header("authorization", format!("Bearer {secret}"));
            }
            let request = request.body(Body::from(body)).unwrap();
            async {
                let res = app.send(request).await;
                let no_store = res
                    .headers()
                    .get("cache-control")
                    .map(|v| v.to_str().unwrap().to_string());
                let (status, text, _) = common::split(res).await;
                assert_eq!(no_store.as_deref(), Some("no-store"), "{engine}: {text}");
                let json: serde_json::Value =
                    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{engine}: {e}: {text}"));
                (status, json)
            }
        };
        let with_key = || Some(key.secret.clone());

        // Refused keys: none, a guess, one without the check scope.
        for secret in [None, Some(format!("gatehouse_{}", "x".repeat(43)))] {
            let (status, json) = ask(
                secret,
                r#"{"email":"bob@example.com","permission":"users.manage"}"#.into(),
            )
            .await;
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{engine}: {json}");
            assert!(
                json["detail"].as_str().unwrap().contains("not valid"),
                "{engine}: {json}"
            );
            assert_eq!(
                json["type"], "urn:gatehouse:problem:unauthorized",
                "{engine}"
            );
        }
        let (status, json) = ask(
            Some(scim_only.secret.clone()),
            r#"{"email":"bob@example.com","permission":"users.manage"}"#.into(),
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{engine}: {json}");

        // Bob lacks the permission: no, with the engine's reason and where to ask.
        let (status, json) = ask(
            with_key(),
            r#"{"email":"Bob@Example.com","permission":"users.manage"}"#.into(),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{engine}: {json}");
        assert_eq!(json["allowed"], false, "{engine}: {json}");
        assert_eq!(
            json["reasons"][0]["kind"], "authorization",
            "{engine}: {json}"
        );
        assert_eq!(
            json["reasons"][0]["code"], "permission_missing",
            "{engine}: {json}"
        );
        assert!(
            json["reasons"][0]["message_for_admin"]
                .as_str()
                .unwrap()
                .len()
                > 10,
            "{engine}: {json}"
        );
        assert!(
            json["request_access_url"]
                .as_str()
                .unwrap()
                .starts_with("http"),
            "{engine}: {json}"
        );
        // Ada, the admin, may; by member id too.
        let (_, json) = ask(
            with_key(),
            r#"{"email":"ada@example.com","permission":"users.manage"}"#.into(),
        )
        .await;
        assert_eq!(
            (json["allowed"].clone(), json["reasons"].clone()),
            (serde_json::json!(true), serde_json::json!([])),
            "{engine}: {json}"
        );
        let (_, json) = ask(
            with_key(),
            format!(r#"{{"member_id":{},"feature":"api_keys"}}"#, acme.user_id),
        )
        .await;
        assert_eq!(json["allowed"], false, "{engine}: {json}");
        // Someone of another tenant, or nobody: not a member here.
        for who in [
            r#""email":"hank@globex.example""#,
            r#""email":"nobody@example.com""#,
        ] {
            let (_, json) = ask(
                with_key(),
                format!(r#"{{{who},"permission":"users.manage"}}"#),
            )
            .await;
            assert_eq!(
                json["reasons"][0]["code"], "not_a_member",
                "{engine}: {json}"
            );
            assert!(json["request_access_url"].is_null(), "{engine}: {json}");
        }

        // A batch, answered in order; more than 100 refused with a sentence.
        let batch = r#"{"checks":[
            {"email":"ada@example.com","permission":"users.manage"},
            {"email":"bob@example.com","permission":"users.manage"},
            {"email":"bob@example.com","feature":"api_keys"}]}"#;
        let (status, json) = ask(with_key(), batch.into()).await;
        assert_eq!(status, StatusCode::OK, "{engine}: {json}");
        let allowed: Vec<bool> = json["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["allowed"].as_bool().unwrap())
            .collect();
        assert_eq!(allowed, vec![true, false, false], "{engine}: {json}");
        let many = format!(
            r#"{{"checks":[{}]}}"#,
            vec![r#"{"email":"ada@example.com","feature":"api_keys"}"#; 101].join(",")
        );
        let (status, json) = ask(with_key(), many).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{engine}: {json}");
        assert!(
            json.to_string().contains("between 1 and 100"),
            "{engine}: {json}"
        );

        // Bad questions: a sentence, never a trace.
        for (body, needle) in [
            (r#"{"email":"bob@example.com"}"#, "Ask about one thing"),
            (
                r#"{"email":"bob@example.com","permission":"users.fly"}"#,
                "no such permission",
            ),
            (r#"{"permission":"users.manage"}"#, "Ask about one person"),
            ("not json", "Send JSON"),
            (
                r#"{"email":"bob@example.com","permission":"users.manage","extra":1}"#,
                "Send JSON",
            ),
            (r#"{"checks":[{"email":"x"}]}"#, "Question 1 of the batch"),
        ] {
            let (status, json) = ask(with_key(), body.into()).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{engine} {body}: {json}");
            assert!(json.to_string().contains(needle), "{engine} {body}: {json}");
        }
    })
    .await;
}

/// Every answer of the check API is logged (which key, about whom, what, the answer
/// and its codes); admins filter the log; a batch is logged in order, a refused
/// question not at all; another tenant sees none of it; rows older than the tenant's
/// chosen days are deleted by the sweep, and a bad number of days is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_check_api_logs_each_decision_for_the_tenants_admins() {
    use app::backend::api_keys::{check, decisions};
    use app::domain::api_keys::{CheckBatch, CheckQuestion};
    use app::domain::decisions::DecisionQuery;
    use axum::http::StatusCode;
    each_engine(|app| async move {
        let engine = app.engine;
        let acme = app.acme_with_bob().await;
        let (s, m, admin) = (&app.state, meta(None), &acme.admin);
        let created = api_keys::create(s, admin, &m, &new_key("Host", &["check"], ""))
            .await
            .unwrap();
        let key = api_keys::authenticate(s, &created.secret, ApiScope::Check, "203.0.113.5")
            .await
            .unwrap();
        let ask = |email: &str, permission: &str| CheckQuestion {
            email: Some(email.into()),
            permission: Some(permission.into()),
            ..CheckQuestion::default()
        };
        check::check(s, &key, &ask("bob@example.com", "users.manage"))
            .await
            .unwrap();
        check::check_batch(
            s,
            &key,
            &CheckBatch {
                checks: vec![
                    ask("ada@example.com", "users.manage"),
                    ask("nobody@example.com", "users.manage"),
                ],
            },
        )
        .await
        .unwrap();
        // Refused questions leave no row.
        check::check(s, &key, &ask("bob@example.com", "users.fly"))
            .await
            .unwrap_err();
        check::check_batch(
            s,
            &key,
            &CheckBatch {
                checks: vec![
                    ask("ada@example.com", "users.manage"),
                    ask("x", "users.manage"),
                ],
            },
        )
        .await
        .unwrap_err();

        let read = |q: DecisionQuery| async move {
            let filter = q.parse().unwrap();
            decisions::search(s.db.conn(), admin, &filter, None)
                .await
                .unwrap()
        };
        let page = read(DecisionQuery::default()).await;
        let seen: Vec<(&str, &str, bool, Vec<String>)> = page
            .rows
            .iter()
            .map(|r| {
                (
                    r.subject.as_str(),
                    r.asked.as_str(),
                    r.allowed,
                    r.reasons.clone(),
                )
            })
            .collect();
        assert_eq!(
            seen,
            vec![
                (
                    "nobody@example.com",
                    "Manage people, roles and role templates",
                    false,
                    vec!["not_a_member".to_string()]
                ),
                (
                    "ada@example.com",
                    "Manage people, roles and role templates",
                    true,
                    vec![]
                ),
                (
                    "bob@example.com",
                    "Manage people, roles and role templates",
                    false,
                    vec!["permission_missing".to_string()]
                ),
            ],
            "{engine}"
        );
        assert!(page.rows.iter().all(|r| r.key_name == "Host"), "{engine}");
        assert_eq!(page.retention_days, 30, "{engine}");
        assert_eq!(page.keys.len(), 1, "{engine}");
        // Filters: the answer, the person, the key, the day.
        let denied = read(DecisionQuery {
            answer: "denied".into(),
            ..Default::default()
        })
        .await;
        assert_eq!(denied.rows.len(), 2, "{engine}");
        let bob = read(DecisionQuery {
            who: "BOB@".into(),
            ..Default::default()
        })
        .await;
        assert_eq!(bob.rows.len(), 1, "{engine}");
        let other_key = read(DecisionQuery {
            key: (key.key_id + 1000).to_string(),
            ..Default::default()
        })
        .await;
        assert!(other_key.rows.is_empty(), "{engine}");
        let tomorrow = chrono::DateTime::from_timestamp_millis(app.clock_now() + 86_400_000)
            .unwrap()
            .format("%Y-%m-%d")
            .to_string();
        let later = read(DecisionQuery {
            from: tomorrow,
            ..Default::default()
        })
        .await;
        assert!(later.rows.is_empty(), "{engine}");

        // Another tenant's admin reads an empty log; a plain member is refused.
        app.tenant_with_admin("Globex", "hank@globex.example").await;
        let (hank, _) = common::actor(&app, "hank@globex.example", PASSWORD).await;
        let theirs = decisions::search(s.db.conn(), &hank, &Default::default(), None)
            .await
            .unwrap();
        assert!(theirs.rows.is_empty(), "{engine}");
        let bob =
            app::backend::kernel::actor::current_actor(s, &meta(Some(acme.user_token.clone())))
                .await
                .unwrap();
        let refused = decisions::search(s.db.conn(), &bob, &Default::default(), None).await;
        assert!(matches!(refused, Err(AppError::Forbidden(_))), "{engine}");

        // Retention: a bad number is refused with a sentence and changes nothing.
        let cookie = app.sign_in("ada@example.com", PASSWORD).await;
        let (status, body, _) = app
            .call("set_decision_retention", &[("days", "0")], Some(&cookie))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{engine}: {body}");
        assert!(body.contains("1 to 365"), "{engine}: {body}");
        let (status, body, _) = app
            .call("set_decision_retention", &[("days", "2")], Some(&cookie))
            .await;
        assert!(
            status.is_success() || status.is_redirection(),
            "{engine}: {status} {body}"
        );
        let changed = app::backend::audit::list(s.db.conn(), admin.tenant.id, "", None)
            .await
            .unwrap()
            .rows
            .into_iter()
            .filter(|r| r.action == "Changed how long check decisions are kept")
            .count();
        assert_eq!(changed, 1, "{engine}");
        // Globex keeps its decisions 30 days.
        let globex_key = api_keys::create(s, &hank, &m, &new_key("G", &["check"], ""))
            .await
            .unwrap();
        let globex_key =
            api_keys::authenticate(s, &globex_key.secret, ApiScope::Check, "203.0.113.6")
                .await
                .unwrap();
        check::check(s, &globex_key, &ask("hank@globex.example", "users.manage"))
            .await
            .unwrap();
        // Three days on, a new decision; the sweep deletes only the old ones.
        app.clock.advance_ms(3 * 86_400_000);
        check::check(s, &key, &ask("ada@example.com", "users.manage"))
            .await
            .unwrap();
        // Acme's three old rows go; Globex's row of the same age stays.
        assert_eq!(decisions::purge_expired(s).await.unwrap(), 3, "{engine}");
        let globex = decisions::search(s.db.conn(), &hank, &Default::default(), None)
            .await
            .unwrap();
        assert_eq!(globex.rows.len(), 1, "{engine}");
        assert_eq!(globex.rows[0].subject, "hank@globex.example", "{engine}");
        let (ada, _) = common::actor(&app, "ada@example.com", PASSWORD).await;
        let left = decisions::search(s.db.conn(), &ada, &Default::default(), None)
            .await
            .unwrap();
        assert_eq!(left.rows.len(), 1, "{engine}");
        assert_eq!(left.retention_days, 2, "{engine}");
        assert_eq!(decisions::purge_expired(s).await.unwrap(), 0, "{engine}");
    })
    .await;
}
