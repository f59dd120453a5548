//! Provisioning settings (Settings → Tenant) and verified-domain auto-join (seed
//! 003, just-in-time): the operator verifies a domain for a tenant from the command
//! line (trusted: no DNS lookup); an admin may then let people with an email at it
//! join by themselves, as User with a chosen role template, up to a seat cap. A
//! signed-in account at that domain without a membership there sees "Join" on its
//! home page. Joining takes a seat, is audited, and is refused where only a group's
//! members may sign in.

use crate::backend::entities::{accounts, memberships, role_templates, tenant_domains, tenants};
use crate::backend::kernel::actor::Actor;
use crate::backend::kernel::audit::{self, AuditActor, AuditEntry};
use crate::backend::kernel::db::Db;
use crate::backend::kernel::directory::{
    find_tenant_by_name, lock_tenant, membership_of, seats_used, template_in_tenant,
};
use crate::backend::kernel::policy::user_manager;
use crate::backend::kernel::request::RequestMeta;
use crate::backend::AppState;
use crate::domain::tenant::{parse_domain, JoinOffer, ProvisioningSettings};
use crate::domain::{AppError, MembershipStatus, Role};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, Set,
};
use serde_json::json;

/// How memberships made by auto-join are marked (`memberships.provisioned_by`).
pub const AUTO_JOIN: &str = "auto_join";

/// The operator verifies `domain` for the tenant named `tenant_name`.
pub async fn add_domain(
    db: &Db,
    now_ms: i64,
    tenant_name: &str,
    domain: &str,
) -> Result<String, AppError> {
    let domain = parse_domain(domain)?;
    let txn = db.begin_write().await?;
    let tenant = find_tenant_by_name(&*txn, tenant_name)
        .await?
        .ok_or_else(|| {
            AppError::field(
                "tenant",
                format!("No tenant is named “{}”.", tenant_name.trim()),
            )
        })?;
    let exists = tenant_domains::Entity::find()
        .filter(tenant_domains::Column::TenantId.eq(tenant.id))
        .filter(tenant_domains::Column::Domain.eq(domain.clone()))
        .one(&*txn)
        .await?
        .is_some();
    if exists {
        return Ok(format!("{domain} is already verified for {}.", tenant.name));
    }
    tenant_domains::ActiveModel {
        tenant_id: Set(tenant.id),
        domain: Set(domain.clone()),
        created_at: Set(now_ms),
        ..Default::default()
    }
    .insert(&*txn)
    .await?;
    audit::commit_with(
        txn,
        now_ms,
        &AuditActor::system("operator (command line)"),
        AuditEntry::new(Some(tenant.id), "tenant.domain_verified", "tenant")
            .target(Some(tenant.id), &tenant.name)
            .after(json!({ "domain": domain })),
    )
    .await?;
    Ok(format!(
        "{domain} is verified for {}. Its admins can now let people at {domain} join by themselves (Settings → Tenant → Provisioning).",
        tenant.name
    ))
}

async fn domains_of(conn: &impl ConnectionTrait, tenant_id: i64) -> Result<Vec<String>, AppError> {
    Ok(tenant_domains::Entity::find()
        .filter(tenant_domains::Column::TenantId.eq(tenant_id))
        .order_by_asc(tenant_domains::Column::Domain)
        .all(conn)
        .await?
        .into_iter()
        .map(|d| d.domain)
        .collect())
}

async fn auto_joined(conn: &impl ConnectionTrait, tenant_id: i64) -> Result<i64, AppError> {
    let n = memberships::Entity::find()
        .filter(memberships::Column::TenantId.eq(tenant_id))
        .filter(memberships::Column::ProvisionedBy.eq(AUTO_JOIN))
        .count(conn)
        .await?;
    Ok(i64::try_from(n).unwrap_or(i64::MAX))
}

/// The provisioning settings as they stand (people managers see them; admins change them).
pub async fn settings(
    conn: &impl ConnectionTrait,
    actor: &Actor,
) -> Result<ProvisioningSettings, AppError> {
    let grantor = user_manager(conn, actor).await?;
    let tenant = tenants::Entity::find_by_id(actor.tenant.id)
        .one(conn)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(ProvisioningSettings {
        scim_invites: tenant.scim_invites,
        auto_join_on: tenant.auto_join_on,
        auto_join_template_id: tenant.auto_join_template_id,
        auto_join_seat_cap: tenant.auto_join_seat_cap,
        auto_joined: auto_joined(conn, tenant.id).await?,
        domains: domains_of(conn, tenant.id).await?,
        templates: role_templates::Entity::find()
            .filter(role_templates::Column::TenantId.eq(tenant.id))
            .order_by_asc(role_templates::Column::Name)
            .all(conn)
            .await?
            .into_iter()
            .map(|t| (t.id, t.name))
            .collect(),
        can_manage: grantor.is_admin,
    })
}

/// What an admin may change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProvisioningChange {
    pub scim_invites: bool,
    pub auto_join_on: bool,
    pub template_id: Option<i64>,
    pub seat_cap: Option<i64>,
}

/// Saves the provisioning settings (admins only; audited).
pub async fn set(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    change: ProvisioningChange,
) -> Result<(), AppError> {
    let txn = state.db.begin_write().await?;
    user_manager(&*txn, actor).await?.require_admin()?;
    let tenant = lock_tenant(&*txn, actor.tenant.id).await?;
    if let Some(id) = change.template_id {
        template_in_tenant(&*txn, tenant.id, id)
            .await
            .map_err(|e| match e {
                AppError::NotFound => {
                    AppError::field("template_id", "Choose one of this tenant's role templates.")
                }
                other => other,
            })?;
    }
    if change.auto_join_on && domains_of(&*txn, tenant.id).await?.is_empty() {
        return Err(AppError::field(
            "auto_join_on",
            "No domain is verified for this tenant yet. Ask the operator of this Gatehouse to verify your email domain first.",
        ));
    }
    let before = json!({
        "scim_invites": tenant.scim_invites, "auto_join_on": tenant.auto_join_on,
        "auto_join_template_id": tenant.auto_join_template_id, "auto_join_seat_cap": tenant.auto_join_seat_cap,
    });
    let after = json!({
        "scim_invites": change.scim_invites, "auto_join_on": change.auto_join_on,
        "auto_join_template_id": change.template_id, "auto_join_seat_cap": change.seat_cap,
    });
    if before == after {
        return Ok(());
    }
    let mut t: tenants::ActiveModel = tenant.into();
    t.scim_invites = Set(change.scim_invites);
    t.auto_join_on = Set(change.auto_join_on);
    t.auto_join_template_id = Set(change.template_id);
    t.auto_join_seat_cap = Set(change.seat_cap);
    t.update(&*txn).await?;
    audit::commit_with(
        txn,
        state.now_ms(),
        &actor.audit_actor(meta),
        AuditEntry::new(
            Some(actor.tenant.id),
            "tenant.provisioning_changed",
            "tenant",
        )
        .target(Some(actor.tenant.id), &actor.tenant.name)
        .before(before)
        .after(after),
    )
    .await
}

fn domain_of(email: &str) -> &str {
    email.rsplit_once('@').map(|(_, d)| d).unwrap_or_default()
}

/// The tenants `account` may join by itself now: auto-join on, its email's domain
/// verified there, no membership there yet, and sign-in not restricted to a group.
pub async fn offers(
    conn: &impl ConnectionTrait,
    account: &accounts::Model,
) -> Result<Vec<JoinOffer>, AppError> {
    let domain = domain_of(&account.email).to_ascii_lowercase();
    if domain.is_empty() || account.disabled_at.is_some() {
        return Ok(Vec::new());
    }
    let verified = tenant_domains::Entity::find()
        .filter(tenant_domains::Column::Domain.eq(domain.clone()))
        .all(conn)
        .await?;
    let mut out = Vec::new();
    for d in verified {
        let Some(tenant) = tenants::Entity::find_by_id(d.tenant_id).one(conn).await? else {
            continue;
        };
        if !tenant.auto_join_on
            || tenant.sign_in_group_id.is_some()
            || membership_of(conn, tenant.id, account.id).await?.is_some()
        {
            continue;
        }
        let template = match tenant.auto_join_template_id {
            Some(id) => role_templates::Entity::find_by_id(id)
                .one(conn)
                .await?
                .map(|t| t.name),
            None => None,
        };
        out.push(JoinOffer {
            tenant_id: tenant.id,
            kind: crate::backend::kernel::stored::decode(&tenant.kind)?,
            tenant_name: tenant.name,
            template,
            domain: domain.clone(),
        });
    }
    out.sort_by(|a, b| a.tenant_name.cmp(&b.tenant_name));
    Ok(out)
}

/// Joins the tenant `tenant_id` by auto-join, as the signed-in account: a seat, an
/// active membership as User with the tenant's template, audited.
pub async fn join(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    tenant_id: i64,
) -> Result<(), AppError> {
    let now = state.now_ms();
    let txn = state.db.begin_write().await?;
    let tenant = lock_tenant(&*txn, tenant_id).await?;
    let account = accounts::Entity::find_by_id(actor.account.id)
        .one(&*txn)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    let domain = domain_of(&account.email).to_ascii_lowercase();
    let verified = tenant_domains::Entity::find()
        .filter(tenant_domains::Column::TenantId.eq(tenant.id))
        .filter(tenant_domains::Column::Domain.eq(domain))
        .one(&*txn)
        .await?
        .is_some();
    // Another tenant's id, or one that doesn't offer this account a place, reads
    // as missing: nothing about it is told.
    if !verified || !tenant.auto_join_on || account.disabled_at.is_some() {
        return Err(AppError::NotFound);
    }
    if membership_of(&*txn, tenant.id, account.id).await?.is_some() {
        return Err(AppError::Conflict(format!(
            "You are already a member of {}. Switch to it from the tenant menu.",
            tenant.name
        )));
    }
    if tenant.sign_in_group_id.is_some() {
        return Err(AppError::Conflict(format!(
            "Only the members of one group can sign in to {}, so joining by yourself isn't possible. Ask one of its admins to invite you.",
            tenant.name
        )));
    }
    if seats_used(&*txn, tenant.id).await? >= tenant.seat_limit {
        return Err(AppError::Conflict(format!(
            "All seats of {} are in use. Ask one of its admins to free a seat or invite you.",
            tenant.name
        )));
    }
    if let Some(cap) = tenant.auto_join_seat_cap {
        if auto_joined(&*txn, tenant.id).await? >= cap {
            let people = if cap == 1 {
                "1 person".to_string()
            } else {
                format!("{cap} people")
            };
            return Err(AppError::Conflict(format!(
                "{} lets {people} join by themselves, and that many have. Ask one of its admins to invite you.",
                tenant.name
            )));
        }
    }
    let membership = memberships::ActiveModel {
        tenant_id: Set(tenant.id),
        account_id: Set(account.id),
        role: Set(Role::User.as_str().to_string()),
        role_template_id: Set(tenant.auto_join_template_id),
        status: Set(MembershipStatus::Active.as_str().to_string()),
        crm_access: Set(false),
        beta_access: Set(false),
        created_at: Set(now),
        updated_at: Set(now),
        provisioned_by: Set(Some(AUTO_JOIN.to_string())),
        ..Default::default()
    }
    .insert(&*txn)
    .await?;
    audit::commit_with(
        txn,
        now,
        &AuditActor::account(&account, meta),
        AuditEntry::new(Some(tenant.id), "member.auto_joined", "membership")
            .target(Some(membership.id), &account.email)
            .after(json!({ "role": "user", "template_id": tenant.auto_join_template_id, "status": "active" })),
    )
    .await
}
