//! The operator's switch on an account (`gatehouse account disable|enable`): a
//! disabled account signs in nowhere, its sessions end at once, and the admins of
//! every tenant it belongs to see it (and can't lift it).

use crate::backend::entities::accounts;
use crate::backend::kernel::audit::{self, AuditActor, AuditEntry};
use crate::backend::kernel::db::Db;
use crate::backend::kernel::directory::find_account_by_email;
use crate::backend::kernel::sessions;
use crate::domain::{AppError, Email};
use sea_orm::{ActiveModelTrait, Set};

/// Disables (`on`) or re-enables an account. Answers what was done, in words.
pub async fn set_disabled(db: &Db, now_ms: i64, email: &str, on: bool) -> Result<String, AppError> {
    let email = Email::parse(email).map_err(|e| AppError::field("email", e.to_string()))?;
    let txn = db.begin_write().await?;
    let account = find_account_by_email(&*txn, &email)
        .await?
        .ok_or_else(|| AppError::field("email", format!("No account has the email {email}.")))?;
    if account.disabled_at.is_some() == on {
        return Ok(format!(
            "{email} is already {}.",
            if on { "disabled" } else { "enabled" }
        ));
    }
    let mut a: accounts::ActiveModel = account.clone().into();
    a.disabled_at = Set(on.then_some(now_ms));
    a.update(&*txn).await?;
    let ended = if on {
        sessions::end_all_for_account(&*txn, account.id).await?
    } else {
        0
    };
    audit::record_for_account(
        &*txn,
        now_ms,
        &AuditActor::system("operator (command line)"),
        Some(account.id),
        AuditEntry::new(
            None,
            if on {
                "account.disabled"
            } else {
                "account.enabled"
            },
            "account",
        )
        .target(Some(account.id), &account.email),
    )
    .await?;
    txn.commit().await?;
    Ok(if on {
        format!(
            "{email} is disabled: it can't sign in anywhere, and its {ended} open sessions ended."
        )
    } else {
        format!("{email} is enabled again: it can sign in where its memberships allow.")
    })
}
