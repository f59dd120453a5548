//! Pure domain: types, rules and evaluation shared by the server and the WASM client.
//! Nothing in here performs I/O.

pub mod access;
pub mod account;
pub mod api_keys;
pub mod audit;
pub mod auth;
pub mod decisions;
pub mod diagnostics;
pub mod email;
pub mod error;
pub mod groups;
pub mod imports;
pub mod members;
pub mod model;
pub mod navigation;
pub mod password;
pub mod requests;
pub mod reviews;
pub mod roles;
#[cfg(feature = "ssr")]
pub mod scim;
pub mod spreadsheet;
pub mod templates;
pub mod tenant;
pub mod text;
pub mod time;
pub mod webhooks;

pub use email::Email;
pub use error::{AppError, FieldError};
pub use model::{Feature, Flag, MembershipStatus, Plan, PlanFeature, Role, TenantKind};
pub use navigation::safe_redirect_target;
