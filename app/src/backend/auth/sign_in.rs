//! Signing in: the password step, the code step, and the two-factor set-up a tenant
//! requires of its admins before their session is theirs.

use crate::backend::entities::{accounts, memberships};
use crate::backend::kernel::actor::pending;
use crate::backend::kernel::audit::{self, AuditActor, AuditEntry};
use crate::backend::kernel::credentials::{
    count_failure, count_password_attempt, sign_in_stage, NextStep, SignedIn,
};
use crate::backend::kernel::device::describe_user_agent;
use crate::backend::kernel::directory::{active_tenants_of, find_account_by_email};
use crate::backend::kernel::policy::in_force;
use crate::backend::kernel::request::RequestMeta;
use crate::backend::kernel::second_factor::{self, Proof};
use crate::backend::kernel::sessions::{self, STAGE_ENROL, STAGE_FULL, STAGE_TWO_FACTOR};
use crate::backend::kernel::sign_in_group;
use crate::backend::kernel::throttle;
use crate::backend::AppState;
use crate::domain::auth::TotpSetup;
use crate::domain::{AppError, Email};
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, Set};
use serde_json::json;

/// Longest password input we will hash at sign-in; longer input is refused without
/// hashing so huge bodies cannot be used to burn CPU.
pub const MAX_SIGN_IN_PASSWORD_BYTES: usize = 4096;

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
    if let Err(limited) = count_password_attempt(state, meta).await {
        metrics::counter!("gatehouse_sign_ins_total", "outcome" => "limited").increment(1);
        return Err(limited);
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

    // Disabled by the operator: the same refusal as any other, after the same hashing.
    let disabled = account.as_ref().is_some_and(|a| a.disabled_at.is_some());
    // The most recently used tenant that lets the account in; a tenant that keeps
    // it out by group-restricted sign-in is remembered, to say so.
    let mut target = None;
    let mut kept_out = None;
    if let (Some(account), true) = (&account, password_ok && !disabled) {
        for access in active_tenants_of(conn, account.id).await? {
            let membership = in_force(&access.membership, now);
            match sign_in_group::keeps_out(conn, &access.tenant, &membership).await? {
                None => {
                    target = Some(access);
                    break;
                }
                Some(group) if kept_out.is_none() => kept_out = Some((access.tenant, group)),
                Some(_) => {}
            }
        }
    }
    if let (Some(account), None, Some((tenant, group))) = (&account, &target, kept_out) {
        // The right password: the person is told plainly why, and whom to ask.
        let txn = state.db.begin_write().await?;
        audit::record(
            &*txn,
            now,
            &attempt_actor,
            AuditEntry::new(Some(tenant.id), "sign_in.failed", "account")
                .target(Some(account.id), email.as_str())
                .after(json!({"reason": "outside the sign-in group", "group": group})),
        )
        .await?;
        txn.commit().await?;
        metrics::counter!("gatehouse_sign_ins_total", "outcome" => "refused").increment(1);
        return Err(sign_in_group::refusal(conn, &tenant, &group).await?);
    }
    let (Some(account), Some(access)) = (account.clone(), target) else {
        let txn = state.db.begin_write().await?;
        let reason = if locked {
            "account locked"
        } else if disabled && password_ok {
            "account disabled by the operator"
        } else if password_ok {
            "no active membership"
        } else {
            "wrong email or password"
        };
        // Admins of the account's tenants see the refusal; an unknown email (which
        // may be a password typed in the wrong field) is kept for the operator only.
        audit::record_for_account(
            &*txn,
            now,
            &attempt_actor,
            account.as_ref().map(|a| a.id),
            AuditEntry::new(None, "sign_in.failed", "account")
                .target(account.as_ref().map(|a| a.id), email.as_str())
                .after(json!({"reason": reason, "device": describe_user_agent(&meta.user_agent)})),
        )
        .await?;
        if let (Some(account), false, false) = (&account, locked, password_ok) {
            count_failure(&*txn, state, account, &attempt_actor, now).await?;
        }
        txn.commit().await?;
        let outcome = if locked { "locked" } else { "refused" };
        metrics::counter!("gatehouse_sign_ins_total", "outcome" => outcome).increment(1);
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
    throttle::unlocked_now(&*txn, account.id, now).await?;
    if stage == STAGE_ENROL {
        second_factor::start_enrolment(&*txn, state, account.id).await?;
    }
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
    // Checked again where the session is issued: a lock set by failures that raced
    // with this request wins.
    let account = &throttle::unlocked_now(conn, account.id, now).await?;
    metrics::counter!("gatehouse_sign_ins_total", "outcome" => "succeeded").increment(1);
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
    let mut facts = json!({"device": describe_user_agent(&meta.user_agent)});
    if let (Some(proof), Some(fields)) = (second_factor, facts.as_object_mut()) {
        fields.insert("second_factor".into(), json!(proof.as_str()));
    }
    let entry = AuditEntry::new(Some(membership.tenant_id), "sign_in.succeeded", "account")
        .target(Some(account.id), &account.email)
        .after(facts);
    audit::record(conn, now, &AuditActor::account(account, meta), entry).await?;
    Ok(SignedIn {
        token,
        tenant_id: membership.tenant_id,
        next: NextStep::Done,
    })
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
    let Some(proof) = second_factor::use_second_factor(&*txn, state, &account, code, now).await?
    else {
        let who = AuditActor::account(&account, meta);
        audit::record(
            &*txn,
            now,
            &who,
            AuditEntry::new(Some(membership.tenant_id), "sign_in.failed", "account")
                .target(Some(account.id), &account.email)
                .after(json!({
                    "reason": "wrong or used two-factor code",
                    "device": describe_user_agent(&meta.user_agent),
                })),
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
    // Read only: the seed was made at the password step (a POST), so this page can
    // be requested by GET, from a link or a second tab, without replacing it.
    let setup = super::two_factor::pending_setup(state, &account, &tenant.name)?
        .ok_or(AppError::Unauthenticated)?;
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
        super::two_factor::confirm(state, Some(membership.tenant_id), account.id, code, meta)
            .await?;
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
