//! Page-level pieces: hydration marker, navigation, loading and error states, badges.

use crate::domain::{AppError, TenantKind};
use leptos::prelude::*;
use leptos_meta::Title;

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

/// Percent-encodes a path for use in a query string.
pub fn encode_component(value: &str) -> String {
    crate::domain::navigation::encode_query_value(value)
}

/// What a section shows while its data loads (announced to screen readers).
pub fn loading() -> impl IntoView {
    view! { <p class="loading" role="status">"Loading…"</p> }
}

#[component]
pub fn KindBadge(kind: TenantKind) -> impl IntoView {
    let class = match kind {
        TenantKind::Production => "badge badge-production",
        TenantKind::Sandbox => "badge badge-sandbox",
    };
    view! { <span class=class>{kind.label()}</span> }
}

/// Shown when a page cannot load. Says what happened in a sentence; internal
/// failures show only a reference id.
#[component]
pub fn ErrorPage(error: AppError) -> impl IntoView {
    let (title, detail) = match &error {
        AppError::Forbidden(_) => ("You don't have access to this page", error.to_string()),
        AppError::NotFound => ("Not found", error.to_string()),
        _ => ("Something went wrong", error.to_string()),
    };
    view! {
        <Title text=title />
        <section class="card error-card" role="alert">
            <h1>{title}</h1>
            <p>{detail}</p>
            <p><a href="/">"Go to the start page"</a></p>
        </section>
    }
}
