//! The Access diagnostics page.

mod page;
mod who_can;

pub use page::DiagnosticsPage;
pub use who_can::WhoCanPage;
