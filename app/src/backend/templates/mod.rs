//! Role templates: named, reusable permission sets of a tenant.

pub mod edit;
pub mod impact;
pub mod list;
pub mod roles;

pub use edit::{delete, references, save};
pub use impact::{preview_delete, preview_save};
pub use list::list;
