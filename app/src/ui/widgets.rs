//! Small shared pieces of UI.

use crate::domain::{AppError, TenantKind};
use leptos::prelude::*;

/// Marks `<body data-hydrated="true">` once the WASM app has taken over, so tests
/// (and CSS) can tell a hydrated page from a server-rendered one.
pub fn mark_hydrated() {
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        if let Some(body) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.body())
        {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });
}

/// A full page load of `path` (used after sign-in, sign-out and tenant switches so
/// no state of the previous identity survives in memory).
pub fn hard_navigate(path: &str) {
    #[cfg(feature = "hydrate")]
    if let Some(window) = web_sys::window() {
        let _ = window.location().set_href(path);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = path;
}

#[component]
pub fn KindBadge(kind: TenantKind) -> impl IntoView {
    let class = match kind {
        TenantKind::Production => "badge badge-production",
        TenantKind::Sandbox => "badge badge-sandbox",
    };
    view! { <span class=class>{kind.label()}</span> }
}

/// The sentence under a form: any error that is not about one field.
#[component]
pub fn FormAlert(#[prop(into)] error: Signal<Option<AppError>>) -> impl IntoView {
    view! {
        <p role="alert" class="form-alert" class:visible=move || error.get().is_some()>
            {move || {
                error
                    .get()
                    .map(|e| match e {
                        AppError::Validation(_) => "Please correct the fields marked below.".to_string(),
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
) -> impl IntoView {
    let id = format!("{field}-error");
    view! {
        <p class="field-error" id=id>
            {move || error.get().and_then(|e| e.field_message(field))}
        </p>
    }
}

/// Percent-encodes a path for use in a query string.
pub fn encode_component(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
