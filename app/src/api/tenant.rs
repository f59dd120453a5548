//! The Tenant settings page.

use crate::domain::tenant::TenantOverview;
use crate::domain::AppError;
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "get_tenant_overview")]
pub async fn get_tenant_overview() -> Result<TenantOverview, AppError> {
    use crate::domain::access::{Action, Category, Permission};
    let (state, _meta, actor) = super::server_ctx::actor().await?;
    let conn = state.db.conn();
    crate::backend::kernel::policy::require(
        conn,
        &actor,
        Permission::new(Category::Settings, Action::View),
        "You don't have access to the tenant settings. Ask an admin of this tenant if you need it.",
    )
    .await?;
    crate::backend::tenant::tenant_overview(conn, &actor).await
}

/// Turns "Require two-factor for admins" on or off (an unchecked box sends no
/// value: off).
#[server(prefix = "/api", endpoint = "set_require_admin_two_factor")]
pub async fn set_require_admin_two_factor(on: Option<bool>) -> Result<(), AppError> {
    let (state, meta, actor) = super::server_ctx::actor().await?;
    crate::backend::tenant::set_require_admin_two_factor(
        &state,
        &actor,
        on.unwrap_or(false),
        &meta,
    )
    .await?;
    if super::server_ctx::is_plain_form_post() {
        leptos_axum::redirect("/settings/tenant");
    }
    Ok(())
}
