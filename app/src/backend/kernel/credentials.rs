//! Credentials: storing a password, proving it again before a sensitive change,
//! counting failures towards the lockout, and where a sign-in with the right password
//! stands (done, waiting for a code, or waiting for the required set-up).

use super::second_factor;
use super::state::AppState;
use super::throttle;
use crate::backend::entities::{accounts, memberships, password_resets, tenants};
use crate::backend::kernel::audit::{self, AuditActor, AuditEntry};
use crate::backend::kernel::request::{rate_limit_key, RequestMeta};
use crate::backend::kernel::sessions::{STAGE_ENROL, STAGE_FULL, STAGE_TWO_FACTOR};
use crate::domain::{AppError, Role};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set,
};

/// A successful sign-in (or its first half): the cookie token, where the session
/// starts and what comes next.
#[derive(Debug)]
pub struct SignedIn {
    pub token: String,
    pub tenant_id: i64,
    pub next: NextStep,
}

/// What the browser shows after the password was accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NextStep {
    /// Signed in.
    Done,
    /// Ask for a code from the authenticator app.
    TwoFactor,
    /// The tenant requires two-factor of admins and this admin has none yet.
    EnrolTwoFactor,
}

impl NextStep {
    pub fn after(stage: &str) -> Self {
        match stage {
            STAGE_TWO_FACTOR => NextStep::TwoFactor,
            STAGE_ENROL => NextStep::EnrolTwoFactor,
            _ => NextStep::Done,
        }
    }
}

/// Where a sign-in with the right password stands: done, waiting for a code, or
/// waiting for the set-up a tenant requires of its admins.
pub fn sign_in_stage(
    account: &accounts::Model,
    tenant: &tenants::Model,
    membership: &memberships::Model,
) -> &'static str {
    if second_factor::is_enabled(account) {
        STAGE_TWO_FACTOR
    } else if tenant.require_admin_two_factor && membership.role == Role::Admin.as_str() {
        STAGE_ENROL
    } else {
        STAGE_FULL
    }
}

/// Counts a wrong password or code against the account; when that locks it, the
/// lock goes into the audit trail too.
pub async fn count_failure(
    conn: &impl ConnectionTrait,
    state: &AppState,
    account: &accounts::Model,
    who: &AuditActor,
    now_ms: i64,
) -> Result<(), AppError> {
    if throttle::record_failure(conn, account.id, now_ms, state.settings.lockout_threshold).await? {
        audit::record_for_account(
            conn,
            now_ms,
            who,
            Some(account.id),
            AuditEntry::new(None, "account.locked", "account")
                .target(Some(account.id), &account.email),
        )
        .await?;
    }
    Ok(())
}

/// Saves a new password hash; a lock from wrong passwords ends with it.
pub async fn store_password(
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

/// Voids every unused reset link of the account.
pub async fn revoke_resets(
    conn: &impl ConnectionTrait,
    account_id: i64,
    now_ms: i64,
) -> Result<(), DbErr> {
    password_resets::Entity::update_many()
        .col_expr(password_resets::Column::RevokedAt, Expr::value(now_ms))
        .filter(password_resets::Column::AccountId.eq(account_id))
        .filter(password_resets::Column::UsedAt.is_null())
        .filter(password_resets::Column::RevokedAt.is_null())
        .exec(conn)
        .await
        .map(|_| ())
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
    check_password(
        state,
        account,
        password,
        field,
        "That isn't your current password.",
        meta,
    )
    .await
}

/// Counts one password attempt against the caller's address: the per-IP limit every
/// password form shares (429 with Retry-After past it).
pub async fn count_password_attempt(state: &AppState, meta: &RequestMeta) -> Result<(), AppError> {
    let txn = state.db.begin_write().await?;
    let key = format!("sign_in:ip:{}", rate_limit_key(&meta.ip));
    let limit = state.settings.sign_in_attempts_per_ip_per_minute;
    let counted = throttle::count_attempt(&*txn, &key, state.now_ms(), 60, limit).await;
    txn.commit().await?;
    counted
}

/// Checks an account's password with the lockout: refused while locked, and a wrong
/// one counts towards the lock like a failed sign-in. `wrong` is what a wrong
/// password is told.
pub async fn check_password(
    state: &AppState,
    account: &accounts::Model,
    password: &str,
    field: &str,
    wrong: &str,
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
        let who = AuditActor::account(&current, meta);
        count_failure(&*txn, state, &current, &who, now).await?;
    }
    txn.commit().await?;
    Err(AppError::field(
        field,
        if locked {
            "Too many wrong passwords. Wait a few minutes, then try again."
        } else {
            wrong
        },
    ))
}
