//! The Audit log page.

use crate::domain::audit::AuditPage;
use crate::domain::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

#[server(prefix = "/api", endpoint = "list_audit_events", input = Json)]
pub async fn list_audit_events(
    member: String,
    before_id: Option<i64>,
) -> Result<AuditPage, AppError> {
    let (state, _meta, actor) = super::server_ctx::actor().await?;
    let conn = state.db.conn();
    crate::backend::kernel::policy::require_user_admin(conn, &actor).await?;
    Ok(crate::backend::audit::list(conn, actor.tenant.id, &member, before_id).await?)
}
