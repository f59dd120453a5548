//! The one permission catalog: every `category.action` with its plain-language label.

use serde::{Deserialize, Serialize};
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
