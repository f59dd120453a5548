//! The signed-in session: who it is, switching tenant, signing out.

use crate::backend::entities::{memberships, sessions as session_rows, tenants};
use crate::backend::kernel::actor::Actor;
use crate::backend::kernel::audit::{self, AuditEntry};
use crate::backend::kernel::crypto::{hash_token, random_token};
use crate::backend::kernel::directory::{active_tenants_of, membership_of, open_access_requests};
use crate::backend::kernel::policy::{grantor, in_force};
use crate::backend::kernel::request::RequestMeta;
use crate::backend::kernel::second_factor;
use crate::backend::kernel::sessions;
use crate::backend::kernel::sign_in_group;
use crate::backend::kernel::stored::decode;
use crate::backend::AppState;
use crate::domain::account::ColorScheme;
use crate::domain::auth::{Me, TenantChoice};
use crate::domain::time::At;
use crate::domain::{AppError, MembershipStatus, Role};
use sea_orm::{ActiveModelTrait, EntityTrait, Set};
use serde_json::json;

/// The signed-in person as the UI sees them: their tenant, the tenants they can
/// switch to, and whether they may manage people here.
pub async fn me(state: &AppState, actor: &Actor) -> Result<Me, AppError> {
    let conn = state.db.conn();
    let tenants = active_tenants_of(conn, actor.account.id).await?;
    let grantor = grantor(conn, actor).await?;
    Ok(Me {
        email: actor.account.email.clone(),
        display_name: actor.account.display_name.clone(),
        role: actor.role,
        tenant_id: actor.tenant.id,
        tenant_name: actor.tenant.name.clone(),
        tenant_kind: actor.tenant_kind,
        plan: actor.plan,
        seat_limit: actor.tenant.seat_limit,
        tenants: tenants
            .iter()
            .map(|t| {
                Ok(TenantChoice {
                    id: t.tenant.id,
                    name: t.tenant.name.clone(),
                    kind: decode(&t.tenant.kind)?,
                    role: decode(&t.membership.role)?,
                })
            })
            .collect::<Result<_, AppError>>()?,
        can_manage_users: grantor.manages_people(),
        open_requests: if grantor.manages_people() {
            open_access_requests(conn, actor.tenant.id).await?
        } else {
            0
        },
        review_due: grantor.is_admin
            && actor
                .tenant
                .review_due_at
                .is_some_and(|due| due <= actor.now),
        grantor,
        now: At(actor.now),
        color_scheme: ColorScheme::parse(&actor.account.color_scheme),
    })
}

/// Moves the actor's session into another tenant where the account is an active
/// member, under a new session id (answered, for the cookie). Any other tenant id
/// answers exactly like one that does not exist.
pub async fn switch_tenant(
    state: &AppState,
    actor: &Actor,
    tenant_id: i64,
    meta: &RequestMeta,
) -> Result<String, AppError> {
    let now = state.now_ms();
    let txn = state.db.begin_write().await?;
    let membership = membership_of(&*txn, tenant_id, actor.account.id)
        .await?
        .filter(|m| m.status == MembershipStatus::Active.as_str())
        .map(|m| in_force(&m, now))
        .ok_or(AppError::NotFound)?;
    let tenant = tenants::Entity::find_by_id(tenant_id)
        .one(&*txn)
        .await?
        .ok_or(AppError::NotFound)?;
    if let Some(group) = sign_in_group::keeps_out(&*txn, &tenant, &membership).await? {
        return Err(sign_in_group::refusal(&*txn, &tenant, &group).await?);
    }
    if membership.role == Role::Admin.as_str()
        && tenant.require_admin_two_factor
        && !second_factor::is_enabled(&actor.account)
    {
        return Err(AppError::Forbidden(format!(
            "{} requires two-factor sign-in for its admins. Turn it on in My account, then switch again.",
            tenant.name
        )));
    }
    // The session id rotates: the old cookie stops working; the session keeps its
    // start and absolute end.
    let token = random_token();
    let mut session: session_rows::ActiveModel = actor.session.clone().into();
    session.token_hash = Set(hash_token(&token));
    session.tenant_id = Set(Some(tenant_id));
    session.last_seen_at = Set(now);
    session.update(&*txn).await?;
    let mut m: memberships::ActiveModel = membership.into();
    m.last_login_at = Set(Some(now));
    m.update(&*txn).await?;
    audit::commit_with(
        txn,
        now,
        &actor.audit_actor(meta),
        AuditEntry::new(Some(tenant_id), "session.switched_tenant", "account")
            .target(Some(actor.account.id), &actor.account.email)
            .before(json!({"tenant_id": actor.tenant.id})),
    )
    .await?;
    Ok(token)
}

/// Ends the session server-side; the cookie is worthless afterwards.
pub async fn sign_out(state: &AppState, meta: &RequestMeta) -> Result<(), AppError> {
    let Some(token) = meta.session_token.as_deref() else {
        return Ok(());
    };
    let txn = state.db.begin_write().await?;
    sessions::delete_by_token(&*txn, token).await?;
    txn.commit().await?;
    Ok(())
}
