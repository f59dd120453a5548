//! Two-factor set-up and management: enrolment with an authenticator app (TOTP),
//! recovery codes, turning it off.

use crate::backend::entities::{accounts, recovery_codes};
use crate::backend::kernel::actor::Actor;
use crate::backend::kernel::audit::{self, AuditActor, AuditEntry};
use crate::backend::kernel::credentials::{count_failure, reauthenticate};
use crate::backend::kernel::crypto::hash_token;
use crate::backend::kernel::directory::memberships_of;
use crate::backend::kernel::mail::{self, letters, Letter};
use crate::backend::kernel::request::RequestMeta;
use crate::backend::kernel::second_factor::{
    is_enabled, new_recovery_codes, recovery_code_hash, seed_of, start_enrolment, use_second_factor,
};
use crate::backend::kernel::throttle;
use crate::backend::kernel::totp;
use crate::backend::AppState;
use crate::domain::auth::TotpSetup;
use crate::domain::{AppError, Email};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};

/// The secret in groups of four, as people type it into an app.
fn grouped(secret_b32: &str) -> String {
    secret_b32
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Starts enrolment: a new seed replaces any unconfirmed one. Answers with what the
/// page shows (the QR code and the secret as text).
pub async fn begin(
    state: &AppState,
    account: &accounts::Model,
    issuer_tenant: &str,
) -> Result<TotpSetup, AppError> {
    if is_enabled(account) {
        return Err(AppError::Conflict(
            "Two-factor is already on for your account.".into(),
        ));
    }
    let txn = state.db.begin_write().await?;
    let seed = start_enrolment(&*txn, state, account.id).await?;
    txn.commit().await?;
    setup_view(account, issuer_tenant, &seed)
}

/// What the set-up page shows for the enrolment already started (at the password
/// step of a sign-in that requires it): reading it changes nothing, so the page can
/// be requested by GET any number of times. `None` when no set-up was started.
pub fn pending_setup(
    state: &AppState,
    account: &accounts::Model,
    issuer_tenant: &str,
) -> Result<Option<TotpSetup>, AppError> {
    if is_enabled(account) {
        return Ok(None);
    }
    match seed_of(state, account) {
        Some(seed) => setup_view(account, issuer_tenant, &seed).map(Some),
        None => Ok(None),
    }
}

/// The QR code and the key as text for a seed.
fn setup_view(
    account: &accounts::Model,
    issuer_tenant: &str,
    seed: &[u8],
) -> Result<TotpSetup, AppError> {
    let secret = totp::base32_encode(seed);
    let issuer = format!("Gatehouse ({issuer_tenant})");
    let uri = totp::otpauth_uri(&issuer, &account.email, seed);
    let (qr_path, qr_size) =
        totp::qr_path(&uri).ok_or_else(|| crate::backend::internal("QR code"))?;
    Ok(TotpSetup {
        secret: grouped(&secret),
        qr_path,
        qr_size,
    })
}

/// Finishes enrolment with a code from the app (recorded in the audit trail of
/// `tenant_id`, the tenant the person is signing in to). Answers with the recovery codes,
/// shown this once.
pub async fn confirm(
    state: &AppState,
    tenant_id: Option<i64>,
    account_id: i64,
    code: &str,
    meta: &RequestMeta,
) -> Result<Vec<String>, AppError> {
    if code.trim().is_empty() {
        return Err(AppError::field(
            "code",
            "Enter the 6-digit code from your authenticator app.",
        ));
    }
    let now = state.now_ms();
    let txn = state.db.begin_write().await?;
    let account = accounts::Entity::find_by_id(account_id)
        .one(&*txn)
        .await?
        .ok_or(AppError::NotFound)?;
    if is_enabled(&account) {
        return Err(AppError::Conflict(
            "Two-factor is already on for your account.".into(),
        ));
    }
    let Some(seed) = seed_of(state, &account) else {
        return Err(AppError::Conflict(
            "Start the set-up again: there is no pending authenticator for your account.".into(),
        ));
    };
    let Some(step) = totp::verify(&seed, code, now, None) else {
        return Err(AppError::field(
            "code",
            "That code didn't match. Check that your phone's time is right and enter the newest code.",
        ));
    };
    let mut a: accounts::ActiveModel = account.clone().into();
    a.totp_enabled_at = Set(Some(now));
    a.totp_last_step = Set(Some(step));
    a.update(&*txn).await?;
    let codes = replace_recovery_codes(&*txn, account.id).await?;
    notify(&*txn, &state.settings, now, &account, true).await?;
    audit::record(
        &*txn,
        now,
        &AuditActor::account(&account, meta),
        AuditEntry::new(tenant_id, "two_factor.enabled", "account")
            .target(Some(account.id), &account.email),
    )
    .await?;
    txn.commit().await?;
    Ok(codes)
}

/// Turns two-factor on from My account: the password (recent authentication) and a
/// code from the app. Answers with the recovery codes, shown once.
pub async fn enable(
    state: &AppState,
    actor: &Actor,
    code: &str,
    password: &str,
    meta: &RequestMeta,
) -> Result<Vec<String>, AppError> {
    reauthenticate(state, &actor.account, password, "password", meta).await?;
    confirm(state, Some(actor.tenant.id), actor.account.id, code, meta).await
}

async fn replace_recovery_codes(
    conn: &impl ConnectionTrait,
    account_id: i64,
) -> Result<Vec<String>, AppError> {
    recovery_codes::Entity::delete_many()
        .filter(recovery_codes::Column::AccountId.eq(account_id))
        .exec(conn)
        .await?;
    let codes = new_recovery_codes();
    for code in &codes {
        recovery_codes::ActiveModel {
            account_id: Set(account_id),
            code_hash: Set(recovery_code_hash(account_id, code)),
            used_at: Set(None),
            ..Default::default()
        }
        .insert(conn)
        .await?;
    }
    Ok(codes)
}

/// Tells the account's owner that two-factor was turned on or off.
async fn notify(
    conn: &impl ConnectionTrait,
    settings: &crate::backend::Settings,
    now_ms: i64,
    account: &accounts::Model,
    on: bool,
) -> Result<(), AppError> {
    let to = Email::parse(&account.email).map_err(crate::backend::internal)?;
    let letter = Letter::TwoFactor(letters::TwoFactor { on });
    mail::enqueue(conn, settings, now_ms, &to, &letter).await?;
    Ok(())
}

/// Tries at turning two-factor off, per session and minute.
pub const PROOFS_PER_SESSION_PER_MINUTE: i64 = 5;

/// Turns two-factor off. `proof` is the account's password or a current code from
/// the app. Refused while a tenant requires two-factor of the account as an admin.
pub async fn disable(
    state: &AppState,
    tenant_id: Option<i64>,
    account: &accounts::Model,
    proof: &str,
    meta: &RequestMeta,
) -> Result<(), AppError> {
    if !is_enabled(account) {
        return Err(AppError::Conflict(
            "Two-factor is already off for your account.".into(),
        ));
    }
    if proof.is_empty() {
        return Err(AppError::field(
            "proof",
            "Enter your password or a code from your authenticator app.",
        ));
    }
    let conn = state.db.conn();
    if let Some(tenant) = memberships_of(conn, account.id)
        .await?
        .into_iter()
        .find(|a| a.tenant.require_admin_two_factor && a.membership.role == "admin")
    {
        return Err(AppError::Conflict(format!(
            "{} requires two-factor for its admins, so it can't be turned off while you are an admin there.",
            tenant.tenant.name
        )));
    }
    let now = state.now_ms();
    // A left-open session must not become a free code-guessing machine: a few tries
    // a minute per session, the account's lock, and every wrong proof counted.
    {
        let key = format!(
            "two_factor_off:session:{}",
            hash_token(meta.session_token.as_deref().unwrap_or_default())
        );
        let txn = state.db.begin_write().await?;
        let counted =
            throttle::count_attempt(&*txn, &key, now, 60, PROOFS_PER_SESSION_PER_MINUTE).await;
        txn.commit().await?;
        counted?;
    }
    if throttle::is_locked(account, now) {
        return Err(AppError::field(
            "proof",
            "Too many wrong passwords or codes. Wait a few minutes, then try again.",
        ));
    }
    let password_ok = !totp::looks_like_code(proof)
        && state
            .hasher
            .verify(proof, account.password_hash.as_deref())
            .await;
    let txn = state.db.begin_write().await?;
    let current = accounts::Entity::find_by_id(account.id)
        .one(&*txn)
        .await?
        .ok_or(AppError::NotFound)?;
    let code_ok = !password_ok
        && totp::looks_like_code(proof)
        && use_second_factor(&*txn, state, &current, proof, now)
            .await?
            .is_some();
    if !password_ok && !code_ok {
        count_failure(
            &*txn,
            state,
            &current,
            &AuditActor::account(&current, meta),
            now,
        )
        .await?;
        txn.commit().await?;
        return Err(AppError::field(
            "proof",
            "That isn't your password or a current code from your app.",
        ));
    }
    let mut a: accounts::ActiveModel = current.clone().into();
    a.totp_secret = Set(None);
    a.totp_enabled_at = Set(None);
    a.totp_last_step = Set(None);
    a.update(&*txn).await?;
    recovery_codes::Entity::delete_many()
        .filter(recovery_codes::Column::AccountId.eq(account.id))
        .exec(&*txn)
        .await?;
    notify(&*txn, &state.settings, now, &current, false).await?;
    audit::commit_with(
        txn,
        now,
        &AuditActor::account(&current, meta),
        AuditEntry::new(tenant_id, "two_factor.disabled", "account")
            .target(Some(current.id), &current.email),
    )
    .await
}

/// Replaces every recovery code with ten new ones (needs the password).
pub async fn regenerate_recovery_codes(
    state: &AppState,
    tenant_id: Option<i64>,
    account: &accounts::Model,
    password: &str,
    meta: &RequestMeta,
) -> Result<Vec<String>, AppError> {
    if !is_enabled(account) {
        return Err(AppError::Conflict(
            "Turn on two-factor first; recovery codes come with it.".into(),
        ));
    }
    reauthenticate(state, account, password, "password", meta).await?;
    let now = state.now_ms();
    let txn = state.db.begin_write().await?;
    let codes = replace_recovery_codes(&*txn, account.id).await?;
    audit::record(
        &*txn,
        now,
        &AuditActor::account(account, meta),
        AuditEntry::new(tenant_id, "two_factor.recovery_codes_replaced", "account")
            .target(Some(account.id), &account.email),
    )
    .await?;
    txn.commit().await?;
    Ok(codes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_is_grouped_for_typing() {
        assert_eq!(grouped("ABCDEFGHIJ"), "ABCD EFGH IJ");
    }
}
