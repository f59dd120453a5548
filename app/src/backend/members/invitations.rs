//! Invitations: inviting someone (a seat, a single-use link, an email), resending,
//! and accepting on the invite page.

use super::{begin_member_change, parse_email_field, template_in_tenant, MemberChange};
use crate::backend::entities::{accounts, invitations, memberships, tenants};
use crate::backend::kernel::actor::Actor;
use crate::backend::kernel::audit::{self, AuditActor, AuditEntry};
use crate::backend::kernel::credentials::{
    check_password, count_password_attempt, sign_in_stage, NextStep, SignedIn,
};
use crate::backend::kernel::crypto::{hash_token, random_token};
use crate::backend::kernel::directory::{
    find_account_by_email, lock_tenant, membership_of, seats_used,
};
use crate::backend::kernel::mail::{self, letters, Letter};
use crate::backend::kernel::passwords;
use crate::backend::kernel::policy::{template_permissions, user_manager, Grantor};
use crate::backend::kernel::request::RequestMeta;
use crate::backend::kernel::second_factor;
use crate::backend::kernel::sessions::{self, STAGE_ENROL};
use crate::backend::kernel::sign_in_group;
use crate::backend::kernel::stored::decode;
use crate::backend::kernel::tokens;
use crate::backend::{AppState, Settings};
use crate::domain::account::parse_display_name;
use crate::domain::members::{InviteDetails, InviteInput};
use crate::domain::password::context_words;
use crate::domain::{AppError, Email, MembershipStatus, Role};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set,
};
use serde_json::json;

fn seats_full_message(limit: i64, used: i64) -> String {
    if used > limit {
        format!(
            "{used} seats are in use but the plan now allows {limit}, so no one else can be invited. Remove {} people who no longer need access, or upgrade the plan for more seats.",
            used - limit
        )
    } else {
        format!(
            "All {limit} seats are in use, so no one else can be invited. Remove people who no longer need access, or upgrade the plan for more seats."
        )
    }
}

fn invite_mail(settings: &Settings, actor: &Actor, to_send: &ToSend<'_>, token: &str) -> Letter {
    // Replies reach the inviting admin (every account's email parses); one without a
    // display name is named by the address alone.
    let inviter = Email::parse(&actor.account.email)
        .ok()
        .map(|email| letters::Inviter {
            name: actor.account.display_name.clone(),
            email,
        });
    let invitation = letters::Invitation {
        tenant: to_send.tenant.name.clone(),
        inviter: actor.display_label().to_string(),
        link: format!("{}/invite/{token}", settings.public_url),
        days: settings.invite_ttl_secs / 86_400,
        resent: to_send.resent,
    };
    Letter::Invitation(invitation, inviter)
}

/// A new invitation token for the membership; earlier unused ones stop working.
async fn issue_invitation(
    conn: &impl ConnectionTrait,
    settings: &Settings,
    now_ms: i64,
    membership: &memberships::Model,
    invited_by: i64,
) -> Result<String, DbErr> {
    invitations::Entity::update_many()
        .col_expr(invitations::Column::RevokedAt, Expr::value(now_ms))
        .filter(invitations::Column::MembershipId.eq(membership.id))
        .filter(invitations::Column::AcceptedAt.is_null())
        .filter(invitations::Column::RevokedAt.is_null())
        .exec(conn)
        .await?;
    let token = random_token();
    invitations::ActiveModel {
        tenant_id: Set(membership.tenant_id),
        membership_id: Set(membership.id),
        token_hash: Set(hash_token(&token)),
        invited_by: Set(Some(invited_by)),
        created_at: Set(now_ms),
        expires_at: Set(now_ms + settings.invite_ttl_secs * 1000),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    Ok(token)
}

/// An invitation email to send: to whom, for which membership of which tenant, and
/// whether it is "Resend invite" (the email then reads as a reminder).
pub(super) struct ToSend<'a> {
    pub tenant: &'a tenants::Model,
    pub membership: &'a memberships::Model,
    pub email: &'a Email,
    pub resent: bool,
}

/// Issues a fresh invitation token for the membership and queues the email with
/// its link (both inside the caller's transaction).
pub(super) async fn send_invitation(
    conn: &impl ConnectionTrait,
    state: &AppState,
    actor: &Actor,
    to_send: ToSend<'_>,
    now_ms: i64,
) -> Result<(), DbErr> {
    let token = issue_invitation(
        conn,
        &state.settings,
        now_ms,
        to_send.membership,
        actor.account.id,
    )
    .await?;
    let letter = invite_mail(&state.settings, actor, &to_send, &token);
    mail::enqueue(conn, &state.settings, now_ms, to_send.email, &letter).await
}

/// How a membership is made other than by hand: by an identity provider (SCIM),
/// an import or auto-join.
#[derive(Debug, Clone, Default)]
pub struct Provisioning {
    /// `scim`, `import`, `auto_join` (kept on the membership); None: by hand.
    pub source: Option<&'static str>,
    /// The identity provider's id of the person.
    pub external_id: Option<String>,
    /// The provider's name of the person (JSON), kept on the membership.
    pub profile: Option<String>,
    /// Given to the account when it has no display name yet.
    pub display_name: Option<String>,
    /// No invitation email now: the admin sends it later ("Resend invite").
    pub hold_invitation: bool,
}

/// Invites someone: an `invited` membership, a single-use expiring token (stored
/// hashed) and an email, all in one transaction that also takes a seat.
pub async fn invite(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    input: InviteInput,
) -> Result<i64, AppError> {
    invite_as(state, actor, meta, input, Provisioning::default()).await
}

/// [`invite`], made by `how`.
pub async fn invite_as(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    input: InviteInput,
    how: Provisioning,
) -> Result<i64, AppError> {
    let email = parse_email_field(&input.email)?;
    let now = state.now_ms();
    let txn = state.db.begin_write().await?;
    let inviter = user_manager(&*txn, actor).await?;
    let tenant = lock_tenant(&*txn, actor.tenant.id).await?;
    let id = invite_in(
        &*txn,
        state,
        actor,
        meta,
        &Inviting {
            tenant: &tenant,
            inviter: &inviter,
            now,
        },
        &email,
        &input,
        how,
    )
    .await?;
    txn.commit().await?;
    Ok(id)
}

/// The tenant (locked by the caller's transaction) and the inviter of one or more
/// invitations.
pub struct Inviting<'a> {
    pub tenant: &'a tenants::Model,
    pub inviter: &'a Grantor,
    pub now: i64,
}

/// One invitation inside the caller's transaction, with every check of [`invite`].
#[allow(clippy::too_many_arguments)]
pub async fn invite_in(
    conn: &impl ConnectionTrait,
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    at: &Inviting<'_>,
    email: &Email,
    input: &InviteInput,
    how: Provisioning,
) -> Result<i64, AppError> {
    let (tenant, inviter, now) = (at.tenant, at.inviter, at.now);
    template_in_tenant(conn, tenant.id, input.template_id).await?;
    // Inviting grants too: the Admin role only from an admin, a template only with
    // permissions the inviter holds.
    if input.role == Role::Admin {
        inviter.require_admin()?;
    }
    if let Some(template) = input.template_id {
        inviter.may_grant(&template_permissions(conn, template).await?)?;
    }
    let existing = find_account_by_email(conn, email).await?;
    if let Some(account) = &existing {
        if membership_of(conn, tenant.id, account.id).await?.is_some() {
            return Err(AppError::field(
                "email",
                format!("{email} is already in this tenant. Find them in the table instead."),
            ));
        }
    }
    let used = seats_used(conn, tenant.id).await?;
    if used >= tenant.seat_limit {
        return Err(AppError::Conflict(seats_full_message(
            tenant.seat_limit,
            used,
        )));
    }
    let account = match existing {
        Some(a) if a.display_name.is_empty() && how.display_name.is_some() => {
            let mut named: accounts::ActiveModel = a.into();
            named.display_name = Set(how.display_name.clone().unwrap_or_default());
            named.update(conn).await?
        }
        Some(a) => a,
        None => {
            accounts::ActiveModel {
                email: Set(email.to_string()),
                display_name: Set(how.display_name.clone().unwrap_or_default()),
                failed_sign_ins: Set(0),
                created_at: Set(now),
                ..Default::default()
            }
            .insert(conn)
            .await?
        }
    };
    let membership = memberships::ActiveModel {
        tenant_id: Set(tenant.id),
        account_id: Set(account.id),
        role: Set(input.role.as_str().to_string()),
        role_template_id: Set(input.template_id),
        status: Set(MembershipStatus::Invited.as_str().to_string()),
        crm_access: Set(input.role == Role::Admin || input.crm_access),
        beta_access: Set(input.beta_access),
        invited_by: Set(Some(actor.account.id)),
        created_at: Set(now),
        updated_at: Set(now),
        external_id: Set(how.external_id.clone()),
        profile: Set(how.profile.clone()),
        provisioned_by: Set(how.source.map(str::to_string)),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    if !how.hold_invitation {
        let to_send = ToSend {
            tenant,
            membership: &membership,
            email,
            resent: false,
        };
        send_invitation(conn, state, actor, to_send, now).await?;
    }
    let after = match how.source {
        None => json!({
            "role": membership.role, "template_id": membership.role_template_id,
            "crm_access": membership.crm_access, "beta_access": membership.beta_access
        }),
        Some(source) => json!({
            "role": membership.role, "template_id": membership.role_template_id,
            "crm_access": membership.crm_access, "beta_access": membership.beta_access,
            "provisioned_by": source, "invitation_sent": !how.hold_invitation
        }),
    };
    audit::record(
        conn,
        now,
        &actor.audit_actor(meta),
        AuditEntry::new(Some(tenant.id), "member.invited", "membership")
            .target(Some(membership.id), email.as_str())
            .after(after),
    )
    .await?;
    Ok(membership.id)
}

/// A fresh link for a pending invitation; the old one stops working.
pub async fn resend_invite(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    member_id: i64,
) -> Result<(), AppError> {
    let MemberChange {
        txn,
        now,
        membership,
        account,
        grantor,
    } = begin_member_change(state, actor, member_id, false).await?;
    if membership.role == Role::Admin.as_str() {
        grantor.require_admin()?;
    }
    if membership.status != MembershipStatus::Invited.as_str() {
        return Err(AppError::Conflict(format!(
            "{} has already joined, so there is no invitation to resend.",
            account.email
        )));
    }
    let email = Email::parse(&account.email).map_err(crate::backend::internal)?;
    let to_send = ToSend {
        tenant: &actor.tenant,
        membership: &membership,
        email: &email,
        resent: true,
    };
    send_invitation(&*txn, state, actor, to_send, now).await?;
    audit::commit_with(
        txn,
        now,
        &actor.audit_actor(meta),
        AuditEntry::new(Some(actor.tenant.id), "member.invite_resent", "membership")
            .target(Some(membership.id), &account.email),
    )
    .await
}

/// What someone holding an unusable invitation link is told.
const INVITATION_REFUSALS: tokens::Refusals = tokens::Refusals {
    unknown: "This invitation link isn't valid. A newer invitation may have replaced it: check your inbox for the latest email, or ask your admin to resend the invite.",
    used: "This invitation has already been accepted. Sign in to continue.",
    replaced: "This invitation link was replaced by a newer one. Use the link in the most recent invitation email, or ask your admin to resend the invite.",
    expired: "This invitation has expired. Ask your admin to resend the invite.",
};

struct LiveInvitation {
    invitation: invitations::Model,
    membership: memberships::Model,
    account: accounts::Model,
    tenant: tenants::Model,
}

async fn live_invitation(
    conn: &impl ConnectionTrait,
    token: &str,
    now_ms: i64,
) -> Result<LiveInvitation, AppError> {
    let invitation = tokens::find_live::<invitations::Entity>(
        conn,
        invitations::Column::TokenHash,
        token,
        now_ms,
        &INVITATION_REFUSALS,
    )
    .await?;
    let membership = memberships::Entity::find_by_id(invitation.membership_id)
        .one(conn)
        .await?
        .ok_or(AppError::NotFound)?;
    let account = accounts::Entity::find_by_id(membership.account_id)
        .one(conn)
        .await?
        .ok_or(AppError::NotFound)?;
    let tenant = tenants::Entity::find_by_id(membership.tenant_id)
        .one(conn)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(LiveInvitation {
        invitation,
        membership,
        account,
        tenant,
    })
}

pub async fn invite_details(state: &AppState, token: &str) -> Result<InviteDetails, AppError> {
    let live = live_invitation(state.db.conn(), token, state.now_ms()).await?;
    Ok(InviteDetails {
        tenant_name: live.tenant.name,
        tenant_kind: decode(&live.tenant.kind)?,
        email: live.account.email,
        existing_account: live.account.password_hash.is_some(),
    })
}

/// The audit entry of an accepted invitation (`after` says what it became).
fn joined(live: &LiveInvitation) -> AuditEntry {
    AuditEntry::new(Some(live.tenant.id), "member.joined", "membership")
        .target(Some(live.membership.id), &live.account.email)
        .before(json!({"status": "invited"}))
}

/// Accepts an invitation. A new person sets their name and password; someone who
/// already has an account proves it with their password. Either way the membership
/// becomes active and a session opens in the tenant.
pub async fn accept_invite(
    state: &AppState,
    token: &str,
    display_name: &str,
    password: &str,
    meta: &RequestMeta,
) -> Result<SignedIn, AppError> {
    let now = state.now_ms();
    let preview = live_invitation(state.db.conn(), token, now).await?;
    let new_hash = if preview.account.password_hash.is_none() {
        let name = parse_display_name(display_name)?;
        if name.is_empty() {
            return Err(AppError::field("display_name", "Enter your name."));
        }
        passwords::check_new(
            &state.settings.password_policy,
            password,
            false,
            &context_words(
                &preview.account.email,
                std::slice::from_ref(&preview.tenant.name),
            ),
            "password",
        )?;
        Some((
            name,
            state
                .hasher
                .hash(password)
                .await
                .map_err(crate::backend::internal)?,
        ))
    } else {
        // An existing account proves itself like a sign-in: the per-IP limit, the
        // lock, and a wrong password counted towards it.
        count_password_attempt(state, meta).await?;
        check_password(
            state,
            &preview.account,
            password,
            "password",
            "That isn't the password of your Gatehouse account. Try again, or use Forgot password on the sign-in page.",
            meta,
        )
        .await?;
        None
    };

    if preview.account.disabled_at.is_some() {
        return Err(AppError::Forbidden(
            "This account can't sign in right now. Ask the admin who invited you.".into(),
        ));
    }
    let txn = state.db.begin_write().await?;
    // Re-read inside the transaction: a double submit accepts once.
    let live = live_invitation(&*txn, token, now).await?;
    if let Some((name, hash)) = new_hash {
        let mut account: accounts::ActiveModel = live.account.clone().into();
        account.display_name = Set(name);
        account.password_hash = Set(Some(hash));
        account.password_changed_at = Set(Some(now));
        account.update(&*txn).await?;
    }
    let mut invitation: invitations::ActiveModel = live.invitation.clone().into();
    invitation.accepted_at = Set(Some(now));
    invitation.update(&*txn).await?;
    let mut membership: memberships::ActiveModel = live.membership.clone().into();
    membership.status = Set(MembershipStatus::Active.as_str().to_string());
    membership.last_login_at = Set(Some(now));
    membership.updated_at = Set(now);
    membership.update(&*txn).await?;
    // Joined, but the tenant lets only one group sign in: the membership is active
    // (an admin adds them to the group and they can sign in), no session opens, and
    // they are told why and whom to ask.
    if let Some(group) = sign_in_group::keeps_out(&*txn, &live.tenant, &live.membership).await? {
        let refusal = sign_in_group::refusal(&*txn, &live.tenant, &group).await?;
        audit::commit_with(
            txn,
            now,
            &AuditActor::account(&live.account, meta),
            joined(&live).after(json!({"status": "active", "signed_in": false, "reason": "outside the sign-in group"})),
        )
        .await?;
        return Err(refusal);
    }
    // Someone with two-factor still proves it before the session is theirs.
    let stage = sign_in_stage(&live.account, &live.tenant, &live.membership);
    if stage == STAGE_ENROL {
        second_factor::start_enrolment(&*txn, state, live.account.id).await?;
    }
    let session_token = sessions::open(
        &*txn,
        &state.settings,
        now,
        live.account.id,
        live.tenant.id,
        stage,
        meta,
    )
    .await?;
    let who = AuditActor::account(&live.account, meta);
    audit::record(
        &*txn,
        now,
        &who,
        joined(&live).after(json!({"status": "active"})),
    )
    .await?;
    txn.commit().await?;
    Ok(SignedIn {
        token: session_token,
        tenant_id: live.tenant.id,
        next: NextStep::after(stage),
    })
}
