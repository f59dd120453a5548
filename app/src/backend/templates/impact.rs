//! Template impact preview: before a template edit or deletion is saved, what
//! changes for whom, by the one evaluation. Reads only; never writes.

use crate::backend::entities::{accounts, group_members, group_templates, memberships};
use crate::backend::kernel::actor::Actor;
use crate::backend::kernel::directory::template_in_tenant;
use crate::backend::kernel::policy::{
    access_inputs_of, require_user_admin, template_among, template_permissions, user_manager,
};
use crate::backend::AppState;
use crate::domain::access::{Permission, TemplateGrant};
use crate::domain::templates::{template_impact, TemplateImpact, TemplateInput, TemplateUser};
use crate::domain::{AppError, MembershipStatus};
use sea_orm::sea_query::{Condition, Query};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use std::collections::BTreeSet;

/// What saving `input` would change (a new template changes nobody).
pub async fn preview_save(
    state: &AppState,
    actor: &Actor,
    input: &TemplateInput,
) -> Result<TemplateImpact, AppError> {
    let conn = state.db.conn();
    user_manager(conn, actor).await?;
    let Some(id) = input.id else {
        return Ok(TemplateImpact::default());
    };
    let template = template_in_tenant(conn, actor.tenant.id, id).await?;
    let after: BTreeSet<Permission> = input.permissions.iter().copied().collect();
    let users = users_of(conn, actor, id).await?;
    Ok(template_impact(&users, &template.name, Some(&after), None))
}

/// What deleting template `id` would take away, its users moving to `moved_to`.
pub async fn preview_delete(
    state: &AppState,
    actor: &Actor,
    id: i64,
    moved_to: Option<i64>,
) -> Result<TemplateImpact, AppError> {
    let conn = state.db.conn();
    require_user_admin(conn, actor).await?;
    let template = template_in_tenant(conn, actor.tenant.id, id).await?;
    let moved_to = match moved_to.filter(|t| *t != id) {
        Some(target) => {
            let t = template_in_tenant(conn, actor.tenant.id, target)
                .await
                .map_err(|_| {
                    AppError::field("reassign_to", "Choose a template from this tenant's list.")
                })?;
            Some(TemplateGrant {
                name: t.name,
                permissions: template_permissions(conn, target).await?,
            })
        }
        None => None,
    };
    let users = users_of(conn, actor, id).await?;
    Ok(template_impact(
        &users,
        &template.name,
        None,
        moved_to.as_ref(),
    ))
}

/// The members (active or invited) who use template `id` at `now`: as their own,
/// or through a group it is attached to; in the order they joined, with accounts.
pub async fn holders(
    conn: &impl ConnectionTrait,
    tenant_id: i64,
    id: i64,
    now: i64,
) -> Result<Vec<(memberships::Model, accounts::Model)>, AppError> {
    let groups_with_it = Query::select()
        .column(group_templates::Column::GroupId)
        .from(group_templates::Entity)
        .and_where(group_templates::Column::TemplateId.eq(id))
        .to_owned();
    let in_those_groups = Query::select()
        .column(group_members::Column::MembershipId)
        .from(group_members::Entity)
        .and_where(group_members::Column::GroupId.in_subquery(groups_with_it))
        .to_owned();
    let rows = memberships::Entity::find()
        .find_also_related(accounts::Entity)
        .filter(memberships::Column::TenantId.eq(tenant_id))
        .filter(memberships::Column::Status.ne(MembershipStatus::Suspended.as_str()))
        .filter(
            Condition::any()
                .add(template_among(&[id], now))
                .add(memberships::Column::Id.in_subquery(in_those_groups)),
        )
        .order_by_asc(memberships::Column::Id)
        .all(conn)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(m, a)| Some((m, a?)))
        .collect())
}

/// A person's name for lists: their name and email, or the email alone.
pub fn name_of(account: &accounts::Model) -> String {
    if account.display_name.is_empty() {
        account.email.clone()
    } else {
        format!("{} ({})", account.display_name, account.email)
    }
}

async fn users_of(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    id: i64,
) -> Result<Vec<TemplateUser>, AppError> {
    let (members, names): (Vec<memberships::Model>, Vec<String>) =
        holders(conn, actor.tenant.id, id, actor.now)
            .await?
            .into_iter()
            .map(|(m, a)| {
                let name = name_of(&a);
                (m, name)
            })
            .unzip();
    let inputs = access_inputs_of(conn, &members, actor.now).await?;
    Ok(members
        .iter()
        .zip(names)
        .zip(inputs)
        .map(|((m, name), access)| TemplateUser {
            member_id: m.id,
            name,
            access,
        })
        .collect())
}
