//! Creating, editing and deleting role templates. Members referencing a template get
//! its permissions live (evaluated at each request), so editing it changes everyone's
//! access at once.

use crate::backend::entities::{memberships, role_template_permissions, role_templates};
use crate::backend::kernel::actor::Actor;
use crate::backend::kernel::audit::{self, AuditEntry};
use crate::backend::kernel::directory::template_in_tenant;
use crate::backend::kernel::policy::{require_user_admin, template_permissions, user_manager};
use crate::backend::kernel::request::RequestMeta;
use crate::backend::AppState;
use crate::domain::access::Permission;
use crate::domain::templates::{parse_template_name, TemplateInput};
use crate::domain::AppError;
use sea_orm::sea_query::{Expr, Func};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    Set,
};
use serde_json::json;
use std::collections::BTreeSet;

async fn name_taken(
    conn: &impl ConnectionTrait,
    tenant_id: i64,
    name: &str,
    except: Option<i64>,
) -> Result<bool, DbErr> {
    let mut q = role_templates::Entity::find()
        .filter(role_templates::Column::TenantId.eq(tenant_id))
        .filter(
            Expr::expr(Func::lower(Expr::col(role_templates::Column::Name)))
                .eq(name.to_lowercase()),
        );
    if let Some(id) = except {
        q = q.filter(role_templates::Column::Id.ne(id));
    }
    Ok(q.one(conn).await?.is_some())
}

async fn replace_permissions(
    conn: &impl ConnectionTrait,
    template_id: i64,
    perms: &BTreeSet<Permission>,
) -> Result<(), DbErr> {
    role_template_permissions::Entity::delete_many()
        .filter(role_template_permissions::Column::TemplateId.eq(template_id))
        .exec(conn)
        .await?;
    if !perms.is_empty() {
        role_template_permissions::Entity::insert_many(perms.iter().map(|p| {
            role_template_permissions::ActiveModel {
                template_id: Set(template_id),
                permission: Set(p.key()),
            }
        }))
        .exec(conn)
        .await?;
    }
    Ok(())
}

/// Creates (`input.id == None`) or edits a template. Returns its id.
pub async fn save(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    input: TemplateInput,
) -> Result<i64, AppError> {
    let name = parse_template_name(&input.name)?;
    let perms: BTreeSet<Permission> = input.permissions.into_iter().collect();
    let now = state.now_ms();
    let tenant_id = actor.tenant.id;
    let txn = state.db.begin_write().await?;
    let grantor = user_manager(&*txn, actor).await?;
    if name_taken(&*txn, tenant_id, &name, input.id).await? {
        return Err(AppError::field(
            "name",
            format!("A template named “{name}” already exists. Choose another name."),
        ));
    }
    let keys = |p: &BTreeSet<Permission>| p.iter().map(|p| p.key()).collect::<Vec<_>>();
    // Whoever edits a template gives its permissions to everyone using it: only
    // what they hold themselves (an admin anything).
    let held_before = match input.id {
        Some(id) => template_permissions(&*txn, id).await?,
        None => BTreeSet::new(),
    };
    grantor.may_grant(perms.difference(&held_before))?;
    let (id, entry) = match input.id {
        None => {
            let t = role_templates::ActiveModel {
                tenant_id: Set(tenant_id),
                name: Set(name.clone()),
                description: Set(String::new()),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            }
            .insert(&*txn)
            .await?;
            let entry = AuditEntry::new(Some(tenant_id), "template.created", "role_template")
                .target(Some(t.id), &name)
                .after(json!({"name": name, "permissions": keys(&perms)}));
            (t.id, entry)
        }
        Some(id) => {
            let existing = template_in_tenant(&*txn, tenant_id, id).await?;
            let before = json!({"name": existing.name, "permissions": keys(&template_permissions(&*txn, id).await?)});
            let mut t: role_templates::ActiveModel = existing.into();
            t.name = Set(name.clone());
            t.updated_at = Set(now);
            t.update(&*txn).await?;
            let entry = AuditEntry::new(Some(tenant_id), "template.updated", "role_template")
                .target(Some(id), &name)
                .before(before)
                .after(json!({"name": name, "permissions": keys(&perms)}));
            (id, entry)
        }
    };
    replace_permissions(&*txn, id, &perms).await?;
    audit::record(&*txn, now, &actor.audit_actor(meta), entry).await?;
    txn.commit().await?;
    Ok(id)
}

/// Emails of the members who reference the template (for the delete confirmation).
pub async fn references(state: &AppState, actor: &Actor, id: i64) -> Result<Vec<String>, AppError> {
    let conn = state.db.conn();
    require_user_admin(conn, actor).await?;
    template_in_tenant(conn, actor.tenant.id, id).await?;
    let rows = memberships::Entity::find()
        .find_also_related(crate::backend::entities::accounts::Entity)
        .filter(memberships::Column::TenantId.eq(actor.tenant.id))
        .filter(memberships::Column::RoleTemplateId.eq(id))
        .order_by_asc(memberships::Column::Id)
        .all(conn)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(_, a)| a.map(|a| a.email))
        .collect())
}

/// Deletes a template after moving everyone who references it to `reassign_to`
/// (another template of the tenant) or to no template, in one transaction.
pub async fn delete(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    id: i64,
    reassign_to: Option<i64>,
) -> Result<(), AppError> {
    let now = state.now_ms();
    let tenant_id = actor.tenant.id;
    let txn = state.db.begin_write().await?;
    require_user_admin(&*txn, actor).await?;
    let template = template_in_tenant(&*txn, tenant_id, id).await?;
    if let Some(target) = reassign_to {
        if target == id {
            return Err(AppError::field(
                "reassign_to",
                "Choose a different template to move people to.",
            ));
        }
        template_in_tenant(&*txn, tenant_id, target)
            .await
            .map_err(|_| {
                AppError::field("reassign_to", "Choose a template from this tenant's list.")
            })?;
    }
    let moved = memberships::Entity::update_many()
        .col_expr(
            memberships::Column::RoleTemplateId,
            Expr::value(reassign_to),
        )
        .col_expr(memberships::Column::UpdatedAt, Expr::value(now))
        .filter(memberships::Column::TenantId.eq(tenant_id))
        .filter(memberships::Column::RoleTemplateId.eq(id))
        .exec(&*txn)
        .await?
        .rows_affected;
    // Whoever goes back to it when a temporary template ends goes to the same place.
    memberships::Entity::update_many()
        .col_expr(
            memberships::Column::TemplateRestoreId,
            Expr::value(reassign_to),
        )
        .filter(memberships::Column::TenantId.eq(tenant_id))
        .filter(memberships::Column::TemplateRestoreId.eq(id))
        .exec(&*txn)
        .await?;
    let perms: Vec<String> = template_permissions(&*txn, id)
        .await?
        .iter()
        .map(|p| p.key())
        .collect();
    role_templates::Entity::delete_by_id(id).exec(&*txn).await?;
    audit::commit_with(
        txn,
        now,
        &actor.audit_actor(meta),
        AuditEntry::new(Some(tenant_id), "template.deleted", "role_template")
            .target(Some(id), &template.name)
            .before(json!({"name": template.name, "permissions": perms}))
            .after(json!({"members_moved": moved, "moved_to_template_id": reassign_to})),
    )
    .await
}
