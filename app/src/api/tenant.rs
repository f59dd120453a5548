//! Read-only views of the tenant: overview, members, role templates.

use super::dto::{MemberRow, TemplateSummary, TenantOverview};
use crate::domain::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::server_ctx as ctx;
#[cfg(feature = "ssr")]
use crate::domain::permissions::{Action, Category, Permission};

#[cfg(feature = "ssr")]
const NO_USER_MANAGEMENT: &str =
    "You don't have access to user management. Ask an admin of this tenant if you need it.";

#[server(prefix = "/api", endpoint = "get_tenant_overview")]
pub async fn get_tenant_overview() -> Result<TenantOverview, AppError> {
    let (state, _meta, actor) = ctx::actor().await?;
    let conn = state.db.conn();
    crate::backend::access::require(
        conn,
        &actor,
        Permission::new(Category::Settings, Action::View),
        "You don't have access to the tenant settings. Ask an admin of this tenant if you need it.",
    )
    .await?;
    Ok(crate::backend::overview::tenant_overview(conn, &actor).await?)
}

#[server(prefix = "/api", endpoint = "list_members")]
pub async fn list_members() -> Result<Vec<MemberRow>, AppError> {
    let (state, _meta, actor) = ctx::actor().await?;
    let conn = state.db.conn();
    crate::backend::access::require(
        conn,
        &actor,
        Permission::new(Category::Users, Action::Manage),
        NO_USER_MANAGEMENT,
    )
    .await?;
    Ok(crate::backend::overview::first_members(conn, actor.tenant.id, 50).await?)
}

#[server(prefix = "/api", endpoint = "list_role_templates")]
pub async fn list_role_templates() -> Result<Vec<TemplateSummary>, AppError> {
    let (state, _meta, actor) = ctx::actor().await?;
    let conn = state.db.conn();
    crate::backend::access::require(
        conn,
        &actor,
        Permission::new(Category::Users, Action::Manage),
        NO_USER_MANAGEMENT,
    )
    .await?;
    Ok(crate::backend::overview::template_summaries(conn, actor.tenant.id).await?)
}
