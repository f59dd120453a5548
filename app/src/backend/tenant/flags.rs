//! Settings → Feature flags: a tenant's switches for parts of the product.

use crate::backend::entities::tenant_features;
use crate::backend::kernel::actor::Actor;
use crate::backend::kernel::audit::{self, AuditEntry};
use crate::backend::kernel::policy::{flags_on, user_manager};
use crate::backend::kernel::request::RequestMeta;
use crate::backend::AppState;
use crate::domain::tenant::FlagView;
use crate::domain::{AppError, Flag};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ConnectionTrait, EntityTrait, Set};
use serde_json::json;

/// Every flag of the catalog with whether it is on here. Admins only.
pub async fn list(conn: &impl ConnectionTrait, actor: &Actor) -> Result<Vec<FlagView>, AppError> {
    user_manager(conn, actor).await?.require_admin()?;
    let on = flags_on(conn, actor.tenant.id).await?;
    Ok(Flag::ALL
        .iter()
        .map(|f| FlagView {
            flag: *f,
            label: f.label().to_string(),
            description: f.description().to_string(),
            beta: f.is_beta(),
            on: on.contains(f),
        })
        .collect())
}

/// Turns a flag on or off (audited). An unknown flag key is a sentence next to the
/// field; nothing is written.
pub async fn set(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    key: &str,
    on: bool,
) -> Result<(), AppError> {
    let conn = state.db.conn();
    user_manager(conn, actor).await?.require_admin()?;
    let flag = Flag::parse(key)
        .ok_or_else(|| AppError::field("flag", "There is no feature flag of that name."))?;
    let now = state.now_ms();
    let txn = state.db.begin_write().await?;
    let was_on = flags_on(&*txn, actor.tenant.id).await?.contains(&flag);
    if was_on == on {
        return Ok(());
    }
    tenant_features::Entity::insert(tenant_features::ActiveModel {
        tenant_id: Set(actor.tenant.id),
        feature: Set(flag.as_str().to_string()),
        enabled: Set(on),
        beta_only: Set(flag.is_beta()),
    })
    .on_conflict(
        OnConflict::columns([
            tenant_features::Column::TenantId,
            tenant_features::Column::Feature,
        ])
        .update_columns([tenant_features::Column::Enabled])
        .to_owned(),
    )
    .exec(&*txn)
    .await?;
    audit::commit_with(
        txn,
        now,
        &actor.audit_actor(meta),
        AuditEntry::new(Some(actor.tenant.id), "tenant.flag_changed", "tenant")
            .target(Some(actor.tenant.id), flag.label())
            .before(json!({ "on": was_on }))
            .after(json!({ "on": on })),
    )
    .await
}
