//! Settings → Groups server functions (people managers; see `backend::groups`).

use crate::domain::groups::GroupView;
use crate::domain::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

#[cfg(feature = "ssr")]
use super::server_ctx as ctx;
#[cfg(feature = "ssr")]
use crate::backend::groups;

#[server(prefix = "/api", endpoint = "list_groups")]
pub async fn list_groups() -> Result<Vec<GroupView>, AppError> {
    let (state, _meta, actor) = ctx::actor().await?;
    groups::list(state.db.conn(), &actor).await
}

#[server(prefix = "/api", endpoint = "create_group", input = Json)]
pub async fn create_group(name: String) -> Result<i64, AppError> {
    let (state, meta, actor) = ctx::actor().await?;
    groups::create(&state, &actor, &meta, &name).await
}

#[server(prefix = "/api", endpoint = "delete_group", input = Json)]
pub async fn delete_group(group_id: i64) -> Result<(), AppError> {
    let (state, meta, actor) = ctx::actor().await?;
    groups::delete(&state, &actor, &meta, group_id).await
}

#[server(prefix = "/api", endpoint = "add_group_member", input = Json)]
pub async fn add_group_member(group_id: i64, email: String) -> Result<(), AppError> {
    let (state, meta, actor) = ctx::actor().await?;
    groups::add_member(&state, &actor, &meta, group_id, &email).await
}

#[server(prefix = "/api", endpoint = "remove_group_member", input = Json)]
pub async fn remove_group_member(group_id: i64, member_id: i64) -> Result<(), AppError> {
    let (state, meta, actor) = ctx::actor().await?;
    groups::remove_member(&state, &actor, &meta, group_id, member_id).await
}

/// Attaches (`on`) or detaches a role template.
#[server(prefix = "/api", endpoint = "set_group_template", input = Json)]
pub async fn set_group_template(group_id: i64, template_id: i64, on: bool) -> Result<(), AppError> {
    let (state, meta, actor) = ctx::actor().await?;
    groups::set_template(&state, &actor, &meta, group_id, template_id, on).await
}
