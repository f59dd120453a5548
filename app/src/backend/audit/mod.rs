//! The Audit log page. (Recording goes through `kernel::audit`.)

pub mod list;

pub use list::{describe, list};
