//! Files people download and upload from the console, signed in with their session:
//!
//! - `GET /settings/users/export.csv?search=&status=&role=`: the Users page's
//!   filter as CSV, streamed in batches (`backend::members::export`).
//! - `GET /settings/audit-log/export.csv?kind=&from=&to=&who=`: the Audit log's filter
//!   as CSV (`backend::audit::export`).
//! - `GET /settings/users/import-sample.csv`: the layout an import reads.
//! - `POST /settings/users/import` (a plain multipart form, so it works before the
//!   page hydrates): keeps the file and shows its preview at
//!   `/settings/users/import?file=<id>` (`backend::members::import`).
//!
//! A signed-out browser is sent to sign in; someone who may not is told why.

use app::backend::kernel::actor::{current_actor, Actor};
use app::backend::kernel::csv_out::{file_name, Batch};
use app::backend::kernel::request::RequestMeta;
use app::backend::{audit, members, AppState};
use app::domain::audit::AuditQuery;
use app::domain::imports::{MAX_IMPORT_BYTES, SAMPLE_CSV};
use app::domain::members::MemberQuery;
use app::domain::{AppError, MembershipStatus, Role};
use axum::body::{Body, Bytes};
use axum::extract::{Multipart, RawQuery, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use std::future::Future;

/// The download routes (the ordinary body limit applies).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/settings/users/export.csv", get(export_users))
        .route("/settings/audit-log/export.csv", get(export_audit))
        .route("/settings/users/import-sample.csv", get(sample))
}

/// The upload route: its own body limit, room for a 5 MB file.
pub fn upload_routes() -> Router<AppState> {
    Router::new().route("/settings/users/import", post(upload))
}

/// The body limit of [`upload_routes`]: the largest file and its form around it.
pub const UPLOAD_BODY_BYTES: usize = MAX_IMPORT_BYTES + 64 * 1024;

/// The signed-in person of a browser request, or the answer for one who isn't.
fn signed_in(
    state: &AppState,
    request: &Request,
) -> impl Future<Output = Result<Actor, Response>> + Send + 'static {
    let ip = crate::http::client_ip_of(state, request);
    let meta = RequestMeta::from_headers(
        request.headers(),
        Some(ip),
        state.settings.session_cookie_name(),
    );
    let path = request.uri().path().to_string();
    let state = state.clone();
    async move {
        current_actor(&state, &meta)
            .await
            .map_err(|e| refusal(&e, &path))
    }
}

/// A refusal as a browser should see it: sign in first, or the sentence.
fn refusal(error: &AppError, path: &str) -> Response {
    match error {
        AppError::Unauthenticated => {
            let back = url::form_urlencoded::byte_serialize(path.as_bytes()).collect::<String>();
            Redirect::to(&format!("/sign-in?next={back}")).into_response()
        }
        other => {
            let status =
                StatusCode::from_u16(other.status_code()).unwrap_or(StatusCode::BAD_REQUEST);
            let mut res = (status, other.to_string()).into_response();
            res.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/plain; charset=utf-8"),
            );
            res
        }
    }
}

fn params(query: Option<&str>) -> Vec<(String, String)> {
    url::form_urlencoded::parse(query.unwrap_or("").as_bytes())
        .into_owned()
        .collect()
}

fn param(params: &[(String, String)], name: &str) -> String {
    params
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

/// A CSV download of batches `next(after)` until one says none follows. The
/// first batch runs before the answer starts, so a refusal is an ordinary answer.
async fn stream_csv<F, Fut>(name: String, next: F) -> Result<Response, AppError>
where
    F: Fn(Option<i64>) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<Batch, AppError>> + Send + 'static,
{
    let first = next(None).await?;
    let rest = futures::stream::unfold(first.next, move |after| {
        let batch = after.map(|a| next(Some(a)));
        async move {
            let batch = batch?.await;
            Some(match batch {
                Ok(b) => (Ok::<Bytes, std::io::Error>(Bytes::from(b.csv)), b.next),
                // The download stops short; the cause is logged with a reference.
                Err(e) => (Err(std::io::Error::other(e.to_string())), None),
            })
        }
    });
    let head =
        futures::stream::once(async move { Ok::<Bytes, std::io::Error>(Bytes::from(first.csv)) });
    let body = Body::from_stream(futures::StreamExt::chain(head, rest));
    let mut res = (StatusCode::OK, body).into_response();
    let headers = res.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(res)
}

async fn export_users(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
    request: Request,
) -> Response {
    let actor = match signed_in(&state, &request).await {
        Ok(a) => a,
        Err(res) => return res,
    };
    let path = request.uri().path().to_string();
    let p = params(query.as_deref());
    let result = async {
        app::backend::kernel::policy::require_user_admin(state.db.conn(), &actor).await?;
        let query = MemberQuery {
            search: param(&p, "search"),
            status: MembershipStatus::parse(&param(&p, "status")),
            role: Role::parse(&param(&p, "role")),
            ..MemberQuery::default()
        };
        let name = file_name(&actor.tenant.name, "users", state.now_ms());
        let tenant = actor.tenant.clone();
        let st = state.clone();
        stream_csv(name, move |after| {
            let (st, tenant, query) = (st.clone(), tenant.clone(), query.clone());
            async move { members::export::users_batch(st.db.conn(), &tenant, &query, after).await }
        })
        .await
    }
    .await;
    result.unwrap_or_else(|e| refusal(&e, &path))
}

async fn export_audit(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
    request: Request,
) -> Response {
    let actor = match signed_in(&state, &request).await {
        Ok(a) => a,
        Err(res) => return res,
    };
    let path = request.uri().path().to_string();
    let p = params(query.as_deref());
    let result = async {
        app::backend::kernel::policy::require_user_admin(state.db.conn(), &actor).await?;
        let filter = AuditQuery {
            kind: param(&p, "kind"),
            from: param(&p, "from"),
            to: param(&p, "to"),
            who: param(&p, "who"),
        }
        .parse()?;
        let name = file_name(&actor.tenant.name, "audit-log", state.now_ms());
        let tenant_id = actor.tenant.id;
        let st = state.clone();
        stream_csv(name, move |before| {
            let (st, filter) = (st.clone(), filter.clone());
            async move { audit::export::audit_batch(st.db.conn(), tenant_id, &filter, before).await }
        })
        .await
    }
    .await;
    result.unwrap_or_else(|e| refusal(&e, &path))
}

async fn sample() -> Response {
    let mut res = (StatusCode::OK, SAMPLE_CSV).into_response();
    let headers = res.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    headers.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"gatehouse-import-sample.csv\""),
    );
    res
}

/// The file of an upload form (its `file` field), with its name.
async fn file_of(mut form: Multipart) -> Result<(String, Vec<u8>), AppError> {
    let unreadable = || {
        AppError::field(
            "file",
            "The upload could not be read. Choose the file again and press Check the file.",
        )
    };
    while let Some(field) = form.next_field().await.map_err(|_| unreadable())? {
        if field.name() == Some("file") {
            let name = field.file_name().unwrap_or("people.csv").to_string();
            let bytes = field.bytes().await.map_err(|_| {
                AppError::field(
                    "file",
                    "The file is larger than 5 MB. Split it into smaller files and import each.",
                )
            })?;
            return Ok((name, bytes.to_vec()));
        }
    }
    Err(AppError::field("file", "Choose a CSV file first."))
}

async fn upload(State(state): State<AppState>, request: Request) -> Response {
    let actor = match signed_in(&state, &request).await {
        Ok(a) => a,
        Err(res) => return res,
    };
    let path = request.uri().path().to_string();
    let result = async {
        let form =
            <Multipart as axum::extract::FromRequest<AppState>>::from_request(request, &state)
                .await
                .map_err(|_| {
                    AppError::field("file", "Send the file with the form on the Import page.")
                })?;
        let (name, bytes) = file_of(form).await?;
        let id = members::import::upload(&state, &actor, &name, &bytes).await?;
        Ok::<_, AppError>(
            Redirect::to(&format!("/settings/users/import?file={id}")).into_response(),
        )
    }
    .await;
    result.unwrap_or_else(|e| refusal(&e, &path))
}
