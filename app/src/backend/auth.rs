//! Sign-in, the signed-in actor, tenant switching and sign-out.

use super::audit::{self, AuditActor, AuditEntry};
use super::entities::{accounts, memberships, sessions as session_rows, tenants};
use super::request::RequestMeta;
use super::sessions::{self, NewSession, STAGE_FULL};
use super::tenants::{active_tenants_of, find_account_by_email, membership_of};
use super::throttle;
use super::AppState;
use crate::domain::{AppError, Email, MembershipStatus, Role, TenantKind};
use sea_orm::{ActiveModelTrait, EntityTrait, Set};
use serde_json::json;

/// Longest password input we will hash at sign-in; longer input is refused without
/// hashing so huge bodies cannot be used to burn CPU.
pub const MAX_SIGN_IN_PASSWORD_BYTES: usize = 4096;

/// A successful sign-in: the cookie token and where the session starts.
#[derive(Debug)]
pub struct SignedIn {
    pub token: String,
    pub tenant_id: i64,
}

/// The person behind a request, in the tenant their session is in. Holding an
/// `Actor` is the proof that the session is live and the membership active.
#[derive(Debug, Clone)]
pub struct Actor {
    pub session: session_rows::Model,
    pub account: accounts::Model,
    pub tenant: tenants::Model,
    pub membership: memberships::Model,
}

impl Actor {
    pub fn role(&self) -> Role {
        Role::parse(&self.membership.role).unwrap_or(Role::User)
    }
    pub fn tenant_kind(&self) -> TenantKind {
        TenantKind::parse(&self.tenant.kind).unwrap_or(TenantKind::Production)
    }
    /// The actor's name, or their email when they have not set one.
    pub fn display_label(&self) -> &str {
        if self.account.display_name.is_empty() {
            &self.account.email
        } else {
            &self.account.display_name
        }
    }

    pub fn audit_actor(&self, meta: &RequestMeta) -> AuditActor {
        AuditActor::account(&self.account, meta)
    }
}

fn refused() -> AppError {
    AppError::SignInRefused
}

/// Checks an email and password and opens a session in the tenant the account used
/// last. Every refusal (unknown email, wrong password, no active membership) gives the
/// same error after the same amount of hashing work.
pub async fn sign_in(
    state: &AppState,
    email: &str,
    password: &str,
    meta: &RequestMeta,
) -> Result<SignedIn, AppError> {
    let mut problems = Vec::new();
    if email.trim().is_empty() {
        problems.push(crate::domain::FieldError::new(
            "email",
            "Enter your email address.",
        ));
    }
    if password.is_empty() {
        problems.push(crate::domain::FieldError::new(
            "password",
            "Enter your password.",
        ));
    }
    if !problems.is_empty() {
        return Err(AppError::Validation(problems));
    }
    let email = Email::parse(email).map_err(|e| AppError::field("email", e.to_string()))?;
    let now = state.now_ms();
    let conn = state.db.conn();
    // Every attempt counts against the caller's IP, whatever the email.
    {
        let txn = state.db.begin_write().await?;
        let key = format!("sign_in:ip:{}", meta.ip);
        let limit = state.settings.sign_in_attempts_per_ip_per_minute;
        let counted = throttle::count_attempt(&*txn, &key, now, 60, limit).await;
        txn.commit().await?;
        counted?;
    }
    let account = find_account_by_email(conn, &email).await?;
    let locked = account
        .as_ref()
        .is_some_and(|a| throttle::is_locked(a, now));
    // A locked account, or an absurdly long password, still costs one hash so the
    // answer takes as long as any other refusal.
    let password_ok = if locked || password.len() > MAX_SIGN_IN_PASSWORD_BYTES {
        state.hasher.verify("", None).await
    } else {
        let hash = account.as_ref().and_then(|a| a.password_hash.as_deref());
        state.hasher.verify(password, hash).await
    };
    let attempt_actor = AuditActor {
        account_id: account.as_ref().map(|a| a.id),
        email: email.to_string(),
        ip: meta.ip.clone(),
    };

    let target = match (&account, password_ok) {
        (Some(account), true) => active_tenants_of(conn, account.id)
            .await?
            .into_iter()
            .next(),
        _ => None,
    };
    let (Some(account), Some(access)) = (account.clone(), target) else {
        let txn = state.db.begin_write().await?;
        let reason = if locked {
            "account locked"
        } else if password_ok {
            "no active membership"
        } else {
            "wrong email or password"
        };
        audit::record(
            &*txn,
            now,
            &attempt_actor,
            AuditEntry::new(None, "sign_in.failed", "account")
                .target(None, email.as_str())
                .after(json!({"reason": reason})),
        )
        .await?;
        if let (Some(account), false, false) = (&account, locked, password_ok) {
            if throttle::record_failure(&*txn, account, now, state.settings.lockout_threshold)
                .await?
            {
                audit::record(
                    &*txn,
                    now,
                    &attempt_actor,
                    AuditEntry::new(None, "account.locked", "account")
                        .target(Some(account.id), &account.email),
                )
                .await?;
            }
        }
        txn.commit().await?;
        return Err(refused());
    };

    let txn = state.db.begin_write().await?;
    let (token, _) = sessions::create(
        &*txn,
        &state.settings,
        now,
        NewSession {
            account_id: account.id,
            tenant_id: Some(access.tenant.id),
            stage: STAGE_FULL,
            ip: &meta.ip,
            user_agent: &meta.user_agent,
        },
    )
    .await?;
    let mut membership: memberships::ActiveModel = access.membership.clone().into();
    membership.last_login_at = Set(Some(now));
    membership.update(&*txn).await?;
    throttle::record_success(&*txn, &account).await?;
    audit::record(
        &*txn,
        now,
        &attempt_actor,
        AuditEntry::new(Some(access.tenant.id), "sign_in.succeeded", "account")
            .target(Some(account.id), &account.email),
    )
    .await?;
    // Sign-in rotates the session: whatever session the browser held before is gone.
    if let Some(old) = &meta.session_token {
        sessions::delete_by_token(&*txn, old).await?;
    }
    txn.commit().await?;
    Ok(SignedIn {
        token,
        tenant_id: access.tenant.id,
    })
}

/// The actor for a request, or `Unauthenticated`.
pub async fn current_actor(state: &AppState, meta: &RequestMeta) -> Result<Actor, AppError> {
    let token = meta
        .session_token
        .as_deref()
        .ok_or(AppError::Unauthenticated)?;
    let now = state.now_ms();
    let conn = state.db.conn();
    let session = sessions::find_live(conn, &state.settings, now, token)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    if session.stage != STAGE_FULL {
        return Err(AppError::Unauthenticated);
    }
    let tenant_id = session.tenant_id.ok_or(AppError::Unauthenticated)?;
    let membership = membership_of(conn, tenant_id, session.account_id)
        .await?
        .filter(|m| m.status == MembershipStatus::Active.as_str())
        .ok_or(AppError::Unauthenticated)?;
    let account = accounts::Entity::find_by_id(session.account_id)
        .one(conn)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    let tenant = tenants::Entity::find_by_id(tenant_id)
        .one(conn)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    sessions::touch(conn, &session, now).await?;
    Ok(Actor {
        session,
        account,
        tenant,
        membership,
    })
}

/// Moves the actor's session into another tenant where the account is an active
/// member. Any other tenant id answers exactly like one that does not exist.
pub async fn switch_tenant(
    state: &AppState,
    actor: &Actor,
    tenant_id: i64,
    meta: &RequestMeta,
) -> Result<(), AppError> {
    let now = state.now_ms();
    let txn = state.db.begin_write().await?;
    let membership = membership_of(&*txn, tenant_id, actor.account.id)
        .await?
        .filter(|m| m.status == MembershipStatus::Active.as_str())
        .ok_or(AppError::NotFound)?;
    let mut session: session_rows::ActiveModel = actor.session.clone().into();
    session.tenant_id = Set(Some(tenant_id));
    session.last_seen_at = Set(now);
    session.update(&*txn).await?;
    let mut m: memberships::ActiveModel = membership.into();
    m.last_login_at = Set(Some(now));
    m.update(&*txn).await?;
    audit::record(
        &*txn,
        now,
        &actor.audit_actor(meta),
        AuditEntry::new(Some(tenant_id), "session.switched_tenant", "account")
            .target(Some(actor.account.id), &actor.account.email)
            .before(json!({"tenant_id": actor.tenant.id})),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Ends the session server-side; the cookie is worthless afterwards.
pub async fn sign_out(state: &AppState, meta: &RequestMeta) -> Result<(), AppError> {
    let Some(token) = meta.session_token.as_deref() else {
        return Ok(());
    };
    let txn = state.db.begin_write().await?;
    sessions::delete_by_token(&*txn, token).await?;
    txn.commit().await?;
    Ok(())
}
