//! Form pieces: the alert under a form, the message next to a field, and the
//! signals that feed them from a server action.

use crate::domain::AppError;
use leptos::prelude::*;

/// The sentence under a form: any error that is not about one field.
#[component]
pub fn FormAlert(#[prop(into)] error: Signal<Option<AppError>>) -> impl IntoView {
    view! {
        <p role="alert" class="form-alert" class:visible=move || error.get().is_some()>
            {move || {
                error
                    .get()
                    .map(|e| match e {
                        AppError::Validation(_) => "Please correct the marked fields.".to_string(),
                        other => other.to_string(),
                    })
            }}
        </p>
    }
}

/// The message next to a field, when the last answer named it.
#[component]
pub fn FieldMessage(
    #[prop(into)] error: Signal<Option<AppError>>,
    field: &'static str,
    #[prop(default = "")] prefix: &'static str,
) -> impl IntoView {
    let id = format!("{prefix}{field}-error");
    view! {
        <p class="field-error" id=id>
            {move || error.get().and_then(|e| e.field_message(field))}
        </p>
    }
}

/// The error of an action's last answer, if it failed: what forms show next to
/// their fields and in their alert.
pub fn error_of<T: Clone + Send + Sync + 'static>(
    value: impl Fn() -> Option<Result<T, AppError>> + Send + Sync + 'static,
) -> Signal<Option<AppError>> {
    Signal::derive(move || value().and_then(|r| r.err()))
}

/// `aria-invalid` for a field: "true" when the last answer named it.
pub fn invalid_attr(
    error: Signal<Option<AppError>>,
    field: &'static str,
) -> impl Fn() -> String + Send + Sync + Clone + 'static {
    move || {
        error
            .get()
            .and_then(|e| e.field_message(field))
            .is_some()
            .to_string()
    }
}

/// A server action whose answer is the path to open next, with its error signal:
/// once it succeeds the browser goes there (after hydration; before it, the server
/// answers the plain form with a redirect).
pub fn navigating_action<A>() -> (ServerAction<A>, Signal<Option<AppError>>)
where
    A: leptos::server_fn::ServerFn<Output = String, Error = AppError>
        + Clone
        + Send
        + Sync
        + 'static,
{
    let action = ServerAction::<A>::new();
    let error = error_of(move || action.value().get());
    Effect::new(move |_| {
        if let Some(Ok(path)) = action.value().get() {
            super::hard_navigate(&path);
        }
    });
    (action, error)
}
