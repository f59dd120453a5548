//! The kernel: what every feature may use, importing no feature itself.
//!
//! - `actor`: the person behind a request, resolved from the session.
//! - `directory`: lookups of accounts, tenants, memberships and seats.
//! - `policy`: the one permission check (calls the domain's `evaluate`).
//! - `credentials`, `second_factor`: passwords, re-authentication with the lock
//!   check, failure counting, two-factor codes.
//! - `sign_in_group`: group-restricted sign-in, asked at every door into a tenant.
//! - `tokens`: single-use hashed links (invitations, resets).
//! - `audit`: the audit trail.
//! - Infrastructure: `db`, `clock`, `crypto`, `mail`, `passwords` (argon2id),
//!   `request`, `sessions`, `state`, `throttle`, `totp`.

pub mod actor;
pub mod audit;
pub mod clock;
pub mod credentials;
pub mod crypto;
pub mod csv_out;
pub mod db;
pub mod device;
pub mod directory;
pub mod dkim;
pub mod like;
pub mod mail;
pub mod passwords;
pub mod policy;
pub mod request;
pub mod second_factor;
pub mod sessions;
pub mod sign_in_group;
pub mod state;
pub mod stored;
pub mod temporary;
pub mod throttle;
pub mod tokens;
pub mod totp;
pub mod webhook_outbox;
