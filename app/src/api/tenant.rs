//! The Tenant settings page.

use crate::domain::tenant::{FlagView, TenantOverview};
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

/// Group-restricted sign-in: `group_id` is a group of this tenant, or empty to let
/// every active member sign in (the form's first option).
#[server(prefix = "/api", endpoint = "set_sign_in_group")]
pub async fn set_sign_in_group(group_id: String) -> Result<(), AppError> {
    let (state, meta, actor) = super::server_ctx::actor().await?;
    let group_id = match group_id.trim() {
        "" => None,
        id => Some(
            id.parse::<i64>()
                .map_err(|_| AppError::field("group_id", "Choose one of this tenant's groups."))?,
        ),
    };
    crate::backend::tenant::set_sign_in_group(&state, &actor, &meta, group_id).await?;
    if super::server_ctx::is_plain_form_post() {
        leptos_axum::redirect("/settings/tenant");
    }
    Ok(())
}

/// Settings → Feature flags (admins).
#[server(prefix = "/api", endpoint = "list_feature_flags")]
pub async fn list_feature_flags() -> Result<Vec<FlagView>, AppError> {
    let (state, _meta, actor) = super::server_ctx::actor().await?;
    crate::backend::tenant::flags::list(state.db.conn(), &actor).await
}

/// Turns a tenant flag on or off (an unchecked box sends no value: off).
#[server(prefix = "/api", endpoint = "set_feature_flag")]
pub async fn set_feature_flag(flag: String, on: Option<bool>) -> Result<(), AppError> {
    let (state, meta, actor) = super::server_ctx::actor().await?;
    crate::backend::tenant::flags::set(&state, &actor, &meta, &flag, on.unwrap_or(false)).await?;
    if super::server_ctx::is_plain_form_post() {
        leptos_axum::redirect("/settings/feature-flags");
    }
    Ok(())
}

/// Creates the sandbox of this production tenant (admins), then answers where to go.
#[server(prefix = "/api", endpoint = "create_sandbox")]
pub async fn create_sandbox() -> Result<(), AppError> {
    let (state, meta, actor) = super::server_ctx::actor().await?;
    crate::backend::tenant::sandbox::create_sandbox(&state, &actor, &meta).await?;
    if super::server_ctx::is_plain_form_post() {
        leptos_axum::redirect("/settings/tenant");
    }
    Ok(())
}

/// Settings → Tenant → Provisioning, as it stands.
#[server(prefix = "/api", endpoint = "get_provisioning")]
pub async fn get_provisioning() -> Result<crate::domain::tenant::ProvisioningSettings, AppError> {
    let (state, _meta, actor) = super::server_ctx::actor().await?;
    crate::backend::tenant::provisioning::settings(state.db.conn(), &actor).await
}

/// Saves Provisioning (form fields: an unchecked box sends nothing, read as off).
#[server(prefix = "/api", endpoint = "set_provisioning")]
pub async fn set_provisioning(
    scim_invites: Option<bool>,
    auto_join_on: Option<bool>,
    template_id: String,
    seat_cap: String,
) -> Result<(), AppError> {
    let (state, meta, actor) = super::server_ctx::actor().await?;
    let template_id = match template_id.trim() {
        "" => None,
        id => Some(id.parse::<i64>().map_err(|_| {
            AppError::field("template_id", "Choose one of this tenant's role templates.")
        })?),
    };
    let change = crate::backend::tenant::provisioning::ProvisioningChange {
        scim_invites: scim_invites.unwrap_or(false),
        auto_join_on: auto_join_on.unwrap_or(false),
        template_id,
        seat_cap: crate::domain::tenant::parse_seat_cap(&seat_cap)?,
    };
    crate::backend::tenant::provisioning::set(&state, &actor, &meta, change).await?;
    if super::server_ctx::is_plain_form_post() {
        leptos_axum::redirect("/settings/tenant");
    }
    Ok(())
}

/// The tenants the signed-in account may join by itself (verified-domain auto-join).
#[server(prefix = "/api", endpoint = "join_offers")]
pub async fn join_offers() -> Result<Vec<crate::domain::tenant::JoinOffer>, AppError> {
    let (state, _meta, actor) = super::server_ctx::actor().await?;
    crate::backend::tenant::provisioning::offers(state.db.conn(), &actor.account).await
}

/// Joins a tenant by verified domain, then works in it (a form field: works before
/// hydration).
#[server(prefix = "/api", endpoint = "join_tenant")]
pub async fn join_tenant(tenant_id: String) -> Result<(), AppError> {
    let (state, meta, actor) = super::server_ctx::actor().await?;
    let tenant_id = tenant_id
        .trim()
        .parse::<i64>()
        .map_err(|_| AppError::NotFound)?;
    crate::backend::tenant::provisioning::join(&state, &actor, &meta, tenant_id).await?;
    let token =
        crate::backend::auth::session::switch_tenant(&state, &actor, tenant_id, &meta).await?;
    super::server_ctx::set_session_cookie(&state, &token);
    if super::server_ctx::is_plain_form_post() {
        leptos_axum::redirect("/");
    }
    Ok(())
}
