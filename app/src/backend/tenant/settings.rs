//! Tenant settings: the overview page and the sign-in security setting.

use crate::backend::entities::tenants;
use crate::backend::kernel::actor::Actor;
use crate::backend::kernel::audit::{self, AuditEntry};
use crate::backend::kernel::directory::seats_used;
use crate::backend::kernel::policy::{grantor, user_manager};
use crate::backend::kernel::request::RequestMeta;
use crate::backend::AppState;
use crate::domain::tenant::TenantOverview;
use crate::domain::AppError;
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, Set};
use serde_json::json;

pub async fn tenant_overview(
    conn: &impl ConnectionTrait,
    actor: &Actor,
) -> Result<TenantOverview, AppError> {
    let plan = actor.plan;
    Ok(TenantOverview {
        name: actor.tenant.name.clone(),
        kind: actor.tenant_kind,
        plan,
        seat_limit: actor.tenant.seat_limit,
        seats_used: seats_used(conn, actor.tenant.id).await?,
        require_admin_two_factor: actor.tenant.require_admin_two_factor,
        can_manage_security: grantor(conn, actor).await?.is_admin,
        paired_with: match actor.tenant.paired_tenant_id {
            Some(id) => tenants::Entity::find_by_id(id)
                .one(conn)
                .await?
                .map(|t| t.name),
            None => None,
        },
    })
}

/// Why an admin without two-factor can't require it of admins.
pub const OWN_TWO_FACTOR_FIRST: &str = "Turn on two-factor for your own account first (My account → Two-factor sign-in), then require it of admins.";

/// Turns "Require two-factor for admins" on or off. The admin turning it on must use
/// it already; other admins without it are signed out at their next request and set
/// it up at their next sign-in.
pub async fn set_require_admin_two_factor(
    state: &AppState,
    actor: &Actor,
    on: bool,
    meta: &RequestMeta,
) -> Result<(), AppError> {
    let conn = state.db.conn();
    user_manager(conn, actor).await?.require_admin()?;
    // Requiring it of admins while not using it yourself would end your own session
    // at once (see `current_actor`): set it up first.
    if on && !crate::backend::kernel::second_factor::is_enabled(&actor.account) {
        return Err(AppError::Conflict(OWN_TWO_FACTOR_FIRST.to_string()));
    }
    let now = state.now_ms();
    let txn = state.db.begin_write().await?;
    let tenant = tenants::Entity::find_by_id(actor.tenant.id)
        .one(&*txn)
        .await?
        .ok_or(AppError::NotFound)?;
    if tenant.require_admin_two_factor == on {
        return Ok(());
    }
    let mut t: tenants::ActiveModel = tenant.into();
    t.require_admin_two_factor = Set(on);
    t.update(&*txn).await?;
    audit::commit_with(
        txn,
        now,
        &actor.audit_actor(meta),
        AuditEntry::new(Some(actor.tenant.id), "tenant.security_changed", "tenant")
            .target(Some(actor.tenant.id), &actor.tenant.name)
            .before(json!({"require_admin_two_factor": !on}))
            .after(json!({"require_admin_two_factor": on})),
    )
    .await
}
