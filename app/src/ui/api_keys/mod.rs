//! Settings → API keys, and the check API's decision log.

mod decisions;
mod page;

pub use decisions::CheckDecisionsPage;
pub use page::ApiKeysPage;
