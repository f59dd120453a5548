//! Role templates: wire types, and what a change to one does to whom. None carries
//! a hash, token or secret.

use crate::domain::access::{effective_permissions, Permission, TemplateGrant};
use crate::domain::text::parse_short_text;
use crate::domain::AppError;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// A role template with its permissions and how many members use it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateView {
    pub id: i64,
    pub name: String,
    pub permissions: Vec<Permission>,
    pub members: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateInput {
    /// `None` creates a template.
    pub id: Option<i64>,
    pub name: String,
    pub permissions: Vec<Permission>,
}

pub const MAX_TEMPLATE_NAME_CHARS: usize = 80;

pub fn parse_template_name(input: &str) -> Result<String, AppError> {
    let name = parse_short_text(input, "name", "name", MAX_TEMPLATE_NAME_CHARS)?;
    if name.is_empty() {
        return Err(AppError::field(
            "name",
            "Enter a name for the template, such as Support agent.",
        ));
    }
    Ok(name)
}

/// What a change to a role template (or its deletion) does to the people who use
/// it, directly or through a group: who gains and who loses which permissions,
/// computed by the one evaluation (`effective_permissions`) before and after.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateImpact {
    /// Members who use the template (their own or through a group).
    pub considered: usize,
    /// Each member whose access changes, in the order given.
    pub members: Vec<MemberImpact>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberImpact {
    pub member_id: i64,
    pub name: String,
    pub gains: Vec<Permission>,
    pub losses: Vec<Permission>,
}

/// A member who uses a template, with what decides their access now.
#[derive(Debug, Clone)]
pub struct TemplateUser {
    pub member_id: i64,
    pub name: String,
    pub access: crate::domain::access::AccessInputs,
}

/// The impact of giving template `name` the permissions `after` (`None`: deleting
/// it, its own users moving to `moved_to`).
pub fn template_impact(
    users: &[TemplateUser],
    name: &str,
    after: Option<&BTreeSet<Permission>>,
    moved_to: Option<&TemplateGrant>,
) -> TemplateImpact {
    let members = users
        .iter()
        .filter_map(|user| {
            let mut changed = user.access.clone();
            if changed.template.as_ref().is_some_and(|t| t.name == name) {
                changed.template = match after {
                    Some(perms) => Some(TemplateGrant {
                        name: name.to_string(),
                        permissions: perms.clone(),
                    }),
                    None => moved_to.cloned(),
                };
            }
            for group in &mut changed.groups {
                match after {
                    Some(perms) => group
                        .templates
                        .iter_mut()
                        .filter(|t| t.name == name)
                        .for_each(|t| t.permissions = perms.clone()),
                    None => group.templates.retain(|t| t.name != name),
                }
            }
            let before = effective_permissions(&user.access);
            let now = effective_permissions(&changed);
            let gains: Vec<Permission> = now.difference(&before).copied().collect();
            let losses: Vec<Permission> = before.difference(&now).copied().collect();
            (!gains.is_empty() || !losses.is_empty()).then(|| MemberImpact {
                member_id: user.member_id,
                name: user.name.clone(),
                gains,
                losses,
            })
        })
        .collect();
    TemplateImpact {
        considered: users.len(),
        members,
    }
}

impl TemplateImpact {
    /// "3 members gain: manage analytics and exports", "5 members lose: delete conversations":
    /// one sentence per set of permissions the same people gain (then lose).
    pub fn sentences(&self) -> Vec<String> {
        let mut out = Vec::new();
        for (verb_one, verb_many, pick) in [
            (
                "gains",
                "gain",
                (|m: &MemberImpact| &m.gains) as fn(&MemberImpact) -> &Vec<Permission>,
            ),
            ("loses", "lose", |m: &MemberImpact| &m.losses),
        ] {
            // Permission → how many; then permissions with the same count and the
            // same people said together.
            let mut by_people: BTreeMap<Vec<i64>, Vec<Permission>> = BTreeMap::new();
            for p in Permission::all() {
                let who: Vec<i64> = self
                    .members
                    .iter()
                    .filter(|m| pick(m).contains(&p))
                    .map(|m| m.member_id)
                    .collect();
                if !who.is_empty() {
                    by_people.entry(who).or_default().push(p);
                }
            }
            let mut lines: Vec<(usize, String)> = by_people
                .into_iter()
                .map(|(who, perms)| {
                    let labels: Vec<&str> = perms.iter().map(|p| p.label()).collect();
                    let n = who.len();
                    let line = if n == 1 {
                        format!("1 member {verb_one}: {}", labels.join(", "))
                    } else {
                        format!("{n} members {verb_many}: {}", labels.join(", "))
                    };
                    (n, line)
                })
                .collect();
            lines.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
            out.extend(lines.into_iter().map(|(_, line)| line));
        }
        out
    }

    /// The whole answer in words.
    pub fn summary(&self) -> String {
        let people = |n: usize| {
            if n == 1 {
                "1 member uses it".to_string()
            } else {
                format!("{n} members use it")
            }
        };
        match (self.considered, self.members.is_empty()) {
            (0, _) => "No one uses this template yet: nobody's access changes.".to_string(),
            (n, true) => format!("{}; nobody's access changes.", people(n)),
            (n, false) => format!("{}. {}.", people(n), self.sentences().join("; ")),
        }
    }
}

#[cfg(test)]
mod impact_tests {
    use super::*;
    use crate::domain::access::{AccessInputs, GroupGrant};
    use crate::domain::Role;

    fn p(key: &str) -> Permission {
        Permission::parse(key).unwrap()
    }

    fn user(id: i64, template: Option<&str>, group: Option<&str>, direct: &[&str]) -> TemplateUser {
        let grant = |name: &str| TemplateGrant {
            name: name.into(),
            permissions: [p("analytics.view"), p("conversations.delete")].into(),
        };
        TemplateUser {
            member_id: id,
            name: format!("m{id}"),
            access: AccessInputs {
                role: Role::User,
                direct: direct.iter().map(|k| p(k)).collect(),
                template: template.map(grant),
                groups: group
                    .map(|g| GroupGrant {
                        name: "Team".into(),
                        templates: vec![grant(g)],
                    })
                    .into_iter()
                    .collect(),
            },
        }
    }

    #[test]
    fn who_gains_and_who_loses_through_their_template_or_a_group() {
        let users = vec![
            user(1, Some("Analysts"), None, &[]),
            user(2, None, Some("Analysts"), &[]),
            // Holds "delete conversations" directly: loses nothing.
            user(3, Some("Analysts"), None, &["conversations.delete"]),
        ];
        let after: BTreeSet<Permission> = [p("analytics.view"), p("analytics.manage")].into();
        let impact = template_impact(&users, "Analysts", Some(&after), None);
        assert_eq!(impact.considered, 3);
        assert_eq!(impact.members.len(), 3);
        assert_eq!(
            impact.sentences(),
            [
                "3 members gain: manage analytics and exports",
                "2 members lose: delete conversations"
            ]
        );
        assert!(impact.members[2].losses.is_empty());
        assert!(impact
            .summary()
            .starts_with("3 members use it. 3 members gain"));

        // Deleting it: its own users move to nothing, groups lose it.
        let gone = template_impact(&users, "Analysts", None, None);
        assert_eq!(gone.members[0].losses.len(), 2);
        assert_eq!(gone.members[1].losses.len(), 2);
        assert_eq!(gone.members[2].losses, [p("analytics.view")]);
        // An unchanged template changes nobody's access.
        let same: BTreeSet<Permission> = [p("analytics.view"), p("conversations.delete")].into();
        let none = template_impact(&users, "Analysts", Some(&same), None);
        assert!(none.members.is_empty());
        assert_eq!(none.summary(), "3 members use it; nobody's access changes.");
    }
}
