//! The API for programs under `/v1`, authenticated by a tenant's API key
//! (`Authorization: Bearer gatehouse_…`), never by a session cookie: a browser never
//! sends the key by itself, so these routes skip the same-site check.
//!
//! - `POST /v1/check` (scope `check`): may this member do X? (`check`)
//! - `/v1/members` (scopes `members:read`, `members:write`): list, get, invite,
//!   update, suspend, delete (`members`). A key acts for the member who created it,
//!   with no more than they hold now: the same services, checks and audit as their
//!   own clicks in Settings → Users.
//! - `GET /v1/openapi.json`: the OpenAPI 3.1 document generated from these handlers;
//!   `GET /v1/docs`: the same as a page (`docs`).
//!
//! Errors are RFC 9457 problem details (`problem`); each key may make a number of
//! requests a minute (`limit`), then gets 429 with `Retry-After`.

mod check;
mod docs;
mod limit;
mod members;
pub mod problem;

use app::backend::api_keys::{self, KeyUse};
use app::backend::kernel::request::RequestMeta;
use app::backend::AppState;
use app::domain::api_keys::ApiScope;
use app::domain::AppError;
use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Router};
use serde::Serialize;
use std::sync::Arc;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

pub use limit::Limiter;

/// The `/v1` routes; `limiter` counts each key's requests (shared with `/scim/v2`).
pub fn routes(limiter: Arc<Limiter>) -> Router<AppState> {
    Router::new()
        .route("/v1/check", post(check::check_access))
        .route(
            "/v1/members",
            get(members::list_members).post(members::invite_member),
        )
        .route(
            "/v1/members/{id}",
            get(members::get_member)
                .patch(members::update_member)
                .delete(members::delete_member),
        )
        .route("/v1/members/{id}/suspend", post(members::suspend_member))
        .route("/v1/openapi.json", get(docs::openapi_json))
        .route("/v1/docs", get(docs::page))
        .route("/v1/docs.css", get(docs::stylesheet))
        .layer(Extension(limiter))
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Gatehouse API",
        version = "1",
        description = "Ask Gatehouse whether a member may do something, and manage members, with a tenant's API key. Errors are RFC 9457 problem details."
    ),
    paths(
        check::check_access,
        members::list_members,
        members::get_member,
        members::invite_member,
        members::update_member,
        members::suspend_member,
        members::delete_member
    ),
    modifiers(&BearerKey),
    security(("api_key" = [])),
    tags(
        (name = "check", description = "May this member do X? Scope: check."),
        (name = "members", description = "The tenant's members. Scopes: members:read, members:write.")
    )
)]
pub struct ApiDoc;

struct BearerKey;

impl Modify for BearerKey {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "api_key",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "An API key from Settings → API keys: Authorization: Bearer gatehouse_…",
                    ))
                    .build(),
            ),
        );
    }
}

/// A request of a program that presented a usable key holding the scope.
pub(crate) struct Call {
    pub state: AppState,
    pub key: KeyUse,
    pub meta: RequestMeta,
    pub body: Bytes,
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// The key of `request`, if it holds `scope` and has requests left this minute,
/// with the request's audit details and body.
pub(crate) async fn open(
    state: &AppState,
    limiter: &Limiter,
    request: Request<Body>,
    scope: ApiScope,
) -> Result<Call, AppError> {
    let ip = crate::http::client_ip_of(state, &request);
    let (parts, body) = request.into_parts();
    let secret = bearer(&parts.headers).ok_or(AppError::Unauthenticated)?;
    let key = api_keys::authenticate(state, secret, scope, &ip).await?;
    limiter
        .take(key.key_id, std::time::Instant::now())
        .map_err(|retry_after_secs| AppError::RateLimited { retry_after_secs })?;
    let body = axum::body::to_bytes(body, crate::http::MAX_BODY_BYTES)
        .await
        .map_err(|_| AppError::field("body", "The request body is too large."))?;
    // The key is the credential: a session cookie the request carries is ignored.
    let meta = RequestMeta {
        ip,
        session_token: None,
        ..RequestMeta::from_headers(&parts.headers, None, state.settings.session_cookie_name())
    };
    Ok(Call {
        state: state.clone(),
        key,
        meta,
        body,
    })
}

/// `value` as JSON with `status`, never cached.
pub(crate) fn json<T: Serialize>(status: StatusCode, value: &T) -> Response {
    match serde_json::to_string(value) {
        Ok(body) => {
            let mut res = (status, body).into_response();
            let headers = res.headers_mut();
            headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            res
        }
        Err(e) => problem::problem(&app::backend::internal(format!("v1 answer: {e}"))),
    }
}

/// The answer of a handler: its response, or its error as a problem detail.
pub(crate) fn respond(result: Result<Response, AppError>) -> Response {
    result.unwrap_or_else(|error| problem::problem(&error))
}

/// The request body as `T`, or a sentence naming what is wrong with it.
pub(crate) fn body_of<T: serde::de::DeserializeOwned>(
    body: &Bytes,
    shape: &str,
) -> Result<T, AppError> {
    shaped(serde_json::from_slice(body), shape)
}

/// A body read as JSON, or the sentence naming what is wrong with it.
pub(crate) fn shaped<T>(read: Result<T, serde_json::Error>, shape: &str) -> Result<T, AppError> {
    read.map_err(|e| AppError::field("body", format!("Send JSON like {shape}. ({e})")))
}
