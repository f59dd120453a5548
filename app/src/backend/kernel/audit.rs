//! The audit trail: one row per change, written in the same transaction as the change.

use crate::backend::entities::{audit_events, memberships};
use crate::backend::kernel::db::WriteTxn;
use crate::backend::kernel::request::clean_for_log;
use crate::domain::AppError;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QuerySelect,
    Set,
};

/// Who did something. `None` account means the operator's command line or the system.
#[derive(Debug, Clone, Default)]
pub struct AuditActor {
    pub account_id: Option<i64>,
    pub email: String,
    pub ip: String,
}

impl AuditActor {
    /// An account acting through a request.
    pub fn account(
        account: &crate::backend::entities::accounts::Model,
        meta: &crate::backend::kernel::request::RequestMeta,
    ) -> Self {
        Self {
            account_id: Some(account.id),
            email: account.email.clone(),
            ip: meta.ip.clone(),
        }
    }

    pub fn system(label: &str) -> Self {
        Self {
            account_id: None,
            email: label.to_string(),
            ip: String::new(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct AuditEntry {
    pub tenant_id: Option<i64>,
    pub action: &'static str,
    pub target_type: &'static str,
    pub target_id: Option<i64>,
    /// A readable name for the target (an email, a template name) that outlives it.
    pub target_label: String,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

impl AuditEntry {
    pub fn new(tenant_id: Option<i64>, action: &'static str, target_type: &'static str) -> Self {
        Self {
            tenant_id,
            action,
            target_type,
            target_id: None,
            target_label: String::new(),
            before: None,
            after: None,
        }
    }
    pub fn target(mut self, id: Option<i64>, label: impl AsRef<str>) -> Self {
        self.target_id = id;
        self.target_label = clean_for_log(label.as_ref(), 254);
        self
    }
    pub fn before(mut self, value: serde_json::Value) -> Self {
        self.before = Some(value);
        self
    }
    pub fn after(mut self, value: serde_json::Value) -> Self {
        self.after = Some(value);
        self
    }
}

pub async fn record(
    conn: &impl ConnectionTrait,
    now_ms: i64,
    actor: &AuditActor,
    entry: AuditEntry,
) -> Result<(), DbErr> {
    // The change is also a webhook event: queued in the same transaction.
    if let (Some(tenant), Some(event)) = (
        entry.tenant_id,
        crate::domain::webhooks::WebhookEvent::of_audit_action(entry.action),
    ) {
        let data = serde_json::json!({
            "tenant_id": tenant,
            "object": {
                "type": entry.target_type,
                "id": entry.target_id,
                "label": entry.target_label.clone(),
            },
            "before": entry.before.clone(),
            "after": entry.after.clone(),
            "actor": actor.email,
        });
        super::webhook_outbox::enqueue(conn, tenant, event.as_str(), &data, now_ms).await?;
    }
    audit_events::ActiveModel {
        tenant_id: Set(entry.tenant_id),
        actor_account_id: Set(actor.account_id),
        actor_email: Set(clean_for_log(&actor.email, 254)),
        action: Set(entry.action.to_string()),
        target_type: Set(entry.target_type.to_string()),
        target_id: Set(entry.target_id),
        target_label: Set(entry.target_label),
        before: Set(entry.before.map(|v| v.to_string())),
        after: Set(entry.after.map(|v| v.to_string())),
        ip: Set(clean_for_log(&actor.ip, 64)),
        created_at: Set(now_ms),
        ..Default::default()
    }
    .insert(conn)
    .await
    .map(|_| ())
}

/// Records an event of an account rather than of one tenant (a refused sign-in, a
/// lock, a reset) in every tenant the account belongs to, so the admins of each see
/// it in their audit log and none learns of the others. An account in no tenant,
/// or no account at all, gets one row the operator sees.
pub async fn record_for_account(
    conn: &impl ConnectionTrait,
    now_ms: i64,
    actor: &AuditActor,
    account_id: Option<i64>,
    entry: AuditEntry,
) -> Result<(), DbErr> {
    let tenants: Vec<i64> = match account_id {
        Some(id) => {
            memberships::Entity::find()
                .select_only()
                .column(memberships::Column::TenantId)
                .distinct()
                .filter(memberships::Column::AccountId.eq(id))
                .into_tuple()
                .all(conn)
                .await?
        }
        None => Vec::new(),
    };
    if tenants.is_empty() {
        return record(conn, now_ms, actor, entry).await;
    }
    for tenant in tenants {
        let mut row = entry.clone();
        row.tenant_id = Some(tenant);
        record(conn, now_ms, actor, row).await?;
    }
    Ok(())
}

/// Records a refused attempt (a server function answered "forbidden") in the
/// actor's tenant: who, what they tried (in words), from where, when.
pub async fn record_denial(
    db: &crate::backend::kernel::db::Db,
    now_ms: i64,
    who: &AuditActor,
    tenant_id: i64,
    attempted: &str,
) -> Result<(), AppError> {
    let txn = db.begin_write().await?;
    commit_with(
        txn,
        now_ms,
        who,
        AuditEntry::new(Some(tenant_id), "access.denied", "action").target(None, attempted),
    )
    .await
}

/// Ends a change: records its audit row as the transaction's last write and commits,
/// so a change lands with its audit row or not at all.
pub async fn commit_with(
    txn: WriteTxn,
    now_ms: i64,
    actor: &AuditActor,
    entry: AuditEntry,
) -> Result<(), AppError> {
    record(&*txn, now_ms, actor, entry).await?;
    txn.commit().await?;
    Ok(())
}
