//! Settings → API keys server functions (see `backend::api_keys`).

use crate::domain::api_keys::{ApiKeyView, CreatedApiKey, NewApiKey};
use crate::domain::decisions::{DecisionPage, DecisionQuery};
use crate::domain::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

#[cfg(feature = "ssr")]
use super::server_ctx as ctx;
#[cfg(feature = "ssr")]
use crate::backend::api_keys;

#[server(prefix = "/api", endpoint = "list_api_keys")]
pub async fn list_api_keys() -> Result<Vec<ApiKeyView>, AppError> {
    let (state, _meta, actor) = ctx::actor().await?;
    api_keys::list(state.db.conn(), &actor).await
}

#[server(prefix = "/api", endpoint = "create_api_key", input = Json)]
pub async fn create_api_key(input: NewApiKey) -> Result<CreatedApiKey, AppError> {
    let (state, meta, actor) = ctx::actor().await?;
    api_keys::create(&state, &actor, &meta, &input).await
}

#[server(prefix = "/api", endpoint = "revoke_api_key", input = Json)]
pub async fn revoke_api_key(key_id: i64) -> Result<(), AppError> {
    let (state, meta, actor) = ctx::actor().await?;
    api_keys::revoke(&state, &actor, &meta, key_id).await
}

#[server(prefix = "/api", endpoint = "list_check_decisions", input = Json)]
pub async fn list_check_decisions(
    query: DecisionQuery,
    before_id: Option<i64>,
) -> Result<DecisionPage, AppError> {
    let (state, _meta, actor) = ctx::actor().await?;
    let filter = query.parse()?;
    api_keys::decisions::search(state.db.conn(), &actor, &filter, before_id).await
}

/// Keeps check decisions `days` days (a form field: works before hydration).
#[server(prefix = "/api", endpoint = "set_decision_retention")]
pub async fn set_decision_retention(days: String) -> Result<(), AppError> {
    let (state, meta, actor) = ctx::actor().await?;
    let days = crate::domain::decisions::parse_retention_days(&days)?;
    api_keys::decisions::set_retention(&state, &actor, &meta, days).await
}
