//! The privilege boundaries of user management: who may hand out access, and to
//! whom. The server enforces them; the Users page shows the same limits, in the same
//! words, before anyone tries.

use super::catalog::{Action, Category, Permission};
use crate::domain::{AppError, Role};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// Only admins give or take the Admin role, change an admin's membership, or change
/// the tenant's security settings.
pub const ADMINS_ONLY: &str =
    "Only an admin of this tenant can do that. Ask an admin if it needs doing.";

/// Nobody changes their own role, status, template or permissions.
pub const NOT_YOUR_OWN: &str = "You can't change your own role, status, role template or permissions. Ask another admin of this tenant.";

/// Nobody removes themself.
pub const NOT_YOURSELF: &str =
    "You can't remove yourself. Ask another admin of this tenant to do it.";

/// Why a row of an admin can't be changed by someone who isn't one (shown on the row).
pub const ADMIN_ROWS: &str = "Only an admin can change an admin.";

/// Why some permissions can't be ticked by someone who isn't an admin.
pub const ONLY_WHAT_YOU_HOLD: &str = "You can only give permissions you have yourself.";

/// Someone who hands out access: an admin anything; anyone else only the permissions
/// they hold themselves (nobody grants more than they have).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grantor {
    /// Their own membership here.
    pub membership_id: i64,
    pub is_admin: bool,
    /// Every permission they hold here, however granted.
    pub held: BTreeSet<Permission>,
}

impl Grantor {
    /// Whether they manage people here at all ("manage people, roles and role
    /// templates"; admins do).
    pub fn manages_people(&self) -> bool {
        self.is_admin
            || self
                .held
                .contains(&Permission::new(Category::Users, Action::Manage))
    }

    /// Refused unless they are an admin.
    pub fn require_admin(&self) -> Result<(), AppError> {
        if self.is_admin {
            Ok(())
        } else {
            Err(AppError::Forbidden(ADMINS_ONLY.to_string()))
        }
    }

    /// Whether they hold `permission` here (admins hold every one).
    pub fn holds(&self, permission: &Permission) -> bool {
        self.is_admin || self.held.contains(permission)
    }

    /// Whether they may see the tenant settings page.
    pub fn sees_tenant_settings(&self) -> bool {
        self.holds(&Permission::new(Category::Settings, Action::View))
    }

    /// Whether they may manage integrations (API keys, webhooks).
    pub fn manages_integrations(&self) -> bool {
        self.holds(&Permission::new(Category::Integrations, Action::Manage))
    }

    /// Whether they may give `permission` to someone.
    pub fn may_give(&self, permission: &Permission) -> bool {
        self.holds(permission)
    }

    /// Refused when `granted` holds a permission they do not, naming them.
    pub fn may_grant<'a>(
        &self,
        granted: impl IntoIterator<Item = &'a Permission>,
    ) -> Result<(), AppError> {
        let missing: Vec<&str> = granted
            .into_iter()
            .filter(|p| !self.may_give(p))
            .map(|p| p.label())
            .collect();
        if missing.is_empty() {
            Ok(())
        } else {
            Err(AppError::Forbidden(format!(
                "You can only give permissions you have yourself. You don't have: {}.",
                missing.join(", ")
            )))
        }
    }

    /// Why they can't edit, suspend, resend for or delete a member with `role`, if
    /// they can't.
    pub fn limit_on(&self, role: Role) -> Option<&'static str> {
        (role == Role::Admin && !self.is_admin).then_some(ADMIN_ROWS)
    }

    /// Why they can't change the access (role, status, template, permissions) of
    /// the member `member_id`, if they can't: it is their own.
    pub fn own_access(&self, member_id: i64) -> Option<&'static str> {
        (member_id == self.membership_id).then_some(NOT_YOUR_OWN)
    }

    /// Why they can't remove the member `member_id` with `role`, if they can't.
    pub fn delete_limit(&self, member_id: i64, role: Role) -> Option<&'static str> {
        if member_id == self.membership_id {
            Some(NOT_YOURSELF)
        } else {
            self.limit_on(role)
        }
    }

    /// Why they can't give the Admin role, if they can't.
    pub fn admin_role_limit(&self) -> Option<&'static str> {
        (!self.is_admin).then_some("Only an admin can give the Admin role.")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manager() -> Grantor {
        Grantor {
            membership_id: 7,
            is_admin: false,
            held: [
                Permission::new(Category::Users, Action::Manage),
                Permission::new(Category::Conversations, Action::View),
            ]
            .into_iter()
            .collect(),
        }
    }

    #[test]
    fn a_manager_gives_only_what_they_hold_and_never_touches_admins_or_themself() {
        let m = manager();
        assert!(m.manages_people());
        let held = Permission::new(Category::Conversations, Action::View);
        let beyond = Permission::new(Category::Analytics, Action::Manage);
        assert!(m.may_give(&held) && !m.may_give(&beyond));
        assert!(m.may_grant([&held]).is_ok());
        let refusal = m.may_grant([&held, &beyond]).unwrap_err().to_string();
        assert!(refusal.contains(beyond.label()), "{refusal}");
        assert_eq!(m.limit_on(Role::Admin), Some(ADMIN_ROWS));
        assert_eq!(m.limit_on(Role::User), None);
        assert_eq!(m.own_access(7), Some(NOT_YOUR_OWN));
        assert_eq!(m.own_access(8), None);
        assert_eq!(m.delete_limit(7, Role::User), Some(NOT_YOURSELF));
        assert_eq!(m.delete_limit(8, Role::Admin), Some(ADMIN_ROWS));
        assert_eq!(m.delete_limit(8, Role::User), None);
        assert!(m.admin_role_limit().is_some());
        assert!(matches!(m.require_admin(), Err(AppError::Forbidden(_))));
    }

    #[test]
    fn an_admin_has_no_limits_but_their_own_row() {
        let a = Grantor {
            membership_id: 1,
            is_admin: true,
            held: BTreeSet::new(),
        };
        assert!(a.manages_people());
        assert!(a.may_grant(&Permission::all().collect::<Vec<_>>()).is_ok());
        assert_eq!(a.limit_on(Role::Admin), None);
        assert_eq!(a.admin_role_limit(), None);
        assert_eq!(a.delete_limit(1, Role::Admin), Some(NOT_YOURSELF));
        assert_eq!(a.own_access(1), Some(NOT_YOUR_OWN));
        assert!(a.require_admin().is_ok());
        let nobody = Grantor::default();
        assert!(!nobody.manages_people());
    }
}
