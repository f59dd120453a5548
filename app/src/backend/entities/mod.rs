//! sea-orm entities, one per table (see the migrations for the schema history).

pub mod access_requests;
pub mod access_review_items;
pub mod access_reviews;
pub mod accounts;
pub mod api_keys;
pub mod audit_events;
pub mod check_decisions;
pub mod group_members;
pub mod group_templates;
pub mod groups;
pub mod invitations;
pub mod mail_outbox;
pub mod membership_permissions;
pub mod memberships;
pub mod password_resets;
pub mod rate_limits;
pub mod recovery_codes;
pub mod reset_requests;
pub mod role_template_permissions;
pub mod role_templates;
pub mod sessions;
pub mod tenant_domains;
pub mod tenant_features;
pub mod tenants;
pub mod webhook_deliveries;
pub mod webhook_endpoints;
