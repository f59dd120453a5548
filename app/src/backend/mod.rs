//! Everything that only runs on the server: database, services, crypto.
//! Compiled only with the `ssr` feature, so none of it reaches the WASM bundle.

pub mod access;
pub mod account;
pub mod audit;
pub mod audit_log;
pub mod auth;
pub mod clock;
pub mod crypto;
pub mod db;
pub mod entities;
pub mod mail;
pub mod members;
pub mod migrations;
pub mod overview;
pub mod passwords;
pub mod recovery;
pub mod request;
pub mod sessions;
pub mod state;
pub mod templates;
pub mod tenants;
pub mod throttle;
pub mod totp;
pub mod two_factor;
pub mod views;

pub use state::{AppState, Settings};

/// Turns an internal failure into the opaque error a user sees, logging the cause
/// with the same reference id so an operator can find it.
pub fn internal(cause: impl std::fmt::Display) -> crate::domain::AppError {
    let reference = crypto::reference_id();
    tracing::error!(reference = %reference, error = %cause, "internal error");
    crate::domain::AppError::Internal(reference)
}

impl From<sea_orm::DbErr> for crate::domain::AppError {
    fn from(err: sea_orm::DbErr) -> Self {
        internal(err)
    }
}
