//! Single-use, expiring links (invitations and password resets): the token is stored
//! only as its SHA-256, and one lookup serves both kinds, telling apart a link that
//! never existed, was used, was replaced by a newer one, or has expired.

use crate::backend::entities::{invitations, password_resets};
use crate::backend::kernel::crypto::hash_token;
use crate::domain::AppError;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseBackend, EntityTrait, QueryFilter, QuerySelect,
};

/// A stored single-use link.
pub trait SingleUse {
    fn used_at(&self) -> Option<i64>;
    fn revoked_at(&self) -> Option<i64>;
    fn expires_at(&self) -> i64;
}

impl SingleUse for invitations::Model {
    fn used_at(&self) -> Option<i64> {
        self.accepted_at
    }
    fn revoked_at(&self) -> Option<i64> {
        self.revoked_at
    }
    fn expires_at(&self) -> i64 {
        self.expires_at
    }
}

impl SingleUse for password_resets::Model {
    fn used_at(&self) -> Option<i64> {
        self.used_at
    }
    fn revoked_at(&self) -> Option<i64> {
        self.revoked_at
    }
    fn expires_at(&self) -> i64 {
        self.expires_at
    }
}

/// What the person holding an unusable link is told, one sentence per reason.
pub struct Refusals {
    pub unknown: &'static str,
    pub used: &'static str,
    pub replaced: &'static str,
    pub expired: &'static str,
}

/// Why a link cannot be used, in the words of `refusals`; `None` when it can.
pub fn problem<T: SingleUse>(
    link: Option<&T>,
    now_ms: i64,
    refusals: &Refusals,
) -> Option<AppError> {
    let message = match link {
        None => refusals.unknown,
        Some(l) if l.used_at().is_some() => refusals.used,
        Some(l) if l.revoked_at().is_some() => refusals.replaced,
        Some(l) if l.expires_at() <= now_ms => refusals.expired,
        Some(_) => return None,
    };
    Some(AppError::Conflict(message.to_string()))
}

/// The live link whose token hashes to the stored `token_column`, or the refusal that
/// says why it can't be used. On PostgreSQL the row stays locked for the rest of the
/// caller's transaction, so two uses of one link in parallel are one use and one
/// "already used". (SQLite serialises writers through the write lock.)
pub async fn find_live<E>(
    conn: &impl ConnectionTrait,
    token_column: E::Column,
    token: &str,
    now_ms: i64,
    refusals: &Refusals,
) -> Result<E::Model, AppError>
where
    E: EntityTrait,
    E::Model: SingleUse,
{
    let mut query = E::find().filter(token_column.eq(hash_token(token)));
    if conn.get_database_backend() == DatabaseBackend::Postgres {
        query = query.lock_exclusive();
    }
    let link = query.one(conn).await?;
    match problem(link.as_ref(), now_ms, refusals) {
        Some(refusal) => Err(refusal),
        None => link.ok_or(AppError::NotFound),
    }
}
