//! Access reviews (admins): start one for everyone or elevated access only, decide
//! keep / remove (suspend or remove from the tenant) / reduce to a template for
//! each member (drafts until completed), and complete it: every decision applied in
//! one transaction through the Edit user and Delete user checks (nobody removes or
//! grants what they could not by hand; the last admin stays), each change audited
//! with the review's id, and the record kept. The review settings and the "review
//! due" reminder live here too.

use super::edit::{apply_update, current_input, remove_in};
use super::MemberChange;
use crate::backend::entities::{
    access_review_items as items, access_reviews as reviews, accounts, memberships, tenants,
};
use crate::backend::kernel::actor::Actor;
use crate::backend::kernel::audit::{self, AuditActor, AuditEntry};
use crate::backend::kernel::clock::format_time;
use crate::backend::kernel::db::WriteTxn;
use crate::backend::kernel::directory::{lock_tenant, member_in_tenant, template_in_tenant};
use crate::backend::kernel::mail::{self, letters, Letter};
use crate::backend::kernel::policy::{
    access_inputs_of, admin_for_good, grantables, grantor, user_manager, NOT_YOUR_OWN,
};
use crate::backend::kernel::request::RequestMeta;
use crate::backend::kernel::second_factor;
use crate::backend::kernel::stored::decode;
use crate::backend::AppState;
use crate::domain::access::{Grantor, TemplateGrant};
use crate::domain::reviews::{
    elevated_access, flags, reduce_change, Decision, RecordedItem, ReduceOption, ReviewRecord,
    ReviewRow, ReviewScope, ReviewSummary, ReviewView, ReviewsPage, REVIEW_EVERY_CHOICES,
    REVIEW_PAGE_SIZE, STALE_DAYS_CHOICES,
};
use crate::domain::time::At;
use crate::domain::{AppError, Email, MembershipStatus, Role};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use serde_json::json;
use std::collections::HashMap;

const DAY_MS: i64 = 24 * 3600 * 1000;
const MAX_NOTE_CHARS: usize = 500;

async fn require_admin(conn: &impl ConnectionTrait, actor: &Actor) -> Result<(), AppError> {
    grantor(conn, actor).await?.require_admin()
}

async fn review_in_tenant(
    conn: &impl ConnectionTrait,
    tenant_id: i64,
    id: i64,
) -> Result<reviews::Model, AppError> {
    reviews::Entity::find_by_id(id)
        .filter(reviews::Column::TenantId.eq(tenant_id))
        .one(conn)
        .await?
        .ok_or(AppError::NotFound)
}

fn record_of(r: &reviews::Model) -> Option<ReviewRecord> {
    Some(ReviewRecord {
        completed_by: r.completed_by.clone()?,
        completed_at: At(r.completed_at?),
        kept: r.kept,
        removed: r.removed,
        reduced: r.reduced,
        note: r.note.clone().unwrap_or_default(),
    })
}

fn scope_of(r: &reviews::Model) -> ReviewScope {
    ReviewScope::parse(&r.scope).unwrap_or(ReviewScope::Everyone)
}

/// Whether a review is due now, in words.
pub fn due_words(tenant: &tenants::Model, now: i64) -> Option<String> {
    tenant
        .review_due_at
        .filter(|due| *due <= now)
        .map(|due| format!("Access review due since {}", format_time(due)))
}

/// Settings → Access reviews.
pub async fn page(state: &AppState, actor: &Actor) -> Result<ReviewsPage, AppError> {
    let conn = state.db.conn();
    require_admin(conn, actor).await?;
    let list = reviews::Entity::find()
        .filter(reviews::Column::TenantId.eq(actor.tenant.id))
        .order_by_desc(reviews::Column::Id)
        .limit(100)
        .all(conn)
        .await?;
    Ok(ReviewsPage {
        reviews: list
            .iter()
            .map(|r| ReviewSummary {
                id: r.id,
                scope: scope_of(r),
                started_by: r.started_by.clone(),
                started_at: At(r.started_at),
                record: record_of(r),
            })
            .collect(),
        stale_days: actor.tenant.stale_sign_in_days,
        review_every_days: actor.tenant.review_every_days,
        due: due_words(&actor.tenant, actor.now),
    })
}

/// "No sign-in for N days" and "Review access every N days".
pub async fn set_settings(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    stale_days: i64,
    every_days: Option<i64>,
) -> Result<(), AppError> {
    if !STALE_DAYS_CHOICES.contains(&stale_days) {
        return Err(AppError::field(
            "stale_days",
            "Choose one of the numbers of days listed.",
        ));
    }
    if !REVIEW_EVERY_CHOICES.contains(&every_days) {
        return Err(AppError::field(
            "every_days",
            "Choose one of the choices listed.",
        ));
    }
    let now = state.now_ms();
    let txn = state.db.begin_write().await?;
    require_admin(&*txn, actor).await?;
    let tenant = lock_tenant(&*txn, actor.tenant.id).await?;
    let last_completed = last_completed_at(&*txn, tenant.id).await?;
    let before = json!({"stale_sign_in_days": tenant.stale_sign_in_days, "review_every_days": tenant.review_every_days});
    let mut t: tenants::ActiveModel = tenant.into();
    t.stale_sign_in_days = Set(stale_days);
    t.review_every_days = Set(every_days);
    // Due that long after the last review, or now when there has been none.
    t.review_due_at = Set(every_days.map(|d| last_completed.map_or(now, |at| at + d * DAY_MS)));
    t.update(&*txn).await?;
    audit::commit_with(
        txn,
        now,
        &actor.audit_actor(meta),
        AuditEntry::new(Some(actor.tenant.id), "review.settings_changed", "tenant")
            .target(Some(actor.tenant.id), &actor.tenant.name)
            .before(before)
            .after(json!({"stale_sign_in_days": stale_days, "review_every_days": every_days})),
    )
    .await
}

async fn last_completed_at(
    conn: &impl ConnectionTrait,
    tenant_id: i64,
) -> Result<Option<i64>, AppError> {
    Ok(reviews::Entity::find()
        .filter(reviews::Column::TenantId.eq(tenant_id))
        .filter(reviews::Column::CompletedAt.is_not_null())
        .order_by_desc(reviews::Column::CompletedAt)
        .one(conn)
        .await?
        .and_then(|r| r.completed_at))
}

/// Starts a review of everyone or of elevated access only: one item per member.
/// Only one review is open at a time.
pub async fn start(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    scope: &str,
) -> Result<i64, AppError> {
    let scope = ReviewScope::parse(scope)
        .ok_or_else(|| AppError::field("scope", "Choose Everyone or Elevated access only."))?;
    let now = state.now_ms();
    let txn = state.db.begin_write().await?;
    require_admin(&*txn, actor).await?;
    lock_tenant(&*txn, actor.tenant.id).await?;
    if let Some(open) = reviews::Entity::find()
        .filter(reviews::Column::TenantId.eq(actor.tenant.id))
        .filter(reviews::Column::CompletedAt.is_null())
        .one(&*txn)
        .await?
    {
        return Err(AppError::Conflict(format!(
            "Review #{} is still open: complete it before starting another.",
            open.id
        )));
    }
    let members: Vec<(memberships::Model, accounts::Model)> = memberships::Entity::find()
        .find_also_related(accounts::Entity)
        .filter(memberships::Column::TenantId.eq(actor.tenant.id))
        .order_by_asc(memberships::Column::Id)
        .all(&*txn)
        .await?
        .into_iter()
        .filter_map(|(m, a)| Some((m, a?)))
        .collect();
    let models: Vec<memberships::Model> = members.iter().map(|(m, _)| m.clone()).collect();
    let inputs = access_inputs_of(&*txn, &models, now).await?;
    let review = reviews::ActiveModel {
        tenant_id: Set(actor.tenant.id),
        scope: Set(scope.key().to_string()),
        started_by: Set(actor.account.email.clone()),
        started_at: Set(now),
        ..Default::default()
    }
    .insert(&*txn)
    .await?;
    let rows: Vec<items::ActiveModel> = members
        .iter()
        .zip(&inputs)
        .filter(|(_, access)| scope == ReviewScope::Everyone || !elevated_access(access).is_empty())
        .map(|((m, a), access)| items::ActiveModel {
            review_id: Set(review.id),
            membership_id: Set(m.id),
            email: Set(a.email.clone()),
            snapshot: Set(json!({
                "role": m.role,
                "status": m.status,
                "template": access.template.as_ref().map(|t| t.name.clone()),
                "elevated": elevated_access(access),
            })
            .to_string()),
            ..Default::default()
        })
        .collect();
    let count = rows.len();
    for chunk in rows.chunks(500) {
        items::Entity::insert_many(chunk.to_vec())
            .exec(&*txn)
            .await?;
    }
    audit::commit_with(
        txn,
        now,
        &actor.audit_actor(meta),
        AuditEntry::new(Some(actor.tenant.id), "review.started", "access_review")
            .target(Some(review.id), format!("Review #{}", review.id))
            .after(json!({"scope": scope.label(), "members": count})),
    )
    .await?;
    Ok(review.id)
}

/// One review: an open one's rows (live, a page at a time), or a completed one's
/// record and items.
pub async fn view(
    state: &AppState,
    actor: &Actor,
    id: i64,
    page: u64,
) -> Result<ReviewView, AppError> {
    let conn = state.db.conn();
    require_admin(conn, actor).await?;
    let review = review_in_tenant(conn, actor.tenant.id, id).await?;
    let total = items::Entity::find()
        .filter(items::Column::ReviewId.eq(id))
        .count(conn)
        .await?;
    let decided = items::Entity::find()
        .filter(items::Column::ReviewId.eq(id))
        .filter(items::Column::Decision.is_not_null())
        .count(conn)
        .await?;
    let mut view = ReviewView {
        id,
        scope: scope_of(&review),
        started_by: review.started_by.clone(),
        started_at: At(review.started_at),
        record: record_of(&review),
        rows: Vec::new(),
        items: Vec::new(),
        total,
        decided,
    };
    if view.record.is_some() {
        view.items = items::Entity::find()
            .filter(items::Column::ReviewId.eq(id))
            .order_by_asc(items::Column::Id)
            .all(conn)
            .await?
            .into_iter()
            .map(|i| RecordedItem {
                had: had_words(&i.snapshot),
                decision: decision_words(i.decision.as_deref()),
                outcome: i.outcome.unwrap_or_else(|| "Kept".into()),
                email: i.email,
            })
            .collect();
        return Ok(view);
    }
    let page_items = items::Entity::find()
        .filter(items::Column::ReviewId.eq(id))
        .order_by_asc(items::Column::Id)
        .offset(page.saturating_mul(REVIEW_PAGE_SIZE))
        .limit(REVIEW_PAGE_SIZE)
        .all(conn)
        .await?;
    let found: HashMap<i64, (memberships::Model, accounts::Model)> = memberships::Entity::find()
        .find_also_related(accounts::Entity)
        .filter(memberships::Column::TenantId.eq(actor.tenant.id))
        .filter(memberships::Column::Id.is_in(page_items.iter().map(|i| i.membership_id)))
        .all(conn)
        .await?
        .into_iter()
        .filter_map(|(m, a)| Some((m.id, (m, a?))))
        .collect();
    let (present, models): (Vec<&items::Model>, Vec<memberships::Model>) = page_items
        .iter()
        .filter_map(|i| Some((i, found.get(&i.membership_id)?.0.clone())))
        .unzip();
    let inputs = access_inputs_of(conn, &models, actor.now).await?;
    let (templates, _) = grantables(conn, actor.tenant.id).await?;
    for ((item, m), access) in present.iter().zip(&models).zip(inputs) {
        let Some((_, a)) = found.get(&m.id) else {
            continue;
        };
        let status: MembershipStatus = decode(&m.status)?;
        let elevated = elevated_access(&access);
        let days = m.last_login_at.map(|at| (actor.now - at) / DAY_MS);
        let two_factor = second_factor::is_enabled(a);
        view.rows.push(ReviewRow {
            item_id: item.id,
            member_id: m.id,
            email: a.email.clone(),
            name: a.display_name.clone(),
            role: access.role,
            status,
            template: access.template.as_ref().map(|t| t.name.clone()),
            groups: access.groups.iter().map(|g| g.name.clone()).collect(),
            flags: flags(
                status,
                days,
                actor.tenant.stale_sign_in_days,
                !elevated.is_empty(),
                two_factor,
            ),
            elevated,
            last_sign_in: m.last_login_at.map(At),
            two_factor,
            decision: item.decision.clone(),
            reduce_options: templates
                .iter()
                .map(|t| {
                    let grant = TemplateGrant {
                        name: t.name.clone(),
                        permissions: t.permissions.clone(),
                    };
                    let (loses, gains) = reduce_change(&access, &grant);
                    ReduceOption {
                        template_id: t.id,
                        name: t.name.clone(),
                        loses,
                        gains,
                    }
                })
                .collect(),
            own: m.id == actor.membership.id,
        });
    }
    Ok(view)
}

fn had_words(snapshot: &str) -> String {
    let v: serde_json::Value = serde_json::from_str(snapshot).unwrap_or_default();
    let text = |k: &str| {
        v.get(k)
            .and_then(|x| x.as_str())
            .unwrap_or_default()
            .to_string()
    };
    let mut words = vec![format!("{}, {}", text("role"), text("status"))];
    if let Some(t) = v.get("template").and_then(|x| x.as_str()) {
        words.push(format!("template “{t}”"));
    }
    if let Some(list) = v
        .get("elevated")
        .and_then(|x| x.as_array())
        .filter(|l| !l.is_empty())
    {
        let list: Vec<&str> = list.iter().filter_map(|x| x.as_str()).collect();
        words.push(format!("elevated: {}", list.join("; ")));
    }
    words.join("; ")
}

fn decision_words(key: Option<&str>) -> String {
    match key.and_then(Decision::parse) {
        None | Some(Decision::Keep) => "Keep".into(),
        Some(Decision::Suspend) => "Remove access (suspend)".into(),
        Some(Decision::Remove) => "Remove access (remove from the tenant)".into(),
        Some(Decision::Reduce(_)) => "Reduce to a template".into(),
    }
}

/// Saves a draft decision on one member of an open review.
pub async fn decide(
    state: &AppState,
    actor: &Actor,
    id: i64,
    item_id: i64,
    decision: &str,
) -> Result<(), AppError> {
    let decision = Decision::parse(decision)
        .ok_or_else(|| AppError::field("decision", "Choose one of the decisions listed."))?;
    let txn = state.db.begin_write().await?;
    require_admin(&*txn, actor).await?;
    let review = review_in_tenant(&*txn, actor.tenant.id, id).await?;
    if review.completed_at.is_some() {
        return Err(AppError::Conflict(
            "This review is completed: its decisions can't change. Start a new review.".into(),
        ));
    }
    let item = items::Entity::find_by_id(item_id)
        .filter(items::Column::ReviewId.eq(id))
        .one(&*txn)
        .await?
        .ok_or(AppError::NotFound)?;
    if item.membership_id == actor.membership.id && decision != Decision::Keep {
        return Err(AppError::Forbidden(NOT_YOUR_OWN.into()));
    }
    if let Decision::Reduce(template) = decision {
        template_in_tenant(&*txn, actor.tenant.id, template)
            .await
            .map_err(|_| {
                AppError::field("decision", "Choose a template from this tenant's list.")
            })?;
    }
    let mut row: items::ActiveModel = item.into();
    row.decision = Set(Some(decision.key()));
    row.update(&*txn).await?;
    txn.commit().await?;
    Ok(())
}

/// Completes an open review: applies every decision in one transaction (or none,
/// saying which member stopped it), audits each change with the review's id, and
/// keeps the record. Members without a decision are kept.
pub async fn complete(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    id: i64,
    note: &str,
) -> Result<ReviewRecord, AppError> {
    let note = note.trim();
    if note.is_empty() {
        return Err(AppError::field(
            "note",
            "Add a short note for the record, such as what you checked.",
        ));
    }
    if note.chars().count() > MAX_NOTE_CHARS || note.chars().any(char::is_control) {
        return Err(AppError::field(
            "note",
            "Keep the note to one paragraph of at most 500 characters.",
        ));
    }
    let now = state.now_ms();
    let mut txn = state.db.begin_write().await?;
    let grantor = user_manager(&*txn, actor).await?;
    grantor.require_admin()?;
    let tenant = lock_tenant(&*txn, actor.tenant.id).await?;
    let review = review_in_tenant(&*txn, actor.tenant.id, id).await?;
    if review.completed_at.is_some() {
        return Err(AppError::Conflict(
            "This review is already completed.".into(),
        ));
    }
    let who = actor.audit_actor(meta);
    let all = items::Entity::find()
        .filter(items::Column::ReviewId.eq(id))
        .order_by_asc(items::Column::Id)
        .all(&*txn)
        .await?;
    let (mut kept, mut removed, mut reduced) = (0i64, 0i64, 0i64);
    for item in all {
        let decision = item
            .decision
            .as_deref()
            .and_then(Decision::parse)
            .unwrap_or(Decision::Keep);
        let (back, outcome, entry) =
            apply_decision(state, actor, txn, &grantor, now, &item, decision).await?;
        txn = back;
        match (decision, &entry) {
            (_, None) | (Decision::Keep, _) => kept += 1,
            (Decision::Reduce(_), Some(_)) => reduced += 1,
            (Decision::Suspend | Decision::Remove, Some(_)) => removed += 1,
        }
        if let Some(entry) = entry {
            audit::record(&*txn, now, &who, with_review(entry, id)).await?;
        }
        let mut row: items::ActiveModel = item.into();
        row.outcome = Set(Some(outcome));
        row.update(&*txn).await?;
    }
    let mut r: reviews::ActiveModel = review.into();
    r.completed_by = Set(Some(actor.account.email.clone()));
    r.completed_at = Set(Some(now));
    r.note = Set(Some(note.to_string()));
    r.kept = Set(kept);
    r.removed = Set(removed);
    r.reduced = Set(reduced);
    let done = r.update(&*txn).await?;
    let every = tenant.review_every_days;
    let mut t: tenants::ActiveModel = tenant.into();
    t.review_due_at = Set(every.map(|d| now + d * DAY_MS));
    t.update(&*txn).await?;
    audit::commit_with(
        txn,
        now,
        &who,
        AuditEntry::new(Some(actor.tenant.id), "review.completed", "access_review")
            .target(Some(id), format!("Review #{id}"))
            .after(json!({"kept": kept, "removed": removed, "reduced": reduced, "note": note})),
    )
    .await?;
    record_of(&done).ok_or(AppError::NotFound)
}

/// Applies one decision inside the review's transaction, through the Edit user
/// and Delete user checks: answers the transaction, the outcome in words and the
/// audit entry of the change (none when nothing changed). An error names the
/// member, and nothing of the review is applied.
async fn apply_decision(
    state: &AppState,
    actor: &Actor,
    txn: WriteTxn,
    grantor: &Grantor,
    now: i64,
    item: &items::Model,
    decision: Decision,
) -> Result<(WriteTxn, String, Option<AuditEntry>), AppError> {
    if decision == Decision::Keep {
        return Ok((txn, "Kept".into(), None));
    }
    let Ok((membership, account)) =
        member_in_tenant(&*txn, actor.tenant.id, item.membership_id).await
    else {
        return Ok((txn, "No longer a member: nothing to do".into(), None));
    };
    let stop = |e: AppError| {
        let why = match &e {
            AppError::Validation(fields) => fields
                .iter()
                .map(|f| f.message.clone())
                .collect::<Vec<_>>()
                .join(" "),
            other => other.to_string(),
        };
        AppError::Conflict(format!("Nothing was applied. For {}: {why}", account.email))
    };
    let invited = membership.status == MembershipStatus::Invited.as_str();
    let change = MemberChange {
        txn,
        now,
        membership,
        account: account.clone(),
        grantor: grantor.clone(),
    };
    let (txn, outcome, entry) = match decision {
        // Keep answered above, before anything was opened.
        Decision::Keep | Decision::Remove => {
            let (t, _, e) = remove_in(actor, change, false).await.map_err(stop)?;
            (t, "Removed from the tenant".to_string(), e)
        }
        // Someone who never joined has nothing to suspend: their invitation goes.
        Decision::Suspend if invited => {
            let (t, _, e) = remove_in(actor, change, true).await.map_err(stop)?;
            (t, "Invitation cancelled".to_string(), e)
        }
        Decision::Suspend => {
            let mut input =
                current_input(&*change.txn, actor.tenant.id, item.membership_id).await?;
            input.status = MembershipStatus::Suspended;
            let (t, _, e) = apply_update(state, actor, change, input)
                .await
                .map_err(stop)?;
            (t, "Suspended".to_string(), e)
        }
        Decision::Reduce(template) => {
            let name = template_in_tenant(&*change.txn, actor.tenant.id, template)
                .await
                .map_err(stop)?
                .name;
            let mut input =
                current_input(&*change.txn, actor.tenant.id, item.membership_id).await?;
            input.role = Role::User;
            input.template_id = Some(template);
            input.permissions = Vec::new();
            let (t, _, e) = apply_update(state, actor, change, input)
                .await
                .map_err(stop)?;
            (t, format!("Reduced to “{name}”"), e)
        }
    };
    Ok((txn, outcome, Some(entry)))
}

/// The audit entry of a change made by a review names the review.
fn with_review(mut entry: AuditEntry, review: i64) -> AuditEntry {
    let after = entry.after.get_or_insert_with(|| json!({}));
    if let Some(fields) = after.as_object_mut() {
        fields.insert("review".into(), json!(format!("#{review}")));
    }
    entry
}

/// Tells the admins of each tenant whose access review has come due, once per due
/// date (the every-second worker): answers how many tenants were told.
pub async fn remind_due(state: &AppState) -> Result<usize, AppError> {
    let now = state.now_ms();
    let due = tenants::Entity::find()
        .filter(tenants::Column::ReviewDueAt.lte(now))
        .limit(50)
        .all(state.db.conn())
        .await?
        .into_iter()
        .filter(|t| {
            t.review_reminded_at
                .is_none_or(|at| Some(at) < t.review_due_at)
        });
    let mut told = 0;
    for tenant in due {
        let txn = state.db.begin_write().await?;
        let admins = memberships::Entity::find()
            .find_also_related(accounts::Entity)
            .filter(memberships::Column::TenantId.eq(tenant.id))
            .filter(memberships::Column::Status.eq(MembershipStatus::Active.as_str()))
            .filter(admin_for_good())
            .limit(20)
            .all(&*txn)
            .await?;
        for (_, account) in admins {
            let Some(to) = account.and_then(|a| Email::parse(&a.email).ok()) else {
                continue;
            };
            let letter = Letter::ReviewDue(letters::ReviewDue {
                tenant: tenant.name.clone(),
            });
            mail::enqueue(&*txn, &state.settings, now, &to, &letter).await?;
        }
        let mut t: tenants::ActiveModel = tenant.clone().into();
        t.review_reminded_at = Set(Some(now));
        t.update(&*txn).await?;
        audit::commit_with(
            txn,
            now,
            &AuditActor::system("review schedule"),
            AuditEntry::new(Some(tenant.id), "review.due", "tenant")
                .target(Some(tenant.id), &tenant.name),
        )
        .await?;
        told += 1;
    }
    Ok(told)
}
