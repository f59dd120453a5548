//! Settings → Groups.

mod page;

pub use page::GroupsPage;
