//! Group-restricted sign-in: the tenant setting "Only members of this group can sign
//! in". Every door into a tenant asks [`keeps_out`]: the password step, switching
//! tenant and accepting an invitation; every request of an open session applies the
//! same rule inside its one session statement (`actor::resolve_session`). The rule
//! itself is the domain's [`admits`]; admins are always let in.

use crate::backend::entities::{accounts, group_members, groups, memberships, sessions, tenants};
use crate::backend::kernel::stored::decode;
use crate::domain::access::sign_in::{admits, refusal_for_person};
use crate::domain::{AppError, MembershipStatus, Role};
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect,
    QueryTrait,
};
use std::collections::HashMap;

/// Used when the chosen group can't be read (it can't be deleted while chosen, so
/// this is a fail-closed fallback, never the usual wording).
const UNKNOWN_GROUP: &str = "chosen for sign-in";

/// The name of the group that keeps `membership` out of `tenant`, or `None` when
/// they may sign in there. One query, and only when the tenant restricts sign-in.
pub async fn keeps_out(
    conn: &impl ConnectionTrait,
    tenant: &tenants::Model,
    membership: &memberships::Model,
) -> Result<Option<String>, AppError> {
    let Some(group_id) = tenant.sign_in_group_id else {
        return Ok(None);
    };
    let role: Role = decode(&membership.role)?;
    if admits(role, true, false) {
        return Ok(None);
    }
    let in_group = group_members::Entity::find_by_id((group_id, membership.id))
        .one(conn)
        .await?
        .is_some();
    if admits(role, true, in_group) {
        return Ok(None);
    }
    let name = groups::Entity::find_by_id(group_id)
        .one(conn)
        .await?
        .map_or_else(|| UNKNOWN_GROUP.to_string(), |g| g.name);
    Ok(Some(name))
}

/// The sentence a person kept out is told, naming up to three of the tenant's
/// admins to ask (they are fellow members of that tenant).
pub async fn refusal(
    conn: &impl ConnectionTrait,
    tenant: &tenants::Model,
    group: &str,
) -> Result<AppError, DbErr> {
    let admins: Vec<String> = memberships::Entity::find()
        .find_also_related(accounts::Entity)
        .filter(memberships::Column::TenantId.eq(tenant.id))
        .filter(memberships::Column::Role.eq(Role::Admin.as_str()))
        .filter(memberships::Column::Status.eq(MembershipStatus::Active.as_str()))
        .limit(3)
        .all(conn)
        .await?
        .into_iter()
        .filter_map(|(_, a)| a)
        .map(|a| super::directory::shown_name(&a))
        .collect();
    Ok(AppError::Forbidden(refusal_for_person(
        &tenant.name,
        group,
        &admins,
    )))
}

/// The active members of a tenant who are not admins: the people a restriction
/// applies to.
fn restrictable(tenant_id: i64) -> sea_orm::Select<memberships::Entity> {
    memberships::Entity::find()
        .filter(memberships::Column::TenantId.eq(tenant_id))
        .filter(memberships::Column::Status.eq(MembershipStatus::Active.as_str()))
        .filter(memberships::Column::Role.ne(Role::Admin.as_str()))
}

/// How many active members (not admins) would lose sign-in if it were restricted
/// to a group: read once for every group of a tenant (2 queries).
pub struct SignInCost {
    total: i64,
    inside: HashMap<i64, i64>,
}

impl SignInCost {
    /// The members outside group `group_id`.
    pub fn of(&self, group_id: i64) -> i64 {
        self.total - self.inside.get(&group_id).copied().unwrap_or(0)
    }
}

pub async fn would_lose(conn: &impl ConnectionTrait, tenant_id: i64) -> Result<SignInCost, DbErr> {
    let total = i64::try_from(restrictable(tenant_id).count(conn).await?).unwrap_or(i64::MAX);
    let ids = restrictable(tenant_id)
        .select_only()
        .column(memberships::Column::Id)
        .into_query();
    let inside: Vec<(i64, i64)> = group_members::Entity::find()
        .select_only()
        .column(group_members::Column::GroupId)
        .column_as(Expr::col(group_members::Column::MembershipId).count(), "n")
        .filter(group_members::Column::MembershipId.in_subquery(ids))
        .group_by(group_members::Column::GroupId)
        .into_tuple()
        .all(conn)
        .await?;
    Ok(SignInCost {
        total,
        inside: inside.into_iter().collect(),
    })
}

/// Ends the sessions in the tenant of every member (not admin) outside `group_id`,
/// when the restriction turns on or moves to another group. Answers how many ended.
pub async fn end_sessions_outside(
    conn: &impl ConnectionTrait,
    tenant_id: i64,
    group_id: i64,
) -> Result<u64, DbErr> {
    let in_group = Query::select()
        .column(group_members::Column::MembershipId)
        .from(group_members::Entity)
        .and_where(group_members::Column::GroupId.eq(group_id))
        .to_owned();
    let outside = Query::select()
        .column(memberships::Column::AccountId)
        .from(memberships::Entity)
        .and_where(memberships::Column::TenantId.eq(tenant_id))
        .and_where(memberships::Column::Role.ne(Role::Admin.as_str()))
        .and_where(memberships::Column::Id.not_in_subquery(in_group))
        .to_owned();
    sessions::Entity::delete_many()
        .filter(sessions::Column::TenantId.eq(tenant_id))
        .filter(sessions::Column::AccountId.in_subquery(outside))
        .exec(conn)
        .await
        .map(|r| r.rows_affected)
}
