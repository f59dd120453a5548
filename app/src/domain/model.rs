//! Enumerations of the data model, shared by the database layer and the UI.

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! string_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $text:literal / $label:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The value stored in the database and sent on the wire.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            /// The word shown to people.
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }

            pub fn parse(value: &str) -> Option<Self> {
                match value { $($text => Some($name::$variant),)+ _ => None }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.label())
            }
        }
    };
}

string_enum!(
    /// The baseline level of access of a membership.
    Role { Admin => "admin" / "Admin", User => "user" / "User" }
);

string_enum!(
    /// Where a membership is in its lifecycle.
    MembershipStatus {
        Invited => "invited" / "Invited",
        Active => "active" / "Active",
        Suspended => "suspended" / "Suspended",
    }
);

string_enum!(
    /// Whether a tenant holds real data or is a place to try things.
    TenantKind { Production => "production" / "Production", Sandbox => "sandbox" / "Sandbox" }
);

string_enum!(
    /// A tenant's subscription tier.
    Plan {
        Free => "free" / "Free",
        Team => "team" / "Team",
        Business => "business" / "Business",
        Enterprise => "enterprise" / "Enterprise",
    }
);

string_enum!(
    /// Capabilities that only some plans include.
    PlanFeature {
        DataWarehouse => "data_warehouse" / "Data warehouse",
        AdvancedAnalytics => "advanced_analytics" / "Advanced analytics",
        CustomDomains => "custom_domains" / "Custom domains",
        ApiKeys => "api_keys" / "API keys",
        Webhooks => "webhooks" / "Webhooks",
    }
);

string_enum!(
    /// A tenant's switches for parts of the product (Settings → Feature flags). A
    /// beta flag also needs the person's beta access.
    Flag {
        Cases => "cases" / "Cases",
        Experiments => "experiments" / "Experiments",
        AiReplySuggestions => "ai_reply_suggestions" / "AI reply suggestions",
    }
);

impl Flag {
    /// One line on what turning it on does.
    pub fn description(self) -> &'static str {
        match self {
            Flag::Cases => "Track customer issues as cases, with owners and due dates.",
            Flag::Experiments => "Run A/B experiments on messages and flows.",
            Flag::AiReplySuggestions => {
                "Suggest replies in conversations. Beta: only people with beta access see it."
            }
        }
    }

    /// Whether only people with beta access get it, even when it is on.
    pub fn is_beta(self) -> bool {
        matches!(self, Flag::AiReplySuggestions)
    }
}

string_enum!(
    /// Every part of the product that Gatehouse guards.
    Feature {
        Conversations => "conversations" / "Conversations",
        Crm => "crm" / "CRM",
        Cases => "cases" / "Cases",
        AnalyticsDashboards => "analytics_dashboards" / "Analytics dashboards",
        AdvancedAnalytics => "advanced_analytics" / "Advanced analytics",
        DataWarehouse => "data_warehouse" / "Data warehouse",
        CustomDomains => "custom_domains" / "Custom domains",
        ApiKeys => "api_keys" / "API keys",
        Webhooks => "webhooks" / "Webhooks",
        Experiments => "experiments" / "Experiments",
        AiReplySuggestions => "ai_reply_suggestions" / "AI reply suggestions",
    }
);

impl Plan {
    /// Seats a new tenant on this plan gets unless an operator sets another limit.
    pub fn default_seat_limit(self) -> i64 {
        match self {
            Plan::Free => 5,
            Plan::Team => 25,
            Plan::Business => 100,
            Plan::Enterprise => 1_000_000,
        }
    }

    /// Whether this plan includes the feature.
    pub fn includes(self, feature: PlanFeature) -> bool {
        use PlanFeature::*;
        match self {
            Plan::Free => false,
            Plan::Team => matches!(feature, ApiKeys | Webhooks),
            Plan::Business => !matches!(feature, DataWarehouse),
            Plan::Enterprise => true,
        }
    }

    /// The cheapest plan that includes the feature.
    pub fn cheapest_with(feature: PlanFeature) -> Plan {
        Plan::ALL
            .iter()
            .copied()
            .find(|p| p.includes(feature))
            .unwrap_or(Plan::Enterprise)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_every_value() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(*r));
        }
        for s in MembershipStatus::ALL {
            assert_eq!(MembershipStatus::parse(s.as_str()), Some(*s));
        }
        for k in TenantKind::ALL {
            assert_eq!(TenantKind::parse(k.as_str()), Some(*k));
        }
        for p in Plan::ALL {
            assert_eq!(Plan::parse(p.as_str()), Some(*p));
        }
        assert_eq!(Role::parse("Admin"), None);
        assert_eq!(MembershipStatus::parse(""), None);
    }

    #[test]
    fn plans_grow_monotonically() {
        for f in PlanFeature::ALL {
            let mut seen = false;
            for p in Plan::ALL {
                if seen {
                    assert!(p.includes(*f), "{p:?} lost {f:?}");
                }
                seen |= p.includes(*f);
            }
            assert!(Plan::cheapest_with(*f).includes(*f));
        }
        assert_eq!(
            Plan::cheapest_with(PlanFeature::DataWarehouse),
            Plan::Enterprise
        );
        assert_eq!(Plan::cheapest_with(PlanFeature::Webhooks), Plan::Team);
    }
}
