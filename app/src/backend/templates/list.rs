//! The Role templates panel: every template of the tenant with its permissions and
//! how many members use it.

use crate::backend::entities::{memberships, role_templates};
use crate::backend::kernel::policy::template_permissions;
use crate::domain::templates::TemplateView;
use crate::domain::AppError;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
};

pub async fn members_using(
    conn: &impl ConnectionTrait,
    tenant_id: i64,
    template_id: i64,
) -> Result<u64, DbErr> {
    memberships::Entity::find()
        .filter(memberships::Column::TenantId.eq(tenant_id))
        .filter(memberships::Column::RoleTemplateId.eq(template_id))
        .count(conn)
        .await
}

pub async fn list(
    conn: &impl ConnectionTrait,
    tenant_id: i64,
) -> Result<Vec<TemplateView>, AppError> {
    let templates = role_templates::Entity::find()
        .filter(role_templates::Column::TenantId.eq(tenant_id))
        .order_by_asc(role_templates::Column::Name)
        .all(conn)
        .await?;
    let mut out = Vec::with_capacity(templates.len());
    for t in templates {
        out.push(TemplateView {
            id: t.id,
            permissions: template_permissions(conn, t.id)
                .await?
                .into_iter()
                .collect(),
            members: members_using(conn, tenant_id, t.id).await? as i64,
            name: t.name,
        });
    }
    Ok(out)
}
