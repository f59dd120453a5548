//! Role templates.

mod page;

pub use page::RoleTemplatesPage;
