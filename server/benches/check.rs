//! `make bench`: the check API (`POST /v1/check`) through the whole router, as a host
//! product calls it, in a tenant of 10,000 members: one question's server time
//! (p50, p99) and a batch of 100's throughput, each answer written to the decision
//! log as in production. Next to a bare indexed query on the same database.
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

use app::backend::api_keys;
use app::domain::api_keys::NewApiKey;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use sea_orm::{ConnectionTrait, Statement};
use std::time::{Duration, Instant};

const MEMBERS: usize = 10_000;
const SINGLE_RUNS: usize = 2_000;
const BATCH_RUNS: usize = 50;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 * p) as usize).min(sorted.len() - 1)]
}

async fn run(engine: &'static str) {
    // Thousands of calls with one key: past the rate limit, which would answer 429.
    let app = common::TestApp::with_settings(engine, |s| {
        s.api_requests_per_key_per_minute = 100_000_000;
    })
    .await;
    let admin = app.acme_admin().await;
    support::seed(&app.state.db, admin.tenant.id, MEMBERS).await;
    let key = api_keys::create(
        &app.state,
        &admin,
        &common::meta(None),
        &NewApiKey {
            name: "Bench".into(),
            scopes: vec!["check".into()],
            expires: String::new(),
        },
    )
    .await
    .unwrap();
    let ask = |body: String| {
        Request::post("/v1/check")
            .header("content-type", "application/json")
            .header("authorization", format!("Bearer {}", key.secret))
            .body(Body::from(body))
            .unwrap()
    };
    let question = |i: usize| {
        let what = if i.is_multiple_of(2) {
            r#""permission":"users.manage""#
        } else {
            r#""feature":"api_keys""#
        };
        format!(
            r#"{{"email":"user{}@bench.example",{what}}}"#,
            (i * 7919) % MEMBERS
        )
    };
    let conn = app.state.db.conn();
    let backend = conn.get_database_backend();
    let mut bare = Vec::with_capacity(SINGLE_RUNS);
    for i in 0..SINGLE_RUNS {
        let start = Instant::now();
        conn.query_one(Statement::from_string(
            backend,
            format!(
                "SELECT id FROM accounts WHERE email = 'user{}@bench.example'",
                (i * 7919) % MEMBERS
            ),
        ))
        .await
        .unwrap()
        .unwrap();
        bare.push(start.elapsed());
    }
    bare.sort();
    // Warm-up: the router, the connection pool, the statement caches.
    for i in 0..50 {
        let (status, body, _) = common::split(app.send(ask(question(i))).await).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let mut single = Vec::with_capacity(SINGLE_RUNS);
    for i in 0..SINGLE_RUNS {
        let request = ask(question(i));
        let start = Instant::now();
        let response = app.send(request).await;
        let (status, _, _) = common::split(response).await;
        single.push(start.elapsed());
        assert_eq!(status, StatusCode::OK);
    }
    single.sort();
    let (p50, p99) = (percentile(&single, 0.5), percentile(&single, 0.99));
    let bare_p50 = percentile(&bare, 0.5);
    println!(
        "[{engine}] bare indexed query (account by email): p50 {:>8.2?}  p99 {:>8.2?}",
        bare_p50,
        percentile(&bare, 0.99)
    );
    println!(
        "[{engine}] POST /v1/check, one question:          p50 {p50:>8.2?}  p99 {p99:>8.2?}  ({:.1}× the bare query at p50; target p99 ≤ 5 ms) over {SINGLE_RUNS} calls",
        p50.as_secs_f64() / bare_p50.as_secs_f64()
    );
    let batch = |offset: usize| {
        let checks: Vec<String> = (0..100).map(|i| question(offset + i)).collect();
        format!(r#"{{"checks":[{}]}}"#, checks.join(","))
    };
    let start = Instant::now();
    let mut slowest = Duration::ZERO;
    for run in 0..BATCH_RUNS {
        let request = ask(batch(run * 100));
        let one = Instant::now();
        let (status, body, _) = common::split(app.send(request).await).await;
        slowest = slowest.max(one.elapsed());
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let total = start.elapsed();
    let per_second = (BATCH_RUNS * 100) as f64 / total.as_secs_f64();
    let single_per_second = 1.0 / p50.as_secs_f64();
    println!(
        "[{engine}] POST /v1/check, batches of 100:        {per_second:>8.0} checks/s ({:.1}× one question per call), slowest batch {slowest:.2?}",
        per_second / single_per_second
    );
}

#[tokio::main]
async fn main() {
    run("sqlite").await;
    if std::env::var("GATEHOUSE_TEST_POSTGRES_URL").is_ok() {
        run("postgres").await;
    }
}
