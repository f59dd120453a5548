//! The REST API under `/v1`: every route refuses a missing, revoked, expired,
//! wrong-scope and other-tenant key; members are listed, read, invited, changed,
//! suspended and deleted through the same services as Settings → Users, acting for
//! the key's creator and audited as the key; errors are problem details; a key that
//! runs out of requests gets 429 with Retry-After; the OpenAPI document covers
//! every route.

use crate::common::{self, each_engine, meta, TestApp};
use app::backend::api_keys;
use app::backend::kernel::actor::Actor;
use app::domain::access::{Action, Category, Permission};
use app::domain::api_keys::NewApiKey;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use sea_orm::ConnectionTrait;
use serde_json::{json, Value};

async fn key(app: &TestApp, actor: &Actor, name: &str, scopes: &[&str], expires: &str) -> String {
    api_keys::create(
        &app.state,
        actor,
        &meta(None),
        &NewApiKey {
            name: name.into(),
            scopes: scopes.iter().map(|s| s.to_string()).collect(),
            expires: expires.into(),
        },
    )
    .await
    .unwrap()
    .secret
}

/// A request to the API; answers the status, the headers we look at, and the JSON.
async fn call(
    app: &TestApp,
    method: &str,
    path: &str,
    secret: Option<&str>,
    body: Option<Value>,
) -> (StatusCode, Value, Option<String>, Option<String>) {
    let mut request = Request::builder().method(method).uri(path);
    if let Some(secret) = secret {
        request = request.header("authorization", format!("Bearer {secret}"));
    }
    let request = match body {
        Some(body) => request
            .header("content-type", "application/json")
            .body(Body::from(body.to_string())),
        None => request.body(Body::empty()),
    }
    .unwrap();
    let res = app.send(request).await;
    let header = |name: &str| {
        res.headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_string())
    };
    let (content_type, retry) = (header("content-type"), header("retry-after"));
    let location = header("location");
    let (status, text, _) = common::split(res).await;
    let value = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{method} {path}: {e}: {text}"))
    };
    if !status.is_success() {
        assert_eq!(
            content_type.as_deref(),
            Some("application/problem+json"),
            "{method} {path}: {status} {value}"
        );
        assert_eq!(value["status"], status.as_u16(), "{method} {path}: {value}");
        assert!(
            value["type"]
                .as_str()
                .unwrap()
                .starts_with("urn:gatehouse:problem:"),
            "{value}"
        );
        assert!(!value["detail"].as_str().unwrap().is_empty(), "{value}");
    }
    (status, value, retry, location)
}

/// Every route of the API, with a body where it takes one.
fn routes(member: i64) -> Vec<(&'static str, String, Option<Value>)> {
    vec![
        (
            "POST",
            "/v1/check".into(),
            Some(json!({"email": "bob@example.com", "permission": "users.manage"})),
        ),
        ("GET", "/v1/members".into(), None),
        ("GET", format!("/v1/members/{member}"), None),
        (
            "POST",
            "/v1/members".into(),
            Some(json!({"email": "new@example.com"})),
        ),
        (
            "PATCH",
            format!("/v1/members/{member}"),
            Some(json!({"crm_access": true})),
        ),
        ("POST", format!("/v1/members/{member}/suspend"), None),
        ("DELETE", format!("/v1/members/{member}"), None),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_refuses_a_key_that_is_missing_revoked_expired_wrong_scope_or_elsewhere() {
    each_engine(|app| async move {
        let engine = app.engine;
        let acme = app.acme_with_bob().await;
        let admin = &acme.admin;
        let s = &app.state;
        let all = ["check", "members:read", "members:write"];
        let revoked = key(&app, admin, "Revoked", &all, "").await;
        let revoked_id = api_keys::list(s.db.conn(), admin).await.unwrap()[0].id;
        api_keys::revoke(s, admin, &meta(None), revoked_id)
            .await
            .unwrap();
        let tomorrow = chrono::DateTime::from_timestamp_millis(app.clock_now() + 86_400_000)
            .unwrap()
            .format("%Y-%m-%d")
            .to_string();
        let expiring = key(&app, admin, "Expiring", &all, &tomorrow).await;
        let scim_only = key(&app, admin, "SCIM", &["scim"], "").await;
        app.tenant_with_admin("Globex", "hank@globex.example").await;
        let (hank, _) = common::actor(&app, "hank@globex.example", common::PASSWORD).await;
        let globex = key(&app, &hank, "Globex", &all, "").await;
        app.clock.advance_ms(3 * 86_400_000);
        let before = common::dump(&app).await;
        for (method, path, body) in routes(acme.user_id) {
            for (case, secret, wanted) in [
                ("missing", None, StatusCode::UNAUTHORIZED),
                (
                    "a guess",
                    Some("gatehouse_not-a-key"),
                    StatusCode::UNAUTHORIZED,
                ),
                ("revoked", Some(revoked.as_str()), StatusCode::UNAUTHORIZED),
                ("expired", Some(expiring.as_str()), StatusCode::UNAUTHORIZED),
                (
                    "wrong scope",
                    Some(scim_only.as_str()),
                    StatusCode::FORBIDDEN,
                ),
            ] {
                let (status, problem, _, _) = call(&app, method, &path, secret, body.clone()).await;
                assert_eq!(status, wanted, "{engine} {method} {path} {case}: {problem}");
            }
            // Globex's key: Acme's member is nobody there (the check: not a member).
            let (status, answer, _, _) =
                call(&app, method, &path, Some(&globex), body.clone()).await;
            if path == "/v1/check" {
                assert_eq!(answer["reasons"][0]["code"], "not_a_member", "{engine}");
            } else if path.starts_with("/v1/members/") {
                assert_eq!(
                    status,
                    StatusCode::NOT_FOUND,
                    "{engine} {method} {path}: {answer}"
                );
            } else if method == "GET" {
                let emails: Vec<&str> = answer["data"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|m| m["email"].as_str().unwrap())
                    .collect();
                assert_eq!(emails, vec!["hank@globex.example"], "{engine}");
            }
        }
        // Nothing of Acme changed (Globex's key invited into Globex, and the check
        // logged a decision there).
        let after = common::dump(&app).await;
        let acme_rows = |dump: &str| {
            dump.lines()
                .filter(|l| l.contains("example.com") && !l.contains("new@example.com"))
                // Globex's own decision, asked with its key named "Globex".
                .filter(|l| !(l.starts_with("check_decisions: ") && l.contains("Globex")))
                .map(str::to_string)
                .collect::<Vec<_>>()
        };
        assert_eq!(acme_rows(&before), acme_rows(&after), "{engine}");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn members_are_managed_through_the_api_as_in_settings_users() {
    each_engine(|app| async move {
        let engine = app.engine;
        let acme = app.acme_with_bob().await;
        let admin = &acme.admin;
        let s = &app.state;
        let secret = key(
            &app,
            admin,
            "HR sync",
            &["members:read", "members:write"],
            "",
        )
        .await;
        let k = Some(secret.as_str());

        // List, with filters and paging.
        let (status, list, _, _) = call(&app, "GET", "/v1/members", k, None).await;
        assert_eq!(status, StatusCode::OK, "{engine}: {list}");
        assert_eq!(list["total"], 2, "{engine}: {list}");
        let (_, users, _, _) = call(&app, "GET", "/v1/members?role=user", k, None).await;
        assert_eq!(
            users["data"][0]["email"], "bob@example.com",
            "{engine}: {users}"
        );
        assert_eq!(users["data"].as_array().unwrap().len(), 1, "{engine}");
        // An empty filter filters nothing.
        let (_, all, _, _) = call(&app, "GET", "/v1/members?role=&status=&search=", k, None).await;
        assert_eq!(all["total"], 2, "{engine}: {all}");
        let (status, bad, _, _) = call(&app, "GET", "/v1/members?status=gone", k, None).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{engine}");
        assert_eq!(bad["errors"][0]["field"], "status", "{engine}: {bad}");
        // A control character (a NUL broke the databases' text) gets a sentence.
        let (status, bad, _, _) = call(&app, "GET", "/v1/members?search=a%00b", k, None).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{engine}");
        assert_eq!(bad["errors"][0]["field"], "search", "{engine}: {bad}");
        // `after` is a member id: empty is not one.
        let (status, bad, _, _) = call(&app, "GET", "/v1/members?after=", k, None).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{engine}");
        assert_eq!(bad["errors"][0]["field"], "after", "{engine}: {bad}");
        app.state
            .db
            .conn()
            .execute_unprepared("UPDATE tenants SET seat_limit = 100")
            .await
            .unwrap();
        for i in 0..30 {
            app::backend::members::invite(
                s,
                admin,
                &meta(None),
                common::invite_input(&format!("p{i}@example.com")),
            )
            .await
            .unwrap();
        }
        let (_, first, _, _) = call(&app, "GET", "/v1/members", k, None).await;
        let after = first["next_after"].as_i64().expect("a next page");
        let (_, second, _, _) =
            call(&app, "GET", &format!("/v1/members?after={after}"), k, None).await;
        assert_eq!(first["data"].as_array().unwrap().len(), 25, "{engine}");
        assert_eq!(second["data"].as_array().unwrap().len(), 7, "{engine}");
        assert!(second["next_after"].is_null(), "{engine}: {second}");

        // Get one.
        let bob = format!("/v1/members/{}", acme.user_id);
        let (status, member, _, _) = call(&app, "GET", &bob, k, None).await;
        assert_eq!(status, StatusCode::OK, "{engine}");
        assert_eq!(
            (
                member["email"].clone(),
                member["role"].clone(),
                member["status"].clone()
            ),
            (json!("bob@example.com"), json!("user"), json!("active")),
            "{engine}"
        );
        let (status, _, _, _) = call(&app, "GET", "/v1/members/999999", k, None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{engine}");
        let (status, _, _, _) = call(&app, "GET", "/v1/members/abc", k, None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{engine}");

        // Invite: 201 with where to find them; audited as the key.
        let (status, new, _, location) = call(
            &app,
            "POST",
            "/v1/members",
            k,
            Some(json!({"email": "Carol@Example.com", "role": "user"})),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{engine}: {new}");
        assert_eq!(new["status"], "invited", "{engine}");
        assert_eq!(
            location,
            Some(format!("/v1/members/{}", new["id"])),
            "{engine}"
        );
        assert!(
            !app.mail_to("carol@example.com").await.is_empty(),
            "{engine}"
        );
        let audit = app::backend::audit::list(s.db.conn(), admin.tenant.id, "carol", None)
            .await
            .unwrap();
        assert_eq!(
            audit.rows[0].actor, "ada@example.com via API key “HR sync”",
            "{engine}"
        );
        // Bad input: a sentence on the field, nothing written.
        let before = common::dump(&app).await;
        for (body, field) in [
            (json!({"email": "not an email"}), "email"),
            (json!({"email": "dan@example.com", "role": "owner"}), "role"),
            (json!({"email": "dan@example.com", "admin": true}), "body"),
            (json!({"email": "bob@example.com"}), "email"),
        ] {
            let (status, problem, _, _) = call(&app, "POST", "/v1/members", k, Some(body)).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{engine}: {problem}");
            assert_eq!(problem["errors"][0]["field"], field, "{engine}: {problem}");
        }
        assert_eq!(before, common::dump(&app).await, "{engine}");

        // Update the fields given; the rest stay.
        let (status, changed, _, _) = call(
            &app,
            "PATCH",
            &bob,
            k,
            Some(json!({"crm_access": true, "permissions": ["analytics.view"]})),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{engine}: {changed}");
        assert_eq!(changed["crm_access"], true, "{engine}");
        assert_eq!(
            changed["permissions"],
            json!(["analytics.view"]),
            "{engine}"
        );
        assert_eq!(changed["role"], "user", "{engine}");
        let (status, problem, _, _) = call(
            &app,
            "PATCH",
            &bob,
            k,
            Some(json!({"permissions": ["analytics.fly"]})),
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{engine}");
        assert_eq!(problem["errors"][0]["field"], "permissions", "{engine}");

        // Suspend, then delete.
        let (status, suspended, _, _) =
            call(&app, "POST", &format!("{bob}/suspend"), k, None).await;
        assert_eq!(status, StatusCode::OK, "{engine}: {suspended}");
        assert_eq!(suspended["status"], "suspended", "{engine}");
        let (status, _, _, _) = call(&app, "DELETE", &bob, k, None).await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{engine}");
        let (status, _, _, _) = call(&app, "GET", &bob, k, None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{engine}");
        // The key may not remove the person it acts for.
        let (status, problem, _, _) = call(
            &app,
            "DELETE",
            &format!("/v1/members/{}", admin.membership.id),
            k,
            None,
        )
        .await;
        assert!(status.is_client_error(), "{engine}: {problem}");
    })
    .await;
}

/// A key acts for its creator: no more than they hold, and nothing once they leave.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_holds_no_more_than_the_member_who_made_it() {
    each_engine(|app| async move {
        let engine = app.engine;
        let admin = app.acme_admin().await;
        let s = &app.state;
        let (carol_id, carol_token) = app.join(&admin, "carol@example.com", "Carol").await;
        app::backend::members::adjust(s, &admin, &meta(None), carol_id, |u| {
            u.permissions = vec![
                Permission::new(Category::Users, Action::Manage),
                Permission::new(Category::Integrations, Action::Manage),
            ]
        })
        .await
        .unwrap();
        let carol = app::backend::kernel::actor::current_actor(s, &meta(Some(carol_token)))
            .await
            .unwrap();
        let secret = key(
            &app,
            &carol,
            "Carol's",
            &["members:read", "members:write"],
            "",
        )
        .await;
        let k = Some(secret.as_str());
        // She may invite users, not admins, and may not change her own access.
        let (status, _, _, _) = call(
            &app,
            "POST",
            "/v1/members",
            k,
            Some(json!({"email": "dan@example.com"})),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{engine}");
        let (status, problem, _, _) = call(
            &app,
            "POST",
            "/v1/members",
            k,
            Some(json!({"email": "eve@example.com", "role": "admin"})),
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{engine}: {problem}");
        let (status, problem, _, _) = call(
            &app,
            "PATCH",
            &format!("/v1/members/{carol_id}"),
            k,
            Some(json!({"role": "admin"})),
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{engine}: {problem}");
        // Nor touch an admin.
        let (zed_id, _) = app.join(&admin, "zed@example.com", "Zed").await;
        app::backend::members::adjust(s, &admin, &meta(None), zed_id, |u| {
            u.role = app::domain::Role::Admin
        })
        .await
        .unwrap();
        let (status, problem, _, _) = call(
            &app,
            "POST",
            &format!("/v1/members/{zed_id}/suspend"),
            k,
            None,
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{engine}: {problem}");
        // Once she is suspended, her key acts for nobody.
        app::backend::members::adjust(s, &admin, &meta(None), carol_id, |u| {
            u.status = app::domain::MembershipStatus::Suspended
        })
        .await
        .unwrap();
        let (status, problem, _, _) = call(&app, "GET", "/v1/members", k, None).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{engine}: {problem}");
        assert!(
            problem["detail"]
                .as_str()
                .unwrap()
                .contains("carol@example.com"),
            "{engine}: {problem}"
        );
        // A plan without API keys stops every key.
        let all = key(&app, &admin, "Admin's", &["members:read"], "").await;
        app::backend::tenant::operator::set_plan(&s.db, app.clock_now(), "Acme", "free", None)
            .await
            .unwrap();
        let (status, problem, _, _) = call(&app, "GET", "/v1/members", Some(&all), None).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{engine}: {problem}");
        assert!(
            problem["detail"].as_str().unwrap().contains("plan"),
            "{engine}: {problem}"
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_past_its_requests_per_minute_waits_as_told() {
    let app = TestApp::with_settings("sqlite", |s| s.api_requests_per_key_per_minute = 3).await;
    let admin = app.acme_admin().await;
    let secret = key(&app, &admin, "Busy", &["members:read"], "").await;
    let other = key(&app, &admin, "Quiet", &["members:read"], "").await;
    for _ in 0..3 {
        let (status, _, _, _) = call(&app, "GET", "/v1/members", Some(&secret), None).await;
        assert_eq!(status, StatusCode::OK);
    }
    let (status, problem, retry, _) = call(&app, "GET", "/v1/members", Some(&secret), None).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{problem}");
    let retry: u64 = retry.expect("Retry-After").parse().unwrap();
    assert!((1..=20).contains(&retry), "{retry}");
    assert_eq!(problem["type"], "urn:gatehouse:problem:rate-limited");
    // Another key has its own allowance.
    let (status, _, _, _) = call(&app, "GET", "/v1/members", Some(&other), None).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_openapi_document_covers_every_route_and_has_a_page() {
    let app = TestApp::new("sqlite").await;
    let res = app
        .send(
            Request::get("/v1/openapi.json")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    let (status, text, _) = common::split(res).await;
    assert_eq!(status, StatusCode::OK);
    let doc: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    let mut operations = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            operations.push(format!("{} {path}", method.to_uppercase()));
        }
    }
    operations.sort();
    let mut wanted: Vec<String> = routes(0)
        .into_iter()
        .map(|(m, p, _)| format!("{m} {}", p.replace("/0", "/{id}")))
        .collect();
    wanted.sort();
    assert_eq!(operations, wanted);
    assert!(
        doc["components"]["securitySchemes"]["api_key"].is_object(),
        "{doc}"
    );
    assert!(doc["components"]["schemas"]["Problem"].is_object(), "{doc}");
    let res = app
        .send(Request::get("/v1/docs").body(Body::empty()).unwrap())
        .await;
    let policy = res.headers()["content-security-policy"].to_str().unwrap();
    assert!(
        policy.contains("style-src 'self'") && !policy.contains("script-src"),
        "{policy}"
    );
    let (status, page, _) = common::split(res).await;
    assert_eq!(status, StatusCode::OK);
    for needle in [
        "Gatehouse API reference",
        "/v1/members/{id}",
        "Invite a member",
        "openapi.json",
        "<code>next_after</code>",
        "/v1/docs.css",
    ] {
        assert!(page.contains(needle), "{needle}");
    }
    // Its style is a file: the security headers allow no inline style.
    let res = app
        .send(Request::get("/v1/docs.css").body(Body::empty()).unwrap())
        .await;
    assert_eq!(res.headers()["content-type"], "text/css");
}
