//! Role template server functions.

use crate::domain::templates::{TemplateImpact, TemplateInput, TemplateView};
use crate::domain::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

#[cfg(feature = "ssr")]
use super::server_ctx as ctx;
#[cfg(feature = "ssr")]
use crate::backend::kernel::policy::require_user_admin;
#[cfg(feature = "ssr")]
use crate::backend::templates;

#[server(prefix = "/api", endpoint = "list_role_templates", input = Json)]
pub async fn list_role_templates() -> Result<Vec<TemplateView>, AppError> {
    let (state, _meta, actor) = ctx::actor().await?;
    let conn = state.db.conn();
    require_user_admin(conn, &actor).await?;
    templates::list(conn, actor.tenant.id).await
}

#[server(prefix = "/api", endpoint = "save_role_template", input = Json)]
pub async fn save_role_template(input: TemplateInput) -> Result<i64, AppError> {
    let (state, meta, actor) = ctx::actor().await?;
    templates::save(&state, &actor, &meta, input).await
}

#[server(prefix = "/api", endpoint = "role_template_references", input = Json)]
pub async fn role_template_references(id: i64) -> Result<Vec<String>, AppError> {
    let (state, _meta, actor) = ctx::actor().await?;
    templates::references(&state, &actor, id).await
}

#[server(prefix = "/api", endpoint = "delete_role_template", input = Json)]
pub async fn delete_role_template(id: i64, reassign_to: Option<i64>) -> Result<(), AppError> {
    let (state, meta, actor) = ctx::actor().await?;
    templates::delete(&state, &actor, &meta, id, reassign_to).await
}

/// What saving the template as it stands in the dialog would change for whom.
#[server(prefix = "/api", endpoint = "preview_role_template", input = Json)]
pub async fn preview_role_template(input: TemplateInput) -> Result<TemplateImpact, AppError> {
    let (state, _meta, actor) = ctx::actor().await?;
    templates::preview_save(&state, &actor, &input).await
}

/// What deleting the template would take away, its users moving to `reassign_to`.
#[server(prefix = "/api", endpoint = "preview_role_template_delete", input = Json)]
pub async fn preview_role_template_delete(
    id: i64,
    reassign_to: Option<i64>,
) -> Result<TemplateImpact, AppError> {
    let (state, _meta, actor) = ctx::actor().await?;
    templates::preview_delete(&state, &actor, id, reassign_to).await
}

/// Settings → Roles overview: who holds each role, and the least template for
/// each feature and permission.
#[server(prefix = "/api", endpoint = "roles_overview", input = Json)]
pub async fn roles_overview() -> Result<crate::domain::roles::RolesOverview, AppError> {
    let (state, _meta, actor) = ctx::actor().await?;
    templates::roles::overview(&state, &actor).await
}
