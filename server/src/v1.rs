//! The API for host products under `/v1`, authenticated by a tenant's API key
//! (`Authorization: Bearer gatehouse_…`), never by a session cookie: a browser
//! never sends the key by itself, so these routes skip the same-site check.

use app::backend::api_keys::{self, check};
use app::backend::AppState;
use app::domain::api_keys::{ApiScope, CheckBatch, CheckQuestion};
use app::domain::AppError;
use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;

pub fn routes() -> Router<AppState> {
    Router::new().route("/v1/check", post(check_access))
}

/// The sentence every unusable key gets: whoever holds it may be guessing.
const KEY_REFUSED: &str = "This API key is not valid: it may be mistyped, revoked or expired. An admin creates keys in Settings → API keys.";

fn answer(status: StatusCode, body: String) -> Response {
    let mut res = (status, body).into_response();
    let headers = res.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

fn refused(error: &AppError) -> Response {
    if *error != AppError::Unauthenticated {
        let mut res = crate::http::error_response(error);
        res.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        return res;
    }
    let body = serde_json::json!({ "error": "unauthorized", "message": KEY_REFUSED });
    let mut res = answer(StatusCode::UNAUTHORIZED, body.to_string());
    res.headers_mut()
        .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    res
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// `POST /v1/check`: one question (`{"email"|"member_id", "permission"|"feature"}`),
/// or up to 100 as `{"checks": [...]}`, answered in the same order.
async fn check_access(State(state): State<AppState>, request: Request) -> Response {
    let ip = crate::http::client_ip_of(&state, &request);
    let (parts, body) = request.into_parts();
    let Some(secret) = bearer(&parts.headers) else {
        return refused(&AppError::Unauthenticated);
    };
    let key = match api_keys::authenticate(&state, secret, ApiScope::Check, &ip).await {
        Ok(key) => key,
        Err(error) => return refused(&error),
    };
    let Ok(bytes): Result<Bytes, _> = axum::body::to_bytes(body, crate::http::MAX_BODY_BYTES).await
    else {
        return refused(&AppError::field("body", "The request body is too large."));
    };
    let unreadable = || {
        refused(&AppError::field(
            "body",
            "Send JSON: {\"email\": …, \"permission\": …} or {\"checks\": [ … ]}.",
        ))
    };
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(&bytes) else {
        return unreadable();
    };
    let answered = if value.get("checks").is_some() {
        let Ok(batch) = serde_json::from_value::<CheckBatch>(value) else {
            return unreadable();
        };
        check::check_batch(&state, &key, &batch)
            .await
            .map(|a| serde_json::to_string(&a))
    } else {
        let Ok(question) = serde_json::from_value::<CheckQuestion>(value) else {
            return unreadable();
        };
        check::check(&state, &key, &question)
            .await
            .map(|a| serde_json::to_string(&a))
    };
    match answered {
        Ok(Ok(body)) => answer(StatusCode::OK, body),
        Ok(Err(e)) => refused(&app::backend::internal(format!("check answer: {e}"))),
        Err(error) => refused(&error),
    }
}
