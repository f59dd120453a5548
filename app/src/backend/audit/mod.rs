//! The Audit log page and a member's activity timeline. (Recording goes through
//! `kernel::audit`.)

pub mod activity;
pub mod export;
pub mod list;

pub use activity::activity;
pub use list::{list, search};
