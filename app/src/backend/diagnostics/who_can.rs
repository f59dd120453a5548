//! "Who can …?", the reverse question for least-privilege reviews: the active
//! members who can use a feature or hold a permission, each with how (admin role,
//! direct grant, role template, group), a page at a time. One filtered, paged query
//! over memberships whatever the tenant's size, then three small ones for the page.

use crate::backend::entities::{
    accounts, group_members, group_templates, membership_permissions, memberships, tenants,
};
use crate::backend::kernel::actor::Actor;
use crate::backend::kernel::clock::format_time;
use crate::backend::kernel::directory::shown_name;
use crate::backend::kernel::policy::{
    admin_in_force, beta_in_force, crm_in_force, flags_on, grant_in_force, grantables, holds,
    in_force, user_manager,
};
use crate::backend::kernel::stored::decode;
use crate::backend::AppState;
use crate::domain::access::diagnose::{granting, Target};
use crate::domain::access::{evaluate_feature, FeatureContext, GrantSource, ReasonKind};
use crate::domain::diagnostics::{WhoCanPage, WhoCanRow, WHO_CAN_COUNT_LIMIT, WHO_CAN_PAGE_SIZE};
use crate::domain::{AppError, MembershipStatus, Role};
use sea_orm::sea_query::Condition;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use std::collections::HashMap;

/// Far past any real tenant; keeps the row offset small.
const MAX_PAGE: u64 = 10_000;

/// "Who can …?" for admins and people managers of the actor's tenant.
pub async fn who_can(
    state: &AppState,
    actor: &Actor,
    target: &str,
    page: u64,
    after: Option<i64>,
) -> Result<WhoCanPage, AppError> {
    let conn = state.db.conn();
    user_manager(conn, actor).await?;
    let target = Target::parse(target)
        .filter(|t| *t != Target::SignIn)
        .ok_or_else(|| {
            AppError::field("target", "Choose a feature or permission from the list.")
        })?;
    if page > MAX_PAGE {
        return Err(AppError::field(
            "page",
            "That page is past the end of the list.",
        ));
    }
    who_can_in(conn, &actor.tenant, target, page, after, actor.now).await
}

/// The answer for one tenant (no permission check: callers check; the bench
/// measures this).
pub async fn who_can_in(
    conn: &impl ConnectionTrait,
    tenant: &tenants::Model,
    target: Target,
    page: u64,
    after: Option<i64>,
    now: i64,
) -> Result<WhoCanPage, AppError> {
    let empty = |nobody_because| WhoCanPage {
        target,
        rows: Vec::new(),
        total: 0,
        more: false,
        page,
        has_next: false,
        nobody_because,
    };
    // The tenant-wide gates first: a plan or a flag that stops everyone.
    let (permission, needs_crm, needs_beta) = match target {
        Target::Permission(p) => (Some(p), false, false),
        Target::Feature(f) => {
            let needs = f.needs();
            let ctx = FeatureContext {
                tenant_name: tenant.name.clone(),
                plan: decode(&tenant.plan)?,
                flags: flags_on(conn, tenant.id).await?,
                status: MembershipStatus::Active,
                account_disabled: false,
                outside_sign_in_group: None,
                access: crate::domain::access::AccessInputs {
                    role: Role::Admin,
                    direct: Default::default(),
                    template: None,
                    groups: Vec::new(),
                },
                crm_access: true,
                beta_access: true,
            };
            let stops_everyone = evaluate_feature(&ctx, f)
                .reasons
                .into_iter()
                .find(|r| r.kind == ReasonKind::ProductScope);
            if let Some(r) = stops_everyone {
                return Ok(empty(Some(r.for_admin)));
            }
            (
                needs.permission,
                needs.crm,
                needs.flag.is_some_and(|f| f.is_beta()),
            )
        }
        Target::SignIn => (None, false, false),
    };

    let (templates, all_groups) = grantables(conn, tenant.id).await?;
    let mut filter = Condition::all()
        .add(memberships::Column::TenantId.eq(tenant.id))
        .add(memberships::Column::Status.eq(MembershipStatus::Active.as_str()));
    let (granting_templates, granting_groups): (Vec<i64>, Vec<i64>) = match permission {
        Some(p) => (granting(&templates, p), granting(&all_groups, p)),
        None => (Vec::new(), Vec::new()),
    };
    if let Some(p) = permission {
        filter = filter.add(holds(p, &granting_templates, &granting_groups, now));
    }
    if needs_crm {
        filter = filter.add(
            Condition::any()
                .add(crm_in_force(now))
                .add(admin_in_force(now)),
        );
    }
    if needs_beta {
        filter = filter.add(beta_in_force(now));
    }

    // Counted up to a limit on memberships alone, and listed in the order they
    // joined: the database stops after the limit and after one page instead of
    // visiting and sorting every match.
    let counted = memberships::Entity::find()
        .select_only()
        .column(memberships::Column::Id)
        .filter(filter.clone())
        .limit(WHO_CAN_COUNT_LIMIT + 1)
        .into_tuple::<i64>()
        .all(conn)
        .await?
        .len() as u64;
    // After the cursor when there is one (the Next link), else by row offset.
    let (filter, offset) = match after {
        Some(id) => (filter.add(memberships::Column::Id.gt(id)), 0),
        None => (filter, page * WHO_CAN_PAGE_SIZE),
    };
    let mut found = memberships::Entity::find()
        .find_also_related(accounts::Entity)
        .filter(filter)
        .order_by_asc(memberships::Column::Id)
        .offset(offset)
        .limit(WHO_CAN_PAGE_SIZE + 1)
        .all(conn)
        .await?;
    let has_next = found.len() as u64 > WHO_CAN_PAGE_SIZE;
    found.truncate(WHO_CAN_PAGE_SIZE as usize);
    let ids: Vec<i64> = found.iter().map(|(m, _)| m.id).collect();

    // How, for this page only: direct grants, and the granting groups they're in.
    let direct: HashMap<i64, Option<i64>> = match permission {
        Some(p) if !ids.is_empty() => membership_permissions::Entity::find()
            .filter(membership_permissions::Column::MembershipId.is_in(ids.clone()))
            .filter(membership_permissions::Column::Permission.eq(p.key()))
            .filter(grant_in_force(now))
            .all(conn)
            .await?
            .into_iter()
            .map(|r| (r.membership_id, r.expires_at))
            .collect(),
        _ => HashMap::new(),
    };
    // Names of the granting templates and groups, from what was read already.
    let template_names: HashMap<i64, &str> = templates
        .iter()
        .filter(|t| granting_templates.contains(&t.id))
        .map(|t| (t.id, t.name.as_str()))
        .collect();
    let group_names: HashMap<i64, &str> = all_groups
        .iter()
        .filter(|g| granting_groups.contains(&g.id))
        .map(|g| (g.id, g.name.as_str()))
        .collect();
    let mut via_groups: HashMap<i64, Vec<String>> = HashMap::new();
    if !ids.is_empty() && !granting_groups.is_empty() {
        let links = group_members::Entity::find()
            .filter(group_members::Column::MembershipId.is_in(ids.clone()))
            .filter(group_members::Column::GroupId.is_in(granting_groups.clone()))
            .all(conn)
            .await?;
        let template_links = group_templates::Entity::find()
            .filter(group_templates::Column::GroupId.is_in(granting_groups.clone()))
            .all(conn)
            .await?;
        for l in links {
            for t in template_links.iter().filter(|t| t.group_id == l.group_id) {
                if let (Some(group), Some(template)) = (
                    group_names.get(&l.group_id),
                    template_names.get(&t.template_id),
                ) {
                    via_groups.entry(l.membership_id).or_default().push(
                        GrantSource::Group {
                            group: group.to_string(),
                            template: template.to_string(),
                        }
                        .to_string(),
                    );
                }
            }
        }
    }
    let rows = found
        .into_iter()
        .filter_map(|(m, a)| {
            let a = a?;
            let m = in_force(&m, now);
            let until_words = |until: Option<i64>, what: String| match until {
                Some(until) => format!("{what} (until {})", format_time(until)),
                None => what,
            };
            let mut how = Vec::new();
            if m.role == Role::Admin.as_str() {
                how.push(until_words(
                    m.role_until,
                    GrantSource::AdminRole.to_string(),
                ));
            }
            if let Some(until) = direct.get(&m.id) {
                how.push(until_words(*until, GrantSource::Direct.to_string()));
            }
            let template = m.role_template_id;
            if let Some(name) = template.and_then(|t| template_names.get(&t)) {
                how.push(
                    GrantSource::Template {
                        template: name.to_string(),
                    }
                    .to_string(),
                );
            }
            how.extend(via_groups.remove(&m.id).unwrap_or_default());
            if needs_crm && m.role != Role::Admin.as_str() {
                how.push(until_words(m.crm_until, "CRM access".to_string()));
            }
            if needs_beta {
                how.push(until_words(m.beta_until, "beta access".to_string()));
            }
            Some(WhoCanRow {
                member_id: m.id,
                name: shown_name(&a),
                email: a.email,
                how,
            })
        })
        .collect();
    Ok(WhoCanPage {
        target,
        rows,
        total: counted.min(WHO_CAN_COUNT_LIMIT),
        more: counted > WHO_CAN_COUNT_LIMIT,
        page,
        has_next,
        nobody_because: None,
    })
}
