//! Production and sandbox pairs (seed 000 step 4): an admin of a production tenant
//! makes its sandbox, with the same role templates and groups (without members), and
//! becomes its admin. Access in the sandbox for anyone else is a separate invitation.

use crate::backend::entities::{
    group_templates, groups, memberships, role_template_permissions, role_templates, tenants,
};
use crate::backend::kernel::actor::Actor;
use crate::backend::kernel::audit::{self, AuditEntry};
use crate::backend::kernel::directory::find_tenant_by_name;
use crate::backend::kernel::policy::user_manager;
use crate::backend::kernel::request::RequestMeta;
use crate::backend::AppState;
use crate::domain::{AppError, MembershipStatus, Role, TenantKind};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use serde_json::json;
use std::collections::HashMap;

/// The name a production tenant's sandbox gets.
pub fn sandbox_name(production: &str) -> String {
    format!("{production} Sandbox")
}

/// Creates the sandbox of the actor's production tenant. Answers its id.
pub async fn create_sandbox(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
) -> Result<i64, AppError> {
    user_manager(state.db.conn(), actor)
        .await?
        .require_admin()?;
    if actor.tenant_kind != TenantKind::Production {
        return Err(AppError::Conflict(
            "This is a sandbox already. Create a sandbox from its production tenant.".into(),
        ));
    }
    let now = state.now_ms();
    let txn = state.db.begin_write().await?;
    let production = crate::backend::kernel::directory::lock_tenant(&*txn, actor.tenant.id).await?;
    if let Some(paired) = production.paired_tenant_id {
        let name = tenants::Entity::find_by_id(paired)
            .one(&*txn)
            .await?
            .map(|t| t.name)
            .unwrap_or_default();
        return Err(AppError::Conflict(format!(
            "{} already has a sandbox: {name}. Switch to it from the tenant menu.",
            production.name
        )));
    }
    let name = sandbox_name(&production.name);
    if find_tenant_by_name(&*txn, &name).await?.is_some() {
        return Err(AppError::Conflict(format!(
            "A tenant named “{name}” already exists. Ask the operator to rename it first."
        )));
    }
    let sandbox = tenants::ActiveModel {
        name: Set(name.clone()),
        kind: Set(TenantKind::Sandbox.as_str().to_string()),
        plan: Set(production.plan.clone()),
        seat_limit: Set(production.seat_limit),
        require_admin_two_factor: Set(production.require_admin_two_factor),
        paired_tenant_id: Set(Some(production.id)),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&*txn)
    .await?;
    let mut p: tenants::ActiveModel = production.clone().into();
    p.paired_tenant_id = Set(Some(sandbox.id));
    p.update(&*txn).await?;
    memberships::ActiveModel {
        tenant_id: Set(sandbox.id),
        account_id: Set(actor.account.id),
        role: Set(Role::Admin.as_str().to_string()),
        status: Set(MembershipStatus::Active.as_str().to_string()),
        crm_access: Set(true),
        beta_access: Set(actor.membership.beta_access),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&*txn)
    .await?;

    // Role templates with their permissions, then groups with their templates.
    let mut template_ids = HashMap::new();
    for t in role_templates::Entity::find()
        .filter(role_templates::Column::TenantId.eq(production.id))
        .order_by_asc(role_templates::Column::Id)
        .all(&*txn)
        .await?
    {
        let copy = role_templates::ActiveModel {
            tenant_id: Set(sandbox.id),
            name: Set(t.name.clone()),
            description: Set(t.description.clone()),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(&*txn)
        .await?;
        template_ids.insert(t.id, copy.id);
        let perms = role_template_permissions::Entity::find()
            .filter(role_template_permissions::Column::TemplateId.eq(t.id))
            .all(&*txn)
            .await?;
        if !perms.is_empty() {
            role_template_permissions::Entity::insert_many(perms.into_iter().map(|p| {
                role_template_permissions::ActiveModel {
                    template_id: Set(copy.id),
                    permission: Set(p.permission),
                }
            }))
            .exec(&*txn)
            .await?;
        }
    }
    let mut copied_groups = 0;
    for g in groups::Entity::find()
        .filter(groups::Column::TenantId.eq(production.id))
        .order_by_asc(groups::Column::Id)
        .all(&*txn)
        .await?
    {
        let copy = groups::ActiveModel {
            tenant_id: Set(sandbox.id),
            name: Set(g.name.clone()),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(&*txn)
        .await?;
        copied_groups += 1;
        let links: Vec<group_templates::ActiveModel> = group_templates::Entity::find()
            .filter(group_templates::Column::GroupId.eq(g.id))
            .all(&*txn)
            .await?
            .into_iter()
            .filter_map(|l| template_ids.get(&l.template_id).copied())
            .map(|template_id| group_templates::ActiveModel {
                group_id: Set(copy.id),
                template_id: Set(template_id),
            })
            .collect();
        if !links.is_empty() {
            group_templates::Entity::insert_many(links)
                .exec(&*txn)
                .await?;
        }
    }
    let who = actor.audit_actor(meta);
    let copied = json!({ "role_templates": template_ids.len(), "groups": copied_groups });
    audit::record(
        &*txn,
        now,
        &who,
        AuditEntry::new(Some(production.id), "tenant.sandbox_created", "tenant")
            .target(Some(sandbox.id), &sandbox.name)
            .after(copied.clone()),
    )
    .await?;
    audit::commit_with(
        txn,
        now,
        &who,
        AuditEntry::new(Some(sandbox.id), "tenant.created", "tenant")
            .target(Some(sandbox.id), &sandbox.name)
            .after(json!({ "sandbox_of": production.name, "copied": copied })),
    )
    .await?;
    Ok(sandbox.id)
}
