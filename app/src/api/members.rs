//! Settings → Users server functions, and the accept-invite page (anonymous: the
//! token is the credential). Each one: actor from the session, then the
//! members service (which checks "manage people" inside its transaction).

use crate::domain::access::AccessInputs;
use crate::domain::members::{InviteDetails, InviteInput, MemberPage, MemberQuery, MemberUpdate};
use crate::domain::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

#[cfg(feature = "ssr")]
use super::server_ctx as ctx;
#[cfg(feature = "ssr")]
use crate::backend::members;

#[server(prefix = "/api", endpoint = "list_members", input = Json)]
pub async fn list_members(query: MemberQuery) -> Result<MemberPage, AppError> {
    let (state, _meta, actor) = ctx::actor().await?;
    let conn = state.db.conn();
    crate::backend::kernel::policy::require_user_admin(conn, &actor).await?;
    members::list(conn, &actor.tenant, &query, state.now_ms()).await
}

#[server(prefix = "/api", endpoint = "invite_member", input = Json)]
pub async fn invite_member(input: InviteInput) -> Result<i64, AppError> {
    let (state, meta, actor) = ctx::actor().await?;
    members::invite(&state, &actor, &meta, input).await
}

#[server(prefix = "/api", endpoint = "resend_invite", input = Json)]
pub async fn resend_invite(member_id: i64) -> Result<(), AppError> {
    let (state, meta, actor) = ctx::actor().await?;
    members::resend_invite(&state, &actor, &meta, member_id).await
}

/// Cancels a pending invitation: the link dies and the seat is freed.
#[server(prefix = "/api", endpoint = "cancel_invite", input = Json)]
pub async fn cancel_invite(member_id: i64) -> Result<(), AppError> {
    let (state, meta, actor) = ctx::actor().await?;
    members::cancel_invite(&state, &actor, &meta, member_id).await
}

#[server(prefix = "/api", endpoint = "update_member", input = Json)]
pub async fn update_member(input: MemberUpdate) -> Result<(), AppError> {
    let (state, meta, actor) = ctx::actor().await?;
    members::update(&state, &actor, &meta, input).await
}

#[server(prefix = "/api", endpoint = "delete_member", input = Json)]
pub async fn delete_member(member_id: i64) -> Result<(), AppError> {
    let (state, meta, actor) = ctx::actor().await?;
    members::delete(&state, &actor, &meta, member_id).await
}

/// What decides the member's access (role, direct grants, template, groups): the
/// Edit dialog evaluates it with the domain's one evaluation function.
#[server(prefix = "/api", endpoint = "get_member_access", input = Json)]
pub async fn get_member_access(member_id: i64) -> Result<AccessInputs, AppError> {
    let (state, _meta, actor) = ctx::actor().await?;
    members::member_access(&state, &actor, member_id).await
}

#[server(prefix = "/api", endpoint = "unlock_member", input = Json)]
pub async fn unlock_member(member_id: i64) -> Result<(), AppError> {
    let (state, meta, actor) = ctx::actor().await?;
    members::unlock(&state, &actor, &meta, member_id).await
}

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

/// "Remove from all my tenants": where the person would be removed, and what they
/// lose in each (only tenants where the actor is an admin are named).
#[server(prefix = "/api", endpoint = "offboard_preview", input = Json)]
pub async fn offboard_preview(
    member_id: i64,
) -> Result<crate::domain::members::OffboardPreview, AppError> {
    let (state, _meta, actor) = ctx::actor().await?;
    members::offboard::preview(&state, &actor, member_id).await
}

#[server(prefix = "/api", endpoint = "offboard_member", input = Json)]
pub async fn offboard_member(
    member_id: i64,
) -> Result<Vec<crate::domain::members::OffboardOutcome>, AppError> {
    let (state, meta, actor) = ctx::actor().await?;
    members::offboard::offboard(&state, &actor, &meta, member_id).await
}

/// What the uploaded CSV file `file` would do (Users → Import).
#[server(prefix = "/api", endpoint = "import_preview", input = Json)]
pub async fn import_preview(file: i64) -> Result<crate::domain::imports::ImportPreview, AppError> {
    let (state, _meta, actor) = ctx::actor().await?;
    members::import::preview(&state, &actor, file).await
}

/// Invites every ready row of the uploaded file (a form field: works before
/// hydration).
#[server(prefix = "/api", endpoint = "apply_import")]
pub async fn apply_import(file: String) -> Result<crate::domain::imports::ImportOutcome, AppError> {
    let (state, meta, actor) = ctx::actor().await?;
    let file = file.trim().parse::<i64>().map_err(|_| AppError::NotFound)?;
    members::import::apply(&state, &actor, &meta, file).await
}
