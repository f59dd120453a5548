//! `make bench`: seeds 100,000 members into one tenant and prints how long one page
//! of the Users table takes, next to a bare indexed query on the same database.
//! Figures are printed, never asserted.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::indexing_slicing,
    clippy::panic
)]

#[path = "../tests/common/mod.rs"]
mod common;
mod support;

use app::backend::kernel::db::Db;
use app::backend::kernel::passwords::PasswordHasher;
use app::backend::members;
use app::backend::tenant::{create_tenant_with_admin, NewTenantWithAdmin};
use app::domain::members::MemberQuery;
use app::domain::{MembershipStatus, Plan, TenantKind};
use sea_orm::{ConnectionTrait, EntityTrait, Statement};
use std::time::{Duration, Instant};

const MEMBERS: usize = 100_000;
const RUNS: usize = 20;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

async fn time<F, Fut>(mut f: F) -> Duration
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    f().await; // warm-up
    let mut samples = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let start = Instant::now();
        f().await;
        samples.push(start.elapsed());
    }
    median(samples)
}

async fn run(label: &str, db: Db) {
    db.migrate().await.unwrap();
    let hasher = PasswordHasher::new(2).unwrap();
    let (tenant, _) = create_tenant_with_admin(
        &db,
        &hasher,
        &Default::default(),
        1,
        NewTenantWithAdmin {
            tenant_name: "Bench".into(),
            kind: TenantKind::Production,
            plan: Plan::Enterprise,
            email: "owner@bench.example".into(),
            display_name: String::new(),
            password: "correct horse battery staple".into(),
        },
    )
    .await
    .unwrap();
    let start = Instant::now();
    support::seed(&db, tenant.id, MEMBERS).await;
    println!(
        "[{label}] seeded {MEMBERS} members in {:.1?}",
        start.elapsed()
    );
    // The planner's statistics, as a running server has them (SQLite: `optimize` at
    // start and hourly; PostgreSQL: autovacuum, moments after a bulk insert).
    let analyze = if db.conn().get_database_backend() == sea_orm::DatabaseBackend::Postgres {
        "ANALYZE"
    } else {
        "PRAGMA optimize=0x10002"
    };
    db.conn()
        .execute(Statement::from_string(
            db.conn().get_database_backend(),
            analyze,
        ))
        .await
        .unwrap();
    let conn = db.conn();
    let tenant = app::backend::entities::tenants::Entity::find_by_id(tenant.id)
        .one(conn)
        .await
        .unwrap()
        .unwrap();
    let backend = conn.get_database_backend();

    let bare = time(|| async {
        conn.query_all(Statement::from_string(
            backend,
            format!(
                "SELECT id FROM memberships WHERE tenant_id = {} ORDER BY id DESC LIMIT 25",
                tenant.id
            ),
        ))
        .await
        .unwrap();
    })
    .await;
    println!(
        "[{label}] bare indexed query (25 ids)          {:>9.2?}",
        bare
    );
    // The Next link carries the last member shown: page 2000 of 25 rows.
    let page_2000_after = conn
        .query_one(Statement::from_string(
            backend,
            format!(
                "SELECT id FROM memberships WHERE tenant_id = {} ORDER BY id DESC LIMIT 1 OFFSET {}",
                tenant.id,
                2000 * 25 - 1
            ),
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get_by_index::<i64>(0)
        .unwrap();
    let search = |s: &str| MemberQuery {
        search: s.into(),
        ..MemberQuery::default()
    };
    let cases = [
        ("first page, no filter", MemberQuery::default()),
        (
            "page 2000 (Next link)",
            MemberQuery {
                page: 2000,
                after: Some(page_2000_after),
                ..MemberQuery::default()
            },
        ),
        (
            "page 2000 (jump)",
            MemberQuery {
                page: 2000,
                ..MemberQuery::default()
            },
        ),
        (
            "status = suspended",
            MemberQuery {
                status: Some(MembershipStatus::Suspended),
                ..MemberQuery::default()
            },
        ),
        ("search \"user4242\"", search("user4242")),
        // Search as you type: each keystroke of "user4242" is a request.
        ("typing \"u\"", search("u")),
        ("typing \"us\"", search("us")),
        ("typing \"use\"", search("use")),
        ("typing \"user4\"", search("user4")),
        ("typing \"user42\"", search("user42")),
        ("typing \"zz\" (no match)", search("zz")),
    ];
    // "Who can …?": a third of the members hold the permission directly.
    conn.execute(Statement::from_string(
        backend,
        format!(
            "INSERT INTO membership_permissions (membership_id, permission) \
             SELECT id, 'analytics.view' FROM memberships WHERE tenant_id = {} AND id % 3 = 0",
            tenant.id
        ),
    ))
    .await
    .unwrap();
    let target = app::domain::access::diagnose::Target::parse("permission:analytics.view").unwrap();
    // The Next link carries the last member shown: deep in the list, say 60% of it.
    let deep = conn
        .query_one(Statement::from_string(
            backend,
            format!(
                "SELECT id FROM memberships WHERE tenant_id = {} ORDER BY id LIMIT 1 OFFSET 60000",
                tenant.id
            ),
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get_by_index::<i64>(0)
        .unwrap();
    for (name, page, after) in [
        ("first page", 0, None),
        ("page 400 (row offset)", 400, None),
        ("page 400 (Next link)", 400, Some(deep)),
    ] {
        let t = time(|| async {
            let answer =
                app::backend::diagnostics::who_can_in(conn, &tenant, target, page, after, 0)
                    .await
                    .unwrap();
            assert!(!answer.rows.is_empty());
        })
        .await;
        println!(
            "[{label}] Who can …?: {name:<28} {:>9.2?}  ({:.1}× the bare query)",
            t,
            t.as_secs_f64() / bare.as_secs_f64()
        );
    }
    for (name, query) in cases {
        let t = time(|| async {
            let page = members::list(conn, &tenant, &query, 0).await.unwrap();
            assert_eq!(page.rows.is_empty(), name.contains("no match"), "{name}");
        })
        .await;
        println!(
            "[{label}] Users page: {name:<28} {:>9.2?}  ({:.1}× the bare query, median of {RUNS})",
            t,
            t.as_secs_f64() / bare.as_secs_f64()
        );
    }
}

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().unwrap();
    let sqlite = Db::connect(&format!("sqlite://{}/bench.db", dir.path().display()))
        .await
        .unwrap();
    run("sqlite", sqlite).await;
    if std::env::var("GATEHOUSE_TEST_POSTGRES_URL").is_ok() {
        run("postgres", common::fresh_postgres().await).await;
    }
}
