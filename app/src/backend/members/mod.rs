//! Settings → Users: the members table, invitations, editing, suspension, deletion.

pub mod edit;
pub mod invitations;
pub mod list;

pub use edit::{delete, member_access, unlock, update};
pub use invitations::{accept_invite, invite, invite_details, resend_invite};
pub use list::{list, PAGE_SIZE};

use crate::backend::entities::role_templates;
use crate::domain::{AppError, Email};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

fn parse_email_field(input: &str) -> Result<Email, AppError> {
    Email::parse(input).map_err(|e| AppError::field("email", e.to_string()))
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
