//! Forgot password and the reset page (anonymous: the emailed token is the credential).

use crate::domain::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::server_ctx as ctx;

/// What every reset request is told, whether or not the email has an account.
pub const RESET_REQUESTED: &str =
    "If an account exists for that email, we've sent it a link to choose a new password. Check your inbox.";

/// Answers the same whether or not the email has an account.
#[server(prefix = "/api", endpoint = "request_password_reset")]
pub async fn request_password_reset(email: String) -> Result<(), AppError> {
    let state = ctx::state()?;
    let meta = ctx::meta(&state)?;
    crate::backend::recovery::request_reset(&state, &email, &meta).await?;
    if ctx::is_plain_form_post() {
        leptos_axum::redirect("/forgot-password?sent=1");
    }
    Ok(())
}

/// The email a live reset link belongs to.
#[server(prefix = "/api", endpoint = "get_password_reset")]
pub async fn get_password_reset(token: String) -> Result<String, AppError> {
    let state = ctx::state()?;
    crate::backend::recovery::reset_email(&state, &token).await
}

/// Sets the new password; answers with where to go next (sign in again).
#[server(prefix = "/api", endpoint = "complete_password_reset")]
pub async fn complete_password_reset(
    token: String,
    password: String,
    confirm: String,
) -> Result<String, AppError> {
    let state = ctx::state()?;
    let meta = ctx::meta(&state)?;
    crate::backend::recovery::complete_reset(&state, &token, &password, &confirm, &meta).await?;
    let next = "/sign-in?reset=done".to_string();
    if ctx::is_plain_form_post() {
        leptos_axum::redirect(&next);
    }
    Ok(next)
}
