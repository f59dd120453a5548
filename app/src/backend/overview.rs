//! Read model for the Tenant settings page.

use super::auth::Actor;
use super::members::seats_used;
use crate::api::dto::TenantOverview;
use crate::domain::model::PlanFeature;
use crate::domain::Plan;
use sea_orm::{ConnectionTrait, DbErr};

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
        require_admin_two_factor: actor.tenant.require_admin_two_factor,
        can_manage_security: super::members::require_user_admin(conn, actor)
            .await
            .is_ok(),
        plan_features: PlanFeature::ALL
            .iter()
            .map(|f| (f.label().to_string(), plan.includes(*f)))
            .collect(),
    })
}
