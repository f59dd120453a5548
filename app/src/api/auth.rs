//! Sign in, sign out, who am I, switch tenant.

use super::dto::{Me, RequiredSetup};
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
    let signed_in = crate::backend::auth::sign_in(&state, &email, &password, &meta).await?;
    let target = ctx::safe_next(next.as_deref());
    Ok(ctx::signed_in_response(&state, &signed_in, &target))
}

/// The second step of signing in: a code from the authenticator app, or a recovery
/// code. Anonymous (the half-way session is the credential).
#[server(prefix = "/api", endpoint = "verify_sign_in_code")]
pub async fn verify_sign_in_code(code: String, next: Option<String>) -> Result<String, AppError> {
    let state = ctx::state()?;
    let meta = ctx::meta(&state)?;
    let signed_in = crate::backend::auth::complete_two_factor(&state, &meta, &code).await?;
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
        crate::backend::auth::begin_required_enrolment(&state, &meta).await?;
    Ok(RequiredSetup { setup, tenant_name })
}

/// Confirms the required set-up with a code and completes the sign-in; answers
/// with the recovery codes, shown once.
#[server(prefix = "/api", endpoint = "confirm_required_two_factor")]
pub async fn confirm_required_two_factor(code: String) -> Result<Vec<String>, AppError> {
    let state = ctx::state()?;
    let meta = ctx::meta(&state)?;
    let (codes, signed_in) =
        crate::backend::auth::confirm_required_enrolment(&state, &meta, &code).await?;
    ctx::set_session_cookie(&state, &signed_in.token);
    Ok(codes)
}

/// Ends the session on the server and clears the cookie.
#[server(prefix = "/api", endpoint = "sign_out")]
pub async fn sign_out() -> Result<(), AppError> {
    let (state, meta, _actor) = ctx::actor().await?;
    crate::backend::auth::sign_out(&state, &meta).await?;
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
    let conn = state.db.conn();
    let tenants = crate::backend::tenants::active_tenants_of(conn, actor.account.id).await?;
    let can_manage_users = match crate::backend::members::require_user_admin(conn, &actor).await {
        Ok(()) => true,
        Err(AppError::Forbidden(_)) => false,
        Err(other) => return Err(other),
    };
    Ok(crate::backend::views::me(
        &actor,
        &tenants,
        can_manage_users,
    ))
}

/// Moves the session to another tenant where the account is an active member.
#[server(prefix = "/api", endpoint = "switch_tenant")]
pub async fn switch_tenant(tenant_id: i64) -> Result<(), AppError> {
    let (state, meta, actor) = ctx::actor().await?;
    crate::backend::auth::switch_tenant(&state, &actor, tenant_id, &meta).await?;
    if ctx::is_plain_form_post() {
        leptos_axum::redirect("/");
    }
    Ok(())
}
