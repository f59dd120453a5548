//! Settings → Access reviews (admins): the review settings, "Start review", the
//! reviews so far; one review's members with a decision each, "Complete review",
//! and the record with its CSV. Every form is a plain form too.

mod page;
mod review;

pub use page::AccessReviewsPage;
pub use review::AccessReviewPage;
