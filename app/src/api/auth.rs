//! Sign in (password and code steps), sign out, who am I, switch tenant, forgot
//! password and the reset page (anonymous: the emailed token is the credential).

use crate::domain::auth::{Me, RequiredSetup};
use crate::domain::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::server_ctx as ctx;

/// Signs in with email and password. Answers with the path to open next.
/// Without JavaScript the browser is redirected there instead.
#[server(prefix = "/api", endpoint = "sign_in")]
pub async fn sign_in(
    email: String,
    password: String,
    next: Option<String>,
) -> Result<String, AppError> {
    let state = ctx::state()?;
    let meta = ctx::meta(&state)?;
    let signed_in =
        crate::backend::auth::sign_in::sign_in(&state, &email, &password, &meta).await?;
    let target = ctx::safe_next(next.as_deref());
    Ok(ctx::signed_in_response(&state, &signed_in, &target))
}

/// The second step of signing in: a code from the authenticator app, or a recovery
/// code. Anonymous (the half-way session is the credential).
#[server(prefix = "/api", endpoint = "verify_sign_in_code")]
pub async fn verify_sign_in_code(code: String, next: Option<String>) -> Result<String, AppError> {
    let state = ctx::state()?;
    let meta = ctx::meta(&state)?;
    let signed_in =
        crate::backend::auth::sign_in::complete_two_factor(&state, &meta, &code).await?;
    let target = ctx::safe_next(next.as_deref());
    Ok(ctx::signed_in_response(&state, &signed_in, &target))
}

/// For an admin whose tenant requires two-factor: a new authenticator to set up
/// before the sign-in completes.
#[server(prefix = "/api", endpoint = "begin_required_two_factor")]
pub async fn begin_required_two_factor() -> Result<RequiredSetup, AppError> {
    let state = ctx::state()?;
    let meta = ctx::meta(&state)?;
    let (setup, tenant_name) =
        crate::backend::auth::sign_in::begin_required_enrolment(&state, &meta).await?;
    Ok(RequiredSetup { setup, tenant_name })
}

/// Confirms the required set-up with a code and completes the sign-in; answers
/// with the recovery codes, shown once.
#[server(prefix = "/api", endpoint = "confirm_required_two_factor")]
pub async fn confirm_required_two_factor(code: String) -> Result<Vec<String>, AppError> {
    let state = ctx::state()?;
    let meta = ctx::meta(&state)?;
    let (codes, signed_in) =
        crate::backend::auth::sign_in::confirm_required_enrolment(&state, &meta, &code).await?;
    ctx::set_session_cookie(&state, &signed_in.token);
    Ok(codes)
}

/// Ends the session on the server and clears the cookie.
#[server(prefix = "/api", endpoint = "sign_out")]
pub async fn sign_out() -> Result<(), AppError> {
    let (state, meta, _actor) = ctx::actor().await?;
    crate::backend::auth::session::sign_out(&state, &meta).await?;
    ctx::clear_session_cookie(&state);
    if ctx::is_plain_form_post() {
        leptos_axum::redirect("/sign-in");
    }
    Ok(())
}

/// The signed-in person, their tenant and the tenants they can switch to.
#[server(prefix = "/api", endpoint = "current_user")]
pub async fn current_user() -> Result<Me, AppError> {
    let (state, _meta, actor) = ctx::actor().await?;
    crate::backend::auth::session::me(&state, &actor).await
}

/// Moves the session to another tenant where the account is an active member.
#[server(prefix = "/api", endpoint = "switch_tenant")]
pub async fn switch_tenant(tenant_id: i64) -> Result<(), AppError> {
    let (state, meta, actor) = ctx::actor().await?;
    let token =
        crate::backend::auth::session::switch_tenant(&state, &actor, tenant_id, &meta).await?;
    ctx::set_session_cookie(&state, &token);
    if ctx::is_plain_form_post() {
        leptos_axum::redirect("/");
    }
    Ok(())
}

/// What every reset request is told, whether or not the email has an account.
pub const RESET_REQUESTED: &str =
    "If an account exists for that email, we've sent it a link to choose a new password. Check your inbox.";

/// Answers the same whether or not the email has an account.
#[server(prefix = "/api", endpoint = "request_password_reset")]
pub async fn request_password_reset(email: String) -> Result<(), AppError> {
    let state = ctx::state()?;
    let meta = ctx::meta(&state)?;
    crate::backend::auth::recovery::request_reset(&state, &email, &meta).await?;
    if ctx::is_plain_form_post() {
        leptos_axum::redirect("/forgot-password?sent=1");
    }
    Ok(())
}

/// The email a live reset link belongs to.
#[server(prefix = "/api", endpoint = "get_password_reset")]
pub async fn get_password_reset(token: String) -> Result<String, AppError> {
    let state = ctx::state()?;
    crate::backend::auth::recovery::reset_email(&state, &token).await
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
    crate::backend::auth::recovery::complete_reset(&state, &token, &password, &confirm, &meta)
        .await?;
    let next = "/sign-in?reset=done".to_string();
    if ctx::is_plain_form_post() {
        leptos_axum::redirect(&next);
    }
    Ok(next)
}
