//! My account.

mod page;

pub use page::AccountPage;
