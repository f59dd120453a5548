//! The one error type every server function returns.
//!
//! Each variant maps to an HTTP status and to a sentence a person can act on.
//! `Internal` carries only an opaque reference id; the cause is logged on the server.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    /// The form field's name, e.g. `email`.
    pub field: String,
    /// A sentence to show next to the field.
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("Please sign in to continue.")]
    Unauthenticated,
    /// Every refused sign-in, whatever the reason, so nobody can learn which emails
    /// have accounts or which accounts are suspended.
    #[error("That email and password don't match an account that can sign in. Check both and try again.")]
    SignInRefused,
    #[error("{0}")]
    Forbidden(String),
    #[error("We couldn't find that. It may have been removed.")]
    NotFound,
    #[error("{0}")]
    Conflict(String),
    #[error("{}", summarise(.0))]
    Validation(Vec<FieldError>),
    #[error("Too many attempts. Please wait {retry_after_secs} seconds and try again.")]
    RateLimited { retry_after_secs: u64 },
    #[error("The request could not be understood. Please reload the page and try again.")]
    BadRequest,
    #[error("Something went wrong on our side. If it keeps happening, give support this reference: {0}.")]
    Internal(String),
}

fn summarise(errors: &[FieldError]) -> String {
    match errors {
        [one] => one.message.clone(),
        _ => "Please correct the highlighted fields.".to_string(),
    }
}

impl AppError {
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        AppError::Validation(vec![FieldError::new(field, message)])
    }

    /// The message for one field, if this is a validation error naming it.
    pub fn field_message(&self, field: &str) -> Option<String> {
        match self {
            AppError::Validation(errors) => errors
                .iter()
                .find(|e| e.field == field)
                .map(|e| e.message.clone()),
            _ => None,
        }
    }

    pub fn status_code(&self) -> u16 {
        match self {
            AppError::Unauthenticated | AppError::SignInRefused => 401,
            AppError::Forbidden(_) => 403,
            AppError::NotFound => 404,
            AppError::Conflict(_) => 409,
            AppError::Validation(_) | AppError::BadRequest => 400,
            AppError::RateLimited { .. } => 429,
            AppError::Internal(_) => 500,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Args(_)
            | ServerFnErrorErr::MissingArg(_)
            | ServerFnErrorErr::Deserialization(_) => AppError::BadRequest,
            ServerFnErrorErr::Request(_) | ServerFnErrorErr::Response(_) => {
                AppError::Internal("network: the server could not be reached".to_string())
            }
            _ => AppError::Internal("unexpected".to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_match_kinds() {
        assert_eq!(AppError::Unauthenticated.status_code(), 401);
        assert_eq!(AppError::Forbidden("x".into()).status_code(), 403);
        assert_eq!(AppError::NotFound.status_code(), 404);
        assert_eq!(AppError::Conflict("x".into()).status_code(), 409);
        assert_eq!(AppError::field("email", "bad").status_code(), 400);
        assert_eq!(
            AppError::RateLimited {
                retry_after_secs: 3
            }
            .status_code(),
            429
        );
        assert_eq!(AppError::Internal("abc".into()).status_code(), 500);
    }

    #[test]
    fn framework_errors_never_leak_detail() {
        let e = AppError::from_server_fn_error(ServerFnErrorErr::Deserialization(
            "missing field `password` at line 1".into(),
        ));
        assert_eq!(e, AppError::BadRequest);
        assert!(!e.to_string().contains("password"));
        let e = AppError::from_server_fn_error(ServerFnErrorErr::ServerError("SQL syntax".into()));
        assert!(!e.to_string().contains("SQL"));
    }

    #[test]
    fn field_messages_are_found_by_name() {
        let e = AppError::Validation(vec![
            FieldError::new("email", "Enter an email address."),
            FieldError::new("password", "Enter your password."),
        ]);
        assert_eq!(
            e.field_message("password").as_deref(),
            Some("Enter your password.")
        );
        assert_eq!(e.field_message("name"), None);
        assert_eq!(e.to_string(), "Please correct the highlighted fields.");
        assert_eq!(AppError::field("email", "Nope.").to_string(), "Nope.");
    }
}
