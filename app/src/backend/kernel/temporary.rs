//! Temporary access: what of a membership is in force at a given instant. A
//! temporary Admin role, role template, CRM access, beta access or direct grant
//! whose end has come counts as gone at once, before the expiry sweep
//! (`members::expiry`) removes it.

use crate::backend::entities::{membership_permissions, memberships};
use crate::domain::Role;
use sea_orm::sea_query::Condition;
use sea_orm::ColumnTrait;

/// The audit action of the expiry sweep, which diagnostics read back to say when
/// temporary access ended.
pub const EXPIRED_ACTION: &str = "access.expired";

/// The membership as it stands at `now`: a temporary role, role template, CRM or
/// beta access whose end has come counts as gone at once, before the sweep removes
/// it.
pub fn in_force(membership: &memberships::Model, now: i64) -> memberships::Model {
    let mut m = membership.clone();
    if m.role_until.is_some_and(|until| until <= now) {
        m.role = m
            .role_restore
            .take()
            .unwrap_or_else(|| Role::User.as_str().into());
        m.role_until = None;
        // The Admin role brings CRM access; what they go back to keeps theirs only
        // if it was given apart (then `crm_access` stays, see `raise`).
    }
    if m.beta_until.is_some_and(|until| until <= now) {
        m.beta_access = false;
        m.beta_until = None;
    }
    if m.template_until.is_some_and(|until| until <= now) {
        m.role_template_id = m.template_restore_id;
        m.template_until = None;
        m.template_restore_id = None;
    }
    if m.crm_until.is_some_and(|until| until <= now) {
        m.crm_access = false;
        m.crm_until = None;
    }
    m
}

// The same rule in SQL, for queries that list or count members.

/// `end` is unset (for good) or still ahead of `now`.
fn not_ended(end: impl ColumnTrait, now: i64) -> Condition {
    Condition::any().add(end.is_null()).add(end.gt(now))
}

/// A direct grant still in force at `now` (permanent, or before its end).
pub fn grant_in_force(now: i64) -> Condition {
    not_ended(membership_permissions::Column::ExpiresAt, now)
}

/// A subquery over the direct grants in force at `now` of the membership row of the
/// outer query (`memberships`), nothing selected yet.
pub fn member_grants_in_force(now: i64) -> sea_orm::sea_query::SelectStatement {
    use sea_orm::sea_query::{Expr, Query};
    Query::select()
        .from(membership_permissions::Entity)
        .and_where(
            Expr::col((
                membership_permissions::Entity,
                membership_permissions::Column::MembershipId,
            ))
            .equals((memberships::Entity, memberships::Column::Id)),
        )
        .cond_where(grant_in_force(now))
        .to_owned()
}

/// The Admin role at `now` (a temporary one only before its end).
pub fn admin_in_force(now: i64) -> Condition {
    Condition::all()
        .add(memberships::Column::Role.eq(Role::Admin.as_str()))
        .add(not_ended(memberships::Column::RoleUntil, now))
}

/// The Admin role for good (not a temporary one): only these keep a tenant's last
/// admin, since a temporary one ends by itself.
pub fn admin_for_good() -> Condition {
    Condition::all()
        .add(memberships::Column::Role.eq(Role::Admin.as_str()))
        .add(memberships::Column::RoleUntil.is_null())
}

/// Beta access on at `now`.
pub fn beta_in_force(now: i64) -> Condition {
    Condition::all()
        .add(memberships::Column::BetaAccess.eq(true))
        .add(not_ended(memberships::Column::BetaUntil, now))
}

/// CRM access on at `now` (not counting admins, who always have it).
pub fn crm_in_force(now: i64) -> Condition {
    Condition::all()
        .add(memberships::Column::CrmAccess.eq(true))
        .add(not_ended(memberships::Column::CrmUntil, now))
}

/// The member's template at `now` is one of `templates`: their template until a
/// temporary one's end, the one they go back to after it.
pub fn template_among(templates: &[i64], now: i64) -> Condition {
    Condition::any()
        .add(
            Condition::all()
                .add(memberships::Column::RoleTemplateId.is_in(templates.iter().copied()))
                .add(not_ended(memberships::Column::TemplateUntil, now)),
        )
        .add(
            Condition::all()
                .add(memberships::Column::TemplateUntil.lte(now))
                .add(memberships::Column::TemplateRestoreId.is_in(templates.iter().copied())),
        )
}
