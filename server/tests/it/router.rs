//! Router tests: every server function refuses anonymous and cross-site callers,
//! sign-in/sign-out over HTTP, headers, pages before hydration.

use crate::common::{self, each_engine, password_step, split, TestApp, ORIGIN, PASSWORD};
use app::domain::AppError;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

/// Every server function the app registers, as `/api/<name>` paths.
fn server_fn_paths() -> Vec<String> {
    let mut paths: Vec<String> = leptos::server_fn::axum::server_fn_paths()
        .map(|(p, _)| p.to_string())
        .collect();
    paths.sort();
    paths.dedup();
    paths
}

#[test]
fn inventory_sees_the_server_functions() {
    let paths = server_fn_paths();
    for expected in [
        "/api/sign_in",
        "/api/sign_out",
        "/api/current_user",
        "/api/switch_tenant",
        "/api/list_members",
    ] {
        assert!(
            paths.iter().any(|p| p == expected),
            "{expected} missing from {paths:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_server_function_refuses_anonymous_callers() {
    let app = TestApp::new("sqlite").await;
    for path in server_fn_paths() {
        if app::api::ANONYMOUS_ENDPOINTS.contains(&path.as_str()) {
            continue; // sign-in and the invite token pages are the doors open to anonymous callers
        }
        let endpoint = path.trim_start_matches("/api/");
        let (status, body, _) = app.call(endpoint, &[("tenant_id", "1")], None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{path}: {body}");
        assert_eq!(body, "\"Unauthenticated\"", "{path}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_server_function_refuses_cross_site_callers() {
    let app = TestApp::new("sqlite").await;
    let cookie = app.acme_signed_in().await;
    for path in server_fn_paths() {
        for (name, value) in [
            ("origin", "https://evil.example"),
            ("sec-fetch-site", "cross-site"),
            ("x-nothing", "1"),
        ] {
            let request = Request::post(&path)
                .header("content-type", "application/x-www-form-urlencoded")
                .header("cookie", &cookie)
                .header(name, value)
                .body(Body::from(common::encode_form(&[
                    ("email", "ada@example.com"),
                    ("password", PASSWORD),
                ])))
                .unwrap();
            let (status, body, cookies) = split(app.send(request).await).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{path} with {name}");
            assert!(body.contains("another site"), "{path}: {body}");
            assert!(cookies.is_empty());
        }
    }
    // The session survived all of it: nothing changed.
    let (status, body, _) = app.call("current_user", &[], Some(&cookie)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_sets_a_safe_cookie_and_sign_out_kills_the_session() {
    each_engine(|app| async move {
        let engine = app.engine;
        app.tenant_with_admin("Acme", "ada@example.com").await;
        let (status, body, cookies) = app
            .call(
                "sign_in",
                &[
                    ("email", "ada@example.com"),
                    ("password", PASSWORD),
                    ("next", "/settings/users"),
                ],
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body, "\"/settings/users\"");
        let set_cookie = cookies
            .iter()
            .find(|c| c.starts_with("gatehouse_session="))
            .unwrap();
        assert!(set_cookie.contains("HttpOnly"), "{set_cookie}");
        assert!(set_cookie.contains("SameSite=Lax"), "{set_cookie}");
        assert!(set_cookie.contains("Path=/"), "{set_cookie}");
        let cookie = common::session_cookie(&cookies).unwrap();

        let (status, body, _) = app.call("current_user", &[], Some(&cookie)).await;
        assert_eq!(status, StatusCode::OK);
        let me: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(me["email"], "ada@example.com");
        assert_eq!(me["tenant_name"], "Acme");
        assert_eq!(me["tenant_kind"], "production");
        assert!(!body.contains("argon2"), "no hash on the wire");

        let (status, _, cookies) = app.call("sign_out", &[], Some(&cookie)).await;
        assert_eq!(status, StatusCode::OK);
        assert!(cookies
            .iter()
            .any(|c| c.starts_with("gatehouse_session=;") && c.contains("Max-Age=0")));
        // Replaying the old cookie gets 401.
        let (status, _, _) = app.call("current_user", &[], Some(&cookie)).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{engine}");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redirect_after_sign_in_is_relative_only() {
    let app = TestApp::new("sqlite").await;
    app.tenant_with_admin("Acme", "ada@example.com").await;
    for next in ["https://evil.example/", "//evil.example", "/\\evil.example"] {
        let (status, body, _) = app
            .call(
                "sign_in",
                &[
                    ("email", "ada@example.com"),
                    ("password", PASSWORD),
                    ("next", next),
                ],
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body, "\"/\"", "{next}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_password_and_unknown_email_look_the_same() {
    let app = TestApp::new("sqlite").await;
    app.tenant_with_admin("Acme", "ada@example.com").await;
    let a = app
        .call(
            "sign_in",
            &[
                ("email", "ada@example.com"),
                ("password", "wrong password!"),
            ],
            None,
        )
        .await;
    let b = app
        .call(
            "sign_in",
            &[
                ("email", "nobody@example.com"),
                ("password", "wrong password!"),
            ],
            None,
        )
        .await;
    assert_eq!(a.0, StatusCode::UNAUTHORIZED);
    assert_eq!((a.0, &a.1), (b.0, &b.1));
    assert!(a.2.is_empty() && b.2.is_empty(), "no cookie on refusal");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_gets_a_sentence_and_changes_nothing() {
    let app = TestApp::new("sqlite").await;
    app.tenant_with_admin("Acme", "ada@example.com").await;
    let huge = "x".repeat(10_000);
    let cases: Vec<Vec<(&str, &str)>> = vec![
        vec![("email", ""), ("password", "")],
        vec![("email", "not an email"), ("password", "whatever123")],
        vec![("email", &huge), ("password", "whatever123")],
        vec![("password", "no email field")],
    ];
    for form in cases {
        let (status, body, cookies) = app.call("sign_in", &form, None).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{form:?}: {body}");
        let err: app::domain::AppError = serde_json::from_str(&body).unwrap();
        assert!(!err.to_string().is_empty());
        assert!(
            !body.to_lowercase().contains("sql") && !body.contains("panicked"),
            "{body}"
        );
        assert!(cookies.is_empty());
    }
    // A body over the limit is refused before it reaches any code.
    let big = format!("email=a%40b.com&password={}", "x".repeat(100_000));
    let request = Request::post("/api/sign_in")
        .header("content-type", "application/x-www-form-urlencoded")
        .header("origin", ORIGIN)
        .header("content-length", big.len().to_string())
        .body(Body::from(big))
        .unwrap();
    assert_eq!(
        app.send(request).await.status(),
        StatusCode::PAYLOAD_TOO_LARGE
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plain_form_posts_work_without_javascript() {
    let app = TestApp::new("sqlite").await;
    app.tenant_with_admin("Acme", "ada@example.com").await;
    let post = |form: String| {
        Request::post("/api/sign_in")
            .header("content-type", "application/x-www-form-urlencoded")
            .header("origin", ORIGIN)
            .header("accept", "text/html,application/xhtml+xml")
            .header("referer", format!("{ORIGIN}/sign-in"))
            .body(Body::from(form))
            .unwrap()
    };
    let ok = app
        .send(post(common::encode_form(&[
            ("email", "ada@example.com"),
            ("password", PASSWORD),
            ("next", "/settings/tenant"),
        ])))
        .await;
    assert_eq!(ok.status(), StatusCode::FOUND);
    assert_eq!(ok.headers()["location"], "/settings/tenant");
    assert!(ok
        .headers()
        .get_all("set-cookie")
        .iter()
        .any(|c| c.to_str().unwrap().starts_with("gatehouse_session=")));

    let refused = app
        .send(post(common::encode_form(&[
            ("email", "ada@example.com"),
            ("password", "wrong one!"),
        ])))
        .await;
    assert_eq!(refused.status(), StatusCode::FOUND);
    let location = refused.headers()["location"].to_str().unwrap().to_string();
    assert!(
        location.contains("/sign-in") && location.contains("__err="),
        "{location}"
    );
    // The page it lands on shows the refusal in an alert, rendered on the server.
    let path = location.trim_start_matches(ORIGIN);
    let (status, html, _) = split(
        app.send(Request::get(path).body(Body::empty()).unwrap())
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("role=\"alert\""), "alert element");
    assert!(
        html.contains("match an account that can sign in"),
        "refusal text rendered before hydration"
    );
    assert!(location.contains("__sig="), "{location}");
    // The same link with another error in it, or after five minutes, is no longer
    // taken at its word.
    let tampered = {
        use leptos::server_fn::error::ServerFnUrlError;
        let crafted = ServerFnUrlError::new("/api/sign_in", AppError::Forbidden("Call 555".into()))
            .to_url("http://x/")
            .unwrap();
        let err = crafted
            .query_pairs()
            .find(|(k, _)| k == "__err")
            .unwrap()
            .1
            .to_string();
        let (base, query) = path.split_once('?').unwrap();
        let pairs: Vec<String> = url::form_urlencoded::parse(query.as_bytes())
            .map(|(k, v)| {
                let v = if k == "__err" {
                    err.clone()
                } else {
                    v.to_string()
                };
                format!(
                    "{k}={}",
                    url::form_urlencoded::byte_serialize(v.as_bytes()).collect::<String>()
                )
            })
            .collect();
        format!("{base}?{}", pairs.join("&"))
    };
    let res = app
        .send(Request::get(tampered.as_str()).body(Body::empty()).unwrap())
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{tampered}");
    app.clock.advance_secs(301);
    let res = app
        .send(Request::get(path).body(Body::empty()).unwrap())
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "an old signed link");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_error_carried_in_a_link_shows_only_fixed_sentences() {
    use leptos::server_fn::error::ServerFnUrlError;
    let app = TestApp::new("sqlite").await;
    let crafted = |error: AppError| {
        ServerFnUrlError::new("/api/sign_in", error)
            .to_url(&format!("{ORIGIN}/sign-in?next=%2Faccount"))
            .unwrap()
            .to_string()
            .trim_start_matches(ORIGIN)
            .to_string()
    };
    for error in [
        AppError::Forbidden("Your account is frozen. Call +1 555 0100 now.".into()),
        AppError::field("email", "Your account is frozen. Call +1 555 0100 now."),
        AppError::Internal("0; call +1 555 0100 now".into()),
    ] {
        let link = crafted(error);
        let res = app
            .send(Request::get(link.as_str()).body(Body::empty()).unwrap())
            .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{link}");
        let location = res.headers()["location"].to_str().unwrap().to_string();
        assert!(
            location.starts_with("/sign-in?next=%2Faccount"),
            "{location}"
        );
        let (status, html, _) = split(
            app.send(Request::get(location.as_str()).body(Body::empty()).unwrap())
                .await,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{location}");
        // The crafted words, not "555" alone: a page's random nonce or session id
        // may hold those digits by chance (it did once in CI).
        for crafted in ["frozen", "555 0100"] {
            let at = html
                .find(crafted)
                .map(|i| &html[i.saturating_sub(80)..(i + 80).min(html.len())]);
            assert!(
                at.is_none(),
                "crafted text shown from {location}: …{}…",
                at.unwrap_or_default()
            );
        }
        // The fixed link is stable: asking for it again is not redirected.
        let again = app
            .send(Request::get(location.as_str()).body(Body::empty()).unwrap())
            .await;
        assert_eq!(again.status(), StatusCode::OK);
    }
    // Undecodable error text is replaced too.
    let res = app
        .send(
            Request::get("/sign-in?__path=/api/sign_in&__err=Q2FsbCA1NTU")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    // A genuine refusal still reads as itself.
    let genuine = crafted(AppError::SignInRefused);
    let (status, html, _) = split(
        app.send(Request::get(genuine.as_str()).body(Body::empty()).unwrap())
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("match an account that can sign in"));
}

/// A page's body, after checking it is never stored and carries its own policy
/// whose nonce is the one on its inline scripts (without it, the page never hydrates).
async fn page_with_its_own_policy(response: axum::response::Response) -> String {
    let h = response.headers().clone();
    assert_eq!(h["cache-control"], "no-store");
    let csp = h["content-security-policy"].to_str().unwrap().to_string();
    for needle in [
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "'wasm-unsafe-eval'",
        "'nonce-",
    ] {
        assert!(csp.contains(needle), "CSP lacks {needle}: {csp}");
    }
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .unwrap()
        .split('\'')
        .next()
        .unwrap();
    let (_, html, _) = split(response).await;
    assert!(
        html.contains(&format!("nonce=\"{nonce}\"")),
        "hydration script carries the CSP nonce"
    );
    // The bundle is fetched only after the first paint (Lighthouse counts a preloaded
    // bundle as delaying the largest paint): no preload hints, and the script waits
    // for the next frame.
    assert!(
        !html.contains("rel=\"preload\"") && !html.contains("rel=\"modulepreload\""),
        "a page preloads its bundle"
    );
    assert!(
        html.contains("requestAnimationFrame(() => setTimeout(hydrate, 0))"),
        "hydration waits for the first paint"
    );
    html
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_carry_security_headers() {
    let app = TestApp::new("sqlite").await;
    let response = app
        .send(Request::get("/sign-in").body(Body::empty()).unwrap())
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let h = response.headers().clone();
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert!(h.contains_key("referrer-policy"));
    assert!(!h.contains_key("server"));
    let html = page_with_its_own_policy(response).await;
    for label in [
        "<label for=\"email\">Email</label>",
        "<label for=\"password\">Password</label>",
        "Forgot password?",
        "Sign in",
    ] {
        assert!(html.contains(label), "sign-in page lacks {label}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signed_in_pages_redirect_anonymous_visitors_and_render_for_members() {
    let app = TestApp::new("sqlite").await;
    app.tenant_with_admin("Acme", "ada@example.com").await;
    let page = Request::get("/settings/tenant")
        .header("accept", "text/html")
        .body(Body::empty())
        .unwrap();
    let response = app.send(page).await;
    assert!(response.status().is_redirection(), "{}", response.status());
    assert_eq!(
        response.headers()["location"],
        "/sign-in?next=/settings/tenant"
    );

    let cookie = app.sign_in("ada@example.com", PASSWORD).await;
    let request = Request::get("/settings/tenant")
        .header("cookie", &cookie)
        .body(Body::empty())
        .unwrap();
    let response = app.send(request).await;
    assert_eq!(response.status(), StatusCode::OK);
    let html = page_with_its_own_policy(response).await;
    assert!(html.contains("data-testid=\"tenant-indicator\""));
    assert!(html.contains("Production"));
    assert!(
        html.contains("1 of 25 seats used"),
        "seat count rendered on the server"
    );
    assert!(html.contains("ada@example.com"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_pages_are_a_friendly_404() {
    let app = TestApp::new("sqlite").await;
    let response = app
        .send(Request::get("/no/such/page").body(Body::empty()).unwrap())
        .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let html = page_with_its_own_policy(response).await;
    assert!(html.contains("Page not found"));
}

/// `/healthz` is liveness (the process answers, database or not); `/readyz` is 200
/// only while the database answers with this build's schema; a failure's
/// "Reference: …" is the request's id, which every answer carries and which a
/// trusted proxy may give.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn liveness_readiness_and_the_request_id_in_a_failure() {
    let proxy = std::net::IpAddr::from([10, 0, 0, 7]);
    let app = TestApp::with_settings("sqlite", |s| s.trusted_proxies = vec![proxy]).await;
    app.tenant_with_admin("Acme", "ada@example.com").await;
    let cookie = app.sign_in("ada@example.com", PASSWORD).await;
    let get = |path: &str| Request::get(path).body(Body::empty()).unwrap();
    for path in ["/healthz", "/readyz"] {
        let response = app.send(get(path)).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
    }
    let id_of = |response: &axum::http::Response<Body>| {
        response
            .headers()
            .get("x-request-id")
            .and_then(|v| v.to_str().ok())
            .map(String::from)
            .expect("every answer carries its request id")
    };
    let first = id_of(&app.send(get("/sign-in")).await);
    let second = id_of(&app.send(get("/sign-in")).await);
    assert_ne!(first, second);
    assert_eq!(first.len(), 19, "{first}");
    // An id from anyone but a trusted proxy is not believed.
    let mut claimed = get("/sign-in");
    claimed
        .headers_mut()
        .insert("x-request-id", "0123456789abcdef".parse().unwrap());
    assert_ne!(id_of(&app.send(claimed).await), "0123456789abcdef");

    // The database goes away: liveness still answers, readiness says why not, and a
    // request that fails shows its id as the reference.
    app.state.db.clone().close().await;
    assert_eq!(app.send(get("/healthz")).await.status(), StatusCode::OK);
    let (status, body, _) = split(app.send(get("/readyz")).await).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(body, "database unreachable");
    let nginx_id = "3f2a9c1be07d4a51b2c8e0f9a6d7c4e1";
    let mut request = Request::post("/api/list_members")
        .header("content-type", "application/json")
        .header("origin", ORIGIN)
        .header("accept", "application/json")
        .header("cookie", &cookie)
        .header("x-request-id", nginx_id)
        .body(Body::from("{}"))
        .unwrap();
    request
        .extensions_mut()
        .insert(axum::extract::ConnectInfo(std::net::SocketAddr::from((
            proxy, 40_000,
        ))));
    let response = app.send(request).await;
    assert_eq!(id_of(&response), nginx_id);
    let (status, body, _) = split(response).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR, "{body}");
    // The page shows the error's sentence, which ends with the reference.
    let error: AppError = serde_json::from_str(&body).unwrap();
    assert_eq!(error, AppError::Internal(nginx_id.into()));
    assert!(error
        .to_string()
        .ends_with(&format!("Reference: {nginx_id}")));
    assert!(!body.to_lowercase().contains("pool"), "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn members_of_one_tenant_never_see_another() {
    each_engine(|app| async move {
        let engine = app.engine;
        app.tenant_with_admin("Acme", "ada@example.com").await;
        app.tenant_with_admin("Globex", "hank@globex.example").await;
        let cookie = app.sign_in("ada@example.com", PASSWORD).await;
        let (status, body, _) = app
            .call_json(
                "list_members",
                r#"{"query":{"search":"","status":null,"role":null,"page":0}}"#,
                &cookie,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(body.contains("ada@example.com"));
        assert!(!body.contains("globex"), "{engine}: {body}");
        // Another tenant's member and template ids answer exactly like ids that don't exist.
        let globex_member = app::backend::entities::memberships::Entity::find()
            .filter(app::backend::entities::memberships::Column::TenantId.eq(2))
            .one(app.state.db.conn())
            .await
            .unwrap()
            .unwrap()
            .id;
        for id in [globex_member, 987_654] {
            let update = format!(
                r#"{{"input":{{"id":{id},"email":"x@example.com","role":"user","status":"active","template_id":null,"crm_access":false,"permissions":[]}}}}"#
            );
            for (endpoint, body) in [
                ("update_member", update),
                ("delete_member", format!(r#"{{"member_id":{id}}}"#)),
                ("resend_invite", format!(r#"{{"member_id":{id}}}"#)),
            ] {
                let (status, answer, _) = app.call_json(endpoint, &body, &cookie).await;
                assert_eq!(
                    status,
                    StatusCode::NOT_FOUND,
                    "{engine} {endpoint} {id}: {answer}"
                );
                assert_eq!(answer, "\"NotFound\"");
            }
        }
        let hank = app::backend::entities::accounts::Entity::find()
            .filter(app::backend::entities::accounts::Column::Email.eq("hank@globex.example"))
            .one(app.state.db.conn())
            .await
            .unwrap();
        assert!(hank.is_some(), "nothing of Globex was touched");
        // A tenant id smuggled into the body is ignored: switching to a tenant you are
        // not a member of answers like a nonexistent one.
        let (status, body, _) = app
            .call("switch_tenant", &[("tenant_id", "2")], Some(&cookie))
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
        let (status, body, _) = app
            .call("switch_tenant", &[("tenant_id", "987654")], Some(&cookie))
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    })
    .await;
}

/// Every numeric field of every server function, fed out-of-range and malformed
/// values: the answer is a 4xx with a sentence, never a panic or a dropped connection.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn numeric_inputs_out_of_range_get_a_sentence_never_a_panic() {
    let app = TestApp::new("sqlite").await;
    let cookie = app.acme_signed_in().await;
    let values = ["0", "-1", "9223372036854775807", "1e20", "\"x\""];
    let json_calls: &[(&str, &str)] = &[
        (
            "list_members",
            r#"{"query":{"search":"","status":null,"role":null,"page":V}}"#,
        ),
        ("resend_invite", r#"{"member_id":V}"#),
        ("cancel_invite", r#"{"member_id":V}"#),
        ("delete_member", r#"{"member_id":V}"#),
        ("unlock_member", r#"{"member_id":V}"#),
        ("get_member_access", r#"{"member_id":V}"#),
        (
            "update_member",
            r#"{"input":{"id":V,"email":"x@example.com","role":"user","status":"active","template_id":null,"crm_access":false,"permissions":[]}}"#,
        ),
        (
            "update_member",
            r#"{"input":{"id":1,"email":"x@example.com","role":"user","status":"active","template_id":V,"crm_access":false,"permissions":[]}}"#,
        ),
        (
            "invite_member",
            r#"{"input":{"email":"new@example.com","role":"user","template_id":V,"crm_access":false}}"#,
        ),
        ("revoke_api_key", r#"{"key_id":V}"#),
        ("list_check_decisions", r#"{"query":{},"before_id":V}"#),
        ("rotate_webhook_secret", r#"{"endpoint_id":V}"#),
        ("delete_webhook", r#"{"endpoint_id":V}"#),
        ("send_test_webhook", r#"{"endpoint_id":V}"#),
        (
            "webhook_deliveries",
            r#"{"endpoint_id":V,"before_id":null}"#,
        ),
        ("webhook_deliveries", r#"{"endpoint_id":1,"before_id":V}"#),
        ("role_template_references", r#"{"id":V}"#),
        ("delete_role_template", r#"{"id":V,"reassign_to":null}"#),
        ("delete_role_template", r#"{"id":1,"reassign_to":V}"#),
        (
            "save_role_template",
            r#"{"input":{"id":V,"name":"T","permissions":[]}}"#,
        ),
        ("list_audit_events", r#"{"query":{},"before_id":V}"#),
        ("member_activity", r#"{"member_id":V,"older":null}"#),
        ("access_review", r#"{"id":V,"page":0}"#),
        ("offboard_preview", r#"{"member_id":V}"#),
        ("offboard_member", r#"{"member_id":V}"#),
        ("access_review", r#"{"id":1,"page":V}"#),
        ("member_activity", r#"{"member_id":1,"older":V}"#),
        (
            "preview_role_template_delete",
            r#"{"id":V,"reassign_to":null}"#,
        ),
        (
            "preview_role_template_delete",
            r#"{"id":1,"reassign_to":V}"#,
        ),
        (
            "preview_role_template",
            r#"{"input":{"id":V,"name":"T","permissions":[]}}"#,
        ),
    ];
    for (endpoint, template) in json_calls {
        for value in values {
            let body = template.replace('V', value);
            let (status, text, _) = app.call_json(endpoint, &body, &cookie).await;
            let wanted_ok = value == "0" && *endpoint == "list_members";
            if wanted_ok {
                assert_eq!(status, StatusCode::OK, "{endpoint} {value}: {text}");
                continue;
            }
            assert!(
                status.is_client_error() || status == StatusCode::OK,
                "{endpoint} {value}: {status} {text}"
            );
            if status.is_client_error() {
                let error: app::domain::AppError = serde_json::from_str(&text)
                    .unwrap_or_else(|e| panic!("{endpoint} {value}: {e}: {text}"));
                assert!(!error.to_string().is_empty());
            }
        }
    }
    for (endpoint, field) in [("end_session", "id"), ("switch_tenant", "tenant_id")] {
        for value in ["0", "-1", "9223372036854775807", "1e20", "x"] {
            let (status, text, _) = app.call(endpoint, &[(field, value)], Some(&cookie)).await;
            assert!(
                status.is_client_error(),
                "{endpoint} {value}: {status} {text}"
            );
        }
    }
    // The huge page number of the report: refused with the field's sentence.
    let (status, text, _) = app
        .call_json(
            "list_members",
            r#"{"query":{"search":"","status":null,"role":null,"page":400000000000000000}}"#,
            &cookie,
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{text}");
    assert!(text.contains("page number is out of range"), "{text}");
}

/// No GET changes anything: every page of the app, read anonymously, signed in and
/// half-way signed in (password given, two-factor set-up owed), leaves every table
/// exactly as it was.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reading_any_page_changes_nothing() {
    each_engine(|app| async move {
        let engine = app.engine;
        let signed_in = app.acme_signed_in().await;
        let input = serde_json::json!({ "input": common::invite_input("bob@example.com") });
        let (status, body, _) = app
            .call_json("invite_member", &input.to_string(), &signed_in)
            .await;
        assert_eq!(status, StatusCode::OK, "{engine}: {body}");
        let invite = app.mailed_token("bob@example.com", "invite").await;
        app.call(
            "request_password_reset",
            &[("email", "ada@example.com")],
            None,
        )
        .await;
        let reset = app.mailed_token("ada@example.com", "reset").await;
        app.tenant_with_admin("Beta", "carol@example.com").await;
        common::require_admin_two_factor(&app, "Beta").await;
        let (half_way, next) = password_step(&app, "carol@example.com", PASSWORD).await;
        assert!(next.contains("set-up-two-factor"), "{engine}: {next}");

        let mut paths: Vec<String> = server::http::route_list()
            .iter()
            .map(|r| {
                r.path().replace(
                    ":token",
                    if r.path().starts_with("/invite") {
                        &invite
                    } else {
                        &reset
                    },
                )
            })
            .collect();
        paths.extend(["/healthz", "/no/such/page", "/sign-in?next=%2Faccount"].map(String::from));
        assert!(paths.len() >= 12, "{engine}: {paths:?}");

        let before = common::dump(&app).await;
        for cookie in [None, Some(&signed_in), Some(&half_way)] {
            for path in &paths {
                let mut request = Request::get(path.as_str()).header("accept", "text/html");
                if let Some(cookie) = cookie {
                    request = request.header("cookie", cookie.as_str());
                }
                // `send` fails after 60 s naming the page, should a body never end.
                let (status, _, _) =
                    split(app.send(request.body(Body::empty()).unwrap()).await).await;
                assert!(
                    status.as_u16() < 500,
                    "{engine}: GET {path} answered {status}"
                );
            }
        }
        let after = common::dump(&app).await;
        assert!(before.lines().count() > 10, "{engine}: {before}");
        if before != after {
            let gone: Vec<&str> = before.lines().filter(|l| !after.contains(l)).collect();
            let new: Vec<&str> = after.lines().filter(|l| !before.contains(l)).collect();
            panic!("{engine}: GET changed the database\nbefore: {gone:#?}\nafter: {new:#?}");
        }
    })
    .await;
}

/// A refused attempt is in the tenant's audit log, in words, with who and from
/// where: called by the hydrated app (403) or posted as a plain form (a redirect
/// carrying the refusal).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refusals_are_in_the_tenants_audit_log() {
    each_engine(|app| async move {
        let engine = app.engine;
        let acme = app.acme_with_bob().await;
        let bob = app.sign_in("bob@example.com", "bob's passphrase!").await;
        let update = format!(
            r#"{{"input":{{"id":{},"email":"bob@example.com","role":"admin","status":"active","template_id":null,"crm_access":false,"permissions":[]}}}}"#,
            acme.user_id
        );
        let (status, body, _) = app.call_json("update_member", &update, &bob).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{engine}: {body}");
        let plain = Request::post("/api/set_require_admin_two_factor")
            .header("content-type", "application/x-www-form-urlencoded")
            .header("origin", ORIGIN)
            .header("accept", "text/html")
            .header("referer", format!("{ORIGIN}/settings/tenant"))
            .header("cookie", &bob)
            .body(Body::from("on=false"))
            .unwrap();
        let res = app.send(plain).await;
        assert!(res.status().is_redirection(), "{engine}: {}", res.status());
        let log = app::backend::audit::list(app.state.db.conn(), acme.admin.tenant.id, "", None)
            .await
            .unwrap();
        let refusals: Vec<(String, String, String)> = log
            .rows
            .iter()
            .filter(|r| r.action.starts_with("Refused"))
            .map(|r| (r.actor.clone(), r.target.clone(), r.action.clone()))
            .collect();
        assert_eq!(refusals.len(), 2, "{engine}: {refusals:?}");
        for (actor, _, _) in &refusals {
            assert!(actor.contains("bob@example.com"), "{engine}: {actor}");
        }
        let targets: Vec<&str> = refusals.iter().map(|r| r.1.as_str()).collect();
        assert!(targets.contains(&"change a member"), "{engine}: {targets:?}");
        assert!(
            targets.contains(&"change the tenant's sign-in security"),
            "{engine}: {targets:?}"
        );
        let rows = app::backend::entities::audit_events::Entity::find()
            .filter(app::backend::entities::audit_events::Column::Action.eq("access.denied"))
            .all(app.state.db.conn())
            .await
            .unwrap();
        assert!(rows.iter().all(|r| r.tenant_id == Some(acme.admin.tenant.id) && r.ip == "127.0.0.1"), "{engine}: {rows:?}");
    })
    .await;
}

/// Served over https (`GATEHOUSE_PUBLIC_URL=https://…`): the session cookie is
/// Secure with the `__Host-` prefix (no Domain, Path=/), pages and answers carry
/// HSTS with the rest of the security headers, and the cookie works.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn over_https_the_cookie_is_secure_and_hsts_is_sent() {
    let mut app = TestApp::new("sqlite").await;
    let mut settings = (*app.state.settings).clone();
    settings.public_url = "https://gatehouse.example".into();
    app.state.settings = std::sync::Arc::new(settings);
    app.tenant_with_admin("Acme", "ada@example.com").await;
    let form = common::encode_form(&[("email", "ada@example.com"), ("password", PASSWORD)]);
    let request = Request::post("/api/sign_in")
        .header("content-type", "application/x-www-form-urlencoded")
        .header("origin", "https://gatehouse.example")
        .header("accept", "application/json")
        .body(Body::from(form))
        .unwrap();
    let (status, body, cookies) = split(app.send(request).await).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let set_cookie = cookies
        .iter()
        .find(|c| c.starts_with("__Host-gatehouse_session="))
        .unwrap_or_else(|| panic!("{cookies:?}"));
    for part in ["; Secure", "HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(set_cookie.contains(part), "{part} missing: {set_cookie}");
    }
    assert!(
        !set_cookie.to_ascii_lowercase().contains("domain="),
        "{set_cookie}"
    );
    let cookie = set_cookie.split(';').next().unwrap().to_string();
    for path in ["/sign-in", "/settings/tenant", "/api/current_user"] {
        let request = if path.starts_with("/api/") {
            Request::post(path)
                .header("origin", "https://gatehouse.example")
                .header("content-type", "application/x-www-form-urlencoded")
        } else {
            Request::get(path)
        };
        let res = app
            .send(
                request
                    .header("cookie", &cookie)
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        let headers = res.headers();
        let hsts = headers["strict-transport-security"].to_str().unwrap();
        assert!(
            hsts.contains("max-age=") && hsts.contains("includeSubDomains"),
            "{path}: {hsts}"
        );
        assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
        let csp = headers["content-security-policy"].to_str().unwrap();
        for directive in [
            "object-src 'none'",
            "base-uri 'none'",
            "frame-ancestors 'none'",
        ] {
            assert!(csp.contains(directive), "{path}: {csp}");
        }
        assert!(headers.get("server").is_none(), "{path}");
    }
    // Over plain http the same server sends no HSTS.
    let plain = TestApp::new("sqlite").await;
    let res = plain
        .send(Request::get("/sign-in").body(Body::empty()).unwrap())
        .await;
    assert!(res.headers().get("strict-transport-security").is_none());
}

/// SECURITY.md 25 for role templates and the audit log: another tenant's template
/// id answers exactly like one that doesn't exist, wherever it is used (edit,
/// references, delete, reassign to, assign to a member); the audit log, paged from
/// any id, shows only the caller's tenant.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_tenants_templates_and_audit_rows_look_like_nothing() {
    each_engine(|app| async move {
        let engine = app.engine;
        let acme = app.acme_with_bob().await;
        app.tenant_with_admin("Globex", "hank@globex.example").await;
        let hank = common::actor(&app, "hank@globex.example", PASSWORD).await.0;
        let s = &app.state;
        let theirs = app::backend::templates::save(s, &hank, &common::meta(None), common::new_template("Globex Ops", vec![]))
            .await
            .unwrap();
        let ours = app::backend::templates::save(s, &acme.admin, &common::meta(None), common::new_template("Acme Ops", vec![]))
            .await
            .unwrap();
        let cookie = app.sign_in("ada@example.com", PASSWORD).await;
        let missing = 987_654;
        let calls = |id: i64| {
            vec![
                ("save_role_template", format!(r#"{{"input":{{"id":{id},"name":"Taken","permissions":[]}}}}"#)),
                ("role_template_references", format!(r#"{{"id":{id}}}"#)),
                ("delete_role_template", format!(r#"{{"id":{id},"reassign_to":null}}"#)),
                ("delete_role_template", format!(r#"{{"id":{ours},"reassign_to":{id}}}"#)),
                (
                    "update_member",
                    format!(
                        r#"{{"input":{{"id":{},"email":"bob@example.com","role":"user","status":"active","template_id":{id},"crm_access":false,"permissions":[]}}}}"#,
                        acme.user_id
                    ),
                ),
            ]
        };
        for ((endpoint, with_theirs), (_, with_missing)) in calls(theirs).into_iter().zip(calls(missing)) {
            let (status_theirs, body_theirs, _) = app.call_json(endpoint, &with_theirs, &cookie).await;
            let (status_missing, body_missing, _) = app.call_json(endpoint, &with_missing, &cookie).await;
            assert!(status_theirs.is_client_error(), "{engine} {endpoint}: {status_theirs} {body_theirs}");
            assert_eq!(
                (status_theirs, &body_theirs),
                (status_missing, &body_missing),
                "{engine} {endpoint}"
            );
            assert!(!body_theirs.contains("Globex"), "{engine} {endpoint}: {body_theirs}");
        }
        let their_template = app::backend::entities::role_templates::Entity::find_by_id(theirs)
            .one(s.db.conn())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(their_template.name, "Globex Ops", "{engine}: untouched");

        let newest_globex_row = app::backend::entities::audit_events::Entity::find()
            .filter(app::backend::entities::audit_events::Column::TenantId.ne(acme.admin.tenant.id))
            .all(s.db.conn())
            .await
            .unwrap()
            .iter()
            .map(|r| r.id)
            .max()
            .unwrap();
        let mut pages = Vec::new();
        for before in [newest_globex_row, newest_globex_row + 1, i64::from(i32::MAX)] {
            let (status, body, _) = app
                .call_json(
                    "list_audit_events",
                    &format!(r#"{{"query":{{}},"before_id":{before}}}"#),
                    &cookie,
                )
                .await;
            assert_eq!(status, StatusCode::OK, "{engine}: {body}");
            assert!(!body.contains("globex") && !body.contains("Globex"), "{engine}: {body}");
            pages.push(body);
        }
        assert!(pages[2].contains("ada@example.com"), "{engine}");
    })
    .await;
}

/// Building a router while another serves pages never stalls a page. Working out the
/// route list holds back every resource in the process while it runs; each router
/// used to work it out afresh, and a page whose resources started meanwhile never
/// finished its body (leptos issue 4773).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn building_a_router_beside_a_live_one_stalls_no_page() {
    let app = TestApp::new("sqlite").await;
    let cookie = app.acme_signed_in().await;
    let state = app.state.clone();
    let builder = std::thread::spawn(move || {
        for _ in 0..200 {
            drop(server::http::build_router(state.clone()));
        }
    });
    let mut pages = 0;
    while !builder.is_finished() || pages < 20 {
        let request = Request::get("/settings/users")
            .header("accept", "text/html")
            .header("cookie", &cookie)
            .body(Body::empty())
            .unwrap();
        let page = async { split(app.send(request).await).await };
        let (status, body, _) = tokio::time::timeout(std::time::Duration::from_secs(10), page)
            .await
            .unwrap_or_else(|_| panic!("page {pages} stalled while routers were built"));
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(body.contains("ada@example.com"), "{body}");
        pages += 1;
    }
    builder.join().unwrap();
}

/// The server's connections send each write at once (`TCP_NODELAY`): a page streamed
/// in several writes would otherwise hold a later one until the client's delayed
/// acknowledgement, some 40 ms.
#[tokio::test]
async fn the_servers_connections_send_without_delay() {
    use axum::serve::Listener;
    let mut listener = server::cli::listen(std::net::SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .unwrap();
    let address = listener.local_addr().unwrap();
    let client = tokio::net::TcpStream::connect(address).await.unwrap();
    let (stream, _) = listener.accept().await;
    assert!(stream.nodelay().unwrap(), "TCP_NODELAY is off");
    drop(client);
}

/// A signed-in page carries, under the ids the browser gives its resources as it
/// hydrates, the values of those resources, whatever the database's speed. On the
/// server, Suspense walks its children more than once before rendering, and a page
/// (or a card with its own resource) built inside a re-run closure was built again:
/// on PostgreSQL the Tenant page now and then carried its overview twice, under the
/// provisioning card's id, and the browser failed to hydrate it. (Copies after the
/// browser's ids, from a later walk, are never read.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signed_in_pages_carry_their_resources_under_the_browsers_ids() {
    each_engine(|app| async move {
        app.tenant_with_admin("Acme", "ada@example.com").await;
        let cookie = app.sign_in("ada@example.com", PASSWORD).await;
        for round in 0..10 {
            let request = Request::get("/settings/tenant")
                .header("cookie", &cookie)
                .body(Body::empty())
                .unwrap();
            let (status, html, _) = split(app.send(request).await).await;
            assert_eq!(status, StatusCode::OK);
            let value = |id: u32| {
                html.split(&format!("__RESOLVED_RESOURCES[{id}] = "))
                    .nth(1)
                    .and_then(|rest| rest.split("\";").next())
                    .unwrap_or_default()
                    .to_string()
            };
            // The frame's account, the page's overview, the provisioning card's settings.
            let (me, overview, provisioning) = (value(0), value(2), value(4));
            let at = format!("{}, render {round}", app.engine);
            assert!(me.contains("tenant_name"), "{at}: id 0 is {me}");
            assert!(overview.contains("seats_used"), "{at}: id 2 is {overview}");
            assert!(
                provisioning.contains("scim_invites"),
                "{at}: id 4 is {provisioning}"
            );
        }
    })
    .await;
}
