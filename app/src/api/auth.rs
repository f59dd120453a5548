//! Sign in, sign out, who am I, switch tenant.

use super::dto::Me;
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
    ctx::set_session_cookie(&state, &signed_in.token);
    let target = ctx::safe_next(next.as_deref());
    if ctx::is_plain_form_post() {
        leptos_axum::redirect(&target);
    }
    Ok(target)
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
