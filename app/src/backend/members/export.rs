//! "Export CSV" on the Users page: the members the page's filter shows (search,
//! status, role), newest first, as CSV in batches the server streams out, so
//! 100,000 rows never sit in memory at once. Every cell is neutralised against
//! spreadsheet formulas (`domain::spreadsheet`).

use super::list::{matching, members_joined, statement, template_name, Matching};
use crate::backend::entities::{accounts, group_members, groups, memberships, tenants};
use crate::backend::kernel::csv_out::{Batch, CsvOut, EXPORT_BATCH};
use crate::domain::members::MemberQuery;
use crate::domain::scim::timestamp;
use crate::domain::spreadsheet::{yes_no, USERS_COLUMNS};
use crate::domain::AppError;
use sea_orm::sea_query::{Alias, Expr, Order};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use std::collections::HashMap;

/// The members of `query` older than `after` (from the newest when None), at most
/// [`EXPORT_BATCH`], as CSV rows; the header row first when `after` is None.
pub async fn users_batch(
    conn: &impl ConnectionTrait,
    tenant: &tenants::Model,
    query: &MemberQuery,
    after: Option<i64>,
) -> Result<Batch, AppError> {
    let backend = conn.get_database_backend();
    let Matching { condition, .. } = matching(conn, tenant, query).await?;
    let id = (memberships::Entity, memberships::Column::Id);
    let mut select = members_joined();
    select
        .column(id)
        .column((accounts::Entity, accounts::Column::Email))
        .column((accounts::Entity, accounts::Column::DisplayName))
        .column((memberships::Entity, memberships::Column::Role))
        .column((memberships::Entity, memberships::Column::Status))
        .column((memberships::Entity, memberships::Column::CrmAccess))
        .column((memberships::Entity, memberships::Column::BetaAccess))
        .column((memberships::Entity, memberships::Column::LastLoginAt))
        .expr_as(template_name(), Alias::new("template_name"))
        .cond_where(condition)
        .order_by(id, Order::Desc)
        .limit(EXPORT_BATCH);
    if let Some(after) = after {
        select.and_where(Expr::col(id).lt(after));
    }
    let rows = conn
        .query_all(statement(backend, &select, !query.search.trim().is_empty()))
        .await?;
    let ids: Vec<i64> = rows
        .iter()
        .map(|r| r.try_get::<i64>("", "id"))
        .collect::<Result<_, _>>()?;
    let group_names = groups_of(conn, &ids).await?;
    let mut out = CsvOut::default();
    if after.is_none() {
        out.row(USERS_COLUMNS)?;
    }
    for (row, id) in rows.iter().zip(&ids) {
        let text = |c: &str| row.try_get::<String>("", c);
        let template = row.try_get::<Option<String>>("", "template_name")?;
        let last = row.try_get::<Option<i64>>("", "last_login_at")?;
        let groups = group_names
            .get(id)
            .map(|g| g.join("; "))
            .unwrap_or_default();
        out.row([
            text("email")?.as_str(),
            text("display_name")?.as_str(),
            text("role")?.as_str(),
            template.as_deref().unwrap_or(""),
            groups.as_str(),
            text("status")?.as_str(),
            yes_no(row.try_get::<bool>("", "crm_access")?),
            yes_no(row.try_get::<bool>("", "beta_access")?),
            last.map(timestamp).unwrap_or_default().as_str(),
        ])?;
    }
    let full = rows.len() as u64 == EXPORT_BATCH;
    Ok(Batch {
        csv: out.finish()?,
        next: ids.last().copied().filter(|_| full),
    })
}

/// The names of each member's groups, sorted.
async fn groups_of(
    conn: &impl ConnectionTrait,
    ids: &[i64],
) -> Result<HashMap<i64, Vec<String>>, AppError> {
    let mut names: HashMap<i64, Vec<String>> = HashMap::new();
    if ids.is_empty() {
        return Ok(names);
    }
    let links: Vec<(i64, String)> = group_members::Entity::find()
        .select_only()
        .column(group_members::Column::MembershipId)
        .column_as(Expr::col((groups::Entity, groups::Column::Name)), "name")
        .join(
            sea_orm::JoinType::InnerJoin,
            group_members::Entity::belongs_to(groups::Entity)
                .from(group_members::Column::GroupId)
                .to(groups::Column::Id)
                .into(),
        )
        .filter(group_members::Column::MembershipId.is_in(ids.iter().copied()))
        .into_tuple()
        .all(conn)
        .await?;
    for (member, name) in links {
        names.entry(member).or_default().push(name);
    }
    for list in names.values_mut() {
        list.sort();
    }
    Ok(names)
}
