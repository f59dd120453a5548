//! Settings → Webhooks (issue 13): endpoints that hear about changes, signed the
//! Standard Webhooks way.
//!
//! - An audited change that is a webhook event (`WebhookEvent::of_audit_action`)
//!   queues one delivery per subscribed endpoint in the change's own transaction
//!   (`enqueue`, called by `audit::record`): it is sent only if the change commits,
//!   and never lost if the server stops before sending.
//! - The server's loop (`deliver_due`) sends due deliveries after commit, each
//!   claimed first so two replicas never send it at once; a failure is retried with
//!   exponential backoff (`retry_delay_secs`), then given up. Every attempt carries
//!   the same `webhook-id`: receivers deduplicate on it (at-least-once).
//! - Managing endpoints needs the integrations-manage permission and a plan with
//!   Webhooks; the signing secret is shown once (on creation and rotation) and kept
//!   sealed with the server's key.

pub mod send;
pub mod sign;

use crate::backend::entities::{webhook_deliveries, webhook_endpoints};
use crate::backend::kernel::actor::Actor;
use crate::backend::kernel::audit::{self, AuditEntry};
use crate::backend::kernel::policy::require_feature;
use crate::backend::kernel::request::RequestMeta;
use crate::backend::kernel::webhook_outbox as outbox;
use crate::backend::AppState;
use crate::domain::time::At;
use crate::domain::webhooks::{
    events_from_stored, events_to_stored, is_public_address, parse_endpoint_url, parse_events,
    retry_delay_secs, DeliveryState, DeliveryView, EndpointSecret, EndpointView, NewEndpoint,
    MAX_ENDPOINTS, TEST_EVENT,
};
use crate::domain::{AppError, Feature};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde_json::json;

fn seal_context(endpoint_tenant: i64) -> String {
    format!("webhook-secret:{endpoint_tenant}")
}

/// Deliveries the log shows per page.
pub const LOG_PAGE_SIZE: u64 = 25;
/// Deliveries one turn of the loop sends.
const BATCH: u64 = 20;

fn view(endpoint: webhook_endpoints::Model, retrying: u64, failed: u64) -> EndpointView {
    EndpointView {
        id: endpoint.id,
        events: events_from_stored(&endpoint.events),
        created_by: endpoint.created_by,
        created: At(endpoint.created_at),
        secret_rotated: endpoint.secret_rotated_at.map(At),
        retrying,
        failed,
        url: endpoint.url,
    }
}

async fn count(
    conn: &impl ConnectionTrait,
    endpoint: i64,
    state: DeliveryState,
    since: i64,
) -> Result<u64, DbErr> {
    let mut q = webhook_deliveries::Entity::find()
        .filter(webhook_deliveries::Column::EndpointId.eq(endpoint))
        .filter(webhook_deliveries::Column::State.eq(state.as_str()))
        .filter(webhook_deliveries::Column::CreatedAt.gte(since));
    if state == DeliveryState::Pending {
        q = q.filter(webhook_deliveries::Column::Attempts.gt(0));
    }
    q.count(conn).await
}

/// The tenant's endpoints, oldest first.
pub async fn list(
    conn: &impl ConnectionTrait,
    actor: &Actor,
) -> Result<Vec<EndpointView>, AppError> {
    require_feature(conn, actor, Feature::Webhooks).await?;
    let since = actor.now - 7 * 24 * 3_600_000;
    let mut views = Vec::new();
    for endpoint in webhook_endpoints::Entity::find()
        .filter(webhook_endpoints::Column::TenantId.eq(actor.tenant.id))
        .order_by_asc(webhook_endpoints::Column::Id)
        .all(conn)
        .await?
    {
        let retrying = count(conn, endpoint.id, DeliveryState::Pending, since).await?;
        let failed = count(conn, endpoint.id, DeliveryState::Failed, since).await?;
        views.push(view(endpoint, retrying, failed));
    }
    Ok(views)
}

/// Whether endpoints may use plain http (a server not in production mode, whose
/// public URL is not https).
fn allow_http(state: &AppState) -> bool {
    !state.settings.secure_cookies()
}

/// Adds an endpoint; the answer carries its signing secret, never readable again.
pub async fn create(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    input: &NewEndpoint,
) -> Result<EndpointSecret, AppError> {
    let url = parse_endpoint_url(&input.url, allow_http(state));
    let events = parse_events(&input.events);
    let (url, events) = match (url, events) {
        (Ok(u), Ok(e)) => (u, e),
        (u, e) => {
            return Err(AppError::fields_of(
                [u.err(), e.err()].into_iter().flatten(),
            ))
        }
    };
    // An address written in the URL is judged now; names are judged when sending,
    // after DNS (`send::post`).
    let private = match url.host() {
        Some(url::Host::Ipv4(ip)) => !is_public_address(ip.into()),
        Some(url::Host::Ipv6(ip)) => !is_public_address(ip.into()),
        Some(url::Host::Domain(name)) => name == "localhost",
        None => false,
    };
    if private && !state.settings.webhook_allow_private {
        return Err(AppError::field(
            "url",
            "That address is on a private network: Gatehouse only sends to addresses on the internet.",
        ));
    }
    let now = state.now_ms();
    let txn = state.db.begin_write().await?;
    require_feature(&*txn, actor, Feature::Webhooks).await?;
    let existing = webhook_endpoints::Entity::find()
        .filter(webhook_endpoints::Column::TenantId.eq(actor.tenant.id))
        .count(&*txn)
        .await?;
    if existing as usize >= MAX_ENDPOINTS {
        return Err(AppError::Conflict(format!(
            "A tenant can have at most {MAX_ENDPOINTS} endpoints. Delete one you no longer use first."
        )));
    }
    let secret = sign::new_secret();
    let endpoint = webhook_endpoints::ActiveModel {
        tenant_id: Set(actor.tenant.id),
        url: Set(url.to_string()),
        events: Set(format!(",{},", events_to_stored(&events))),
        secret_sealed: Set(state
            .settings
            .secret_key
            .seal(&seal_context(actor.tenant.id), secret.as_bytes())),
        created_by: Set(actor.account.email.clone()),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&*txn)
    .await?;
    let keys: Vec<&str> = events.iter().map(|e| e.as_str()).collect();
    audit::commit_with(
        txn,
        now,
        &actor.audit_actor(meta),
        AuditEntry::new(Some(actor.tenant.id), "webhook.created", "webhook")
            .target(Some(endpoint.id), &endpoint.url)
            .after(json!({ "events": keys })),
    )
    .await?;
    Ok(EndpointSecret {
        id: endpoint.id,
        url: endpoint.url,
        secret,
    })
}

async fn endpoint_of(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    id: i64,
) -> Result<webhook_endpoints::Model, AppError> {
    webhook_endpoints::Entity::find_by_id(id)
        .filter(webhook_endpoints::Column::TenantId.eq(actor.tenant.id))
        .one(conn)
        .await?
        .ok_or(AppError::NotFound)
}

/// A new signing secret for the endpoint (shown once); the old one stops at once.
pub async fn rotate_secret(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    id: i64,
) -> Result<EndpointSecret, AppError> {
    let txn = state.db.begin_write().await?;
    require_feature(&*txn, actor, Feature::Webhooks).await?;
    let endpoint = endpoint_of(&*txn, actor, id).await?;
    let now = state.now_ms();
    let secret = sign::new_secret();
    let url = endpoint.url.clone();
    let mut active: webhook_endpoints::ActiveModel = endpoint.into();
    active.secret_sealed = Set(state
        .settings
        .secret_key
        .seal(&seal_context(actor.tenant.id), secret.as_bytes()));
    active.secret_rotated_at = Set(Some(now));
    active.update(&*txn).await?;
    audit::commit_with(
        txn,
        now,
        &actor.audit_actor(meta),
        AuditEntry::new(Some(actor.tenant.id), "webhook.secret_rotated", "webhook")
            .target(Some(id), &url),
    )
    .await?;
    Ok(EndpointSecret { id, url, secret })
}

/// Removes the endpoint and its delivery log; nothing more is sent to it.
pub async fn delete(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    id: i64,
) -> Result<(), AppError> {
    let txn = state.db.begin_write().await?;
    require_feature(&*txn, actor, Feature::Webhooks).await?;
    let endpoint = endpoint_of(&*txn, actor, id).await?;
    webhook_deliveries::Entity::delete_many()
        .filter(webhook_deliveries::Column::EndpointId.eq(id))
        .exec(&*txn)
        .await?;
    webhook_endpoints::Entity::delete_by_id(id)
        .exec(&*txn)
        .await?;
    audit::commit_with(
        txn,
        state.now_ms(),
        &actor.audit_actor(meta),
        AuditEntry::new(Some(actor.tenant.id), "webhook.deleted", "webhook")
            .target(Some(id), &endpoint.url),
    )
    .await
}

/// Queues a `webhook.test` event for this endpoint only; the loop sends it.
pub async fn send_test(state: &AppState, actor: &Actor, id: i64) -> Result<(), AppError> {
    let txn = state.db.begin_write().await?;
    require_feature(&*txn, actor, Feature::Webhooks).await?;
    let endpoint = endpoint_of(&*txn, actor, id).await?;
    let now = state.now_ms();
    let data = json!({
        "tenant": actor.tenant.name,
        "message": "A test event from Settings → Webhooks.",
        "sent_by": actor.account.email,
    });
    webhook_deliveries::ActiveModel {
        tenant_id: Set(actor.tenant.id),
        endpoint_id: Set(endpoint.id),
        message_id: Set(outbox::message_id()),
        event: Set(TEST_EVENT.to_string()),
        payload: Set(outbox::body(TEST_EVENT, now, &data)),
        state: Set(DeliveryState::Pending.as_str().to_string()),
        attempts: Set(0),
        next_attempt_at: Set(Some(now)),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&*txn)
    .await?;
    txn.commit().await?;
    Ok(())
}

/// The endpoint's deliveries, newest first, older than `before_id` when given.
pub async fn deliveries(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    id: i64,
    before_id: Option<i64>,
) -> Result<(Vec<DeliveryView>, bool), AppError> {
    require_feature(conn, actor, Feature::Webhooks).await?;
    endpoint_of(conn, actor, id).await?;
    let mut q = webhook_deliveries::Entity::find()
        .filter(webhook_deliveries::Column::EndpointId.eq(id))
        .filter(webhook_deliveries::Column::TenantId.eq(actor.tenant.id));
    if let Some(before) = before_id {
        q = q.filter(webhook_deliveries::Column::Id.lt(before));
    }
    let mut rows = q
        .order_by_desc(webhook_deliveries::Column::Id)
        .limit(LOG_PAGE_SIZE + 1)
        .all(conn)
        .await?;
    let more = rows.len() as u64 > LOG_PAGE_SIZE;
    rows.truncate(LOG_PAGE_SIZE as usize);
    let views = rows
        .into_iter()
        .map(|d| {
            let state = DeliveryState::parse(&d.state).unwrap_or(DeliveryState::Pending);
            DeliveryView {
                id: d.id,
                message_id: d.message_id,
                event: d.event,
                created: At(d.created_at),
                state,
                attempts: d.attempts,
                last_result: match (d.last_status, d.last_error) {
                    (_, Some(error)) => Some(error),
                    (Some(status), None) => Some(format!("{status}")),
                    (None, None) => None,
                },
                last_duration_ms: d.last_duration_ms,
                next_retry: (state == DeliveryState::Pending && d.attempts > 0)
                    .then_some(d.next_attempt_at)
                    .flatten()
                    .map(At),
            }
        })
        .collect();
    Ok((views, more))
}

/// How long the delivery log keeps a delivery that is done (delivered or given up).
pub const LOG_KEPT_MS: i64 = 30 * 24 * 3_600_000;

/// Deletes done deliveries older than [`LOG_KEPT_MS`]; answers how many.
pub async fn purge_log(state: &AppState) -> Result<u64, AppError> {
    let _writing = state.db.single_write().await;
    Ok(webhook_deliveries::Entity::delete_many()
        .filter(webhook_deliveries::Column::State.ne(DeliveryState::Pending.as_str()))
        .filter(webhook_deliveries::Column::CreatedAt.lt(state.now_ms() - LOG_KEPT_MS))
        .exec(state.db.conn())
        .await?
        .rows_affected)
}

/// Sends every delivery whose time has come (a batch per call); answers how many
/// were attempted.
pub async fn deliver_due(state: &AppState) -> Result<usize, AppError> {
    let now = state.now_ms();
    let conn = state.db.conn();
    let due = webhook_deliveries::Entity::find()
        .filter(webhook_deliveries::Column::State.eq(DeliveryState::Pending.as_str()))
        .filter(webhook_deliveries::Column::NextAttemptAt.lte(now))
        .order_by_asc(webhook_deliveries::Column::NextAttemptAt)
        .limit(BATCH)
        .all(conn)
        .await?;
    let mut attempted = 0;
    for delivery in due {
        // Claim it: another replica that read the same row finds it moved on.
        let claim_until = now + 60_000;
        let claimed = {
            let _writing = state.db.single_write().await;
            webhook_deliveries::Entity::update_many()
                .col_expr(
                    webhook_deliveries::Column::NextAttemptAt,
                    Expr::value(claim_until),
                )
                .filter(webhook_deliveries::Column::Id.eq(delivery.id))
                .filter(webhook_deliveries::Column::NextAttemptAt.eq(delivery.next_attempt_at))
                .filter(webhook_deliveries::Column::State.eq(DeliveryState::Pending.as_str()))
                .exec(conn)
                .await?
                .rows_affected
        };
        if claimed == 0 {
            continue;
        }
        attempted += 1;
        deliver_one(state, delivery).await?;
    }
    Ok(attempted)
}

async fn deliver_one(
    state: &AppState,
    delivery: webhook_deliveries::Model,
) -> Result<(), AppError> {
    let conn = state.db.conn();
    let Some(endpoint) = webhook_endpoints::Entity::find_by_id(delivery.endpoint_id)
        .one(conn)
        .await?
    else {
        return Ok(());
    };
    let secret = state
        .settings
        .secret_key
        .open(&seal_context(endpoint.tenant_id), &endpoint.secret_sealed)
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .ok_or_else(|| crate::backend::internal("a webhook secret did not open"))?;
    let timestamp = state.now_ms() / 1000;
    let signature = sign::signature(&secret, &delivery.message_id, timestamp, &delivery.payload)
        .ok_or_else(|| crate::backend::internal("a webhook secret is malformed"))?;
    let headers = [
        ("webhook-id", delivery.message_id.clone()),
        ("webhook-timestamp", timestamp.to_string()),
        ("webhook-signature", signature),
    ];
    let outcome = send::post(
        &endpoint.url,
        &headers,
        &delivery.payload,
        state.settings.webhook_allow_private,
    )
    .await;
    let attempts = delivery.attempts + 1;
    let after = state.now_ms();
    let (next_state, next_at) = if outcome.delivered() {
        (DeliveryState::Delivered, None)
    } else {
        match retry_delay_secs(u32::try_from(attempts).unwrap_or(u32::MAX)) {
            Some(delay) => (DeliveryState::Pending, Some(after + delay * 1000)),
            None => (DeliveryState::Failed, None),
        }
    };
    let mut row: webhook_deliveries::ActiveModel = delivery.into();
    row.attempts = Set(attempts);
    row.state = Set(next_state.as_str().to_string());
    row.next_attempt_at = Set(next_at);
    row.last_status = Set(outcome.status.map(i64::from));
    row.last_error = Set(outcome.error.clone());
    row.last_duration_ms = Set(Some(outcome.duration_ms));
    row.delivered_at = Set(outcome.delivered().then_some(after));
    let _writing = state.db.single_write().await;
    row.update(conn).await?;
    Ok(())
}
