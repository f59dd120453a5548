//! `POST /v1/check`: one question, or up to 100 as `{"checks": [...]}`, answered
//! in the same order by the one access evaluation (see `app::backend::api_keys::check`).

use super::{body_of, json, open, respond, shaped, Limiter};
use crate::v1::problem::{Problem, Refusals};
use app::backend::api_keys::check;
use app::backend::AppState;
use app::domain::api_keys::{ApiScope, CheckAnswer, CheckBatch, CheckBatchAnswer, CheckQuestion};
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Extension;
use std::sync::Arc;
use utoipa::ToSchema;

/// One question, or a batch of up to 100.
#[derive(serde::Serialize, ToSchema)]
#[serde(untagged)]
#[allow(dead_code)]
pub enum CheckRequest {
    One(CheckQuestion),
    Batch(CheckBatch),
}

/// The answer, or the batch's answers in the order asked.
#[derive(serde::Serialize, ToSchema)]
#[serde(untagged)]
#[allow(dead_code)]
pub enum CheckResponse {
    One(CheckAnswer),
    Batch(CheckBatchAnswer),
}

const SHAPE: &str = "{\"email\": …, \"permission\": …} or {\"checks\": [ … ]}";

/// May this member do X?
///
/// Ask about a member by `email` or `member_id`, and a `permission` (such as
/// `users.manage`) or a `feature` (such as `api_keys`). The answer says whether they
/// may and, when not, every reason with its stable code, a sentence for the person
/// and one for an admin. Each answer is written to the tenant's decision log.
#[utoipa::path(
    post,
    path = "/v1/check",
    tag = "check",
    request_body(content = inline(CheckRequest), description = "One question, or {\"checks\": [...]} with 1 to 100"),
    responses(
        (status = 200, description = "The answer (or answers, in order)", body = inline(CheckResponse)),
        (status = 400, description = "A malformed question", body = Problem, content_type = "application/problem+json"),
        Refusals
    )
)]
pub async fn check_access(
    State(state): State<AppState>,
    Extension(limiter): Extension<Arc<Limiter>>,
    request: Request,
) -> Response {
    respond(
        async {
            let call = open(&state, &limiter, request, ApiScope::Check).await?;
            // Read once; its shape says which of the two it is.
            let value: serde_json::Value = body_of(&call.body, SHAPE)?;
            if value.get("checks").is_some() {
                let batch: CheckBatch = shaped(serde_json::from_value(value), SHAPE)?;
                let answer = check::check_batch(&state, &call.key, &batch).await?;
                Ok(json(StatusCode::OK, &answer))
            } else {
                let question: CheckQuestion = shaped(serde_json::from_value(value), SHAPE)?;
                let answer = check::check(&state, &call.key, &question).await?;
                Ok(json(StatusCode::OK, &answer))
            }
        }
        .await,
    )
}
