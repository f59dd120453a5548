//! The Audit log page and a member's activity timeline.

use crate::domain::audit::{ActivityPage, AuditPage, AuditQuery};
use crate::domain::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

#[server(prefix = "/api", endpoint = "list_audit_events", input = Json)]
pub async fn list_audit_events(
    query: AuditQuery,
    before_id: Option<i64>,
) -> Result<AuditPage, AppError> {
    let (state, _meta, actor) = super::server_ctx::actor().await?;
    let conn = state.db.conn();
    crate::backend::kernel::policy::require_user_admin(conn, &actor).await?;
    let filter = query.parse()?;
    Ok(crate::backend::audit::search(conn, actor.tenant.id, &filter, before_id).await?)
}

#[server(prefix = "/api", endpoint = "member_activity", input = Json)]
pub async fn member_activity(member_id: i64, older: Option<i64>) -> Result<ActivityPage, AppError> {
    let (state, _meta, actor) = super::server_ctx::actor().await?;
    crate::backend::audit::activity(&state, &actor, member_id, older).await
}
