//! The one permission catalog and the one evaluation function.
//!
//! Enforcement (server functions) and explanation (diagnostics, UI previews) both call
//! [`evaluate`], so what Gatehouse enforces and what it explains cannot drift apart.

use super::model::Role;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::fmt;

macro_rules! catalog_enum {
    ($name:ident { $($variant:ident => $text:literal / $label:literal),+ $(,)? }) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub fn as_str(self) -> &'static str { match self { $($name::$variant => $text),+ } }
            pub fn label(self) -> &'static str { match self { $($name::$variant => $label),+ } }
            pub fn parse(v: &str) -> Option<Self> { match v { $($text => Some($name::$variant),)+ _ => None } }
        }
    };
}

catalog_enum!(Category {
    Conversations => "conversations" / "Conversations",
    Settings => "settings" / "Settings",
    Users => "users" / "Users",
    Analytics => "analytics" / "Analytics",
    Integrations => "integrations" / "Integrations",
    Experiments => "experiments" / "Experiments",
});

catalog_enum!(Action {
    View => "view" / "View",
    Create => "create" / "Create",
    Edit => "edit" / "Edit",
    Delete => "delete" / "Delete",
    Manage => "manage" / "Manage",
});

/// One `category.action` permission.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Permission {
    pub category: Category,
    pub action: Action,
}

impl Permission {
    pub const fn new(category: Category, action: Action) -> Self {
        Self { category, action }
    }

    /// Every permission in the catalog, grouped by category in display order.
    pub fn all() -> impl Iterator<Item = Permission> {
        Category::ALL
            .iter()
            .flat_map(|c| Action::ALL.iter().map(move |a| Permission::new(*c, *a)))
    }

    /// The stable key stored in the database, e.g. `conversations.view`.
    /// Never shown to end users.
    pub fn key(self) -> String {
        format!("{}.{}", self.category.as_str(), self.action.as_str())
    }

    pub fn parse(key: &str) -> Option<Self> {
        let (c, a) = key.split_once('.')?;
        Some(Permission::new(Category::parse(c)?, Action::parse(a)?))
    }

    /// What the permission lets a person do, in words an end user understands.
    pub fn label(self) -> &'static str {
        use Action::*;
        use Category::*;
        match (self.category, self.action) {
            (Conversations, View) => "see conversations",
            (Conversations, Create) => "start conversations",
            (Conversations, Edit) => "reply to and reassign conversations",
            (Conversations, Delete) => "delete conversations",
            (Conversations, Manage) => "manage conversation settings",
            (Settings, View) => "see workspace settings",
            (Settings, Create) => "add channels and settings",
            (Settings, Edit) => "change workspace settings",
            (Settings, Delete) => "remove channels and settings",
            (Settings, Manage) => "manage branding and organisation settings",
            (Users, View) => "see the people in this workspace",
            (Users, Create) => "invite people",
            (Users, Edit) => "change people's access",
            (Users, Delete) => "remove people",
            (Users, Manage) => "manage people, roles and role templates",
            (Analytics, View) => "see analytics dashboards",
            (Analytics, Create) => "create reports",
            (Analytics, Edit) => "edit reports",
            (Analytics, Delete) => "delete reports",
            (Analytics, Manage) => "manage analytics and exports",
            (Integrations, View) => "see integrations",
            (Integrations, Create) => "connect integrations",
            (Integrations, Edit) => "reconfigure integrations",
            (Integrations, Delete) => "disconnect integrations",
            (Integrations, Manage) => "manage all integrations",
            (Experiments, View) => "see experiments",
            (Experiments, Create) => "create experiments",
            (Experiments, Edit) => "change experiments",
            (Experiments, Delete) => "delete experiments",
            (Experiments, Manage) => "manage experiments and routing tests",
        }
    }
}

impl fmt::Display for Permission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// A role template as the evaluation needs it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateGrant {
    pub name: String,
    pub permissions: BTreeSet<Permission>,
}

/// A group (team) the member belongs to, with the templates attached to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupGrant {
    pub name: String,
    pub templates: Vec<TemplateGrant>,
}

/// Everything that decides a member's permissions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessInputs {
    pub role: Role,
    pub direct: BTreeSet<Permission>,
    pub template: Option<TemplateGrant>,
    pub groups: Vec<GroupGrant>,
}

/// Why a permission is held.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum GrantSource {
    AdminRole,
    Direct,
    Template { template: String },
    Group { group: String, template: String },
}

impl fmt::Display for GrantSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GrantSource::AdminRole => f.write_str("the Admin role"),
            GrantSource::Direct => f.write_str("a direct grant"),
            GrantSource::Template { template } => write!(f, "the role template “{template}”"),
            GrantSource::Group { group, template } => {
                write!(
                    f,
                    "the group “{group}” (through its role template “{template}”)"
                )
            }
        }
    }
}

/// The decision for one permission, with every source that grants it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    pub permission: Permission,
    pub sources: Vec<GrantSource>,
}

impl Decision {
    pub fn granted(&self) -> bool {
        !self.sources.is_empty()
    }
}

/// The one evaluation function.
pub fn evaluate(inputs: &AccessInputs, permission: Permission) -> Decision {
    let mut sources = Vec::new();
    if inputs.role == Role::Admin {
        sources.push(GrantSource::AdminRole);
    }
    if inputs.direct.contains(&permission) {
        sources.push(GrantSource::Direct);
    }
    if let Some(t) = &inputs.template {
        if t.permissions.contains(&permission) {
            sources.push(GrantSource::Template {
                template: t.name.clone(),
            });
        }
    }
    for g in &inputs.groups {
        for t in &g.templates {
            if t.permissions.contains(&permission) {
                sources.push(GrantSource::Group {
                    group: g.name.clone(),
                    template: t.name.clone(),
                });
            }
        }
    }
    Decision {
        permission,
        sources,
    }
}

/// Every permission the member holds; built on [`evaluate`].
pub fn effective_permissions(inputs: &AccessInputs) -> BTreeSet<Permission> {
    Permission::all()
        .filter(|p| evaluate(inputs, *p).granted())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(key: &str) -> Permission {
        Permission::parse(key).unwrap()
    }

    fn set(keys: &[&str]) -> BTreeSet<Permission> {
        keys.iter().map(|k| p(k)).collect()
    }

    #[test]
    fn catalog_is_complete_and_round_trips() {
        let all: Vec<Permission> = Permission::all().collect();
        assert_eq!(all.len(), 30);
        let labels: BTreeSet<&str> = all.iter().map(|p| p.label()).collect();
        assert_eq!(labels.len(), 30, "labels must be distinct");
        for perm in all {
            assert_eq!(Permission::parse(&perm.key()), Some(perm));
            assert!(
                !perm.label().contains('.'),
                "labels are plain words: {}",
                perm.label()
            );
        }
        assert_eq!(Permission::parse("conversations.assign"), None);
        assert_eq!(Permission::parse("nope"), None);
    }

    #[test]
    fn evaluation_table() {
        let support = TemplateGrant {
            name: "Support agent".into(),
            permissions: set(&["conversations.view", "conversations.edit"]),
        };
        let analyst = TemplateGrant {
            name: "Analyst".into(),
            permissions: set(&["analytics.view"]),
        };
        let base = AccessInputs {
            role: Role::User,
            direct: set(&["settings.view"]),
            template: None,
            groups: vec![],
        };
        let cases: Vec<(AccessInputs, &str, Vec<GrantSource>)> = vec![
            (base.clone(), "settings.view", vec![GrantSource::Direct]),
            (base.clone(), "users.manage", vec![]),
            (
                AccessInputs {
                    role: Role::Admin,
                    ..base.clone()
                },
                "users.manage",
                vec![GrantSource::AdminRole],
            ),
            (
                AccessInputs {
                    template: Some(support.clone()),
                    ..base.clone()
                },
                "conversations.edit",
                vec![GrantSource::Template {
                    template: "Support agent".into(),
                }],
            ),
            (
                AccessInputs {
                    groups: vec![GroupGrant {
                        name: "Insights".into(),
                        templates: vec![analyst.clone()],
                    }],
                    ..base.clone()
                },
                "analytics.view",
                vec![GrantSource::Group {
                    group: "Insights".into(),
                    template: "Analyst".into(),
                }],
            ),
            (
                AccessInputs {
                    direct: set(&["conversations.view"]),
                    template: Some(support.clone()),
                    ..base.clone()
                },
                "conversations.view",
                vec![
                    GrantSource::Direct,
                    GrantSource::Template {
                        template: "Support agent".into(),
                    },
                ],
            ),
        ];
        for (inputs, key, expected) in cases {
            let d = evaluate(&inputs, p(key));
            assert_eq!(d.sources, expected, "{key}");
            assert_eq!(d.granted(), !expected.is_empty());
        }
    }

    #[test]
    fn effective_permissions_unions_sources() {
        let admin = AccessInputs {
            role: Role::Admin,
            direct: BTreeSet::new(),
            template: None,
            groups: vec![],
        };
        assert_eq!(effective_permissions(&admin).len(), 30);
        let user = AccessInputs {
            role: Role::User,
            direct: set(&["settings.view"]),
            template: Some(TemplateGrant {
                name: "T".into(),
                permissions: set(&["analytics.view", "settings.view"]),
            }),
            groups: vec![],
        };
        assert_eq!(
            effective_permissions(&user),
            set(&["settings.view", "analytics.view"])
        );
    }
}
