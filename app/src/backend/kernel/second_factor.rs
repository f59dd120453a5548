//! The second factor as a credential: whether an account has two-factor, and using
//! up an authenticator code's time step or a recovery code.
//!
//! The seed is sealed with the server key before it reaches the database; recovery
//! codes are stored as hashes. Accepting a code and using up its time step (or a
//! recovery code) is one conditional UPDATE, so two requests racing with the same
//! code cannot both succeed, on SQLite or PostgreSQL.

use super::state::AppState;
use super::totp;
use crate::backend::entities::{accounts, recovery_codes};
use crate::backend::kernel::crypto::random_bytes;
use crate::domain::AppError;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter};
use sha2::{Digest, Sha256};

/// How many recovery codes a person gets.
pub const RECOVERY_CODES: usize = 10;

/// How a second factor was proved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Proof {
    AuthenticatorCode,
    RecoveryCode,
}

impl Proof {
    pub fn as_str(self) -> &'static str {
        match self {
            Proof::AuthenticatorCode => "authenticator code",
            Proof::RecoveryCode => "recovery code",
        }
    }
}

pub fn seal_context(account_id: i64) -> String {
    format!("totp:{account_id}")
}

fn normalise_recovery_code(input: &str) -> String {
    input
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

pub fn recovery_code_hash(account_id: i64, code: &str) -> String {
    hex::encode(Sha256::digest(
        format!("{account_id}:{}", normalise_recovery_code(code)).as_bytes(),
    ))
}

/// Ten fresh codes like `k7m2q-x9c4p` (50 bits each).
pub fn new_recovery_codes() -> Vec<String> {
    (0..RECOVERY_CODES)
        .map(|_| {
            let text = totp::base32_encode(&random_bytes::<7>()).to_ascii_lowercase();
            format!("{}-{}", &text[0..5], &text[5..10])
        })
        .collect()
}

pub fn seed_of(state: &AppState, account: &accounts::Model) -> Option<Vec<u8>> {
    let sealed = account.totp_secret.as_deref()?;
    state
        .settings
        .secret_key
        .open(&seal_context(account.id), sealed)
}

pub fn is_enabled(account: &accounts::Model) -> bool {
    account.totp_enabled_at.is_some()
}

/// Unused recovery codes left.
pub async fn recovery_codes_left(
    conn: &impl ConnectionTrait,
    account_id: i64,
) -> Result<u64, AppError> {
    Ok(recovery_codes::Entity::find()
        .filter(recovery_codes::Column::AccountId.eq(account_id))
        .filter(recovery_codes::Column::UsedAt.is_null())
        .count(conn)
        .await?)
}

/// Checks a second factor inside the caller's transaction and uses it up: an
/// authenticator code's time step, or one recovery code. `None` when it is wrong,
/// already used, or two-factor is off.
pub async fn use_second_factor(
    conn: &impl ConnectionTrait,
    state: &AppState,
    account: &accounts::Model,
    input: &str,
    now_ms: i64,
) -> Result<Option<Proof>, AppError> {
    if !is_enabled(account) {
        return Ok(None);
    }
    if totp::looks_like_code(input) {
        let Some(seed) = seed_of(state, account) else {
            return Ok(None);
        };
        let Some(step) = totp::verify(&seed, input, now_ms, account.totp_last_step) else {
            return Ok(None);
        };
        let updated = accounts::Entity::update_many()
            .col_expr(accounts::Column::TotpLastStep, Expr::value(step))
            .filter(accounts::Column::Id.eq(account.id))
            .filter(
                accounts::Column::TotpLastStep
                    .is_null()
                    .or(accounts::Column::TotpLastStep.lt(step)),
            )
            .exec(conn)
            .await?;
        return Ok((updated.rows_affected == 1).then_some(Proof::AuthenticatorCode));
    }
    let updated = recovery_codes::Entity::update_many()
        .col_expr(recovery_codes::Column::UsedAt, Expr::value(now_ms))
        .filter(recovery_codes::Column::AccountId.eq(account.id))
        .filter(recovery_codes::Column::CodeHash.eq(recovery_code_hash(account.id, input)))
        .filter(recovery_codes::Column::UsedAt.is_null())
        .exec(conn)
        .await?;
    Ok((updated.rows_affected == 1).then_some(Proof::RecoveryCode))
}

/// Starts enrolment inside the caller's transaction: a new sealed seed replaces any
/// unconfirmed one. Answers the seed (for the set-up page). Refused when two-factor
/// is already on.
pub async fn start_enrolment(
    conn: &impl ConnectionTrait,
    state: &AppState,
    account_id: i64,
) -> Result<Vec<u8>, AppError> {
    let current = accounts::Entity::find_by_id(account_id)
        .one(conn)
        .await?
        .ok_or(AppError::NotFound)?;
    if is_enabled(&current) {
        return Err(AppError::Conflict(
            "Two-factor is already on for your account.".into(),
        ));
    }
    let seed = random_bytes::<{ totp::SECRET_BYTES }>().to_vec();
    let sealed = state
        .settings
        .secret_key
        .seal(&seal_context(account_id), &seed);
    accounts::Entity::update_many()
        .col_expr(accounts::Column::TotpSecret, Expr::value(Some(sealed)))
        .col_expr(
            accounts::Column::TotpLastStep,
            Expr::value(Option::<i64>::None),
        )
        .filter(accounts::Column::Id.eq(account_id))
        .exec(conn)
        .await?;
    Ok(seed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovery_codes_are_random_readable_and_hashed_per_account() {
        let codes = new_recovery_codes();
        assert_eq!(codes.len(), RECOVERY_CODES);
        let unique: std::collections::BTreeSet<_> = codes.iter().collect();
        assert_eq!(unique.len(), RECOVERY_CODES);
        for code in &codes {
            assert_eq!(code.len(), 11, "{code}");
            assert_eq!(&code[5..6], "-");
        }
        let c = &codes[0];
        assert_eq!(
            recovery_code_hash(1, c),
            recovery_code_hash(1, &c.to_uppercase().replace('-', " "))
        );
        assert_ne!(recovery_code_hash(1, c), recovery_code_hash(2, c));
        assert!(!recovery_code_hash(1, c).contains(&c[0..5]));
    }
}
