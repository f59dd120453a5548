//! SCIM 2.0 at `/scim/v2`: every route refuses a missing, revoked or non-scim key
//! and another tenant's ids; Users and Groups are created, read, filtered, replaced,
//! patched (as Microsoft Entra and Okta send it) and deleted through the same
//! services as Settings, audited as the key; `active: false` suspends and ends
//! sessions; the seat limit answers a SCIM error; every error is in the SCIM error
//! schema.

use crate::common::{self, each_engine, meta, TestApp};
use app::backend::api_keys;
use app::backend::entities::{memberships, tenants};
use app::backend::kernel::actor::Actor;
use app::backend::members;
use app::domain::access::{Action, Category, Permission};
use app::domain::api_keys::NewApiKey;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use sea_orm::{ActiveModelTrait, EntityTrait, Set};
use serde_json::{json, Value};

const PATCH: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

async fn key(app: &TestApp, actor: &Actor, name: &str, scopes: &[&str]) -> String {
    api_keys::create(
        &app.state,
        actor,
        &meta(None),
        &NewApiKey {
            name: name.into(),
            scopes: scopes.iter().map(|s| s.to_string()).collect(),
            expires: String::new(),
        },
    )
    .await
    .unwrap()
    .secret
}

/// A SCIM request; answers the status, the JSON and the Location header. Every
/// error must be in the SCIM error schema.
async fn call(
    app: &TestApp,
    method: &str,
    path: &str,
    secret: Option<&str>,
    body: Option<Value>,
) -> (StatusCode, Value, Option<String>) {
    let mut request = Request::builder().method(method).uri(path);
    if let Some(secret) = secret {
        request = request.header("authorization", format!("Bearer {secret}"));
    }
    let request = match body {
        Some(body) => request
            .header("content-type", "application/scim+json")
            .body(Body::from(body.to_string())),
        None => request.body(Body::empty()),
    }
    .unwrap();
    let res = app.send(request).await;
    let header = |name: &str| {
        res.headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_string())
    };
    let content_type = header("content-type");
    let location = header("location");
    let (status, text, _) = common::split(res).await;
    let value = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{method} {path}: {e}: {text}"))
    };
    if status != StatusCode::NO_CONTENT {
        assert_eq!(
            content_type.as_deref(),
            Some("application/scim+json"),
            "{method} {path}: {status} {value}"
        );
    }
    if !status.is_success() {
        assert_eq!(
            value["schemas"],
            json!(["urn:ietf:params:scim:api:messages:2.0:Error"]),
            "{method} {path}: {value}"
        );
        assert_eq!(
            value["status"],
            json!(status.as_u16().to_string()),
            "{value}"
        );
        let detail = value["detail"].as_str().unwrap();
        assert!(!detail.is_empty() && !detail.contains("SQL"), "{value}");
    }
    (status, value, location)
}

#[allow(clippy::needless_pass_by_value)]
fn patch_body(ops: Value) -> Value {
    json!({"schemas": [PATCH], "Operations": ops})
}

/// Every route, with a body where it takes one (ids of Acme's member and group).
fn routes(member: i64, group: i64) -> Vec<(&'static str, String, Option<Value>)> {
    let user = json!({"userName": "new@example.com", "active": true});
    let grp = json!({"displayName": "New group"});
    let ops = patch_body(json!([{"op": "replace", "path": "active", "value": false}]));
    vec![
        ("GET", "/scim/v2/ServiceProviderConfig".into(), None),
        ("GET", "/scim/v2/ResourceTypes".into(), None),
        ("GET", "/scim/v2/ResourceTypes/User".into(), None),
        ("GET", "/scim/v2/Schemas".into(), None),
        (
            "GET",
            "/scim/v2/Schemas/urn:ietf:params:scim:schemas:core:2.0:User".into(),
            None,
        ),
        ("GET", "/scim/v2/Users".into(), None),
        ("POST", "/scim/v2/Users".into(), Some(user.clone())),
        ("POST", "/scim/v2/Users/.search".into(), Some(json!({}))),
        ("GET", format!("/scim/v2/Users/{member}"), None),
        (
            "PUT",
            format!("/scim/v2/Users/{member}"),
            Some(json!({"userName": "bob@example.com", "active": false})),
        ),
        (
            "PATCH",
            format!("/scim/v2/Users/{member}"),
            Some(ops.clone()),
        ),
        ("DELETE", format!("/scim/v2/Users/{member}"), None),
        ("GET", "/scim/v2/Groups".into(), None),
        ("POST", "/scim/v2/Groups".into(), Some(grp.clone())),
        ("POST", "/scim/v2/Groups/.search".into(), Some(json!({}))),
        ("GET", format!("/scim/v2/Groups/{group}"), None),
        (
            "PUT",
            format!("/scim/v2/Groups/{group}"),
            Some(json!({"displayName": "Renamed"})),
        ),
        (
            "PATCH",
            format!("/scim/v2/Groups/{group}"),
            Some(patch_body(
                json!([{"op": "replace", "path": "displayName", "value": "X"}]),
            )),
        ),
        ("DELETE", format!("/scim/v2/Groups/{group}"), None),
        ("POST", "/scim/v2/.search".into(), Some(json!({}))),
        ("GET", "/scim/v2/Nothing".into(), None),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_scim_route_refuses_missing_revoked_and_non_scim_keys_and_other_tenants_ids() {
    each_engine(|app| async move {
        let engine = app.engine;
        let acme = app.acme_with_bob().await;
        let admin = &acme.admin;
        let s = &app.state;
        let group = app::backend::groups::create(s, admin, &meta(None), "Support")
            .await
            .unwrap();
        let revoked = key(&app, admin, "Revoked", &["scim"]).await;
        let revoked_id = api_keys::list(s.db.conn(), admin).await.unwrap()[0].id;
        api_keys::revoke(s, admin, &meta(None), revoked_id)
            .await
            .unwrap();
        let members_only = key(
            &app,
            admin,
            "Members",
            &["members:read", "members:write", "check"],
        )
        .await;
        app.tenant_with_admin("Globex", "hank@globex.example").await;
        let (hank, _) = common::actor(&app, "hank@globex.example", common::PASSWORD).await;
        let globex = key(&app, &hank, "Globex", &["scim"]).await;
        let before = common::dump(&app).await;
        for (method, path, body) in routes(acme.user_id, group) {
            for (case, secret, wanted) in [
                ("missing", None, StatusCode::UNAUTHORIZED),
                (
                    "a guess",
                    Some("gatehouse_not-a-key"),
                    StatusCode::UNAUTHORIZED,
                ),
                ("revoked", Some(revoked.as_str()), StatusCode::UNAUTHORIZED),
                (
                    "no scim scope",
                    Some(members_only.as_str()),
                    StatusCode::FORBIDDEN,
                ),
            ] {
                let (status, error, _) = call(&app, method, &path, secret, body.clone()).await;
                assert_eq!(status, wanted, "{engine} {method} {path} {case}: {error}");
            }
            // Globex's key never reaches Acme's people or groups.
            let (status, answer, _) = call(&app, method, &path, Some(&globex), body.clone()).await;
            let by_id = path.contains(&format!("/Users/{}", acme.user_id))
                || path.contains(&format!("/Groups/{group}"));
            if by_id {
                assert_eq!(
                    status,
                    StatusCode::NOT_FOUND,
                    "{engine} {method} {path}: {answer}"
                );
            }
            if method == "GET" && (path.ends_with("/Users") || path.ends_with("/Groups")) {
                let text = answer.to_string();
                assert!(!text.contains("example.com\""), "{engine} {path}: {text}");
                assert!(!text.contains("Support"), "{engine} {path}: {text}");
            }
        }
        // Nothing of Acme changed (Globex's key made its own user and group).
        let after = common::dump(&app).await;
        let acme_rows = |dump: &str| {
            dump.lines()
                .filter(|l| l.contains("example.com") && !l.contains("new@example.com"))
                .filter(|l| !l.contains("globex"))
                .map(str::to_string)
                .collect::<Vec<_>>()
        };
        assert_eq!(acme_rows(&before), acme_rows(&after), "{engine}");
    })
    .await;
}

async fn acme_scim(app: &TestApp) -> (Actor, String) {
    let admin = app.acme_admin().await;
    let secret = key(app, &admin, "Entra", &["scim"]).await;
    (admin, secret)
}

async fn membership(app: &TestApp, id: i64) -> Option<memberships::Model> {
    memberships::Entity::find_by_id(id)
        .one(app.state.db.conn())
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn users_are_provisioned_updated_suspended_and_removed_as_entra_sends_them() {
    each_engine(|app| async move {
        let engine = app.engine;
        let (admin, secret) = acme_scim(&app).await;
        let k = Some(secret.as_str());
        // Entra's create: userName, emails, name, active, externalId, an extension.
        let (status, user, location) = call(&app, "POST", "/scim/v2/Users", k, Some(json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", ENTERPRISE],
            "externalId": "8f3c-ada",
            "userName": "grace@example.com",
            "active": true,
            "displayName": "Grace Hopper",
            "emails": [{"primary": true, "type": "work", "value": "grace@example.com"}],
            "name": {"formatted": "Grace Hopper", "familyName": "Hopper", "givenName": "Grace"},
            ENTERPRISE: {"department": "Navy"}
        }))).await;
        assert_eq!(status, StatusCode::CREATED, "{engine}: {user}");
        let id = user["id"].as_str().unwrap().to_string();
        assert_eq!(location.as_deref(), Some(&*format!("{}/scim/v2/Users/{id}", app.state.settings.public_url)));
        assert_eq!(user["userName"], "grace@example.com");
        assert_eq!(user["name"]["givenName"], "Grace");
        assert_eq!(user["externalId"], "8f3c-ada");
        assert_eq!(user["active"], true);
        assert_eq!(user["meta"]["resourceType"], "User");
        // Invited like Settings → Users: an email with a link, a seat, audited as the key.
        let m = membership(&app, id.parse().unwrap()).await.unwrap();
        assert_eq!(m.status, "invited");
        assert_eq!(m.provisioned_by.as_deref(), Some("scim"));
        assert!(!app.mail_to("grace@example.com").await.is_empty(), "{engine}");
        let dump = common::dump(&app).await;
        assert!(dump.contains("member.invited") && dump.contains("via API key"), "{engine}");
        // The same person again is a uniqueness error.
        let (status, error, _) = call(&app, "POST", "/scim/v2/Users", k, Some(json!({"userName": "GRACE@example.com"}))).await;
        assert_eq!((status, error["scimType"].as_str()), (StatusCode::CONFLICT, Some("uniqueness")), "{engine}");
        // Entra finds people by userName and externalId.
        for filter in [r#"userName eq "grace@example.com""#, r#"externalId eq "8f3c-ada""#] {
            let q = url::form_urlencoded::Serializer::new(String::new()).append_pair("filter", filter).finish();
            let (_, list, _) = call(&app, "GET", &format!("/scim/v2/Users?{q}"), k, None).await;
            assert_eq!(list["totalResults"], 1, "{engine} {filter}: {list}");
            assert_eq!(list["Resources"][0]["id"], json!(id), "{engine}");
        }
        let (_, list, _) = call(&app, "GET", "/scim/v2/Users?filter=userName%20eq%20%22nobody%40example.com%22", k, None).await;
        assert_eq!(list["totalResults"], 0);
        assert_eq!(list["Resources"], json!([]));

        // Not joined yet and deactivated: the invitation is held, the link stops working.
        let path = format!("/scim/v2/Users/{id}");
        let link = app.mailed_token("grace@example.com", "invite").await;
        let (status, user, _) = call(&app, "PATCH", &path, k, Some(patch_body(json!([
            {"op": "Replace", "path": "active", "value": "False"}
        ])))).await;
        assert_eq!((status, user["active"].clone()), (StatusCode::OK, json!(false)), "{engine}: {user}");
        assert!(members::invite_details(&app.state, &link).await.is_err(), "{engine}: the held link still works");
        // Active again: a fresh invitation, which she accepts.
        let (_, user, _) = call(&app, "PATCH", &path, k, Some(patch_body(json!([
            {"op": "replace", "value": {"active": true}}
        ])))).await;
        assert_eq!(user["active"], true);
        assert_eq!(membership(&app, id.parse().unwrap()).await.unwrap().status, "invited");
        let fresh = app.mailed_token("grace@example.com", "invite").await;
        assert_ne!(fresh, link);
        let session = members::accept_invite(&app.state, &fresh, "Grace", common::MEMBER_PASSWORD, &meta(None))
            .await
            .unwrap()
            .token;

        // Entra's updates: the family name, the work email (the email changes), an extension.
        let (status, user, _) = call(&app, "PATCH", &path, k, Some(patch_body(json!([
            {"op": "Replace", "path": "name.familyName", "value": "Murray Hopper"},
            {"op": "Replace", "path": "emails[type eq \"work\"].value", "value": "grace.hopper@example.com"},
            {"op": "Replace", "path": "userName", "value": "grace.hopper@example.com"},
            {"op": "Add", "path": format!("{ENTERPRISE}:department"), "value": "Computing"}
        ])))).await;
        assert_eq!(status, StatusCode::OK, "{engine}: {user}");
        assert_eq!(user["name"]["familyName"], "Murray Hopper");
        assert_eq!(user["name"]["givenName"], "Grace", "{engine}: the rest of the name stays");
        assert_eq!(user["userName"], "grace.hopper@example.com");
        assert_eq!(user["emails"][0]["value"], "grace.hopper@example.com");
        // Deactivated after joining: suspended, and her sessions end.
        let (_, user, _) = call(&app, "PATCH", &path, k, Some(patch_body(json!([
            {"op": "Replace", "path": "active", "value": "False"}
        ])))).await;
        assert_eq!(user["active"], false);
        assert_eq!(membership(&app, id.parse().unwrap()).await.unwrap().status, "suspended");
        assert!(
            app::backend::kernel::actor::current_actor(&app.state, &meta(Some(session.clone()))).await.is_err(),
            "{engine}: her session survived"
        );
        // PUT replaces: active again, the external id gone.
        let (status, user, _) = call(&app, "PUT", &path, k, Some(json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
            "userName": "grace.hopper@example.com",
            "active": true,
            "name": {"givenName": "Grace", "familyName": "Hopper"}
        }))).await;
        assert_eq!(status, StatusCode::OK, "{engine}: {user}");
        assert_eq!(user["active"], true);
        assert!(user.get("externalId").is_none(), "{engine}: {user}");
        assert_eq!(membership(&app, id.parse().unwrap()).await.unwrap().status, "active");
        // The same PUT again changes nothing and audits nothing.
        let audited = common::dump(&app).await.lines().filter(|l| l.starts_with("audit_events")).count();
        call(&app, "PUT", &path, k, Some(json!({
            "userName": "grace.hopper@example.com", "active": true,
            "name": {"givenName": "Grace", "familyName": "Hopper"}
        }))).await;
        assert_eq!(common::dump(&app).await.lines().filter(|l| l.starts_with("audit_events")).count(), audited, "{engine}");
        // Bad input: a clear SCIM error, nothing written.
        let before = common::dump(&app).await;
        for (body, kind) in [
            (patch_body(json!([{"op": "Replace", "path": "active", "value": "maybe"}])), "invalidValue"),
            (patch_body(json!([{"op": "remove"}])), "noTarget"),
            (patch_body(json!([{"op": "add", "path": "emails[type eq ", "value": "x"}])), "invalidPath"),
            (json!({"Operations": []}), "invalidSyntax"),
        ] {
            let (status, error, _) = call(&app, "PATCH", &path, k, Some(body)).await;
            assert_eq!((status, error["scimType"].as_str()), (StatusCode::BAD_REQUEST, Some(kind)), "{engine}: {error}");
        }
        let (status, error, _) = call(&app, "POST", "/scim/v2/Users", k, Some(json!({"userName": "not an email"}))).await;
        assert_eq!((status, error["scimType"].as_str()), (StatusCode::BAD_REQUEST, Some("invalidValue")), "{engine}");
        let (status, error, _) = call(&app, "GET", "/scim/v2/Users?filter=userName%20is%20%22x%22", k, None).await;
        assert_eq!((status, error["scimType"].as_str()), (StatusCode::BAD_REQUEST, Some("invalidFilter")), "{engine}");
        assert_eq!(common::dump(&app).await, before, "{engine}");
        // The key's creator can't deactivate herself through it.
        let (status, _, _) = call(&app, "PATCH", &format!("/scim/v2/Users/{}", admin.membership.id), k, Some(patch_body(json!([
            {"op": "replace", "path": "active", "value": false}
        ])))).await;
        assert!(status == StatusCode::FORBIDDEN || status == StatusCode::CONFLICT, "{engine}: {status}");
        // DELETE removes her as "Delete user" does.
        let (status, _, _) = call(&app, "DELETE", &path, k, None).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        assert!(membership(&app, id.parse().unwrap()).await.is_none());
        let (status, _, _) = call(&app, "GET", &path, k, None).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert!(common::dump(&app).await.contains("member.deleted"), "{engine}");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_seat_limit_and_held_invitations_hold_for_scim() {
    each_engine(|app| async move {
        let engine = app.engine;
        let (admin, secret) = acme_scim(&app).await;
        let k = Some(secret.as_str());
        // "Sign in with their identity provider later": no invitation email.
        let mut t: tenants::ActiveModel = admin.tenant.clone().into();
        t.scim_invites = Set(false);
        t.seat_limit = Set(2);
        t.update(app.state.db.conn()).await.unwrap();
        let (status, user, _) = call(
            &app,
            "POST",
            "/scim/v2/Users",
            k,
            Some(json!({"userName": "held@example.com"})),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{engine}: {user}");
        assert!(
            app.mail_to("held@example.com").await.is_empty(),
            "{engine}: an email went out"
        );
        // The admin sends it when ready.
        members::resend_invite(
            &app.state,
            &admin,
            &meta(None),
            user["id"].as_str().unwrap().parse().unwrap(),
        )
        .await
        .unwrap();
        assert_eq!(app.mail_to("held@example.com").await.len(), 1);
        // Two seats, both taken: a SCIM error that says so, and nobody is added.
        let before = common::dump(&app).await;
        let (status, error, _) = call(
            &app,
            "POST",
            "/scim/v2/Users",
            k,
            Some(json!({"userName": "third@example.com"})),
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{engine}: {error}");
        assert_eq!(error["scimType"], "tooMany");
        assert!(
            error["detail"].as_str().unwrap().contains("seats"),
            "{error}"
        );
        assert_eq!(common::dump(&app).await, before, "{engine}");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn groups_and_their_members_follow_entra_and_okta() {
    each_engine(|app| async move {
        let engine = app.engine;
        let (admin, secret) = acme_scim(&app).await;
        let k = Some(secret.as_str());
        let mut ids = Vec::new();
        for email in ["u1@example.com", "u2@example.com", "u3@example.com"] {
            let (_, user, _) = call(&app, "POST", "/scim/v2/Users", k, Some(json!({"userName": email}))).await;
            ids.push(user["id"].as_str().unwrap().to_string());
        }
        let (status, group, location) = call(&app, "POST", "/scim/v2/Groups", k, Some(json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
            "displayName": "Support",
            "externalId": "grp-1",
            "members": [{"value": ids[0]}, {"value": ids[1]}]
        }))).await;
        assert_eq!(status, StatusCode::CREATED, "{engine}: {group}");
        assert!(location.unwrap().ends_with(&format!("/Groups/{}", group["id"].as_str().unwrap())));
        let path = format!("/scim/v2/Groups/{}", group["id"].as_str().unwrap());
        let member_ids = |g: &Value| -> Vec<String> {
            g["members"].as_array().unwrap().iter().map(|m| m["value"].as_str().unwrap().to_string()).collect()
        };
        assert_eq!(member_ids(&group), vec![ids[0].clone(), ids[1].clone()]);
        // The Groups page shows the same.
        let page = app::backend::groups::list(app.state.db.conn(), &admin).await.unwrap();
        assert_eq!(page[0].members.len(), 2, "{engine}");
        // Entra: add, then remove listed in value; rename.
        let (_, group, _) = call(&app, "PATCH", &path, k, Some(patch_body(json!([
            {"op": "Add", "path": "members", "value": [{"value": ids[2]}]},
            {"op": "Remove", "path": "members", "value": [{"value": ids[0]}]},
            {"op": "Replace", "path": "displayName", "value": "Help desk"}
        ])))).await;
        assert_eq!(member_ids(&group), vec![ids[1].clone(), ids[2].clone()], "{engine}: {group}");
        assert_eq!(group["displayName"], "Help desk");
        // Okta: remove by filter.
        let (_, group, _) = call(&app, "PATCH", &path, k, Some(patch_body(json!([
            {"op": "remove", "path": format!("members[value eq \"{}\"]", ids[1])}
        ])))).await;
        assert_eq!(member_ids(&group), vec![ids[2].clone()], "{engine}");
        // Entra looks groups up by displayName, without members.
        let (_, list, _) = call(&app, "GET", "/scim/v2/Groups?filter=displayName%20eq%20%22help%20desk%22&excludedAttributes=members", k, None).await;
        assert_eq!(list["totalResults"], 1, "{engine}: {list}");
        assert!(list["Resources"][0].get("members").is_none());
        // Someone of another tenant, or nobody, can't be a member.
        app.tenant_with_admin("Globex", "hank@globex.example").await;
        let (_, hank) = common::actor(&app, "hank@globex.example", common::PASSWORD).await;
        let _ = hank;
        let before = common::dump(&app).await;
        for bad in ["999999", "nobody"] {
            let (status, error, _) = call(&app, "PATCH", &path, k, Some(patch_body(json!([
                {"op": "add", "path": "members", "value": [{"value": bad}]}
            ])))).await;
            assert_eq!((status, error["scimType"].as_str()), (StatusCode::BAD_REQUEST, Some("invalidValue")), "{engine}: {error}");
        }
        // A second group with the same name is a uniqueness error.
        let (status, error, _) = call(&app, "POST", "/scim/v2/Groups", k, Some(json!({"displayName": "Help desk"}))).await;
        assert_eq!((status, error["scimType"].as_str()), (StatusCode::CONFLICT, Some("uniqueness")), "{engine}");
        assert_eq!(common::dump(&app).await, before, "{engine}");
        // PUT replaces members; DELETE deletes.
        let (_, group, _) = call(&app, "PUT", &path, k, Some(json!({"displayName": "Help desk", "members": [{"value": ids[0]}]}))).await;
        assert_eq!(member_ids(&group), vec![ids[0].clone()]);
        assert!(group.get("externalId").is_none());
        let dump = common::dump(&app).await;
        assert!(dump.contains("group.member_added") && dump.contains("group.member_removed") && dump.contains("group.updated"), "{engine}");
        let (status, _, _) = call(&app, "DELETE", &path, k, None).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        assert!(app::backend::groups::list(app.state.db.conn(), &admin).await.unwrap().is_empty());
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_people_managers_key_hands_out_no_more_than_they_hold() {
    each_engine(|app| async move {
        let engine = app.engine;
        let acme = app.acme_with_bob().await;
        let admin = &acme.admin;
        members::adjust(&app.state, admin, &meta(None), acme.user_id, |u| {
            u.permissions = vec![
                Permission::new(Category::Users, Action::Manage),
                Permission::new(Category::Integrations, Action::Manage),
            ]
        })
        .await
        .unwrap();
        let (bob, _) = common::actor(&app, "bob@example.com", "bob's passphrase!").await;
        let secret = key(&app, &bob, "Bob's IdP", &["scim"]).await;
        let k = Some(secret.as_str());
        let (_, group, _) = call(
            &app,
            "POST",
            "/scim/v2/Groups",
            k,
            Some(json!({"displayName": "Team"})),
        )
        .await;
        let path = format!("/scim/v2/Groups/{}", group["id"].as_str().unwrap());
        let before = common::dump(&app).await;
        // The admin's membership is for admins to change; Bob's own groups are not his to change.
        for id in [admin.membership.id, acme.user_id] {
            let (status, error, _) = call(
                &app,
                "PATCH",
                &path,
                k,
                Some(patch_body(json!([
                    {"op": "add", "path": "members", "value": [{"value": id.to_string()}]}
                ]))),
            )
            .await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{engine} {id}: {error}");
        }
        let (status, _, _) = call(
            &app,
            "PATCH",
            &format!("/scim/v2/Users/{}", admin.membership.id),
            k,
            Some(patch_body(json!([
                {"op": "replace", "path": "active", "value": false}
            ]))),
        )
        .await;
        // The last admin: that answer comes first; either way, refused.
        assert!(
            [StatusCode::FORBIDDEN, StatusCode::CONFLICT].contains(&status),
            "{engine}: {status}"
        );
        assert_eq!(common::dump(&app).await, before, "{engine}");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lists_filter_sort_page_and_search() {
    each_engine(|app| async move {
        let engine = app.engine;
        let (_, secret) = acme_scim(&app).await;
        let k = Some(secret.as_str());
        for (email, given) in [("cy@x.example", "Cy"), ("al@x.example", "Al"), ("bo@y.example", "Bo")] {
            app.clock.advance_ms(1000);
            call(&app, "POST", "/scim/v2/Users", k, Some(json!({"userName": email, "name": {"givenName": given}}))).await;
        }
        let list = |q: &'static str| {
            let app = &app;
            async move { call(app, "GET", &format!("/scim/v2/Users?{q}"), k, None).await.1 }
        };
        let names = |v: &Value| -> Vec<String> {
            v["Resources"].as_array().unwrap().iter().map(|r| r["userName"].as_str().unwrap().to_string()).collect()
        };
        let l = list("filter=userName%20ew%20%22x.example%22&sortBy=userName").await;
        assert_eq!(names(&l), ["al@x.example", "cy@x.example"], "{engine}: {l}");
        let l = list("filter=name.givenName%20sw%20%22b%22%20or%20userName%20co%20%22cy%22&sortBy=userName&sortOrder=descending").await;
        assert_eq!(names(&l), ["cy@x.example", "bo@y.example"], "{engine}");
        let l = list("filter=not%20(userName%20co%20%22x.example%22)%20and%20userName%20pr").await;
        assert_eq!(names(&l), ["ada@example.com", "bo@y.example"], "{engine}");
        // Paging: 1-based, the total counts every match.
        let l = list("sortBy=userName&startIndex=2&count=2").await;
        assert_eq!((l["totalResults"].as_u64(), l["startIndex"].as_u64(), l["itemsPerPage"].as_u64()), (Some(4), Some(2), Some(2)));
        assert_eq!(names(&l), ["al@x.example", "bo@y.example"], "{engine}");
        // Changed since: meta.lastModified gt.
        let cut = {
            let all = list("sortBy=meta.lastModified").await;
            all["Resources"][2]["meta"]["lastModified"].as_str().unwrap().to_string()
        };
        let q = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("filter", &format!("meta.lastModified ge \"{cut}\""))
            .finish();
        let (_, l, _) = call(&app, "GET", &format!("/scim/v2/Users?{q}"), k, None).await;
        assert!(names(&l).contains(&"bo@y.example".to_string()), "{engine}: {l}");
        assert!(!names(&l).contains(&"ada@example.com".to_string()), "{engine}: {l}");
        // .search takes the same in a body; attributes narrow what comes back.
        let (status, l, _) = call(&app, "POST", "/scim/v2/Users/.search", k, Some(json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
            "filter": "userName sw \"al\"", "attributes": ["userName"], "count": 10
        }))).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(l["Resources"][0], json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "id": l["Resources"][0]["id"], "userName": "al@x.example"}), "{engine}");
    })
    .await;
}
