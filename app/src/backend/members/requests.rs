//! Access requests: a member asks for what their role doesn't give them (with an
//! optional reason); admins and people managers see the open ones with what the
//! diagnosis says, and approve (with a justification, through the same checks as the
//! Edit user dialog, in one transaction) or decline. Both sides are emailed and every
//! step is audited. Approval never changes anyone's role.

use super::edit::{apply_update, current_input};
use super::{begin_member_change, MemberChange};
use crate::backend::entities::{access_requests, accounts, memberships};
use crate::backend::kernel::actor::Actor;
use crate::backend::kernel::audit::{self, AuditEntry};
use crate::backend::kernel::clock::{format_time, parse_until};
use crate::backend::kernel::directory::{
    lock_tenant, member_in_tenant, shown_name, template_in_tenant,
};
use crate::backend::kernel::mail::{self, letters, Letter};
use crate::backend::kernel::policy::{
    access_inputs, feature_context, grantables, holds, in_force, member_feature_context,
    template_permissions, user_manager,
};
use crate::backend::kernel::request::RequestMeta;
use crate::backend::AppState;
use crate::domain::access::diagnose::{granting, least_privilege, Grantable, Target};
use crate::domain::access::{
    effective_permissions, evaluate, evaluate_feature, Action, Category, FeatureContext, Permission,
};
use crate::domain::requests::{
    parse_justification, parse_note, parse_why, AccessRequestView, ApproveOption, Focus, MyAccess,
};
use crate::domain::time::At;
use crate::domain::{AppError, Email, Feature, MembershipStatus, Role};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use serde_json::json;

const OPEN: &str = "open";

/// What giving a request's target to a member means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Gives {
    Permission(Permission),
    Crm,
}

/// The authorization gap between the member and `target`, if there is one.
fn gives(ctx: &FeatureContext, target: Target) -> Option<Gives> {
    let lacks = |p: Permission| !evaluate(&ctx.access, p).granted();
    match target {
        Target::SignIn => None,
        Target::Permission(p) => lacks(p).then_some(Gives::Permission(p)),
        Target::Feature(f) => {
            let needs = f.needs();
            match needs.permission {
                Some(p) if lacks(p) => Some(Gives::Permission(p)),
                _ if needs.crm && !(ctx.crm_access || ctx.access.role == Role::Admin) => {
                    Some(Gives::Crm)
                }
                _ => None,
            }
        }
    }
}

fn columns(target: Target) -> (Option<String>, Option<String>) {
    match target {
        Target::Permission(p) => (Some(p.key()), None),
        Target::Feature(f) => (None, Some(f.as_str().to_string())),
        Target::SignIn => (None, None),
    }
}

fn target_of(row: &access_requests::Model) -> Result<Target, AppError> {
    let parsed = match (&row.permission, &row.feature) {
        (Some(p), _) => Permission::parse(p).map(Target::Permission),
        (None, Some(f)) => Feature::parse(f).map(Target::Feature),
        _ => None,
    };
    parsed.ok_or_else(|| crate::backend::internal("unreadable access request target"))
}

fn parse_target(key: &str) -> Result<Target, AppError> {
    Target::parse(key)
        .filter(|t| *t != Target::SignIn)
        .ok_or_else(|| AppError::field("target", "Choose a feature or permission to ask for."))
}

/// The person's own view: every feature, the focused question of a deep link
/// (`focus` is a target key, or empty), and what they have asked for already.
pub async fn my_access(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    focus: &str,
) -> Result<MyAccess, AppError> {
    let ctx = feature_context(conn, actor).await?;
    let focus = match focus.trim() {
        "" => None,
        key => {
            let target = Target::parse(key).ok_or_else(|| {
                AppError::field(
                    "focus",
                    "That link names a feature or permission Gatehouse doesn't know.",
                )
            })?;
            let reasons = target.reasons(&ctx);
            Some(Focus { target, reasons })
        }
    };
    let requested = access_requests::Entity::find()
        .filter(access_requests::Column::MembershipId.eq(actor.membership.id))
        .filter(access_requests::Column::Status.eq(OPEN))
        .all(conn)
        .await?
        .iter()
        .map(|r| target_of(r).map(Target::key))
        .collect::<Result<_, _>>()?;
    Ok(MyAccess {
        tenant: actor.tenant.name.clone(),
        features: Feature::ALL
            .iter()
            .map(|f| evaluate_feature(&ctx, *f))
            .collect(),
        focus,
        requested,
    })
}

/// Who hears of a new request: the tenant's active admins and the people managers
/// who may give it under the privilege rules (a permission only by those who hold
/// it), never the requester; at most 20, admins first.
async fn deciders(
    conn: &impl ConnectionTrait,
    tenant_id: i64,
    requester: i64,
    gap: Gives,
    now: i64,
) -> Result<Vec<Email>, AppError> {
    let manage = Permission::new(Category::Users, Action::Manage);
    let (templates, groups) = grantables(conn, tenant_id).await?;
    let candidates = memberships::Entity::find()
        .find_also_related(accounts::Entity)
        .filter(memberships::Column::TenantId.eq(tenant_id))
        .filter(memberships::Column::Status.eq(MembershipStatus::Active.as_str()))
        .filter(memberships::Column::Id.ne(requester))
        .filter(holds(
            manage,
            &granting(&templates, manage),
            &granting(&groups, manage),
            now,
        ))
        .order_by_asc(memberships::Column::Role)
        .order_by_asc(memberships::Column::Id)
        .limit(50)
        .all(conn)
        .await?;
    let mut out = Vec::new();
    for (m, a) in candidates {
        let m = in_force(&m, now);
        let may = m.role == Role::Admin.as_str()
            || match gap {
                Gives::Crm => true,
                Gives::Permission(p) => evaluate(&access_inputs(conn, &m, now).await?, p).granted(),
            };
        if let (true, Some(Ok(email))) = (may, a.map(|a| Email::parse(&a.email))) {
            out.push(email);
        }
        if out.len() == 20 {
            break;
        }
    }
    Ok(out)
}

/// A member asks for `target` (a key), with an optional reason. One open request
/// per person per thing: asking again keeps the one (with the newer reason).
pub async fn request(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    target: &str,
    why: &str,
) -> Result<(), AppError> {
    let target = parse_target(target)?;
    let why = parse_why(why)?;
    let conn = state.db.conn();
    let ctx = feature_context(conn, actor).await?;
    let what = target.what();
    let Some(gap) = gives(&ctx, target) else {
        let blocked = match target {
            Target::Feature(f) => evaluate_feature(&ctx, f).reasons,
            _ => Vec::new(),
        };
        return Err(AppError::Conflict(match blocked.first() {
            None => {
                format!("You can already {what}. If it still doesn't work, sign out and in again.")
            }
            Some(r) => format!(
                "{} A request to an admin can't change that: it isn't about your role.",
                r.for_person
            ),
        }));
    };
    let (permission, feature) = columns(target);
    let now = state.now_ms();
    let txn = state.db.begin_write().await?;
    // One open request per person per thing, exact under concurrency too.
    lock_tenant(&*txn, actor.tenant.id).await?;
    let open = access_requests::Entity::find()
        .filter(access_requests::Column::MembershipId.eq(actor.membership.id))
        .filter(access_requests::Column::Status.eq(OPEN))
        .filter(match &permission {
            Some(p) => access_requests::Column::Permission.eq(p.clone()),
            None => access_requests::Column::Feature.eq(feature.clone()),
        })
        .one(&*txn)
        .await?;
    if let Some(existing) = open {
        if !why.is_empty() && why != existing.message {
            let mut row: access_requests::ActiveModel = existing.into();
            row.message = Set(why);
            row.update(&*txn).await?;
        }
        txn.commit().await?;
        return Ok(());
    }
    let row = access_requests::ActiveModel {
        tenant_id: Set(actor.tenant.id),
        membership_id: Set(actor.membership.id),
        permission: Set(permission),
        feature: Set(feature),
        message: Set(why.clone()),
        status: Set(OPEN.to_string()),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&*txn)
    .await?;
    let letter = Letter::AccessRequested(letters::AccessRequested {
        tenant: actor.tenant.name.clone(),
        who: actor.display_label().to_string(),
        what: what.to_string(),
        why: why.to_string(),
    });
    for to in deciders(&*txn, actor.tenant.id, actor.membership.id, gap, now).await? {
        mail::enqueue(&*txn, &state.settings, now, &to, &letter).await?;
    }
    audit::commit_with(
        txn,
        now,
        &actor.audit_actor(meta),
        AuditEntry::new(Some(actor.tenant.id), "access.requested", "access_request")
            .target(Some(row.id), &actor.account.email)
            .after(json!({ "what": what, "why": why })),
    )
    .await
}

/// The open requests of the tenant (admins and people managers), newest first, each
/// with what the evaluation says now and the ways to give it, least privilege first.
pub async fn list_open(
    state: &AppState,
    actor: &Actor,
) -> Result<Vec<AccessRequestView>, AppError> {
    let conn = state.db.conn();
    let grantor = user_manager(conn, actor).await?;
    let rows = access_requests::Entity::find()
        .filter(access_requests::Column::TenantId.eq(actor.tenant.id))
        .filter(access_requests::Column::Status.eq(OPEN))
        .order_by_desc(access_requests::Column::Id)
        .limit(100)
        .all(conn)
        .await?;
    let (templates, _) = grantables(conn, actor.tenant.id).await?;
    let mut out = Vec::new();
    for row in rows {
        let target = target_of(&row)?;
        let (membership, account) =
            member_in_tenant(conn, actor.tenant.id, row.membership_id).await?;
        let ctx =
            member_feature_context(conn, &actor.tenant, &membership, &account, actor.now).await?;
        let name = shown_name(&account);
        let what = target.what();
        let gap = gives(&ctx, target);
        let verdict = match (gap, target) {
            (None, _) => format!("{name} can already {what}: approving changes nothing."),
            (Some(Gives::Crm), _) => format!("{name} can't {what}: CRM access is off for them."),
            (Some(Gives::Permission(p)), _) => format!(
                "{name} can't {what}: nothing they have gives the permission to {}.",
                p.label()
            ),
        };
        let mut options = Vec::new();
        let mut cannot_approve = None;
        match gap {
            Some(Gives::Permission(p)) => {
                let held = effective_permissions(&ctx.access);
                // Least privilege first: a template with nothing extra, then one
                // direct grant, then the wider templates.
                let ranked = least_privilege(&held, &templates, p);
                let (exact, wider): (Vec<_>, Vec<_>) =
                    ranked.into_iter().partition(|(_, extra)| extra.is_empty());
                let template_option = |(t, extra): (&Grantable, Vec<Permission>)| {
                    let label = if extra.is_empty() {
                        format!(
                            "Assign the role template “{}” (it gives nothing else they lack)",
                            t.name
                        )
                    } else {
                        let words: Vec<&str> = extra.iter().map(|x| x.label()).collect();
                        format!(
                            "Assign the role template “{}” (it also gives: {})",
                            t.name,
                            words.join(", ")
                        )
                    };
                    ApproveOption {
                        key: format!("template:{}", t.id),
                        label,
                    }
                };
                options = exact.into_iter().map(template_option).collect();
                options.push(ApproveOption {
                    key: "grant".into(),
                    label: format!("Grant only the permission to {}, directly", p.label()),
                });
                options.extend(wider.into_iter().map(template_option));
                if let Err(e) = grantor.may_grant(std::iter::once(&p)) {
                    cannot_approve = Some(e.to_string());
                }
            }
            Some(Gives::Crm) => options.push(ApproveOption {
                key: "crm".into(),
                label: "Turn on CRM access for them".into(),
            }),
            None => {}
        }
        if membership.role == Role::Admin.as_str() && !grantor.is_admin {
            cannot_approve = Some(crate::domain::access::grantor::ADMIN_ROWS.to_string());
        }
        out.push(AccessRequestView {
            id: row.id,
            requester: name,
            email: account.email,
            what,
            target,
            why: row.message,
            created: At(row.created_at),
            verdict,
            options,
            cannot_approve,
        });
    }
    Ok(out)
}

/// The open request `id` of the tenant, inside the transaction.
async fn open_request(
    conn: &impl ConnectionTrait,
    tenant_id: i64,
    id: i64,
) -> Result<access_requests::Model, AppError> {
    let row = access_requests::Entity::find_by_id(id)
        .filter(access_requests::Column::TenantId.eq(tenant_id))
        .one(conn)
        .await?
        .ok_or(AppError::NotFound)?;
    if row.status != OPEN {
        return Err(AppError::Conflict(
            "Someone has already decided this request.".into(),
        ));
    }
    Ok(row)
}

/// Marks the open request decided, only if it is still open (a decline racing an
/// approval: one of them finds it decided and is refused).
async fn decide(
    conn: &impl ConnectionTrait,
    row: &access_requests::Model,
    status: &str,
    actor: &Actor,
    reason: &str,
    now: i64,
) -> Result<(), AppError> {
    let changed = access_requests::Entity::update_many()
        .col_expr(access_requests::Column::Status, Expr::value(status))
        .col_expr(
            access_requests::Column::DecidedBy,
            Expr::value(actor.membership.id),
        )
        .col_expr(access_requests::Column::Justification, Expr::value(reason))
        .col_expr(access_requests::Column::DecidedAt, Expr::value(now))
        .filter(access_requests::Column::Id.eq(row.id))
        .filter(access_requests::Column::Status.eq(OPEN))
        .exec(conn)
        .await?
        .rows_affected;
    if changed == 1 {
        Ok(())
    } else {
        Err(AppError::Conflict(
            "Someone has already decided this request.".into(),
        ))
    }
}

/// Approves a request: `how` is `grant`, `crm` or `template:<id>` (one of the
/// options), `justification` is required. The access change, the request's new
/// state, both audit entries and the email are one transaction.
pub async fn approve(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    id: i64,
    how: &str,
    justification: &str,
    until_text: &str,
) -> Result<(), AppError> {
    let justification = parse_justification(justification)?;
    let until = parse_until(until_text, state.now_ms(), "until")?;
    let conn = state.db.conn();
    user_manager(conn, actor).await?;
    let row = open_request(conn, actor.tenant.id, id).await?;
    let target = target_of(&row)?;
    let change: MemberChange = begin_member_change(state, actor, row.membership_id, true).await?;
    let row = open_request(&*change.txn, actor.tenant.id, id).await?;
    let ctx = member_feature_context(
        &*change.txn,
        &actor.tenant,
        &change.membership,
        &change.account,
        change.now,
    )
    .await?;
    let gap = gives(&ctx, target).ok_or_else(|| {
        AppError::Conflict(format!(
            "They can already {}: decline the request, or leave it.",
            target.what()
        ))
    })?;
    let mut input = current_input(&*change.txn, actor.tenant.id, row.membership_id).await?;
    let wrong_how = || AppError::field("how", "Choose one of the ways offered.");
    match (gap, how) {
        (Gives::Permission(p), "grant") => input.permissions.push(p),
        (Gives::Permission(p), key) if key.starts_with("template:") => {
            let template_id: i64 = key
                .trim_start_matches("template:")
                .parse()
                .map_err(|_| wrong_how())?;
            template_in_tenant(&*change.txn, actor.tenant.id, template_id)
                .await
                .map_err(|_| wrong_how())?;
            if !template_permissions(&*change.txn, template_id)
                .await?
                .contains(&p)
            {
                return Err(wrong_how());
            }
            input.template_id = Some(template_id);
        }
        (Gives::Crm, "crm") => input.crm_access = true,
        _ => return Err(wrong_how()),
    }
    let how_words = match (gap, input.template_id) {
        (Gives::Crm, _) => "turned on CRM access".to_string(),
        (_, Some(t)) if how != "grant" => format!(
            "assigned the role template “{}”",
            template_in_tenant(&*change.txn, actor.tenant.id, t)
                .await?
                .name
        ),
        _ => "granted the permission directly".to_string(),
    };
    let email = change.account.email.clone();
    // For good, or until a time: what is given carries its end.
    input.until = until_text.to_string();
    let (txn, now, entry) = apply_update(state, actor, change, input).await?;
    let who = actor.audit_actor(meta);
    audit::record(&*txn, now, &who, entry).await?;
    let until_words = until.map(format_time);
    decide(&*txn, &row, "approved", actor, &justification, now).await?;
    let what = target.what();
    if let Ok(to) = Email::parse(&email) {
        let letter = Letter::AccessApproved(letters::AccessApproved {
            tenant: actor.tenant.name.clone(),
            who: actor.display_label().to_string(),
            what: what.to_string(),
            until: until_words.clone(),
        });
        mail::enqueue(&*txn, &state.settings, now, &to, &letter).await?;
    }
    audit::commit_with(
        txn,
        now,
        &who,
        AuditEntry::new(Some(actor.tenant.id), "access.approved", "access_request")
            .target(Some(row.id), &email)
            .after(json!({
                "what": what,
                "how": how_words,
                "until": until_words,
                "justification": justification
            })),
    )
    .await
}

/// Declines a request, with an optional note for the person.
pub async fn decline(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    id: i64,
    note: &str,
) -> Result<(), AppError> {
    let note = parse_note(note)?;
    let txn = state.db.begin_write().await?;
    user_manager(&*txn, actor).await?;
    let row = open_request(&*txn, actor.tenant.id, id).await?;
    let target = target_of(&row)?;
    let (_, account) = member_in_tenant(&*txn, actor.tenant.id, row.membership_id).await?;
    let now = state.now_ms();
    decide(&*txn, &row, "declined", actor, &note, now).await?;
    let what = target.what();
    if let Ok(to) = Email::parse(&account.email) {
        let letter = Letter::AccessDeclined(letters::AccessDeclined {
            tenant: actor.tenant.name.clone(),
            who: actor.display_label().to_string(),
            what: what.to_string(),
            note: note.to_string(),
        });
        mail::enqueue(&*txn, &state.settings, now, &to, &letter).await?;
    }
    audit::commit_with(
        txn,
        now,
        &actor.audit_actor(meta),
        AuditEntry::new(Some(actor.tenant.id), "access.declined", "access_request")
            .target(Some(row.id), &account.email)
            .after(json!({ "what": what, "note": note })),
    )
    .await
}
