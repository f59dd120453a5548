//! The server's integration tests, in one binary: services, router, mail and pages on
//! a fresh, migrated database per test (SQLite, and PostgreSQL too when
//! `GATEHOUSE_TEST_POSTGRES_URL` is set; see `common::each_engine`).
#![recursion_limit = "256"]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

// Shared with the benches, which include it by path: it stays in `tests/common`.
#[path = "../common/mod.rs"]
mod common;

mod account;
mod activity;
mod api_keys;
mod authorization;
mod diagnostics;
mod features;
mod groups;
mod lockout;
mod mail;
mod offboard;
mod operations;
mod provisioning;
mod recovery;
mod requests;
mod reviews;
mod router;
mod scim;
mod services;
mod sign_in_group;
mod statements;
mod users;
mod v1;
mod webhooks;
