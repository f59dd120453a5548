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

/// The link to `path` with these filters (empty ones left out) and, for a page of
/// older rows, `before`: how filtered logs page with GET links.
pub fn filtered_href(path: &str, filters: &[(&str, &str)], before: Option<i64>) -> String {
    let mut parts: Vec<String> = filters
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", encode_component(v)))
        .collect();
    parts.extend(before.map(|id| format!("before={id}")));
    format!("{path}?{}", parts.join("&"))
}

/// What a section shows while its data loads: grey skeleton lines where the rows
/// will be (so the page doesn't jump), and "Loading…" for screen readers.
pub fn loading() -> impl IntoView {
    view! {
        <div class="skeleton" role="status">
            <span class="visually-hidden">"Loading…"</span>
            <span class="skeleton-line" aria-hidden="true"></span>
            <span class="skeleton-line" aria-hidden="true"></span>
            <span class="skeleton-line" aria-hidden="true"></span>
            <span class="skeleton-line" aria-hidden="true"></span>
        </div>
    }
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
// Component props are passed by value.
#[allow(clippy::needless_pass_by_value)]
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

/// The narrow centred card of the pages a person sees before signing in.
#[component]
pub fn AuthCard(
    /// The id of the heading that names the card.
    #[prop(optional)]
    labelled_by: Option<&'static str>,
    /// A wider card (for the two-factor set-up).
    #[prop(optional)]
    wide: bool,
    children: Children,
) -> impl IntoView {
    view! {
        <main class="auth-page" id="main">
            <section class=if wide { "auth-card auth-card-wide" } else { "auth-card" } aria-labelledby=labelled_by>
                <p class="brand brand-large">"Gatehouse"</p>
                {children()}
            </section>
        </main>
    }
}

/// The page behind an emailed link (`/invite/<token>`, `/reset/<token>`): loads what
/// the link is for before rendering (so it works without JavaScript), and says in
/// words why a link can't be used, with the way back.
#[component]
pub fn TokenPage<T, F, V>(
    details: Resource<Result<T, AppError>>,
    /// The heading when the link can't be used.
    refused: &'static str,
    back_href: &'static str,
    back_label: &'static str,
    /// The page for a usable link.
    content: F,
) -> impl IntoView
where
    T: Clone + Send + Sync + serde::Serialize + serde::de::DeserializeOwned + 'static,
    F: Fn(T) -> V + Clone + Send + Sync + 'static,
    V: IntoView + 'static,
{
    view! {
        <AuthCard>
            <Suspense fallback=loading>
                {move || {
                    let content = content.clone();
                    Suspend::new(async move {
                        match details.await {
                            Err(e) => view! {
                                <h1>{refused}</h1>
                                <p role="alert" class="form-alert visible">{e.to_string()}</p>
                                <p><a href=back_href>{back_label}</a></p>
                            }.into_any(),
                            Ok(d) => content(d).into_any(),
                        }
                    })
                }}
            </Suspense>
        </AuthCard>
    }
}

/// A secret shown this once (an API key, a signing secret): its title and what to
/// do with it, the value in a read-only field to copy, and "I've copied it".
#[component]
pub fn ShownOnce(
    /// Ids inside the panel start with this.
    id: &'static str,
    title: String,
    text: String,
    label: &'static str,
    value: String,
    on_done: Callback<()>,
) -> impl IntoView {
    let title_id = format!("{id}-title");
    let value_id = format!("{id}-value");
    let labelled_by = title_id.clone();
    view! {
        <section class="card new-secret" role="region" aria-labelledby=labelled_by>
            <h2 id=title_id>{title}</h2>
            <p>{text}</p>
            <label for=value_id.clone()>{label}</label>
            <input id=value_id.clone() class="secret" readonly value=value
                data-testid=id spellcheck="false" autocomplete="off" />
            <button type="button" class="btn btn-primary" on:click=move |_| on_done.run(())>"I've copied it"</button>
        </section>
    }
}
