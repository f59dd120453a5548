//! The one evaluation function: who holds a permission, and through what.

use super::catalog::Permission;
use super::inputs::AccessInputs;
use crate::domain::model::Role;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

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

impl GrantSource {
    /// A few words for beside a checkbox ("via template"); the full sentence is its
    /// `Display`.
    pub fn short(&self) -> String {
        match self {
            GrantSource::AdminRole => "admin role".to_string(),
            GrantSource::Direct => "direct".to_string(),
            GrantSource::Template { .. } => "via template".to_string(),
            GrantSource::Group { group, .. } => format!("via group {group}"),
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

/// Every permission held through something other than a direct grant, with those
/// sources: what the Edit user dialog marks beside each checkbox. Built on
/// [`evaluate`], so the dialog shows exactly what the server decides.
pub fn indirect_sources(inputs: &AccessInputs) -> BTreeMap<Permission, Vec<GrantSource>> {
    Permission::all()
        .filter_map(|p| {
            let sources: Vec<GrantSource> = evaluate(inputs, p)
                .sources
                .into_iter()
                .filter(|s| *s != GrantSource::Direct)
                .collect();
            (!sources.is_empty()).then_some((p, sources))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::access::{GroupGrant, TemplateGrant};

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

    #[test]
    fn indirect_sources_name_template_group_and_admin_but_not_direct_grants() {
        let view = p("conversations.view");
        let edit = p("settings.edit");
        let inputs = AccessInputs {
            role: Role::User,
            direct: set(&["conversations.view", "users.view"]),
            template: Some(TemplateGrant {
                name: "Support".into(),
                permissions: set(&["conversations.view"]),
            }),
            groups: vec![GroupGrant {
                name: "Ops".into(),
                templates: vec![TemplateGrant {
                    name: "Settings editor".into(),
                    permissions: set(&["settings.edit"]),
                }],
            }],
        };
        let indirect = indirect_sources(&inputs);
        assert_eq!(indirect.len(), 2, "{indirect:?}");
        assert_eq!(
            indirect[&view],
            vec![GrantSource::Template {
                template: "Support".into()
            }]
        );
        assert_eq!(indirect[&edit][0].short(), "via group Ops");
        assert!(!indirect.contains_key(&p("users.view")), "direct only");
        let admin = AccessInputs {
            role: Role::Admin,
            ..inputs
        };
        let indirect = indirect_sources(&admin);
        assert_eq!(indirect.len(), 30);
        assert!(indirect.values().all(|s| s[0] == GrantSource::AdminRole));
    }
}
