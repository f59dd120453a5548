//! My account: the signed-in person's own profile, password, workspaces and sessions.
//! Everything here acts on the actor's own account only; a session id of anyone
//! else answers exactly like one that does not exist.

use super::audit::{self, AuditEntry};
use super::auth::Actor;
use super::clock::format_time;
use super::entities::{accounts, sessions as session_rows};
use super::mail::{self, Outgoing};
use super::request::RequestMeta;
use super::tenants::{memberships_of, parse_display_name, tenant_names_of};
use super::{passwords, throttle, two_factor, AppState};
use crate::api::dto::{AccountMembership, AccountOverview, SessionRow};
use crate::domain::device::describe_user_agent;
use crate::domain::password::context_words;
use crate::domain::{AppError, Email, MembershipStatus, Role, TenantKind};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use serde_json::json;

pub async fn overview(state: &AppState, actor: &Actor) -> Result<AccountOverview, AppError> {
    let conn = state.db.conn();
    let now = state.now_ms();
    let memberships = memberships_of(conn, actor.account.id)
        .await?
        .into_iter()
        .map(|a| AccountMembership {
            current: a.tenant.id == actor.tenant.id,
            tenant_name: a.tenant.name,
            tenant_kind: TenantKind::parse(&a.tenant.kind).unwrap_or(TenantKind::Production),
            role: Role::parse(&a.membership.role).unwrap_or(Role::User),
            status: MembershipStatus::parse(&a.membership.status)
                .unwrap_or(MembershipStatus::Suspended),
        })
        .collect();
    let sessions = session_rows::Entity::find()
        .filter(session_rows::Column::AccountId.eq(actor.account.id))
        .filter(session_rows::Column::Stage.eq(super::sessions::STAGE_FULL))
        .order_by_desc(session_rows::Column::LastSeenAt)
        .all(conn)
        .await?
        .into_iter()
        .filter(|s| super::sessions::is_live(&state.settings, s, now))
        .map(|s| SessionRow {
            id: s.id,
            device: describe_user_agent(&s.user_agent),
            current: s.id == actor.session.id,
            user_agent: s.user_agent,
            ip: s.ip,
            created: format_time(s.created_at),
            last_seen: format_time(s.last_seen_at),
        })
        .collect();
    let two_factor = two_factor::is_enabled(&actor.account);
    Ok(AccountOverview {
        email: actor.account.email.clone(),
        display_name: actor.account.display_name.clone(),
        two_factor,
        recovery_codes_left: two_factor::recovery_codes_left(conn, actor.account.id).await?,
        password_min_chars: state.settings.password_policy.min_for(two_factor),
        memberships,
        sessions,
    })
}

pub async fn update_profile(
    state: &AppState,
    actor: &Actor,
    display_name: &str,
    meta: &RequestMeta,
) -> Result<(), AppError> {
    let name = parse_display_name(display_name)?;
    if name.is_empty() {
        return Err(AppError::field("display_name", "Enter your name."));
    }
    let now = state.now_ms();
    let txn = state.db.begin_write().await?;
    let mut a: accounts::ActiveModel = actor.account.clone().into();
    a.display_name = Set(name.clone());
    a.update(&*txn).await?;
    audit::record(
        &*txn,
        now,
        &actor.audit_actor(meta),
        AuditEntry::new(Some(actor.tenant.id), "account.renamed", "account")
            .target(Some(actor.account.id), &actor.account.email)
            .before(json!({"display_name": actor.account.display_name}))
            .after(json!({"display_name": name})),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Saves a new password hash; a lock from wrong passwords ends with it.
pub(crate) async fn store_password(
    conn: &impl sea_orm::ConnectionTrait,
    account: &accounts::Model,
    hash: String,
    now_ms: i64,
) -> Result<(), AppError> {
    let mut a: accounts::ActiveModel = account.clone().into();
    a.password_hash = Set(Some(hash));
    a.password_changed_at = Set(Some(now_ms));
    a.failed_sign_ins = Set(0);
    a.locked_until = Set(None);
    a.update(conn).await?;
    Ok(())
}

/// Proves the person at the keyboard knows the password before a sensitive change
/// (recent authentication). A wrong password counts towards the account's lockout
/// like a failed sign-in, so a left-open session can't be used to guess it.
pub async fn reauthenticate(
    state: &AppState,
    account: &accounts::Model,
    password: &str,
    field: &str,
    meta: &RequestMeta,
) -> Result<(), AppError> {
    if password.is_empty() {
        return Err(AppError::field(field, "Enter your current password."));
    }
    let now = state.now_ms();
    let locked = throttle::is_locked(account, now);
    let ok = !locked
        && state
            .hasher
            .verify(password, account.password_hash.as_deref())
            .await;
    if ok {
        return Ok(());
    }
    let txn = state.db.begin_write().await?;
    if !locked {
        let current = accounts::Entity::find_by_id(account.id)
            .one(&*txn)
            .await?
            .ok_or(AppError::NotFound)?;
        let who = super::audit::AuditActor::account(&current, meta);
        super::auth::count_failure(&*txn, state, &current, &who, now).await?;
    }
    txn.commit().await?;
    Err(AppError::field(
        field,
        if locked {
            "Too many wrong passwords. Wait a few minutes, then try again."
        } else {
            "That isn't your current password."
        },
    ))
}

/// Turns two-factor on from My account: the password (recent authentication) and a
/// code from the app. Answers with the recovery codes, shown once.
pub async fn enable_two_factor(
    state: &AppState,
    actor: &Actor,
    code: &str,
    password: &str,
    meta: &RequestMeta,
) -> Result<Vec<String>, AppError> {
    reauthenticate(state, &actor.account, password, "password", meta).await?;
    two_factor::confirm(state, Some(actor.tenant.id), actor.account.id, code, meta).await
}

/// Changes the password. Needs the current one (a wrong one counts towards the
/// lockout like a failed sign-in); ends every other session and sends a notice.
pub async fn change_password(
    state: &AppState,
    actor: &Actor,
    current: &str,
    new: &str,
    confirm: &str,
    meta: &RequestMeta,
) -> Result<(), AppError> {
    reauthenticate(state, &actor.account, current, "current", meta).await?;
    let now = state.now_ms();
    let account = &actor.account;
    let tenant_names = tenant_names_of(state.db.conn(), account.id).await?;
    passwords::check_new(
        &state.settings.password_policy,
        new,
        two_factor::is_enabled(account),
        &context_words(&account.email, &tenant_names),
        "password",
    )?;
    if new == current {
        return Err(AppError::field(
            "password",
            "That is your current password. Choose a new one.",
        ));
    }
    if new != confirm {
        return Err(AppError::field("confirm", "The two passwords don't match."));
    }
    let hash = state.hasher.hash(new).await.map_err(super::internal)?;
    let txn = state.db.begin_write().await?;
    store_password(&*txn, account, hash, now).await?;
    let ended = super::sessions::end_others(&*txn, actor.account.id, actor.session.id).await?;
    super::recovery::revoke_resets(&*txn, account.id, now).await?;
    let to = Email::parse(&account.email).map_err(super::internal)?;
    mail::enqueue(
        &*txn,
        now,
        Outgoing::notice(
            to,
            "Your Gatehouse password was changed",
            "The password of your Gatehouse account was just changed from My account, and your other sessions were signed out. If this wasn't you, reset your password now and tell your admin.",
        ),
    )
    .await?;
    audit::record(
        &*txn,
        now,
        &actor.audit_actor(meta),
        AuditEntry::new(Some(actor.tenant.id), "password.changed", "account")
            .target(Some(account.id), &account.email)
            .after(json!({"other_sessions_ended": ended})),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Signs out one of the account's own sessions (not the current one: that is
/// "Sign out").
pub async fn end_session(
    state: &AppState,
    actor: &Actor,
    session_id: i64,
    meta: &RequestMeta,
) -> Result<(), AppError> {
    if session_id == actor.session.id {
        return Err(AppError::Conflict(
            "That is this session. Use Sign out in the account menu instead.".into(),
        ));
    }
    let now = state.now_ms();
    let txn = state.db.begin_write().await?;
    let gone = session_rows::Entity::delete_many()
        .filter(session_rows::Column::Id.eq(session_id))
        .filter(session_rows::Column::AccountId.eq(actor.account.id))
        .exec(&*txn)
        .await?
        .rows_affected;
    if gone == 0 {
        return Err(AppError::NotFound);
    }
    audit::record(
        &*txn,
        now,
        &actor.audit_actor(meta),
        AuditEntry::new(Some(actor.tenant.id), "session.ended", "account")
            .target(Some(actor.account.id), &actor.account.email)
            .after(json!({"session": session_id})),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Signs out every session of the account but this one; answers how many ended.
pub async fn end_other_sessions(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
) -> Result<u64, AppError> {
    let now = state.now_ms();
    let txn = state.db.begin_write().await?;
    let ended = super::sessions::end_others(&*txn, actor.account.id, actor.session.id).await?;
    audit::record(
        &*txn,
        now,
        &actor.audit_actor(meta),
        AuditEntry::new(Some(actor.tenant.id), "session.ended_others", "account")
            .target(Some(actor.account.id), &actor.account.email)
            .after(json!({"sessions_ended": ended})),
    )
    .await?;
    txn.commit().await?;
    Ok(ended)
}
