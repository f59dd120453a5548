//! How many SQL statements a signed-in read costs, counted on the connection: the
//! session is resolved once per request (the middleware and the server function
//! share it) in one statement, and the Users table reads in two or three more.

use crate::common::{each_engine, invite_input, meta, split, TestApp, ORIGIN, PASSWORD};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use tower::ServiceExt;

/// The app's router over a connection that counts its statements.
fn counted(app: &TestApp) -> (axum::Router, Arc<AtomicUsize>) {
    let statements = Arc::new(AtomicUsize::new(0));
    let seen = statements.clone();
    let state = app::backend::AppState {
        db: app.state.db.observed(move || {
            seen.fetch_add(1, Ordering::SeqCst);
        }),
        ..app.state.clone()
    };
    (server::http::build_router(state), statements)
}

async fn list_members(router: &axum::Router, cookie: &str, query: &str) -> (StatusCode, String) {
    let mut request = Request::post("/api/list_members")
        .header("content-type", "application/json")
        .header("origin", ORIGIN)
        .header("accept", "application/json")
        .header("cookie", cookie)
        .body(Body::from(format!(r#"{{"query":{query}}}"#)))
        .unwrap();
    request
        .extensions_mut()
        .insert(axum::extract::ConnectInfo(std::net::SocketAddr::from((
            [127, 0, 0, 1],
            40_000,
        ))));
    let (status, body, _) = split(router.clone().oneshot(request).await.unwrap()).await;
    (status, body)
}

#[tokio::test]
async fn a_signed_in_read_of_the_users_table_runs_at_most_four_statements_five_with_a_search() {
    each_engine(|app| async move {
        let engine = app.engine;
        app.tenant_with_admin("Acme", "ada@example.com").await;
        let cookie = app.sign_in("ada@example.com", PASSWORD).await;
        let (admin, _) = crate::common::actor(&app, "ada@example.com", PASSWORD).await;
        for email in ["bob@example.com", "carol@example.com"] {
            app::backend::members::invite(&app.state, &admin, &meta(None), invite_input(email))
                .await
                .unwrap();
        }
        let (router, statements) = counted(&app);
        // A search of three characters or more first asks the trigram index how many
        // accounts it matches (one more statement), to choose how to read the page.
        for (query, what, most) in [
            (
                r#"{"search":"","status":null,"role":null,"page":0}"#,
                "first page",
                4,
            ),
            (
                r#"{"search":"bo","status":null,"role":null,"page":0}"#,
                "a short search",
                4,
            ),
            (
                r#"{"search":"bob","status":null,"role":null,"page":0}"#,
                "a search",
                5,
            ),
            (
                r#"{"search":"","status":null,"role":"admin","page":0}"#,
                "a role filter",
                4,
            ),
            (
                r#"{"search":"","status":"invited","role":null,"page":0,"after":1000000}"#,
                "a Next link",
                4,
            ),
        ] {
            statements.store(0, Ordering::SeqCst);
            let (status, body) = list_members(&router, &cookie, query).await;
            assert_eq!(status, StatusCode::OK, "{engine} {what}: {body}");
            let n = statements.load(Ordering::SeqCst);
            assert!(n <= most, "{engine} {what}: {n} statements");
        }
        // Without a session: one statement, and refused.
        statements.store(0, Ordering::SeqCst);
        let (status, _) = list_members(
            &router,
            "gatehouse_session=nope",
            r#"{"search":"","status":null,"role":null,"page":0}"#,
        )
        .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{engine}");
        assert_eq!(statements.load(Ordering::SeqCst), 1, "{engine}");
    })
    .await;
}
