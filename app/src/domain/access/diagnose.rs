//! Access diagnostics, the heart of Gatehouse: why can't this person sign in, or do
//! X? [`diagnose`] walks seed 000's checks in order (account, status, sign-in,
//! tenant, permission, feature gates, CRM access) over everything known about a
//! person, judges until the first blocker and still shows every check, each with its
//! evidence in words, the layer it belongs to (seed 001) and the fixes that apply.
//!
//! It is built on the one evaluation: permissions come from [`evaluate`], features
//! from [`evaluate_feature`], so what Gatehouse explains is what it enforces.

use super::catalog::Permission;
use super::evaluate::{evaluate, GrantSource};
use super::features::{evaluate_feature, evaluate_permission, FeatureContext, Reason, ReasonKind};
use super::inputs::AccessInputs;
use super::sign_in;
use crate::domain::model::{Feature, Flag, MembershipStatus, Plan, Role, TenantKind};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// What the person is trying to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "of", rename_all = "snake_case")]
pub enum Target {
    SignIn,
    Permission(Permission),
    Feature(Feature),
}

impl Target {
    /// Every target, in the order the "Trying to" list offers them.
    pub fn all() -> impl Iterator<Item = Target> {
        std::iter::once(Target::SignIn)
            .chain(Feature::ALL.iter().map(|f| Target::Feature(*f)))
            .chain(Permission::all().map(Target::Permission))
    }

    /// What stands between the member and this target, in the one evaluation's order
    /// (none for signing in: diagnostics explains that step by step).
    pub fn reasons(self, ctx: &FeatureContext) -> Vec<Reason> {
        match self {
            Target::Permission(p) => evaluate_permission(ctx, p),
            Target::Feature(f) => evaluate_feature(ctx, f).reasons,
            Target::SignIn => Vec::new(),
        }
    }

    /// A stable key for forms and links: `sign_in`, `feature:cases`,
    /// `permission:users.manage`.
    pub fn key(self) -> String {
        match self {
            Target::SignIn => "sign_in".to_string(),
            Target::Permission(p) => format!("permission:{}", p.key()),
            Target::Feature(f) => format!("feature:{}", f.as_str()),
        }
    }

    pub fn parse(key: &str) -> Option<Target> {
        match key.trim().split_once(':') {
            None if key.trim() == "sign_in" => Some(Target::SignIn),
            Some(("permission", p)) => Permission::parse(p).map(Target::Permission),
            Some(("feature", f)) => Feature::parse(f).map(Target::Feature),
            _ => None,
        }
    }

    /// What doing it means, for sentences: "sign in", "use Cases", "see conversations".
    pub fn what(self) -> String {
        match self {
            Target::SignIn => "sign in".to_string(),
            Target::Permission(p) => p.label().to_string(),
            Target::Feature(f) => f.what(),
        }
    }

    /// The option's words in the "Trying to" list.
    pub fn label(self) -> String {
        let what = self.what();
        let mut chars = what.chars();
        chars
            .next()
            .map(|c| c.to_uppercase().chain(chars).collect())
            .unwrap_or_default()
    }
}

/// A check's result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckResult {
    Pass,
    Fail,
    Warning,
    /// After the first blocker: shown, not judged.
    NotReached,
}

impl CheckResult {
    pub fn label(self) -> &'static str {
        match self {
            CheckResult::Pass => "Pass",
            CheckResult::Fail => "Fail",
            CheckResult::Warning => "Warning",
            CheckResult::NotReached => "Not reached",
        }
    }
}

/// The seven checks, in their order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckArea {
    Account,
    Status,
    SignIn,
    Tenant,
    Permission,
    FeatureGates,
    CrmAccess,
}

impl CheckArea {
    pub fn label(self) -> &'static str {
        match self {
            CheckArea::Account => "Account",
            CheckArea::Status => "Status",
            CheckArea::SignIn => "Sign-in",
            CheckArea::Tenant => "Tenant",
            CheckArea::Permission => "Permission",
            CheckArea::FeatureGates => "Plan and feature flags",
            CheckArea::CrmAccess => "CRM access",
        }
    }
}

/// A fix an admin can apply in one click. Each goes through the same service (and
/// privilege rules, and audit) as doing it by hand.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "fix", rename_all = "snake_case")]
pub enum Fix {
    Reactivate,
    ResendInvite,
    SendPasswordReset,
    Unlock,
    TurnOnBeta,
    TurnOnFlag {
        flag: Flag,
    },
    GiveCrmAccess,
    AddToGroup {
        group_id: i64,
        group: String,
    },
    AssignTemplate {
        template_id: i64,
        template: String,
        /// The template they use now, which this replaces.
        replaces: Option<String>,
        /// What else it gives, in words: least privilege is visible.
        also_gives: Vec<String>,
    },
    Grant {
        permission: Permission,
    },
}

impl Fix {
    /// The button's words.
    pub fn label(&self) -> String {
        match self {
            Fix::Reactivate => "Reactivate".into(),
            Fix::ResendInvite => "Resend invite".into(),
            Fix::SendPasswordReset => "Send password reset".into(),
            Fix::Unlock => "Unlock".into(),
            Fix::TurnOnBeta => "Turn on beta access".into(),
            Fix::TurnOnFlag { flag } => format!("Turn on {}", flag.label()),
            Fix::GiveCrmAccess => "Give CRM access".into(),
            Fix::AddToGroup { group, .. } => format!("Add to group {group}"),
            Fix::AssignTemplate { template, .. } => format!("Assign template {template}"),
            Fix::Grant { permission } => format!("Grant “{}”", permission.label()),
        }
    }

    /// What applying it changes, said before it is applied.
    pub fn preview(&self, person: &str, tenant: &str) -> String {
        match self {
            Fix::Reactivate => format!("Sets {person}'s status in {tenant} back to Active: they can sign in again at once."),
            Fix::ResendInvite => format!("Emails {person} a new invitation link to {tenant}; the old link stops working."),
            Fix::SendPasswordReset => format!("Emails {person} a link to set a new password (it works for 30 minutes). Their password stays the same until they use it."),
            Fix::Unlock => format!("Clears the lock on {person}'s sign-in after wrong passwords, so they can try again now."),
            Fix::TurnOnBeta => format!("Turns on beta access for {person}: beta features that are on for {tenant} reach them."),
            Fix::TurnOnFlag { flag } => format!("Turns on {} for everyone in {tenant} (Settings → Feature flags). {}", flag.label(), flag.description()),
            Fix::GiveCrmAccess => format!("Turns on CRM access for {person} in {tenant}."),
            Fix::AddToGroup { group, .. } => format!("Adds {person} to the group “{group}”: they get its role templates, and may sign in if it is the sign-in group."),
            Fix::AssignTemplate { template, replaces, also_gives, .. } => {
                let mut s = format!("Makes “{template}” {person}'s role template");
                if let Some(old) = replaces {
                    s.push_str(&format!(" (instead of “{old}”)"));
                }
                s.push('.');
                if also_gives.is_empty() {
                    s.push_str(" It gives nothing else they don't have.");
                } else {
                    s.push_str(&format!(" It also gives: {}.", also_gives.join(", ")));
                }
                s
            }
            Fix::Grant { permission } => format!("Grants {person} the permission to {} directly, and nothing else.", permission.label()),
        }
    }
}

/// One check of a diagnosis.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Check {
    pub area: CheckArea,
    pub result: CheckResult,
    /// What was found, in sentences.
    pub evidence: Vec<String>,
    /// The layer a problem here belongs to (seed 001).
    pub kind: ReasonKind,
    pub fixes: Vec<Fix>,
}

/// How the last invitation or reset email fared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MailState {
    Queued,
    Sent,
    Failed,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailFacts {
    /// "invitation" or "password reset".
    pub what: String,
    pub state: MailState,
    /// When, in words (UTC).
    pub when: String,
    /// The delivery error, for a failed one.
    pub error: Option<String>,
}

/// What is known of the account (whatever tenant).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountFacts {
    pub disabled: bool,
    pub password_set: bool,
    /// Locked after wrong passwords until this time (words, UTC).
    pub locked_until: Option<String>,
    pub two_factor: bool,
    pub last_mail: Option<MailFacts>,
}

/// The tenant's group-restricted sign-in, as it applies to the person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignInGroupFacts {
    pub id: i64,
    pub name: String,
    pub member: bool,
}

/// What is known of the membership in this tenant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberFacts {
    pub id: i64,
    /// Their name, or their email when they have none.
    pub name: String,
    pub status: MembershipStatus,
    /// For an invited member: when the invitation expires (words) and whether it has.
    pub invite_expires: Option<String>,
    pub invite_expired: bool,
    pub last_login: Option<String>,
    /// An admin of a tenant that requires two-factor of admins.
    pub two_factor_required: bool,
    pub sign_in_group: Option<SignInGroupFacts>,
    pub access: AccessInputs,
    pub crm_access: bool,
    pub beta_access: bool,
    /// The groups they are in, by id (the fixes skip them).
    pub group_ids: Vec<i64>,
    /// Their temporary access in force, each with its end in words.
    #[serde(default)]
    pub temporary: Vec<Temporary>,
    /// Temporary access that has ended lately (newest first), each with when.
    #[serde(default)]
    pub expired: Vec<Temporary>,
}

/// Access that ends by itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Temporary {
    pub grant: TemporaryGrant,
    /// When it ends, in words (`2026-12-12 17:00 UTC`).
    pub until: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum TemporaryGrant {
    /// A direct grant of one permission.
    Permission(Permission),
    /// The role template, by name.
    Template(String),
    Crm,
    /// The Admin role.
    AdminRole,
    Beta,
}

impl MemberFacts {
    fn until(&self, grant: &TemporaryGrant) -> Option<&str> {
        self.temporary
            .iter()
            .find(|t| &t.grant == grant)
            .map(|t| t.until.as_str())
    }

    /// When temporary access to `grant` last ended by itself, if lately.
    fn expired_on(&self, grant: &TemporaryGrant) -> Option<&str> {
        self.expired
            .iter()
            .find(|t| &t.grant == grant)
            .map(|t| t.until.as_str())
    }
}

/// A membership in another tenant the admin running the check may know of: the
/// paired sandbox or production tenant, or one where they are an admin too.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Elsewhere {
    pub tenant: String,
    pub kind: TenantKind,
    pub status: MembershipStatus,
}

/// A role template or group that could grant something, with what it gives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grantable {
    pub id: i64,
    pub name: String,
    pub permissions: BTreeSet<Permission>,
}

/// The ids of those in `list` (role templates or groups) that grant `permission`.
pub fn granting(list: &[Grantable], permission: Permission) -> Vec<i64> {
    list.iter()
        .filter(|g| g.permissions.contains(&permission))
        .map(|g| g.id)
        .collect()
}

/// Everything known about a person and the tenant, read by the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subject {
    pub email: String,
    pub tenant: String,
    pub tenant_kind: TenantKind,
    pub plan: Plan,
    pub flags: BTreeSet<Flag>,
    pub account: Option<AccountFacts>,
    pub member: Option<MemberFacts>,
    pub elsewhere: Vec<Elsewhere>,
    pub templates: Vec<Grantable>,
    pub groups: Vec<Grantable>,
}

/// The answer: every check, the verdict for the admin and what to tell the person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnosis {
    pub target: Target,
    /// The person: their name, or their email.
    pub person: String,
    pub tenant: String,
    pub allowed: bool,
    /// The layer of the first blocker.
    pub blocker: Option<ReasonKind>,
    /// One sentence for the admin.
    pub verdict: String,
    /// What to tell them: what was checked, the problem in plain words, what next.
    pub tell_them: String,
    pub checks: Vec<Check>,
}

/// A check before judging stops: its sentences for the verdict when it fails.
struct Raw {
    check: Check,
    for_admin: String,
    for_person: String,
    /// What the person is told was confirmed, when it passes.
    confirmed: Option<String>,
}

fn raw(area: CheckArea, kind: ReasonKind) -> Raw {
    Raw {
        check: Check {
            area,
            result: CheckResult::Pass,
            evidence: Vec::new(),
            kind,
            fixes: Vec::new(),
        },
        for_admin: String::new(),
        for_person: String::new(),
        confirmed: None,
    }
}

impl Raw {
    fn fail(mut self, for_admin: String, for_person: String) -> Self {
        self.check.result = CheckResult::Fail;
        self.for_admin = for_admin;
        self.for_person = for_person;
        self
    }
    fn warn(&mut self) {
        if self.check.result == CheckResult::Pass {
            self.check.result = CheckResult::Warning;
        }
    }
    fn say(mut self, evidence: impl Into<String>) -> Self {
        self.check.evidence.push(evidence.into());
        self
    }
    fn confirm(mut self, words: impl Into<String>) -> Self {
        self.confirmed = Some(words.into());
        self
    }
    fn fix(mut self, fix: Fix) -> Self {
        if !self.check.fixes.contains(&fix) {
            self.check.fixes.push(fix);
        }
        self
    }
}

fn kind_word(kind: TenantKind) -> &'static str {
    match kind {
        TenantKind::Production => "production",
        TenantKind::Sandbox => "sandbox",
    }
}

fn elsewhere_words(e: &Elsewhere) -> String {
    format!(
        "{} (the {} tenant; {})",
        e.tenant,
        kind_word(e.kind),
        e.status.label().to_lowercase()
    )
}

fn account_check(s: &Subject) -> Raw {
    use ReasonKind::Authentication;
    let r = raw(CheckArea::Account, Authentication);
    let tenant = &s.tenant;
    let email = &s.email;
    let Some(account) = &s.account else {
        return r.say(format!("No one with {email} is a member of {tenant} or has an invitation to it.")).fail(
            format!("{email} isn't a member of {tenant} and has no invitation: check the spelling, or invite them from Settings → Users."),
            format!("We couldn't find {email} in {tenant}. Check the email address you sign in with, or ask an admin of {tenant} to invite you."),
        );
    };
    if s.member.is_none() {
        let mut r = r.say(format!(
            "{email} has a Gatehouse account but isn't a member of {tenant}."
        ));
        for e in &s.elsewhere {
            r = r.say(format!("They are a member of {}.", elsewhere_words(e)));
        }
        return match s.elsewhere.first() {
            Some(e) => r.fail(
                format!("{email} isn't a member of {tenant}, but is a member of {}: they are probably signing in to the wrong tenant. Access here is a separate invitation.", elsewhere_words(e)),
                format!("Your account isn't a member of {tenant}; it is a member of {}. Pick the tenant you need from the tenant menu at the top after signing in, or ask an admin of {tenant} to invite you here.", e.tenant),
            ),
            None => r.fail(
                format!("{email} has an account but isn't a member of {tenant}: invite them from Settings → Users if they need access."),
                format!("Your account isn't a member of {tenant}. Ask an admin of {tenant} to invite you."),
            ),
        };
    }
    if account.disabled {
        return r
            .say("The operator of this Gatehouse has disabled the account: it can't sign in anywhere.")
            .fail(
                "The account is disabled by the operator of this Gatehouse; tenant admins can't lift it. Ask the operator.".into(),
                "Your account has been turned off by the people who run this Gatehouse, so it can't sign in anywhere. I'll ask them about it.".into(),
            );
    }
    r.say(format!(
        "{email} has an account and is a member of {tenant}."
    ))
    .confirm(format!("your account is a member of {tenant}"))
}

fn status_check(s: &Subject, m: &MemberFacts) -> Raw {
    let r = raw(CheckArea::Status, ReasonKind::Authentication);
    let tenant = &s.tenant;
    match m.status {
        MembershipStatus::Active => r.say("Active.").confirm("it is active"),
        MembershipStatus::Suspended => r
            .say(format!("Their membership in {tenant} is suspended."))
            .fail(
                format!("{} is suspended in {tenant}: reactivate them.", m.name),
                format!(
                    "Your access to {tenant} is suspended. An admin of {tenant} can reactivate it."
                ),
            )
            .fix(Fix::Reactivate),
        MembershipStatus::Invited => {
            let when = m.invite_expires.clone().unwrap_or_default();
            if m.invite_expired {
                r.say(format!("Invited, but the invitation expired on {when} without being accepted."))
                    .fail(
                        format!("{}'s invitation to {tenant} expired on {when}: resend it.", m.name),
                        format!("Your invitation to {tenant} has expired. We'll send you a new one: use the link in the newest email."),
                    )
                    .fix(Fix::ResendInvite)
            } else {
                r.say(format!("Invited; the invitation hasn't been accepted yet. It expires on {when}."))
                    .fail(
                        format!("{} hasn't accepted the invitation to {tenant} yet (it expires on {when}): ask them to use the link in the email, or resend it.", m.name),
                        format!("You haven't accepted your invitation to {tenant} yet. Find the email with the subject about joining {tenant} and use its link; it works until {when}."),
                    )
                    .fix(Fix::ResendInvite)
            }
        }
    }
}

fn sign_in_check(s: &Subject, m: &MemberFacts) -> Raw {
    let mut r = raw(CheckArea::SignIn, ReasonKind::Authentication);
    let Some(a) = &s.account else { return r };
    let invited = m.status == MembershipStatus::Invited;
    r = r.say(if a.password_set {
        "A password is set."
    } else {
        "No password is set yet."
    });
    match &m.last_login {
        Some(when) => r = r.say(format!("Last signed in to {} on {when}.", s.tenant)),
        None => r = r.say(format!("Has never signed in to {}.", s.tenant)),
    }
    if let Some(mail) = &a.last_mail {
        let state = match mail.state {
            MailState::Queued => "is queued, not yet sent",
            MailState::Sent => "was sent",
            MailState::Failed => "failed to send",
        };
        let mut line = format!("The last {} email {state} ({}).", mail.what, mail.when);
        if let Some(error) = &mail.error {
            line.push(' ');
            line.push_str(error);
        }
        r = r.say(line);
        if mail.state == MailState::Failed {
            r.warn();
            r = r.fix(if mail.what == "invitation" {
                Fix::ResendInvite
            } else {
                Fix::SendPasswordReset
            });
        }
    }
    if m.two_factor_required && !a.two_factor {
        r = r.say(format!("{} requires two-factor of its admins and they haven't set it up: they'll be asked to at their next sign-in.", s.tenant));
        r.warn();
    }
    if let Some(until) = &a.locked_until {
        return r
            .say(format!("Locked after repeated wrong passwords until {until}."))
            .fail(
                format!("{}'s sign-in is locked after repeated wrong passwords until {until}: unlock it, or send a password reset if they've forgotten it.", m.name),
                format!("Your sign-in is paused after several wrong passwords, until {until}. Wait until then, or use Forgot password on the sign-in page."),
            )
            .fix(Fix::Unlock)
            .fix(Fix::SendPasswordReset);
    }
    if !a.password_set && !invited {
        return r.fail(
            format!("{} has no password: send a password reset so they can set one.", m.name),
            "Your account has no password yet. Use the link in the email we send you to set one.".into(),
        )
        .fix(Fix::SendPasswordReset);
    }
    r.confirm("nothing stops you from signing in")
}

fn tenant_check(s: &Subject, m: &MemberFacts) -> Raw {
    let r = raw(CheckArea::Tenant, ReasonKind::Authentication);
    let mut r = match &m.sign_in_group {
        None => r.say(format!("Every active member can sign in to {}.", s.tenant)),
        Some(g) if g.member => r.say(format!(
            "Only members of the group “{}” can sign in; they are in it.",
            g.name
        )),
        Some(g) if m.access.role == Role::Admin => r.say(format!(
            "Only members of the group “{}” can sign in; admins always can.",
            g.name
        )),
        Some(g) => r
            .say(format!(
                "Only members of the group “{}” can sign in to {}, and they aren't in it.",
                g.name, s.tenant
            ))
            .fail(
                sign_in::refusal_for_admin(&s.tenant, &g.name),
                sign_in::refusal_for_person(&s.tenant, &g.name, &[]),
            )
            .fix(Fix::AddToGroup {
                group_id: g.id,
                group: g.name.clone(),
            }),
    };
    for e in &s.elsewhere {
        r = r.say(format!("Also a member of {}.", elsewhere_words(e)));
    }
    r.confirm(format!("you're in the right tenant, {}", s.tenant))
}

fn names(permissions: impl IntoIterator<Item = Permission>) -> Vec<String> {
    permissions
        .into_iter()
        .map(|p| p.label().to_string())
        .collect()
}

/// The role templates (or groups) that would give `permission` to someone who
/// holds `held`, each with what else it would give them, fewest extra first (then
/// by name): the least-privilege order of diagnostics and access requests alike.
pub fn least_privilege<'a>(
    held: &BTreeSet<Permission>,
    candidates: &'a [Grantable],
    permission: Permission,
) -> Vec<(&'a Grantable, Vec<Permission>)> {
    let mut ranked: Vec<(&Grantable, Vec<Permission>)> = candidates
        .iter()
        .filter(|g| g.permissions.contains(&permission))
        .map(|g| {
            let extra = g
                .permissions
                .difference(held)
                .filter(|p| **p != permission)
                .copied()
                .collect();
            (g, extra)
        })
        .collect();
    ranked.sort_by(|(a, ea), (b, eb)| ea.len().cmp(&eb.len()).then_with(|| a.name.cmp(&b.name)));
    ranked
}

fn permission_check(s: &Subject, m: &MemberFacts, permission: Permission) -> Raw {
    let r = raw(CheckArea::Permission, ReasonKind::Authorization);
    let decision = evaluate(&m.access, permission);
    let what = permission.label();
    if decision.granted() {
        let sources: Vec<String> = decision
            .sources
            .iter()
            .map(|source| {
                let until = match source {
                    GrantSource::Direct => m.until(&TemporaryGrant::Permission(permission)),
                    GrantSource::Template { template } => {
                        m.until(&TemporaryGrant::Template(template.clone()))
                    }
                    GrantSource::AdminRole => m.until(&TemporaryGrant::AdminRole),
                    _ => None,
                };
                match until {
                    Some(until) => format!("{source} (until {until}, then it ends by itself)"),
                    None => source.to_string(),
                }
            })
            .collect();
        return r
            .say(format!("Granted by {}.", sources.join(", and by ")))
            .confirm(format!("your role lets you {what}"));
    }
    let held = super::evaluate::effective_permissions(&m.access);
    // Least privilege first (never the Admin role).
    let templates = least_privilege(&held, &s.templates, permission);
    let groups: Vec<(&Grantable, Vec<Permission>)> = least_privilege(&held, &s.groups, permission)
        .into_iter()
        .filter(|(g, _)| !m.group_ids.contains(&g.id))
        .collect();
    let mut r = r.say(format!(
        "No role, role template, group or direct grant gives them the permission to {what}."
    ));
    for (grant, words) in [
        (
            TemporaryGrant::Permission(permission),
            format!("a temporary grant of the permission to {what}"),
        ),
        (TemporaryGrant::AdminRole, "a temporary Admin role".into()),
    ] {
        if let Some(on) = m.expired_on(&grant) {
            r = r.say(format!("They had {words}: it expired on {on}."));
        }
    }
    if templates.is_empty() {
        r = r.say("No role template of this tenant grants it.");
    } else {
        let listed: Vec<String> = templates
            .iter()
            .map(|(t, extra)| match extra.len() {
                0 => format!("“{}” (nothing else they lack)", t.name),
                1 => format!("“{}” (1 more permission)", t.name),
                n => format!("“{}” ({n} more permissions)", t.name),
            })
            .collect();
        r = r.say(format!("Role templates that would: {}.", listed.join(", ")));
    }
    let current = m.access.template.as_ref().map(|t| t.name.clone());
    let advice = match templates.first() {
        Some((t, _)) => format!(
            "the smallest change is the role template “{}”, or grant it directly",
            t.name
        ),
        None => "grant it directly, or add it to a role template they use".to_string(),
    };
    let mut r = r.fail(
        format!("{} doesn't have the permission to {what}: {advice}. Making them an admin would give far more than this.", m.name),
        format!("You can't {what} in {} because it isn't part of your role. Ask an admin of {} to add it.", s.tenant, s.tenant),
    );
    for (t, extra) in templates.iter().take(2) {
        r = r.fix(Fix::AssignTemplate {
            template_id: t.id,
            template: t.name.clone(),
            replaces: current.clone().filter(|c| *c != t.name),
            also_gives: names(extra.iter().copied()),
        });
    }
    for (g, _) in groups.iter().take(1) {
        r = r.fix(Fix::AddToGroup {
            group_id: g.id,
            group: g.name.clone(),
        });
    }
    r.fix(Fix::Grant { permission })
}

fn feature_context(s: &Subject, m: &MemberFacts) -> FeatureContext {
    FeatureContext {
        tenant_name: s.tenant.clone(),
        plan: s.plan,
        flags: s.flags.clone(),
        status: m.status,
        account_disabled: false,
        outside_sign_in_group: None,
        access: m.access.clone(),
        crm_access: m.crm_access,
        beta_access: m.beta_access,
    }
}

fn gates_check(s: &Subject, m: &MemberFacts, feature: Feature, reasons: &[Reason]) -> Raw {
    let r = raw(CheckArea::FeatureGates, ReasonKind::ProductScope);
    let needs = feature.needs();
    let name = feature.label();
    let gates: Vec<&Reason> = reasons
        .iter()
        .filter(|x| x.kind == ReasonKind::ProductScope)
        .collect();
    let Some(first) = gates.first() else {
        let mut r = r;
        if let Some(p) = needs.plan {
            r = r.say(format!(
                "The {} plan includes {}.",
                s.plan.label(),
                p.label()
            ));
        }
        if let Some(flag) = needs.flag {
            r = r.say(format!("The feature flag “{}” is on.", flag.label()));
            if flag.is_beta() {
                r = r.say(match m.until(&TemporaryGrant::Beta) {
                    Some(until) => {
                        format!("They have beta access until {until}, then it ends by itself.")
                    }
                    None => "They have beta access.".to_string(),
                });
            }
        }
        return r.confirm(format!("{name} is turned on for {}", s.tenant));
    };
    let mut r = r;
    for g in &gates {
        r = r.say(g.for_admin.clone());
    }
    if let (false, Some(on)) = (m.beta_access, m.expired_on(&TemporaryGrant::Beta)) {
        r = r.say(format!("Their temporary beta access expired on {on}."));
    }
    let mut r = r.fail(first.for_admin.clone(), first.for_person.clone());
    for g in &gates {
        match (g.code.as_str(), needs.flag) {
            ("flag_off", Some(flag)) => r = r.fix(Fix::TurnOnFlag { flag }),
            ("beta_access_off", _) if !m.beta_access => r = r.fix(Fix::TurnOnBeta),
            // A plan is the operator's to change: no fix here, and never a permission.
            _ => {}
        }
    }
    r
}

fn crm_check(s: &Subject, m: &MemberFacts, reasons: &[Reason]) -> Raw {
    let r = raw(CheckArea::CrmAccess, ReasonKind::Authorization);
    match reasons.iter().find(|x| x.code == "crm_access_off") {
        Some(reason) => r
            .say(match m.expired_on(&TemporaryGrant::Crm) {
                Some(on) => format!(
                    "CRM access is off for them: their temporary CRM access expired on {on}."
                ),
                None => "CRM access is off for them.".to_string(),
            })
            .fail(reason.for_admin.clone(), reason.for_person.clone())
            .fix(Fix::GiveCrmAccess),
        None if m.access.role == Role::Admin => r
            .say("Admins always have CRM access.")
            .confirm("you have CRM access"),
        None => match m.until(&TemporaryGrant::Crm) {
            Some(until) => r.say(format!(
                "CRM access is on for them in {} until {until}, then it ends by itself.",
                s.tenant
            )),
            None => r.say(format!("CRM access is on for them in {}.", s.tenant)),
        }
        .confirm("you have CRM access"),
    }
}

/// The diagnosis of `target` for the person in `subject`.
pub fn diagnose(subject: &Subject, target: Target) -> Diagnosis {
    let person = subject
        .member
        .as_ref()
        .map_or_else(|| subject.email.clone(), |m| m.name.clone());
    let mut raws = vec![account_check(subject)];
    if let Some(m) = &subject.member {
        raws.push(status_check(subject, m));
        raws.push(sign_in_check(subject, m));
        raws.push(tenant_check(subject, m));
        match target {
            Target::SignIn => {}
            Target::Permission(p) => raws.push(permission_check(subject, m, p)),
            Target::Feature(f) => {
                let needs = f.needs();
                let reasons = evaluate_feature(&feature_context(subject, m), f).reasons;
                if let Some(p) = needs.permission {
                    raws.push(permission_check(subject, m, p));
                }
                if needs.plan.is_some() || needs.flag.is_some() {
                    raws.push(gates_check(subject, m, f, &reasons));
                }
                if needs.crm {
                    raws.push(crm_check(subject, m, &reasons));
                }
            }
        }
    } else {
        // Nothing more can be judged without a membership; the checks still show.
        for area in [CheckArea::Status, CheckArea::SignIn, CheckArea::Tenant] {
            raws.push(raw(area, ReasonKind::Authentication));
        }
    }
    judge(subject, target, person, raws)
}

/// Judges until the first blocker: later checks are shown as not reached, without
/// fixes; the verdict and the person's sentence come from the blocker.
fn judge(subject: &Subject, target: Target, person: String, raws: Vec<Raw>) -> Diagnosis {
    let mut blocker: Option<(ReasonKind, String, String)> = None;
    let mut confirmed = Vec::new();
    let mut checks = Vec::new();
    for r in raws {
        let mut check = r.check;
        if blocker.is_some() {
            check.result = CheckResult::NotReached;
            check.fixes.clear();
        } else if check.result == CheckResult::Fail {
            blocker = Some((check.kind, r.for_admin, r.for_person));
        } else if let Some(words) = r.confirmed {
            confirmed.push(words);
        }
        checks.push(check);
    }
    let password_set = subject.account.as_ref().is_some_and(|a| a.password_set);
    if blocker.is_none() && target == Target::SignIn && password_set {
        // Nothing in Gatehouse stops them: a forgotten password is the usual cause.
        if let Some(c) = checks.iter_mut().find(|c| c.area == CheckArea::SignIn) {
            if !c.fixes.contains(&Fix::SendPasswordReset) {
                c.fixes.push(Fix::SendPasswordReset);
            }
        }
    }
    let what = target.what();
    let tenant = &subject.tenant;
    let checked = if confirmed.is_empty() {
        String::new()
    } else {
        format!(
            "I've checked your access in {tenant}: {}. ",
            confirmed.join(", ")
        )
    };
    let (allowed, kind, verdict, tell_them) = match blocker {
        Some((kind, for_admin, for_person)) => (
            false,
            Some(kind),
            for_admin,
            format!("{checked}{for_person} Once that's done, sign out and in again, then try again and tell me what happens."),
        ),
        None if target == Target::SignIn => (
            true,
            None,
            format!("Nothing in Gatehouse stops {person} from signing in to {tenant}. If they forgot their password, send a password reset."),
            format!("{checked}If you've forgotten your password, use the link in the password reset email we send you, or Forgot password on the sign-in page. Then tell me what happens."),
        ),
        None => (
            true,
            None,
            format!("{person} can {what} in {tenant}."),
            format!("{checked}You can {what}. Sign out and in again, then try once more and tell me exactly what you see."),
        ),
    };
    Diagnosis {
        target,
        person,
        tenant: tenant.clone(),
        allowed,
        blocker: kind,
        verdict,
        tell_them,
        checks,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::access::{GroupGrant, TemplateGrant};
    use CheckArea::{Account, CrmAccess, FeatureGates, SignIn, Status, Tenant};
    use CheckResult::*;

    fn p(key: &str) -> Permission {
        Permission::parse(key).unwrap()
    }

    fn bob() -> Subject {
        Subject {
            email: "bob@example.com".into(),
            tenant: "Acme".into(),
            tenant_kind: TenantKind::Production,
            plan: Plan::Team,
            flags: BTreeSet::new(),
            account: Some(AccountFacts {
                disabled: false,
                password_set: true,
                locked_until: None,
                two_factor: false,
                last_mail: None,
            }),
            member: Some(MemberFacts {
                id: 7,
                name: "Bob".into(),
                status: MembershipStatus::Active,
                invite_expires: None,
                invite_expired: false,
                last_login: Some("1 Dec 2026, 09:00 UTC".into()),
                two_factor_required: false,
                sign_in_group: None,
                access: AccessInputs {
                    role: Role::User,
                    direct: [p("conversations.view")].into(),
                    template: None,
                    groups: vec![],
                },
                crm_access: false,
                beta_access: false,
                group_ids: vec![],
                temporary: vec![],
                expired: vec![],
            }),
            elsewhere: vec![],
            templates: vec![
                Grantable {
                    id: 1,
                    name: "Everything".into(),
                    permissions: Permission::all()
                        .filter(|x| x.category != crate::domain::access::Category::Users)
                        .collect(),
                },
                Grantable {
                    id: 2,
                    name: "Analysts".into(),
                    permissions: [p("analytics.view"), p("conversations.view")].into(),
                },
            ],
            groups: vec![],
        }
    }

    fn member(s: &mut Subject) -> &mut MemberFacts {
        s.member.as_mut().unwrap()
    }

    fn results(d: &Diagnosis) -> Vec<(CheckArea, CheckResult)> {
        d.checks.iter().map(|c| (c.area, c.result)).collect()
    }

    fn fixes(d: &Diagnosis) -> Vec<String> {
        d.checks
            .iter()
            .flat_map(|c| c.fixes.iter().map(Fix::label))
            .collect()
    }

    #[test]
    fn targets_round_trip_through_their_keys() {
        let all: Vec<Target> = Target::all().collect();
        assert_eq!(
            all.len(),
            1 + Feature::ALL.len() + Permission::all().count()
        );
        for t in all {
            assert_eq!(Target::parse(&t.key()), Some(t));
        }
        assert_eq!(Target::parse("feature:nope"), None);
        assert_eq!(Target::parse("permission:users.fly"), None);
        assert_eq!(Target::parse("sign_in:x"), None);
        assert_eq!(Target::SignIn.label(), "Sign in");
        assert_eq!(Target::Feature(Feature::Cases).label(), "Use Cases");
    }

    // Seed 000's tree, "can't log in": inactive → Reactivate.
    #[test]
    fn a_suspended_member_is_reactivated() {
        let mut s = bob();
        member(&mut s).status = MembershipStatus::Suspended;
        let d = diagnose(&s, Target::SignIn);
        assert!(!d.allowed);
        assert_eq!(d.blocker, Some(ReasonKind::Authentication));
        assert_eq!(
            results(&d),
            [
                (Account, Pass),
                (Status, Fail),
                (SignIn, NotReached),
                (Tenant, NotReached)
            ]
        );
        assert_eq!(fixes(&d), ["Reactivate"]);
        assert!(d.verdict.contains("suspended"), "{}", d.verdict);
        assert!(
            d.tell_them
                .starts_with("I've checked your access in Acme: your account is a member of Acme."),
            "{}",
            d.tell_them
        );
        assert!(d.tell_them.contains("suspended"));
    }

    // Pending invite → resend (expired) or use the link (live).
    #[test]
    fn invitations_live_or_expired_are_resent() {
        let mut s = bob();
        let m = member(&mut s);
        m.status = MembershipStatus::Invited;
        m.invite_expires = Some("3 Dec 2026".into());
        m.last_login = None;
        let live = diagnose(&s, Target::SignIn);
        assert_eq!(live.checks[1].result, Fail);
        assert!(live.verdict.contains("hasn't accepted"), "{}", live.verdict);
        assert_eq!(fixes(&live), ["Resend invite"]);
        member(&mut s).invite_expired = true;
        let expired = diagnose(&s, Target::SignIn);
        assert!(
            expired.verdict.contains("expired on 3 Dec 2026"),
            "{}",
            expired.verdict
        );
        assert_eq!(fixes(&expired), ["Resend invite"]);
    }

    // Active → password reset; locked → unlock.
    #[test]
    fn an_active_member_gets_a_reset_and_a_locked_one_an_unlock() {
        let s = bob();
        let d = diagnose(&s, Target::SignIn);
        assert!(d.allowed);
        assert_eq!(
            results(&d),
            [
                (Account, Pass),
                (Status, Pass),
                (SignIn, Pass),
                (Tenant, Pass)
            ]
        );
        assert_eq!(fixes(&d), ["Send password reset"]);
        assert!(
            d.verdict.starts_with("Nothing in Gatehouse stops Bob"),
            "{}",
            d.verdict
        );

        let mut locked = bob();
        locked.account.as_mut().unwrap().locked_until = Some("10:42 UTC".into());
        let d = diagnose(&locked, Target::SignIn);
        assert_eq!(d.checks[2].result, Fail);
        assert_eq!(fixes(&d), ["Unlock", "Send password reset"]);
        assert!(d.tell_them.contains("until 10:42 UTC"));

        let mut failed = bob();
        failed.account.as_mut().unwrap().last_mail = Some(MailFacts {
            what: "password reset".into(),
            state: MailState::Failed,
            when: "1 Dec 2026, 08:00 UTC".into(),
            error: Some("The mail server didn't accept it.".into()),
        });
        let d = diagnose(&failed, Target::SignIn);
        assert_eq!(d.checks[2].result, Warning);
        assert!(d.checks[2]
            .evidence
            .iter()
            .any(|e| e.contains("failed to send") && e.contains("didn't accept it")));
        assert!(d.allowed, "a warning doesn't block");
    }

    // Not found → no account, or the wrong tenant (named).
    #[test]
    fn no_account_or_a_member_only_of_the_sandbox() {
        let mut s = bob();
        s.account = None;
        s.member = None;
        let d = diagnose(&s, Target::SignIn);
        assert_eq!(results(&d)[0], (Account, Fail));
        assert!(results(&d)[1..].iter().all(|(_, r)| *r == NotReached));
        assert!(
            d.verdict
                .contains("isn't a member of Acme and has no invitation"),
            "{}",
            d.verdict
        );

        let mut s = bob();
        s.member = None;
        s.elsewhere = vec![Elsewhere {
            tenant: "Acme Sandbox".into(),
            kind: TenantKind::Sandbox,
            status: MembershipStatus::Active,
        }];
        let d = diagnose(&s, Target::SignIn);
        assert!(
            d.verdict
                .contains("is a member of Acme Sandbox (the sandbox tenant; active)"),
            "{}",
            d.verdict
        );
        assert!(
            d.tell_them.contains("it is a member of Acme Sandbox"),
            "{}",
            d.tell_them
        );
        assert_eq!(d.person, "bob@example.com");
    }

    #[test]
    fn a_disabled_account_is_for_the_operator() {
        let mut s = bob();
        s.account.as_mut().unwrap().disabled = true;
        let d = diagnose(&s, Target::SignIn);
        assert_eq!(results(&d)[0], (Account, Fail));
        assert!(d.verdict.contains("operator"));
        assert!(fixes(&d).is_empty());
    }

    #[test]
    fn outside_the_sign_in_group_offers_the_group() {
        let mut s = bob();
        member(&mut s).sign_in_group = Some(SignInGroupFacts {
            id: 4,
            name: "Support".into(),
            member: false,
        });
        let d = diagnose(&s, Target::SignIn);
        assert_eq!(d.checks[3].result, Fail);
        assert_eq!(fixes(&d), ["Add to group Support"]);
        // An admin outside it passes.
        member(&mut s).access.role = Role::Admin;
        assert!(diagnose(&s, Target::SignIn).allowed);
    }

    // "Logged in but missing access": role → the least template first, never admin.
    #[test]
    fn a_missing_permission_suggests_the_smallest_template() {
        let s = bob();
        let d = diagnose(&s, Target::Permission(p("analytics.view")));
        assert_eq!(d.blocker, Some(ReasonKind::Authorization));
        assert_eq!(d.checks[4].area, CheckArea::Permission);
        assert_eq!(
            fixes(&d),
            [
                "Assign template Analysts",
                "Assign template Everything",
                "Grant “see analytics dashboards”"
            ]
        );
        assert!(
            d.verdict.contains("“Analysts”") && d.verdict.contains("admin would give far more"),
            "{}",
            d.verdict
        );
        assert!(
            !d.tell_them.contains("analytics.view"),
            "no internal keys: {}",
            d.tell_them
        );
        match &d.checks[4].fixes[0] {
            Fix::AssignTemplate { also_gives, .. } => {
                assert!(also_gives.is_empty(), "{also_gives:?}")
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_permission_held_through_a_group_says_so() {
        let mut s = bob();
        member(&mut s).access.groups = vec![GroupGrant {
            name: "Insights".into(),
            templates: vec![TemplateGrant {
                name: "Analysts".into(),
                permissions: [p("analytics.view")].into(),
            }],
        }];
        let d = diagnose(&s, Target::Permission(p("analytics.view")));
        assert!(d.allowed);
        assert_eq!(
            d.checks[4].evidence,
            ["Granted by the group “Insights” (through its role template “Analysts”)."]
        );
    }

    #[test]
    fn temporary_access_says_until_when() {
        let mut s = bob();
        member(&mut s).access.template = Some(TemplateGrant {
            name: "Analysts".into(),
            permissions: [p("analytics.view")].into(),
        });
        member(&mut s).access.direct.insert(p("analytics.view"));
        member(&mut s).temporary = vec![Temporary {
            grant: TemporaryGrant::Template("Analysts".into()),
            until: "2026-12-12 17:00 UTC".into(),
        }];
        let d = diagnose(&s, Target::Permission(p("analytics.view")));
        assert!(d.allowed);
        assert_eq!(
            d.checks[4].evidence,
            ["Granted by a direct grant, and by the role template “Analysts” (until 2026-12-12 17:00 UTC, then it ends by itself)."]
        );
        member(&mut s).crm_access = true;
        member(&mut s).temporary = vec![Temporary {
            grant: TemporaryGrant::Crm,
            until: "2026-12-12 17:00 UTC".into(),
        }];
        let crm = diagnose(&s, Target::Feature(Feature::Crm));
        assert!(crm.allowed);
        let last = crm.checks.last().unwrap();
        assert_eq!(last.area, CrmAccess);
        assert!(
            last.evidence[0].contains("until 2026-12-12 17:00 UTC"),
            "{:?}",
            last.evidence
        );
    }

    // Feature flags, beta access and plans, in the order of the checks.
    #[test]
    fn feature_gates_flag_beta_and_plan() {
        let s = bob();
        let cases = diagnose(&s, Target::Feature(Feature::Cases));
        assert_eq!(cases.blocker, Some(ReasonKind::ProductScope));
        assert_eq!(fixes(&cases), ["Turn on Cases"]);
        assert!(cases.tell_them.contains("Cases isn't turned on for Acme"));

        let mut s = bob();
        member(&mut s).access.direct.insert(p("conversations.edit"));
        s.flags.insert(Flag::AiReplySuggestions);
        let beta = diagnose(&s, Target::Feature(Feature::AiReplySuggestions));
        assert_eq!(fixes(&beta), ["Turn on beta access"]);
        member(&mut s).beta_access = true;
        assert!(diagnose(&s, Target::Feature(Feature::AiReplySuggestions)).allowed);

        let mut s = bob();
        member(&mut s).access.direct.insert(p("analytics.manage"));
        let plan = diagnose(&s, Target::Feature(Feature::DataWarehouse));
        assert_eq!(plan.blocker, Some(ReasonKind::ProductScope));
        assert!(plan.verdict.contains("plan"), "{}", plan.verdict);
        assert!(
            fixes(&plan).is_empty(),
            "a plan gets no permission fix: {:?}",
            fixes(&plan)
        );
    }

    #[test]
    fn the_permission_is_judged_before_the_gates_and_crm_last() {
        let s = bob();
        let d = diagnose(&s, Target::Feature(Feature::Experiments));
        assert_eq!(
            results(&d),
            [
                (Account, Pass),
                (Status, Pass),
                (SignIn, Pass),
                (Tenant, Pass),
                (CheckArea::Permission, Fail),
                (FeatureGates, NotReached)
            ]
        );
        let crm = diagnose(&s, Target::Feature(Feature::Crm));
        assert_eq!(results(&crm).last(), Some(&(CrmAccess, Fail)));
        assert_eq!(fixes(&crm), ["Give CRM access"]);
    }

    #[test]
    fn every_fix_says_what_it_changes() {
        let all = [
            Fix::Reactivate,
            Fix::ResendInvite,
            Fix::SendPasswordReset,
            Fix::Unlock,
            Fix::TurnOnBeta,
            Fix::TurnOnFlag { flag: Flag::Cases },
            Fix::GiveCrmAccess,
            Fix::AddToGroup {
                group_id: 1,
                group: "G".into(),
            },
            Fix::AssignTemplate {
                template_id: 1,
                template: "T".into(),
                replaces: Some("Old".into()),
                also_gives: vec!["see analytics".into()],
            },
            Fix::Grant {
                permission: p("analytics.view"),
            },
        ];
        for f in all {
            let words = f.preview("Bob", "Acme");
            assert!(words.contains("Bob") || words.contains("Acme"), "{words}");
            assert!(
                !words.contains('.') || !words.contains("analytics.view"),
                "{words}"
            );
        }
    }
}
