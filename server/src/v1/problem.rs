//! Errors of `/v1` as RFC 9457 problem details (`application/problem+json`): a
//! stable `type` per kind of problem, its `title`, the HTTP `status`, a sentence in
//! `detail`, and for bad input the fields with their sentences in `errors`. Never a
//! trace, SQL or internal key: an internal error carries only its reference id.

use app::domain::AppError;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::{IntoResponses, ToSchema};

/// One wrong field of the request, with what to do about it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProblemField {
    /// The field's name (`email`, `role`, `checks`, …).
    pub field: String,
    pub message: String,
}

/// An RFC 9457 problem detail.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem (`urn:gatehouse:problem:invalid-input`, …).
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    /// What happened and what to do, in a sentence.
    pub detail: String,
    /// For invalid input: each wrong field and its sentence.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<ProblemField>,
}

/// The sentence every unusable key gets: whoever holds it may be guessing.
pub const KEY_REFUSED: &str = "This API key is not valid: it may be mistyped, revoked or expired. An admin creates keys in Settings → API keys.";

fn kind_of(error: &AppError) -> (&'static str, &'static str) {
    match error {
        AppError::Unauthenticated | AppError::SignInRefused => ("unauthorized", "Unauthorized"),
        AppError::Forbidden(_) => ("forbidden", "Forbidden"),
        AppError::NotFound => ("not-found", "Not found"),
        AppError::Conflict(_) => ("conflict", "Conflict"),
        AppError::Validation(_) => ("invalid-input", "Invalid input"),
        AppError::BadRequest => ("bad-request", "Bad request"),
        AppError::RateLimited { .. } => ("rate-limited", "Too many requests"),
        AppError::Internal(_) => ("internal", "Internal error"),
    }
}

impl Problem {
    pub fn of(error: &AppError) -> Problem {
        let (slug, title) = kind_of(error);
        let detail = match error {
            AppError::Unauthenticated => KEY_REFUSED.to_string(),
            AppError::NotFound => "There is no member with that id in this tenant.".to_string(),
            other => other.to_string(),
        };
        Problem {
            kind: format!("urn:gatehouse:problem:{slug}"),
            title: title.to_string(),
            status: error.status_code(),
            detail,
            errors: match error {
                AppError::Validation(fields) => fields
                    .iter()
                    .map(|f| ProblemField {
                        field: f.field.clone(),
                        message: f.message.clone(),
                    })
                    .collect(),
                _ => Vec::new(),
            },
        }
    }
}

/// The response for `error`: its status, the problem as JSON, never cached; a
/// `WWW-Authenticate` challenge for a refused key, `Retry-After` when rate-limited.
pub fn problem(error: &AppError) -> Response {
    let body = Problem::of(error);
    let status = StatusCode::from_u16(body.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut res = (status, serde_json::to_string(&body).unwrap_or_default()).into_response();
    let headers = res.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    match error {
        AppError::Unauthenticated => {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        AppError::RateLimited { retry_after_secs } => {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(*retry_after_secs));
        }
        _ => {}
    }
    res
}

/// The refusals every `/v1` route may answer, for the OpenAPI document.
#[derive(IntoResponses)]
#[allow(dead_code)]
pub enum Refusals {
    /// No key, or one mistyped, revoked or expired.
    #[response(status = 401, content_type = "application/problem+json")]
    Unauthorized(Problem),
    /// The key lacks the scope, its plan has no API keys, or the member it acts for
    /// may not do this.
    #[response(status = 403, content_type = "application/problem+json")]
    Forbidden(Problem),
    /// Too many requests with this key this minute: see `Retry-After`.
    #[response(status = 429, content_type = "application/problem+json")]
    TooManyRequests(Problem),
}
