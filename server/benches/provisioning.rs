//! `make bench`: provisioning from a spreadsheet. "Export CSV" of 100,000 members
//! through the whole router (target: under 5 s), next to a bare query reading the
//! same rows; and checking an uploaded file of 10,000 rows (target: under 10 s),
//! next to only parsing it. SQLite, and PostgreSQL when its URL is set. Figures are
//! printed, never asserted.
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

use app::backend::members::import;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use sea_orm::{ConnectionTrait, Statement};
use std::time::Instant;

const MEMBERS: usize = 100_000;
const IMPORT_ROWS: usize = 10_000;

async fn run(engine: &'static str) {
    let app = common::TestApp::new(engine).await;
    let cookie = app.acme_signed_in().await;
    let admin = common::actor(&app, "ada@example.com", common::PASSWORD)
        .await
        .0;
    support::seed(&app.state.db, admin.tenant.id, MEMBERS).await;
    let conn = app.state.db.conn();
    let backend = conn.get_database_backend();

    let start = Instant::now();
    let rows = conn
        .query_all(Statement::from_string(
            backend,
            format!(
                "SELECT m.id, a.email, a.display_name, m.role, m.status FROM memberships m JOIN accounts a ON a.id = m.account_id WHERE m.tenant_id = {} ORDER BY m.id DESC",
                admin.tenant.id
            ),
        ))
        .await
        .unwrap();
    let bare = start.elapsed();
    assert!(rows.len() > MEMBERS);

    let start = Instant::now();
    let response = app
        .send(
            Request::get("/settings/users/export.csv")
                .header("cookie", &cookie)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let body = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    let export = start.elapsed();
    let lines = body.iter().filter(|b| **b == b'\n').count();
    assert_eq!(lines, MEMBERS + 2, "header, the admin and every member");
    println!("[{engine}] bare query of {MEMBERS} members:          {bare:>9.2?}");
    println!(
        "[{engine}] Export CSV of {MEMBERS} members (router): {export:>9.2?}  ({:.1}× the bare query; {:.1} MB; target < 5 s)",
        export.as_secs_f64() / bare.as_secs_f64(),
        body.len() as f64 / 1e6
    );

    // A file of 10,000 people: some members already, some repeats, some bad rows.
    let mut file = String::from("email,role,template,crm_access\n");
    for i in 0..IMPORT_ROWS {
        match i % 10 {
            0 => file.push_str(&format!("user{i}@bench.example,,,\n")),
            1 => file.push_str("not an email,,,\n"),
            _ => file.push_str(&format!("new{i}@import.example,user,,yes\n")),
        }
    }
    let start = Instant::now();
    let parsed = import::read_csv(file.as_bytes()).unwrap();
    let parse = start.elapsed();
    assert_eq!(parsed.len(), IMPORT_ROWS);
    let start = Instant::now();
    let id = import::upload(&app.state, &admin, "people.csv", file.as_bytes())
        .await
        .unwrap();
    let preview = import::preview(&app.state, &admin, id).await.unwrap();
    let check = start.elapsed();
    assert_eq!(preview.total, IMPORT_ROWS);
    println!("[{engine}] parse a CSV of {IMPORT_ROWS} rows:            {parse:>9.2?}");
    println!(
        "[{engine}] upload and check {IMPORT_ROWS} rows:         {check:>9.2?}  ({:.1}× parsing alone; {} ready; target < 10 s)",
        check.as_secs_f64() / parse.as_secs_f64(),
        preview.ready
    );
}

#[tokio::main]
async fn main() {
    run("sqlite").await;
    if std::env::var("GATEHOUSE_TEST_POSTGRES_URL").is_ok() {
        run("postgres").await;
    }
}
