//! Role templates: named, reusable permission sets of a tenant.

pub mod edit;
pub mod list;

pub use edit::{delete, references, save};
pub use list::list;
