//! One module per page.

mod account;
mod audit;
mod home;
mod invite;
mod not_found;
mod recovery;
mod settings;
mod sign_in;
mod templates;
mod two_factor;
mod users;

pub use account::AccountPage;
pub use audit::AuditLogPage;
pub use home::HomePage;
pub use invite::AcceptInvitePage;
pub use not_found::{ErrorPage, NotFound};
pub use recovery::{ForgotPasswordPage, ResetPasswordPage};
pub use settings::TenantSettingsPage;
pub use sign_in::SignInPage;
pub use templates::RoleTemplatesPage;
pub use two_factor::{RequiredSetupPage, TwoFactorSignInPage};
pub use users::UsersPage;
