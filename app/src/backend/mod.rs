//! Everything that only runs on the server: database, services, crypto.
//! Compiled only with the `ssr` feature, so none of it reaches the WASM bundle.
//!
//! `kernel` is shared by every feature and imports none; each feature folder
//! (`auth`, `members`, `templates`, `groups`, `account`, `audit`, `tenant`) imports the kernel
//! and the domain, never another feature. `tests/module_graph.rs` keeps it so.

pub mod entities;
pub mod kernel;
pub mod migrations;

pub mod account;
pub mod api_keys;
pub mod audit;
pub mod auth;
pub mod diagnostics;
pub mod groups;
pub mod members;
pub mod templates;
pub mod tenant;
pub mod webhooks;

pub use kernel::state::{AppState, Settings};

/// Turns an internal failure into the opaque error a user sees, logging the cause
/// with the same reference so an operator can find it.
pub fn internal(cause: impl std::fmt::Display) -> crate::domain::AppError {
    // The request's id when there is one: the reference a person quotes finds every
    // log line of their request, this one included.
    let reference = kernel::request::RequestId::current()
        .map(|id| id.0)
        .unwrap_or_else(kernel::crypto::reference_id);
    tracing::error!(reference = %reference, error = %cause, "internal error");
    crate::domain::AppError::Internal(reference)
}

impl From<sea_orm::DbErr> for crate::domain::AppError {
    fn from(err: sea_orm::DbErr) -> Self {
        internal(err)
    }
}

impl From<sea_orm::DbErr> for crate::domain::scim::ScimError {
    fn from(err: sea_orm::DbErr) -> Self {
        internal(err).into()
    }
}
