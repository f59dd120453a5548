//! My access and access requests.

use crate::domain::requests::{AccessRequestView, MyAccess};
use crate::domain::AppError;
use leptos::prelude::*;

/// What the signed-in person can and can't use here; `focus` is a target key from a
/// deep link (`feature:cases`, `permission:users.manage`) or empty.
#[server(prefix = "/api", endpoint = "get_my_access")]
pub async fn get_my_access(focus: String) -> Result<MyAccess, AppError> {
    let (state, _meta, actor) = super::server_ctx::actor().await?;
    crate::backend::members::requests::my_access(state.db.conn(), &actor, &focus).await
}

/// Asks the admins for `target` (a key), with an optional reason.
#[server(prefix = "/api", endpoint = "request_access")]
pub async fn request_access(target: String, why: String) -> Result<(), AppError> {
    let (state, meta, actor) = super::server_ctx::actor().await?;
    crate::backend::members::requests::request(&state, &actor, &meta, &target, &why).await?;
    if super::server_ctx::is_plain_form_post() {
        leptos_axum::redirect(&format!(
            "/access?focus={}&requested=1",
            crate::domain::navigation::encode_query_value(&target)
        ));
    }
    Ok(())
}

/// The open requests (admins and people managers).
#[server(prefix = "/api", endpoint = "list_access_requests")]
pub async fn list_access_requests() -> Result<Vec<AccessRequestView>, AppError> {
    let (state, _meta, actor) = super::server_ctx::actor().await?;
    crate::backend::members::requests::list_open(&state, &actor).await
}

/// Approves a request: `how` is one of its options, the justification is required.
#[server(prefix = "/api", endpoint = "approve_access_request")]
pub async fn approve_access_request(
    id: i64,
    how: String,
    justification: String,
    until: String,
) -> Result<(), AppError> {
    let (state, meta, actor) = super::server_ctx::actor().await?;
    crate::backend::members::requests::approve(
        &state,
        &actor,
        &meta,
        id,
        &how,
        &justification,
        &until,
    )
    .await?;
    if super::server_ctx::is_plain_form_post() {
        leptos_axum::redirect("/settings/access-requests?done=approved");
    }
    Ok(())
}

/// Declines a request, with an optional note for the person.
#[server(prefix = "/api", endpoint = "decline_access_request")]
pub async fn decline_access_request(id: i64, note: String) -> Result<(), AppError> {
    let (state, meta, actor) = super::server_ctx::actor().await?;
    crate::backend::members::requests::decline(&state, &actor, &meta, id, &note).await?;
    if super::server_ctx::is_plain_form_post() {
        leptos_axum::redirect("/settings/access-requests?done=declined");
    }
    Ok(())
}
