//! Signing in and out, sessions, two-factor and password recovery.

pub mod recovery;
pub mod session;
pub mod sign_in;
pub mod two_factor;
