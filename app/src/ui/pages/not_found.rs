//! The 404 page and the friendly error page.

use crate::domain::AppError;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
        res.set_status(axum::http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text="Page not found" />
        <main class="auth-page" id="main">
            <section class="auth-card">
                <h1>"Page not found"</h1>
                <p>"There is no page at this address. It may have moved, or the link may be mistyped."</p>
                <p><a class="btn btn-primary" href="/">"Go to the start page"</a></p>
            </section>
        </main>
    }
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
