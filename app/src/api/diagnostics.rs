//! Settings → Access diagnostics.

use crate::domain::diagnostics::DiagnosticsReport;
use crate::domain::AppError;
use leptos::prelude::*;

/// Runs diagnostics on the person with `email` for `target` (a key such as
/// `sign_in` or `feature:cases`); `seen` is the message they saw, for the bundle.
#[server(prefix = "/api", endpoint = "run_diagnostics")]
pub async fn run_diagnostics(
    email: String,
    target: String,
    seen: String,
) -> Result<DiagnosticsReport, AppError> {
    let (state, meta, actor) = super::server_ctx::actor().await?;
    crate::backend::diagnostics::run(&state, &actor, &meta, &email, &target, &seen).await
}

/// Applies one fix that a fresh diagnosis of this person offers, through the
/// service that owns the change (its privilege rules and audit), then records it.
/// Answers the fix's words; a plain form post goes back to the re-run diagnosis.
#[server(prefix = "/api", endpoint = "apply_diagnostic_fix")]
pub async fn apply_diagnostic_fix(
    email: String,
    target: String,
    fix: String,
) -> Result<String, AppError> {
    use crate::backend::{auth, diagnostics, groups, members, tenant};
    use crate::domain::access::diagnose::Fix;
    use crate::domain::MembershipStatus;
    let (state, meta, actor) = super::server_ctx::actor().await?;
    let (s, a, m) = (&state, &actor, &meta);
    let offered = diagnostics::offered_fix(s, a, &email, &target, &fix).await?;
    let member = || offered.member_id.ok_or(AppError::NotFound);
    match &offered.fix {
        Fix::Reactivate => {
            members::adjust(s, a, m, member()?, |u| u.status = MembershipStatus::Active).await?
        }
        Fix::ResendInvite => members::resend_invite(s, a, m, member()?).await?,
        Fix::SendPasswordReset => {
            auth::recovery::request_reset(s, offered.email.as_str(), m).await?
        }
        Fix::Unlock => members::unlock(s, a, m, member()?).await?,
        Fix::TurnOnBeta => members::adjust(s, a, m, member()?, |u| u.beta_access = true).await?,
        Fix::TurnOnFlag { flag } => tenant::flags::set(s, a, m, flag.as_str(), true).await?,
        Fix::GiveCrmAccess => members::adjust(s, a, m, member()?, |u| u.crm_access = true).await?,
        Fix::AddToGroup { group_id, .. } => {
            groups::add_member(s, a, m, *group_id, offered.email.as_str()).await?
        }
        Fix::AssignTemplate { template_id, .. } => {
            let id = *template_id;
            members::adjust(s, a, m, member()?, |u| u.template_id = Some(id)).await?
        }
        Fix::Grant { permission } => {
            let p = *permission;
            members::adjust(s, a, m, member()?, |u| u.permissions.push(p)).await?
        }
    }
    diagnostics::record_fix(s, a, m, &offered).await?;
    let label = offered.fix.label();
    if super::server_ctx::is_plain_form_post() {
        use crate::domain::navigation::encode_query_value as enc;
        leptos_axum::redirect(&format!(
            "/settings/diagnostics?email={}&target={}&fixed=1",
            enc(offered.email.as_str()),
            enc(&offered.target.key()),
        ));
    }
    Ok(label)
}

/// "Who can …?": the active members who can use a feature or hold a permission
/// (`target` is its key), with how, a page at a time: page `page`, starting after
/// member `after` when given (the Next link's cursor: any page is as fast as the first).
#[server(prefix = "/api", endpoint = "who_can")]
pub async fn who_can(
    target: String,
    page: u64,
    after: Option<i64>,
) -> Result<crate::domain::diagnostics::WhoCanPage, AppError> {
    let (state, _meta, actor) = super::server_ctx::actor().await?;
    crate::backend::diagnostics::who_can(&state, &actor, &target, page, after).await
}
