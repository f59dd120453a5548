//! The Users table: one page of members with search, filters and the seat count.

use crate::backend::entities::{
    accounts, invitations, mail_outbox, memberships, role_templates, tenants,
};
use crate::backend::kernel::directory::{member_counts_query, tally_member_counts};
use crate::backend::kernel::mail;
use crate::backend::kernel::stored::decode;
use crate::backend::kernel::stored::{row_of, select_row_of};
use crate::backend::kernel::temporary::{in_force, member_grants_in_force};
use crate::backend::kernel::throttle;
use crate::domain::access::diagnose::MailState;
use crate::domain::access::Permission;
use crate::domain::audit::delivery_failure_words;
use crate::domain::members::{
    InviteDelivery, MemberPage, MemberQuery, MemberRow, TemporaryGrant, COUNT_CAP,
};
use crate::domain::time::At;
use crate::domain::{AppError, MembershipStatus};
use sea_orm::sea_query::{
    Alias, Condition, Expr, Order, PostgresQueryBuilder, Query, SelectStatement, SimpleExpr,
    UnionType,
};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseBackend, EntityTrait, QueryFilter, QueryOrder,
    QueryResult, Statement,
};
use std::collections::HashMap;

pub const PAGE_SIZE: u64 = 25;

/// The highest page number the Users table accepts (a billion members).
pub const MAX_PAGE: u64 = 40_000_000;

/// Searches this long or longer find any part of an email through the trigram
/// index; shorter ones find the emails that start with them, through the email index.
pub const INDEXED_SEARCH_CHARS: usize = 3;

/// A search matching at most this many accounts (in every tenant) is answered from
/// those accounts; one matching more, by reading the tenant's members newest first.
pub const FEW_ACCOUNTS: u64 = 2_000;

/// How a search narrows the table, and so which side the page is read from.
struct Narrowing {
    condition: SimpleExpr,
    /// The matching rows are few: find them all through the search's index and sort
    /// them. Otherwise the rows come in id order until a page is full.
    few: Option<bool>,
}

/// The search filter, ignoring case.
///
/// - One or two characters match the start of the email (a range of the unique
///   email index): a fragment that short is in nearly every address.
/// - From three characters on, the email contains `search`. The trigram index
///   (SQLite FTS5, PostgreSQL `pg_trgm`; migration 000011) first tells whether it
///   matches at most [`FEW_ACCOUNTS`] accounts: then the page is made from those
///   accounts' memberships (an index probe each). A search matching more accounts is
///   common: the tenant's members are read newest first until a page is full, which
///   stops early because so many match (reading every match through the index and
///   sorting them cost 40 ms for "use" at 100,000 members). The slow case left: a
///   fragment common in other tenants and rare in a large one (a scan of that
///   tenant's members).
async fn narrowing(conn: &impl ConnectionTrait, search: &str) -> Result<Narrowing, AppError> {
    let backend = conn.get_database_backend();
    let search = search.to_lowercase();
    let email = Expr::col((accounts::Entity, accounts::Column::Email));
    if search.chars().count() < INDEXED_SEARCH_CHARS {
        let mut starts = email.clone().gte(search.as_str()).and(
            email
                .clone()
                .like(crate::backend::kernel::like::starting_with(&search)),
        );
        if let Some(next) = next_prefix(&search) {
            starts = starts.and(email.lt(next));
        }
        return Ok(Narrowing {
            condition: starts,
            few: None,
        });
    }
    let contains = crate::backend::kernel::like::containing(&search);
    let mut accounts = if backend == DatabaseBackend::Sqlite {
        // An FTS5 phrase: the trigram tokenizer matches it anywhere in the email.
        let phrase = format!("\"{}\"", search.replace('"', "\"\""));
        Query::select()
            .expr(Expr::cust("rowid"))
            .from(Alias::new("accounts_email_search"))
            .and_where(Expr::cust_with_values(
                "accounts_email_search MATCH ?",
                [phrase],
            ))
            .to_owned()
    } else {
        Query::select()
            .column((accounts::Entity, accounts::Column::Id))
            .from(accounts::Entity)
            .and_where(email.clone().like(contains.clone()))
            .to_owned()
    };
    accounts.limit(FEW_ACCOUNTS + 1);
    let ids = conn
        .query_all(statement(backend, &accounts, true))
        .await?
        .iter()
        .map(|row| row.try_get_by_index::<i64>(0))
        .collect::<Result<Vec<_>, _>>()?;
    if ids.len() as u64 > FEW_ACCOUNTS {
        return Ok(Narrowing {
            condition: email.like(contains),
            few: Some(false),
        });
    }
    // Ids read from the database, written into the SQL as numbers.
    let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    let condition = match (backend, ids.is_empty()) {
        (_, true) => Expr::cust("1 = 0"),
        (DatabaseBackend::Postgres, false) => Expr::cust(format!(
            "memberships.account_id = ANY('{{{list}}}'::bigint[])"
        )),
        (_, false) => Expr::cust(format!("memberships.account_id IN ({list})")),
    };
    Ok(Narrowing {
        condition,
        few: Some(true),
    })
}

/// The first string after every string starting with `prefix` ("ab" → "ac"), if any.
fn next_prefix(prefix: &str) -> Option<String> {
    let mut chars: Vec<char> = prefix.chars().collect();
    let last = chars.pop()?;
    let next = (u32::from(last) + 1..=u32::from(char::MAX)).find_map(char::from_u32)?;
    chars.push(next);
    Some(chars.into_iter().collect())
}

/// The members `query` asks for (tenant, status, role, search), as a condition on
/// [`members_joined`], and whether the search found few accounts.
pub(super) struct Matching {
    pub condition: Condition,
    pub few: Option<bool>,
}

pub(super) async fn matching(
    conn: &impl ConnectionTrait,
    tenant: &tenants::Model,
    query: &MemberQuery,
) -> Result<Matching, AppError> {
    let mut matching = Condition::all().add(memberships::Column::TenantId.eq(tenant.id));
    if let Some(status) = query.status {
        matching = matching.add(memberships::Column::Status.eq(status.as_str()));
    }
    if let Some(role) = query.role {
        matching = matching.add(memberships::Column::Role.eq(role.as_str()));
    }
    let search = query.search.trim();
    // No email holds a control character (and the databases refuse a NUL in text).
    if search.chars().any(char::is_control) {
        return Err(AppError::field(
            "search",
            "Search with letters, digits and symbols only: no email holds control characters.",
        ));
    }
    let mut few = None;
    if !search.is_empty() {
        let by_search = narrowing(conn, search).await?;
        matching = matching.add(by_search.condition);
        few = by_search.few;
    }
    Ok(Matching {
        condition: matching,
        few,
    })
}

/// One page of the Users table, in two statements (three when invited members are
/// on it): the counts by status (kept by triggers) with, when a role or search
/// narrows the list, the matching count capped at [`COUNT_CAP`]; the page's rows
/// with their template, grants and invitation (keyset from a Next or Previous link,
/// else by position); and how the invited rows' emails fared.
pub async fn list(
    conn: &impl ConnectionTrait,
    tenant: &tenants::Model,
    query: &MemberQuery,
    now_ms: i64,
) -> Result<MemberPage, AppError> {
    // Far past any real table, and small enough that the row offset never overflows.
    if query.page > MAX_PAGE {
        return Err(AppError::field(
            "page",
            "That page number is out of range. Go back to the first page.",
        ));
    }
    let backend = conn.get_database_backend();
    let Matching {
        condition: matching,
        few,
    } = matching(conn, tenant, query).await?;
    let search = query.search.trim();
    let narrowed = query.role.is_some() || !search.is_empty();
    let mut counting = member_counts_query(tenant.id);
    if narrowed {
        let capped = members_joined()
            .expr(Expr::val(1))
            .cond_where(matching.clone())
            .limit(COUNT_CAP + 1)
            .to_owned();
        counting.union(
            UnionType::All,
            Query::select()
                .expr_as(Expr::val(MATCHING), Alias::new("status"))
                .expr_as(Expr::cust("COUNT(*)"), Alias::new("n"))
                .from_subquery(capped, Alias::new("capped"))
                .to_owned(),
        );
    }
    let searching = !search.is_empty();
    let mut count_rows = conn
        .query_all(statement(backend, &counting, searching))
        .await?;
    let mut matched = None;
    count_rows.retain(|row| {
        if row.try_get::<String>("", "status").ok().as_deref() == Some(MATCHING) {
            matched = row.try_get::<i64>("", "n").ok();
            false
        } else {
            true
        }
    });
    let counts = tally_member_counts(&count_rows)?;
    let seats = i64::try_from(counts.total()).unwrap_or(i64::MAX);
    let (total, total_capped) = match (matched, query.status) {
        (Some(n), _) => {
            let n = u64::try_from(n).unwrap_or(0);
            (n.min(COUNT_CAP), n > COUNT_CAP)
        }
        (None, Some(status)) => (counts.of(status), false),
        (None, None) => (counts.total(), false),
    };

    // The page's ids first (by keyset or position), then their rows: the row's
    // subqueries run for this page only, never for the rows an offset skips.
    let id = (memberships::Entity, memberships::Column::Id);
    let mut ids = members_joined().column(id).cond_where(matching).to_owned();
    // Ordered by id, the rows come from the id index until a page is full: right
    // when matches are many. Few matches come faster from the search's own index and
    // a sort of those few, which `+id` (not an indexed column) makes the planner
    // choose.
    let sorted: SimpleExpr = if few.unwrap_or(searching && !total_capped) {
        Expr::cust("+memberships.id")
    } else {
        Expr::col(id).into()
    };
    // One row past the page says whether a Next link is due.
    let newest_first = match (query.after, query.before) {
        (Some(after), _) => {
            ids.and_where(Expr::col(id).lt(after))
                .order_by_expr(sorted, Order::Desc)
                .limit(PAGE_SIZE + 1);
            true
        }
        (None, Some(before)) => {
            ids.and_where(Expr::col(id).gt(before))
                .order_by_expr(sorted, Order::Asc)
                .limit(PAGE_SIZE);
            false
        }
        (None, None) => {
            ids.order_by_expr(sorted, Order::Desc)
                .offset(query.page * PAGE_SIZE)
                .limit(PAGE_SIZE + 1);
            true
        }
    };
    let mut page = row_columns(backend, now_ms);
    page.and_where(Expr::col(id).in_subquery(ids)).order_by(
        id,
        if newest_first {
            Order::Desc
        } else {
            Order::Asc
        },
    );
    let mut rows = conn
        .query_all(statement(backend, &page, searching))
        .await?
        .iter()
        .map(PageRow::read)
        .collect::<Result<Vec<_>, AppError>>()?;
    let has_next = if newest_first {
        let more = rows.len() as u64 > PAGE_SIZE;
        rows.truncate(usize::try_from(PAGE_SIZE).unwrap_or(usize::MAX));
        more
    } else {
        // Back from a later page: that page is still there.
        rows.reverse();
        !rows.is_empty()
    };
    let rows = rows_for(conn, &tenant.name, rows, now_ms).await?;
    Ok(MemberPage {
        counts,
        rows,
        total,
        total_capped,
        has_next,
        page: query.page,
        page_size: PAGE_SIZE,
        seats_used: seats,
        seat_limit: tenant.seat_limit,
    })
}

/// One member of the tenant as the Users table shows them; `NotFound` for an id of
/// another tenant or of nobody.
pub async fn one(
    conn: &impl ConnectionTrait,
    tenant: &tenants::Model,
    member_id: i64,
    now_ms: i64,
) -> Result<MemberRow, AppError> {
    let backend = conn.get_database_backend();
    let mut query = row_columns(backend, now_ms);
    query
        .and_where(Expr::col((memberships::Entity, memberships::Column::Id)).eq(member_id))
        .and_where(Expr::col((memberships::Entity, memberships::Column::TenantId)).eq(tenant.id));
    let row = conn
        .query_one(backend.build(&query))
        .await?
        .ok_or(AppError::NotFound)?;
    rows_for(conn, &tenant.name, vec![PageRow::read(&row)?], now_ms)
        .await?
        .pop()
        .ok_or(AppError::NotFound)
}

/// Memberships with their accounts and what a row of the table shows of them.
fn row_columns(backend: DatabaseBackend, now_ms: i64) -> SelectStatement {
    let mut page = members_joined();
    select_row_of::<memberships::Entity>(&mut page, "m_");
    select_row_of::<accounts::Entity>(&mut page, "a_");
    page.expr_as(template_name(), Alias::new("template_name"))
        .expr_as(pending_invite_expiry(), Alias::new("invite_expires"))
        .expr_as(grants_in_force(backend, now_ms), Alias::new("grants"));
    page
}

/// `query` for `backend`. A search on PostgreSQL goes with its values written into
/// the SQL (sea-query quotes them): planned for this search, not by a generic plan
/// of a prepared statement that can't tell "u" (every member) from "zq" (nobody).
pub(super) fn statement(
    backend: DatabaseBackend,
    query: &SelectStatement,
    searching: bool,
) -> Statement {
    if searching && backend == DatabaseBackend::Postgres {
        Statement::from_string(backend, query.to_string(PostgresQueryBuilder))
    } else {
        backend.build(query)
    }
}

/// The status under which the counts statement carries the filtered count.
const MATCHING: &str = "matching";

/// Memberships with their accounts, nothing selected yet.
pub(super) fn members_joined() -> SelectStatement {
    Query::select()
        .from(memberships::Entity)
        .inner_join(
            accounts::Entity,
            Expr::col((accounts::Entity, accounts::Column::Id))
                .equals((memberships::Entity, memberships::Column::AccountId)),
        )
        .to_owned()
}

/// The member's role template's name.
pub(super) fn template_name() -> SimpleExpr {
    SimpleExpr::SubQuery(
        None,
        Box::new(
            Query::select()
                .column((role_templates::Entity, role_templates::Column::Name))
                .from(role_templates::Entity)
                .and_where(
                    Expr::col((role_templates::Entity, role_templates::Column::Id))
                        .equals((memberships::Entity, memberships::Column::RoleTemplateId)),
                )
                .to_owned()
                .into_sub_query_statement(),
        ),
    )
}

/// When the member's latest pending invitation link expires.
fn pending_invite_expiry() -> SimpleExpr {
    SimpleExpr::SubQuery(
        None,
        Box::new(
            Query::select()
                .expr(Expr::col((invitations::Entity, invitations::Column::ExpiresAt)).max())
                .from(invitations::Entity)
                .and_where(
                    Expr::col((invitations::Entity, invitations::Column::MembershipId))
                        .equals((memberships::Entity, memberships::Column::Id)),
                )
                .and_where(
                    Expr::col((invitations::Entity, invitations::Column::RevokedAt)).is_null(),
                )
                .and_where(
                    Expr::col((invitations::Entity, invitations::Column::AcceptedAt)).is_null(),
                )
                .to_owned()
                .into_sub_query_statement(),
        ),
    )
}

/// The member's direct grants in force, as `key:end,key:` (an empty end: for good).
fn grants_in_force(backend: DatabaseBackend, now_ms: i64) -> SimpleExpr {
    let aggregate = match backend {
        DatabaseBackend::Postgres => "string_agg",
        _ => "group_concat",
    };
    SimpleExpr::SubQuery(
        None,
        Box::new(
            member_grants_in_force(now_ms)
                .expr(Expr::cust(format!(
                    "{aggregate}(membership_permissions.permission || ':' || \
                     COALESCE(CAST(membership_permissions.expires_at AS TEXT), ''), ',')"
                )))
                .to_owned()
                .into_sub_query_statement(),
        ),
    )
}

/// One row of the page statement.
struct PageRow {
    membership: memberships::Model,
    account: accounts::Model,
    template_name: Option<String>,
    invite_expires: Option<i64>,
    grants: Option<String>,
}

impl PageRow {
    fn read(row: &QueryResult) -> Result<Self, AppError> {
        Ok(Self {
            membership: row_of(row, "m_")?,
            account: row_of(row, "a_")?,
            template_name: row.try_get("", "template_name")?,
            invite_expires: row.try_get("", "invite_expires")?,
            grants: row.try_get("", "grants")?,
        })
    }

    /// The grants of [`grants_in_force`]: each permission and its end, if any.
    fn grants(&self) -> Result<Vec<(Permission, Option<i64>)>, AppError> {
        self.grants
            .as_deref()
            .unwrap_or_default()
            .split(',')
            .filter(|g| !g.is_empty())
            .map(|g| {
                let (key, end) = g.split_once(':').unwrap_or((g, ""));
                Ok((decode::<Permission>(key)?, end.parse::<i64>().ok()))
            })
            .collect()
    }
}

async fn rows_for(
    conn: &impl ConnectionTrait,
    tenant_name: &str,
    rows: Vec<PageRow>,
    now_ms: i64,
) -> Result<Vec<MemberRow>, AppError> {
    let invite_delivery = invite_deliveries(conn, tenant_name, &rows).await?;
    rows.into_iter()
        .map(|row| {
            // As it stands now: an ended temporary template or CRM access is gone already.
            let m = in_force(&row.membership, now_ms);
            let grants = row.grants()?;
            let account = row.account;
            let locked = throttle::is_locked(&account, now_ms);
            let disabled = account.disabled_at.is_some();
            let status: MembershipStatus = decode(&m.status)?;
            let mut perms: Vec<Permission> = grants.iter().map(|(p, _)| *p).collect();
            perms.sort();
            let mut temporary: Vec<(Permission, i64)> = grants
                .iter()
                .filter_map(|(p, end)| Some((*p, (*end)?)))
                .collect();
            temporary.sort();
            let latest_invite = row.invite_expires;
            Ok(MemberRow {
                id: m.id,
                email: account.email,
                display_name: account.display_name,
                role: decode(&m.role)?,
                status,
                template_id: m.role_template_id,
                template_name: m.role_template_id.and(row.template_name),
                crm_access: m.crm_access,
                beta_access: m.beta_access,
                last_login: m.last_login_at.map(At),
                direct_permissions: perms,
                locked,
                disabled,
                invite_expired: status == MembershipStatus::Invited
                    && latest_invite.is_none_or(|expires| expires <= now_ms),
                invite_expires: (status == MembershipStatus::Invited)
                    .then_some(latest_invite)
                    .flatten()
                    .filter(|expires| *expires > now_ms)
                    .map(At),
                template_until: m.template_until.map(At),
                crm_until: m.crm_until.map(At),
                role_until: m.role_until.map(At),
                invite_delivery: invite_delivery.get(&m.id).cloned(),
                beta_until: m.beta_until.map(At),
                temporary_permissions: temporary
                    .into_iter()
                    .map(|(p, until)| TemporaryGrant {
                        what: p.label().to_string(),
                        until: At(until),
                    })
                    .collect(),
            })
        })
        .collect()
}

/// For the invited members of a page: how their latest invitation email fared, in
/// words ("Sent 10:42", "Failed: mailbox unavailable"). One query.
async fn invite_deliveries(
    conn: &impl ConnectionTrait,
    tenant_name: &str,
    rows: &[PageRow],
) -> Result<HashMap<i64, InviteDelivery>, AppError> {
    let invited: HashMap<&str, i64> = rows
        .iter()
        .filter(|r| r.membership.status == MembershipStatus::Invited.as_str())
        .map(|r| (r.account.email.as_str(), r.membership.id))
        .collect();
    if invited.is_empty() {
        return Ok(HashMap::new());
    }
    let mut out = HashMap::new();
    for row in mail_outbox::Entity::find()
        .filter(mail_outbox::Column::Recipient.is_in(invited.keys().copied()))
        .filter(mail_outbox::Column::Subject.is_in([
            mail::invitation_subject(tenant_name),
            mail::earlier_invitation_subject(tenant_name),
        ]))
        .order_by_desc(mail_outbox::Column::Id)
        .all(conn)
        .await?
    {
        let Some(member) = invited.get(row.recipient.as_str()) else {
            continue;
        };
        out.entry(*member).or_insert_with(|| {
            let (state, when) = mail::delivery(&row);
            match state {
                MailState::Sent => InviteDelivery {
                    words: "Sent".into(),
                    at: Some(At(when)),
                },
                MailState::Queued => InviteDelivery {
                    words: "Queued".into(),
                    at: Some(At(when)),
                },
                MailState::Failed => InviteDelivery {
                    words: format!(
                        "Failed: {}",
                        delivery_failure_words(row.last_error.as_deref().unwrap_or_default())
                    ),
                    at: None,
                },
            }
        });
    }
    Ok(out)
}
