//! My account: the signed-in person's own profile, password, two-factor and sessions.

use crate::domain::account::{AccountOverview, ColorScheme};
use crate::domain::auth::TotpSetup;
use crate::domain::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::server_ctx as ctx;

#[server(prefix = "/api", endpoint = "get_account")]
pub async fn get_account() -> Result<AccountOverview, AppError> {
    let (state, _meta, actor) = ctx::actor().await?;
    crate::backend::account::overview(&state, &actor).await
}

#[server(prefix = "/api", endpoint = "update_profile")]
pub async fn update_profile(display_name: String) -> Result<(), AppError> {
    let (state, meta, actor) = ctx::actor().await?;
    crate::backend::account::update_profile(&state, &actor, &display_name, &meta).await
}

/// The account's colour scheme: "system", "light" or "dark".
#[server(prefix = "/api", endpoint = "set_color_scheme")]
pub async fn set_color_scheme(color_scheme: String) -> Result<ColorScheme, AppError> {
    let (state, _meta, actor) = ctx::actor().await?;
    crate::backend::account::set_color_scheme(&state, &actor, &color_scheme).await
}

#[server(prefix = "/api", endpoint = "change_password")]
pub async fn change_password(
    current: String,
    password: String,
    confirm: String,
) -> Result<(), AppError> {
    let (state, meta, actor) = ctx::actor().await?;
    crate::backend::account::change_password(&state, &actor, &current, &password, &confirm, &meta)
        .await
}

/// Signs out one of the account's other sessions.
#[server(prefix = "/api", endpoint = "end_session")]
pub async fn end_session(id: i64) -> Result<(), AppError> {
    let (state, meta, actor) = ctx::actor().await?;
    crate::backend::account::end_session(&state, &actor, id, &meta).await
}

/// Signs out every session but this one; answers how many ended.
#[server(prefix = "/api", endpoint = "end_other_sessions")]
pub async fn end_other_sessions() -> Result<u64, AppError> {
    let (state, meta, actor) = ctx::actor().await?;
    crate::backend::account::end_other_sessions(&state, &actor, &meta).await
}

/// A new authenticator to set up (replaces any unconfirmed one).
#[server(prefix = "/api", endpoint = "begin_two_factor")]
pub async fn begin_two_factor() -> Result<TotpSetup, AppError> {
    let (state, _meta, actor) = ctx::actor().await?;
    crate::backend::auth::two_factor::begin(&state, &actor.account, &actor.tenant.name).await
}

/// Turns two-factor on with a code from the app and the password (recent
/// authentication); answers with the recovery codes, shown once.
#[server(prefix = "/api", endpoint = "confirm_two_factor")]
pub async fn confirm_two_factor(code: String, password: String) -> Result<Vec<String>, AppError> {
    let (state, meta, actor) = ctx::actor().await?;
    crate::backend::auth::two_factor::enable(&state, &actor, &code, &password, &meta).await
}

/// Turns two-factor off; `proof` is the password or a current code from the app.
#[server(prefix = "/api", endpoint = "disable_two_factor")]
pub async fn disable_two_factor(proof: String) -> Result<(), AppError> {
    let (state, meta, actor) = ctx::actor().await?;
    crate::backend::auth::two_factor::disable(
        &state,
        Some(actor.tenant.id),
        &actor.account,
        &proof,
        &meta,
    )
    .await
}

/// Ten new recovery codes; the old ones stop working.
#[server(prefix = "/api", endpoint = "regenerate_recovery_codes")]
pub async fn regenerate_recovery_codes(password: String) -> Result<Vec<String>, AppError> {
    let (state, meta, actor) = ctx::actor().await?;
    crate::backend::auth::two_factor::regenerate_recovery_codes(
        &state,
        Some(actor.tenant.id),
        &actor.account,
        &password,
        &meta,
    )
    .await
}
