//! SCIM Groups (issue 14): the tenant's groups for an identity provider, with the
//! boundaries of Settings → Groups (adding someone hands out the group's templates:
//! only what the key's creator holds, an admin's membership only by an admin, never
//! their own). A create, replace or patch is one transaction; each member added or
//! removed is audited as on the Groups page.

use super::{admit, delete as delete_group, group_permissions, name_taken, release};
use crate::backend::entities::{group_members, groups};
use crate::backend::kernel::actor::Actor;
use crate::backend::kernel::audit::{self, AuditEntry};
use crate::backend::kernel::directory::{group_in_tenant, member_in_tenant};
use crate::backend::kernel::policy::{require_user_admin, user_manager};
use crate::backend::kernel::request::RequestMeta;
use crate::backend::AppState;
use crate::domain::groups::parse_group_name;
use crate::domain::scim::{self, patch, GroupInput, GroupView, ListQuery, ScimError};
use crate::domain::AppError;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use serde_json::{json, Value};
use std::collections::{BTreeSet, HashMap};

async fn views(
    conn: &impl ConnectionTrait,
    tenant_id: i64,
    id: Option<i64>,
    external_id: Option<String>,
) -> Result<Vec<GroupView>, AppError> {
    let mut find = groups::Entity::find().filter(groups::Column::TenantId.eq(tenant_id));
    if let Some(id) = id {
        find = find.filter(groups::Column::Id.eq(id));
    }
    if let Some(x) = external_id {
        find = find.filter(groups::Column::ExternalId.eq(x));
    }
    let all = find.order_by_asc(groups::Column::Id).all(conn).await?;
    let mut members: HashMap<i64, Vec<i64>> = HashMap::new();
    if !all.is_empty() {
        let links = group_members::Entity::find()
            .filter(group_members::Column::GroupId.is_in(all.iter().map(|g| g.id)))
            .order_by_asc(group_members::Column::MembershipId)
            .all(conn)
            .await?;
        for l in links {
            members.entry(l.group_id).or_default().push(l.membership_id);
        }
    }
    Ok(all
        .into_iter()
        .map(|g| GroupView {
            id: g.id,
            members: members.remove(&g.id).unwrap_or_default(),
            name: g.name,
            external_id: g.external_id,
            created_at: g.created_at,
            updated_at: g.updated_at,
        })
        .collect())
}

fn parse_id(id: &str) -> Result<i64, ScimError> {
    scim::resource_id("Group", id)
}

/// The resources `query` may match (narrowed by the database where its filter
/// allows; [`ListQuery::answer`] filters, sorts, pages and projects them).
pub async fn resources(
    state: &AppState,
    actor: &Actor,
    query: &ListQuery,
    base: &str,
) -> Result<Vec<Value>, ScimError> {
    let conn = state.db.conn();
    require_user_admin(conn, actor).await?;
    let pinned = |attr| query.filter.as_ref().and_then(|f| f.pinned(attr));
    let id = pinned("id").map(|id| id.parse().unwrap_or(-1));
    let all = views(conn, actor.tenant.id, id, pinned("externalId")).await?;
    Ok(all.iter().map(|g| scim::group_resource(g, base)).collect())
}

/// One Group as shown, or 404.
pub async fn get(
    state: &AppState,
    actor: &Actor,
    id: &str,
    base: &str,
) -> Result<Value, ScimError> {
    let conn = state.db.conn();
    require_user_admin(conn, actor).await?;
    views(conn, actor.tenant.id, Some(parse_id(id)?), None)
        .await?
        .first()
        .map(|g| scim::group_resource(g, base))
        .ok_or_else(|| ScimError::not_found("Group", id))
}

/// The name unless another group of the tenant has it (names are unique).
async fn free_name(
    conn: &impl ConnectionTrait,
    tenant_id: i64,
    input: &GroupInput,
    except: Option<i64>,
) -> Result<String, ScimError> {
    let name = parse_group_name(&input.display_name)?;
    let taken = groups::Entity::find()
        .filter(groups::Column::TenantId.eq(tenant_id))
        .filter(groups::Column::Name.eq(name.clone()))
        .all(conn)
        .await?
        .into_iter()
        .any(|g| Some(g.id) != except);
    if taken {
        return Err(ScimError::uniqueness(name_taken(&name).to_string()));
    }
    Ok(name)
}

/// Creates the Group of a POST body with its members; answers its id.
pub async fn create(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    body: &Value,
) -> Result<i64, ScimError> {
    let input = scim::group_input(body)?;
    let txn = state.db.begin_write().await?;
    user_manager(&*txn, actor).await?;
    let name = free_name(&*txn, actor.tenant.id, &input, None).await?;
    let now = state.now_ms();
    let group = groups::ActiveModel {
        tenant_id: Set(actor.tenant.id),
        name: Set(name.clone()),
        external_id: Set(input.external_id.clone()),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&*txn)
    .await?;
    let by = actor.audit_actor(meta);
    audit::record(
        &*txn,
        now,
        &by,
        AuditEntry::new(Some(actor.tenant.id), "group.created", "group")
            .target(Some(group.id), &name),
    )
    .await?;
    let group_id = group.id;
    txn_members(&*txn, actor, meta, group, &input, now).await?;
    txn.commit().await?;
    Ok(group_id)
}

/// Makes the group's members those of `input` (adding and removing under the Groups
/// page's rules, each audited); answers how many changed.
async fn txn_members(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    meta: &RequestMeta,
    group: groups::Model,
    input: &GroupInput,
    now: i64,
) -> Result<usize, ScimError> {
    let grantor = user_manager(conn, actor).await?;
    let current: BTreeSet<i64> = group_members::Entity::find()
        .filter(group_members::Column::GroupId.eq(group.id))
        .all(conn)
        .await?
        .into_iter()
        .map(|l| l.membership_id)
        .collect();
    let wanted: BTreeSet<i64> = input.members.iter().copied().collect();
    let grants = group_permissions(conn, group.id).await?;
    let by = actor.audit_actor(meta);
    let mut changed = 0;
    for id in wanted.difference(&current) {
        let (membership, account) = match member_in_tenant(conn, actor.tenant.id, *id).await {
            Err(AppError::NotFound) => {
                return Err(ScimError::invalid_value(format!(
                    "No User with id “{id}” is in this tenant."
                )))
            }
            other => other?,
        };
        let entry = admit(
            conn,
            actor,
            &grantor,
            &grants,
            &group,
            &membership,
            &account,
            now,
        )
        .await?;
        audit::record(conn, now, &by, entry).await?;
        changed += 1;
    }
    for id in current.difference(&wanted) {
        let (membership, account) = member_in_tenant(conn, actor.tenant.id, *id).await?;
        let entry = release(conn, actor, &grantor, &group, &membership, &account, now).await?;
        audit::record(conn, now, &by, entry).await?;
        changed += 1;
    }
    Ok(changed)
}

/// Replaces the Group `id` with a PUT body.
pub async fn replace(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    id: &str,
    body: &Value,
) -> Result<(), ScimError> {
    let input = scim::group_input(body)?;
    save(state, actor, meta, parse_id(id)?, input).await
}

/// Applies a PATCH body to the Group `id` as shown, then saves it as a PUT.
pub async fn patch(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    id: &str,
    body: &Value,
    base: &str,
) -> Result<(), ScimError> {
    let ops = patch::parse_request(body)?;
    let mut resource = get(state, actor, id, base).await?;
    patch::apply(&mut resource, &ops)?;
    let input = scim::group_input(&resource)?;
    save(state, actor, meta, parse_id(id)?, input).await
}

/// Deletes the Group `id` as the Groups page does.
pub async fn delete(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    id: &str,
) -> Result<(), ScimError> {
    delete_group(state, actor, meta, parse_id(id)?).await?;
    Ok(())
}

async fn save(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    id: i64,
    input: GroupInput,
) -> Result<(), ScimError> {
    let txn = state.db.begin_write().await?;
    user_manager(&*txn, actor).await?;
    let group = match group_in_tenant(&*txn, actor.tenant.id, id).await {
        Err(AppError::NotFound) => return Err(ScimError::not_found("Group", &id.to_string())),
        other => other?,
    };
    let now = state.now_ms();
    let name = free_name(&*txn, actor.tenant.id, &input, Some(id)).await?;
    let mut changed = 0;
    if name != group.name || input.external_id != group.external_id {
        let mut g: groups::ActiveModel = group.clone().into();
        g.name = Set(name.clone());
        g.external_id = Set(input.external_id.clone());
        g.updated_at = Set(now);
        g.update(&*txn).await?;
        audit::record(
            &*txn,
            now,
            &actor.audit_actor(meta),
            AuditEntry::new(Some(actor.tenant.id), "group.updated", "group")
                .target(Some(id), &name)
                .before(json!({ "name": group.name, "external_id": group.external_id }))
                .after(json!({ "name": name, "external_id": input.external_id })),
        )
        .await?;
        changed += 1;
    }
    let group = groups::Model { name, ..group };
    changed += txn_members(&*txn, actor, meta, group, &input, now).await?;
    if changed > 0 {
        txn.commit().await?;
    }
    Ok(())
}
