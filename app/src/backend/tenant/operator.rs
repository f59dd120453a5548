//! What the operator of this Gatehouse changes from the command line: a tenant's
//! plan and seat limit.

use crate::backend::entities::tenants;
use crate::backend::kernel::audit::{self, AuditActor, AuditEntry};
use crate::backend::kernel::db::Db;
use crate::backend::kernel::directory::{find_tenant_by_name, seats_used};
use crate::domain::{AppError, Plan};
use sea_orm::{ActiveModelTrait, Set};
use serde_json::json;

/// Moves a tenant to `plan` with `seats` (or the plan's default seat limit). A
/// limit below the seats in use is allowed: nobody loses access, but new invites
/// are refused with a sentence saying so. Answers what was done, in words.
pub async fn set_plan(
    db: &Db,
    now_ms: i64,
    tenant_name: &str,
    plan: &str,
    seats: Option<i64>,
) -> Result<String, AppError> {
    let plan = Plan::parse(plan.trim()).ok_or_else(|| {
        AppError::field(
            "plan",
            "The plan must be free, team, business or enterprise.",
        )
    })?;
    let seat_limit = seats.unwrap_or_else(|| plan.default_seat_limit());
    if !(1..=1_000_000).contains(&seat_limit) {
        return Err(AppError::field(
            "seats",
            "The seat limit must be a whole number from 1 to 1000000.",
        ));
    }
    let txn = db.begin_write().await?;
    let tenant = find_tenant_by_name(&*txn, tenant_name)
        .await?
        .ok_or_else(|| {
            AppError::field(
                "tenant",
                format!("No tenant is named “{}”.", tenant_name.trim()),
            )
        })?;
    let used = seats_used(&*txn, tenant.id).await?;
    let before = json!({ "plan": tenant.plan, "seat_limit": tenant.seat_limit });
    let mut t: tenants::ActiveModel = tenant.clone().into();
    t.plan = Set(plan.as_str().to_string());
    t.seat_limit = Set(seat_limit);
    t.update(&*txn).await?;
    audit::commit_with(
        txn,
        now_ms,
        &AuditActor::system("operator (command line)"),
        AuditEntry::new(Some(tenant.id), "tenant.plan_changed", "tenant")
            .target(Some(tenant.id), &tenant.name)
            .before(before)
            .after(json!({ "plan": plan.as_str(), "seat_limit": seat_limit })),
    )
    .await?;
    let mut message = format!(
        "{} is now on the {} plan with {seat_limit} seats ({used} in use).",
        tenant.name,
        plan.label()
    );
    if used > seat_limit {
        message.push_str(&format!(
            " That is {} more than the limit: nobody loses access, but no one can be invited until {} people are removed or the limit is raised.",
            used - seat_limit,
            used - seat_limit
        ));
    }
    Ok(message)
}
