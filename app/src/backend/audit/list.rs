//! The Audit log page: the tenant's audit trail, described in words.

use crate::backend::entities::audit_events;
use crate::backend::kernel::clock::format_time;
use crate::domain::audit::{AuditPage, AuditRow};
use sea_orm::sea_query::{Expr, LikeExpr};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};

pub const AUDIT_PAGE_SIZE: u64 = 50;

/// What an action code means, in words.
pub fn describe(action: &str) -> &str {
    match action {
        "tenant.created" => "Tenant created",
        "member.created" => "Member created",
        "member.invited" => "Invited",
        "member.invite_resent" => "Invitation resent",
        "member.joined" => "Accepted invitation",
        "member.updated" => "Access changed",
        "member.suspended" => "Suspended",
        "member.reactivated" => "Reactivated",
        "member.deleted" => "Removed",
        "member.invite_cancelled" => "Invitation cancelled",
        "member.unlocked" => "Sign-in unlocked",
        "template.created" => "Role template created",
        "template.updated" => "Role template changed",
        "template.deleted" => "Role template deleted",
        "sign_in.succeeded" => "Signed in",
        "sign_in.failed" => "Sign-in refused",
        "session.switched_tenant" => "Switched into this tenant",
        "account.locked" => "Locked after repeated wrong passwords",
        "password.reset_requested" => "Asked for a password reset",
        "password.reset" => "Reset their password",
        "password.changed" => "Changed their password",
        "account.renamed" => "Changed their name",
        "two_factor.enabled" => "Turned on two-factor",
        "two_factor.disabled" => "Turned off two-factor",
        "two_factor.recovery_codes_replaced" => "Made new recovery codes",
        "session.ended" => "Signed out one of their sessions",
        "session.ended_others" => "Signed out their other sessions",
        "tenant.security_changed" => "Sign-in security changed",
        "tenant.sign_in_group_changed" => "Changed who can sign in",
        "access.denied" => "Refused: not allowed to",
        "tenant.flag_changed" => "Feature flag changed",
        "tenant.plan_changed" => "Plan changed by the operator",
        "tenant.sandbox_created" => "Sandbox created",
        "group.created" => "Group created",
        "group.deleted" => "Group deleted",
        "group.member_added" => "Added to a group",
        "group.member_removed" => "Removed from a group",
        "group.template_attached" => "Role template given to a group",
        "group.template_detached" => "Role template taken from a group",
        "diagnostics.run" => "Ran access diagnostics",
        "access.requested" => "Asked for access",
        "access.approved" => "Access request approved",
        "access.declined" => "Access request declined",
        "access.expired" => "Temporary access ended",
        "diagnostics.fix_applied" => "Applied a fix from diagnostics",
        "account.disabled" => "Disabled by the operator of this Gatehouse",
        "account.enabled" => "Enabled again by the operator",
        other => other,
    }
}

fn detail(before: &Option<String>, after: &Option<String>) -> String {
    match (before, after) {
        (Some(b), Some(a)) => format!("{b} → {a}"),
        (None, Some(a)) => a.clone(),
        (Some(b), None) => format!("was {b}"),
        (None, None) => String::new(),
    }
}

/// Events of one tenant, newest first; `member` narrows to events whose actor or
/// target email contains it. Pages by id (`before_id`) so it stays fast.
pub async fn list(
    conn: &impl ConnectionTrait,
    tenant_id: i64,
    member: &str,
    before_id: Option<i64>,
) -> Result<AuditPage, DbErr> {
    let mut q = audit_events::Entity::find().filter(audit_events::Column::TenantId.eq(tenant_id));
    let member = member.trim().to_lowercase();
    if !member.is_empty() {
        let pattern = format!(
            "%{}%",
            member
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_")
        );
        q = q.filter(
            Expr::col(audit_events::Column::TargetLabel)
                .like(LikeExpr::new(pattern.clone()).escape('\\'))
                .or(Expr::col(audit_events::Column::ActorEmail)
                    .like(LikeExpr::new(pattern).escape('\\'))),
        );
    }
    if let Some(id) = before_id {
        q = q.filter(audit_events::Column::Id.lt(id));
    }
    let mut rows = q
        .order_by_desc(audit_events::Column::Id)
        .limit(AUDIT_PAGE_SIZE + 1)
        .all(conn)
        .await?;
    let has_more = rows.len() as u64 > AUDIT_PAGE_SIZE;
    rows.truncate(AUDIT_PAGE_SIZE as usize);
    Ok(AuditPage {
        rows: rows
            .into_iter()
            .map(|e| AuditRow {
                id: e.id,
                time: format_time(e.created_at),
                actor: e.actor_email.clone(),
                action: describe(&e.action).to_string(),
                target: e.target_label.clone(),
                detail: detail(&e.before, &e.after),
            })
            .collect(),
        has_more,
    })
}
