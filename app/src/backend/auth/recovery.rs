//! Forgot password: an emailed, single-use, expiring link to choose a new password.
//! The answer never reveals whether an account exists, and a reset ends every session
//! of the account. A reset never signs anyone in, so it cannot bypass two-factor.

use crate::backend::entities::{accounts, password_resets, reset_requests};
use crate::backend::kernel::audit::{self, AuditActor, AuditEntry};
use crate::backend::kernel::credentials::{revoke_resets, store_password};
use crate::backend::kernel::crypto::{hash_token, random_token};
use crate::backend::kernel::directory::{find_account_by_email, tenant_names_of};
use crate::backend::kernel::mail::{self, letters, Letter};
use crate::backend::kernel::passwords;
use crate::backend::kernel::request::{rate_limit_key, RequestMeta};
use crate::backend::kernel::sessions;
use crate::backend::kernel::throttle;
use crate::backend::kernel::tokens;
use crate::backend::{AppState, Settings};
use crate::domain::password::context_words;
use crate::domain::{AppError, Email};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};

fn reset_mail(settings: &Settings, token: &str) -> Letter {
    Letter::PasswordReset(letters::PasswordReset {
        link: format!("{}/reset/{token}", settings.public_url),
        minutes: settings.reset_ttl_secs / 60,
    })
}

/// After a reset link was used: every session ended.
const CHANGED_MAIL: Letter = Letter::PasswordChanged(letters::PasswordChanged {
    from_my_account: false,
});

/// Queues a "Forgot password" request. Whatever the email, this is the same single
/// insert, so neither the answer nor its timing says whether an account exists; the
/// background worker ([`process_reset_requests`]) sends the link when one does.
pub async fn request_reset(
    state: &AppState,
    email: &str,
    meta: &RequestMeta,
) -> Result<(), AppError> {
    let email = Email::parse(email).map_err(|e| AppError::field("email", e.to_string()))?;
    let now = state.now_ms();
    let txn = state.db.begin_write().await?;
    // Requests count against the caller's IP like sign-in attempts, so nobody can
    // flood someone's inbox with reset links.
    let key = format!("reset:ip:{}", rate_limit_key(&meta.ip));
    let limit = state.settings.sign_in_attempts_per_ip_per_minute;
    if let Err(limited) = throttle::count_attempt(&*txn, &key, now, 60, limit).await {
        txn.commit().await?;
        return Err(limited);
    }
    reset_requests::ActiveModel {
        email: Set(email.to_string()),
        ip: Set(meta.ip.clone()),
        user_agent: Set(meta.user_agent.clone()),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&*txn)
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Handles queued reset requests: for an account with a password, voids older
/// links, stores a new one and queues the email. Each request is claimed first, so
/// several replicas never handle one twice. Answers how many were handled.
pub async fn process_reset_requests(state: &AppState) -> Result<usize, AppError> {
    let pending = reset_requests::Entity::find()
        .order_by_asc(reset_requests::Column::Id)
        .limit(100)
        .all(state.db.conn())
        .await?;
    let mut handled = 0;
    for request in pending {
        let now = state.now_ms();
        let txn = state.db.begin_write().await?;
        // Deleting the row claims it: another replica's delete then finds nothing.
        let claimed = reset_requests::Entity::delete_many()
            .filter(reset_requests::Column::Id.eq(request.id))
            .exec(&*txn)
            .await?
            .rows_affected;
        if claimed != 1 {
            continue;
        }
        let email = Email::parse(&request.email).map_err(crate::backend::internal)?;
        if let Some(account) = find_account_by_email(&*txn, &email)
            .await?
            .filter(|a| a.password_hash.is_some())
        {
            revoke_resets(&*txn, account.id, now).await?;
            let token = random_token();
            password_resets::ActiveModel {
                account_id: Set(account.id),
                token_hash: Set(hash_token(&token)),
                created_at: Set(now),
                expires_at: Set(now + state.settings.reset_ttl_secs * 1000),
                ..Default::default()
            }
            .insert(&*txn)
            .await?;
            let letter = reset_mail(&state.settings, &token);
            mail::enqueue(&*txn, &state.settings, now, &email, &letter).await?;
            let meta = RequestMeta {
                ip: request.ip.clone(),
                user_agent: request.user_agent.clone(),
                session_token: None,
            };
            audit::record_for_account(
                &*txn,
                now,
                &AuditActor::account(&account, &meta),
                Some(account.id),
                AuditEntry::new(None, "password.reset_requested", "account")
                    .target(Some(account.id), &account.email),
            )
            .await?;
        }
        txn.commit().await?;
        handled += 1;
    }
    Ok(handled)
}

/// What someone holding an unusable reset link is told.
const RESET_REFUSALS: tokens::Refusals = tokens::Refusals {
    unknown: "This reset link isn't valid. Ask for a new one from the sign-in page.",
    used: "This reset link was already used. If you need to, ask for a new one from the sign-in page.",
    replaced: "A newer reset link replaced this one. Use the link in the most recent email, or ask for a new one.",
    expired: "This reset link has expired. Ask for a new one from the sign-in page.",
};

async fn live_reset(
    conn: &impl ConnectionTrait,
    token: &str,
    now_ms: i64,
) -> Result<(password_resets::Model, accounts::Model), AppError> {
    let reset = tokens::find_live::<password_resets::Entity>(
        conn,
        password_resets::Column::TokenHash,
        token,
        now_ms,
        &RESET_REFUSALS,
    )
    .await?;
    let account = accounts::Entity::find_by_id(reset.account_id)
        .one(conn)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((reset, account))
}

/// The email a live reset link is for (shown on the reset page).
pub async fn reset_email(state: &AppState, token: &str) -> Result<String, AppError> {
    Ok(live_reset(state.db.conn(), token, state.now_ms())
        .await?
        .1
        .email)
}

/// Sets the new password, uses up the link (and any other), ends every session of
/// the account and sends a notification. The person then signs in normally.
pub async fn complete_reset(
    state: &AppState,
    token: &str,
    password: &str,
    confirm: &str,
    meta: &RequestMeta,
) -> Result<(), AppError> {
    let now = state.now_ms();
    let (_, preview) = live_reset(state.db.conn(), token, now).await?;
    let tenant_names = tenant_names_of(state.db.conn(), preview.id).await?;
    passwords::check_new(
        &state.settings.password_policy,
        password,
        preview.totp_enabled_at.is_some(),
        &context_words(&preview.email, &tenant_names),
        "password",
    )?;
    if password != confirm {
        return Err(AppError::field("confirm", "The two passwords don't match."));
    }
    let hash = state
        .hasher
        .hash(password)
        .await
        .map_err(crate::backend::internal)?;
    let txn = state.db.begin_write().await?;
    let (reset, account) = live_reset(&*txn, token, now).await?;
    store_password(&*txn, &account, hash, now).await?;
    let mut r: password_resets::ActiveModel = reset.into();
    r.used_at = Set(Some(now));
    r.update(&*txn).await?;
    revoke_resets(&*txn, account.id, now).await?;
    let ended = sessions::end_all_for_account(&*txn, account.id).await?;
    let email = Email::parse(&account.email).map_err(crate::backend::internal)?;
    mail::enqueue(&*txn, &state.settings, now, &email, &CHANGED_MAIL).await?;
    let who = AuditActor::account(&account, meta);
    audit::record_for_account(
        &*txn,
        now,
        &who,
        Some(account.id),
        AuditEntry::new(None, "password.reset", "account")
            .target(Some(account.id), &account.email)
            .after(serde_json::json!({"sessions_ended": ended})),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}
