//! sea-orm entities, one per table (see the migrations for the schema history).

pub mod accounts;
pub mod tenants;
pub mod tenant_features;
pub mod role_templates;
pub mod role_template_permissions;
pub mod memberships;
pub mod membership_permissions;
pub mod groups;
pub mod group_members;
pub mod group_templates;
pub mod invitations;
pub mod password_resets;
pub mod sessions;
pub mod recovery_codes;
pub mod access_requests;
pub mod mail_outbox;
pub mod rate_limits;
pub mod audit_events;
