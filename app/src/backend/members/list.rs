//! The Users table: one page of members with search, filters and the seat count.

use crate::backend::entities::{
    accounts, invitations, mail_outbox, membership_permissions, memberships, role_templates,
    tenants,
};
use crate::backend::kernel::clock::{format_short, format_time};
use crate::backend::kernel::mail;
use crate::backend::kernel::stored::decode;
use crate::backend::kernel::temporary::{grant_in_force, in_force};
use crate::backend::kernel::throttle;
use crate::domain::access::diagnose::MailState;
use crate::domain::access::Permission;
use crate::domain::audit::delivery_failure_words;
use crate::domain::members::{MemberPage, MemberQuery, MemberRow, StatusCounts};
use crate::domain::{AppError, MembershipStatus};
use sea_orm::sea_query::{Expr, LikeExpr};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use std::collections::HashMap;

pub const PAGE_SIZE: u64 = 25;

/// The highest page number the Users table accepts (a billion members).
pub const MAX_PAGE: u64 = 40_000_000;

fn like_pattern(search: &str) -> String {
    let mut escaped = String::with_capacity(search.len() + 2);
    escaped.push('%');
    for c in search.trim().to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped.push('%');
    escaped
}

/// One page of the Users table.
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
    let mut select = memberships::Entity::find()
        .find_also_related(accounts::Entity)
        .filter(memberships::Column::TenantId.eq(tenant.id));
    if let Some(status) = query.status {
        select = select.filter(memberships::Column::Status.eq(status.as_str()));
    }
    if let Some(role) = query.role {
        select = select.filter(memberships::Column::Role.eq(role.as_str()));
    }
    let search = query.search.trim();
    if !search.is_empty() {
        select = select.filter(
            Expr::col((accounts::Entity, accounts::Column::Email))
                .like(LikeExpr::new(like_pattern(search)).escape('\\')),
        );
    }
    // Every membership takes a seat, so the counts by status are also the seat count.
    let counts = status_counts(conn, tenant.id).await?;
    let seats = i64::try_from(counts.total()).unwrap_or(i64::MAX);
    let total = match (query.status, query.role, search.is_empty()) {
        (None, None, true) => counts.total(),
        (Some(status), None, true) => counts.of(status),
        _ => select.clone().count(conn).await?,
    };
    let pairs = select
        .order_by_desc(memberships::Column::Id)
        .offset(query.page * PAGE_SIZE)
        .limit(PAGE_SIZE)
        .all(conn)
        .await?;
    let rows = rows_for(conn, &tenant.name, pairs, now_ms).await?;
    Ok(MemberPage {
        counts,
        rows,
        total,
        page: query.page,
        page_size: PAGE_SIZE,
        seats_used: seats,
        seat_limit: tenant.seat_limit,
    })
}

/// Members of a tenant by status: one grouped count.
async fn status_counts(
    conn: &impl ConnectionTrait,
    tenant_id: i64,
) -> Result<StatusCounts, AppError> {
    let rows: Vec<(String, i64)> = memberships::Entity::find()
        .select_only()
        .column(memberships::Column::Status)
        .column_as(memberships::Column::Id.count(), "n")
        .filter(memberships::Column::TenantId.eq(tenant_id))
        .group_by(memberships::Column::Status)
        .into_tuple()
        .all(conn)
        .await?;
    let mut counts = StatusCounts::default();
    for (status, n) in rows {
        let n = u64::try_from(n).unwrap_or(0);
        match decode::<MembershipStatus>(&status)? {
            MembershipStatus::Active => counts.active = n,
            MembershipStatus::Suspended => counts.suspended = n,
            MembershipStatus::Invited => counts.invited = n,
        }
    }
    Ok(counts)
}

async fn rows_for(
    conn: &impl ConnectionTrait,
    tenant_name: &str,
    pairs: Vec<(memberships::Model, Option<accounts::Model>)>,
    now_ms: i64,
) -> Result<Vec<MemberRow>, AppError> {
    // As they stand now: an ended temporary template or CRM access is gone already.
    let pairs: Vec<_> = pairs
        .into_iter()
        .map(|(m, a)| (in_force(&m, now_ms), a))
        .collect();
    let ids: Vec<i64> = pairs.iter().map(|(m, _)| m.id).collect();
    let template_ids: Vec<i64> = pairs
        .iter()
        .filter_map(|(m, _)| m.role_template_id)
        .collect();
    let templates: HashMap<i64, String> = if template_ids.is_empty() {
        HashMap::new()
    } else {
        role_templates::Entity::find()
            .filter(role_templates::Column::Id.is_in(template_ids))
            .all(conn)
            .await?
            .into_iter()
            .map(|t| (t.id, t.name))
            .collect()
    };
    let mut direct: HashMap<i64, Vec<Permission>> = HashMap::new();
    let mut latest_invite: HashMap<i64, i64> = HashMap::new();
    let mut temporary: HashMap<i64, Vec<String>> = HashMap::new();
    if !ids.is_empty() {
        for row in membership_permissions::Entity::find()
            .filter(membership_permissions::Column::MembershipId.is_in(ids.clone()))
            .filter(grant_in_force(now_ms))
            .all(conn)
            .await?
        {
            let permission: Permission = decode(&row.permission)?;
            if let Some(until) = row.expires_at {
                temporary
                    .entry(row.membership_id)
                    .or_default()
                    .push(format!(
                        "{} until {}",
                        permission.label(),
                        format_short(until)
                    ));
            }
            direct
                .entry(row.membership_id)
                .or_default()
                .push(permission);
        }
        for invite in invitations::Entity::find()
            .filter(invitations::Column::MembershipId.is_in(ids))
            .filter(invitations::Column::RevokedAt.is_null())
            .filter(invitations::Column::AcceptedAt.is_null())
            .all(conn)
            .await?
        {
            let e = latest_invite
                .entry(invite.membership_id)
                .or_insert(invite.expires_at);
            *e = (*e).max(invite.expires_at);
        }
    }
    let invite_delivery = invite_deliveries(conn, tenant_name, &pairs).await?;
    pairs
        .into_iter()
        .filter_map(|(m, account)| Some((m, account?)))
        .map(|(m, account)| {
            let locked = throttle::is_locked(&account, now_ms);
            let disabled = account.disabled_at.is_some();
            let status: MembershipStatus = decode(&m.status)?;
            let mut perms = direct.remove(&m.id).unwrap_or_default();
            perms.sort();
            Ok(MemberRow {
                id: m.id,
                email: account.email,
                display_name: account.display_name,
                role: decode(&m.role)?,
                status,
                template_id: m.role_template_id,
                template_name: m
                    .role_template_id
                    .and_then(|id| templates.get(&id).cloned()),
                crm_access: m.crm_access,
                beta_access: m.beta_access,
                last_login: m.last_login_at.map(format_time),
                direct_permissions: perms,
                locked,
                disabled,
                invite_expired: status == MembershipStatus::Invited
                    && latest_invite
                        .get(&m.id)
                        .is_none_or(|expires| *expires <= now_ms),
                invite_expires: (status == MembershipStatus::Invited)
                    .then(|| latest_invite.get(&m.id).copied())
                    .flatten()
                    .filter(|expires| *expires > now_ms)
                    .map(format_time),
                template_until: m.template_until.map(format_short),
                crm_until: m.crm_until.map(format_short),
                role_until: m.role_until.map(format_short),
                invite_delivery: invite_delivery.get(&m.id).cloned(),
                beta_until: m.beta_until.map(format_short),
                temporary_permissions: temporary.remove(&m.id).unwrap_or_default(),
            })
        })
        .collect()
}

/// For the invited members of a page: how their latest invitation email fared, in
/// words ("Sent 10:42", "Failed: mailbox unavailable"). One query.
async fn invite_deliveries(
    conn: &impl ConnectionTrait,
    tenant_name: &str,
    pairs: &[(memberships::Model, Option<accounts::Model>)],
) -> Result<HashMap<i64, String>, AppError> {
    let invited: HashMap<&str, i64> = pairs
        .iter()
        .filter(|(m, _)| m.status == MembershipStatus::Invited.as_str())
        .filter_map(|(m, a)| Some((a.as_ref()?.email.as_str(), m.id)))
        .collect();
    if invited.is_empty() {
        return Ok(HashMap::new());
    }
    let mut out = HashMap::new();
    for row in mail_outbox::Entity::find()
        .filter(mail_outbox::Column::Recipient.is_in(invited.keys().copied()))
        .filter(mail_outbox::Column::Subject.eq(mail::invitation_subject(tenant_name)))
        .order_by_desc(mail_outbox::Column::Id)
        .all(conn)
        .await?
    {
        let Some(member) = invited.get(row.recipient.as_str()) else {
            continue;
        };
        out.entry(*member).or_insert_with(|| {
            let (state, when) = mail::delivery(&row);
            let clock = format_short(when);
            match state {
                MailState::Sent => format!("Sent {clock}"),
                MailState::Queued => format!("Queued {clock}"),
                MailState::Failed => format!(
                    "Failed: {}",
                    delivery_failure_words(row.last_error.as_deref().unwrap_or_default())
                ),
            }
        });
    }
    Ok(out)
}
