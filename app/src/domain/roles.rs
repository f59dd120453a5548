//! Settings → Roles overview (seed 001's checklist of "current role holders,
//! expected permissions, and required controls such as 2FA"): who holds each role
//! template and the Admin role, how many of them have no two-factor, and for each
//! feature and permission the least template that grants it. Plus the CSV export.

use crate::domain::access::diagnose::{least_privilege, Grantable};
use crate::domain::access::Permission;
use crate::domain::{Feature, Plan};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// One holder of a role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holder {
    pub member_id: i64,
    pub name: String,
    pub email: String,
    pub two_factor: bool,
    /// How they hold it: "their own", "through the group “Team”", "until …".
    pub how: String,
}

/// A role template (or the Admin role) and its holders.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleHolders {
    /// "Admin role" or the template's name.
    pub role: String,
    pub admin_role: bool,
    /// What it grants, in words.
    pub grants: Vec<Permission>,
    pub holders: Vec<Holder>,
}

impl RoleHolders {
    pub fn without_two_factor(&self) -> usize {
        self.holders.iter().filter(|h| !h.two_factor).count()
    }
}

/// The least template that grants something: the one granting the fewest other
/// permissions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeastTemplate {
    /// The feature's or permission's name.
    pub what: String,
    /// The template's name, `None` when no template grants it.
    pub template: Option<String>,
    /// What else that template grants.
    pub also: Vec<Permission>,
    /// What else the feature needs besides the permission, in words.
    pub also_needs: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RolesOverview {
    pub roles: Vec<RoleHolders>,
    pub features: Vec<LeastTemplate>,
    pub permissions: Vec<LeastTemplate>,
}

fn least(templates: &[Grantable], permission: Permission, what: String) -> LeastTemplate {
    let ranked = least_privilege(&BTreeSet::new(), templates, permission);
    let first = ranked.first();
    LeastTemplate {
        what,
        template: first.map(|(t, _)| t.name.clone()),
        also: first.map(|(_, extra)| extra.clone()).unwrap_or_default(),
        also_needs: Vec::new(),
    }
}

/// For each permission, and each feature a permission opens, the least template
/// of `templates` that grants it.
pub fn least_templates(templates: &[Grantable]) -> (Vec<LeastTemplate>, Vec<LeastTemplate>) {
    let features = Feature::ALL
        .iter()
        .filter_map(|f| {
            let needs = f.needs();
            let mut row = least(templates, needs.permission?, f.label().to_string());
            if needs.crm {
                row.also_needs.push("CRM access".into());
            }
            if let Some(plan) = needs.plan {
                row.also_needs.push(format!(
                    "the {} plan or above",
                    Plan::cheapest_with(plan).label()
                ));
            }
            if let Some(flag) = needs.flag {
                let mut words = format!("the feature flag “{}” on", flag.label());
                if flag.is_beta() {
                    words.push_str(", and beta access");
                }
                row.also_needs.push(words);
            }
            Some(row)
        })
        .collect();
    let permissions = Permission::all()
        .map(|p| least(templates, p, p.label().to_string()))
        .collect();
    (features, permissions)
}

/// One CSV field: quoted, and never read as a formula by a spreadsheet.
pub fn csv_field(value: &str) -> String {
    let guarded = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_string()
    };
    format!("\"{}\"", guarded.replace('"', "\"\""))
}

/// One CSV line (CRLF-terminated, RFC 4180).
pub fn csv_line(fields: &[&str]) -> String {
    let mut line = fields
        .iter()
        .map(|f| csv_field(f))
        .collect::<Vec<_>>()
        .join(",");
    line.push_str("\r\n");
    line
}

impl RolesOverview {
    /// Every holder of every role, one per line.
    pub fn csv(&self) -> String {
        let mut out = csv_line(&["Role", "Name", "Email", "Two-factor", "How"]);
        for role in &self.roles {
            for h in &role.holders {
                out.push_str(&csv_line(&[
                    &role.role,
                    &h.name,
                    &h.email,
                    if h.two_factor { "on" } else { "off" },
                    &h.how,
                ]));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(key: &str) -> Permission {
        Permission::parse(key).unwrap()
    }

    #[test]
    fn the_least_template_grants_the_fewest_other_things() {
        let templates = vec![
            Grantable {
                id: 1,
                name: "Everything analytics".into(),
                permissions: [
                    p("analytics.view"),
                    p("analytics.create"),
                    p("analytics.manage"),
                ]
                .into(),
            },
            Grantable {
                id: 2,
                name: "Viewers".into(),
                permissions: [p("analytics.view")].into(),
            },
        ];
        let (features, permissions) = least_templates(&templates);
        let view = permissions
            .iter()
            .find(|l| l.what == "see analytics dashboards")
            .unwrap();
        assert_eq!(view.template.as_deref(), Some("Viewers"));
        assert!(view.also.is_empty());
        let manage = permissions
            .iter()
            .find(|l| l.what == "manage analytics and exports")
            .unwrap();
        assert_eq!(manage.template.as_deref(), Some("Everything analytics"));
        assert_eq!(manage.also.len(), 2);
        let nobody = permissions
            .iter()
            .find(|l| l.what == "delete conversations")
            .unwrap();
        assert_eq!(nobody.template, None);
        let dashboards = features
            .iter()
            .find(|f| f.what == "Analytics dashboards")
            .unwrap();
        assert_eq!(dashboards.template.as_deref(), Some("Viewers"));
    }

    #[test]
    fn csv_quotes_and_never_starts_a_formula() {
        assert_eq!(csv_line(&["a", "b \"c\""]), "\"a\",\"b \"\"c\"\"\"\r\n");
        assert_eq!(csv_field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_field("-1"), "\"'-1\"");
    }
}
