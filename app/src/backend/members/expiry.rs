//! Temporary access ends by itself. Evaluation already ignores a grant whose end
//! has come (`policy::in_force`, `policy::grant_in_force`); this sweep then takes it
//! away for good, one member per transaction, and writes the audit row as done by
//! "expiry", naming who gave it.

use crate::backend::entities::{accounts, membership_permissions, memberships, role_templates};
use crate::backend::kernel::audit::{self, AuditActor, AuditEntry};
use crate::backend::kernel::clock::format_time;
use crate::backend::kernel::temporary::EXPIRED_ACTION;
use crate::backend::AppState;
use crate::domain::access::diagnose::{Temporary, TemporaryGrant};
use crate::domain::access::Permission;
use crate::domain::{AppError, Role};
use sea_orm::sea_query::Condition;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QuerySelect, Set};
use serde_json::json;
use std::collections::BTreeSet;

/// Members handled per sweep; the next sweep takes the rest.
const BATCH: u64 = 200;

/// Who the audit names for an ended grant.
pub const EXPIRY: &str = "expiry";

/// Ends every temporary grant whose end has come; answers how many members changed.
pub async fn end_expired(state: &AppState) -> Result<usize, AppError> {
    let now = state.now_ms();
    let conn = state.db.conn();
    let mut ids: BTreeSet<i64> = membership_permissions::Entity::find()
        .filter(membership_permissions::Column::ExpiresAt.lte(now))
        .limit(BATCH)
        .all(conn)
        .await?
        .into_iter()
        .map(|r| r.membership_id)
        .collect();
    ids.extend(
        memberships::Entity::find()
            .filter(
                Condition::any()
                    .add(memberships::Column::TemplateUntil.lte(now))
                    .add(memberships::Column::CrmUntil.lte(now))
                    .add(memberships::Column::RoleUntil.lte(now))
                    .add(memberships::Column::BetaUntil.lte(now)),
            )
            .limit(BATCH)
            .all(conn)
            .await?
            .into_iter()
            .map(|m| m.id),
    );
    let mut changed = 0;
    for id in ids {
        if end_for_member(state, id, now).await? {
            changed += 1;
        }
    }
    Ok(changed)
}

/// Ends what has ended of one member's access, in one transaction (re-read inside
/// it: an edit made meanwhile wins).
async fn end_for_member(state: &AppState, id: i64, now: i64) -> Result<bool, AppError> {
    let txn = state.db.begin_write().await?;
    let Some((membership, account)) = memberships::Entity::find_by_id(id)
        .find_also_related(accounts::Entity)
        .one(&*txn)
        .await?
    else {
        return Ok(false);
    };
    let email = account.map(|a| a.email).unwrap_or_default();
    let mut ended: Vec<String> = Vec::new();
    // The same, for diagnostics to say "expired on …".
    let mut expired: Vec<Temporary> = Vec::new();
    let mut given_by: BTreeSet<String> = BTreeSet::new();

    let rows = membership_permissions::Entity::find()
        .filter(membership_permissions::Column::MembershipId.eq(id))
        .filter(membership_permissions::Column::ExpiresAt.lte(now))
        .all(&*txn)
        .await?;
    for row in &rows {
        let label = Permission::parse(&row.permission)
            .map(|p| p.label().to_string())
            .unwrap_or_else(|| row.permission.clone());
        let until = format_time(row.expires_at.unwrap_or(now));
        ended.push(format!("the permission to {label} (until {until})"));
        if let Some(p) = Permission::parse(&row.permission) {
            expired.push(Temporary {
                grant: TemporaryGrant::Permission(p),
                until,
            });
        }
        given_by.extend(row.granted_by.clone());
    }
    if !rows.is_empty() {
        membership_permissions::Entity::delete_many()
            .filter(membership_permissions::Column::MembershipId.eq(id))
            .filter(
                membership_permissions::Column::Permission
                    .is_in(rows.iter().map(|r| r.permission.clone())),
            )
            .exec(&*txn)
            .await?;
    }

    let mut m: memberships::ActiveModel = membership.clone().into();
    let grants_ended = expired.len();
    let mut end = |grant: TemporaryGrant, words: String, until: i64| {
        let until = format_time(until);
        ended.push(format!("{words} (until {until})"));
        expired.push(Temporary { grant, until });
    };
    let role_ended = membership.role_until.filter(|u| *u <= now);
    if let Some(until) = role_ended {
        end(TemporaryGrant::AdminRole, "the Admin role".into(), until);
        m.role = Set(membership
            .role_restore
            .clone()
            .unwrap_or_else(|| Role::User.as_str().into()));
        m.role_until = Set(None);
        m.role_restore = Set(None);
    }
    if let Some(until) = membership.template_until.filter(|u| *u <= now) {
        let name = match membership.role_template_id {
            Some(id) => role_templates::Entity::find_by_id(id)
                .one(&*txn)
                .await?
                .map(|t| t.name),
            None => None,
        };
        end(
            TemporaryGrant::Template(name.clone().unwrap_or_default()),
            match name {
                Some(name) => format!("the role template “{name}”"),
                None => "the temporary role template".into(),
            },
            until,
        );
        m.role_template_id = Set(membership.template_restore_id);
        m.template_until = Set(None);
        m.template_restore_id = Set(None);
    }
    // CRM access came with the Admin role (given apart, it has its own end).
    let still_admin = membership.role == Role::Admin.as_str() && role_ended.is_none();
    if let Some(until) = membership.crm_until.filter(|u| *u <= now) {
        end(TemporaryGrant::Crm, "CRM access".into(), until);
        m.crm_access = Set(still_admin);
        m.crm_until = Set(None);
    }
    if let Some(until) = membership.beta_until.filter(|u| *u <= now) {
        end(TemporaryGrant::Beta, "beta access".into(), until);
        m.beta_access = Set(false);
        m.beta_until = Set(None);
    }
    // Anything of the membership row itself ended (not only direct grants).
    if expired.len() > grants_ended {
        given_by.extend(membership.temporary_by.clone());
        let still_temporary = [
            membership.template_until,
            membership.crm_until,
            membership.role_until,
            membership.beta_until,
        ]
        .into_iter()
        .flatten()
        .any(|until| until > now);
        if !still_temporary {
            m.temporary_by = Set(None);
        }
        m.updated_at = Set(now);
        m.update(&*txn).await?;
    }
    if ended.is_empty() {
        return Ok(false);
    }
    let entry = AuditEntry::new(Some(membership.tenant_id), EXPIRED_ACTION, "membership")
        .target(Some(id), &email)
        .before(json!({
            "role": membership.role,
            "template_id": membership.role_template_id,
            "crm_access": membership.crm_access,
            "beta_access": membership.beta_access,
        }))
        .after(json!({ "ended": ended, "granted_by": given_by, "expired": expired }));
    audit::commit_with(txn, now, &AuditActor::system(EXPIRY), entry).await?;
    Ok(true)
}
