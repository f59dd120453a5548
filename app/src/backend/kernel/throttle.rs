//! Brute-force resistance, kept in the database so every replica shares it:
//! a per-IP window for sign-in attempts (429 with Retry-After) and a per-account
//! lockout with a growing delay after repeated wrong passwords.

use crate::backend::entities::{accounts, rate_limits};
use crate::domain::AppError;
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseBackend, EntityTrait, QueryFilter,
    QuerySelect, Set, Statement,
};

/// Counts one attempt for `key` in a fixed window; refuses past `limit`.
pub async fn count_attempt(
    conn: &impl ConnectionTrait,
    key: &str,
    now_ms: i64,
    window_secs: i64,
    limit: i64,
) -> Result<(), AppError> {
    let window_ms = window_secs * 1000;
    // Make sure the row exists (concurrent first attempts must not collide), then
    // lock it for the rest of the transaction (SQLite already serialises writers).
    rate_limits::Entity::insert(rate_limits::ActiveModel {
        key: Set(key.to_string()),
        window_start: Set(now_ms),
        count: Set(0),
    })
    .on_conflict(
        OnConflict::column(rate_limits::Column::Key)
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(conn)
    .await?;
    let mut query = rate_limits::Entity::find_by_id(key.to_string());
    if conn.get_database_backend() == DatabaseBackend::Postgres {
        query = query.lock_exclusive();
    }
    let row = query
        .one(conn)
        .await?
        .ok_or_else(|| crate::backend::internal("rate limit row vanished"))?;
    let in_window = now_ms - row.window_start < window_ms;
    if in_window && row.count >= limit {
        let retry_after_secs =
            u64::try_from((row.window_start + window_ms - now_ms + 999) / 1000).unwrap_or(1);
        return Err(AppError::RateLimited {
            retry_after_secs: retry_after_secs.max(1),
        });
    }
    let (window_start, count) = if in_window {
        (row.window_start, row.count + 1)
    } else {
        (now_ms, 1)
    };
    let mut active: rate_limits::ActiveModel = row.into();
    active.window_start = Set(window_start);
    active.count = Set(count);
    active.update(conn).await?;
    Ok(())
}

/// Whether the account is locked at `now_ms`.
pub fn is_locked(account: &accounts::Model, now_ms: i64) -> bool {
    account.locked_until.is_some_and(|until| now_ms < until)
}

/// How long the lock lasts after the `failures`-th wrong password: nothing below the
/// threshold, then 1 minute, doubling with each further failure, at most 1 hour.
pub fn lock_duration_ms(failures: i64, threshold: i64) -> Option<i64> {
    if failures < threshold {
        return None;
    }
    let doublings = (failures - threshold).min(6) as u32;
    Some((60_000_i64 << doublings).min(3_600_000))
}

/// Records a wrong password or code; returns true when this failure locked the
/// account. One statement increments the count and answers the new value, so
/// failures sent in parallel are all counted (a read-then-write would lose them).
pub async fn record_failure(
    conn: &impl ConnectionTrait,
    account_id: i64,
    now_ms: i64,
    threshold: i64,
) -> Result<bool, AppError> {
    let backend = conn.get_database_backend();
    let sql = match backend {
        DatabaseBackend::Postgres => {
            "UPDATE accounts SET failed_sign_ins = failed_sign_ins + 1 WHERE id = $1 RETURNING failed_sign_ins"
        }
        _ => "UPDATE accounts SET failed_sign_ins = failed_sign_ins + 1 WHERE id = ? RETURNING failed_sign_ins",
    };
    let row = conn
        .query_one(Statement::from_sql_and_values(
            backend,
            sql,
            [account_id.into()],
        ))
        .await?
        .ok_or(AppError::NotFound)?;
    let failures: i64 = row.try_get("", "failed_sign_ins")?;
    let lock = lock_duration_ms(failures, threshold);
    if let Some(ms) = lock {
        accounts::Entity::update_many()
            .col_expr(accounts::Column::LockedUntil, Expr::value(now_ms + ms))
            .filter(accounts::Column::Id.eq(account_id))
            .exec(conn)
            .await?;
    }
    Ok(lock.is_some())
}

/// The account as it stands inside the caller's transaction (locked for the rest of
/// it on PostgreSQL), refused when a lock was set meanwhile: a right password that
/// was being checked while a burst of wrong ones locked the account opens nothing.
pub async fn unlocked_now(
    conn: &impl ConnectionTrait,
    account_id: i64,
    now_ms: i64,
) -> Result<accounts::Model, AppError> {
    let mut query = accounts::Entity::find_by_id(account_id);
    if conn.get_database_backend() == DatabaseBackend::Postgres {
        query = query.lock_exclusive();
    }
    let account = query.one(conn).await?.ok_or(AppError::SignInRefused)?;
    if is_locked(&account, now_ms) {
        return Err(AppError::SignInRefused);
    }
    Ok(account)
}

/// A successful sign-in clears the count.
pub async fn record_success(
    conn: &impl ConnectionTrait,
    account: &accounts::Model,
) -> Result<(), AppError> {
    if account.failed_sign_ins == 0 && account.locked_until.is_none() {
        return Ok(());
    }
    let mut active: accounts::ActiveModel = account.clone().into();
    active.failed_sign_ins = Set(0);
    active.locked_until = Set(None);
    active.update(conn).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_grows_and_is_capped() {
        assert_eq!(lock_duration_ms(9, 10), None);
        assert_eq!(lock_duration_ms(10, 10), Some(60_000));
        assert_eq!(lock_duration_ms(11, 10), Some(120_000));
        assert_eq!(lock_duration_ms(13, 10), Some(480_000));
        assert_eq!(lock_duration_ms(40, 10), Some(3_600_000));
    }
}
