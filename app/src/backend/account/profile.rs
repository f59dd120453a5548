//! What My account shows, and the display name.

use crate::backend::entities::{accounts, sessions as session_rows};
use crate::backend::kernel::actor::Actor;
use crate::backend::kernel::audit::{self, AuditEntry};
use crate::backend::kernel::device::describe_user_agent;
use crate::backend::kernel::directory::memberships_of;
use crate::backend::kernel::request::RequestMeta;
use crate::backend::kernel::second_factor;
use crate::backend::kernel::sessions;
use crate::backend::kernel::stored::decode;
use crate::backend::AppState;
use crate::domain::account::{
    parse_display_name, AccountMembership, AccountOverview, ColorScheme, SessionRow,
};
use crate::domain::time::At;
use crate::domain::AppError;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use serde_json::json;

pub async fn overview(state: &AppState, actor: &Actor) -> Result<AccountOverview, AppError> {
    let conn = state.db.conn();
    let now = state.now_ms();
    let memberships = memberships_of(conn, actor.account.id)
        .await?
        .into_iter()
        .map(|a| {
            Ok(AccountMembership {
                current: a.tenant.id == actor.tenant.id,
                tenant_name: a.tenant.name,
                tenant_kind: decode(&a.tenant.kind)?,
                role: decode(&a.membership.role)?,
                status: decode(&a.membership.status)?,
            })
        })
        .collect::<Result<_, AppError>>()?;
    let sessions = session_rows::Entity::find()
        .filter(session_rows::Column::AccountId.eq(actor.account.id))
        .filter(session_rows::Column::Stage.eq(sessions::STAGE_FULL))
        .order_by_desc(session_rows::Column::LastSeenAt)
        .all(conn)
        .await?
        .into_iter()
        .filter(|s| sessions::is_live(&state.settings, s, now))
        .map(|s| SessionRow {
            id: s.id,
            device: describe_user_agent(&s.user_agent),
            current: s.id == actor.session.id,
            user_agent: s.user_agent,
            ip: s.ip,
            created: At(s.created_at),
            last_seen: At(s.last_seen_at),
        })
        .collect();
    let two_factor = second_factor::is_enabled(&actor.account);
    Ok(AccountOverview {
        email: actor.account.email.clone(),
        display_name: actor.account.display_name.clone(),
        two_factor,
        recovery_codes_left: second_factor::recovery_codes_left(conn, actor.account.id).await?,
        password_min_chars: state.settings.password_policy.min_for(two_factor),
        memberships,
        sessions,
    })
}

pub async fn update_profile(
    state: &AppState,
    actor: &Actor,
    display_name: &str,
    meta: &RequestMeta,
) -> Result<(), AppError> {
    let name = parse_display_name(display_name)?;
    if name.is_empty() {
        return Err(AppError::field("display_name", "Enter your name."));
    }
    let now = state.now_ms();
    let txn = state.db.begin_write().await?;
    let mut a: accounts::ActiveModel = actor.account.clone().into();
    a.display_name = Set(name.clone());
    a.update(&*txn).await?;
    audit::commit_with(
        txn,
        now,
        &actor.audit_actor(meta),
        AuditEntry::new(Some(actor.tenant.id), "account.renamed", "account")
            .target(Some(actor.account.id), &actor.account.email)
            .before(json!({"display_name": actor.account.display_name}))
            .after(json!({"display_name": name})),
    )
    .await
}

/// Keeps the account's colour scheme ("system", "light" or "dark"): every device it
/// signs in on then looks the same. Anything else is a field error, nothing written.
pub async fn set_color_scheme(
    state: &AppState,
    actor: &Actor,
    choice: &str,
) -> Result<ColorScheme, AppError> {
    let scheme = ColorScheme::ALL
        .into_iter()
        .find(|s| s.as_str() == choice)
        .ok_or_else(|| AppError::field("color_scheme", "Choose System, Light or Dark."))?;
    let _write = state.db.single_write().await;
    accounts::Entity::update_many()
        .col_expr(
            accounts::Column::ColorScheme,
            sea_orm::sea_query::Expr::value(scheme.as_str()),
        )
        .filter(accounts::Column::Id.eq(actor.account.id))
        .exec(state.db.conn())
        .await?;
    Ok(scheme)
}
