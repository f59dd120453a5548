//! The check API's answers (`POST /v1/check`): may this member do X? Answered by
//! the one access evaluation, with the reasons the diagnostics and the home page
//! give, each with its stable code. A key only ever asks about its own tenant.

use super::decisions::{self, Decision};
use super::KeyUse;
use crate::backend::entities::{accounts, memberships, tenants};
use crate::backend::kernel::directory::{find_account_by_email, membership_of};
use crate::backend::kernel::policy::member_feature_context;
use crate::backend::AppState;
use crate::domain::access::features::ReasonKind;
use crate::domain::api_keys::{
    parse_question, CheckAnswer, CheckBatch, CheckBatchAnswer, CheckQuestion, CheckReason, Who,
    MAX_BATCH,
};
use crate::domain::AppError;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

/// The member `who` of `tenant`, with their account, if there is one.
async fn find_member(
    conn: &impl ConnectionTrait,
    tenant: i64,
    who: &Who,
) -> Result<Option<(memberships::Model, accounts::Model)>, AppError> {
    Ok(match who {
        Who::Email(email) => match find_account_by_email(conn, email).await? {
            Some(account) => membership_of(conn, tenant, account.id)
                .await?
                .map(|m| (m, account)),
            None => None,
        },
        Who::Member(id) => {
            let membership = memberships::Entity::find_by_id(*id)
                .filter(memberships::Column::TenantId.eq(tenant))
                .one(conn)
                .await?;
            match membership {
                Some(m) => accounts::Entity::find_by_id(m.account_id)
                    .one(conn)
                    .await?
                    .map(|a| (m, a)),
                None => None,
            }
        }
    })
}

fn not_a_member(tenant: &str) -> CheckReason {
    CheckReason {
        kind: ReasonKind::Authentication,
        code: "not_a_member".into(),
        message_for_user: format!(
            "You don't have an account in {tenant}. Ask an admin of {tenant} to invite you."
        ),
        message_for_admin: format!(
            "Nobody with this email or member id belongs to {tenant}. Invite them in Settings → Users."
        ),
    }
}

/// The answer to one question in `tenant`, and what the log keeps of it.
async fn answer(
    state: &AppState,
    tenant: &tenants::Model,
    question: &CheckQuestion,
) -> Result<(CheckAnswer, Decision), AppError> {
    let (who, target) = parse_question(question)?;
    let conn = state.db.conn();
    let (reasons, subject, member_id) = match find_member(conn, tenant.id, &who).await? {
        None => (
            vec![not_a_member(&tenant.name)],
            match &who {
                Who::Email(email) => email.to_string(),
                Who::Member(id) => format!("member {id}"),
            },
            None,
        ),
        Some((membership, account)) => {
            let ctx =
                member_feature_context(conn, tenant, &membership, &account, state.now_ms()).await?;
            let reasons = target
                .reasons(&ctx)
                .into_iter()
                .map(|r| CheckReason {
                    kind: r.kind,
                    code: r.code,
                    message_for_user: r.for_person,
                    message_for_admin: r.for_admin,
                })
                .collect();
            (reasons, account.email, Some(membership.id))
        }
    };
    let only_permissions =
        !reasons.is_empty() && reasons.iter().all(|r| r.kind == ReasonKind::Authorization);
    let decision = Decision {
        subject,
        member_id,
        target,
        allowed: reasons.is_empty(),
        reasons: reasons.iter().map(|r| r.code.clone()).collect(),
    };
    Ok((
        CheckAnswer {
            allowed: reasons.is_empty(),
            request_access_url: only_permissions
                .then(|| format!("{}/", state.settings.public_url.trim_end_matches('/'))),
            reasons,
        },
        decision,
    ))
}

/// One answer, written to the decision log. The question's fields are checked first
/// (a field error, nothing logged).
pub async fn check(
    state: &AppState,
    key: &KeyUse,
    question: &CheckQuestion,
) -> Result<CheckAnswer, AppError> {
    let (answer, decision) = answer(state, &key.tenant, question).await?;
    decisions::record(state, key, state.now_ms(), &[decision]).await?;
    Ok(answer)
}

/// Up to [`MAX_BATCH`] answers, in the order asked, logged together; a bad question
/// fails the batch with its position and nothing is logged.
pub async fn check_batch(
    state: &AppState,
    key: &KeyUse,
    batch: &CheckBatch,
) -> Result<CheckBatchAnswer, AppError> {
    if batch.checks.is_empty() || batch.checks.len() > MAX_BATCH {
        return Err(AppError::field(
            "checks",
            format!("Send between 1 and {MAX_BATCH} questions in \"checks\"."),
        ));
    }
    let mut results = Vec::with_capacity(batch.checks.len());
    let mut logged = Vec::with_capacity(batch.checks.len());
    for (i, question) in batch.checks.iter().enumerate() {
        let (answer, decision) =
            answer(state, &key.tenant, question)
                .await
                .map_err(|e| match e {
                    AppError::Validation(fields) => AppError::field(
                        "checks",
                        format!(
                            "Question {} of the batch: {}",
                            i + 1,
                            fields
                                .iter()
                                .map(|f| f.message.clone())
                                .collect::<Vec<_>>()
                                .join(" ")
                        ),
                    ),
                    other => other,
                })?;
        results.push(answer);
        logged.push(decision);
    }
    decisions::record(state, key, state.now_ms(), &logged).await?;
    Ok(CheckBatchAnswer { results })
}
