//! Sign-in, the signed-in actor, tenant switching and sign-out.

use super::audit::{self, AuditActor, AuditEntry};
use super::entities::{accounts, memberships, sessions as session_rows, tenants};
use super::request::RequestMeta;
use super::sessions::{self, STAGE_ENROL, STAGE_FULL, STAGE_TWO_FACTOR};
use super::tenants::{active_tenants_of, find_account_by_email, membership_of};
use super::throttle;
use super::two_factor::{self, Proof};
use super::AppState;
use crate::api::dto::TotpSetup;
use crate::domain::{AppError, Email, MembershipStatus, Role, TenantKind};
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, Set};
use serde_json::json;

/// Longest password input we will hash at sign-in; longer input is refused without
/// hashing so huge bodies cannot be used to burn CPU.
pub const MAX_SIGN_IN_PASSWORD_BYTES: usize = 4096;

/// A successful sign-in (or its first half): the cookie token, where the session
/// starts and what comes next.
#[derive(Debug)]
pub struct SignedIn {
    pub token: String,
    pub tenant_id: i64,
    pub next: NextStep,
}

/// What the browser shows after the password was accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NextStep {
    /// Signed in.
    Done,
    /// Ask for a code from the authenticator app.
    TwoFactor,
    /// The tenant requires two-factor of admins and this admin has none yet.
    EnrolTwoFactor,
}

impl NextStep {
    pub fn after(stage: &str) -> Self {
        match stage {
            STAGE_TWO_FACTOR => NextStep::TwoFactor,
            STAGE_ENROL => NextStep::EnrolTwoFactor,
            _ => NextStep::Done,
        }
    }
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
            count_failure(&*txn, state, account, &attempt_actor, now).await?;
        }
        txn.commit().await?;
        return Err(refused());
    };

    let stage = sign_in_stage(&account, &access.tenant, &access.membership);
    if stage == STAGE_FULL {
        let txn = state.db.begin_write().await?;
        let signed_in =
            finish_sign_in(&*txn, state, &account, &access.membership, meta, None).await?;
        txn.commit().await?;
        return Ok(signed_in);
    }
    // The password was right; the session waits for the second step.
    let txn = state.db.begin_write().await?;
    let token = sessions::open(
        &*txn,
        &state.settings,
        now,
        account.id,
        access.tenant.id,
        stage,
        meta,
    )
    .await?;
    txn.commit().await?;
    Ok(SignedIn {
        token,
        tenant_id: access.tenant.id,
        next: NextStep::after(stage),
    })
}

/// Where a sign-in with the right password stands: done, waiting for a code, or
/// waiting for the set-up a tenant requires of its admins.
pub fn sign_in_stage(
    account: &accounts::Model,
    tenant: &tenants::Model,
    membership: &memberships::Model,
) -> &'static str {
    if two_factor::is_enabled(account) {
        STAGE_TWO_FACTOR
    } else if tenant.require_admin_two_factor && membership.role == Role::Admin.as_str() {
        STAGE_ENROL
    } else {
        STAGE_FULL
    }
}

/// Counts a wrong password or code against the account; when that locks it, the
/// lock goes into the audit trail too.
pub(crate) async fn count_failure(
    conn: &impl ConnectionTrait,
    state: &AppState,
    account: &accounts::Model,
    who: &AuditActor,
    now_ms: i64,
) -> Result<(), AppError> {
    if throttle::record_failure(conn, account, now_ms, state.settings.lockout_threshold).await? {
        audit::record(
            conn,
            now_ms,
            who,
            AuditEntry::new(None, "account.locked", "account")
                .target(Some(account.id), &account.email),
        )
        .await?;
    }
    Ok(())
}

/// Opens the full session (a new token: whatever the browser held before is gone),
/// stamps the last login, clears the failure count and records the sign-in.
async fn finish_sign_in(
    conn: &impl ConnectionTrait,
    state: &AppState,
    account: &accounts::Model,
    membership: &memberships::Model,
    meta: &RequestMeta,
    second_factor: Option<Proof>,
) -> Result<SignedIn, AppError> {
    let now = state.now_ms();
    let token = sessions::open(
        conn,
        &state.settings,
        now,
        account.id,
        membership.tenant_id,
        STAGE_FULL,
        meta,
    )
    .await?;
    let mut m: memberships::ActiveModel = membership.clone().into();
    m.last_login_at = Set(Some(now));
    m.update(conn).await?;
    throttle::record_success(conn, account).await?;
    let mut entry = AuditEntry::new(Some(membership.tenant_id), "sign_in.succeeded", "account")
        .target(Some(account.id), &account.email);
    if let Some(proof) = second_factor {
        entry = entry.after(json!({"second_factor": proof.as_str()}));
    }
    audit::record(conn, now, &AuditActor::account(account, meta), entry).await?;
    Ok(SignedIn {
        token,
        tenant_id: membership.tenant_id,
        next: NextStep::Done,
    })
}

/// A session with its account, active membership and tenant.
type SessionParts = (
    session_rows::Model,
    accounts::Model,
    memberships::Model,
    tenants::Model,
);

/// The half-way session of this request in `stage`, its account and membership;
/// `Unauthenticated` when there is none (expired, or never started).
async fn pending(
    state: &AppState,
    meta: &RequestMeta,
    stage: &str,
) -> Result<SessionParts, AppError> {
    let token = meta
        .session_token
        .as_deref()
        .ok_or(AppError::Unauthenticated)?;
    resolve_session(state, token, stage, state.now_ms()).await
}

/// A live session in `stage` with its active membership, account and tenant.
async fn resolve_session(
    state: &AppState,
    token: &str,
    stage: &str,
    now_ms: i64,
) -> Result<SessionParts, AppError> {
    let conn = state.db.conn();
    let session = sessions::find_live(conn, &state.settings, now_ms, token)
        .await?
        .filter(|s| s.stage == stage)
        .ok_or(AppError::Unauthenticated)?;
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
    Ok((session, account, membership, tenant))
}

/// The second step of signing in: a code from the authenticator app or a recovery
/// code. Wrong codes count towards the account's lockout.
pub async fn complete_two_factor(
    state: &AppState,
    meta: &RequestMeta,
    code: &str,
) -> Result<SignedIn, AppError> {
    if code.trim().is_empty() {
        return Err(AppError::field(
            "code",
            "Enter the 6-digit code from your authenticator app, or a recovery code.",
        ));
    }
    let (_, account, membership, _) = pending(state, meta, STAGE_TWO_FACTOR).await?;
    let now = state.now_ms();
    let txn = state.db.begin_write().await?;
    let account = accounts::Entity::find_by_id(account.id)
        .one(&*txn)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    if throttle::is_locked(&account, now) {
        return Err(AppError::field(
            "code",
            "Too many wrong codes. Wait a few minutes, then sign in again.",
        ));
    }
    let Some(proof) = two_factor::use_second_factor(&*txn, state, &account, code, now).await?
    else {
        let who = AuditActor::account(&account, meta);
        audit::record(
            &*txn,
            now,
            &who,
            AuditEntry::new(Some(membership.tenant_id), "sign_in.failed", "account")
                .target(Some(account.id), &account.email)
                .after(json!({"reason": "wrong or used two-factor code"})),
        )
        .await?;
        count_failure(&*txn, state, &account, &who, now).await?;
        txn.commit().await?;
        return Err(AppError::field(
            "code",
            "That code didn't work. Enter the newest code from your app (each code works once), or a recovery code.",
        ));
    };
    let signed_in = finish_sign_in(&*txn, state, &account, &membership, meta, Some(proof)).await?;
    txn.commit().await?;
    Ok(signed_in)
}

/// Starts the set-up an admin must do before their first sign-in to a tenant that
/// requires two-factor of admins.
pub async fn begin_required_enrolment(
    state: &AppState,
    meta: &RequestMeta,
) -> Result<(TotpSetup, String), AppError> {
    let (_, account, _, tenant) = pending(state, meta, STAGE_ENROL).await?;
    let setup = two_factor::begin(state, &account, &tenant.name).await?;
    Ok((setup, tenant.name))
}

/// Confirms that set-up with a code and completes the sign-in. Answers with the
/// recovery codes (shown once) and the new session.
pub async fn confirm_required_enrolment(
    state: &AppState,
    meta: &RequestMeta,
    code: &str,
) -> Result<(Vec<String>, SignedIn), AppError> {
    let (_, account, membership, _) = pending(state, meta, STAGE_ENROL).await?;
    let codes =
        two_factor::confirm(state, Some(membership.tenant_id), account.id, code, meta).await?;
    let txn = state.db.begin_write().await?;
    let signed_in = finish_sign_in(
        &*txn,
        state,
        &account,
        &membership,
        meta,
        Some(Proof::AuthenticatorCode),
    )
    .await?;
    txn.commit().await?;
    Ok((codes, signed_in))
}

/// The actor for a request, or `Unauthenticated`.
pub async fn current_actor(state: &AppState, meta: &RequestMeta) -> Result<Actor, AppError> {
    let token = meta
        .session_token
        .as_deref()
        .ok_or(AppError::Unauthenticated)?;
    let now = state.now_ms();
    let conn = state.db.conn();
    let (session, account, membership, tenant) =
        resolve_session(state, token, STAGE_FULL, now).await?;
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
    if membership.role == Role::Admin.as_str() && !two_factor::is_enabled(&actor.account) {
        let tenant = tenants::Entity::find_by_id(tenant_id)
            .one(&*txn)
            .await?
            .ok_or(AppError::NotFound)?;
        if tenant.require_admin_two_factor {
            return Err(AppError::Forbidden(format!(
                "{} requires two-factor sign-in for its admins. Turn it on in My account, then switch again.",
                tenant.name
            )));
        }
    }
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
