//! Policy: loads what decides a member's permissions and asks the domain's one
//! evaluation function. Every permission check goes through [`require`].

use super::actor::Actor;
use crate::backend::entities::{
    group_members, group_templates, groups, membership_permissions, memberships,
    role_template_permissions, role_templates,
};
use crate::domain::access::{
    evaluate, AccessInputs, Action, Category, GroupGrant, Permission, TemplateGrant,
};
use crate::domain::{AppError, Role};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};
use std::collections::BTreeSet;

async fn template_grant(
    conn: &impl ConnectionTrait,
    template_id: i64,
) -> Result<Option<TemplateGrant>, DbErr> {
    let Some(template) = role_templates::Entity::find_by_id(template_id)
        .one(conn)
        .await?
    else {
        return Ok(None);
    };
    let permissions = role_template_permissions::Entity::find()
        .filter(role_template_permissions::Column::TemplateId.eq(template_id))
        .all(conn)
        .await?
        .into_iter()
        .filter_map(|row| Permission::parse(&row.permission))
        .collect();
    Ok(Some(TemplateGrant {
        name: template.name,
        permissions,
    }))
}

/// Everything that decides the member's permissions, read fresh from the database
/// (nothing is cached in the session, so changes apply at the next request).
pub async fn access_inputs(
    conn: &impl ConnectionTrait,
    membership: &memberships::Model,
) -> Result<AccessInputs, DbErr> {
    let direct: BTreeSet<Permission> = membership_permissions::Entity::find()
        .filter(membership_permissions::Column::MembershipId.eq(membership.id))
        .all(conn)
        .await?
        .into_iter()
        .filter_map(|row| Permission::parse(&row.permission))
        .collect();
    let template = match membership.role_template_id {
        Some(id) => template_grant(conn, id).await?,
        None => None,
    };
    let mut group_grants = Vec::new();
    let group_ids: Vec<i64> = group_members::Entity::find()
        .filter(group_members::Column::MembershipId.eq(membership.id))
        .all(conn)
        .await?
        .into_iter()
        .map(|row| row.group_id)
        .collect();
    if !group_ids.is_empty() {
        for group in groups::Entity::find()
            .filter(groups::Column::Id.is_in(group_ids))
            .filter(groups::Column::TenantId.eq(membership.tenant_id))
            .all(conn)
            .await?
        {
            let mut templates = Vec::new();
            for link in group_templates::Entity::find()
                .filter(group_templates::Column::GroupId.eq(group.id))
                .all(conn)
                .await?
            {
                if let Some(t) = template_grant(conn, link.template_id).await? {
                    templates.push(t);
                }
            }
            group_grants.push(GroupGrant {
                name: group.name,
                templates,
            });
        }
    }
    Ok(AccessInputs {
        role: Role::parse(&membership.role).unwrap_or(Role::User),
        direct,
        template,
        groups: group_grants,
    })
}

/// Passes when the actor holds `permission`; otherwise `Forbidden` with `denial`,
/// a sentence that says what the person cannot do in plain words.
pub async fn require(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    permission: Permission,
    denial: &str,
) -> Result<(), AppError> {
    let inputs = access_inputs(conn, &actor.membership).await?;
    if evaluate(&inputs, permission).granted() {
        Ok(())
    } else {
        Err(AppError::Forbidden(denial.to_string()))
    }
}

pub const NO_USER_MANAGEMENT: &str =
    "You don't have access to user management. Ask an admin of this tenant if you need it.";

/// Only admins, or members holding "manage people, roles and role templates", pass.
pub async fn require_user_admin(
    conn: &impl ConnectionTrait,
    actor: &Actor,
) -> Result<(), AppError> {
    require(
        conn,
        actor,
        Permission::new(Category::Users, Action::Manage),
        NO_USER_MANAGEMENT,
    )
    .await
}
