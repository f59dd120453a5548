//! SCIM 2.0 (RFC 7643, 7644) at `/scim/v2` for identity providers (Microsoft
//! Entra, Okta, …), authenticated by a tenant's API key with the `scim` scope
//! (`Authorization: Bearer gatehouse_…`), every route included, discovery too.
//!
//! - `ServiceProviderConfig`, `ResourceTypes[/{id}]`, `Schemas[/{id}]`.
//! - `Users` and `Groups`: list (`filter`, `startIndex`, `count`, `sortBy`,
//!   `sortOrder`, `attributes`, `excludedAttributes`), `POST …/.search` with the
//!   same in a body, POST (201 + `Location`), GET, PUT, PATCH, DELETE (204); and
//!   `POST /.search` across both.
//!
//! The key acts for its creator through `backend::members::scim` and
//! `backend::groups::scim` (the same services, checks and audit as Settings);
//! the domain's `scim` module parses filters and PATCH and shapes the JSON. Every
//! error is in the SCIM error schema (`application/scim+json`), never a trace.
//! Requests count against the key's per-minute limit with `/v1`.

use crate::v1::{open, Call, Limiter};
use app::backend::{groups, members, AppState};
use app::domain::api_keys::ApiScope;
use app::domain::scim::{discovery, filter::get_ci, ListQuery, Projection, ScimError};
use app::domain::AppError;
use axum::extract::{FromRequestParts, Path, RawQuery, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Router};
use serde_json::Value;
use std::sync::Arc;

pub fn routes(limiter: Arc<Limiter>) -> Router<AppState> {
    Router::new()
        .route(
            "/scim/v2/ServiceProviderConfig",
            get(service_provider_config),
        )
        .route("/scim/v2/ResourceTypes", get(resource_types))
        .route("/scim/v2/ResourceTypes/{id}", get(resource_type))
        .route("/scim/v2/Schemas", get(schemas))
        .route("/scim/v2/Schemas/{id}", get(schema))
        .route("/scim/v2/Users", get(list).post(create))
        .route("/scim/v2/Users/.search", post(search))
        .route(
            "/scim/v2/Users/{id}",
            get(one).put(write).patch(write).delete(remove),
        )
        .route("/scim/v2/Groups", get(list).post(create))
        .route("/scim/v2/Groups/.search", post(search))
        .route(
            "/scim/v2/Groups/{id}",
            get(one).put(write).patch(write).delete(remove),
        )
        .route("/scim/v2/.search", post(search))
        .route("/scim/v2", axum::routing::any(unknown))
        .route("/scim/v2/{*rest}", axum::routing::any(unknown))
        .layer(Extension(limiter))
}

type Lim = Extension<Arc<Limiter>>;

/// Why a SCIM request failed: a rule of Gatehouse's (with its sentence) or of SCIM.
enum Fail {
    App(AppError),
    Scim(ScimError),
}

impl From<AppError> for Fail {
    fn from(e: AppError) -> Self {
        Fail::App(e)
    }
}

impl From<ScimError> for Fail {
    fn from(e: ScimError) -> Self {
        Fail::Scim(e)
    }
}

fn scim_json(status: StatusCode, body: &Value) -> Response {
    let mut res = (status, body.to_string()).into_response();
    let headers = res.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/scim+json"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

fn failure(fail: Fail) -> Response {
    let (error, retry_after) = match fail {
        Fail::App(AppError::RateLimited { retry_after_secs }) => (
            ScimError::from(AppError::RateLimited { retry_after_secs }),
            Some(retry_after_secs),
        ),
        Fail::App(e) => (ScimError::from(e), None),
        Fail::Scim(e) => (e, None),
    };
    let status = StatusCode::from_u16(error.status).unwrap_or(StatusCode::BAD_REQUEST);
    let mut res = scim_json(status, &error.body());
    if status == StatusCode::UNAUTHORIZED {
        res.headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    }
    if let Some(secs) = retry_after {
        if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
            res.headers_mut().insert(header::RETRY_AFTER, v);
        }
    }
    res
}

fn answer(result: Result<Response, Fail>) -> Response {
    result.unwrap_or_else(failure)
}

/// Where the resources live, as their `meta.location` says.
fn base(state: &AppState) -> String {
    format!(
        "{}/scim/v2",
        state.settings.public_url.trim_end_matches('/')
    )
}

fn params(query: Option<&str>) -> Vec<(String, String)> {
    url::form_urlencoded::parse(query.unwrap_or("").as_bytes())
        .into_owned()
        .collect()
}

fn body_json(call: &Call) -> Result<Value, ScimError> {
    serde_json::from_slice(&call.body)
        .map_err(|e| ScimError::invalid_syntax(format!("The body is not JSON: {e}.")))
}

/// A key with the scim scope, or the refusal.
async fn scim_call(
    state: &AppState,
    limiter: &Limiter,
    request: Request,
) -> Result<(Call, app::backend::kernel::actor::Actor), Fail> {
    let call = open(state, limiter, request, ApiScope::Scim).await?;
    let actor = call.key.actor(state).await?;
    Ok((call, actor))
}

async fn service_provider_config(
    State(state): State<AppState>,
    Extension(limiter): Lim,
    request: Request,
) -> Response {
    answer(
        async {
            scim_call(&state, &limiter, request).await?;
            let docs = format!(
                "{}/v1/docs",
                state.settings.public_url.trim_end_matches('/')
            );
            Ok(scim_json(
                StatusCode::OK,
                &discovery::service_provider_config(&base(&state), &docs),
            ))
        }
        .await,
    )
}

fn listed(resources: Vec<Value>) -> Value {
    ListQuery {
        start_index: 1,
        count: resources.len(),
        ..ListQuery::default()
    }
    .answer(resources)
}

fn one_of(resources: Vec<Value>, id: &str, what: &str) -> Result<Response, Fail> {
    resources
        .into_iter()
        .find(|r| r["id"].as_str().is_some_and(|i| i.eq_ignore_ascii_case(id)))
        .map(|r| scim_json(StatusCode::OK, &r))
        .ok_or_else(|| {
            Fail::Scim(ScimError::new(
                404,
                None,
                format!("There is no {what} “{id}”."),
            ))
        })
}

async fn resource_types(
    State(state): State<AppState>,
    Extension(limiter): Lim,
    request: Request,
) -> Response {
    answer(
        async {
            scim_call(&state, &limiter, request).await?;
            Ok(scim_json(
                StatusCode::OK,
                &listed(discovery::resource_types(&base(&state))),
            ))
        }
        .await,
    )
}

async fn resource_type(
    State(state): State<AppState>,
    Extension(limiter): Lim,
    Path(id): Path<String>,
    request: Request,
) -> Response {
    answer(
        async {
            scim_call(&state, &limiter, request).await?;
            one_of(
                discovery::resource_types(&base(&state)),
                &id,
                "resource type",
            )
        }
        .await,
    )
}

async fn schemas(
    State(state): State<AppState>,
    Extension(limiter): Lim,
    request: Request,
) -> Response {
    answer(
        async {
            scim_call(&state, &limiter, request).await?;
            Ok(scim_json(
                StatusCode::OK,
                &listed(discovery::schemas(&base(&state))),
            ))
        }
        .await,
    )
}

async fn schema(
    State(state): State<AppState>,
    Extension(limiter): Lim,
    Path(id): Path<String>,
    request: Request,
) -> Response {
    answer(
        async {
            scim_call(&state, &limiter, request).await?;
            one_of(discovery::schemas(&base(&state)), &id, "schema")
        }
        .await,
    )
}

async fn unknown(
    State(state): State<AppState>,
    Extension(limiter): Lim,
    request: Request,
) -> Response {
    answer(
        async {
            scim_call(&state, &limiter, request).await?;
            Err(Fail::Scim(nothing_here()))
        }
        .await,
    )
}

fn nothing_here() -> ScimError {
    ScimError::new(
        404,
        None,
        "There is nothing at this address. SCIM resources are under /scim/v2/Users and /scim/v2/Groups.",
    )
}

/// Users or Groups: which one a route under `/scim/v2/Users` or `/scim/v2/Groups` serves.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Users,
    Groups,
}

impl Kind {
    fn of(path: &str) -> Option<Kind> {
        let rest = path.strip_prefix("/scim/v2/")?;
        let first = rest.split('/').next()?;
        match first {
            "Users" => Some(Kind::Users),
            "Groups" => Some(Kind::Groups),
            _ => None,
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Kind {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Kind::of(parts.uri.path()).ok_or_else(|| failure(Fail::Scim(nothing_here())))
    }
}

async fn resources_of(
    kind: Kind,
    state: &AppState,
    actor: &app::backend::kernel::actor::Actor,
    query: &ListQuery,
) -> Result<Vec<Value>, ScimError> {
    let base = base(state);
    match kind {
        Kind::Users => members::scim::resources(state, actor, query, &base).await,
        Kind::Groups => groups::scim::resources(state, actor, query, &base).await,
    }
}

async fn list(
    State(state): State<AppState>,
    Extension(limiter): Lim,
    kind: Kind,
    RawQuery(query): RawQuery,
    request: Request,
) -> Response {
    answer(
        async {
            let (_, actor) = scim_call(&state, &limiter, request).await?;
            let query = ListQuery::parse(params(query.as_deref()))?;
            let all = resources_of(kind, &state, &actor, &query).await?;
            Ok(scim_json(StatusCode::OK, &query.answer(all)))
        }
        .await,
    )
}

/// A `.search` body's parameters as query parameters.
fn search_params(body: &Value) -> Result<Vec<(String, String)>, ScimError> {
    let Some(fields) = body.as_object() else {
        return Err(ScimError::invalid_syntax(
            "Send the search as a JSON object.",
        ));
    };
    let mut out = Vec::new();
    for (name, value) in fields {
        let text = match value {
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            Value::Array(items) => items
                .iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join(","),
            _ => continue,
        };
        out.push((name.clone(), text));
    }
    Ok(out)
}

/// `POST …/Users/.search`, `…/Groups/.search`, or `/.search` across both.
async fn search(
    State(state): State<AppState>,
    Extension(limiter): Lim,
    request: Request,
) -> Response {
    let kinds = match Kind::of(request.uri().path()) {
        Some(kind) => vec![kind],
        None => vec![Kind::Users, Kind::Groups],
    };
    answer(
        async {
            let (call, actor) = scim_call(&state, &limiter, request).await?;
            let body = body_json(&call)?;
            let query = ListQuery::parse(search_params(&body)?)?;
            let mut all = Vec::new();
            for kind in kinds {
                all.extend(resources_of(kind, &state, &actor, &query).await?);
            }
            Ok(scim_json(StatusCode::OK, &query.answer(all)))
        }
        .await,
    )
}

async fn one(
    State(state): State<AppState>,
    Extension(limiter): Lim,
    kind: Kind,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
    request: Request,
) -> Response {
    answer(
        async {
            let (_, actor) = scim_call(&state, &limiter, request).await?;
            let q = params(query.as_deref());
            let find = |name: &str| {
                q.iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case(name))
                    .map(|(_, v)| v.as_str())
            };
            let projection = Projection::parse(find("attributes"), find("excludedAttributes"))?;
            let resource = shown(kind, &state, &actor, &id).await?;
            Ok(scim_json(StatusCode::OK, &projection.apply(resource)))
        }
        .await,
    )
}

async fn shown(
    kind: Kind,
    state: &AppState,
    actor: &app::backend::kernel::actor::Actor,
    id: &str,
) -> Result<Value, ScimError> {
    let base = base(state);
    match kind {
        Kind::Users => members::scim::get(state, actor, id, &base).await,
        Kind::Groups => groups::scim::get(state, actor, id, &base).await,
    }
}

async fn create(
    State(state): State<AppState>,
    Extension(limiter): Lim,
    kind: Kind,
    request: Request,
) -> Response {
    answer(
        async {
            let (call, actor) = scim_call(&state, &limiter, request).await?;
            let body = body_json(&call)?;
            let id = match kind {
                Kind::Users => members::scim::create(&state, &actor, &call.meta, &body).await?,
                Kind::Groups => groups::scim::create(&state, &actor, &call.meta, &body).await?,
            };
            let resource = shown(kind, &state, &actor, &id.to_string()).await?;
            let mut res = scim_json(StatusCode::CREATED, &resource);
            if let Some(location) = get_ci(&resource, "meta")
                .and_then(|m| get_ci(m, "location"))
                .and_then(Value::as_str)
                .and_then(|l| HeaderValue::from_str(l).ok())
            {
                res.headers_mut().insert(header::LOCATION, location);
            }
            Ok(res)
        }
        .await,
    )
}

/// PUT replaces the resource, PATCH applies its operations.
async fn write(
    State(state): State<AppState>,
    Extension(limiter): Lim,
    kind: Kind,
    Path(id): Path<String>,
    request: Request,
) -> Response {
    let patching = request.method() == axum::http::Method::PATCH;
    answer(
        async {
            let (call, actor) = scim_call(&state, &limiter, request).await?;
            let body = body_json(&call)?;
            let base = base(&state);
            let meta = &call.meta;
            match (kind, patching) {
                (Kind::Users, false) => {
                    members::scim::replace(&state, &actor, meta, &id, &body).await?
                }
                (Kind::Users, true) => {
                    members::scim::patch(&state, &actor, meta, &id, &body, &base).await?
                }
                (Kind::Groups, false) => {
                    groups::scim::replace(&state, &actor, meta, &id, &body).await?
                }
                (Kind::Groups, true) => {
                    groups::scim::patch(&state, &actor, meta, &id, &body, &base).await?
                }
            }
            let resource = shown(kind, &state, &actor, &id).await?;
            Ok(scim_json(StatusCode::OK, &resource))
        }
        .await,
    )
}

async fn remove(
    State(state): State<AppState>,
    Extension(limiter): Lim,
    kind: Kind,
    Path(id): Path<String>,
    request: Request,
) -> Response {
    answer(
        async {
            let (call, actor) = scim_call(&state, &limiter, request).await?;
            match kind {
                Kind::Users => members::scim::delete(&state, &actor, &call.meta, &id).await?,
                Kind::Groups => groups::scim::delete(&state, &actor, &call.meta, &id).await?,
            }
            let mut res = StatusCode::NO_CONTENT.into_response();
            res.headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            Ok(res)
        }
        .await,
    )
}
