//! Signing in (password and code steps), the required two-factor set-up, forgot
//! password and the reset page.

mod recovery;
mod sign_in;
pub mod totp;
mod two_factor;

pub use recovery::{ForgotPasswordPage, ResetPasswordPage};
pub use sign_in::SignInPage;
pub use two_factor::{RequiredSetupPage, TwoFactorSignInPage};
