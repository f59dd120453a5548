//! Read models for the settings pages.

use super::auth::Actor;
use super::entities::{memberships, role_templates};
use crate::api::dto::{MemberRow, TemplateSummary, TenantOverview};
use crate::domain::model::PlanFeature;
use crate::domain::{MembershipStatus, Plan, Role};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect,
};

/// Seats in use: invited + active + suspended memberships.
pub async fn seats_used(conn: &impl ConnectionTrait, tenant_id: i64) -> Result<i64, DbErr> {
    let n = memberships::Entity::find()
        .filter(memberships::Column::TenantId.eq(tenant_id))
        .count(conn)
        .await?;
    Ok(i64::try_from(n).unwrap_or(i64::MAX))
}

pub async fn tenant_overview(
    conn: &impl ConnectionTrait,
    actor: &Actor,
) -> Result<TenantOverview, DbErr> {
    let plan = Plan::parse(&actor.tenant.plan).unwrap_or(Plan::Free);
    Ok(TenantOverview {
        name: actor.tenant.name.clone(),
        kind: actor.tenant_kind(),
        plan,
        seat_limit: actor.tenant.seat_limit,
        seats_used: seats_used(conn, actor.tenant.id).await?,
        plan_features: PlanFeature::ALL
            .iter()
            .map(|f| (f.label().to_string(), plan.includes(*f)))
            .collect(),
    })
}

/// The first page of the tenant's members (full table arrives with Settings → Users).
pub async fn first_members(
    conn: &impl ConnectionTrait,
    tenant_id: i64,
    limit: u64,
) -> Result<Vec<MemberRow>, DbErr> {
    use super::entities::accounts;
    let rows = memberships::Entity::find()
        .filter(memberships::Column::TenantId.eq(tenant_id))
        .order_by_asc(memberships::Column::Id)
        .limit(limit)
        .all(conn)
        .await?;
    let ids: Vec<i64> = rows.iter().map(|m| m.account_id).collect();
    let accounts = accounts::Entity::find()
        .filter(accounts::Column::Id.is_in(ids))
        .all(conn)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|m| {
            let account = accounts.iter().find(|a| a.id == m.account_id)?;
            Some(MemberRow {
                id: m.id,
                email: account.email.clone(),
                role: Role::parse(&m.role).unwrap_or(Role::User),
                status: MembershipStatus::parse(&m.status).unwrap_or(MembershipStatus::Invited),
                last_login: m.last_login_at.map(super::clock::format_time),
            })
        })
        .collect())
}

pub async fn template_summaries(
    conn: &impl ConnectionTrait,
    tenant_id: i64,
) -> Result<Vec<TemplateSummary>, DbErr> {
    let templates = role_templates::Entity::find()
        .filter(role_templates::Column::TenantId.eq(tenant_id))
        .order_by_asc(role_templates::Column::Name)
        .all(conn)
        .await?;
    let mut out = Vec::with_capacity(templates.len());
    for t in templates {
        let members = memberships::Entity::find()
            .filter(memberships::Column::TenantId.eq(tenant_id))
            .filter(memberships::Column::RoleTemplateId.eq(t.id))
            .count(conn)
            .await?;
        out.push(TemplateSummary {
            id: t.id,
            name: t.name,
            members: members as i64,
        });
    }
    Ok(out)
}
