//! Settings → Groups (teams, seed 003): a tenant's named sets of members with role
//! templates attached; members inherit the templates' permissions at their next
//! request (the one evaluation reads groups). Every change is audited, and an id of
//! another tenant answers like a missing one.
//!
//! Adding someone to a group, or a template to a group, hands out permissions: the
//! privilege boundaries of the Users page hold here too (only what the actor holds;
//! an admin's membership only by an admin; never their own groups).

pub mod scim;

use crate::backend::entities::{
    accounts, group_members, group_templates, groups, memberships, role_template_permissions,
    role_templates,
};
use crate::backend::kernel::actor::Actor;
use crate::backend::kernel::audit::{self, AuditEntry};
use crate::backend::kernel::directory::{
    find_account_by_email, group_in_tenant, lock_tenant, member_in_tenant, template_in_tenant,
};
use crate::backend::kernel::policy::{
    require_user_admin, template_permissions, user_manager, Grantor, NOT_YOUR_OWN,
};
use crate::backend::kernel::request::RequestMeta;
use crate::backend::kernel::stored::decode_all;
use crate::backend::kernel::{sessions, sign_in_group};
use crate::backend::AppState;
use crate::domain::access::Permission;
use crate::domain::groups::{parse_group_name, GroupMember, GroupTemplate, GroupView};
use crate::domain::{AppError, Email, Role};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use serde_json::json;
use std::collections::{BTreeSet, HashMap};

/// Every group of the actor's tenant with its members and templates (4 queries).
pub async fn list(conn: &impl ConnectionTrait, actor: &Actor) -> Result<Vec<GroupView>, AppError> {
    require_user_admin(conn, actor).await?;
    let all = groups::Entity::find()
        .filter(groups::Column::TenantId.eq(actor.tenant.id))
        .order_by_asc(groups::Column::Name)
        .all(conn)
        .await?;
    let ids: Vec<i64> = all.iter().map(|g| g.id).collect();
    let mut members: HashMap<i64, Vec<GroupMember>> = HashMap::new();
    let mut templates: HashMap<i64, Vec<GroupTemplate>> = HashMap::new();
    if !ids.is_empty() {
        let links = group_members::Entity::find()
            .filter(group_members::Column::GroupId.is_in(ids.clone()))
            .all(conn)
            .await?;
        let membership_ids: Vec<i64> = links.iter().map(|l| l.membership_id).collect();
        let emails: HashMap<i64, String> = memberships::Entity::find()
            .find_also_related(accounts::Entity)
            .filter(memberships::Column::Id.is_in(membership_ids))
            .all(conn)
            .await?
            .into_iter()
            .filter_map(|(m, a)| Some((m.id, a?.email)))
            .collect();
        for l in links {
            if let Some(email) = emails.get(&l.membership_id) {
                members.entry(l.group_id).or_default().push(GroupMember {
                    id: l.membership_id,
                    email: email.clone(),
                });
            }
        }
        let tlinks = group_templates::Entity::find()
            .filter(group_templates::Column::GroupId.is_in(ids))
            .all(conn)
            .await?;
        let names: HashMap<i64, String> = role_templates::Entity::find()
            .filter(role_templates::Column::TenantId.eq(actor.tenant.id))
            .all(conn)
            .await?
            .into_iter()
            .map(|t| (t.id, t.name))
            .collect();
        for l in tlinks {
            if let Some(name) = names.get(&l.template_id) {
                templates
                    .entry(l.group_id)
                    .or_default()
                    .push(GroupTemplate {
                        id: l.template_id,
                        name: name.clone(),
                    });
            }
        }
    }
    Ok(all
        .into_iter()
        .map(|g| {
            let mut m = members.remove(&g.id).unwrap_or_default();
            m.sort_by(|a, b| a.email.cmp(&b.email));
            let mut t = templates.remove(&g.id).unwrap_or_default();
            t.sort_by(|a, b| a.name.cmp(&b.name));
            GroupView {
                id: g.id,
                name: g.name,
                members: m,
                templates: t,
                restricts_sign_in: actor.tenant.sign_in_group_id == Some(g.id),
            }
        })
        .collect())
}

/// Everything the group's templates grant (two queries, however many templates).
pub(crate) async fn group_permissions(
    conn: &impl ConnectionTrait,
    group_id: i64,
) -> Result<BTreeSet<Permission>, AppError> {
    let template_ids: Vec<i64> = group_templates::Entity::find()
        .filter(group_templates::Column::GroupId.eq(group_id))
        .all(conn)
        .await?
        .into_iter()
        .map(|link| link.template_id)
        .collect();
    if template_ids.is_empty() {
        return Ok(BTreeSet::new());
    }
    let rows = role_template_permissions::Entity::find()
        .filter(role_template_permissions::Column::TemplateId.is_in(template_ids))
        .all(conn)
        .await?;
    decode_all(rows.iter().map(|r| r.permission.as_str()))
}

pub(crate) fn name_taken(name: &str) -> AppError {
    AppError::field(
        "name",
        format!("A group named “{name}” already exists. Choose another name."),
    )
}

/// Creates a group; its name is unique in the tenant.
pub async fn create(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    name: &str,
) -> Result<i64, AppError> {
    let name = parse_group_name(name)?;
    let txn = state.db.begin_write().await?;
    user_manager(&*txn, actor).await?;
    let exists = groups::Entity::find()
        .filter(groups::Column::TenantId.eq(actor.tenant.id))
        .filter(groups::Column::Name.eq(name.clone()))
        .one(&*txn)
        .await?;
    if exists.is_some() {
        return Err(name_taken(&name));
    }
    let now = state.now_ms();
    let group = groups::ActiveModel {
        tenant_id: Set(actor.tenant.id),
        name: Set(name.clone()),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&*txn)
    .await?;
    audit::commit_with(
        txn,
        now,
        &actor.audit_actor(meta),
        AuditEntry::new(Some(actor.tenant.id), "group.created", "group")
            .target(Some(group.id), &name),
    )
    .await?;
    Ok(group.id)
}

/// Deletes a group: its members lose what it granted at their next request.
pub async fn delete(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    id: i64,
) -> Result<(), AppError> {
    let txn = state.db.begin_write().await?;
    user_manager(&*txn, actor).await?;
    let group = group_in_tenant(&*txn, actor.tenant.id, id).await?;
    if lock_tenant(&*txn, actor.tenant.id).await?.sign_in_group_id == Some(id) {
        return Err(AppError::Conflict(format!(
            "Only members of “{}” can sign in to {}. Let everyone sign in, or choose another group, in Tenant settings first.",
            group.name, actor.tenant.name
        )));
    }
    let members = group_members::Entity::find()
        .filter(group_members::Column::GroupId.eq(id))
        .all(&*txn)
        .await?
        .len();
    groups::Entity::delete_by_id(id).exec(&*txn).await?;
    audit::commit_with(
        txn,
        state.now_ms(),
        &actor.audit_actor(meta),
        AuditEntry::new(Some(actor.tenant.id), "group.deleted", "group")
            .target(Some(id), &group.name)
            .before(json!({ "members": members })),
    )
    .await
}

/// Adds the member with `email` to a group.
pub async fn add_member(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    group_id: i64,
    email: &str,
) -> Result<(), AppError> {
    let not_here = || AppError::field("email", "No one with that email is in this tenant.");
    let email = Email::parse(email).map_err(|e| AppError::field("email", e.to_string()))?;
    let txn = state.db.begin_write().await?;
    let grantor = user_manager(&*txn, actor).await?;
    let group = group_in_tenant(&*txn, actor.tenant.id, group_id).await?;
    let account = find_account_by_email(&*txn, &email)
        .await?
        .ok_or_else(not_here)?;
    let membership = memberships::Entity::find()
        .filter(memberships::Column::TenantId.eq(actor.tenant.id))
        .filter(memberships::Column::AccountId.eq(account.id))
        .one(&*txn)
        .await?
        .ok_or_else(not_here)?;
    let already = group_members::Entity::find_by_id((group_id, membership.id))
        .one(&*txn)
        .await?;
    if already.is_some() {
        return Err(AppError::field(
            "email",
            format!("{email} is already in {}.", group.name),
        ));
    }
    let grants = group_permissions(&*txn, group_id).await?;
    let now = state.now_ms();
    let entry = admit(
        &*txn,
        actor,
        &grantor,
        &grants,
        &group,
        &membership,
        &account,
        now,
    )
    .await?;
    audit::commit_with(txn, now, &actor.audit_actor(meta), entry).await
}

/// Puts the membership in the group, with the boundaries of adding someone: never
/// your own groups, an admin's membership only by an admin, only what you hold.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn admit(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    grantor: &Grantor,
    grants: &BTreeSet<Permission>,
    group: &groups::Model,
    membership: &memberships::Model,
    account: &accounts::Model,
    now: i64,
) -> Result<AuditEntry, AppError> {
    if membership.id == actor.membership.id {
        return Err(AppError::Forbidden(NOT_YOUR_OWN.to_string()));
    }
    if membership.role == Role::Admin.as_str() {
        grantor.require_admin()?;
    }
    grantor.may_grant(grants)?;
    group_members::ActiveModel {
        group_id: Set(group.id),
        membership_id: Set(membership.id),
    }
    .insert(conn)
    .await?;
    touch(conn, group, now).await?;
    Ok(
        AuditEntry::new(Some(actor.tenant.id), "group.member_added", "membership")
            .target(Some(membership.id), &account.email)
            .after(json!({ "group": group.name })),
    )
}

/// Marks the group changed now (SCIM's `meta.lastModified`).
pub(crate) async fn touch(
    conn: &impl ConnectionTrait,
    group: &groups::Model,
    now: i64,
) -> Result<(), AppError> {
    groups::Entity::update_many()
        .col_expr(
            groups::Column::UpdatedAt,
            sea_orm::sea_query::Expr::value(now),
        )
        .filter(groups::Column::Id.eq(group.id))
        .exec(conn)
        .await?;
    Ok(())
}

/// Removes a member from a group.
pub async fn remove_member(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    group_id: i64,
    member_id: i64,
) -> Result<(), AppError> {
    let txn = state.db.begin_write().await?;
    let grantor = user_manager(&*txn, actor).await?;
    let group = group_in_tenant(&*txn, actor.tenant.id, group_id).await?;
    let (membership, account) = member_in_tenant(&*txn, actor.tenant.id, member_id).await?;
    let now = state.now_ms();
    let entry = release(&*txn, actor, &grantor, &group, &membership, &account, now).await?;
    audit::commit_with(txn, now, &actor.audit_actor(meta), entry).await
}

/// Takes the membership out of the group (`NotFound` when it was not in it), with
/// the boundaries of removing someone; out of the group that decides sign-in,
/// their sessions here end now.
pub(crate) async fn release(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    grantor: &Grantor,
    group: &groups::Model,
    membership: &memberships::Model,
    account: &accounts::Model,
    now: i64,
) -> Result<AuditEntry, AppError> {
    if membership.id == actor.membership.id {
        return Err(AppError::Forbidden(NOT_YOUR_OWN.to_string()));
    }
    if membership.role == Role::Admin.as_str() {
        grantor.require_admin()?;
    }
    let removed = group_members::Entity::delete_by_id((group.id, membership.id))
        .exec(conn)
        .await?
        .rows_affected;
    if removed == 0 {
        return Err(AppError::NotFound);
    }
    let tenant = lock_tenant(conn, actor.tenant.id).await?;
    if tenant.sign_in_group_id == Some(group.id)
        && sign_in_group::keeps_out(conn, &tenant, membership)
            .await?
            .is_some()
    {
        sessions::end_for_membership(conn, account.id, tenant.id).await?;
    }
    touch(conn, group, now).await?;
    Ok(
        AuditEntry::new(Some(actor.tenant.id), "group.member_removed", "membership")
            .target(Some(membership.id), &account.email)
            .before(json!({ "group": group.name })),
    )
}

/// Attaches (`on`) or detaches a role template. Attaching gives its permissions to
/// every member: only what the actor holds.
pub async fn set_template(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    group_id: i64,
    template_id: i64,
    on: bool,
) -> Result<(), AppError> {
    let txn = state.db.begin_write().await?;
    let grantor = user_manager(&*txn, actor).await?;
    let group = group_in_tenant(&*txn, actor.tenant.id, group_id).await?;
    let template = template_in_tenant(&*txn, actor.tenant.id, template_id).await?;
    let linked = group_templates::Entity::find_by_id((group_id, template_id))
        .one(&*txn)
        .await?
        .is_some();
    if linked == on {
        return Ok(());
    }
    let action = if on {
        grantor.may_grant(&template_permissions(&*txn, template_id).await?)?;
        group_templates::ActiveModel {
            group_id: Set(group_id),
            template_id: Set(template_id),
        }
        .insert(&*txn)
        .await?;
        "group.template_attached"
    } else {
        group_templates::Entity::delete_by_id((group_id, template_id))
            .exec(&*txn)
            .await?;
        "group.template_detached"
    };
    touch(&*txn, &group, state.now_ms()).await?;
    audit::commit_with(
        txn,
        state.now_ms(),
        &actor.audit_actor(meta),
        AuditEntry::new(Some(actor.tenant.id), action, "group")
            .target(Some(group_id), &group.name)
            .after(json!({ "template": template.name })),
    )
    .await
}
