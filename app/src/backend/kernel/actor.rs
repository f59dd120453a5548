//! The actor: the person behind a request, in the tenant their session is in, and its
//! resolution from the session cookie.

use super::directory::membership_of;
use super::state::AppState;
use super::stored::decode;
use crate::backend::entities::{accounts, memberships, sessions as session_rows, tenants};
use crate::backend::kernel::audit::AuditActor;
use crate::backend::kernel::credentials::sign_in_stage;
use crate::backend::kernel::request::RequestMeta;
use crate::backend::kernel::sessions::{self, STAGE_ENROL, STAGE_FULL};
use crate::domain::{AppError, MembershipStatus, Plan, Role, TenantKind};
use sea_orm::EntityTrait;

/// The person behind a request, in the tenant their session is in. Holding an
/// `Actor` is the proof that the session is live and the membership active.
#[derive(Debug, Clone)]
pub struct Actor {
    pub session: session_rows::Model,
    pub account: accounts::Model,
    pub tenant: tenants::Model,
    pub membership: memberships::Model,
    /// The membership's role, the tenant's kind and plan, read once from their columns.
    pub role: Role,
    pub tenant_kind: TenantKind,
    pub plan: Plan,
    /// The time of this request: every check of the request judges at this instant.
    pub now: i64,
}

impl Actor {
    pub fn role(&self) -> Role {
        self.role
    }
    /// The actor's name, or their email when they have not set one.
    pub fn display_label(&self) -> &str {
        if self.account.display_name.is_empty() {
            &self.account.email
        } else {
            &self.account.display_name
        }
    }

    pub fn audit_actor(&self, meta: &RequestMeta) -> AuditActor {
        AuditActor::account(&self.account, meta)
    }
}

/// A session with its account, active membership and tenant.
type SessionParts = (
    session_rows::Model,
    accounts::Model,
    memberships::Model,
    tenants::Model,
);

/// The half-way session of this request in `stage`, its account and membership;
/// `Unauthenticated` when there is none (expired, or never started).
pub async fn pending(
    state: &AppState,
    meta: &RequestMeta,
    stage: &str,
) -> Result<SessionParts, AppError> {
    let token = meta
        .session_token
        .as_deref()
        .ok_or(AppError::Unauthenticated)?;
    resolve_session(state, token, stage, state.now_ms()).await
}

/// A live session in `stage` with its active membership, account and tenant.
async fn resolve_session(
    state: &AppState,
    token: &str,
    stage: &str,
    now_ms: i64,
) -> Result<SessionParts, AppError> {
    let conn = state.db.conn();
    let session = sessions::find_live(conn, &state.settings, now_ms, token)
        .await?
        .filter(|s| s.stage == stage)
        .ok_or(AppError::Unauthenticated)?;
    let tenant_id = session.tenant_id.ok_or(AppError::Unauthenticated)?;
    // As it stands now: a temporary Admin role past its end is gone already.
    let membership = membership_of(conn, tenant_id, session.account_id)
        .await?
        .filter(|m| m.status == MembershipStatus::Active.as_str())
        .map(|m| super::temporary::in_force(&m, now_ms))
        .ok_or(AppError::Unauthenticated)?;
    // An account the operator disabled reaches nothing, whatever session it holds.
    let account = accounts::Entity::find_by_id(session.account_id)
        .one(conn)
        .await?
        .filter(|a| a.disabled_at.is_none())
        .ok_or(AppError::Unauthenticated)?;
    let tenant = tenants::Entity::find_by_id(tenant_id)
        .one(conn)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    // Kept out by group-restricted sign-in (turned on, or they left the group, after
    // the session opened): the session reaches nothing.
    if super::sign_in_group::keeps_out(conn, &tenant, &membership)
        .await?
        .is_some()
    {
        return Err(AppError::Unauthenticated);
    }
    Ok((session, account, membership, tenant))
}

/// The actor for a request, or `Unauthenticated`.
pub async fn current_actor(state: &AppState, meta: &RequestMeta) -> Result<Actor, AppError> {
    let token = meta
        .session_token
        .as_deref()
        .ok_or(AppError::Unauthenticated)?;
    let now = state.now_ms();
    let conn = state.db.conn();
    let (session, account, membership, tenant) =
        resolve_session(state, token, STAGE_FULL, now).await?;
    // A full session of an admin whose tenant requires two-factor they haven't set
    // up (the requirement was turned on, or they became admin, after they signed
    // in) reaches nothing: they sign in again and set it up first.
    if sign_in_stage(&account, &tenant, &membership) == STAGE_ENROL {
        return Err(AppError::Unauthenticated);
    }
    sessions::touch(conn, &session, now).await?;
    Ok(Actor {
        role: decode(&membership.role)?,
        tenant_kind: decode(&tenant.kind)?,
        plan: decode(&tenant.plan)?,
        session,
        account,
        tenant,
        membership,
        now,
    })
}
