//! My account: the signed-in person's own profile, password, workspaces and sessions.
//! Everything here acts on the actor's own account only; a session id of anyone
//! else answers exactly like one that does not exist.

pub mod operator;
pub mod password;
pub mod profile;
pub mod sessions;

pub use password::change_password;
pub use profile::{overview, set_color_scheme, update_profile};
pub use sessions::{end_other_sessions, end_session};
