//! Test helpers: a fresh, migrated database per test (SQLite always, PostgreSQL too
//! when `GATEHOUSE_TEST_POSTGRES_URL` points at a server), and an in-process router.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use app::backend::kernel::clock::ManualClock;
use app::backend::kernel::db::Db;
use app::backend::kernel::passwords::PasswordHasher;
use app::backend::tenant::{create_tenant_with_admin, NewTenantWithAdmin};
use app::backend::{AppState, Settings};
use app::domain::{Plan, TenantKind};
use axum::body::Body;
use axum::http::{Request, Response, StatusCode};
use leptos::config::LeptosOptions;
use std::sync::{Arc, OnceLock};
use tower::ServiceExt;

pub const ORIGIN: &str = "http://127.0.0.1:3000";
pub const START_MS: i64 = 1_790_000_000_000;
pub const PASSWORD: &str = "a perfectly long passphrase";

pub struct TestApp {
    pub state: AppState,
    pub clock: ManualClock,
    pub engine: &'static str,
    _dir: tempfile::TempDir,
}

fn hasher() -> PasswordHasher {
    static HASHER: OnceLock<PasswordHasher> = OnceLock::new();
    HASHER
        .get_or_init(|| PasswordHasher::new(4).unwrap())
        .clone()
}

/// The database URLs each test runs against.
pub fn engines() -> Vec<&'static str> {
    let mut v = vec!["sqlite"];
    if std::env::var("GATEHOUSE_TEST_POSTGRES_URL").is_ok() {
        v.push("postgres");
    }
    v
}

/// A new, empty database on the PostgreSQL server of `GATEHOUSE_TEST_POSTGRES_URL`.
pub async fn fresh_postgres() -> Db {
    use sea_orm::{ConnectionTrait, Statement};
    let base = std::env::var("GATEHOUSE_TEST_POSTGRES_URL").unwrap();
    let admin = Db::connect(&base).await.unwrap();
    let name = format!("gh_test_{}", app::backend::kernel::crypto::reference_id());
    admin
        .conn()
        .execute(Statement::from_string(
            admin.conn().get_database_backend(),
            format!("CREATE DATABASE {name}"),
        ))
        .await
        .unwrap();
    let (prefix, _) = base.rsplit_once('/').unwrap();
    Db::connect(&format!("{prefix}/{name}")).await.unwrap()
}

impl TestApp {
    pub async fn new(engine: &'static str) -> TestApp {
        let dir = tempfile::tempdir().unwrap();
        let db = if engine == "postgres" {
            fresh_postgres().await
        } else {
            Db::connect(&format!("sqlite://{}/test.db", dir.path().display()))
                .await
                .unwrap()
        };
        db.migrate().await.unwrap();
        let clock = ManualClock::new(START_MS);
        let outbox = dir.path().join("outbox");
        let state = AppState {
            leptos_options: LeptosOptions::builder()
                .output_name("gatehouse")
                .site_root("target/site")
                .build(),
            db,
            hasher: hasher(),
            clock: Arc::new(clock.clone()),
            settings: Arc::new(Settings {
                outbox_dir: outbox,
                ..Settings::default()
            }),
        };
        TestApp {
            state,
            clock,
            engine,
            _dir: dir,
        }
    }

    pub async fn tenant_with_admin(&self, tenant: &str, email: &str) -> (i64, i64) {
        self.tenant_with_admin_kind(tenant, email, TenantKind::Production)
            .await
    }

    pub async fn tenant_with_admin_kind(
        &self,
        tenant: &str,
        email: &str,
        kind: TenantKind,
    ) -> (i64, i64) {
        let (t, a) = create_tenant_with_admin(
            &self.state.db,
            &self.state.hasher,
            &self.state.settings.password_policy,
            self.clock_now(),
            NewTenantWithAdmin {
                tenant_name: tenant.into(),
                kind,
                plan: Plan::Team,
                email: email.into(),
                display_name: String::new(),
                password: PASSWORD.into(),
            },
        )
        .await
        .unwrap();
        (t.id, a.id)
    }

    pub fn clock_now(&self) -> i64 {
        use app::backend::kernel::clock::Clock;
        self.clock.now_ms()
    }

    pub async fn send(&self, request: Request<Body>) -> Response<Body> {
        server::http::build_router(self.state.clone())
            .oneshot(request)
            .await
            .unwrap()
    }

    /// Calls a server function the way the hydrated app does.
    pub async fn call(
        &self,
        endpoint: &str,
        form: &[(&str, &str)],
        cookie: Option<&str>,
    ) -> (StatusCode, String, Vec<String>) {
        let mut builder = Request::post(format!("/api/{endpoint}"))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("origin", ORIGIN)
            .header("accept", "application/json");
        if let Some(c) = cookie {
            builder = builder.header("cookie", c);
        }
        let response = self
            .send(builder.body(Body::from(encode_form(form))).unwrap())
            .await;
        split(response).await
    }

    /// Calls a JSON-encoded server function with a session cookie.
    pub async fn call_json(
        &self,
        endpoint: &str,
        body: &str,
        cookie: &str,
    ) -> (StatusCode, String, Vec<String>) {
        let request = Request::post(format!("/api/{endpoint}"))
            .header("content-type", "application/json")
            .header("origin", ORIGIN)
            .header("accept", "application/json")
            .header("cookie", cookie)
            .body(Body::from(body.to_string()))
            .unwrap();
        split(self.send(request).await).await
    }

    /// Delivers queued mail to the outbox folder and returns the token of the newest
    /// `/<kind>/<token>` link mailed to `to` (kind: "invite" or "reset").
    pub async fn mailed_token(&self, to: &str, kind: &str) -> String {
        app::backend::auth::recovery::process_reset_requests(&self.state)
            .await
            .unwrap();
        app::backend::kernel::mail::deliver_pending(
            self.state.db.conn(),
            &self.state.settings,
            self.clock_now(),
        )
        .await
        .unwrap();
        let mut files: Vec<_> = std::fs::read_dir(&self.state.settings.outbox_dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        let marker = format!("/{kind}/");
        for file in files.iter().rev() {
            let text = std::fs::read_to_string(file).unwrap();
            if let (true, Some(at)) = (text.contains(&format!("To: {to}")), text.find(&marker)) {
                return text[at + marker.len()..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                    .collect();
            }
        }
        panic!("no {kind} mail to {to} in {files:?}");
    }

    /// Signs in through the server function and returns the `name=value` cookie.
    pub async fn sign_in(&self, email: &str, password: &str) -> String {
        let (status, body, cookies) = self
            .call("sign_in", &[("email", email), ("password", password)], None)
            .await;
        assert_eq!(status, StatusCode::OK, "sign-in failed: {body}");
        session_cookie(&cookies).expect("a session cookie")
    }
}

pub async fn split(response: Response<Body>) -> (StatusCode, String, Vec<String>) {
    let status = response.status();
    let cookies = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .collect();
    let bytes = axum::body::to_bytes(response.into_body(), 4 * 1024 * 1024)
        .await
        .unwrap();
    (
        status,
        String::from_utf8_lossy(&bytes).into_owned(),
        cookies,
    )
}

pub fn session_cookie(set_cookies: &[String]) -> Option<String> {
    set_cookies
        .iter()
        .filter(|c| c.contains("gatehouse_session="))
        .map(|c| c.split(';').next().unwrap().to_string())
        .find(|c| !c.ends_with('='))
}

pub fn encode_form(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
