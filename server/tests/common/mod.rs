//! Test helpers: a fresh, migrated database per test (SQLite always, PostgreSQL too
//! when `GATEHOUSE_TEST_POSTGRES_URL` points at a server), an in-process router and
//! the fixtures the tests share.
//!
//! The integration tests (`tests/it`) and the benches (`benches/*.rs`, through a
//! `#[path]` attribute) both compile this file, and the benches use only part of it:
//! hence the `dead_code` allowance.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use app::backend::auth::sign_in::sign_in;
use app::backend::kernel::actor::{current_actor, Actor};
use app::backend::kernel::clock::ManualClock;
use app::backend::kernel::db::Db;
use app::backend::kernel::passwords::PasswordHasher;
use app::backend::kernel::request::RequestMeta;
use app::backend::members;
use app::backend::tenant::{create_tenant_with_admin, NewTenantWithAdmin};
use app::backend::{AppState, Settings};
use app::domain::access::Permission;
use app::domain::members::InviteInput;
use app::domain::templates::TemplateInput;
use app::domain::{Plan, Role, TenantKind};
use axum::body::Body;
use axum::http::{Request, Response, StatusCode};
use leptos::config::LeptosOptions;
use std::future::Future;
use std::sync::{Arc, OnceLock};
use tower::ServiceExt;

pub const ORIGIN: &str = "http://127.0.0.1:3000";
pub const START_MS: i64 = 1_790_000_000_000;
pub const PASSWORD: &str = "a perfectly long passphrase";
/// The password of members who join through [`TestApp::join`].
pub const MEMBER_PASSWORD: &str = "sunny meadow lanterns 42";

pub struct TestApp {
    pub state: AppState,
    pub clock: ManualClock,
    pub engine: &'static str,
    router: OnceLock<axum::Router>,
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

/// Runs `test` on a fresh [`TestApp`] for each engine of [`engines`], one after the
/// other; the engine's name is `app.engine`.
pub async fn each_engine<F, Fut>(test: F)
where
    F: Fn(TestApp) -> Fut,
    Fut: Future<Output = ()>,
{
    for engine in engines() {
        eprintln!("each_engine: {engine}");
        test(TestApp::new(engine).await).await;
    }
}

/// A new, empty database on the PostgreSQL server of `GATEHOUSE_TEST_POSTGRES_URL`.
pub async fn fresh_postgres() -> Db {
    Db::connect(&fresh_postgres_url().await).await.unwrap()
}

/// The URL of a new, empty database on the PostgreSQL server of
/// `GATEHOUSE_TEST_POSTGRES_URL`.
pub async fn fresh_postgres_url() -> String {
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
    admin.close().await;
    format!("{prefix}/{name}")
}

impl TestApp {
    pub async fn new(engine: &'static str) -> TestApp {
        Self::with_settings(engine, |_| {}).await
    }

    /// A test app whose settings `adjust` changes first.
    pub async fn with_settings(
        engine: &'static str,
        adjust: impl FnOnce(&mut Settings),
    ) -> TestApp {
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
            settings: Arc::new({
                let mut settings = Settings {
                    outbox_dir: outbox,
                    ..Settings::default()
                };
                adjust(&mut settings);
                settings
            }),
        };
        TestApp {
            state,
            clock,
            engine,
            router: OnceLock::new(),
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

    /// The URL of a SQLite test app's database file.
    pub fn sqlite_url(&self) -> String {
        format!("sqlite://{}/test.db", self._dir.path().display())
    }

    pub fn clock_now(&self) -> i64 {
        use app::backend::kernel::clock::Clock;
        self.clock.now_ms()
    }

    /// Sends a request through the whole router, built once per app (building it
    /// walks every route of the Leptos app).
    /// Requests come from 127.0.0.1, as through a real socket. A router that never
    /// answers (a rare lost wake-up, see the session notes) fails the test after 60 s,
    /// naming the request, instead of stalling the whole run.
    pub async fn send(&self, mut request: Request<Body>) -> Response<Body> {
        let asked = format!("{} {}", request.method(), request.uri().path());
        if request
            .extensions()
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .is_none()
        {
            request.extensions_mut().insert(axum::extract::ConnectInfo(
                std::net::SocketAddr::from(([127, 0, 0, 1], 40_000)),
            ));
        }
        let answer = self
            .router
            .get_or_init(|| server::http::build_router(self.state.clone()))
            .clone()
            .oneshot(request);
        match tokio::time::timeout(std::time::Duration::from_secs(60), answer).await {
            Ok(response) => response.unwrap(),
            Err(_) => panic!("{asked}: the router gave no answer in 60 s"),
        }
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

    /// Handles queued reset requests, delivers queued mail and answers every
    /// message sent to `to`, oldest first (headers and body as in the outbox).
    pub async fn mail_to(&self, to: &str) -> Vec<String> {
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
            .map(|d| d.map(|e| e.unwrap().path()).collect())
            .unwrap_or_default();
        files.sort();
        files
            .iter()
            .map(|f| std::fs::read_to_string(f).unwrap())
            .filter(|text| text.contains(&format!("To: {to}")))
            .collect()
    }

    /// The token of the newest `/<kind>/<token>` link mailed to `to` (kind:
    /// "invite" or "reset"), after delivering what is queued.
    pub async fn mailed_token(&self, to: &str, kind: &str) -> String {
        let marker = format!("/{kind}/");
        for text in self.mail_to(to).await.iter().rev() {
            if let Some(at) = text.find(&marker) {
                return text[at + marker.len()..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                    .collect();
            }
        }
        panic!("no {kind} mail to {to}");
    }

    /// Invites `email` into the admin's tenant as a plain user and accepts as a new
    /// person named `name` with [`MEMBER_PASSWORD`]: answers their membership id and
    /// session token.
    pub async fn join(&self, admin: &Actor, email: &str, name: &str) -> (i64, String) {
        let s = &self.state;
        let id = members::invite(s, admin, &meta(None), invite_input(email))
            .await
            .unwrap();
        let token = self.mailed_token(email, "invite").await;
        let session = members::accept_invite(s, &token, name, MEMBER_PASSWORD, &meta(None))
            .await
            .unwrap()
            .token;
        (id, session)
    }

    /// Gives member `id` exactly "manage people, roles and role templates".
    pub async fn make_people_manager(&self, admin: &Actor, id: i64) {
        members::adjust(&self.state, admin, &meta(None), id, |u| {
            u.permissions = vec![Permission::new(
                app::domain::access::Category::Users,
                app::domain::access::Action::Manage,
            )]
        })
        .await
        .unwrap();
    }

    /// The Users table's row for `email` in `tenant`, as it stands now.
    pub async fn users_row(
        &self,
        tenant: &app::backend::entities::tenants::Model,
        email: &str,
    ) -> app::domain::members::MemberRow {
        members::list(
            self.state.db.conn(),
            tenant,
            &Default::default(),
            self.clock_now(),
        )
        .await
        .unwrap()
        .rows
        .into_iter()
        .find(|r| r.email == email)
        .unwrap()
    }

    /// Tenant "Acme" with ada@example.com as its admin, signed in over HTTP: answers
    /// her session cookie.
    pub async fn acme_signed_in(&self) -> String {
        self.tenant_with_admin("Acme", "ada@example.com").await;
        self.sign_in("ada@example.com", PASSWORD).await
    }

    /// Tenant "Acme" with ada@example.com as its admin, signed in through the
    /// service: answers her as an actor.
    pub async fn acme_admin(&self) -> Actor {
        self.tenant_with_admin("Acme", "ada@example.com").await;
        actor(self, "ada@example.com", PASSWORD).await.0
    }

    /// Tenant "Acme" with ada@example.com as its admin and bob@example.com as a user
    /// (invited, and signed up as "Bob" with the password "bob's passphrase!").
    pub async fn acme_with_bob(&self) -> AdminAndUser {
        let admin = self.acme_admin().await;
        let s = &self.state;
        let user_id = members::invite(s, &admin, &meta(None), invite_input("bob@example.com"))
            .await
            .unwrap();
        let token = self.mailed_token("bob@example.com", "invite").await;
        let user_token = members::accept_invite(s, &token, "Bob", "bob's passphrase!", &meta(None))
            .await
            .unwrap()
            .token;
        AdminAndUser {
            admin,
            user_id,
            user_token,
        }
    }

    /// Signs in through the service, from 127.0.0.1: answers the session token.
    pub async fn session_token(&self, email: &str, password: &str) -> String {
        sign_in(&self.state, email, password, &meta(None))
            .await
            .unwrap()
            .token
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

/// A tenant's admin and one of its users (see [`TestApp::acme_with_bob`]).
pub struct AdminAndUser {
    pub admin: Actor,
    /// The user's membership id.
    pub user_id: i64,
    /// The session token the user got by accepting the invitation.
    pub user_token: String,
}

/// A request from `ip`, without a session.
pub fn meta_from(ip: &str) -> RequestMeta {
    RequestMeta {
        ip: ip.into(),
        user_agent: "test".into(),
        session_token: None,
    }
}

/// A request from 127.0.0.1 carrying the session `token`, if any.
pub fn meta(token: Option<String>) -> RequestMeta {
    RequestMeta {
        session_token: token,
        ..meta_from("127.0.0.1")
    }
}

/// Signs in through the service and resolves the session: answers the actor and
/// the session token.
pub async fn actor(app: &TestApp, email: &str, password: &str) -> (Actor, String) {
    let token = app.session_token(email, password).await;
    (
        current_actor(&app.state, &meta(Some(token.clone())))
            .await
            .unwrap(),
        token,
    )
}

/// Signs in over HTTP with the password only; answers the (possibly half-way)
/// session cookie and the path the app goes to next.
pub async fn password_step(app: &TestApp, email: &str, password: &str) -> (String, String) {
    let (status, body, cookies) = app
        .call("sign_in", &[("email", email), ("password", password)], None)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let path: String = serde_json::from_str(&body).unwrap();
    (session_cookie(&cookies).unwrap(), path)
}

/// A new role template named `name` with `permissions`.
pub fn new_template(name: &str, permissions: Vec<Permission>) -> TemplateInput {
    TemplateInput {
        id: None,
        name: name.into(),
        permissions,
    }
}

/// An invitation of `email` as a plain user, without a template or CRM access.
pub fn invite_input(email: &str) -> InviteInput {
    InviteInput {
        email: email.into(),
        role: Role::User,
        template_id: None,
        crm_access: false,
        beta_access: false,
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
    let body = axum::body::to_bytes(response.into_body(), 4 * 1024 * 1024);
    let bytes = tokio::time::timeout(std::time::Duration::from_secs(60), body)
        .await
        .unwrap_or_else(|_| panic!("a {status} answer's body never ended (60 s)"))
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

/// Every row of every table as text, one line a row, in a stable order: what a
/// database copy or backup would give someone.
pub async fn dump(app: &TestApp) -> String {
    use sea_orm::{ConnectionTrait, Statement};
    let conn = app.state.db.conn();
    let backend = conn.get_database_backend();
    let text = |sql: String| Statement::from_string(backend, sql);
    let tables: Vec<String> = if app.engine == "postgres" {
        conn.query_all(text(
            "SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' ORDER BY 1".into(),
        ))
        .await
        .unwrap()
    } else {
        conn.query_all(text(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY 1".into(),
        ))
        .await
        .unwrap()
    }
    .iter()
    .map(|r| r.try_get::<String>("", "name").unwrap())
    .collect();
    let mut out = String::new();
    for table in tables {
        let sql = if app.engine == "postgres" {
            format!("SELECT row_to_json(t)::text AS line FROM \"{table}\" t ORDER BY 1")
        } else {
            let columns: Vec<String> = conn
                .query_all(text(format!(
                    "SELECT name FROM pragma_table_info('{table}')"
                )))
                .await
                .unwrap()
                .iter()
                .map(|r| r.try_get::<String>("", "name").unwrap())
                .collect();
            let quoted: Vec<String> = columns.iter().map(|c| format!("quote(\"{c}\")")).collect();
            format!(
                "SELECT {} AS line FROM \"{table}\" ORDER BY 1",
                quoted.join(" || ',' || ")
            )
        };
        for row in conn.query_all(text(sql)).await.unwrap() {
            out.push_str(&table);
            out.push_str(": ");
            out.push_str(&row.try_get::<String>("", "line").unwrap_or_default());
            out.push('\n');
        }
    }
    out
}

/// Turns on "Require two-factor for admins" for `tenant` directly in the database
/// (for tests about what follows from it, not about the setting itself).
pub async fn require_admin_two_factor(app: &TestApp, tenant: &str) {
    use app::backend::entities::tenants;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    tenants::Entity::update_many()
        .col_expr(
            tenants::Column::RequireAdminTwoFactor,
            sea_orm::sea_query::Expr::value(true),
        )
        .filter(tenants::Column::Name.eq(tenant))
        .exec(app.state.db.conn())
        .await
        .unwrap();
}
