//! The check API's decision log: each answer is written as it is given (a batch in
//! one statement), read back by admins with filters, and deleted once older than
//! the tenant's chosen number of days (`purge_expired`, from the server's sweep).

use super::KeyUse;
use crate::backend::entities::{api_keys, check_decisions, tenants};
use crate::backend::kernel::actor::Actor;
use crate::backend::kernel::audit::{self, AuditEntry};
use crate::backend::kernel::like::containing;
use crate::backend::kernel::policy::require_feature;
use crate::backend::kernel::request::RequestMeta;
use crate::backend::AppState;
use crate::domain::access::diagnose::Target;
use crate::domain::decisions::{
    DecisionFilter, DecisionPage, DecisionRow, KeyChoice, DECISION_PAGE_SIZE,
};
use crate::domain::time::At;
use crate::domain::{AppError, Feature};
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use serde_json::json;

const DAY_MS: i64 = 24 * 3_600_000;

/// One answer to record.
#[derive(Debug, Clone)]
pub struct Decision {
    /// The member's email, or what was asked when nobody matched.
    pub subject: String,
    pub member_id: Option<i64>,
    pub target: Target,
    pub allowed: bool,
    pub reasons: Vec<String>,
}

/// Writes the answers `key` was given at `at`, in one statement.
pub async fn record(
    state: &AppState,
    key: &KeyUse,
    at: i64,
    decisions: &[Decision],
) -> Result<(), AppError> {
    if decisions.is_empty() {
        return Ok(());
    }
    let rows = decisions.iter().map(|d| check_decisions::ActiveModel {
        tenant_id: Set(key.tenant_id),
        api_key_id: Set(key.key_id),
        key_name: Set(key.name.clone()),
        subject: Set(d.subject.clone()),
        member_id: Set(d.member_id),
        target: Set(d.target.key()),
        allowed: Set(d.allowed),
        reasons: Set(d.reasons.join(",")),
        at: Set(at),
        ..Default::default()
    });
    let _writing = state.db.single_write().await;
    check_decisions::Entity::insert_many(rows)
        .exec_without_returning(state.db.conn())
        .await?;
    Ok(())
}

fn row(d: check_decisions::Model) -> DecisionRow {
    DecisionRow {
        id: d.id,
        time: At(d.at),
        key_name: d.key_name,
        subject: d.subject,
        asked: Target::parse(&d.target)
            .map(Target::label)
            .unwrap_or_else(|| d.target.clone()),
        target: d.target,
        allowed: d.allowed,
        reasons: d
            .reasons
            .split(',')
            .filter(|c| !c.is_empty())
            .map(str::to_string)
            .collect(),
    }
}

/// A page of the tenant's decisions matching `filter`, newest first, older than
/// `before_id` when given. Needs what managing API keys needs.
pub async fn search(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    filter: &DecisionFilter,
    before_id: Option<i64>,
) -> Result<DecisionPage, AppError> {
    require_feature(conn, actor, Feature::ApiKeys).await?;
    let tenant = actor.tenant.id;
    let mut q =
        check_decisions::Entity::find().filter(check_decisions::Column::TenantId.eq(tenant));
    if let Some(key) = filter.key {
        q = q.filter(check_decisions::Column::ApiKeyId.eq(key));
    }
    if !filter.who.is_empty() {
        q = q.filter(Expr::col(check_decisions::Column::Subject).like(containing(&filter.who)));
    }
    if let Some(allowed) = filter.allowed {
        q = q.filter(check_decisions::Column::Allowed.eq(allowed));
    }
    if let Some(from) = filter.from_ms {
        q = q.filter(check_decisions::Column::At.gte(from));
    }
    if let Some(until) = filter.until_ms {
        q = q.filter(check_decisions::Column::At.lt(until));
    }
    if let Some(id) = before_id {
        q = q.filter(check_decisions::Column::Id.lt(id));
    }
    let mut rows = q
        .order_by_desc(check_decisions::Column::Id)
        .limit(DECISION_PAGE_SIZE + 1)
        .all(conn)
        .await?;
    let has_more = rows.len() as u64 > DECISION_PAGE_SIZE;
    rows.truncate(DECISION_PAGE_SIZE as usize);
    let keys = api_keys::Entity::find()
        .filter(api_keys::Column::TenantId.eq(tenant))
        .order_by_asc(api_keys::Column::Name)
        .all(conn)
        .await?
        .into_iter()
        .map(|k| KeyChoice {
            id: k.id,
            name: k.name,
        })
        .collect();
    Ok(DecisionPage {
        rows: rows.into_iter().map(row).collect(),
        has_more,
        retention_days: actor.tenant.decision_log_days,
        keys,
    })
}

/// Keeps the tenant's decisions `days` days from now on (older ones go at the next
/// sweep). Audited with the old and new figure.
pub async fn set_retention(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    days: i64,
) -> Result<(), AppError> {
    let txn = state.db.begin_write().await?;
    require_feature(&*txn, actor, Feature::ApiKeys).await?;
    let tenant = tenants::Entity::find_by_id(actor.tenant.id)
        .one(&*txn)
        .await?
        .ok_or(AppError::NotFound)?;
    let before = tenant.decision_log_days;
    if before == days {
        return Ok(());
    }
    let mut t: tenants::ActiveModel = tenant.into();
    t.decision_log_days = Set(days);
    t.update(&*txn).await?;
    audit::commit_with(
        txn,
        state.now_ms(),
        &actor.audit_actor(meta),
        AuditEntry::new(
            Some(actor.tenant.id),
            "check_log.retention_changed",
            "tenant",
        )
        .target(Some(actor.tenant.id), &actor.tenant.name)
        .before(json!({ "decision_log_days": before }))
        .after(json!({ "decision_log_days": days })),
    )
    .await?;
    Ok(())
}

/// Deletes every decision older than its tenant keeps them; answers how many.
pub async fn purge_expired(state: &AppState) -> Result<u64, AppError> {
    let conn = state.db.conn();
    let now = state.now_ms();
    let kept: Vec<i64> = tenants::Entity::find()
        .select_only()
        .column(tenants::Column::DecisionLogDays)
        .distinct()
        .into_tuple()
        .all(conn)
        .await?;
    let mut deleted = 0;
    for days in kept {
        let txn = state.db.begin_write().await?;
        let result = check_decisions::Entity::delete_many()
            .filter(check_decisions::Column::At.lt(now - days * DAY_MS))
            .filter(
                check_decisions::Column::TenantId.in_subquery(
                    Query::select()
                        .column(tenants::Column::Id)
                        .from(tenants::Entity)
                        .and_where(Expr::col(tenants::Column::DecisionLogDays).eq(days))
                        .to_owned(),
                ),
            )
            .exec(&*txn)
            .await?;
        txn.commit().await?;
        deleted += result.rows_affected;
    }
    Ok(deleted)
}
