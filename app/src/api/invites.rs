//! The accept-invite page: the only server functions besides sign-in that anonymous
//! visitors may call (the token is their credential).

use super::dto::InviteDetails;
use crate::domain::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::server_ctx as ctx;

#[server(prefix = "/api", endpoint = "get_invite")]
pub async fn get_invite(token: String) -> Result<InviteDetails, AppError> {
    let state = ctx::state()?;
    crate::backend::members::invite_details(&state, &token).await
}

/// Accepts the invitation and signs the person in. Works as a plain form too.
#[server(prefix = "/api", endpoint = "accept_invite")]
pub async fn accept_invite(
    token: String,
    display_name: Option<String>,
    password: String,
) -> Result<String, AppError> {
    let state = ctx::state()?;
    let meta = ctx::meta(&state)?;
    let signed_in = crate::backend::members::accept_invite(
        &state,
        &token,
        display_name.as_deref().unwrap_or_default(),
        &password,
        &meta,
    )
    .await?;
    Ok(ctx::signed_in_response(&state, &signed_in, "/"))
}
