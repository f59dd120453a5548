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
    #[error("Something went wrong on our side. Try again; if it keeps happening, tell support what you were doing and give them this line. Reference: {0}")]
    Internal(String),
}

fn summarise(errors: &[FieldError]) -> String {
    match errors {
        [one] => one.message.clone(),
        _ => "Please correct the highlighted fields.".to_string(),
    }
}

impl AppError {
    /// The field errors of several checks that failed, as one answer (errors that
    /// are not about fields are dropped: callers pass field checks only).
    pub fn fields_of(errors: impl IntoIterator<Item = AppError>) -> AppError {
        AppError::Validation(
            errors
                .into_iter()
                .flat_map(|error| match error {
                    AppError::Validation(fields) => fields,
                    _ => Vec::new(),
                })
                .collect(),
        )
    }

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

/// What an error read back from a link (`?__err=…`, how a form posted without
/// JavaScript reports its failure) may say when the server did not sign the link
/// (see the server's `echoed_error_redirect`). Anyone can craft such a link, so
/// every sentence that carries text from the link is replaced by a fixed one: a
/// crafted link can never make a page say "call this number".
impl AppError {
    pub fn as_echoed(&self) -> AppError {
        match self {
            AppError::Unauthenticated
            | AppError::SignInRefused
            | AppError::NotFound
            | AppError::BadRequest => self.clone(),
            AppError::RateLimited { retry_after_secs } => AppError::RateLimited {
                retry_after_secs: (*retry_after_secs).clamp(1, 3600),
            },
            AppError::Forbidden(_) => AppError::Forbidden(ECHOED_FORBIDDEN.to_string()),
            AppError::Conflict(_) => AppError::Conflict(ECHOED_CONFLICT.to_string()),
            AppError::Validation(fields) => AppError::Validation(
                fields
                    .iter()
                    .filter_map(|f| {
                        echoed_field_message(&f.field).map(|m| FieldError::new(f.field.clone(), m))
                    })
                    .take(8)
                    .collect(),
            ),
            AppError::Internal(reference) => {
                let plausible = (1..=64).contains(&reference.len())
                    && reference.chars().all(|c| c.is_ascii_hexdigit() || c == '-');
                AppError::Internal(if plausible {
                    reference.clone()
                } else {
                    "unknown".to_string()
                })
            }
        }
    }
}

pub const ECHOED_FORBIDDEN: &str = "You don't have permission to do that.";
pub const ECHOED_CONFLICT: &str =
    "That couldn't be saved because something changed. Please try again.";

/// The fixed sentence shown next to a field named in an error that came through
/// a link; fields the product does not have are dropped.
fn echoed_field_message(field: &str) -> Option<&'static str> {
    Some(match field {
        "email" => "Check the email address and try again.",
        "password" | "new_password" | "current_password" => "Check the password and try again.",
        "confirm" => "Check that both passwords match.",
        "code" => "That code didn't work. Enter the newest code from your app, or a recovery code.",
        "display_name" | "name" => "Check the name and try again.",
        "tenant_name" => "Check the tenant name and try again.",
        "reassign_to" => "Choose a role template to move its members to.",
        "status" | "role" | "template" | "permissions" => "Check this choice and try again.",
        _ => return None,
    })
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
    fn errors_from_links_show_only_fixed_sentences() {
        let crafted = [
            AppError::Forbidden("Your account is frozen. Call +1 555 0100.".into()),
            AppError::Conflict("Call +1 555 0100.".into()),
            AppError::Internal("call +1 555 0100".into()),
            AppError::Validation(vec![
                FieldError::new("email", "Call +1 555 0100."),
                FieldError::new("<script>", "Call +1 555 0100."),
            ]),
            AppError::Validation(vec![FieldError::new("password", "Call +1 555 0100.")]),
        ];
        for error in crafted {
            let shown = error.as_echoed();
            assert!(!shown.to_string().contains("555"), "{shown}");
            assert_eq!(shown.status_code(), error.status_code());
            for field in ["email", "password", "<script>"] {
                let message = shown.field_message(field).unwrap_or_default();
                assert!(!message.contains("555"), "{message}");
            }
            assert_eq!(shown.field_message("<script>"), None);
            // A fixed point: echoing twice changes nothing more.
            assert_eq!(shown.as_echoed(), shown);
        }
        assert_eq!(
            AppError::Internal("a1b2c3d4e5f6".into()).as_echoed(),
            AppError::Internal("a1b2c3d4e5f6".into())
        );
        assert_eq!(AppError::SignInRefused.as_echoed(), AppError::SignInRefused);
        assert_eq!(
            AppError::RateLimited {
                retry_after_secs: u64::MAX
            }
            .as_echoed(),
            AppError::RateLimited {
                retry_after_secs: 3600
            }
        );
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
