//! SCIM Users (issue 14): the tenant's members for an identity provider, through
//! the same services as Settings → Users, acting for the API key's creator.
//!
//! - Create invites the person (a seat, an invitation email unless the tenant holds
//!   them for later, `provisioned_by = scim`); an existing member is a uniqueness
//!   error, a full tenant a `tooMany` one.
//! - `active: false` suspends the membership and ends its sessions; for someone who
//!   has not joined yet it holds the invitation (the link stops working) until
//!   `active: true` sends a fresh one.
//! - PUT replaces; PATCH applies its operations to the User as shown, then saves the
//!   result as a PUT. The email changes under the Edit user rules.
//! - DELETE removes the membership as "Delete user" does.
//!
//! The name, userName and externalId the provider gives stay on the membership
//! (`profile`, `external_id`); the account gets the name only when it has none.

use super::begin_member_change;
use super::edit::{apply_update, current_input};
use super::invitations::{invite_in, send_invitation, Inviting, Provisioning, ToSend};
use crate::backend::entities::{accounts, invitations, memberships};
use crate::backend::kernel::actor::Actor;
use crate::backend::kernel::audit::{self, AuditEntry};
use crate::backend::kernel::directory::{
    find_account_by_email, lock_tenant, member_in_tenant, membership_of,
};
use crate::backend::kernel::like;
use crate::backend::kernel::policy::{require_user_admin, user_manager, NOT_YOUR_OWN};
use crate::backend::kernel::request::RequestMeta;
use crate::backend::kernel::stored::decode;
use crate::backend::AppState;
use crate::domain::members::InviteInput;
use crate::domain::scim::{self, patch, ListQuery, Profile, ScimError, UserInput, UserView};
use crate::domain::{AppError, Email, MembershipStatus, Role};
use sea_orm::sea_query::{Condition, Expr};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, Set,
};
use serde_json::{json, Value};

/// What a filter lets the database narrow the members by before it is evaluated.
#[derive(Debug, Default)]
struct Narrow {
    id: Option<i64>,
    user_name: Option<String>,
    external_id: Option<String>,
}

impl Narrow {
    fn of(query: &ListQuery) -> Narrow {
        let pinned = |attr| query.filter.as_ref().and_then(|f| f.pinned(attr));
        Narrow {
            // An id that is no number matches nobody: -1 finds nothing.
            id: pinned("id").map(|id| id.parse().unwrap_or(-1)),
            user_name: pinned("userName"),
            external_id: pinned("externalId"),
        }
    }
}

fn view(membership: memberships::Model, account: accounts::Model) -> UserView {
    let profile = membership
        .profile
        .as_deref()
        .and_then(|p| serde_json::from_str::<Profile>(p).ok())
        .unwrap_or_default();
    UserView {
        id: membership.id,
        email: account.email,
        profile,
        active: membership.status != MembershipStatus::Suspended.as_str(),
        external_id: membership.external_id,
        created_at: membership.created_at,
        updated_at: membership.updated_at,
    }
}

async fn views(
    conn: &impl ConnectionTrait,
    tenant_id: i64,
    narrow: &Narrow,
) -> Result<Vec<UserView>, AppError> {
    let mut find = memberships::Entity::find()
        .find_also_related(accounts::Entity)
        .filter(memberships::Column::TenantId.eq(tenant_id));
    if let Some(id) = narrow.id {
        find = find.filter(memberships::Column::Id.eq(id));
    }
    if let Some(x) = &narrow.external_id {
        find = find.filter(memberships::Column::ExternalId.eq(x.clone()));
    }
    if let Some(name) = &narrow.user_name {
        // The email, or a userName kept beside it (compared exactly afterwards).
        let kept = serde_json::to_string(name).map_err(crate::backend::internal)?;
        find = find.filter(
            Condition::any()
                .add(accounts::Column::Email.eq(name.to_lowercase()))
                .add(
                    Expr::col((memberships::Entity, memberships::Column::Profile))
                        .like(like::containing(&kept)),
                ),
        );
    }
    let rows = find.order_by_asc(memberships::Column::Id).all(conn).await?;
    Ok(rows
        .into_iter()
        .filter_map(|(m, a)| Some(view(m, a?)))
        .collect())
}

/// The resources `query` may match (narrowed by the database where its filter
/// allows; [`ListQuery::answer`] filters, sorts, pages and projects them).
pub async fn resources(
    state: &AppState,
    actor: &Actor,
    query: &ListQuery,
    base: &str,
) -> Result<Vec<Value>, ScimError> {
    let conn = state.db.conn();
    require_user_admin(conn, actor).await?;
    let users = views(conn, actor.tenant.id, &Narrow::of(query)).await?;
    Ok(users.iter().map(|u| scim::user_resource(u, base)).collect())
}

fn parse_id(id: &str) -> Result<i64, ScimError> {
    scim::resource_id("User", id)
}

/// One User as shown, or 404.
pub async fn get(
    state: &AppState,
    actor: &Actor,
    id: &str,
    base: &str,
) -> Result<Value, ScimError> {
    let conn = state.db.conn();
    require_user_admin(conn, actor).await?;
    let narrow = Narrow {
        id: Some(parse_id(id)?),
        ..Narrow::default()
    };
    views(conn, actor.tenant.id, &narrow)
        .await?
        .first()
        .map(|u| scim::user_resource(u, base))
        .ok_or_else(|| ScimError::not_found("User", id))
}

fn email_of(input: &UserInput) -> Result<Email, ScimError> {
    Email::parse(&input.email).map_err(|e| {
        ScimError::invalid_value(format!(
            "“{}” is not an email address ({e}): Gatehouse needs the person's email, as userName or as the primary email.",
            input.email
        ))
    })
}

fn profile_json(profile: &Profile) -> Result<Option<String>, ScimError> {
    if *profile == Profile::default() {
        return Ok(None);
    }
    serde_json::to_string(profile)
        .map(Some)
        .map_err(|e| ScimError::from(crate::backend::internal(e)))
}

/// What a tenant whose seats are all taken answers an identity provider.
fn seats_full(error: AppError) -> ScimError {
    match error {
        AppError::Conflict(sentence) => ScimError::new(403, Some("tooMany"), sentence),
        other => other.into(),
    }
}

/// Creates the User of a POST body; answers its id.
pub async fn create(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    body: &Value,
) -> Result<i64, ScimError> {
    let input = scim::user_input(body)?;
    let email = email_of(&input)?;
    let now = state.now_ms();
    let txn = state.db.begin_write().await?;
    let inviter = user_manager(&*txn, actor).await?;
    let tenant = lock_tenant(&*txn, actor.tenant.id).await?;
    if let Some(account) = find_account_by_email(&*txn, &email).await? {
        if let Some(m) = membership_of(&*txn, tenant.id, account.id).await? {
            return Err(ScimError::uniqueness(format!(
                "{email} is already a member of this tenant (User id {}).",
                m.id
            )));
        }
    }
    let invite = InviteInput {
        email: email.to_string(),
        role: Role::User,
        template_id: None,
        crm_access: false,
        beta_access: false,
    };
    let how = Provisioning {
        source: Some("scim"),
        external_id: input.external_id.clone(),
        profile: profile_json(&input.profile)?,
        display_name: input.profile.shown_name(),
        hold_invitation: !tenant.scim_invites,
    };
    let at = Inviting {
        tenant: &tenant,
        inviter: &inviter,
        now,
    };
    let id = invite_in(&*txn, state, actor, meta, &at, &email, &invite, how)
        .await
        .map_err(seats_full)?;
    if !input.active {
        let (membership, account) = member_in_tenant(&*txn, tenant.id, id).await?;
        let entry = hold_invitation(&*txn, actor, &inviter, &membership, &account, now).await?;
        audit::record(&*txn, now, &actor.audit_actor(meta), entry).await?;
    }
    txn.commit().await?;
    Ok(id)
}

/// Replaces the User `id` with a PUT body.
pub async fn replace(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    id: &str,
    body: &Value,
) -> Result<(), ScimError> {
    let input = scim::user_input(body)?;
    save(state, actor, meta, parse_id(id)?, input).await
}

/// Applies a PATCH body to the User `id` as shown, then saves it as a PUT.
pub async fn patch(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    id: &str,
    body: &Value,
    base: &str,
) -> Result<(), ScimError> {
    let ops = patch::parse_request(body)?;
    let mut resource = get(state, actor, id, base).await?;
    patch::apply(&mut resource, &ops)?;
    let input = scim::user_input(&resource)?;
    save(state, actor, meta, parse_id(id)?, input).await
}

/// Removes the User `id` as "Delete user" does.
pub async fn delete(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    id: &str,
) -> Result<(), ScimError> {
    super::delete(state, actor, meta, parse_id(id)?).await?;
    Ok(())
}

/// Whether the membership was invited and has never joined (its suspension holds
/// an invitation rather than ending a membership in use).
async fn never_joined(
    conn: &impl ConnectionTrait,
    membership: &memberships::Model,
) -> Result<bool, AppError> {
    if membership.last_login_at.is_some() {
        return Ok(false);
    }
    let invited = invitations::Entity::find()
        .filter(invitations::Column::MembershipId.eq(membership.id))
        .count(conn)
        .await?;
    let accepted = invitations::Entity::find()
        .filter(invitations::Column::MembershipId.eq(membership.id))
        .filter(invitations::Column::AcceptedAt.is_not_null())
        .count(conn)
        .await?;
    Ok(invited > 0 && accepted == 0)
}

fn may_touch(
    actor: &Actor,
    grantor: &crate::backend::kernel::policy::Grantor,
    membership: &memberships::Model,
) -> Result<(), AppError> {
    if membership.id == actor.membership.id {
        return Err(AppError::Forbidden(NOT_YOUR_OWN.to_string()));
    }
    if membership.role == Role::Admin.as_str() {
        grantor.require_admin()?;
    }
    Ok(())
}

async fn set_status(
    conn: &impl ConnectionTrait,
    membership: &memberships::Model,
    status: MembershipStatus,
    now: i64,
) -> Result<memberships::Model, AppError> {
    let mut m: memberships::ActiveModel = membership.clone().into();
    m.status = Set(status.as_str().to_string());
    m.updated_at = Set(now);
    Ok(m.update(conn).await?)
}

/// `active: false` for someone who has not joined: their invitation link stops
/// working and they show as suspended.
async fn hold_invitation(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    grantor: &crate::backend::kernel::policy::Grantor,
    membership: &memberships::Model,
    account: &accounts::Model,
    now: i64,
) -> Result<AuditEntry, AppError> {
    may_touch(actor, grantor, membership)?;
    invitations::Entity::update_many()
        .col_expr(invitations::Column::RevokedAt, Expr::value(now))
        .filter(invitations::Column::MembershipId.eq(membership.id))
        .filter(invitations::Column::AcceptedAt.is_null())
        .filter(invitations::Column::RevokedAt.is_null())
        .exec(conn)
        .await?;
    set_status(conn, membership, MembershipStatus::Suspended, now).await?;
    Ok(
        AuditEntry::new(Some(actor.tenant.id), "member.suspended", "membership")
            .target(Some(membership.id), &account.email)
            .before(json!({ "status": "invited" }))
            .after(json!({ "status": "suspended", "invitation": "held" })),
    )
}

/// `active: true` for someone whose invitation was held: invited again, with a
/// fresh link unless the tenant holds invitations for the admin to send.
#[allow(clippy::too_many_arguments)]
async fn release_invitation(
    conn: &impl ConnectionTrait,
    state: &AppState,
    actor: &Actor,
    grantor: &crate::backend::kernel::policy::Grantor,
    membership: &memberships::Model,
    account: &accounts::Model,
    send: bool,
    now: i64,
) -> Result<AuditEntry, AppError> {
    may_touch(actor, grantor, membership)?;
    let membership = set_status(conn, membership, MembershipStatus::Invited, now).await?;
    if send {
        let email = Email::parse(&account.email).map_err(crate::backend::internal)?;
        let to_send = ToSend {
            tenant: &actor.tenant,
            membership: &membership,
            email: &email,
            resent: false,
        };
        send_invitation(conn, state, actor, to_send, now).await?;
    }
    Ok(
        AuditEntry::new(Some(actor.tenant.id), "member.reactivated", "membership")
            .target(Some(membership.id), &account.email)
            .before(json!({ "status": "suspended" }))
            .after(json!({ "status": "invited", "invitation_sent": send })),
    )
}

/// Makes the member `id` what `input` says, each change under its own rules, in one
/// transaction; nothing is written or audited when nothing changes.
async fn save(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    id: i64,
    input: UserInput,
) -> Result<(), ScimError> {
    let email = email_of(&input)?;
    let change = begin_member_change(state, actor, id, true).await?;
    let tenant = lock_tenant(&*change.txn, actor.tenant.id).await?;
    let grantor = change.grantor.clone();
    let status: MembershipStatus = decode(&change.membership.status)?;
    let never = status == MembershipStatus::Suspended
        && never_joined(&*change.txn, &change.membership).await?;
    // The status Edit user can give; the held-invitation moves are made below.
    let edited_status = match (status, input.active) {
        (MembershipStatus::Active, false) => MembershipStatus::Suspended,
        (MembershipStatus::Suspended, true) if !never => MembershipStatus::Active,
        (s, _) => s,
    };
    let current = current_input(&*change.txn, actor.tenant.id, id).await?;
    let wanted = crate::domain::members::MemberUpdate {
        email: email.to_string(),
        status: edited_status,
        ..current.clone()
    };
    let mut entries = Vec::new();
    let (txn, now) = if wanted != current {
        let (txn, now, entry) = apply_update(state, actor, change, wanted).await?;
        entries.push(entry);
        (txn, now)
    } else {
        (change.txn, change.now)
    };
    let (membership, account) = member_in_tenant(&*txn, actor.tenant.id, id).await?;
    match (status, input.active) {
        (MembershipStatus::Invited, false) => {
            entries.push(hold_invitation(&*txn, actor, &grantor, &membership, &account, now).await?)
        }
        (MembershipStatus::Suspended, true) if never => entries.push(
            release_invitation(
                &*txn,
                state,
                actor,
                &grantor,
                &membership,
                &account,
                tenant.scim_invites,
                now,
            )
            .await?,
        ),
        _ => {}
    }
    // What the provider says of the person, kept on the membership.
    let (membership, account) = member_in_tenant(&*txn, actor.tenant.id, id).await?;
    let profile = profile_json(&input.profile)?;
    if profile != membership.profile || input.external_id != membership.external_id {
        may_touch(actor, &grantor, &membership)?;
        let before =
            json!({ "external_id": membership.external_id, "profile": membership.profile });
        let mut m: memberships::ActiveModel = membership.clone().into();
        m.profile = Set(profile.clone());
        m.external_id = Set(input.external_id.clone());
        m.updated_at = Set(now);
        m.update(&*txn).await?;
        if let Some(name) = input
            .profile
            .shown_name()
            .filter(|_| account.display_name.is_empty())
        {
            let mut a: accounts::ActiveModel = account.clone().into();
            a.display_name = Set(name);
            a.update(&*txn).await?;
        }
        entries.push(
            AuditEntry::new(
                Some(actor.tenant.id),
                "member.profile_updated",
                "membership",
            )
            .target(Some(membership.id), &account.email)
            .before(before)
            .after(json!({ "external_id": input.external_id, "profile": profile })),
        );
    }
    if entries.is_empty() {
        return Ok(());
    }
    let by = actor.audit_actor(meta);
    for entry in entries {
        audit::record(&*txn, now, &by, entry).await?;
    }
    txn.commit().await?;
    Ok(())
}
