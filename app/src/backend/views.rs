//! Mapping rows to wire types.

use super::auth::Actor;
use super::tenants::TenantAccess;
use crate::api::dto::{Me, TenantChoice};
use crate::domain::{Plan, Role, TenantKind};

pub fn me(actor: &Actor, tenants: &[TenantAccess], can_manage_users: bool) -> Me {
    Me {
        email: actor.account.email.clone(),
        display_name: actor.account.display_name.clone(),
        role: actor.role(),
        tenant_id: actor.tenant.id,
        tenant_name: actor.tenant.name.clone(),
        tenant_kind: actor.tenant_kind(),
        plan: Plan::parse(&actor.tenant.plan).unwrap_or(Plan::Free),
        seat_limit: actor.tenant.seat_limit,
        tenants: tenants
            .iter()
            .map(|t| TenantChoice {
                id: t.tenant.id,
                name: t.tenant.name.clone(),
                kind: TenantKind::parse(&t.tenant.kind).unwrap_or(TenantKind::Production),
                role: Role::parse(&t.membership.role).unwrap_or(Role::User),
            })
            .collect(),
        can_manage_users,
    }
}
