//! A member's activity timeline: their history in this tenant, newest first and
//! paged — the audit rows about them (invited, accepted, sign-ins and refusals with
//! IP and device, lockouts, resets, two-factor, access changes with their author,
//! suspensions, requests, expiries) and how their invitation and reset emails fared.

use super::list::RowWords;
use crate::backend::entities::audit_events;
use crate::backend::kernel::actor::Actor;
use crate::backend::kernel::clock::format_time;
use crate::backend::kernel::directory::member_in_tenant;
use crate::backend::kernel::mail;
use crate::backend::kernel::policy::require_user_admin;
use crate::backend::AppState;
use crate::domain::access::diagnose::MailState;
use crate::domain::audit::{delivery_failure_words, describe, ActivityEvent, ActivityPage};
use crate::domain::time::At;
use crate::domain::AppError;
use sea_orm::sea_query::Condition;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

/// Events on one page of a timeline.
pub const ACTIVITY_PAGE_SIZE: usize = 50;

/// One page of the member's timeline, older than `older` (the cursor of the page
/// before, an instant in ms). Another tenant's member answers like a missing one.
pub async fn activity(
    state: &AppState,
    actor: &Actor,
    member_id: i64,
    older: Option<i64>,
) -> Result<ActivityPage, AppError> {
    let conn = state.db.conn();
    require_user_admin(conn, actor).await?;
    let (membership, account) = member_in_tenant(conn, actor.tenant.id, member_id).await?;
    let limit = ACTIVITY_PAGE_SIZE as u64 + 1;
    let about_them = Condition::any()
        .add(
            Condition::all()
                .add(audit_events::Column::TargetType.eq("membership"))
                .add(audit_events::Column::TargetId.eq(membership.id)),
        )
        .add(
            Condition::all()
                .add(audit_events::Column::TargetType.eq("account"))
                .add(audit_events::Column::TargetId.eq(account.id)),
        )
        .add(
            Condition::all()
                .add(audit_events::Column::TargetType.eq("access_request"))
                .add(audit_events::Column::TargetLabel.eq(account.email.clone())),
        );
    let mut q = audit_events::Entity::find()
        .filter(audit_events::Column::TenantId.eq(actor.tenant.id))
        .filter(about_them);
    if let Some(older) = older {
        q = q.filter(audit_events::Column::CreatedAt.lt(older));
    }
    let rows = q
        .order_by_desc(audit_events::Column::CreatedAt)
        .order_by_desc(audit_events::Column::Id)
        .limit(limit)
        .all(conn)
        .await?;
    let words = RowWords::load(conn, actor.tenant.id, &rows).await?;
    // (instant, order within it, event): an email comes after the change that
    // queued it in the same instant.
    let mut events: Vec<(i64, u8, ActivityEvent)> = rows
        .iter()
        .map(|e| {
            let mut detail = words.detail(e);
            if !e.ip.is_empty() && e.actor_account_id == Some(account.id) {
                detail = [format!("from {}", e.ip), detail]
                    .into_iter()
                    .filter(|part| !part.is_empty())
                    .collect::<Vec<_>>()
                    .join("; ");
            }
            (
                e.created_at,
                0,
                ActivityEvent {
                    time: At(e.created_at),
                    what: describe(&e.action).to_string(),
                    detail,
                    by: if e.actor_account_id == Some(account.id) {
                        "themselves".to_string()
                    } else {
                        e.actor_email.clone()
                    },
                },
            )
        })
        .collect();
    let mails =
        mail::invitation_and_reset_mails(conn, &account.email, &actor.tenant.name, older, limit)
            .await?;
    events.extend(mails.iter().map(|row| {
        let what = if row.subject == mail::RESET_SUBJECT {
            "Password reset email"
        } else {
            "Invitation email"
        };
        let (state, when) = mail::delivery(row);
        let (what, detail) = match state {
            MailState::Sent => (
                format!("{what} sent"),
                format!("Delivered {}", format_time(when)),
            ),
            MailState::Queued => (format!("{what} queued"), "Waiting to be sent".to_string()),
            MailState::Failed => (
                format!("{what} failed"),
                format!(
                    "Failed: {}. Gatehouse tries again (next at {}).",
                    delivery_failure_words(row.last_error.as_deref().unwrap_or_default()),
                    format_time(when)
                ),
            ),
        };
        (
            row.created_at,
            1,
            ActivityEvent {
                time: At(row.created_at),
                what,
                detail,
                by: "Gatehouse mail".to_string(),
            },
        )
    }));
    events.sort_by_key(|(at, order, _)| std::cmp::Reverse((*at, *order)));
    // A full page ends before the instant of its last event, so nothing at that
    // instant is split across pages.
    let mut older_cursor = None;
    if events.len() > ACTIVITY_PAGE_SIZE {
        events.truncate(ACTIVITY_PAGE_SIZE);
        if let Some(last) = events.last().map(|(at, _, _)| *at) {
            // The next page starts at that instant (its cursor is exclusive).
            older_cursor = if events.iter().any(|(at, _, _)| *at > last) {
                events.retain(|(at, _, _)| *at > last);
                Some(last + 1)
            } else {
                Some(last)
            };
        }
    }
    Ok(ActivityPage {
        member_id: membership.id,
        member: account.email,
        events: events.into_iter().map(|(_, _, e)| e).collect(),
        older: older_cursor,
    })
}
