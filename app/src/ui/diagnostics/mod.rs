//! The Access diagnostics page.

mod page;

pub use page::DiagnosticsPage;
