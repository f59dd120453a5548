//! Offboarding across tenants: an admin of several tenants (a production and its
//! sandbox, say) removes one person from every tenant where they may, from that
//! person's row. The preview names only tenants where the actor is an active admin
//! and says what the person loses in each; confirming removes them tenant by tenant
//! (one transaction each, through the Delete user checks: seats freed, sessions
//! there ended, audited there).

use super::begin_member_change;
use super::edit::remove_in;
use crate::backend::kernel::actor::Actor;
use crate::backend::kernel::audit;
use crate::backend::kernel::directory::{member_in_tenant, membership_of, memberships_of};
use crate::backend::kernel::policy::{access_inputs, in_force, require_user_admin, NOT_YOURSELF};
use crate::backend::kernel::request::RequestMeta;
use crate::backend::kernel::stored::decode;
use crate::backend::AppState;
use crate::domain::access::effective_permissions;
use crate::domain::members::{OffboardOutcome, OffboardPlace, OffboardPreview};
use crate::domain::{AppError, MembershipStatus, Role};
use sea_orm::ConnectionTrait;

/// The actor as they are in another tenant where they are an active admin.
fn actor_in(
    actor: &Actor,
    place: &crate::backend::kernel::directory::TenantAccess,
) -> Option<Actor> {
    let membership = in_force(&place.membership, actor.now);
    let is_admin = membership.role == Role::Admin.as_str()
        && membership.status == MembershipStatus::Active.as_str();
    is_admin.then(|| Actor {
        role: Role::Admin,
        tenant_kind: decode(&place.tenant.kind).unwrap_or(actor.tenant_kind),
        plan: decode(&place.tenant.plan).unwrap_or(actor.plan),
        tenant: place.tenant.clone(),
        membership,
        ..actor.clone()
    })
}

/// Every tenant where the actor is an active admin and the person is a member: the
/// actor there, and the person's membership id there.
async fn places(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    account_id: i64,
) -> Result<Vec<(Actor, i64)>, AppError> {
    let mut out = Vec::new();
    for place in memberships_of(conn, actor.account.id).await? {
        let Some(there) = actor_in(actor, &place) else {
            continue;
        };
        if let Some(theirs) = membership_of(conn, place.tenant.id, account_id).await? {
            out.push((there, theirs.id));
        }
    }
    // The current tenant first, then the others by name.
    out.sort_by_key(|(a, _)| (a.tenant.id != actor.tenant.id, a.tenant.name.clone()));
    Ok(out)
}

/// What "Remove from all my tenants" would do for member `member_id` of the actor's
/// tenant.
pub async fn preview(
    state: &AppState,
    actor: &Actor,
    member_id: i64,
) -> Result<OffboardPreview, AppError> {
    let conn = state.db.conn();
    require_user_admin(conn, actor).await?;
    let (_, account) = member_in_tenant(conn, actor.tenant.id, member_id).await?;
    if account.id == actor.account.id {
        return Err(AppError::Conflict(NOT_YOURSELF.into()));
    }
    let mut tenants = Vec::new();
    for (there, their_id) in places(conn, actor, account.id).await? {
        let (membership, _) = member_in_tenant(conn, there.tenant.id, their_id).await?;
        let access = access_inputs(conn, &membership, actor.now).await?;
        let mut loses: Vec<String> = Vec::new();
        if access.role == Role::Admin {
            loses.push("the Admin role (every permission)".into());
        } else {
            if let Some(t) = &access.template {
                loses.push(format!("the role template “{}”", t.name));
            }
            let perms = effective_permissions(&access);
            if !perms.is_empty() {
                loses.push(format!(
                    "{}: {}",
                    if perms.len() == 1 {
                        "1 permission".to_string()
                    } else {
                        format!("{} permissions", perms.len())
                    },
                    perms
                        .iter()
                        .map(|p| p.label())
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
        }
        if loses.is_empty() {
            loses.push("their seat and sign-in there".into());
        }
        tenants.push(OffboardPlace {
            tenant: there.tenant.name.clone(),
            status: decode(&membership.status)?,
            loses,
        });
    }
    Ok(OffboardPreview {
        email: account.email,
        tenants,
    })
}

/// Removes the person from every tenant of the preview, one transaction each; a
/// tenant that refuses (the last admin there, say) is reported and the others go on.
pub async fn offboard(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    member_id: i64,
) -> Result<Vec<OffboardOutcome>, AppError> {
    let conn = state.db.conn();
    require_user_admin(conn, actor).await?;
    let (_, account) = member_in_tenant(conn, actor.tenant.id, member_id).await?;
    if account.id == actor.account.id {
        return Err(AppError::Conflict(NOT_YOURSELF.into()));
    }
    let mut outcomes = Vec::new();
    for (there, their_id) in places(conn, actor, account.id).await? {
        let result = async {
            let change = begin_member_change(state, &there, their_id, true).await?;
            let (txn, now, entry) = remove_in(&there, change, false).await?;
            audit::commit_with(txn, now, &there.audit_actor(meta), entry).await
        }
        .await;
        outcomes.push(OffboardOutcome {
            tenant: there.tenant.name.clone(),
            removed: result.is_ok(),
            why: result.err().map(|e| e.to_string()),
        });
    }
    Ok(outcomes)
}
