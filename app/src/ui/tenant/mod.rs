//! Tenant settings.

mod flags;
mod settings;

pub use flags::FeatureFlagsPage;
pub use settings::TenantSettingsPage;
