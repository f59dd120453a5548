//! `/v1/members`: the tenant's members for programs. Each call goes through the same
//! services as Settings → Users, acting for the key's creator (their permissions,
//! the privilege boundaries, the seat limit, the audit trail naming the key).

use super::problem::{Problem, Refusals};
use super::{body_of, json, open, respond, Limiter};
use app::backend::members;
use app::backend::AppState;
use app::domain::access::Permission;
use app::domain::api_keys::ApiScope;
use app::domain::members::{InviteInput, MemberQuery, MemberRow, MemberUpdate};
use app::domain::{AppError, MembershipStatus, Role};
use axum::extract::{Path, RawQuery, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::Response;
use axum::Extension;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use utoipa::{IntoParams, ToSchema};

/// A member of the tenant.
#[derive(Debug, Serialize, ToSchema)]
pub struct Member {
    /// The member id (stable; the check API's `member_id`).
    pub id: i64,
    pub email: String,
    pub display_name: String,
    /// `admin` or `user`.
    pub role: String,
    /// `invited`, `active` or `suspended`.
    pub status: String,
    pub template_id: Option<i64>,
    pub template_name: Option<String>,
    pub crm_access: bool,
    pub beta_access: bool,
    /// Permissions granted directly (`users.manage`, …), not through the template.
    pub permissions: Vec<String>,
    /// When they last signed in (`2026-12-02 10:42 UTC`).
    pub last_sign_in: Option<String>,
    /// Sign-in locked after repeated wrong passwords.
    pub locked: bool,
    /// Disabled by the operator of this Gatehouse.
    pub disabled: bool,
}

impl From<MemberRow> for Member {
    fn from(row: MemberRow) -> Member {
        Member {
            id: row.id,
            email: row.email,
            display_name: row.display_name,
            role: row.role.as_str().to_string(),
            status: row.status.as_str().to_string(),
            template_id: row.template_id,
            template_name: row.template_name,
            crm_access: row.crm_access,
            beta_access: row.beta_access,
            permissions: row.direct_permissions.iter().map(|p| p.key()).collect(),
            last_sign_in: row
                .last_login
                .map(|t| app::backend::kernel::clock::format_time(t.millis())),
            locked: row.locked,
            disabled: row.disabled,
        }
    }
}

/// A page of members, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct MemberList {
    pub data: Vec<Member>,
    /// Pass as `after` for the next page; absent on the last page.
    pub next_after: Option<i64>,
    /// Members matching the filters (counted up to 1,000: see `total_capped`).
    pub total: u64,
    pub total_capped: bool,
}

/// Filters of the member list.
#[derive(Debug, Default, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Part of the email.
    pub search: Option<String>,
    /// `invited`, `active` or `suspended`.
    pub status: Option<String>,
    /// `admin` or `user`.
    pub role: Option<String>,
    /// The `next_after` of the previous page.
    pub after: Option<i64>,
}

/// Someone to invite: they get an email with a link to join.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewMember {
    pub email: String,
    /// `admin` or `user` (default `user`). Only an admin's key may invite an admin.
    #[serde(default)]
    pub role: Option<String>,
    pub template_id: Option<i64>,
    #[serde(default)]
    pub crm_access: bool,
    #[serde(default)]
    pub beta_access: bool,
}

/// What to change; fields left out stay as they are.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MemberChanges {
    pub role: Option<String>,
    /// `active` or `suspended`.
    pub status: Option<String>,
    /// A role template's id, or null for none.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<i64>)]
    pub template_id: Option<Option<i64>>,
    pub crm_access: Option<bool>,
    pub beta_access: Option<bool>,
    /// The direct permissions, all of them (`users.manage`, …).
    pub permissions: Option<Vec<String>>,
}

/// A field that may be given as null: `Some(None)`; left out: `None` (by default).
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<i64>>, D::Error> {
    Option::<i64>::deserialize(d).map(Some)
}

fn parse_role(text: &str) -> Result<Role, AppError> {
    Role::parse(text).ok_or_else(|| AppError::field("role", "Use \"admin\" or \"user\"."))
}

fn parse_status(text: &str) -> Result<MembershipStatus, AppError> {
    MembershipStatus::parse(text)
        .ok_or_else(|| AppError::field("status", "Use \"invited\", \"active\" or \"suspended\"."))
}

fn parse_id(text: &str) -> Result<i64, AppError> {
    text.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or(AppError::NotFound)
}

fn parse_list(query: Option<&str>) -> Result<MemberQuery, AppError> {
    let params: ListParams = read_params(query.unwrap_or(""))?;
    Ok(MemberQuery {
        search: params.search.unwrap_or_default(),
        status: params.status.as_deref().map(parse_status).transpose()?,
        role: params.role.as_deref().map(parse_role).transpose()?,
        page: 0,
        after: params.after,
        before: None,
    })
}

/// The query string's known parameters (unknown ones are ignored).
fn read_params(query: &str) -> Result<ListParams, AppError> {
    let mut params = ListParams::default();
    for (name, value) in url::form_urlencoded::parse(query.as_bytes()) {
        let value = value.into_owned();
        if value.is_empty() && name != "after" {
            continue; // `role=` filters nothing, as if left out
        }
        match &*name {
            "search" => params.search = Some(value),
            "status" => params.status = Some(value),
            "role" => params.role = Some(value),
            "after" => {
                params.after = Some(value.parse().map_err(|_| {
                    AppError::field("after", "Pass the next_after of the previous page.")
                })?)
            }
            _ => {}
        }
    }
    Ok(params)
}

/// List members
///
/// Newest first, 25 a page, filtered by part of the email, status and role.
#[utoipa::path(
    get,
    path = "/v1/members",
    tag = "members",
    params(ListParams),
    responses(
        (status = 200, description = "A page of members", body = MemberList),
        (status = 400, description = "A bad filter", body = Problem, content_type = "application/problem+json"),
        Refusals
    )
)]
pub async fn list_members(
    State(state): State<AppState>,
    Extension(limiter): Extension<Arc<Limiter>>,
    RawQuery(query): RawQuery,
    request: Request,
) -> Response {
    respond(
        async {
            let call = open(&state, &limiter, request, ApiScope::MembersRead).await?;
            let query = parse_list(query.as_deref())?;
            let actor = call.key.actor(&state).await?;
            let conn = state.db.conn();
            app::backend::kernel::policy::require_user_admin(conn, &actor).await?;
            let page = members::list(conn, &actor.tenant, &query, state.now_ms()).await?;
            let next_after = page
                .has_next
                .then(|| page.rows.last().map(|r| r.id))
                .flatten();
            Ok(json(
                StatusCode::OK,
                &MemberList {
                    data: page.rows.into_iter().map(Member::from).collect(),
                    next_after,
                    total: page.total,
                    total_capped: page.total_capped,
                },
            ))
        }
        .await,
    )
}

async fn read_one(
    call: &super::Call,
    id: i64,
) -> Result<(app::backend::kernel::actor::Actor, MemberRow), AppError> {
    let actor = call.key.actor(&call.state).await?;
    let conn = call.state.db.conn();
    app::backend::kernel::policy::require_user_admin(conn, &actor).await?;
    let row = members::list::one(conn, &actor.tenant, id, call.state.now_ms()).await?;
    Ok((actor, row))
}

/// Get a member
#[utoipa::path(
    get,
    path = "/v1/members/{id}",
    tag = "members",
    params(("id" = i64, Path, description = "The member id")),
    responses(
        (status = 200, description = "The member", body = Member),
        (status = 404, description = "No such member in this tenant", body = Problem, content_type = "application/problem+json"),
        Refusals
    )
)]
pub async fn get_member(
    State(state): State<AppState>,
    Extension(limiter): Extension<Arc<Limiter>>,
    Path(id): Path<String>,
    request: Request,
) -> Response {
    respond(
        async {
            let call = open(&state, &limiter, request, ApiScope::MembersRead).await?;
            let (_, row) = read_one(&call, parse_id(&id)?).await?;
            Ok(json(StatusCode::OK, &Member::from(row)))
        }
        .await,
    )
}

/// Invite a member
///
/// Creates an invited member and emails them a link to join; takes a seat.
#[utoipa::path(
    post,
    path = "/v1/members",
    tag = "members",
    request_body = NewMember,
    responses(
        (status = 201, description = "Invited; Location names the member", body = Member),
        (status = 400, description = "A bad field", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "No seat left", body = Problem, content_type = "application/problem+json"),
        Refusals
    )
)]
pub async fn invite_member(
    State(state): State<AppState>,
    Extension(limiter): Extension<Arc<Limiter>>,
    request: Request,
) -> Response {
    respond(
        async {
            let call = open(&state, &limiter, request, ApiScope::MembersWrite).await?;
            let input: NewMember = body_of(
                &call.body,
                "{\"email\": \"ann@example.com\", \"role\": \"user\"}",
            )?;
            let role = input
                .role
                .as_deref()
                .map(parse_role)
                .transpose()?
                .unwrap_or(Role::User);
            let actor = call.key.actor(&state).await?;
            let id = members::invite(
                &state,
                &actor,
                &call.meta,
                InviteInput {
                    email: input.email,
                    role,
                    template_id: input.template_id,
                    crm_access: input.crm_access,
                    beta_access: input.beta_access,
                },
            )
            .await?;
            let row =
                members::list::one(state.db.conn(), &actor.tenant, id, state.now_ms()).await?;
            let mut res = json(StatusCode::CREATED, &Member::from(row));
            if let Ok(location) = HeaderValue::from_str(&format!("/v1/members/{id}")) {
                res.headers_mut().insert(header::LOCATION, location);
            }
            Ok(res)
        }
        .await,
    )
}

async fn change(call: &super::Call, id: i64, changes: MemberChanges) -> Result<Response, AppError> {
    let (actor, row) = read_one(call, id).await?;
    let permissions = match changes.permissions {
        None => row.direct_permissions.clone(),
        Some(keys) => keys
            .iter()
            .map(|k| {
                Permission::parse(k).ok_or_else(|| {
                    AppError::field(
                        "permissions",
                        format!("“{k}” is not a permission. Permissions look like users.manage."),
                    )
                })
            })
            .collect::<Result<_, _>>()?,
    };
    let input = MemberUpdate {
        id,
        email: row.email.clone(),
        role: changes
            .role
            .as_deref()
            .map(parse_role)
            .transpose()?
            .unwrap_or(row.role),
        status: changes
            .status
            .as_deref()
            .map(parse_status)
            .transpose()?
            .unwrap_or(row.status),
        template_id: changes.template_id.unwrap_or(row.template_id),
        crm_access: changes.crm_access.unwrap_or(row.crm_access),
        permissions,
        beta_access: changes.beta_access.unwrap_or(row.beta_access),
        until: String::new(),
    };
    members::update(&call.state, &actor, &call.meta, input).await?;
    let row =
        members::list::one(call.state.db.conn(), &actor.tenant, id, call.state.now_ms()).await?;
    Ok(json(StatusCode::OK, &Member::from(row)))
}

/// Update a member
///
/// Changes the fields given; the others stay. The same checks as Edit user: only
/// what the key's creator may give, never their own access.
#[utoipa::path(
    patch,
    path = "/v1/members/{id}",
    tag = "members",
    params(("id" = i64, Path, description = "The member id")),
    request_body = MemberChanges,
    responses(
        (status = 200, description = "The member as they are now", body = Member),
        (status = 409, description = "Not possible as things stand (the last admin, yourself)", body = Problem, content_type = "application/problem+json"),
        (status = 400, description = "A bad field", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such member in this tenant", body = Problem, content_type = "application/problem+json"),
        Refusals
    )
)]
pub async fn update_member(
    State(state): State<AppState>,
    Extension(limiter): Extension<Arc<Limiter>>,
    Path(id): Path<String>,
    request: Request,
) -> Response {
    respond(
        async {
            let call = open(&state, &limiter, request, ApiScope::MembersWrite).await?;
            let id = parse_id(&id)?;
            let changes: MemberChanges =
                body_of(&call.body, "{\"role\": \"user\", \"status\": \"active\"}")?;
            change(&call, id, changes).await
        }
        .await,
    )
}

/// Suspend a member
///
/// They can no longer sign in here, and keep their account.
#[utoipa::path(
    post,
    path = "/v1/members/{id}/suspend",
    tag = "members",
    params(("id" = i64, Path, description = "The member id")),
    responses(
        (status = 200, description = "The member, suspended", body = Member),
        (status = 409, description = "Not possible as things stand (the last admin, yourself)", body = Problem, content_type = "application/problem+json"),
        (status = 400, description = "They can't be suspended (an invitation not accepted yet)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such member in this tenant", body = Problem, content_type = "application/problem+json"),
        Refusals
    )
)]
pub async fn suspend_member(
    State(state): State<AppState>,
    Extension(limiter): Extension<Arc<Limiter>>,
    Path(id): Path<String>,
    request: Request,
) -> Response {
    respond(
        async {
            let call = open(&state, &limiter, request, ApiScope::MembersWrite).await?;
            let changes = MemberChanges {
                status: Some("suspended".into()),
                ..MemberChanges::default()
            };
            change(&call, parse_id(&id)?, changes).await
        }
        .await,
    )
}

/// Delete a member
///
/// Removes them from this tenant (their account stays for other tenants).
#[utoipa::path(
    delete,
    path = "/v1/members/{id}",
    tag = "members",
    params(("id" = i64, Path, description = "The member id")),
    responses(
        (status = 204, description = "Removed"),
        (status = 409, description = "Not possible as things stand (the last admin, yourself)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such member in this tenant", body = Problem, content_type = "application/problem+json"),
        Refusals
    )
)]
pub async fn delete_member(
    State(state): State<AppState>,
    Extension(limiter): Extension<Arc<Limiter>>,
    Path(id): Path<String>,
    request: Request,
) -> Response {
    respond(
        async {
            let call = open(&state, &limiter, request, ApiScope::MembersWrite).await?;
            let id = parse_id(&id)?;
            let actor = call.key.actor(&state).await?;
            members::delete(&state, &actor, &call.meta, id).await?;
            let mut res = axum::response::IntoResponse::into_response(StatusCode::NO_CONTENT);
            res.headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            Ok(res)
        }
        .await,
    )
}
