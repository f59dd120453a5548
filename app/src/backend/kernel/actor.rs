//! The actor: the person behind a request, in the tenant their session is in, and its
//! resolution from the session cookie.

use super::state::AppState;
use super::stored::decode;
use crate::backend::entities::{accounts, memberships, sessions as session_rows, tenants};
use crate::backend::kernel::audit::AuditActor;
use crate::backend::kernel::credentials::sign_in_stage;
use crate::backend::kernel::request::RequestMeta;
use crate::backend::kernel::sessions::{self, STAGE_ENROL, STAGE_FULL};
use crate::domain::access::sign_in::admits;
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
    /// The API key's name when a program acts through a key (for its creator).
    pub via_key: Option<String>,
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
        let mut by = AuditActor::account(&self.account, meta);
        if let Some(key) = &self.via_key {
            by.email = format!("{} via API key “{key}”", by.email);
        }
        by
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

/// A live session in `stage` with its active membership, account and tenant: one
/// statement (the session joined to its account, membership, tenant and, when the
/// tenant restricts sign-in, the membership's place in that group).
async fn resolve_session(
    state: &AppState,
    token: &str,
    stage: &str,
    now_ms: i64,
) -> Result<SessionParts, AppError> {
    use crate::backend::entities::group_members;
    use crate::backend::kernel::stored::{row_of, select_row_of};
    use sea_orm::sea_query::{Alias, Expr, JoinType, Query};
    use sea_orm::ConnectionTrait;
    let conn = state.db.conn();
    let mut query = Query::select();
    select_row_of::<session_rows::Entity>(&mut query, "s_");
    select_row_of::<accounts::Entity>(&mut query, "a_");
    select_row_of::<memberships::Entity>(&mut query, "m_");
    select_row_of::<tenants::Entity>(&mut query, "t_");
    query
        .expr_as(
            Expr::col((group_members::Entity, group_members::Column::MembershipId)),
            Alias::new("in_group"),
        )
        .from(session_rows::Entity)
        .inner_join(
            accounts::Entity,
            Expr::col((accounts::Entity, accounts::Column::Id))
                .equals((session_rows::Entity, session_rows::Column::AccountId)),
        )
        .inner_join(
            tenants::Entity,
            Expr::col((tenants::Entity, tenants::Column::Id))
                .equals((session_rows::Entity, session_rows::Column::TenantId)),
        )
        .inner_join(
            memberships::Entity,
            Expr::col((memberships::Entity, memberships::Column::TenantId))
                .equals((session_rows::Entity, session_rows::Column::TenantId))
                .and(
                    Expr::col((memberships::Entity, memberships::Column::AccountId))
                        .equals((session_rows::Entity, session_rows::Column::AccountId)),
                ),
        )
        .join(
            JoinType::LeftJoin,
            group_members::Entity,
            Expr::col((group_members::Entity, group_members::Column::GroupId))
                .equals((tenants::Entity, tenants::Column::SignInGroupId))
                .and(
                    Expr::col((group_members::Entity, group_members::Column::MembershipId))
                        .equals((memberships::Entity, memberships::Column::Id)),
                ),
        )
        .and_where(
            Expr::col((session_rows::Entity, session_rows::Column::TokenHash))
                .eq(crate::backend::kernel::crypto::hash_token(token)),
        );
    let row = conn
        .query_one(conn.get_database_backend().build(&query))
        .await?
        .ok_or(AppError::Unauthenticated)?;
    let session: session_rows::Model = row_of(&row, "s_")?;
    if !sessions::is_live(&state.settings, &session, now_ms) {
        // An expired session is deleted on sight.
        session_rows::Entity::delete_by_id(session.id)
            .exec(conn)
            .await?;
        return Err(AppError::Unauthenticated);
    }
    if session.stage != stage {
        return Err(AppError::Unauthenticated);
    }
    // As it stands now: a temporary Admin role past its end is gone already.
    let membership: memberships::Model = row_of(&row, "m_")?;
    if membership.status != MembershipStatus::Active.as_str() {
        return Err(AppError::Unauthenticated);
    }
    let membership = super::temporary::in_force(&membership, now_ms);
    // An account the operator disabled reaches nothing, whatever session it holds.
    let account: accounts::Model = row_of(&row, "a_")?;
    if account.disabled_at.is_some() {
        return Err(AppError::Unauthenticated);
    }
    let tenant: tenants::Model = row_of(&row, "t_")?;
    // Kept out by group-restricted sign-in (turned on, or they left the group, after
    // the session opened): the session reaches nothing.
    let in_group = row.try_get::<Option<i64>>("", "in_group")?.is_some();
    if !admits(
        decode(&membership.role)?,
        tenant.sign_in_group_id.is_some(),
        in_group,
    ) {
        return Err(AppError::Unauthenticated);
    }
    Ok((session, account, membership, tenant))
}

/// The actor of one request, resolved at most once however many times the request
/// asks: the middleware's session check and then the server function, or every
/// resource of a server-rendered page. The HTTP layer puts one in each request.
#[derive(Clone, Default)]
pub struct RequestActor(std::sync::Arc<tokio::sync::OnceCell<Result<Actor, AppError>>>);

impl RequestActor {
    pub async fn get(&self, state: &AppState, meta: &RequestMeta) -> Result<Actor, AppError> {
        self.0
            .get_or_init(|| current_actor(state, meta))
            .await
            .clone()
    }
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
        via_key: None,
    })
}

/// Whom an API key acts for: the member who created it, as they are now, with no
/// more than they hold (the same checks as their own clicks). A creator who left,
/// was suspended or disabled, or lost their place to group-restricted sign-in
/// leaves the key unable to act: a sentence saying so.
pub async fn key_actor(
    state: &AppState,
    tenant: &tenants::Model,
    created_by: &str,
    key_name: &str,
) -> Result<Actor, AppError> {
    use crate::backend::kernel::directory::{find_account_by_email, membership_of};
    use crate::domain::Email;
    let conn = state.db.conn();
    let now = state.now_ms();
    let gone = || {
        AppError::Forbidden(format!(
            "This API key acts for {created_by}, who is no longer an active member of this tenant. An admin creates a new key in Settings → API keys."
        ))
    };
    let tenant = tenant.clone();
    let email = Email::parse(created_by).map_err(|_| gone())?;
    let account = find_account_by_email(conn, &email)
        .await?
        .filter(|a| a.disabled_at.is_none())
        .ok_or_else(gone)?;
    let membership = membership_of(conn, tenant.id, account.id)
        .await?
        .filter(|m| m.status == MembershipStatus::Active.as_str())
        .ok_or_else(gone)?;
    let membership = super::temporary::in_force(&membership, now);
    if super::sign_in_group::keeps_out(conn, &tenant, &membership)
        .await?
        .is_some()
    {
        return Err(gone());
    }
    Ok(Actor {
        role: decode(&membership.role)?,
        tenant_kind: decode(&tenant.kind)?,
        plan: decode(&tenant.plan)?,
        // Never stored: a key has no session, and no session's id is 0.
        session: session_rows::Model {
            id: 0,
            token_hash: String::new(),
            account_id: account.id,
            tenant_id: Some(tenant.id),
            stage: STAGE_FULL.to_string(),
            created_at: now,
            last_seen_at: now,
            expires_at: now,
            ip: String::new(),
            user_agent: format!("API key “{key_name}”"),
        },
        account,
        tenant,
        membership,
        now,
        via_key: Some(key_name.to_string()),
    })
}
