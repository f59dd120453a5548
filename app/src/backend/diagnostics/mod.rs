//! Settings → Access diagnostics: reads everything known about a person in the
//! actor's tenant (the domain's `Subject`), runs the pure `diagnose`, audits the run
//! and builds the escalation bundle. The one-click fixes are applied by the services
//! that own them (members, groups, flags, recovery), called from the api layer, and
//! only when the server's own fresh diagnosis offers them.
//!
//! Another tenant's people are never read: the email is looked up as a member of
//! the actor's tenant; memberships elsewhere are shown only for the paired tenant or
//! tenants where the actor is an admin too.

pub mod who_can;

pub use who_can::{who_can, who_can_in};

use crate::backend::entities::{
    accounts, audit_events, group_members, groups, invitations, membership_permissions,
    memberships, tenants,
};
use crate::backend::kernel::actor::Actor;
use crate::backend::kernel::audit::{self, AuditEntry};
use crate::backend::kernel::clock::format_time;
use crate::backend::kernel::crypto::reference_id;
use crate::backend::kernel::directory::{
    find_account_by_email, membership_of, memberships_of, shown_name,
};
use crate::backend::kernel::mail;
use crate::backend::kernel::policy::{access_inputs, flags_on, grantables, in_force, user_manager};
use crate::backend::kernel::request::RequestMeta;
use crate::backend::kernel::stored::decode;
use crate::backend::kernel::temporary::EXPIRED_ACTION;
use crate::backend::kernel::{second_factor, throttle};
use crate::backend::AppState;
use crate::domain::access::diagnose::{
    diagnose, AccountFacts, Diagnosis, Elsewhere, Fix, MailFacts, MailState, MemberFacts,
    SignInGroupFacts, Subject, Target, Temporary, TemporaryGrant,
};
use crate::domain::access::Permission;
use crate::domain::diagnostics::{escalation_bundle, parse_seen, parse_target, DiagnosticsReport};
use crate::domain::{AppError, Email, MembershipStatus, Role};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde_json::json;

fn parse_email(input: &str) -> Result<Email, AppError> {
    if input.trim().is_empty() {
        return Err(AppError::field(
            "email",
            "Enter the email address of the person who can't get in.",
        ));
    }
    Email::parse(input).map_err(|e| AppError::field("email", e.to_string()))
}

/// What a person is told of a failed delivery: the mail server's own words stay in
/// the operator's log.
const DELIVERY_FAILED: &str = "The mail server didn't accept it; Gatehouse keeps retrying for a while, and the operator's log has the details.";

/// The last invitation to this tenant or password reset email to `email`, and how
/// it fared (another tenant's invitations are never read).
async fn last_mail(
    conn: &impl ConnectionTrait,
    email: &str,
    tenant: &str,
) -> Result<Option<MailFacts>, AppError> {
    let rows = mail::invitation_and_reset_mails(conn, email, tenant, None, 1).await?;
    Ok(rows.into_iter().next().map(|row| {
        let what = if row.subject == mail::RESET_SUBJECT {
            "password reset"
        } else {
            "invitation"
        };
        let (state, when) = mail::delivery(&row);
        MailFacts {
            what: what.to_string(),
            state,
            when: format_time(when),
            error: (state == MailState::Failed).then(|| DELIVERY_FAILED.to_string()),
        }
    }))
}

/// What is known of a membership in the actor's tenant.
async fn member_facts(
    conn: &impl ConnectionTrait,
    tenant: &tenants::Model,
    membership: &memberships::Model,
    account: &accounts::Model,
    now: i64,
) -> Result<MemberFacts, AppError> {
    let status: MembershipStatus = decode(&membership.status)?;
    let in_force = in_force(membership, now);
    let role: Role = decode(&in_force.role)?;
    let invite = if status == MembershipStatus::Invited {
        invitations::Entity::find()
            .filter(invitations::Column::MembershipId.eq(membership.id))
            .filter(invitations::Column::RevokedAt.is_null())
            .filter(invitations::Column::AcceptedAt.is_null())
            .order_by_desc(invitations::Column::Id)
            .one(conn)
            .await?
    } else {
        None
    };
    let group_ids: Vec<i64> = group_members::Entity::find()
        .filter(group_members::Column::MembershipId.eq(membership.id))
        .all(conn)
        .await?
        .into_iter()
        .map(|l| l.group_id)
        .collect();
    let sign_in_group = match tenant.sign_in_group_id {
        Some(id) => groups::Entity::find_by_id(id)
            .one(conn)
            .await?
            .map(|g| SignInGroupFacts {
                id: g.id,
                member: group_ids.contains(&g.id),
                name: g.name,
            }),
        None => None,
    };
    let access = access_inputs(conn, membership, now).await?;
    let mut temporary: Vec<Temporary> = membership_permissions::Entity::find()
        .filter(membership_permissions::Column::MembershipId.eq(membership.id))
        .filter(membership_permissions::Column::ExpiresAt.gt(now))
        .all(conn)
        .await?
        .into_iter()
        .filter_map(|row| {
            Some(Temporary {
                grant: TemporaryGrant::Permission(Permission::parse(&row.permission)?),
                until: format_time(row.expires_at?),
            })
        })
        .collect();
    if let (Some(until), Some(template)) = (in_force.template_until, &access.template) {
        temporary.push(Temporary {
            grant: TemporaryGrant::Template(template.name.clone()),
            until: format_time(until),
        });
    }
    for (until, grant) in [
        (in_force.crm_until, TemporaryGrant::Crm),
        (in_force.role_until, TemporaryGrant::AdminRole),
        (in_force.beta_until, TemporaryGrant::Beta),
    ] {
        if let Some(until) = until {
            temporary.push(Temporary {
                grant,
                until: format_time(until),
            });
        }
    }
    Ok(MemberFacts {
        id: membership.id,
        name: shown_name(account),
        status,
        invite_expires: invite.as_ref().map(|i| format_time(i.expires_at)),
        invite_expired: status == MembershipStatus::Invited
            && invite.as_ref().is_none_or(|i| i.expires_at <= now),
        last_login: membership.last_login_at.map(format_time),
        two_factor_required: role == Role::Admin && tenant.require_admin_two_factor,
        sign_in_group,
        access,
        crm_access: in_force.crm_access || role == Role::Admin,
        beta_access: in_force.beta_access,
        group_ids,
        temporary,
        expired: expired_lately(conn, tenant.id, membership.id, now).await?,
    })
}

/// How long an ended temporary grant is still mentioned by diagnostics.
const EXPIRED_MENTIONED_MS: i64 = 30 * 24 * 3600 * 1000;

/// Temporary access of the member that ended by itself in the last 30 days, newest
/// first, from the expiry sweep's audit rows.
async fn expired_lately(
    conn: &impl ConnectionTrait,
    tenant_id: i64,
    membership_id: i64,
    now: i64,
) -> Result<Vec<Temporary>, AppError> {
    let rows = audit_events::Entity::find()
        .filter(audit_events::Column::TenantId.eq(tenant_id))
        .filter(audit_events::Column::TargetType.eq("membership"))
        .filter(audit_events::Column::TargetId.eq(membership_id))
        .filter(audit_events::Column::Action.eq(EXPIRED_ACTION))
        .filter(audit_events::Column::CreatedAt.gt(now - EXPIRED_MENTIONED_MS))
        .order_by_desc(audit_events::Column::Id)
        .limit(5)
        .all(conn)
        .await?;
    Ok(rows
        .iter()
        .filter_map(|row| serde_json::from_str::<serde_json::Value>(row.after.as_deref()?).ok())
        .filter_map(|after| {
            serde_json::from_value::<Vec<Temporary>>(after.get("expired")?.clone()).ok()
        })
        .flatten()
        .collect())
}

/// Memberships elsewhere that the actor may know of: the paired tenant, or tenants
/// where the actor is an active admin too. Never any other.
async fn visible_elsewhere(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    account_id: i64,
) -> Result<Vec<Elsewhere>, AppError> {
    let mine = memberships_of(conn, actor.account.id).await?;
    let mut out = Vec::new();
    for theirs in memberships_of(conn, account_id).await? {
        let t = &theirs.tenant;
        if t.id == actor.tenant.id {
            continue;
        }
        let paired = actor.tenant.paired_tenant_id == Some(t.id)
            || t.paired_tenant_id == Some(actor.tenant.id);
        let admin_there = mine.iter().any(|m| {
            m.tenant.id == t.id
                && m.membership.role == Role::Admin.as_str()
                && m.membership.status == MembershipStatus::Active.as_str()
        });
        if paired || admin_there {
            out.push(Elsewhere {
                tenant: t.name.clone(),
                kind: decode(&t.kind)?,
                status: decode(&theirs.membership.status)?,
            });
        }
    }
    Ok(out)
}

/// Everything known about the person with `email`, as seen from the actor's tenant.
pub async fn subject(state: &AppState, actor: &Actor, email: &Email) -> Result<Subject, AppError> {
    let conn = state.db.conn();
    let now = state.now_ms();
    let tenant = tenants::Entity::find_by_id(actor.tenant.id)
        .one(conn)
        .await?
        .ok_or(AppError::NotFound)?;
    let found = find_account_by_email(conn, email).await?;
    let mut account = None;
    let mut member = None;
    let mut elsewhere = Vec::new();
    if let Some(a) = &found {
        member = match membership_of(conn, tenant.id, a.id).await? {
            Some(m) => Some(member_facts(conn, &tenant, &m, a, now).await?),
            None => None,
        };
        elsewhere = visible_elsewhere(conn, actor, a.id).await?;
        // An account that is neither here nor anywhere the actor may see is told
        // exactly like no account: diagnostics never says who has one elsewhere.
        if member.is_some() || !elsewhere.is_empty() {
            account = Some(AccountFacts {
                disabled: a.disabled_at.is_some(),
                password_set: a.password_hash.is_some(),
                locked_until: throttle::is_locked(a, now)
                    .then(|| a.locked_until.map(format_time))
                    .flatten(),
                two_factor: second_factor::is_enabled(a),
                last_mail: match member {
                    Some(_) => last_mail(conn, &a.email, &tenant.name).await?,
                    None => None,
                },
            });
        }
    }
    let (templates, groups) = grantables(conn, tenant.id).await?;
    Ok(Subject {
        email: email.to_string(),
        tenant: tenant.name.clone(),
        tenant_kind: decode(&tenant.kind)?,
        plan: decode(&tenant.plan)?,
        flags: flags_on(conn, tenant.id).await?,
        account,
        member,
        elsewhere,
        templates,
        groups,
    })
}

/// Runs diagnostics (admins and people managers), audits the run and answers the
/// report with its escalation bundle.
pub async fn run(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    email: &str,
    target: &str,
    seen: &str,
) -> Result<DiagnosticsReport, AppError> {
    user_manager(state.db.conn(), actor).await?;
    let (email, target, seen) = parse_inputs(email, target, seen)?;
    let subject = subject(state, actor, &email).await?;
    let diagnosis = diagnose(&subject, target);
    let now = state.now_ms();
    let reference = reference_id();
    let (bundle_text, bundle_json) =
        escalation_bundle(&subject, &diagnosis, &seen, &format_time(now), &reference);
    let txn = state.db.begin_write().await?;
    audit::commit_with(
        txn,
        now,
        &actor.audit_actor(meta),
        AuditEntry::new(Some(actor.tenant.id), "diagnostics.run", "account")
            .target(None, email.as_str())
            .after(json!({
                "tried": target.label(),
                "verdict": if diagnosis.allowed { "nothing blocks" } else { "blocked" },
                "reference": reference,
            })),
    )
    .await?;
    Ok(DiagnosticsReport {
        email: email.to_string(),
        diagnosis,
        bundle_text,
        bundle_json: serde_json::to_string_pretty(&bundle_json)
            .map_err(crate::backend::internal)?,
        reference,
    })
}

/// Every field's problem at once, each next to its field.
fn parse_inputs(
    email: &str,
    target: &str,
    seen: &str,
) -> Result<(Email, Target, String), AppError> {
    let (email, target, seen) = (parse_email(email), parse_target(target), parse_seen(seen));
    match (email, target, seen) {
        (Ok(e), Ok(t), Ok(s)) => Ok((e, t, s)),
        (e, t, s) => Err(AppError::fields_of(
            [e.err(), t.err(), s.err()].into_iter().flatten(),
        )),
    }
}

/// A fix the actor asked for, as the server's own fresh diagnosis offers it, with
/// the member it applies to (in the actor's tenant) and their email.
pub struct OfferedFix {
    pub fix: Fix,
    pub member_id: Option<i64>,
    pub email: Email,
    pub target: Target,
}

/// Resolves a fix: refused with a sentence unless a fresh diagnosis of this person
/// offers it (so no fix reaches another tenant's member or anything not diagnosed).
pub async fn offered_fix(
    state: &AppState,
    actor: &Actor,
    email: &str,
    target: &str,
    fix_key: &str,
) -> Result<OfferedFix, AppError> {
    user_manager(state.db.conn(), actor).await?;
    let (email, target, _) = parse_inputs(email, target, "")?;
    let subject = subject(state, actor, &email).await?;
    let diagnosis: Diagnosis = diagnose(&subject, target);
    let fix = diagnosis.offered(fix_key).cloned().ok_or_else(|| {
        AppError::Conflict(
            "That fix doesn't apply any more. Run diagnostics again to see where things stand."
                .into(),
        )
    })?;
    Ok(OfferedFix {
        fix,
        member_id: subject.member.map(|m| m.id),
        email,
        target,
    })
}

/// Records that a fix was applied from diagnostics (the change itself is audited
/// by the service that made it).
pub async fn record_fix(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    offered: &OfferedFix,
) -> Result<(), AppError> {
    let txn = state.db.begin_write().await?;
    audit::commit_with(
        txn,
        state.now_ms(),
        &actor.audit_actor(meta),
        AuditEntry::new(Some(actor.tenant.id), "diagnostics.fix_applied", "account")
            .target(offered.member_id, offered.email.as_str())
            .after(json!({ "fix": offered.fix.label(), "tried": offered.target.label() })),
    )
    .await
}
