//! Directory lookups every feature shares: accounts by email, tenants by name, an
//! account's memberships, a member of a tenant, seats.

use crate::backend::entities::{
    access_requests, accounts, groups, memberships, role_templates, tenants,
};
use crate::domain::members::StatusCounts;
use crate::domain::{AppError, Email, MembershipStatus};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseBackend, DbErr, EntityTrait, PaginatorTrait, QueryFilter,
    QuerySelect,
};

/// Finds a tenant by name, ignoring case ("Acme" and "acme" are the same tenant).
pub async fn find_tenant_by_name(
    conn: &impl ConnectionTrait,
    name: &str,
) -> Result<Option<tenants::Model>, DbErr> {
    use sea_orm::sea_query::{Expr, Func};
    tenants::Entity::find()
        .filter(Expr::expr(Func::lower(Expr::col(tenants::Column::Name))).eq(name.to_lowercase()))
        .one(conn)
        .await
}

pub async fn find_account_by_email(
    conn: &impl ConnectionTrait,
    email: &Email,
) -> Result<Option<accounts::Model>, DbErr> {
    accounts::Entity::find()
        .filter(accounts::Column::Email.eq(email.as_str()))
        .one(conn)
        .await
}

pub async fn count_tenants(conn: &impl ConnectionTrait) -> Result<u64, DbErr> {
    use sea_orm::PaginatorTrait;
    tenants::Entity::find().count(conn).await
}

/// A tenant the account can enter, with the role it has there.
#[derive(Debug, Clone)]
pub struct TenantAccess {
    pub tenant: tenants::Model,
    pub membership: memberships::Model,
}

/// The tenants where the account is an active member, most recently used first.
pub async fn active_tenants_of(
    conn: &impl ConnectionTrait,
    account_id: i64,
) -> Result<Vec<TenantAccess>, DbErr> {
    Ok(memberships_of(conn, account_id)
        .await?
        .into_iter()
        .filter(|a| a.membership.status == MembershipStatus::Active.as_str())
        .collect())
}

/// Every membership of an account, whatever its status, with its tenant; the most
/// recently used first.
pub async fn memberships_of(
    conn: &impl ConnectionTrait,
    account_id: i64,
) -> Result<Vec<TenantAccess>, DbErr> {
    let mut memberships = memberships::Entity::find()
        .filter(memberships::Column::AccountId.eq(account_id))
        .all(conn)
        .await?;
    // Sorted here, not in SQL: SQLite and PostgreSQL place NULLs differently.
    memberships.sort_by_key(|m| (std::cmp::Reverse(m.last_login_at.unwrap_or(0)), m.id));
    if memberships.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<i64> = memberships.iter().map(|m| m.tenant_id).collect();
    let tenants = tenants::Entity::find()
        .filter(tenants::Column::Id.is_in(ids))
        .all(conn)
        .await?;
    Ok(memberships
        .into_iter()
        .filter_map(|membership| {
            let tenant = tenants
                .iter()
                .find(|t| t.id == membership.tenant_id)?
                .clone();
            Some(TenantAccess { tenant, membership })
        })
        .collect())
}

/// The names of every tenant an account belongs to (words a password must avoid).
pub async fn tenant_names_of(
    conn: &impl ConnectionTrait,
    account_id: i64,
) -> Result<Vec<String>, DbErr> {
    Ok(memberships_of(conn, account_id)
        .await?
        .into_iter()
        .map(|a| a.tenant.name)
        .collect())
}

/// The membership of an account in a tenant, whatever its status.
pub async fn membership_of(
    conn: &impl ConnectionTrait,
    tenant_id: i64,
    account_id: i64,
) -> Result<Option<memberships::Model>, DbErr> {
    memberships::Entity::find()
        .filter(memberships::Column::TenantId.eq(tenant_id))
        .filter(memberships::Column::AccountId.eq(account_id))
        .one(conn)
        .await
}

/// The member with this id in the actor's tenant; any other id is `NotFound`.
pub async fn member_in_tenant(
    conn: &impl ConnectionTrait,
    tenant_id: i64,
    member_id: i64,
) -> Result<(memberships::Model, accounts::Model), AppError> {
    let membership = memberships::Entity::find_by_id(member_id)
        .filter(memberships::Column::TenantId.eq(tenant_id))
        .one(conn)
        .await?
        .ok_or(AppError::NotFound)?;
    let account = accounts::Entity::find_by_id(membership.account_id)
        .one(conn)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((membership, account))
}

/// Locks the tenant row for the rest of the transaction on PostgreSQL, so seat counts
/// and last-admin checks are exact under concurrency. (SQLite already serialises
/// writers through the write lock.)
pub async fn lock_tenant(
    conn: &impl ConnectionTrait,
    tenant_id: i64,
) -> Result<tenants::Model, AppError> {
    let mut query = tenants::Entity::find_by_id(tenant_id);
    if conn.get_database_backend() == DatabaseBackend::Postgres {
        query = query.lock_exclusive();
    }
    query.one(conn).await?.ok_or(AppError::NotFound)
}

/// Members of a tenant by status, as the `member_counts` triggers keep them (see
/// migration 000011): three rows read, whatever the tenant's size.
pub async fn member_counts(
    conn: &impl ConnectionTrait,
    tenant_id: i64,
) -> Result<StatusCounts, AppError> {
    let rows = conn
        .query_all(
            conn.get_database_backend()
                .build(&member_counts_query(tenant_id)),
        )
        .await?;
    tally_member_counts(&rows)
}

/// The statement behind [`member_counts`]: rows of `status` and `n`.
pub fn member_counts_query(tenant_id: i64) -> sea_orm::sea_query::SelectStatement {
    use sea_orm::sea_query::{Alias, Expr, Query};
    Query::select()
        .columns([Alias::new("status"), Alias::new("n")])
        .from(Alias::new("member_counts"))
        .and_where(Expr::col(Alias::new("tenant_id")).eq(tenant_id))
        .to_owned()
}

/// Reads the rows of [`member_counts_query`].
pub fn tally_member_counts(rows: &[sea_orm::QueryResult]) -> Result<StatusCounts, AppError> {
    let mut counts = StatusCounts::default();
    for row in rows {
        let status: String = row.try_get("", "status")?;
        let n = u64::try_from(row.try_get::<i64>("", "n")?).unwrap_or(0);
        match crate::backend::kernel::stored::decode::<MembershipStatus>(&status)? {
            MembershipStatus::Active => counts.active = n,
            MembershipStatus::Suspended => counts.suspended = n,
            MembershipStatus::Invited => counts.invited = n,
        }
    }
    Ok(counts)
}

/// Every membership takes a seat, whatever its status.
pub async fn seats_used(conn: &impl ConnectionTrait, tenant_id: i64) -> Result<i64, AppError> {
    let counts = member_counts(conn, tenant_id).await?;
    Ok(i64::try_from(counts.total()).unwrap_or(i64::MAX))
}

/// The group `id` of the tenant, or "not found" (another tenant's id included).
pub async fn group_in_tenant(
    conn: &impl ConnectionTrait,
    tenant_id: i64,
    id: i64,
) -> Result<groups::Model, AppError> {
    groups::Entity::find_by_id(id)
        .filter(groups::Column::TenantId.eq(tenant_id))
        .one(conn)
        .await?
        .ok_or(AppError::NotFound)
}

/// The role template `id` of the tenant, or "not found" (another tenant's id included).
pub async fn template_in_tenant(
    conn: &impl ConnectionTrait,
    tenant_id: i64,
    id: i64,
) -> Result<role_templates::Model, AppError> {
    role_templates::Entity::find_by_id(id)
        .filter(role_templates::Column::TenantId.eq(tenant_id))
        .one(conn)
        .await?
        .ok_or(AppError::NotFound)
}

/// How many access requests wait for a decision in the tenant.
pub async fn open_access_requests(
    conn: &impl ConnectionTrait,
    tenant_id: i64,
) -> Result<u64, DbErr> {
    access_requests::Entity::find()
        .filter(access_requests::Column::TenantId.eq(tenant_id))
        .filter(access_requests::Column::Status.eq("open"))
        .count(conn)
        .await
}

/// How a person is named in lists: their name, or their email when they have none.
pub fn shown_name(account: &accounts::Model) -> String {
    if account.display_name.is_empty() {
        account.email.clone()
    } else {
        account.display_name.clone()
    }
}
