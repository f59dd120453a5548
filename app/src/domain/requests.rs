//! Access requests (seed 001: a justification for elevated access; seed 000: don't
//! hand out broader access as a workaround): wire types and their input rules.

use crate::domain::access::diagnose::Target;
use crate::domain::access::{FeatureDecision, Reason};
use crate::domain::text::parse_free_text;
use crate::domain::AppError;
use serde::{Deserialize, Serialize};

/// Longest "Why do you need it?", justification or decline note kept.
pub const MAX_REASON_CHARS: usize = 1000;

/// One way an approver can give what was asked for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApproveOption {
    /// `grant`, `crm` or `template:<id>`.
    pub key: String,
    pub label: String,
}

/// An open access request, as the approvers see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessRequestView {
    pub id: i64,
    /// Their name, or their email.
    pub requester: String,
    pub email: String,
    /// What they asked for, in words ("see analytics dashboards").
    pub what: String,
    pub target: Target,
    pub why: String,
    pub created: crate::domain::time::At,
    /// The diagnosis of what they asked for, in one sentence.
    pub verdict: String,
    /// Least privilege first; never the Admin role.
    pub options: Vec<ApproveOption>,
    /// Why the viewer can't give it (the privilege rules), if they can't.
    pub cannot_approve: Option<String>,
}

/// What a person reads on My access: every feature with its decision, the focused
/// question of a deep link, and what they have asked for already.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyAccess {
    pub tenant: String,
    pub features: Vec<FeatureDecision>,
    pub focus: Option<Focus>,
    /// Keys of the targets with an open request.
    pub requested: Vec<String>,
}

/// One verdict for a deep link (`/access?feature=…` or `?permission=…`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Focus {
    pub target: Target,
    /// Every reason, in order; none when they can.
    pub reasons: Vec<Reason>,
}

/// "Why do you need it?": optional, at most 1,000 characters.
pub fn parse_why(input: &str) -> Result<String, AppError> {
    parse_free_text(input, "why", MAX_REASON_CHARS, None)
}

/// An approval's justification: required (it goes in the audit log).
pub fn parse_justification(input: &str) -> Result<String, AppError> {
    parse_free_text(
        input,
        "justification",
        MAX_REASON_CHARS,
        Some("Say why you're approving it: the reason goes in the audit log."),
    )
}

/// A decline's note to the person: optional.
pub fn parse_note(input: &str) -> Result<String, AppError> {
    parse_free_text(input, "note", MAX_REASON_CHARS, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_are_bounded_and_a_justification_is_required() {
        assert_eq!(
            parse_why("  to run reports \u{200b}").unwrap(),
            "to run reports"
        );
        let huge = "x".repeat(10 * 1024);
        assert!(parse_why(&huge).unwrap_err().field_message("why").is_some());
        assert!(parse_justification(&huge)
            .unwrap_err()
            .field_message("justification")
            .is_some());
        assert!(parse_justification("  ")
            .unwrap_err()
            .field_message("justification")
            .is_some());
        assert!(parse_note("").unwrap().is_empty());
    }
}
