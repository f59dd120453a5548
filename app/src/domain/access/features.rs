//! Product features: what each part of the product needs, and the one evaluation
//! that says whether a member can use it, with every reason it is blocked.
//!
//! Reasons come in a fixed order and in three kinds (seed 001): authentication (the
//! person can't get in at all), authorization (in, but their access doesn't reach
//! it) and product scope (nobody here gets it: plan, tenant flag, beta). Each carries
//! a sentence for the person, with no internal key, and a precise one for the admin.

use super::catalog::{Action, Category, Permission};
use super::evaluate::evaluate;
use super::inputs::AccessInputs;
use crate::domain::model::{Feature, Flag, MembershipStatus, Plan, PlanFeature, Role};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// What a feature needs, besides a member who can sign in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Needs {
    /// A permission (held through any source).
    pub permission: Option<Permission>,
    /// The membership's CRM access.
    pub crm: bool,
    /// A plan that includes this.
    pub plan: Option<PlanFeature>,
    /// A tenant flag that is on (a beta flag also needs the person's beta access).
    pub flag: Option<Flag>,
}

const fn perm(category: Category, action: Action) -> Option<Permission> {
    Some(Permission::new(category, action))
}

impl Feature {
    /// What the feature needs. The one catalog of the product's features.
    pub fn needs(self) -> Needs {
        use Action::*;
        use Category::*;
        let none = Needs {
            permission: None,
            crm: false,
            plan: None,
            flag: None,
        };
        match self {
            Feature::Conversations => Needs {
                permission: perm(Conversations, View),
                ..none
            },
            Feature::Crm => Needs { crm: true, ..none },
            Feature::Cases => Needs {
                permission: perm(Conversations, View),
                flag: Some(Flag::Cases),
                ..none
            },
            Feature::AnalyticsDashboards => Needs {
                permission: perm(Analytics, View),
                ..none
            },
            Feature::AdvancedAnalytics => Needs {
                permission: perm(Analytics, View),
                plan: Some(PlanFeature::AdvancedAnalytics),
                ..none
            },
            Feature::DataWarehouse => Needs {
                permission: perm(Analytics, Manage),
                plan: Some(PlanFeature::DataWarehouse),
                ..none
            },
            Feature::CustomDomains => Needs {
                permission: perm(Settings, Manage),
                plan: Some(PlanFeature::CustomDomains),
                ..none
            },
            Feature::ApiKeys => Needs {
                permission: perm(Integrations, Manage),
                plan: Some(PlanFeature::ApiKeys),
                ..none
            },
            Feature::Webhooks => Needs {
                permission: perm(Integrations, Manage),
                plan: Some(PlanFeature::Webhooks),
                ..none
            },
            Feature::Experiments => Needs {
                permission: perm(Experiments, View),
                flag: Some(Flag::Experiments),
                ..none
            },
            Feature::AiReplySuggestions => Needs {
                permission: perm(Conversations, Edit),
                flag: Some(Flag::AiReplySuggestions),
                ..none
            },
        }
    }

    /// What using it means, for sentences ("see conversations", "use Cases").
    pub fn what(self) -> String {
        format!("use {}", self.label())
    }
}

/// Which layer a reason belongs to (seed 001).
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReasonKind {
    Authentication,
    Authorization,
    ProductScope,
}

impl ReasonKind {
    pub fn label(self) -> &'static str {
        match self {
            ReasonKind::Authentication => "Sign-in",
            ReasonKind::Authorization => "Permission",
            ReasonKind::ProductScope => "Plan and features",
        }
    }
}

/// One thing that blocks a feature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reason {
    pub kind: ReasonKind,
    /// A stable code for programs (the check API); never shown to people.
    pub code: String,
    /// What the person is told: plain words, no internal keys.
    pub for_person: String,
    /// What their admin is told: precise, with the fix.
    pub for_admin: String,
}

/// Everything known about a member and their tenant that decides features.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeatureContext {
    pub tenant_name: String,
    pub plan: Plan,
    /// The tenant's flags that are on.
    pub flags: BTreeSet<Flag>,
    pub status: MembershipStatus,
    /// Disabled by the operator of this Gatehouse (no sign-in anywhere).
    pub account_disabled: bool,
    /// Kept out by the tenant's group-restricted sign-in.
    pub outside_sign_in_group: Option<String>,
    pub access: AccessInputs,
    pub crm_access: bool,
    pub beta_access: bool,
}

/// Whether a member can use a feature, and every reason they can't, in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeatureDecision {
    pub feature: Feature,
    pub reasons: Vec<Reason>,
}

impl FeatureDecision {
    pub fn allowed(&self) -> bool {
        self.reasons.is_empty()
    }
}

fn reason(kind: ReasonKind, code: &str, for_person: String, for_admin: String) -> Reason {
    Reason {
        kind,
        code: code.to_string(),
        for_person,
        for_admin,
    }
}

/// The authentication layer: what keeps the person out of the tenant at all.
fn sign_in_reasons(ctx: &FeatureContext) -> Vec<Reason> {
    use ReasonKind::Authentication;
    let tenant = &ctx.tenant_name;
    let mut reasons = Vec::new();
    if ctx.account_disabled {
        reasons.push(reason(
            Authentication,
            "account_disabled",
            "Your account can't sign in right now. Contact your admin.".into(),
            "The account is disabled by the operator of this Gatehouse; tenant admins can't lift it.".into(),
        ));
    }
    match ctx.status {
        MembershipStatus::Active => {}
        MembershipStatus::Suspended => reasons.push(reason(
            Authentication,
            "membership_suspended",
            format!("Your access to {tenant} is suspended. Ask an admin of {tenant}."),
            format!("The membership in {tenant} is suspended: reactivate it in Settings → Users."),
        )),
        MembershipStatus::Invited => reasons.push(reason(
            Authentication,
            "invitation_pending",
            format!("You haven't accepted your invitation to {tenant} yet. Use the link in the invitation email."),
            format!("The invitation to {tenant} hasn't been accepted: resend it from Settings → Users if the link expired."),
        )),
    }
    if let Some(group) = &ctx.outside_sign_in_group {
        reasons.push(reason(
            Authentication,
            "outside_sign_in_group",
            super::sign_in::refusal_for_person(tenant, group, &[]),
            super::sign_in::refusal_for_admin(tenant, group),
        ));
    }
    reasons
}

/// The authorization reason when the person lacks `permission`; `name` is what
/// needs it, for the admin's sentence.
fn permission_reason(ctx: &FeatureContext, permission: Permission, name: &str) -> Option<Reason> {
    (!evaluate(&ctx.access, permission).granted()).then(|| {
        reason(
            ReasonKind::Authorization,
            "permission_missing",
            format!(
                "You don't have permission to {} in {}. Ask an admin for access.",
                permission.label(),
                ctx.tenant_name
            ),
            format!(
                "{name} needs the permission to {}: grant it directly, through a role template, or through a group.",
                permission.label()
            ),
        )
    })
}

/// Every reason the person can't use `permission`, in order (authentication, then
/// the permission itself): the same words as features use.
pub fn evaluate_permission(ctx: &FeatureContext, permission: Permission) -> Vec<Reason> {
    let mut reasons = sign_in_reasons(ctx);
    reasons.extend(permission_reason(ctx, permission, "This"));
    reasons
}

/// The one evaluation for features. Order: authentication (operator disable,
/// membership status, group-restricted sign-in), authorization (permission, CRM
/// access), product scope (plan, tenant flag, beta access).
pub fn evaluate_feature(ctx: &FeatureContext, feature: Feature) -> FeatureDecision {
    use ReasonKind::*;
    let needs = feature.needs();
    let name = feature.label();
    let tenant = &ctx.tenant_name;
    let mut reasons = sign_in_reasons(ctx);
    if let Some(permission) = needs.permission {
        reasons.extend(permission_reason(ctx, permission, name));
    }
    if needs.crm && !(ctx.crm_access || ctx.access.role == Role::Admin) {
        reasons.push(reason(
            Authorization,
            "crm_access_off",
            format!("You don't have CRM access in {tenant}. Ask an admin for access."),
            "CRM access is off for this member: turn it on in their Edit user dialog.".into(),
        ));
    }

    if let Some(plan_feature) = needs.plan {
        if !ctx.plan.includes(plan_feature) {
            let cheapest = Plan::cheapest_with(plan_feature);
            reasons.push(reason(
                ProductScope,
                "plan_excludes",
                format!("{name} isn't part of {tenant}'s plan."),
                format!(
                    "The {} plan doesn't include {name}; the {} plan and above do.",
                    ctx.plan.label(),
                    cheapest.label()
                ),
            ));
        }
    }
    if let Some(flag) = needs.flag {
        if !ctx.flags.contains(&flag) {
            reasons.push(reason(
                ProductScope,
                "flag_off",
                format!("{name} isn't turned on for {tenant}."),
                format!("The feature flag “{}” is off: an admin turns it on in Settings → Feature flags.", flag.label()),
            ));
        }
        if flag.is_beta() && !ctx.beta_access {
            reasons.push(reason(
                ProductScope,
                "beta_access_off",
                format!("{name} is in beta, and your account isn't in the beta yet. Ask an admin."),
                "This is a beta feature: turn on Beta access in their Edit user dialog.".into(),
            ));
        }
    }
    FeatureDecision { feature, reasons }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::access::{GroupGrant, TemplateGrant};

    fn member() -> FeatureContext {
        FeatureContext {
            tenant_name: "Acme Production".into(),
            plan: Plan::Free,
            flags: BTreeSet::new(),
            status: MembershipStatus::Active,
            account_disabled: false,
            outside_sign_in_group: None,
            access: AccessInputs {
                role: Role::User,
                direct: BTreeSet::new(),
                template: None,
                groups: vec![],
            },
            crm_access: false,
            beta_access: false,
        }
    }

    fn codes(ctx: &FeatureContext, f: Feature) -> Vec<String> {
        evaluate_feature(ctx, f)
            .reasons
            .into_iter()
            .map(|r| r.code)
            .collect()
    }

    #[test]
    fn every_reason_in_its_fixed_order() {
        let mut ctx = member();
        ctx.account_disabled = true;
        ctx.status = MembershipStatus::Suspended;
        ctx.outside_sign_in_group = Some("Support".into());
        assert_eq!(
            codes(&ctx, Feature::AiReplySuggestions),
            [
                "account_disabled",
                "membership_suspended",
                "outside_sign_in_group",
                "permission_missing",
                "flag_off",
                "beta_access_off"
            ]
        );
        assert_eq!(
            codes(&ctx, Feature::ApiKeys)[3..],
            ["permission_missing", "plan_excludes"]
        );
        assert_eq!(codes(&ctx, Feature::Crm)[3..], ["crm_access_off"]);
        let kinds: Vec<ReasonKind> = evaluate_feature(&ctx, Feature::AiReplySuggestions)
            .reasons
            .iter()
            .map(|r| r.kind)
            .collect();
        let mut sorted = kinds.clone();
        sorted.sort_by_key(|k| *k as u8);
        assert_eq!(
            kinds, sorted,
            "authentication, then authorization, then product scope"
        );
        ctx.status = MembershipStatus::Invited;
        assert_eq!(codes(&ctx, Feature::Crm)[1], "invitation_pending");
    }

    #[test]
    fn each_need_is_met_by_what_it_names() {
        let mut ctx = member();
        // Conversations: the permission, from any source (here a group's template).
        assert_eq!(codes(&ctx, Feature::Conversations), ["permission_missing"]);
        ctx.access.groups = vec![GroupGrant {
            name: "Support".into(),
            templates: vec![TemplateGrant {
                name: "Agent".into(),
                permissions: [
                    Permission::new(Category::Conversations, Action::View),
                    Permission::new(Category::Conversations, Action::Edit),
                ]
                .into_iter()
                .collect(),
            }],
        }];
        assert!(evaluate_feature(&ctx, Feature::Conversations).allowed());
        // Cases: the flag too.
        assert_eq!(codes(&ctx, Feature::Cases), ["flag_off"]);
        ctx.flags.insert(Flag::Cases);
        assert!(evaluate_feature(&ctx, Feature::Cases).allowed());
        // A beta feature: the flag and the person's beta access.
        ctx.flags.insert(Flag::AiReplySuggestions);
        assert_eq!(
            codes(&ctx, Feature::AiReplySuggestions),
            ["beta_access_off"]
        );
        ctx.beta_access = true;
        assert!(evaluate_feature(&ctx, Feature::AiReplySuggestions).allowed());
        // CRM: the membership's CRM access, or the Admin role.
        assert_eq!(codes(&ctx, Feature::Crm), ["crm_access_off"]);
        ctx.crm_access = true;
        assert!(evaluate_feature(&ctx, Feature::Crm).allowed());
        // Plan-locked: an admin on the free plan still can't; on enterprise they can.
        ctx.access.role = Role::Admin;
        assert_eq!(codes(&ctx, Feature::DataWarehouse), ["plan_excludes"]);
        ctx.plan = Plan::Enterprise;
        for f in Feature::ALL.iter().filter(|f| {
            !matches!(
                f,
                Feature::Cases | Feature::Experiments | Feature::AiReplySuggestions
            )
        }) {
            assert!(evaluate_feature(&ctx, *f).allowed(), "{f:?}");
        }
    }

    #[test]
    fn sentences_for_people_carry_no_internal_keys() {
        let mut ctx = member();
        ctx.status = MembershipStatus::Suspended;
        ctx.account_disabled = true;
        ctx.outside_sign_in_group = Some("Support".into());
        for f in Feature::ALL {
            for r in evaluate_feature(&ctx, *f).reasons {
                for key in ["_", "conversations.", "analytics.", "flag ", "crm_access"] {
                    assert!(!r.for_person.contains(key), "{f:?}: {}", r.for_person);
                }
                assert!(r.for_person.ends_with('.') && r.for_admin.ends_with('.'));
            }
        }
        let cases = evaluate_feature(&ctx, Feature::Cases);
        assert!(cases
            .reasons
            .iter()
            .any(|r| r.for_person == "Cases isn't turned on for Acme Production."));
        let api = evaluate_feature(&ctx, Feature::ApiKeys);
        assert!(api
            .reasons
            .iter()
            .any(|r| r.for_admin.contains("the Team plan and above")));
    }
}
