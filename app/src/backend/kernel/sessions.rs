//! Server-side sessions. The cookie carries a random 256-bit token; the database
//! holds only its SHA-256, so a leaked database cannot be replayed as cookies.

use super::state::Settings;
use crate::backend::entities::sessions;
use crate::backend::kernel::crypto::{hash_token, random_token};
use crate::backend::kernel::request::RequestMeta;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set,
};

/// A session is signed in fully, or half-way: the password was right and it waits
/// for a code from the authenticator app, or for the person to set one up (their
/// tenant requires two-factor of admins). A half-way session reaches nothing but
/// that step, and ends after [`PENDING_SECS`].
pub const STAGE_FULL: &str = "full";
pub const STAGE_TWO_FACTOR: &str = "two_factor";
pub const STAGE_ENROL: &str = "enrol";
/// How long a half-way sign-in waits for its second step.
pub const PENDING_SECS: i64 = 10 * 60;

/// Opens a session for the browser behind `meta` and ends whatever session that
/// browser held before (the id rotates at every sign-in step). Returns the token
/// to put in the cookie.
pub async fn open(
    conn: &impl ConnectionTrait,
    settings: &Settings,
    now_ms: i64,
    account_id: i64,
    tenant_id: i64,
    stage: &str,
    meta: &RequestMeta,
) -> Result<String, DbErr> {
    let token = random_token();
    sessions::ActiveModel {
        token_hash: Set(hash_token(&token)),
        account_id: Set(account_id),
        tenant_id: Set(Some(tenant_id)),
        stage: Set(stage.to_string()),
        created_at: Set(now_ms),
        last_seen_at: Set(now_ms),
        expires_at: Set(now_ms + settings.session_absolute_secs * 1000),
        ip: Set(meta.ip.clone()),
        user_agent: Set(meta.user_agent.clone()),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    if let Some(old) = &meta.session_token {
        delete_by_token(conn, old).await?;
    }
    Ok(token)
}

/// Whether a session is still usable at `now_ms`: within its absolute lifetime, not
/// idle for longer than the idle timeout, and (when half-way) not older than
/// [`PENDING_SECS`].
pub fn is_live(settings: &Settings, session: &sessions::Model, now_ms: i64) -> bool {
    let idle_limit = session.last_seen_at + settings.session_idle_secs * 1000;
    let pending_over =
        session.stage != STAGE_FULL && now_ms >= session.created_at + PENDING_SECS * 1000;
    now_ms < session.expires_at && now_ms < idle_limit && !pending_over
}

/// Records activity, at most once a minute per session to spare the database.
pub async fn touch(
    conn: &impl ConnectionTrait,
    session: &sessions::Model,
    now_ms: i64,
) -> Result<(), DbErr> {
    if now_ms - session.last_seen_at < 60_000 {
        return Ok(());
    }
    let mut active: sessions::ActiveModel = session.clone().into();
    active.last_seen_at = Set(now_ms);
    active.update(conn).await.map(|_| ())
}

pub async fn delete_by_token(conn: &impl ConnectionTrait, token: &str) -> Result<(), DbErr> {
    sessions::Entity::delete_many()
        .filter(sessions::Column::TokenHash.eq(hash_token(token)))
        .exec(conn)
        .await
        .map(|_| ())
}

/// Ends every session an account has open in one tenant (suspension, deletion).
pub async fn end_for_membership(
    conn: &impl ConnectionTrait,
    account_id: i64,
    tenant_id: i64,
) -> Result<u64, DbErr> {
    sessions::Entity::delete_many()
        .filter(sessions::Column::AccountId.eq(account_id))
        .filter(sessions::Column::TenantId.eq(tenant_id))
        .exec(conn)
        .await
        .map(|r| r.rows_affected)
}

/// Ends every session of an account except `keep` (the one in use); answers how
/// many ended.
pub async fn end_others(
    conn: &impl ConnectionTrait,
    account_id: i64,
    keep: i64,
) -> Result<u64, DbErr> {
    sessions::Entity::delete_many()
        .filter(sessions::Column::AccountId.eq(account_id))
        .filter(sessions::Column::Id.ne(keep))
        .exec(conn)
        .await
        .map(|r| r.rows_affected)
}

/// Ends every session of an account (password reset).
pub async fn end_all_for_account(
    conn: &impl ConnectionTrait,
    account_id: i64,
) -> Result<u64, DbErr> {
    sessions::Entity::delete_many()
        .filter(sessions::Column::AccountId.eq(account_id))
        .exec(conn)
        .await
        .map(|r| r.rows_affected)
}
