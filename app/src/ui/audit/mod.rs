//! The Audit log page.

mod page;

pub use page::AuditLogPage;
