//! One module per page.

mod home;
mod not_found;
mod settings;
mod sign_in;

pub use home::HomePage;
pub use not_found::{ErrorPage, NotFound};
pub use settings::{RoleTemplatesPage, TenantSettingsPage, UsersPage};
pub use sign_in::SignInPage;
