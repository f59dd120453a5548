//! Temporary access: what of a membership is in force at a given instant. A
//! temporary role template, CRM access or direct grant whose end has come counts as
//! gone at once, before the expiry sweep (`members::expiry`) removes it.

use crate::backend::entities::{membership_permissions, memberships};
use sea_orm::sea_query::Condition;
use sea_orm::ColumnTrait;

/// The membership as it stands at `now`: a temporary role template or CRM access
/// whose end has come counts as gone at once, before the sweep removes it.
pub fn in_force(membership: &memberships::Model, now: i64) -> memberships::Model {
    let mut m = membership.clone();
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
