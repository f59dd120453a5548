//! My access and Settings → Access requests.

mod my_access;
mod page;

pub use my_access::{request_action, AccessExplanation, FeatureList, MyAccessPage};
pub use page::AccessRequestsPage;
