//! Settings → Users: the members table, invitations, editing, suspension, deletion.

pub mod edit;
pub mod expiry;
pub mod export;
pub mod import;
pub mod invitations;
pub mod list;
pub mod offboard;
pub mod requests;
pub mod reviews;
pub mod scim;

pub use edit::{adjust, cancel_invite, delete, member_access, unlock, update};
pub use invitations::{
    accept_invite, invite, invite_as, invite_details, invite_in, resend_invite, Inviting,
    Provisioning,
};
pub use list::{list, PAGE_SIZE};

use crate::backend::entities::{accounts, memberships};
use crate::backend::kernel::actor::Actor;
use crate::backend::kernel::db::WriteTxn;
use crate::backend::kernel::directory::{lock_tenant, member_in_tenant};
use crate::backend::kernel::policy::{user_manager, Grantor};
use crate::backend::AppState;
use crate::domain::{AppError, Email};
use sea_orm::ConnectionTrait;

fn parse_email_field(input: &str) -> Result<Email, AppError> {
    Email::parse(input).map_err(|e| AppError::field("email", e.to_string()))
}

/// A chosen template must be one of the tenant's (a field error otherwise).
async fn template_in_tenant(
    conn: &impl ConnectionTrait,
    tenant_id: i64,
    template_id: Option<i64>,
) -> Result<(), AppError> {
    let Some(id) = template_id else { return Ok(()) };
    match crate::backend::kernel::directory::template_in_tenant(conn, tenant_id, id).await {
        Err(AppError::NotFound) => Err(AppError::field(
            "role_template",
            "Choose a role template from this tenant's list.",
        )),
        other => other.map(|_| ()),
    }
}

/// A change to one member of the actor's tenant, opened by [`begin_member_change`].
pub struct MemberChange {
    pub txn: WriteTxn,
    pub now: i64,
    pub membership: memberships::Model,
    pub account: accounts::Model,
    /// What the actor may grant (checked to manage people already).
    pub grantor: Grantor,
}

/// Opens a change to one member: the write transaction with "manage people" checked
/// inside it, and the member with their account (another tenant's id answers
/// `NotFound`). `lock_tenant_row` also locks the tenant row, for seat and last-admin
/// checks that must be exact under concurrency.
pub async fn begin_member_change(
    state: &AppState,
    actor: &Actor,
    member_id: i64,
    lock_tenant_row: bool,
) -> Result<MemberChange, AppError> {
    let now = state.now_ms();
    let txn = state.db.begin_write().await?;
    let grantor = user_manager(&*txn, actor).await?;
    if lock_tenant_row {
        lock_tenant(&*txn, actor.tenant.id).await?;
    }
    let (membership, account) = member_in_tenant(&*txn, actor.tenant.id, member_id).await?;
    Ok(MemberChange {
        txn,
        now,
        membership,
        account,
        grantor,
    })
}
