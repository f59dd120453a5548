//! The webhook outbox: an audited change that is a webhook event queues one
//! delivery per endpoint that chose it, in the change's own transaction (see
//! `backend::webhooks` for sending them and for the endpoints).

use crate::backend::entities::{webhook_deliveries, webhook_endpoints};
use crate::backend::kernel::crypto::random_token;
use crate::backend::kernel::like::containing;
use crate::domain::webhooks::DeliveryState;
use sea_orm::sea_query::Expr;
use sea_orm::{ConnectionTrait, DbErr};
use serde_json::{json, Value};

/// A `webhook-id`: unique, and the same for every attempt of one message.
pub fn message_id() -> String {
    format!("msg_{}", random_token())
}

/// The JSON every delivery of `event` carries.
pub fn body(event: &str, now_ms: i64, data: &Value) -> String {
    let timestamp = chrono::DateTime::from_timestamp_millis(now_ms)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
        .unwrap_or_default();
    json!({ "type": event, "timestamp": timestamp, "data": data }).to_string()
}

/// Queues `event` for every endpoint of the tenant that chose it, in one statement
/// on `conn` (the change's transaction).
pub async fn enqueue(
    conn: &impl ConnectionTrait,
    tenant_id: i64,
    event: &str,
    data: &Value,
    now_ms: i64,
) -> Result<(), DbErr> {
    use sea_orm::sea_query::Query;
    use webhook_deliveries::Column as D;
    use webhook_endpoints::Column as E;
    let chosen = Query::select()
        .column(E::TenantId)
        .column(E::Id)
        .expr(Expr::val(message_id()))
        .expr(Expr::val(event))
        .expr(Expr::val(body(event, now_ms, data)))
        .expr(Expr::val(DeliveryState::Pending.as_str()))
        .expr(Expr::val(0i64))
        .expr(Expr::val(now_ms))
        .expr(Expr::val(now_ms))
        .from(webhook_endpoints::Entity)
        .and_where(Expr::col(E::TenantId).eq(tenant_id))
        // Chosen events are stored between commas: find ",member.invited,".
        .and_where(Expr::col(E::Events).like(containing(&format!(",{event},"))))
        .to_owned();
    let insert = Query::insert()
        .into_table(webhook_deliveries::Entity)
        .columns([
            D::TenantId,
            D::EndpointId,
            D::MessageId,
            D::Event,
            D::Payload,
            D::State,
            D::Attempts,
            D::NextAttemptAt,
            D::CreatedAt,
        ])
        .select_from(chosen)
        .map_err(|e| DbErr::Custom(e.to_string()))?
        .to_owned();
    let backend = conn.get_database_backend();
    conn.execute(backend.build(&insert)).await.map(|_| ())
}
