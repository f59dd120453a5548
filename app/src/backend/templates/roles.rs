//! Settings → Roles overview (read-only): each role template and the Admin role
//! with its holders (directly or through a group) and their two-factor, and the
//! least template for each feature and permission.

use super::impact::holders;
use crate::backend::entities::{accounts, group_members, group_templates, groups, memberships};
use crate::backend::kernel::actor::Actor;
use crate::backend::kernel::clock::format_short;
use crate::backend::kernel::directory::shown_name;
use crate::backend::kernel::policy::{admin_in_force, grantables, require_user_admin};
use crate::backend::kernel::second_factor;
use crate::backend::AppState;
use crate::domain::access::Permission;
use crate::domain::roles::{least_templates, Holder, RoleHolders, RolesOverview};
use crate::domain::{AppError, MembershipStatus};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use std::collections::HashMap;

pub async fn overview(state: &AppState, actor: &Actor) -> Result<RolesOverview, AppError> {
    let conn = state.db.conn();
    require_user_admin(conn, actor).await?;
    let now = actor.now;
    let tenant = actor.tenant.id;

    let admins = memberships::Entity::find()
        .find_also_related(accounts::Entity)
        .filter(memberships::Column::TenantId.eq(tenant))
        .filter(memberships::Column::Status.ne(MembershipStatus::Suspended.as_str()))
        .filter(admin_in_force(now))
        .order_by_asc(memberships::Column::Id)
        .all(conn)
        .await?;
    let mut roles = vec![RoleHolders {
        role: "Admin role".into(),
        admin_role: true,
        grants: Permission::all().collect(),
        holders: admins
            .into_iter()
            .filter_map(|(m, a)| {
                let a = a?;
                Some(holder(
                    &m,
                    &a,
                    match m.role_until {
                        Some(until) => format!("until {}", format_short(until)),
                        None => "their role".into(),
                    },
                ))
            })
            .collect(),
    }];

    // Which group gives which member a template, to say how they hold it.
    let group_names: HashMap<i64, String> = groups::Entity::find()
        .filter(groups::Column::TenantId.eq(tenant))
        .all(conn)
        .await?
        .into_iter()
        .map(|g| (g.id, g.name))
        .collect();
    let links = group_templates::Entity::find()
        .filter(group_templates::Column::GroupId.is_in(group_names.keys().copied()))
        .all(conn)
        .await?;
    let in_groups = group_members::Entity::find()
        .filter(group_members::Column::GroupId.is_in(group_names.keys().copied()))
        .all(conn)
        .await?;

    let (templates, _) = grantables(conn, tenant).await?;
    for t in &templates {
        let mut holders_of_t = Vec::new();
        for (m, a) in holders(conn, tenant, t.id, now).await? {
            let in_force = crate::backend::kernel::policy::in_force(&m, now);
            let mut how: Vec<String> = Vec::new();
            if in_force.role_template_id == Some(t.id) {
                how.push(match in_force.template_until {
                    Some(until) => format!("their own, until {}", format_short(until)),
                    None => "their own".into(),
                });
            }
            for group in links
                .iter()
                .filter(|l| l.template_id == t.id)
                .filter(|l| {
                    in_groups
                        .iter()
                        .any(|g| g.group_id == l.group_id && g.membership_id == m.id)
                })
                .filter_map(|l| group_names.get(&l.group_id))
            {
                how.push(format!("through the group “{group}”"));
            }
            holders_of_t.push(holder(&m, &a, how.join(", ")));
        }
        roles.push(RoleHolders {
            role: t.name.clone(),
            admin_role: false,
            grants: t.permissions.iter().copied().collect(),
            holders: holders_of_t,
        });
    }
    let (features, permissions) = least_templates(&templates);
    Ok(RolesOverview {
        roles,
        features,
        permissions,
    })
}

fn holder(m: &memberships::Model, a: &accounts::Model, how: String) -> Holder {
    Holder {
        member_id: m.id,
        name: shown_name(a),
        email: a.email.clone(),
        two_factor: second_factor::is_enabled(a),
        how,
    }
}
