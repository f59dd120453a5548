//! Settings → API keys.

mod page;

pub use page::ApiKeysPage;
