//! Settings → Webhooks, and each endpoint's deliveries.

mod page;

pub use page::{WebhookDeliveriesPage, WebhooksPage};
