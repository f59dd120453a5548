//! The access engine: the one permission catalog, the inputs that decide a member's
//! access, and the one evaluation function.
//!
//! Enforcement (server functions) and explanation (diagnostics, UI previews) both call
//! [`evaluate`], so what Gatehouse enforces and what it explains cannot drift apart.

pub mod catalog;
pub mod diagnose;
pub mod evaluate;
pub mod features;
pub mod grantor;
pub mod inputs;
pub mod sign_in;

pub use catalog::{Action, Category, Permission};
pub use evaluate::{effective_permissions, evaluate, indirect_sources, Decision, GrantSource};
pub use features::{
    evaluate_feature, evaluate_permission, FeatureContext, FeatureDecision, Reason, ReasonKind,
};
pub use grantor::Grantor;
pub use inputs::{AccessInputs, GroupGrant, TemplateGrant};
