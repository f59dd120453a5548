//! Gatehouse: shared types, pages and server functions.
//!
//! - `domain`: pure rules (permissions, emails, passwords), compiled for server and WASM.
//! - `api`: server functions and their wire types.
//! - `ui`: Leptos components and pages.
//! - `backend` (server only): database, services, crypto.

#![recursion_limit = "256"]

pub mod api;
pub mod domain;
pub mod ui;

#[cfg(feature = "ssr")]
pub mod backend;

pub use ui::{shell, App};
