//! Changing the password from My account.

use crate::backend::kernel::actor::Actor;
use crate::backend::kernel::audit::{self, AuditEntry};
use crate::backend::kernel::credentials::{reauthenticate, revoke_resets, store_password};
use crate::backend::kernel::directory::tenant_names_of;
use crate::backend::kernel::mail::{self, letters, Letter};
use crate::backend::kernel::passwords;
use crate::backend::kernel::request::RequestMeta;
use crate::backend::kernel::second_factor;
use crate::backend::kernel::sessions;
use crate::backend::AppState;
use crate::domain::password::context_words;
use crate::domain::{AppError, Email};
use serde_json::json;

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
        second_factor::is_enabled(account),
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
    let hash = state
        .hasher
        .hash(new)
        .await
        .map_err(crate::backend::internal)?;
    let txn = state.db.begin_write().await?;
    store_password(&*txn, account, hash, now).await?;
    let ended = sessions::end_others(&*txn, actor.account.id, actor.session.id).await?;
    revoke_resets(&*txn, account.id, now).await?;
    let to = Email::parse(&account.email).map_err(crate::backend::internal)?;
    let letter = Letter::PasswordChanged(letters::PasswordChanged {
        from_my_account: true,
    });
    mail::enqueue(&*txn, &state.settings, now, &to, &letter).await?;
    audit::commit_with(
        txn,
        now,
        &actor.audit_actor(meta),
        AuditEntry::new(Some(actor.tenant.id), "password.changed", "account")
            .target(Some(account.id), &account.email)
            .after(json!({"other_sessions_ended": ended})),
    )
    .await
}
