//! The account's own sessions: signing out one, or all the others.

use crate::backend::entities::sessions as session_rows;
use crate::backend::kernel::actor::Actor;
use crate::backend::kernel::audit::{self, AuditEntry};
use crate::backend::kernel::request::RequestMeta;
use crate::backend::kernel::sessions;
use crate::backend::AppState;
use crate::domain::AppError;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;

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
    audit::commit_with(
        txn,
        now,
        &actor.audit_actor(meta),
        AuditEntry::new(Some(actor.tenant.id), "session.ended", "account")
            .target(Some(actor.account.id), &actor.account.email)
            .after(json!({"session": session_id})),
    )
    .await
}

/// Signs out every session of the account but this one; answers how many ended.
pub async fn end_other_sessions(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
) -> Result<u64, AppError> {
    let now = state.now_ms();
    let txn = state.db.begin_write().await?;
    let ended = sessions::end_others(&*txn, actor.account.id, actor.session.id).await?;
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
