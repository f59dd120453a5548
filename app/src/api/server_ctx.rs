//! Glue between a server function and the request it runs in.

use crate::backend::kernel::actor::{current_actor, Actor, RequestActor};
use crate::backend::kernel::request::RequestMeta;
use crate::backend::{internal, AppState};
use crate::domain::AppError;
use axum::extract::ConnectInfo;
use axum::http::{header, request::Parts};
use leptos::prelude::*;
use leptos_axum::ResponseOptions;
use std::net::SocketAddr;

pub fn state() -> Result<AppState, AppError> {
    use_context::<AppState>().ok_or_else(|| internal("AppState missing from context"))
}

fn parts() -> Result<Parts, AppError> {
    use_context::<Parts>().ok_or_else(|| internal("request parts missing from context"))
}

pub fn meta(state: &AppState) -> Result<RequestMeta, AppError> {
    let parts = parts()?;
    let peer = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    let ip = crate::backend::kernel::request::client_ip(
        peer,
        &parts.headers,
        &state.settings.trusted_proxies,
    )
    .map(|ip| ip.to_string());
    Ok(RequestMeta::from_headers(
        &parts.headers,
        ip,
        state.settings.session_cookie_name(),
    ))
}

/// Whether the browser posted a plain HTML form (no JavaScript yet): then the
/// framework answers with a redirect and we must not replace its status.
pub fn is_plain_form_post() -> bool {
    use_context::<Parts>()
        .and_then(|p| {
            p.headers
                .get(header::ACCEPT)
                .and_then(|v| v.to_str().ok())
                .map(|a| a.contains("text/html"))
        })
        .unwrap_or(false)
}

/// The signed-in actor, plus state and request facts.
pub async fn actor() -> Result<(AppState, RequestMeta, Actor), AppError> {
    let state = state()?;
    let meta = meta(&state)?;
    // Resolved once per request: the middleware may have done it already.
    let resolved = parts()?.extensions.get::<RequestActor>().cloned();
    let actor = match resolved {
        Some(once) => once.get(&state, &meta).await?,
        None => current_actor(&state, &meta).await?,
    };
    Ok((state, meta, actor))
}

pub fn set_session_cookie(state: &AppState, token: &str) {
    let settings = &state.settings;
    let secure = if settings.secure_cookies() {
        "; Secure"
    } else {
        ""
    };
    let cookie = format!(
        "{}={}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{}",
        settings.session_cookie_name(),
        token,
        settings.session_absolute_secs,
        secure
    );
    append_cookie(&cookie);
}

pub fn clear_session_cookie(state: &AppState) {
    let settings = &state.settings;
    let secure = if settings.secure_cookies() {
        "; Secure"
    } else {
        ""
    };
    let cookie = format!(
        "{}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{}",
        settings.session_cookie_name(),
        secure
    );
    append_cookie(&cookie);
}

fn append_cookie(cookie: &str) {
    if let (Some(res), Ok(value)) = (
        use_context::<ResponseOptions>(),
        header::HeaderValue::from_str(cookie),
    ) {
        res.append_header(header::SET_COOKIE, value);
    }
}

/// Only relative, same-origin paths are accepted as a place to go after sign-in.
pub fn safe_next(next: Option<&str>) -> String {
    crate::domain::safe_redirect_target(next)
}

/// Where the browser goes once the password was accepted: the target, or the
/// two-factor step (carrying the target along).
pub fn path_after(next: crate::backend::kernel::credentials::NextStep, target: &str) -> String {
    use crate::backend::kernel::credentials::NextStep;
    let carry = |page: &str| {
        if target == "/" {
            page.to_string()
        } else {
            format!(
                "{page}?next={}",
                crate::domain::navigation::encode_query_value(target)
            )
        }
    };
    match next {
        NextStep::Done => target.to_string(),
        NextStep::TwoFactor => carry("/sign-in/two-factor"),
        NextStep::EnrolTwoFactor => carry("/sign-in/set-up-two-factor"),
    }
}

/// Sets the cookie and, for a plain form post, redirects; answers the path either way.
pub fn signed_in_response(
    state: &AppState,
    signed_in: &crate::backend::kernel::credentials::SignedIn,
    target: &str,
) -> String {
    set_session_cookie(state, &signed_in.token);
    let path = path_after(signed_in.next, target);
    if is_plain_form_post() {
        leptos_axum::redirect(&path);
    }
    path
}
