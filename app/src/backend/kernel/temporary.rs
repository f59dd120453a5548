//! Temporary access: what of a membership is in force at a given instant. A
//! temporary role template, CRM access or direct grant whose end has come counts as
//! gone at once, before the expiry sweep (`members::expiry`) removes it.

use crate::backend::entities::{membership_permissions, memberships};
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

/// A direct grant still in force at `now` (permanent, or before its end).
pub fn grant_in_force(now: i64) -> sea_orm::sea_query::Condition {
    sea_orm::sea_query::Condition::any()
        .add(membership_permissions::Column::ExpiresAt.is_null())
        .add(membership_permissions::Column::ExpiresAt.gt(now))
}
