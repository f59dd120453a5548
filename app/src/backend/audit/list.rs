//! The Audit log page: the tenant's audit trail, described in words, filtered by
//! kind, days and who.

use crate::backend::entities::{audit_events, memberships, role_templates};
use crate::backend::kernel::like::containing;
use crate::domain::audit::{actions_of, change_words, describe, AuditFilter, AuditPage, AuditRow};
use crate::domain::time::At;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use std::collections::HashMap;

pub const AUDIT_PAGE_SIZE: u64 = 50;

/// Events of one tenant, newest first; `member` narrows to events whose actor or
/// target email contains it.
pub async fn list(
    conn: &impl ConnectionTrait,
    tenant_id: i64,
    member: &str,
    before_id: Option<i64>,
) -> Result<AuditPage, DbErr> {
    search(
        conn,
        tenant_id,
        &AuditFilter::who(&member.to_lowercase()),
        before_id,
    )
    .await
}

/// Events of one tenant matching `filter`, newest first. Pages by id (`before_id`)
/// so it stays fast.
pub async fn search(
    conn: &impl ConnectionTrait,
    tenant_id: i64,
    filter: &AuditFilter,
    before_id: Option<i64>,
) -> Result<AuditPage, DbErr> {
    let (rows, has_more) = events(conn, tenant_id, filter, before_id, AUDIT_PAGE_SIZE).await?;
    let words = RowWords::load(conn, tenant_id, &rows).await?;
    Ok(AuditPage {
        rows: rows.iter().map(|e| words.row(e)).collect(),
        has_more,
    })
}

/// Up to `limit` events matching `filter` older than `before_id`, newest first,
/// and whether more follow.
pub async fn events(
    conn: &impl ConnectionTrait,
    tenant_id: i64,
    filter: &AuditFilter,
    before_id: Option<i64>,
    limit: u64,
) -> Result<(Vec<audit_events::Model>, bool), DbErr> {
    let mut q = audit_events::Entity::find().filter(audit_events::Column::TenantId.eq(tenant_id));
    if !filter.who.is_empty() {
        q = q.filter(
            Expr::col(audit_events::Column::TargetLabel)
                .like(containing(&filter.who))
                .or(Expr::col(audit_events::Column::ActorEmail).like(containing(&filter.who))),
        );
    }
    if let Some(kind) = filter.kind {
        q = q.filter(audit_events::Column::Action.is_in(actions_of(kind)));
    }
    if let Some(from) = filter.from_ms {
        q = q.filter(audit_events::Column::CreatedAt.gte(from));
    }
    if let Some(until) = filter.until_ms {
        q = q.filter(audit_events::Column::CreatedAt.lt(until));
    }
    if let Some(id) = before_id {
        q = q.filter(audit_events::Column::Id.lt(id));
    }
    let mut rows = q
        .order_by_desc(audit_events::Column::Id)
        .limit(limit + 1)
        .all(conn)
        .await?;
    let has_more = rows.len() as u64 > limit;
    rows.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    Ok((rows, has_more))
}

/// What turns a page of audit rows into words: the tenant's template names and
/// the members the rows are about.
pub struct RowWords {
    templates: HashMap<i64, String>,
    member_of_account: HashMap<i64, i64>,
    members: std::collections::HashSet<i64>,
}

impl RowWords {
    pub async fn load(
        conn: &impl ConnectionTrait,
        tenant_id: i64,
        rows: &[audit_events::Model],
    ) -> Result<Self, DbErr> {
        let templates = role_templates::Entity::find()
            .filter(role_templates::Column::TenantId.eq(tenant_id))
            .all(conn)
            .await?
            .into_iter()
            .map(|t| (t.id, t.name))
            .collect();
        let ids_of = |kind: &str| -> Vec<i64> {
            rows.iter()
                .filter(|r| r.target_type == kind)
                .filter_map(|r| r.target_id)
                .collect()
        };
        let (accounts, memberships_named) = (ids_of("account"), ids_of("membership"));
        let found: Vec<(i64, i64)> = if accounts.is_empty() && memberships_named.is_empty() {
            Vec::new()
        } else {
            memberships::Entity::find()
                .select_only()
                .column(memberships::Column::Id)
                .column(memberships::Column::AccountId)
                .filter(memberships::Column::TenantId.eq(tenant_id))
                .filter(
                    memberships::Column::AccountId
                        .is_in(accounts)
                        .or(memberships::Column::Id.is_in(memberships_named)),
                )
                .into_tuple()
                .all(conn)
                .await?
        };
        Ok(Self {
            templates,
            member_of_account: found.iter().map(|(m, a)| (*a, *m)).collect(),
            members: found.iter().map(|(m, _)| *m).collect(),
        })
    }

    pub fn detail(&self, e: &audit_events::Model) -> String {
        let parse = |text: &Option<String>| {
            text.as_deref()
                .and_then(|t| serde_json::from_str::<serde_json::Value>(t).ok())
        };
        let name = |id: i64| {
            self.templates
                .get(&id)
                .cloned()
                .unwrap_or_else(|| "a deleted template".into())
        };
        change_words(parse(&e.before).as_ref(), parse(&e.after).as_ref(), &name)
    }

    /// The member of this tenant the row is about, if they still are one.
    pub fn member_id(&self, e: &audit_events::Model) -> Option<i64> {
        let id = e.target_id?;
        match e.target_type.as_str() {
            "account" => self.member_of_account.get(&id).copied(),
            "membership" => self.members.contains(&id).then_some(id),
            _ => None,
        }
    }

    pub fn row(&self, e: &audit_events::Model) -> AuditRow {
        AuditRow {
            id: e.id,
            time: At(e.created_at),
            actor: e.actor_email.clone(),
            action: describe(&e.action).to_string(),
            target: e.target_label.clone(),
            detail: self.detail(e),
            member_id: self.member_id(e),
        }
    }
}
