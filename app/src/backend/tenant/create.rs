//! A tenant and its first admin (from the command line).

use crate::backend::entities::{accounts, memberships, tenants};
use crate::backend::kernel::audit::{self, AuditActor, AuditEntry};
use crate::backend::kernel::db::Db;
use crate::backend::kernel::directory::{find_account_by_email, find_tenant_by_name};
use crate::backend::kernel::passwords::{self, PasswordHasher};
use crate::domain::account::parse_display_name;
use crate::domain::password::{context_words, PasswordPolicy};
use crate::domain::tenant::parse_tenant_name;
use crate::domain::{AppError, Email, MembershipStatus, Plan, Role, TenantKind};
use sea_orm::{ActiveModelTrait, Set};
use serde_json::json;

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
        .map_err(crate::backend::internal)?;

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
