//! Tenant settings.

mod flags;
mod provisioning;
mod settings;

pub use flags::FeatureFlagsPage;
pub use settings::TenantSettingsPage;
