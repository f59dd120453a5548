//! Tenant settings: the overview page and the sign-in security settings (two-factor
//! for admins, group-restricted sign-in).

use crate::backend::entities::{groups, tenants};
use crate::backend::kernel::actor::Actor;
use crate::backend::kernel::audit::{self, AuditEntry};
use crate::backend::kernel::directory::{group_in_tenant, lock_tenant, seats_used};
use crate::backend::kernel::policy::{grantor, user_manager};
use crate::backend::kernel::request::RequestMeta;
use crate::backend::kernel::sign_in_group;
use crate::backend::AppState;
use crate::domain::tenant::{SignInGroupChoice, TenantOverview};
use crate::domain::AppError;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use serde_json::json;

pub async fn tenant_overview(
    conn: &impl ConnectionTrait,
    actor: &Actor,
) -> Result<TenantOverview, AppError> {
    let plan = actor.plan;
    let can_manage_security = grantor(conn, actor).await?.is_admin;
    let groups = groups::Entity::find()
        .filter(groups::Column::TenantId.eq(actor.tenant.id))
        .order_by_asc(groups::Column::Name)
        .all(conn)
        .await?;
    // What each choice would cost is for the admins who may choose.
    let cost = if can_manage_security {
        Some(sign_in_group::would_lose(conn, actor.tenant.id).await?)
    } else {
        None
    };
    let choice = |g: &groups::Model| SignInGroupChoice {
        id: g.id,
        name: g.name.clone(),
        would_lose: cost.as_ref().map_or(0, |c| c.of(g.id)),
    };
    Ok(TenantOverview {
        sign_in_group: groups
            .iter()
            .find(|g| actor.tenant.sign_in_group_id == Some(g.id))
            .map(choice),
        sign_in_choices: if can_manage_security {
            groups.iter().map(choice).collect()
        } else {
            Vec::new()
        },
        name: actor.tenant.name.clone(),
        kind: actor.tenant_kind,
        plan,
        seat_limit: actor.tenant.seat_limit,
        seats_used: seats_used(conn, actor.tenant.id).await?,
        require_admin_two_factor: actor.tenant.require_admin_two_factor,
        can_manage_security,
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

/// Restricts sign-in to the members of one group (admins always get in), or lets
/// every active member sign in again (`None`). Turning it on, or moving it to
/// another group, ends the open sessions here of everyone it now keeps out.
pub async fn set_sign_in_group(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    group_id: Option<i64>,
) -> Result<(), AppError> {
    let txn = state.db.begin_write().await?;
    user_manager(&*txn, actor).await?.require_admin()?;
    // The tenant row first: a group deletion racing this waits, then sees it chosen.
    let tenant = lock_tenant(&*txn, actor.tenant.id).await?;
    let group = match group_id {
        None => None,
        Some(id) => Some(group_in_tenant(&*txn, actor.tenant.id, id).await.map_err(
            |e| match e {
                AppError::NotFound => {
                    AppError::field("group_id", "Choose one of this tenant's groups.")
                }
                other => other,
            },
        )?),
    };
    if tenant.sign_in_group_id == group_id {
        return Ok(());
    }
    let before = match tenant.sign_in_group_id {
        Some(id) => groups::Entity::find_by_id(id)
            .one(&*txn)
            .await?
            .map(|g| g.name),
        None => None,
    };
    let mut t: tenants::ActiveModel = tenant.into();
    t.sign_in_group_id = Set(group_id);
    t.update(&*txn).await?;
    let ended = match group_id {
        Some(id) => sign_in_group::end_sessions_outside(&*txn, actor.tenant.id, id).await?,
        None => 0,
    };
    audit::commit_with(
        txn,
        state.now_ms(),
        &actor.audit_actor(meta),
        AuditEntry::new(
            Some(actor.tenant.id),
            "tenant.sign_in_group_changed",
            "tenant",
        )
        .target(Some(actor.tenant.id), &actor.tenant.name)
        .before(json!({ "sign_in_group": before }))
        .after(json!({
            "sign_in_group": group.map(|g| g.name),
            "sessions_ended": ended,
        })),
    )
    .await
}
