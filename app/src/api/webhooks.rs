//! Settings → Webhooks server functions (see `backend::webhooks`).

use crate::domain::webhooks::{DeliveryView, EndpointSecret, EndpointView, NewEndpoint};
use crate::domain::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

#[cfg(feature = "ssr")]
use super::server_ctx as ctx;
#[cfg(feature = "ssr")]
use crate::backend::webhooks;

#[server(prefix = "/api", endpoint = "list_webhooks")]
pub async fn list_webhooks() -> Result<Vec<EndpointView>, AppError> {
    let (state, _meta, actor) = ctx::actor().await?;
    webhooks::list(state.db.conn(), &actor).await
}

#[server(prefix = "/api", endpoint = "create_webhook", input = Json)]
pub async fn create_webhook(input: NewEndpoint) -> Result<EndpointSecret, AppError> {
    let (state, meta, actor) = ctx::actor().await?;
    webhooks::create(&state, &actor, &meta, &input).await
}

#[server(prefix = "/api", endpoint = "rotate_webhook_secret", input = Json)]
pub async fn rotate_webhook_secret(endpoint_id: i64) -> Result<EndpointSecret, AppError> {
    let (state, meta, actor) = ctx::actor().await?;
    webhooks::rotate_secret(&state, &actor, &meta, endpoint_id).await
}

#[server(prefix = "/api", endpoint = "delete_webhook", input = Json)]
pub async fn delete_webhook(endpoint_id: i64) -> Result<(), AppError> {
    let (state, meta, actor) = ctx::actor().await?;
    webhooks::delete(&state, &actor, &meta, endpoint_id).await
}

#[server(prefix = "/api", endpoint = "send_test_webhook", input = Json)]
pub async fn send_test_webhook(endpoint_id: i64) -> Result<(), AppError> {
    let (state, _meta, actor) = ctx::actor().await?;
    webhooks::send_test(&state, &actor, endpoint_id).await
}

/// An endpoint's deliveries, newest first, and whether older ones follow.
#[server(prefix = "/api", endpoint = "webhook_deliveries", input = Json)]
pub async fn webhook_deliveries(
    endpoint_id: i64,
    before_id: Option<i64>,
) -> Result<(Vec<DeliveryView>, bool), AppError> {
    let (state, _meta, actor) = ctx::actor().await?;
    webhooks::deliveries(state.db.conn(), &actor, endpoint_id, before_id).await
}
