//! Tenant settings.

mod settings;

pub use settings::TenantSettingsPage;
