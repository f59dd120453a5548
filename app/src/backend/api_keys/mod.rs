//! Settings → API keys (issue 13): keys a tenant's programs use to ask Gatehouse
//! about its people. Managing keys needs the integrations-manage permission and a
//! plan that includes API keys (the one feature evaluation says which is missing).
//! A secret is 256 random bits after a recognisable prefix, shown once; only its
//! SHA-256 is stored. Creating, first use and revoking are audited; an id of another
//! tenant answers like a missing one.

pub mod check;
pub mod decisions;

use crate::backend::entities::{api_keys, tenants};
use crate::backend::kernel::actor::Actor;
use crate::backend::kernel::audit::{self, AuditActor, AuditEntry};
use crate::backend::kernel::clock::format_time;
use crate::backend::kernel::crypto::{hash_token, random_token};
use crate::backend::kernel::policy::require_feature;
use crate::backend::kernel::request::RequestMeta;
use crate::backend::kernel::stored::decode;
use crate::backend::AppState;
use crate::domain::api_keys::{
    parse_key_name, parse_scopes, scopes_from_stored, scopes_to_stored, secret_prefix, ApiKeyState,
    ApiKeyView, ApiScope, CreatedApiKey, NewApiKey, SECRET_PREFIX,
};
use crate::domain::time::At;
use crate::domain::AppError;
use crate::domain::{Feature, Plan, PlanFeature};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use serde_json::json;

/// A key may be made to expire at most this far ahead (or never).
pub const MAX_EXPIRY_MS: i64 = 2 * 366 * 24 * 3_600_000;

/// The end of the day `text` names (`YYYY-MM-DD`, UTC), or `None` when empty.
fn parse_expiry(text: &str, now: i64) -> Result<Option<i64>, AppError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let error = |message: &str| AppError::field("expires", message);
    let end = chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(23, 59, 59))
        .map(|t| t.and_utc().timestamp_millis())
        .ok_or_else(|| error("Enter a date like 2027-06-30, or leave it empty."))?;
    if end <= now {
        return Err(error(
            "Choose a date in the future, or leave it empty for a key that does not expire.",
        ));
    }
    if end - now > MAX_EXPIRY_MS {
        return Err(error(
            "A key can be set to expire at most two years ahead; leave it empty for no expiry.",
        ));
    }
    Ok(Some(end))
}

fn state_of(key: &api_keys::Model, now: i64) -> ApiKeyState {
    if key.revoked_at.is_some() {
        ApiKeyState::Revoked
    } else if key.expires_at.is_some_and(|end| end <= now) {
        ApiKeyState::Expired
    } else {
        ApiKeyState::Active
    }
}

fn view(key: api_keys::Model, now: i64) -> ApiKeyView {
    let state = state_of(&key, now);
    ApiKeyView {
        id: key.id,
        shown: format!("{}…", key.prefix),
        scopes: scopes_from_stored(&key.scopes),
        created_by: key.created_by,
        created: At(key.created_at),
        last_used: key.last_used_at.map(At),
        expires: key.expires_at.map(At),
        state,
        revoked: key.revoked_at.map(|at| match &key.revoked_by {
            Some(by) => format!("by {by}, {}", format_time(at)),
            None => format_time(at),
        }),
        name: key.name,
    }
}

/// The tenant's keys, newest first.
pub async fn list(conn: &impl ConnectionTrait, actor: &Actor) -> Result<Vec<ApiKeyView>, AppError> {
    require_feature(conn, actor, Feature::ApiKeys).await?;
    Ok(api_keys::Entity::find()
        .filter(api_keys::Column::TenantId.eq(actor.tenant.id))
        .order_by_desc(api_keys::Column::Id)
        .all(conn)
        .await?
        .into_iter()
        .map(|k| view(k, actor.now))
        .collect())
}

/// Creates a key; the answer carries its secret, which is never readable again.
pub async fn create(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    input: &NewApiKey,
) -> Result<CreatedApiKey, AppError> {
    let now = state.now_ms();
    let name = parse_key_name(&input.name);
    let scopes = parse_scopes(&input.scopes);
    let expires = parse_expiry(&input.expires, now);
    let (name, scopes, expires) = match (name, scopes, expires) {
        (Ok(n), Ok(s), Ok(e)) => (n, s, e),
        (n, s, e) => {
            return Err(AppError::fields_of(
                [n.err(), s.err(), e.err()].into_iter().flatten(),
            ))
        }
    };
    let txn = state.db.begin_write().await?;
    require_feature(&*txn, actor, Feature::ApiKeys).await?;
    let secret = format!("{SECRET_PREFIX}{}", random_token());
    let key = api_keys::ActiveModel {
        tenant_id: Set(actor.tenant.id),
        name: Set(name.clone()),
        prefix: Set(secret_prefix(&secret)),
        secret_hash: Set(hash_token(&secret)),
        scopes: Set(scopes_to_stored(&scopes)),
        created_by: Set(actor.account.email.clone()),
        created_at: Set(now),
        expires_at: Set(expires),
        ..Default::default()
    }
    .insert(&*txn)
    .await?;
    let scope_keys: Vec<&str> = scopes.iter().map(|s| s.as_str()).collect();
    audit::commit_with(
        txn,
        now,
        &actor.audit_actor(meta),
        AuditEntry::new(Some(actor.tenant.id), "api_key.created", "api_key")
            .target(Some(key.id), &name)
            .after(json!({ "scopes": scope_keys, "expires": expires.map(format_time) })),
    )
    .await?;
    Ok(CreatedApiKey {
        id: key.id,
        name,
        secret,
    })
}

/// Revokes a key: it stops working at once and stays listed as revoked.
pub async fn revoke(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    id: i64,
) -> Result<(), AppError> {
    let txn = state.db.begin_write().await?;
    require_feature(&*txn, actor, Feature::ApiKeys).await?;
    let key = api_keys::Entity::find_by_id(id)
        .filter(api_keys::Column::TenantId.eq(actor.tenant.id))
        .one(&*txn)
        .await?
        .ok_or(AppError::NotFound)?;
    if key.revoked_at.is_some() {
        return Ok(());
    }
    let now = state.now_ms();
    let name = key.name.clone();
    let mut active: api_keys::ActiveModel = key.into();
    active.revoked_at = Set(Some(now));
    active.revoked_by = Set(Some(actor.account.email.clone()));
    active.update(&*txn).await?;
    audit::commit_with(
        txn,
        now,
        &actor.audit_actor(meta),
        AuditEntry::new(Some(actor.tenant.id), "api_key.revoked", "api_key")
            .target(Some(id), &name),
    )
    .await?;
    Ok(())
}

/// A key that was presented and holds the scope asked for.
#[derive(Debug, Clone)]
pub struct KeyUse {
    pub key_id: i64,
    pub tenant_id: i64,
    /// The key's tenant, as read when the key was presented.
    pub tenant: tenants::Model,
    pub name: String,
    pub scopes: Vec<ApiScope>,
    /// The email of the member who created it: whom it acts for.
    pub created_by: String,
}

impl KeyUse {
    /// The member the key acts for, with no more than they hold now.
    pub async fn actor(&self, state: &AppState) -> Result<Actor, AppError> {
        crate::backend::kernel::actor::key_actor(state, &self.tenant, &self.created_by, &self.name)
            .await
    }
}

/// Finds the key behind `secret` and checks it holds `scope`. Its first use is
/// audited; "last used" moves at most once a minute.
pub async fn authenticate(
    state: &AppState,
    secret: &str,
    scope: ApiScope,
    ip: &str,
) -> Result<KeyUse, AppError> {
    let conn = state.db.conn();
    let now = state.now_ms();
    // Unknown, revoked and expired keys are refused alike: the holder may be guessing.
    let refused = || AppError::Unauthenticated;
    if !secret.starts_with(SECRET_PREFIX) {
        return Err(refused());
    }
    let key = api_keys::Entity::find()
        .filter(api_keys::Column::SecretHash.eq(hash_token(secret)))
        .one(conn)
        .await?
        .ok_or_else(refused)?;
    if state_of(&key, now) != ApiKeyState::Active {
        return Err(refused());
    }
    // A plan without API keys (the tenant moved to a smaller one) stops every key.
    let tenant = tenants::Entity::find_by_id(key.tenant_id)
        .one(conn)
        .await?
        .ok_or_else(refused)?;
    let plan: Plan = decode(&tenant.plan)?;
    if !plan.includes(PlanFeature::ApiKeys) {
        return Err(AppError::Forbidden(format!(
            "The {} plan does not include API keys, so this key can't be used. An admin can change the plan.",
            plan.label()
        )));
    }
    let scopes = scopes_from_stored(&key.scopes);
    if !scopes.contains(&scope) {
        return Err(AppError::Forbidden(format!(
            "This API key may not be used for “{}”. Create a key with that scope in Settings → API keys.",
            scope.label()
        )));
    }
    let first_use = key.last_used_at.is_none();
    if first_use || now - key.last_used_at.unwrap_or(0) >= 60_000 {
        let txn = state.db.begin_write().await?;
        api_keys::Entity::update_many()
            .col_expr(api_keys::Column::LastUsedAt, Expr::value(now))
            .filter(api_keys::Column::Id.eq(key.id))
            .exec(&*txn)
            .await?;
        if first_use {
            let by = AuditActor {
                account_id: None,
                email: format!("API key “{}”", key.name),
                ip: ip.to_string(),
            };
            audit::commit_with(
                txn,
                now,
                &by,
                AuditEntry::new(Some(key.tenant_id), "api_key.first_used", "api_key")
                    .target(Some(key.id), &key.name),
            )
            .await?;
        } else {
            txn.commit().await?;
        }
    }
    Ok(KeyUse {
        key_id: key.id,
        tenant_id: key.tenant_id,
        tenant,
        name: key.name,
        scopes,
        created_by: key.created_by,
    })
}
