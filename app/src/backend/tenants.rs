//! Tenants and their first admin.

use super::audit::{self, AuditActor, AuditEntry};
use super::db::Db;
use super::entities::{accounts, memberships, tenants};
use super::passwords::{self, PasswordHasher};
use crate::domain::password::{context_words, PasswordPolicy};
use crate::domain::text::parse_short_text;
use crate::domain::{AppError, Email, MembershipStatus, Plan, Role, TenantKind};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set,
};
use serde_json::json;

pub const MAX_TENANT_NAME_CHARS: usize = 80;

/// A tenant name: trimmed, 2 to 80 characters, no control characters.
pub fn parse_tenant_name(input: &str) -> Result<String, AppError> {
    let name = parse_short_text(input, "tenant", "tenant name", MAX_TENANT_NAME_CHARS)?;
    if name.chars().count() < 2 {
        return Err(AppError::field(
            "tenant",
            "Enter a tenant name of at least 2 characters.",
        ));
    }
    Ok(name)
}

/// A display name: trimmed, at most 100 characters, no control characters (may be empty).
pub fn parse_display_name(input: &str) -> Result<String, AppError> {
    parse_short_text(input, "display_name", "name", 100)
}

pub struct NewTenantWithAdmin {
    pub tenant_name: String,
    pub kind: TenantKind,
    pub plan: Plan,
    pub email: String,
    pub display_name: String,
    pub password: String,
}

/// Creates a tenant and its first admin, or nothing at all.
pub async fn create_tenant_with_admin(
    db: &Db,
    hasher: &PasswordHasher,
    policy: &PasswordPolicy,
    now_ms: i64,
    input: NewTenantWithAdmin,
) -> Result<(tenants::Model, accounts::Model), AppError> {
    let tenant_name = parse_tenant_name(&input.tenant_name)?;
    let email = Email::parse(&input.email).map_err(|e| AppError::field("email", e.to_string()))?;
    let display_name = parse_display_name(&input.display_name)?;
    passwords::check_new(
        policy,
        &input.password,
        false,
        &context_words(email.as_str(), std::slice::from_ref(&tenant_name)),
        "password",
    )?;
    let password_hash = hasher
        .hash(&input.password)
        .await
        .map_err(super::internal)?;

    let txn = db.begin_write().await?;
    if find_tenant_by_name(&*txn, &tenant_name).await?.is_some() {
        return Err(AppError::Conflict(format!(
            "A tenant named “{tenant_name}” already exists."
        )));
    }
    if find_account_by_email(&*txn, &email).await?.is_some() {
        return Err(AppError::Conflict(format!(
            "An account with the email {email} already exists."
        )));
    }
    let tenant = tenants::ActiveModel {
        name: Set(tenant_name.clone()),
        kind: Set(input.kind.as_str().to_string()),
        plan: Set(input.plan.as_str().to_string()),
        seat_limit: Set(input.plan.default_seat_limit()),
        require_admin_two_factor: Set(false),
        created_at: Set(now_ms),
        ..Default::default()
    }
    .insert(&*txn)
    .await?;
    let account = accounts::ActiveModel {
        email: Set(email.to_string()),
        display_name: Set(display_name),
        password_hash: Set(Some(password_hash)),
        password_changed_at: Set(Some(now_ms)),
        failed_sign_ins: Set(0),
        created_at: Set(now_ms),
        ..Default::default()
    }
    .insert(&*txn)
    .await?;
    let membership = memberships::ActiveModel {
        tenant_id: Set(tenant.id),
        account_id: Set(account.id),
        role: Set(Role::Admin.as_str().to_string()),
        status: Set(MembershipStatus::Active.as_str().to_string()),
        crm_access: Set(true),
        beta_access: Set(false),
        created_at: Set(now_ms),
        updated_at: Set(now_ms),
        ..Default::default()
    }
    .insert(&*txn)
    .await?;
    let cli = AuditActor::system("command line");
    audit::record(
        &*txn,
        now_ms,
        &cli,
        AuditEntry::new(Some(tenant.id), "tenant.created", "tenant")
            .target(Some(tenant.id), &tenant.name)
            .after(json!({"name": tenant.name, "kind": tenant.kind, "plan": tenant.plan, "seat_limit": tenant.seat_limit})),
    )
    .await?;
    audit::record(
        &*txn,
        now_ms,
        &cli,
        AuditEntry::new(Some(tenant.id), "member.created", "membership")
            .target(Some(membership.id), &account.email)
            .after(json!({"role": "admin", "status": "active"})),
    )
    .await?;
    txn.commit().await?;
    Ok((tenant, account))
}

/// Finds a tenant by name, ignoring case ("Acme" and "acme" are the same tenant).
pub async fn find_tenant_by_name(
    conn: &impl ConnectionTrait,
    name: &str,
) -> Result<Option<tenants::Model>, DbErr> {
    use sea_orm::sea_query::{Expr, Func};
    tenants::Entity::find()
        .filter(Expr::expr(Func::lower(Expr::col(tenants::Column::Name))).eq(name.to_lowercase()))
        .one(conn)
        .await
}

pub async fn find_account_by_email(
    conn: &impl ConnectionTrait,
    email: &Email,
) -> Result<Option<accounts::Model>, DbErr> {
    accounts::Entity::find()
        .filter(accounts::Column::Email.eq(email.as_str()))
        .one(conn)
        .await
}

pub async fn count_tenants(conn: &impl ConnectionTrait) -> Result<u64, DbErr> {
    use sea_orm::PaginatorTrait;
    tenants::Entity::find().count(conn).await
}

/// A tenant the account can enter, with the role it has there.
#[derive(Debug, Clone)]
pub struct TenantAccess {
    pub tenant: tenants::Model,
    pub membership: memberships::Model,
}

/// The tenants where the account is an active member, most recently used first.
pub async fn active_tenants_of(
    conn: &impl ConnectionTrait,
    account_id: i64,
) -> Result<Vec<TenantAccess>, DbErr> {
    Ok(memberships_of(conn, account_id)
        .await?
        .into_iter()
        .filter(|a| a.membership.status == MembershipStatus::Active.as_str())
        .collect())
}

/// Every membership of an account, whatever its status, with its tenant; the most
/// recently used first.
pub async fn memberships_of(
    conn: &impl ConnectionTrait,
    account_id: i64,
) -> Result<Vec<TenantAccess>, DbErr> {
    let mut memberships = memberships::Entity::find()
        .filter(memberships::Column::AccountId.eq(account_id))
        .all(conn)
        .await?;
    // Sorted here, not in SQL: SQLite and PostgreSQL place NULLs differently.
    memberships.sort_by_key(|m| (std::cmp::Reverse(m.last_login_at.unwrap_or(0)), m.id));
    if memberships.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<i64> = memberships.iter().map(|m| m.tenant_id).collect();
    let tenants = tenants::Entity::find()
        .filter(tenants::Column::Id.is_in(ids))
        .all(conn)
        .await?;
    Ok(memberships
        .into_iter()
        .filter_map(|membership| {
            let tenant = tenants
                .iter()
                .find(|t| t.id == membership.tenant_id)?
                .clone();
            Some(TenantAccess { tenant, membership })
        })
        .collect())
}

/// The names of every tenant an account belongs to (words a password must avoid).
pub async fn tenant_names_of(
    conn: &impl ConnectionTrait,
    account_id: i64,
) -> Result<Vec<String>, DbErr> {
    Ok(memberships_of(conn, account_id)
        .await?
        .into_iter()
        .map(|a| a.tenant.name)
        .collect())
}

/// The membership of an account in a tenant, whatever its status.
pub async fn membership_of(
    conn: &impl ConnectionTrait,
    tenant_id: i64,
    account_id: i64,
) -> Result<Option<memberships::Model>, DbErr> {
    memberships::Entity::find()
        .filter(memberships::Column::TenantId.eq(tenant_id))
        .filter(memberships::Column::AccountId.eq(account_id))
        .one(conn)
        .await
}

/// Turns "Require two-factor for admins" on or off. Admins without two-factor are
/// asked to set it up at their next sign-in; current sessions continue.
pub async fn set_require_admin_two_factor(
    state: &super::AppState,
    actor: &super::auth::Actor,
    on: bool,
    meta: &super::request::RequestMeta,
) -> Result<(), AppError> {
    let conn = state.db.conn();
    super::members::require_user_admin(conn, actor).await?;
    let now = state.now_ms();
    let txn = state.db.begin_write().await?;
    let tenant = tenants::Entity::find_by_id(actor.tenant.id)
        .one(&*txn)
        .await?
        .ok_or(AppError::NotFound)?;
    if tenant.require_admin_two_factor == on {
        return Ok(());
    }
    let mut t: tenants::ActiveModel = tenant.into();
    t.require_admin_two_factor = Set(on);
    t.update(&*txn).await?;
    audit::record(
        &*txn,
        now,
        &actor.audit_actor(meta),
        AuditEntry::new(Some(actor.tenant.id), "tenant.security_changed", "tenant")
            .target(Some(actor.tenant.id), &actor.tenant.name)
            .before(json!({"require_admin_two_factor": !on}))
            .after(json!({"require_admin_two_factor": on})),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}
