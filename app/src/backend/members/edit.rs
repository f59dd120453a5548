//! The Edit user dialog, deletion and unlocking.

use super::invitations::{send_invitation, ToSend};
use super::{begin_member_change, parse_email_field, template_in_tenant, MemberChange};
use crate::backend::entities::{accounts, membership_permissions, memberships};
use crate::backend::kernel::actor::Actor;
use crate::backend::kernel::audit::{self, AuditEntry};
use crate::backend::kernel::clock::{format_time, parse_until};
use crate::backend::kernel::credentials::revoke_resets;
use crate::backend::kernel::db::WriteTxn;
use crate::backend::kernel::directory::{find_account_by_email, member_in_tenant};
use crate::backend::kernel::mail::{self, letters, Letter};
use crate::backend::kernel::policy::{
    access_inputs, admin_for_good, require_user_admin, template_permissions, Grantor, NOT_YOURSELF,
    NOT_YOUR_OWN,
};
use crate::backend::kernel::request::RequestMeta;
use crate::backend::kernel::sessions;
use crate::backend::kernel::stored::{decode, decode_all};
use crate::backend::kernel::throttle;
use crate::backend::AppState;
use crate::domain::access::{AccessInputs, Permission};
use crate::domain::members::MemberUpdate;
use crate::domain::{AppError, Email, MembershipStatus, Role};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, Set,
};
use serde_json::json;
use std::collections::BTreeSet;

/// What an admin is told when a member's email can't be changed to the one asked
/// for, whatever the reason (see `update`).
pub const EMAIL_NOT_CHANGEABLE: &str = "That email can't be used for this person. To give access to that address, invite it as a new member.";

/// The privilege boundaries of an edit: only admins touch an admin's membership or
/// give the Admin role; nobody changes their own access; anyone else grants (directly
/// or through a newly chosen template) only what they hold themselves.
async fn guard_grants(
    conn: &impl ConnectionTrait,
    grantor: &Grantor,
    actor: &Actor,
    membership: &memberships::Model,
    input: &MemberUpdate,
    before_perms: &BTreeSet<Permission>,
    after_perms: &BTreeSet<Permission>,
) -> Result<(), AppError> {
    if membership.role == Role::Admin.as_str() || input.role == Role::Admin {
        grantor.require_admin()?;
    }
    if membership.id == actor.membership.id {
        let own_access_changes = input.role.as_str() != membership.role
            || input.status.as_str() != membership.status
            || input.template_id != membership.role_template_id
            || (input.crm_access || input.role == Role::Admin) != membership.crm_access
            || input.beta_access != membership.beta_access
            || after_perms != before_perms;
        if own_access_changes {
            return Err(AppError::Forbidden(NOT_YOUR_OWN.to_string()));
        }
    }
    grantor.may_grant(after_perms.difference(before_perms))?;
    if input.template_id != membership.role_template_id {
        if let Some(template) = input.template_id {
            grantor.may_grant(&template_permissions(conn, template).await?)?;
        }
    }
    Ok(())
}

/// What an edit adds to a member's access, each of which an "Until" ends: the
/// Admin role, another role template, direct permissions, CRM or beta access.
#[derive(Debug, Clone, Copy, Default)]
struct Raise {
    role: bool,
    template: bool,
    permissions: bool,
    crm: bool,
    beta: bool,
}

impl Raise {
    fn of(membership: &memberships::Model, input: &MemberUpdate, adds_permissions: bool) -> Self {
        let crm_after = input.role == Role::Admin || input.crm_access;
        Raise {
            role: input.role == Role::Admin && membership.role != Role::Admin.as_str(),
            template: input.template_id.is_some()
                && input.template_id != membership.role_template_id,
            permissions: adds_permissions,
            crm: crm_after && !membership.crm_access,
            beta: input.beta_access && !membership.beta_access,
        }
    }

    fn on_membership(&self) -> bool {
        self.role || self.template || self.crm || self.beta
    }

    fn is_none(&self) -> bool {
        !self.on_membership() && !self.permissions
    }
}

/// Active admins for good: a temporary admin ends by itself, so it never keeps a
/// tenant's last admin.
async fn active_admins(conn: &impl ConnectionTrait, tenant_id: i64) -> Result<u64, DbErr> {
    memberships::Entity::find()
        .filter(memberships::Column::TenantId.eq(tenant_id))
        .filter(admin_for_good())
        .filter(memberships::Column::Status.eq(MembershipStatus::Active.as_str()))
        .count(conn)
        .await
}

fn last_admin_error(email: &str) -> AppError {
    AppError::Conflict(format!(
        "{email} is the last active admin of this tenant, so they can't be demoted, suspended or removed. Make someone else an admin first."
    ))
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
        "beta_access": m.beta_access,
        "permissions": perms.iter().map(|p| p.key()).collect::<Vec<_>>(),
    })
}

async fn direct_permissions(
    conn: &impl ConnectionTrait,
    member_id: i64,
) -> Result<BTreeSet<Permission>, AppError> {
    let rows = membership_permissions::Entity::find()
        .filter(membership_permissions::Column::MembershipId.eq(member_id))
        .all(conn)
        .await?;
    decode_all(rows.iter().map(|r| r.permission.as_str()))
}

/// Changes one thing of a member as if their Edit user dialog were saved with it
/// (the one-click fixes of diagnostics): the same checks, the same audit.
pub async fn adjust(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    member_id: i64,
    change: impl FnOnce(&mut MemberUpdate),
) -> Result<(), AppError> {
    // Read inside the write transaction: a change made meanwhile is never undone.
    let member_change = begin_member_change(state, actor, member_id, true).await?;
    let mut input = current_input(&*member_change.txn, actor.tenant.id, member_id).await?;
    change(&mut input);
    let (txn, now, entry) = apply_update(state, actor, member_change, input).await?;
    audit::commit_with(txn, now, &actor.audit_actor(meta), entry).await
}

/// A member as their Edit user dialog would be saved unchanged.
pub(super) async fn current_input(
    conn: &impl ConnectionTrait,
    tenant_id: i64,
    member_id: i64,
) -> Result<MemberUpdate, AppError> {
    let (membership, account) = member_in_tenant(conn, tenant_id, member_id).await?;
    Ok(MemberUpdate {
        id: membership.id,
        email: account.email,
        role: decode(&membership.role)?,
        status: decode(&membership.status)?,
        template_id: membership.role_template_id,
        crm_access: membership.crm_access,
        beta_access: membership.beta_access,
        permissions: direct_permissions(conn, membership.id)
            .await?
            .into_iter()
            .collect(),
        until: String::new(),
    })
}

/// Saves the Edit user dialog.
pub async fn update(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    input: MemberUpdate,
) -> Result<(), AppError> {
    let change = begin_member_change(state, actor, input.id, true).await?;
    let (txn, now, entry) = apply_update(state, actor, change, input).await?;
    audit::commit_with(txn, now, &actor.audit_actor(meta), entry).await
}

/// Makes the change of an opened member change, with every check of the Edit user
/// dialog; answers the transaction (not yet committed, for the caller to add to)
/// and the audit entry that describes it.
pub(super) async fn apply_update(
    state: &AppState,
    actor: &Actor,
    change: MemberChange,
    input: MemberUpdate,
) -> Result<(WriteTxn, i64, AuditEntry), AppError> {
    let email = parse_email_field(&input.email)?;
    let MemberChange {
        txn,
        now,
        membership,
        account,
        grantor,
    } = change;
    let current_status: MembershipStatus = decode(&membership.status)?;
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

    let was_active_admin = membership.role == Role::Admin.as_str()
        && membership.role_until.is_none()
        && current_status == MembershipStatus::Active;
    let stays_active_admin = input.role == Role::Admin && input.status == MembershipStatus::Active;
    if was_active_admin && !stays_active_admin && active_admins(&*txn, actor.tenant.id).await? <= 1
    {
        return Err(last_admin_error(&account.email));
    }
    // The last-admin answer first: it says more than "not your own".
    let before_perms = direct_permissions(&*txn, membership.id).await?;
    let after_perms: BTreeSet<Permission> = input.permissions.iter().copied().collect();
    guard_grants(
        &*txn,
        &grantor,
        actor,
        &membership,
        &input,
        &before_perms,
        &after_perms,
    )
    .await?;

    if email.as_str() != account.email {
        let other_tenants = memberships::Entity::find()
            .filter(memberships::Column::AccountId.eq(account.id))
            .filter(memberships::Column::TenantId.ne(actor.tenant.id))
            .count(&*txn)
            .await?;
        // One answer whether this person's account is shared with other tenants or
        // the address already has an account: it must not tell which addresses do.
        if other_tenants > 0 || find_account_by_email(&*txn, &email).await?.is_some() {
            return Err(AppError::field("email", EMAIL_NOT_CHANGEABLE));
        }
        let mut a: accounts::ActiveModel = account.clone().into();
        a.email = Set(email.to_string());
        a.update(&*txn).await?;
        // Both addresses hear of it: the old one in case this was not expected.
        let old = Email::parse(&account.email).map_err(crate::backend::internal)?;
        let letter = Letter::EmailChanged(letters::EmailChanged {
            tenant: actor.tenant.name.clone(),
            old: old.to_string(),
            new: email.to_string(),
        });
        for to in [&old, &email] {
            mail::enqueue(&*txn, &state.settings, now, to, &letter).await?;
        }
        // Links sent to the old address stop working. Someone who hasn't joined yet
        // gets a fresh invitation at the new address (it voids the old link).
        revoke_resets(&*txn, account.id, now).await?;
        if current_status == MembershipStatus::Invited {
            let to_send = ToSend {
                tenant: &actor.tenant,
                membership: &membership,
                email: &email,
                resent: false,
            };
            send_invitation(&*txn, state, actor, to_send, now).await?;
        }
    }

    let before = member_snapshot(&membership, &account.email, &before_perms);
    let added: Vec<Permission> = after_perms.difference(&before_perms).copied().collect();
    let raise = Raise::of(&membership, &input, !added.is_empty());
    let until = parse_until(&input.until, now, "until")?;
    if until.is_some() && raise.is_none() {
        return Err(AppError::field(
            "until",
            "“Until” ends what this change adds, and this change adds no access. Leave it empty, or give the access it is for.",
        ));
    }
    let by = until.map(|_| actor.account.email.clone());

    let mut m: memberships::ActiveModel = membership.clone().into();
    m.role = Set(input.role.as_str().to_string());
    m.status = Set(input.status.as_str().to_string());
    m.role_template_id = Set(input.template_id);
    m.crm_access = Set(input.role == Role::Admin || input.crm_access);
    m.beta_access = Set(input.beta_access);
    // What this change adds carries the end, if one is given; anything else changed
    // by hand is no longer temporary; what is left as it was keeps its end.
    if raise.role {
        m.role_until = Set(until);
        m.role_restore = Set(until.map(|_| {
            membership
                .role_until
                .and(membership.role_restore.clone())
                .unwrap_or_else(|| membership.role.clone())
        }));
    } else if input.role.as_str() != membership.role {
        m.role_until = Set(None);
        m.role_restore = Set(None);
    }
    if raise.template {
        m.template_until = Set(until);
        // Back to the template they have for good when it ends.
        let restore = if membership.template_until.is_some() {
            membership.template_restore_id
        } else {
            membership.role_template_id
        };
        m.template_restore_id = Set(until.and(restore));
    } else if input.template_id != membership.role_template_id {
        m.template_until = Set(None);
        m.template_restore_id = Set(None);
    }
    if raise.crm {
        m.crm_until = Set(until);
    } else if (input.role == Role::Admin || input.crm_access) != membership.crm_access {
        m.crm_until = Set(None);
    }
    if raise.beta {
        m.beta_until = Set(until);
    } else if input.beta_access != membership.beta_access {
        m.beta_until = Set(None);
    }
    if until.is_some() && raise.on_membership() {
        m.temporary_by = Set(by.clone());
    }
    m.updated_at = Set(now);
    let updated = m.update(&*txn).await?;

    // Only what changed: a grant kept keeps its end, if it has one.
    let removed: Vec<String> = before_perms
        .difference(&after_perms)
        .map(|p| p.key())
        .collect();
    if !removed.is_empty() {
        membership_permissions::Entity::delete_many()
            .filter(membership_permissions::Column::MembershipId.eq(membership.id))
            .filter(membership_permissions::Column::Permission.is_in(removed))
            .exec(&*txn)
            .await?;
    }
    if !added.is_empty() {
        membership_permissions::Entity::insert_many(added.iter().map(|p| {
            membership_permissions::ActiveModel {
                membership_id: Set(membership.id),
                permission: Set(p.key()),
                expires_at: Set(until),
                granted_by: Set(by.clone()),
            }
        }))
        .exec(&*txn)
        .await?;
    }
    // Suspension ends their sessions here; so does a change of role (admin or not):
    // the next request signs in afresh with a new session id, and an admin of a
    // tenant that requires two-factor sets it up first.
    let role_changed = membership.role != input.role.as_str();
    if role_changed
        || (current_status != MembershipStatus::Suspended
            && input.status == MembershipStatus::Suspended)
    {
        sessions::end_for_membership(&*txn, account.id, actor.tenant.id).await?;
    }
    let action = match (current_status, input.status) {
        (MembershipStatus::Active, MembershipStatus::Suspended) => "member.suspended",
        (MembershipStatus::Suspended, MembershipStatus::Active) => "member.reactivated",
        _ => "member.updated",
    };
    let mut after = member_snapshot(&updated, email.as_str(), &after_perms);
    if let (Some(until), Some(fields)) = (until, after.as_object_mut()) {
        fields.insert("until".into(), json!(format_time(until)));
    }
    let entry = AuditEntry::new(Some(actor.tenant.id), action, "membership")
        .target(Some(membership.id), email.as_str())
        .before(before)
        .after(after);
    Ok((txn, now, entry))
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
    remove(state, actor, meta, member_id, false).await
}

/// Cancels a pending invitation: the link stops working and the seat is freed, as
/// if the invitation had never been sent (audited as a cancellation, not a removal).
/// Someone who has joined is refused: removing them is "Delete user".
pub async fn cancel_invite(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    member_id: i64,
) -> Result<(), AppError> {
    remove(state, actor, meta, member_id, true).await
}

async fn remove(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    member_id: i64,
    only_pending: bool,
) -> Result<(), AppError> {
    let change = begin_member_change(state, actor, member_id, true).await?;
    let (txn, now, entry) = remove_in(actor, change, only_pending).await?;
    audit::commit_with(txn, now, &actor.audit_actor(meta), entry).await
}

/// Removes the member of an opened change (their seat is freed, their sessions
/// here end, the account goes when no other tenant uses it), with every check of
/// "Delete user"; answers the transaction (not yet committed) and the audit entry.
pub(super) async fn remove_in(
    actor: &Actor,
    change: MemberChange,
    only_pending: bool,
) -> Result<(WriteTxn, i64, AuditEntry), AppError> {
    let MemberChange {
        txn,
        now,
        membership,
        account,
        grantor,
    } = change;
    if only_pending && membership.status != MembershipStatus::Invited.as_str() {
        return Err(AppError::Conflict(format!(
            "{} has already joined, so there is no invitation to cancel. To take their access away, use Delete user.",
            account.email
        )));
    }
    if membership.id == actor.membership.id {
        return Err(AppError::Conflict(NOT_YOURSELF.into()));
    }
    if membership.role == Role::Admin.as_str() {
        grantor.require_admin()?;
    }
    let is_active_admin = membership.role == Role::Admin.as_str()
        && membership.role_until.is_none()
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
    let action = if only_pending {
        "member.invite_cancelled"
    } else {
        "member.deleted"
    };
    let entry = AuditEntry::new(Some(actor.tenant.id), action, "membership")
        .target(Some(membership.id), &account.email)
        .before(before);
    Ok((txn, now, entry))
}

/// Lifts a lock left by repeated wrong passwords, so the person can try again now.
pub async fn unlock(
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
        ..
    } = begin_member_change(state, actor, member_id, false).await?;
    let before =
        json!({"failed_sign_ins": account.failed_sign_ins, "locked_until": account.locked_until});
    throttle::record_success(&*txn, &account).await?;
    audit::commit_with(
        txn,
        now,
        &actor.audit_actor(meta),
        AuditEntry::new(Some(actor.tenant.id), "member.unlocked", "membership")
            .target(Some(membership.id), &account.email)
            .before(before),
    )
    .await
}

/// What decides a member's access (role, direct grants, template, groups), for the
/// Edit dialog to show what grants each permission exactly as the server decides it.
pub async fn member_access(
    state: &AppState,
    actor: &Actor,
    member_id: i64,
) -> Result<AccessInputs, AppError> {
    let conn = state.db.conn();
    require_user_admin(conn, actor).await?;
    let (membership, _) = member_in_tenant(conn, actor.tenant.id, member_id).await?;
    access_inputs(conn, &membership, actor.now).await
}
