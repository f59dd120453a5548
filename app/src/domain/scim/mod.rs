//! SCIM 2.0 (RFC 7643, 7644) for identity providers: the resources as JSON, what a
//! request's JSON means, filters (`filter`), PATCH (`patch`), listing (sorting,
//! paging, `attributes`) and the discovery documents (`discovery`). Pure: the
//! server's `backend::scim` reads and writes, this decides.
//!
//! A User is a membership of the tenant (`id` = the member id); a Group is a
//! Gatehouse group. A User's email is its primary (else last work, else first) email in
//! `emails`, or its `userName` when it gives none; `userName` is the email unless
//! the provider names the person otherwise (Entra's userPrincipalName, say), when
//! the provider's userName is kept beside the email. What the provider says of a
//! person (userName, name, displayName, externalId) is kept per membership, so one
//! tenant's provider never renames the account in another tenant.

pub mod discovery;
pub mod filter;
pub mod patch;

use filter::{get_ci, AttrPath, Filter};
use serde_json::{json, Map, Value};

pub const USER_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
pub const GROUP_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
pub const ENTERPRISE_USER: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
pub const LIST_RESPONSE: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
pub const PATCH_OP: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
pub const ERROR: &str = "urn:ietf:params:scim:api:messages:2.0:Error";
/// The most resources one list answer holds.
pub const MAX_RESULTS: usize = 1000;
/// `count` when the request gives none.
pub const DEFAULT_COUNT: usize = 100;

/// Whether `urn` names one of the core schemas (their attributes sit at the top of
/// a resource).
pub fn is_core_schema(urn: &str) -> bool {
    urn.eq_ignore_ascii_case(USER_SCHEMA) || urn.eq_ignore_ascii_case(GROUP_SCHEMA)
}

/// A SCIM error: HTTP status, `scimType` and a sentence for whoever reads the
/// identity provider's log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScimError {
    pub status: u16,
    pub scim_type: Option<String>,
    pub detail: String,
}

impl ScimError {
    pub fn new(status: u16, scim_type: Option<&str>, detail: impl Into<String>) -> Self {
        ScimError {
            status,
            scim_type: scim_type.map(str::to_string),
            detail: detail.into(),
        }
    }
    pub fn invalid_filter(detail: impl Into<String>) -> Self {
        Self::new(400, Some("invalidFilter"), detail)
    }
    pub fn invalid_path(detail: impl Into<String>) -> Self {
        Self::new(400, Some("invalidPath"), detail)
    }
    pub fn invalid_value(detail: impl Into<String>) -> Self {
        Self::new(400, Some("invalidValue"), detail)
    }
    pub fn invalid_syntax(detail: impl Into<String>) -> Self {
        Self::new(400, Some("invalidSyntax"), detail)
    }
    pub fn no_target(detail: impl Into<String>) -> Self {
        Self::new(400, Some("noTarget"), detail)
    }
    pub fn mutability(detail: impl Into<String>) -> Self {
        Self::new(400, Some("mutability"), detail)
    }
    pub fn uniqueness(detail: impl Into<String>) -> Self {
        Self::new(409, Some("uniqueness"), detail)
    }
    pub fn not_found(what: &str, id: &str) -> Self {
        Self::new(
            404,
            None,
            format!("No {what} with id “{id}” in this tenant."),
        )
    }

    /// The error as the SCIM error schema.
    pub fn body(&self) -> Value {
        let mut body = json!({
            "schemas": [ERROR],
            "status": self.status.to_string(),
            "detail": self.detail,
        });
        if let Some(t) = &self.scim_type {
            set(&mut body, "scimType", json!(t));
        }
        body
    }
}

impl From<crate::domain::AppError> for ScimError {
    /// The sentence of a refusal of Gatehouse's own rules, with its SCIM status.
    fn from(error: crate::domain::AppError) -> Self {
        use crate::domain::AppError;
        let detail = error.to_string();
        match error {
            AppError::Validation(fields) => ScimError::invalid_value(
                fields.iter().map(|f| f.message.as_str()).collect::<Vec<_>>().join(" "),
            ),
            AppError::NotFound => ScimError::new(404, None, "That resource is not in this tenant."),
            AppError::Forbidden(_) => ScimError::new(403, None, detail),
            AppError::Conflict(_) => ScimError::new(409, None, detail),
            AppError::Unauthenticated | AppError::SignInRefused => ScimError::new(
                401,
                None,
                "This API key is not valid: it may be mistyped, revoked or expired. An admin creates keys with the scim scope in Settings → API keys.",
            ),
            AppError::RateLimited { .. } => ScimError::new(429, None, detail),
            AppError::BadRequest => ScimError::invalid_syntax(detail),
            AppError::Internal(_) => ScimError::new(500, None, detail),
        }
    }
}

/// The id of a resource in a path (`/Users/{id}`): a positive number, else 404.
pub fn resource_id(what: &str, id: &str) -> Result<i64, ScimError> {
    id.trim()
        .parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| ScimError::not_found(what, id))
}

/// Sets `object[key]` (a no-op on anything but an object).
pub(crate) fn set(object: &mut Value, key: &str, value: Value) {
    if let Some(fields) = object.as_object_mut() {
        fields.insert(key.to_string(), value);
    }
}

/// A time as SCIM writes it (`2026-12-03T10:00:00Z`).
pub fn timestamp(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

fn meta(kind: &str, location: &str, created: i64, modified: i64) -> Value {
    json!({
        "resourceType": kind,
        "created": timestamp(created),
        "lastModified": timestamp(modified.max(created)),
        "location": location,
    })
}

/// The name an identity provider gave a person (kept per membership).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Profile {
    /// The provider's userName when it is not the email.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub given_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub formatted: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
}

impl Profile {
    /// The name to show for the person: displayName, else the formatted name, else
    /// given and family name.
    pub fn shown_name(&self) -> Option<String> {
        self.display_name
            .clone()
            .or_else(|| self.formatted.clone())
            .or_else(|| {
                let parts: Vec<&str> = [&self.given_name, &self.family_name]
                    .into_iter()
                    .flatten()
                    .map(String::as_str)
                    .collect();
                (!parts.is_empty()).then(|| parts.join(" "))
            })
    }
}

/// A member as a SCIM User.
#[derive(Debug, Clone)]
pub struct UserView {
    pub id: i64,
    pub email: String,
    pub profile: Profile,
    pub active: bool,
    pub external_id: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// The User resource of `user`, its location under `base` (`…/scim/v2`).
pub fn user_resource(user: &UserView, base: &str) -> Value {
    let p = &user.profile;
    let mut name = Map::new();
    for (k, v) in [
        ("givenName", &p.given_name),
        ("familyName", &p.family_name),
        ("formatted", &p.formatted),
    ] {
        if let Some(v) = v {
            name.insert(k.into(), json!(v));
        }
    }
    let mut r = json!({
        "schemas": [USER_SCHEMA],
        "id": user.id.to_string(),
        "userName": p.user_name.as_deref().unwrap_or(&user.email),
        "active": user.active,
        "emails": [{"value": user.email, "type": "work"}],
        "meta": meta("User", &format!("{base}/Users/{}", user.id), user.created_at, user.updated_at),
    });
    if !name.is_empty() {
        set(&mut r, "name", Value::Object(name));
    }
    // Only what the provider gave: a name it removed is not filled in from elsewhere.
    if let Some(d) = &p.display_name {
        set(&mut r, "displayName", json!(d));
    }
    if let Some(x) = &user.external_id {
        set(&mut r, "externalId", json!(x));
    }
    r
}

/// A group as a SCIM Group.
#[derive(Debug, Clone)]
pub struct GroupView {
    pub id: i64,
    pub name: String,
    pub external_id: Option<String>,
    /// Member ids.
    pub members: Vec<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

pub fn group_resource(group: &GroupView, base: &str) -> Value {
    let members: Vec<Value> = group
        .members
        .iter()
        .map(|id| {
            json!({"value": id.to_string(), "type": "User", "$ref": format!("{base}/Users/{id}")})
        })
        .collect();
    let mut r = json!({
        "schemas": [GROUP_SCHEMA],
        "id": group.id.to_string(),
        "displayName": group.name,
        "members": members,
        "meta": meta("Group", &format!("{base}/Groups/{}", group.id), group.created_at, group.updated_at),
    });
    if let Some(x) = &group.external_id {
        set(&mut r, "externalId", json!(x));
    }
    r
}

fn text_of(resource: &Value, path: &str) -> Option<String> {
    let path = AttrPath::parse(path).ok()?;
    match path.values(resource).first()? {
        Value::String(s) => Some(s.trim().to_string()).filter(|s| !s.is_empty()),
        _ => None,
    }
}

/// A boolean as providers send it: `true`, or Entra's `"True"`.
fn boolean(value: Option<&Value>, field: &str) -> Result<Option<bool>, ScimError> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(Value::String(s)) if s.eq_ignore_ascii_case("true") => Ok(Some(true)),
        Some(Value::String(s)) if s.eq_ignore_ascii_case("false") => Ok(Some(false)),
        Some(_) => Err(ScimError::invalid_value(format!(
            "{field} is true or false."
        ))),
    }
}

/// What a POST or PUT (or a PATCH's result) asks a User to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserInput {
    /// `userName`, as given.
    pub user_name: String,
    /// The email the User names (see the module's words), as given: the server
    /// checks it.
    pub email: String,
    pub external_id: Option<String>,
    pub profile: Profile,
    pub active: bool,
}

/// The longest externalId, name part or displayName kept.
pub const MAX_TEXT_CHARS: usize = 256;

fn bounded(text: Option<String>, field: &str) -> Result<Option<String>, ScimError> {
    match text {
        Some(t) if t.chars().count() > MAX_TEXT_CHARS => Err(ScimError::invalid_value(format!(
            "{field} is longer than {MAX_TEXT_CHARS} characters."
        ))),
        Some(t) if t.chars().any(char::is_control) => Err(ScimError::invalid_value(format!(
            "{field} holds a control character."
        ))),
        other => Ok(other),
    }
}

pub fn user_input(resource: &Value) -> Result<UserInput, ScimError> {
    if !resource.is_object() {
        return Err(ScimError::invalid_syntax("Send a User as a JSON object."));
    }
    let user_name = bounded(text_of(resource, "userName"), "userName")?
        .ok_or_else(|| ScimError::invalid_value("userName is required."))?;
    let email = chosen_email(resource)?.unwrap_or_else(|| user_name.clone());
    Ok(UserInput {
        user_name: user_name.clone(),
        email: email.clone(),
        external_id: bounded(text_of(resource, "externalId"), "externalId")?,
        profile: Profile {
            user_name: (!user_name.eq_ignore_ascii_case(&email)).then(|| user_name.clone()),
            given_name: bounded(text_of(resource, "name.givenName"), "name.givenName")?,
            family_name: bounded(text_of(resource, "name.familyName"), "name.familyName")?,
            formatted: bounded(text_of(resource, "name.formatted"), "name.formatted")?,
            display_name: bounded(text_of(resource, "displayName"), "displayName")?,
        },
        active: boolean(get_ci(resource, "active"), "active")?.unwrap_or(true),
    })
}

/// The email of `emails` Gatehouse keeps: the last one marked primary, else the
/// last work one (an `add` appends: the newest wins), else the first.
fn chosen_email(resource: &Value) -> Result<Option<String>, ScimError> {
    let items = match get_ci(resource, "emails") {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Array(items)) => items,
        Some(_) => {
            return Err(ScimError::invalid_value(
                "emails is a list of {\"value\": \"ada@example.com\"}.",
            ))
        }
    };
    let value = |e: &Value| {
        get_ci(e, "value")
            .and_then(Value::as_str)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    let primary = items
        .iter()
        .rev()
        .find(|e| boolean(get_ci(e, "primary"), "primary").ok().flatten() == Some(true));
    let work = items.iter().rev().find(|e| {
        get_ci(e, "type")
            .and_then(Value::as_str)
            .is_some_and(|t| t.eq_ignore_ascii_case("work"))
    });
    Ok(primary.or(work).or(items.first()).and_then(value))
}

/// What a POST or PUT (or a PATCH's result) asks a Group to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupInput {
    pub display_name: String,
    pub external_id: Option<String>,
    /// Member ids (each a User's id), without repeats, in the order given.
    pub members: Vec<i64>,
}

pub fn group_input(resource: &Value) -> Result<GroupInput, ScimError> {
    if !resource.is_object() {
        return Err(ScimError::invalid_syntax("Send a Group as a JSON object."));
    }
    let display_name = text_of(resource, "displayName")
        .ok_or_else(|| ScimError::invalid_value("displayName is required: the group's name."))?;
    let mut members = Vec::new();
    match get_ci(resource, "members") {
        None | Some(Value::Null) => {}
        Some(Value::Array(items)) => {
            for item in items {
                let id = match get_ci(item, "value") {
                    Some(Value::String(s)) => s.trim().parse::<i64>().ok(),
                    Some(Value::Number(n)) => n.as_i64(),
                    _ => None,
                }
                .filter(|id| *id > 0)
                .ok_or_else(|| {
                    ScimError::invalid_value(format!(
                        "A member's value is the id of a User of this tenant, not {}.",
                        get_ci(item, "value").unwrap_or(item)
                    ))
                })?;
                if !members.contains(&id) {
                    members.push(id);
                }
            }
        }
        Some(_) => {
            return Err(ScimError::invalid_value(
                "members is a list of {\"value\": \"<User id>\"}.",
            ))
        }
    }
    Ok(GroupInput {
        display_name,
        external_id: bounded(text_of(resource, "externalId"), "externalId")?,
        members,
    })
}

/// A list request's query: `filter`, `startIndex`, `count`, `sortBy`, `sortOrder`,
/// `attributes`, `excludedAttributes`.
#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    pub filter: Option<Filter>,
    /// 1-based.
    pub start_index: usize,
    pub count: usize,
    pub sort_by: Option<AttrPath>,
    pub descending: bool,
    pub projection: Projection,
}

/// `attributes` / `excludedAttributes` of a request.
#[derive(Debug, Clone, Default)]
pub struct Projection {
    pub attributes: Vec<AttrPath>,
    pub excluded: Vec<AttrPath>,
}

fn paths(text: &str) -> Result<Vec<AttrPath>, ScimError> {
    text.split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(AttrPath::parse)
        .collect()
}

impl Projection {
    pub fn parse(
        attributes: Option<&str>,
        excluded: Option<&str>,
    ) -> Result<Projection, ScimError> {
        Ok(Projection {
            attributes: paths(attributes.unwrap_or(""))?,
            excluded: paths(excluded.unwrap_or(""))?,
        })
    }

    /// `resource` with only the asked attributes (`id` and `schemas` always stay).
    pub fn apply(&self, mut resource: Value) -> Value {
        let Some(object) = resource.as_object_mut() else {
            return resource;
        };
        let always = |k: &str| k.eq_ignore_ascii_case("id") || k.eq_ignore_ascii_case("schemas");
        if !self.attributes.is_empty() {
            let keys: Vec<String> = object.keys().cloned().collect();
            for key in keys {
                if always(&key) {
                    continue;
                }
                let asked: Vec<&AttrPath> = self
                    .attributes
                    .iter()
                    .filter(|p| p.attr.eq_ignore_ascii_case(&key))
                    .collect();
                if asked.is_empty() {
                    object.remove(&key);
                } else if asked.iter().all(|p| p.sub.is_some()) {
                    if let Some(Value::Object(inner)) = object.get_mut(&key) {
                        inner.retain(|k, _| {
                            asked.iter().any(|p| {
                                p.sub.as_deref().is_some_and(|s| s.eq_ignore_ascii_case(k))
                            })
                        });
                    }
                }
            }
        }
        for path in &self.excluded {
            let Some(key) = object
                .keys()
                .find(|k| k.eq_ignore_ascii_case(&path.attr))
                .cloned()
            else {
                continue;
            };
            if always(&key) {
                continue;
            }
            match &path.sub {
                None => {
                    object.remove(&key);
                }
                Some(sub) => {
                    if let Some(Value::Object(inner)) = object.get_mut(&key) {
                        inner.retain(|k, _| !k.eq_ignore_ascii_case(sub));
                    }
                }
            }
        }
        resource
    }
}

impl ListQuery {
    /// Reads the query parameters (names are case-insensitive; unknown ones ignored).
    pub fn parse<'a>(
        params: impl IntoIterator<Item = (String, String)> + 'a,
    ) -> Result<ListQuery, ScimError> {
        let mut q = ListQuery {
            start_index: 1,
            count: DEFAULT_COUNT,
            ..ListQuery::default()
        };
        let (mut attributes, mut excluded) = (None, None);
        for (name, value) in params {
            match name.to_ascii_lowercase().as_str() {
                "filter" if !value.trim().is_empty() => q.filter = Some(Filter::parse(&value)?),
                "startindex" => {
                    // Below 1 is read as 1 (RFC 7644 §3.4.2.4).
                    let n: i64 = value.trim().parse().map_err(|_| {
                        ScimError::invalid_value("startIndex is a whole number, 1 for the first.")
                    })?;
                    q.start_index = usize::try_from(n.max(1)).unwrap_or(1);
                }
                "count" => {
                    let n: i64 = value
                        .trim()
                        .parse()
                        .map_err(|_| ScimError::invalid_value("count is a whole number."))?;
                    q.count = usize::try_from(n.max(0)).unwrap_or(0).min(MAX_RESULTS);
                }
                "sortby" if !value.trim().is_empty() => {
                    q.sort_by = Some(AttrPath::parse(value.trim())?)
                }
                "sortorder" => {
                    q.descending = match value.trim().to_ascii_lowercase().as_str() {
                        "" | "ascending" => false,
                        "descending" => true,
                        _ => {
                            return Err(ScimError::invalid_value(
                                "sortOrder is ascending or descending.",
                            ))
                        }
                    }
                }
                "attributes" => attributes = Some(value),
                "excludedattributes" => excluded = Some(value),
                _ => {}
            }
        }
        q.projection = Projection::parse(attributes.as_deref(), excluded.as_deref())?;
        Ok(q)
    }

    /// The list answer for `resources` (already filtered by the caller's
    /// narrowing, not yet by the filter): filtered, sorted, paged, projected.
    pub fn answer(&self, resources: Vec<Value>) -> Value {
        let mut matched: Vec<Value> = match &self.filter {
            Some(f) => resources.into_iter().filter(|r| f.matches(r)).collect(),
            None => resources,
        };
        if let Some(by) = &self.sort_by {
            let key = |r: &Value| -> Option<String> {
                by.values(r).first().map(|v| match v {
                    Value::String(s) => s.to_lowercase(),
                    other => other.to_string(),
                })
            };
            matched.sort_by(|a, b| match (key(a), key(b)) {
                (Some(x), Some(y)) => x.cmp(&y),
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (None, None) => std::cmp::Ordering::Equal,
            });
            if self.descending {
                matched.reverse();
            }
        }
        let total = matched.len();
        let page: Vec<Value> = matched
            .into_iter()
            .skip(self.start_index - 1)
            .take(self.count)
            .map(|r| self.projection.apply(r))
            .collect();
        json!({
            "schemas": [LIST_RESPONSE],
            "totalResults": total,
            "startIndex": self.start_index,
            "itemsPerPage": page.len(),
            "Resources": page,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(id: i64, email: &str) -> UserView {
        UserView {
            id,
            email: email.into(),
            profile: Profile::default(),
            active: true,
            external_id: None,
            created_at: 1_764_756_000_000,
            updated_at: 1_764_756_000_000 + id,
        }
    }

    #[test]
    fn user_resource_round_trips_through_input() {
        let mut v = view(7, "ada@example.com");
        v.profile = Profile {
            user_name: None,
            given_name: Some("Ada".into()),
            family_name: Some("Lovelace".into()),
            formatted: None,
            display_name: Some("Ada L.".into()),
        };
        v.external_id = Some("x-1".into());
        let r = user_resource(&v, "https://g.example/scim/v2");
        assert_eq!(r["id"], json!("7"));
        assert_eq!(
            r["meta"]["location"],
            json!("https://g.example/scim/v2/Users/7")
        );
        assert_eq!(r["meta"]["resourceType"], json!("User"));
        let back = user_input(&r).unwrap();
        assert_eq!(back.user_name, "ada@example.com");
        assert_eq!(back.email, "ada@example.com");
        assert_eq!(back.profile, v.profile);
        assert_eq!(back.external_id.as_deref(), Some("x-1"));
        assert!(back.active);
        // Only what the provider gave is shown.
        let r = user_resource(&view(8, "b@example.com"), "");
        assert!(r.get("name").is_none() && r.get("displayName").is_none());
        // A userName that is not the email is kept beside it.
        let mut v = view(9, "ada@mail.example");
        v.profile.user_name = Some("ada@corp.onmicrosoft.example".into());
        let r = user_resource(&v, "");
        assert_eq!(r["userName"], json!("ada@corp.onmicrosoft.example"));
        assert_eq!(r["emails"][0]["value"], json!("ada@mail.example"));
    }

    #[test]
    fn inputs_refuse_what_they_cannot_keep() {
        assert_eq!(
            user_input(&json!({})).unwrap_err().scim_type.as_deref(),
            Some("invalidValue")
        );
        assert_eq!(
            user_input(&json!({"userName": "a@b.c", "active": "maybe"}))
                .unwrap_err()
                .scim_type
                .as_deref(),
            Some("invalidValue")
        );
        assert!(
            !user_input(&json!({"userName": "a@b.c", "active": "False"}))
                .unwrap()
                .active
        );
        // The email: the last primary, else work, else first, else userName.
        let email = |emails: Value| {
            user_input(&json!({"userName": "u1", "emails": emails}))
                .unwrap()
                .email
        };
        assert_eq!(
            email(
                json!([{"value": "a@x.example", "primary": true}, {"value": "b@x.example", "primary": "True"}])
            ),
            "b@x.example"
        );
        assert_eq!(
            email(
                json!([{"value": "h@x.example", "type": "home"}, {"value": "w@x.example", "type": "work"}])
            ),
            "w@x.example"
        );
        assert_eq!(
            email(json!([{"value": "h@x.example", "type": "home"}])),
            "h@x.example"
        );
        assert_eq!(
            email(
                json!([{"value": "old@x.example", "type": "work"}, {"value": "new@x.example", "type": "work"}])
            ),
            "new@x.example"
        );
        assert_eq!(
            user_input(&json!({"userName": "u@x.example"}))
                .unwrap()
                .email,
            "u@x.example"
        );
        assert!(user_input(&json!({"userName": "a@b.c", "externalId": "x".repeat(257)})).is_err());
        let g = group_input(&json!({"displayName": "Ops", "members": [{"value": "3"}, {"value": 4}, {"value": "3"}]})).unwrap();
        assert_eq!(g.members, vec![3, 4]);
        assert!(
            group_input(&json!({"displayName": "Ops", "members": [{"value": "ada"}]})).is_err()
        );
        assert!(group_input(&json!({"members": []})).is_err());
    }

    #[test]
    fn list_filters_sorts_pages_and_projects() {
        let users: Vec<Value> = [
            (1, "cy@x.example"),
            (2, "ada@x.example"),
            (3, "bo@y.example"),
        ]
        .into_iter()
        .map(|(id, e)| user_resource(&view(id, e), ""))
        .collect();
        let q = ListQuery::parse([
            (
                "filter".to_string(),
                r#"userName ew "x.example""#.to_string(),
            ),
            ("sortBy".into(), "userName".into()),
            ("startIndex".into(), "2".into()),
            ("count".into(), "5".into()),
            ("attributes".into(), "userName".into()),
        ])
        .unwrap();
        let a = q.answer(users.clone());
        assert_eq!(a["totalResults"], json!(2));
        assert_eq!(a["startIndex"], json!(2));
        assert_eq!(a["itemsPerPage"], json!(1));
        assert_eq!(
            a["Resources"][0],
            json!({"schemas": [USER_SCHEMA], "id": "1", "userName": "cy@x.example"})
        );
        let q = ListQuery::parse([
            ("sortBy".to_string(), "meta.lastModified".to_string()),
            ("sortOrder".into(), "descending".into()),
            ("excludedAttributes".into(), "emails,meta".into()),
            ("count".into(), "0".into()),
        ])
        .unwrap();
        let a = q.answer(users.clone());
        assert_eq!(a["totalResults"], json!(3));
        assert_eq!(a["Resources"], json!([]));
        let q = ListQuery::parse([
            ("sortBy".to_string(), "meta.lastModified".to_string()),
            ("sortOrder".into(), "descending".into()),
            ("excludedAttributes".into(), "emails,meta".into()),
        ])
        .unwrap();
        let a = q.answer(users);
        assert_eq!(a["Resources"][0]["id"], json!("3"));
        assert!(a["Resources"][0].get("emails").is_none());
        assert!(a["Resources"][0].get("meta").is_none());
        assert!(ListQuery::parse([("sortOrder".to_string(), "up".to_string())]).is_err());
        assert!(ListQuery::parse([("startIndex".to_string(), "x".to_string())]).is_err());
        assert_eq!(
            ListQuery::parse([("startIndex".to_string(), "0".to_string())])
                .unwrap()
                .start_index,
            1
        );
    }
}
