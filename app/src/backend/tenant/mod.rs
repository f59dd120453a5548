//! The tenant itself: creation with its first admin, and its settings.

pub mod create;
pub mod flags;
pub mod operator;
pub mod provisioning;
pub mod sandbox;
pub mod settings;

pub use create::{create_tenant_with_admin, NewTenantWithAdmin};
pub use settings::{set_require_admin_two_factor, set_sign_in_group, tenant_overview};
