//! Role templates.

mod page;
mod roles;

pub use page::RoleTemplatesPage;
pub use roles::RolesOverviewPage;
