//! Settings → Users: the members table, invitations, editing, suspension, deletion.

use super::access::require;
use super::audit::{self, AuditActor, AuditEntry};
use super::auth::{sign_in_stage, Actor, NextStep, SignedIn};
use super::clock::format_time;
use super::crypto::{hash_token, random_token};
use super::entities::{
    accounts, invitations, membership_permissions, memberships, role_templates, tenants,
};
use super::mail::{self, html_escape, Outgoing};
use super::passwords;
use super::request::RequestMeta;
use super::sessions;
use super::tenants::{find_account_by_email, parse_display_name};
use super::AppState;
use crate::api::dto::{
    InviteDetails, InviteInput, MemberPage, MemberQuery, MemberRow, MemberUpdate,
};
use crate::domain::password::context_words;
use crate::domain::permissions::{Action, Category, Permission};
use crate::domain::{AppError, Email, MembershipStatus, Role, TenantKind};
use sea_orm::sea_query::{Expr, LikeExpr};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseBackend, DbErr, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde_json::json;
use std::collections::{BTreeSet, HashMap};

pub const PAGE_SIZE: u64 = 25;

pub const NO_USER_MANAGEMENT: &str =
    "You don't have access to user management. Ask an admin of this tenant if you need it.";

/// Only admins, or members holding "manage people, roles and role templates", pass.
pub async fn require_user_admin(
    conn: &impl ConnectionTrait,
    actor: &Actor,
) -> Result<(), AppError> {
    require(
        conn,
        actor,
        Permission::new(Category::Users, Action::Manage),
        NO_USER_MANAGEMENT,
    )
    .await
}

fn like_pattern(search: &str) -> String {
    let mut escaped = String::with_capacity(search.len() + 2);
    escaped.push('%');
    for c in search.trim().to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped.push('%');
    escaped
}

/// Locks the tenant row for the rest of the transaction on PostgreSQL, so seat counts
/// and last-admin checks are exact under concurrency. (SQLite already serialises
/// writers through the write lock.)
async fn lock_tenant(
    conn: &impl ConnectionTrait,
    tenant_id: i64,
) -> Result<tenants::Model, AppError> {
    let mut query = tenants::Entity::find_by_id(tenant_id);
    if conn.get_database_backend() == DatabaseBackend::Postgres {
        query = query.lock_exclusive();
    }
    query.one(conn).await?.ok_or(AppError::NotFound)
}

pub async fn seats_used(conn: &impl ConnectionTrait, tenant_id: i64) -> Result<i64, DbErr> {
    let n = memberships::Entity::find()
        .filter(memberships::Column::TenantId.eq(tenant_id))
        .count(conn)
        .await?;
    Ok(i64::try_from(n).unwrap_or(i64::MAX))
}

/// One page of the Users table.
pub async fn list(
    conn: &impl ConnectionTrait,
    tenant: &tenants::Model,
    query: &MemberQuery,
    now_ms: i64,
) -> Result<MemberPage, DbErr> {
    let mut select = memberships::Entity::find()
        .find_also_related(accounts::Entity)
        .filter(memberships::Column::TenantId.eq(tenant.id));
    if let Some(status) = query.status {
        select = select.filter(memberships::Column::Status.eq(status.as_str()));
    }
    if let Some(role) = query.role {
        select = select.filter(memberships::Column::Role.eq(role.as_str()));
    }
    let search = query.search.trim();
    if !search.is_empty() {
        select = select.filter(
            Expr::col((accounts::Entity, accounts::Column::Email))
                .like(LikeExpr::new(like_pattern(search)).escape('\\')),
        );
    }
    let seats = seats_used(conn, tenant.id).await?;
    let unfiltered = query.status.is_none() && query.role.is_none() && search.is_empty();
    // With no filter the matching count is the seat count: one count, not two.
    let total = if unfiltered {
        u64::try_from(seats).unwrap_or(0)
    } else {
        select.clone().count(conn).await?
    };
    let pairs = select
        .order_by_desc(memberships::Column::Id)
        .offset(query.page * PAGE_SIZE)
        .limit(PAGE_SIZE)
        .all(conn)
        .await?;
    let rows = rows_for(conn, pairs, now_ms).await?;
    Ok(MemberPage {
        rows,
        total,
        page: query.page,
        page_size: PAGE_SIZE,
        seats_used: seats,
        seat_limit: tenant.seat_limit,
    })
}

async fn rows_for(
    conn: &impl ConnectionTrait,
    pairs: Vec<(memberships::Model, Option<accounts::Model>)>,
    now_ms: i64,
) -> Result<Vec<MemberRow>, DbErr> {
    let ids: Vec<i64> = pairs.iter().map(|(m, _)| m.id).collect();
    let template_ids: Vec<i64> = pairs
        .iter()
        .filter_map(|(m, _)| m.role_template_id)
        .collect();
    let templates: HashMap<i64, String> = if template_ids.is_empty() {
        HashMap::new()
    } else {
        role_templates::Entity::find()
            .filter(role_templates::Column::Id.is_in(template_ids))
            .all(conn)
            .await?
            .into_iter()
            .map(|t| (t.id, t.name))
            .collect()
    };
    let mut direct: HashMap<i64, Vec<Permission>> = HashMap::new();
    let mut latest_invite: HashMap<i64, i64> = HashMap::new();
    if !ids.is_empty() {
        for row in membership_permissions::Entity::find()
            .filter(membership_permissions::Column::MembershipId.is_in(ids.clone()))
            .all(conn)
            .await?
        {
            if let Some(p) = Permission::parse(&row.permission) {
                direct.entry(row.membership_id).or_default().push(p);
            }
        }
        for invite in invitations::Entity::find()
            .filter(invitations::Column::MembershipId.is_in(ids))
            .filter(invitations::Column::RevokedAt.is_null())
            .filter(invitations::Column::AcceptedAt.is_null())
            .all(conn)
            .await?
        {
            let e = latest_invite
                .entry(invite.membership_id)
                .or_insert(invite.expires_at);
            *e = (*e).max(invite.expires_at);
        }
    }
    Ok(pairs
        .into_iter()
        .filter_map(|(m, account)| {
            let account = account?;
            let locked = super::throttle::is_locked(&account, now_ms);
            let status = MembershipStatus::parse(&m.status).unwrap_or(MembershipStatus::Invited);
            let mut perms = direct.remove(&m.id).unwrap_or_default();
            perms.sort();
            Some(MemberRow {
                id: m.id,
                email: account.email,
                display_name: account.display_name,
                role: Role::parse(&m.role).unwrap_or(Role::User),
                status,
                template_id: m.role_template_id,
                template_name: m
                    .role_template_id
                    .and_then(|id| templates.get(&id).cloned()),
                crm_access: m.crm_access,
                beta_access: m.beta_access,
                last_login: m.last_login_at.map(format_time),
                direct_permissions: perms,
                locked,
                invite_expired: status == MembershipStatus::Invited
                    && latest_invite
                        .get(&m.id)
                        .is_none_or(|expires| *expires <= now_ms),
            })
        })
        .collect())
}

/// The member with this id in the actor's tenant; any other id is `NotFound`.
async fn member_in_tenant(
    conn: &impl ConnectionTrait,
    tenant_id: i64,
    member_id: i64,
) -> Result<(memberships::Model, accounts::Model), AppError> {
    let membership = memberships::Entity::find_by_id(member_id)
        .filter(memberships::Column::TenantId.eq(tenant_id))
        .one(conn)
        .await?
        .ok_or(AppError::NotFound)?;
    let account = accounts::Entity::find_by_id(membership.account_id)
        .one(conn)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((membership, account))
}

async fn template_in_tenant(
    conn: &impl ConnectionTrait,
    tenant_id: i64,
    template_id: Option<i64>,
) -> Result<(), AppError> {
    let Some(id) = template_id else { return Ok(()) };
    let found = role_templates::Entity::find_by_id(id)
        .filter(role_templates::Column::TenantId.eq(tenant_id))
        .one(conn)
        .await?;
    match found {
        Some(_) => Ok(()),
        None => Err(AppError::field(
            "role_template",
            "Choose a role template from this tenant's list.",
        )),
    }
}

async fn active_admins(conn: &impl ConnectionTrait, tenant_id: i64) -> Result<u64, DbErr> {
    memberships::Entity::find()
        .filter(memberships::Column::TenantId.eq(tenant_id))
        .filter(memberships::Column::Role.eq(Role::Admin.as_str()))
        .filter(memberships::Column::Status.eq(MembershipStatus::Active.as_str()))
        .count(conn)
        .await
}

fn last_admin_error(email: &str) -> AppError {
    AppError::Conflict(format!(
        "{email} is the last active admin of this tenant, so they can't be demoted, suspended or removed. Make someone else an admin first."
    ))
}

fn seats_full_message(limit: i64) -> String {
    format!(
        "All {limit} seats are in use, so no one else can be invited. Remove people who no longer need access, or upgrade the plan for more seats."
    )
}

fn invite_mail(
    settings: &super::Settings,
    tenant: &tenants::Model,
    inviter: &str,
    to: Email,
    token: &str,
) -> Outgoing {
    let link = format!("{}/invite/{token}", settings.public_url);
    let days = settings.invite_ttl_secs / 86_400;
    let tenant_name = mail::header_safe(&tenant.name);
    Outgoing {
        to,
        subject: format!("You're invited to {tenant_name} on Gatehouse"),
        text: format!(
            "{inviter} invited you to join {tenant_name} on Gatehouse.\n\nAccept the invitation:\n{link}\n\nThe link works once and expires in {days} days. If you weren't expecting this, you can ignore this email.\n"
        ),
        html: format!(
            "<p>{} invited you to join <strong>{}</strong> on Gatehouse.</p><p><a href=\"{link}\">Accept the invitation</a></p><p>The link works once and expires in {days} days. If you weren't expecting this, you can ignore this email.</p>",
            html_escape(inviter),
            html_escape(&tenant_name)
        ),
    }
}

/// A new invitation token for the membership; earlier unused ones stop working.
async fn issue_invitation(
    conn: &impl ConnectionTrait,
    settings: &super::Settings,
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

/// Issues a fresh invitation token for the membership and queues the email with
/// its link (both inside the caller's transaction).
async fn send_invitation(
    conn: &impl ConnectionTrait,
    state: &AppState,
    actor: &Actor,
    tenant: &tenants::Model,
    membership: &memberships::Model,
    email: &Email,
    now_ms: i64,
) -> Result<(), DbErr> {
    let token =
        issue_invitation(conn, &state.settings, now_ms, membership, actor.account.id).await?;
    let mail = invite_mail(
        &state.settings,
        tenant,
        actor.display_label(),
        email.clone(),
        &token,
    );
    mail::enqueue(conn, now_ms, mail).await
}

fn parse_email_field(input: &str) -> Result<Email, AppError> {
    Email::parse(input).map_err(|e| AppError::field("email", e.to_string()))
}

/// Invites someone: an `invited` membership, a single-use expiring token (stored
/// hashed) and an email, all in one transaction that also takes a seat.
pub async fn invite(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    input: InviteInput,
) -> Result<i64, AppError> {
    let email = parse_email_field(&input.email)?;
    let now = state.now_ms();
    let txn = state.db.begin_write().await?;
    require_user_admin(&*txn, actor).await?;
    let tenant = lock_tenant(&*txn, actor.tenant.id).await?;
    template_in_tenant(&*txn, tenant.id, input.template_id).await?;
    let existing = find_account_by_email(&*txn, &email).await?;
    if let Some(account) = &existing {
        if super::tenants::membership_of(&*txn, tenant.id, account.id)
            .await?
            .is_some()
        {
            return Err(AppError::field(
                "email",
                format!("{email} is already in this tenant. Find them in the table instead."),
            ));
        }
    }
    if seats_used(&*txn, tenant.id).await? >= tenant.seat_limit {
        return Err(AppError::Conflict(seats_full_message(tenant.seat_limit)));
    }
    let account = match existing {
        Some(a) => a,
        None => {
            accounts::ActiveModel {
                email: Set(email.to_string()),
                display_name: Set(String::new()),
                failed_sign_ins: Set(0),
                created_at: Set(now),
                ..Default::default()
            }
            .insert(&*txn)
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
        beta_access: Set(false),
        invited_by: Set(Some(actor.account.id)),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&*txn)
    .await?;
    send_invitation(&*txn, state, actor, &tenant, &membership, &email, now).await?;
    audit::record(
        &*txn,
        now,
        &actor.audit_actor(meta),
        AuditEntry::new(Some(tenant.id), "member.invited", "membership").target(Some(membership.id), email.as_str()).after(json!({
            "role": membership.role, "template_id": membership.role_template_id, "crm_access": membership.crm_access
        })),
    )
    .await?;
    txn.commit().await?;
    Ok(membership.id)
}

/// A fresh link for a pending invitation; the old one stops working.
pub async fn resend_invite(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    member_id: i64,
) -> Result<(), AppError> {
    let now = state.now_ms();
    let txn = state.db.begin_write().await?;
    require_user_admin(&*txn, actor).await?;
    let (membership, account) = member_in_tenant(&*txn, actor.tenant.id, member_id).await?;
    if membership.status != MembershipStatus::Invited.as_str() {
        return Err(AppError::Conflict(format!(
            "{} has already joined, so there is no invitation to resend.",
            account.email
        )));
    }
    let email = Email::parse(&account.email).map_err(super::internal)?;
    send_invitation(&*txn, state, actor, &actor.tenant, &membership, &email, now).await?;
    audit::record(
        &*txn,
        now,
        &actor.audit_actor(meta),
        AuditEntry::new(Some(actor.tenant.id), "member.invite_resent", "membership")
            .target(Some(membership.id), &account.email),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Why an invitation link cannot be used, in words for the person holding it.
fn invitation_problem(invitation: Option<&invitations::Model>, now_ms: i64) -> Option<AppError> {
    let message = match invitation {
        None => "This invitation link isn't valid. A newer invitation may have replaced it: check your inbox for the latest email, or ask your admin to resend the invite.",
        Some(i) if i.accepted_at.is_some() => "This invitation has already been accepted. Sign in to continue.",
        Some(i) if i.revoked_at.is_some() => "This invitation link was replaced by a newer one. Use the link in the most recent invitation email, or ask your admin to resend the invite.",
        Some(i) if i.expires_at <= now_ms => "This invitation has expired. Ask your admin to resend the invite.",
        Some(_) => return None,
    };
    Some(AppError::Conflict(message.to_string()))
}

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
    let invitation = invitations::Entity::find()
        .filter(invitations::Column::TokenHash.eq(hash_token(token)))
        .one(conn)
        .await?;
    if let Some(problem) = invitation_problem(invitation.as_ref(), now_ms) {
        return Err(problem);
    }
    let invitation = invitation.ok_or(AppError::NotFound)?;
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
        tenant_kind: TenantKind::parse(&live.tenant.kind).unwrap_or(TenantKind::Production),
        email: live.account.email,
        existing_account: live.account.password_hash.is_some(),
    })
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
            state.hasher.hash(password).await.map_err(super::internal)?,
        ))
    } else {
        if !state
            .hasher
            .verify(password, preview.account.password_hash.as_deref())
            .await
        {
            return Err(AppError::field("password", "That isn't the password of your Gatehouse account. Try again, or use Forgot password on the sign-in page."));
        }
        None
    };

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
    // Someone with two-factor still proves it before the session is theirs.
    let stage = sign_in_stage(&live.account, &live.tenant, &live.membership);
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
        AuditEntry::new(Some(live.tenant.id), "member.joined", "membership")
            .target(Some(live.membership.id), &live.account.email)
            .before(json!({"status": "invited"}))
            .after(json!({"status": "active"})),
    )
    .await?;
    txn.commit().await?;
    Ok(SignedIn {
        token: session_token,
        tenant_id: live.tenant.id,
        next: NextStep::after(stage),
    })
}

fn member_snapshot(
    m: &memberships::Model,
    email: &str,
    perms: &BTreeSet<Permission>,
) -> serde_json::Value {
    json!({
        "email": email,
        "role": m.role,
        "status": m.status,
        "template_id": m.role_template_id,
        "crm_access": m.crm_access,
        "permissions": perms.iter().map(|p| p.key()).collect::<Vec<_>>(),
    })
}

async fn direct_permissions(
    conn: &impl ConnectionTrait,
    member_id: i64,
) -> Result<BTreeSet<Permission>, DbErr> {
    Ok(membership_permissions::Entity::find()
        .filter(membership_permissions::Column::MembershipId.eq(member_id))
        .all(conn)
        .await?
        .into_iter()
        .filter_map(|r| Permission::parse(&r.permission))
        .collect())
}

/// Saves the Edit user dialog.
pub async fn update(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    input: MemberUpdate,
) -> Result<(), AppError> {
    let email = parse_email_field(&input.email)?;
    let now = state.now_ms();
    let txn = state.db.begin_write().await?;
    require_user_admin(&*txn, actor).await?;
    lock_tenant(&*txn, actor.tenant.id).await?;
    let (membership, account) = member_in_tenant(&*txn, actor.tenant.id, input.id).await?;
    let current_status =
        MembershipStatus::parse(&membership.status).unwrap_or(MembershipStatus::Invited);
    let allowed = match current_status {
        MembershipStatus::Invited => input.status == MembershipStatus::Invited,
        _ => input.status != MembershipStatus::Invited,
    };
    if !allowed {
        let message = if current_status == MembershipStatus::Invited {
            "This person hasn't accepted the invitation yet, so they can't be made active or suspended. Resend the invite, or delete the user."
        } else {
            "Choose Active or Suspended."
        };
        return Err(AppError::field("status", message));
    }
    template_in_tenant(&*txn, actor.tenant.id, input.template_id).await?;

    let was_active_admin =
        membership.role == Role::Admin.as_str() && current_status == MembershipStatus::Active;
    let stays_active_admin = input.role == Role::Admin && input.status == MembershipStatus::Active;
    if was_active_admin && !stays_active_admin && active_admins(&*txn, actor.tenant.id).await? <= 1
    {
        return Err(last_admin_error(&account.email));
    }

    if email.as_str() != account.email {
        let other_tenants = memberships::Entity::find()
            .filter(memberships::Column::AccountId.eq(account.id))
            .filter(memberships::Column::TenantId.ne(actor.tenant.id))
            .count(&*txn)
            .await?;
        if other_tenants > 0 {
            return Err(AppError::field(
                "email",
                "This person's account is also used in other tenants, so only they can change its email.",
            ));
        }
        if find_account_by_email(&*txn, &email).await?.is_some() {
            return Err(AppError::field(
                "email",
                "That email is already used by another account.",
            ));
        }
        let mut a: accounts::ActiveModel = account.clone().into();
        a.email = Set(email.to_string());
        a.update(&*txn).await?;
        // Both addresses hear of it: the old one in case this was not expected.
        let old = Email::parse(&account.email).map_err(super::internal)?;
        let text = format!(
            "An admin of {} changed the email of your Gatehouse account from {} to {}. Sign in with the new address from now on. If this is unexpected, contact your admin.",
            actor.tenant.name, old, email
        );
        for to in [old.clone(), email.clone()] {
            mail::enqueue(
                &*txn,
                now,
                Outgoing::notice(to, "The email of your Gatehouse account was changed", &text),
            )
            .await?;
        }
    }

    let before_perms = direct_permissions(&*txn, membership.id).await?;
    let after_perms: BTreeSet<Permission> = input.permissions.iter().copied().collect();
    let before = member_snapshot(&membership, &account.email, &before_perms);

    let mut m: memberships::ActiveModel = membership.clone().into();
    m.role = Set(input.role.as_str().to_string());
    m.status = Set(input.status.as_str().to_string());
    m.role_template_id = Set(input.template_id);
    m.crm_access = Set(input.role == Role::Admin || input.crm_access);
    m.updated_at = Set(now);
    let updated = m.update(&*txn).await?;

    if before_perms != after_perms {
        membership_permissions::Entity::delete_many()
            .filter(membership_permissions::Column::MembershipId.eq(membership.id))
            .exec(&*txn)
            .await?;
        if !after_perms.is_empty() {
            membership_permissions::Entity::insert_many(after_perms.iter().map(|p| {
                membership_permissions::ActiveModel {
                    membership_id: Set(membership.id),
                    permission: Set(p.key()),
                }
            }))
            .exec(&*txn)
            .await?;
        }
    }
    if current_status != MembershipStatus::Suspended && input.status == MembershipStatus::Suspended
    {
        sessions::end_for_membership(&*txn, account.id, actor.tenant.id).await?;
    }
    let action = match (current_status, input.status) {
        (MembershipStatus::Active, MembershipStatus::Suspended) => "member.suspended",
        (MembershipStatus::Suspended, MembershipStatus::Active) => "member.reactivated",
        _ => "member.updated",
    };
    audit::record(
        &*txn,
        now,
        &actor.audit_actor(meta),
        AuditEntry::new(Some(actor.tenant.id), action, "membership")
            .target(Some(membership.id), email.as_str())
            .before(before)
            .after(member_snapshot(&updated, email.as_str(), &after_perms)),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Removes someone from the tenant. Their seat is freed and their sessions here end;
/// the audit trail keeps their email. The account itself goes only when no other
/// tenant uses it.
pub async fn delete(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    member_id: i64,
) -> Result<(), AppError> {
    let now = state.now_ms();
    let txn = state.db.begin_write().await?;
    require_user_admin(&*txn, actor).await?;
    lock_tenant(&*txn, actor.tenant.id).await?;
    let (membership, account) = member_in_tenant(&*txn, actor.tenant.id, member_id).await?;
    if membership.id == actor.membership.id {
        return Err(AppError::Conflict(
            "You can't remove yourself. Ask another admin of this tenant to do it.".into(),
        ));
    }
    let is_active_admin = membership.role == Role::Admin.as_str()
        && membership.status == MembershipStatus::Active.as_str();
    if is_active_admin && active_admins(&*txn, actor.tenant.id).await? <= 1 {
        return Err(last_admin_error(&account.email));
    }
    let before = member_snapshot(
        &membership,
        &account.email,
        &direct_permissions(&*txn, membership.id).await?,
    );
    sessions::end_for_membership(&*txn, account.id, actor.tenant.id).await?;
    memberships::Entity::delete_by_id(membership.id)
        .exec(&*txn)
        .await?;
    let remaining = memberships::Entity::find()
        .filter(memberships::Column::AccountId.eq(account.id))
        .count(&*txn)
        .await?;
    if remaining == 0 {
        accounts::Entity::delete_by_id(account.id)
            .exec(&*txn)
            .await?;
    }
    audit::record(
        &*txn,
        now,
        &actor.audit_actor(meta),
        AuditEntry::new(Some(actor.tenant.id), "member.deleted", "membership")
            .target(Some(membership.id), &account.email)
            .before(before),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Lifts a lock left by repeated wrong passwords, so the person can try again now.
pub async fn unlock(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    member_id: i64,
) -> Result<(), AppError> {
    let now = state.now_ms();
    let txn = state.db.begin_write().await?;
    require_user_admin(&*txn, actor).await?;
    let (membership, account) = member_in_tenant(&*txn, actor.tenant.id, member_id).await?;
    let before =
        json!({"failed_sign_ins": account.failed_sign_ins, "locked_until": account.locked_until});
    super::throttle::record_success(&*txn, &account).await?;
    audit::record(
        &*txn,
        now,
        &actor.audit_actor(meta),
        AuditEntry::new(Some(actor.tenant.id), "member.unlocked", "membership")
            .target(Some(membership.id), &account.email)
            .before(before),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}
