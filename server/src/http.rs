//! The axum application: pages, server functions, health check and the security
//! middleware every response passes through.

use app::backend::kernel::actor::RequestActor;
use app::backend::kernel::request::RequestMeta;
use app::backend::AppState;
use app::domain::AppError;
use app::{shell, App};
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use leptos::prelude::{provide_context, use_context};
use leptos_axum::{generate_route_list, AxumRouteListing, LeptosRoutes};
use std::sync::{Arc, OnceLock};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::limit::RequestBodyLimitLayer;

/// Largest request body accepted (forms and server-function calls are small).
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// The app's routes, worked out once per process. Working them out renders the whole
/// app with every resource held back by a process-wide switch
/// (`leptos_server::SuppressResourceLoad`), and a resource that first runs while the
/// switch is on waits for ever (leptos issue 4773): a second router built beside a
/// live one (the tests build one per test) used to leave a page now and then with a
/// body that never ended.
pub fn route_list() -> Vec<AxumRouteListing> {
    static ROUTES: OnceLock<Vec<AxumRouteListing>> = OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

pub fn build_router(state: AppState) -> Router {
    let routes = route_list();
    let context_state = state.clone();
    let fallback_state = state.clone();
    let options = state.leptos_options.clone();
    let limiter = Arc::new(crate::v1::Limiter::new(
        state.settings.api_requests_per_key_per_minute,
    ));
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .merge(crate::v1::routes(limiter.clone()))
        .merge(crate::scim::routes(limiter))
        .merge(crate::files::routes())
        .leptos_routes_with_context(
            &state,
            routes,
            move || page_context(&context_state),
            move || shell(options.clone()),
        )
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(move || page_context(&fallback_state), shell))
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(middleware::from_fn_with_state(state.clone(), guard))
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        // The import upload: the same guard, room for its file.
        .merge(
            crate::files::upload_routes()
                .layer(CatchPanicLayer::custom(panic_response))
                .layer(middleware::from_fn_with_state(state.clone(), guard))
                .layer(RequestBodyLimitLayer::new(crate::files::UPLOAD_BODY_BYTES)),
        )
        .layer(middleware::from_fn_with_state(state.clone(), trace_request))
        .with_state(state)
}

/// What every page render gets besides leptos_axum's own: the state, and the page's
/// script nonce handed back to [`guard`] through the request's [`PageNonce`].
fn page_context(state: &AppState) {
    provide_context(state.clone());
    let nonce = leptos::nonce::use_nonce();
    let slot = use_context::<axum::http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<PageNonce>().cloned());
    if let (Some(nonce), Some(slot)) = (nonce, slot) {
        let _ = slot.0.set(nonce.to_string());
    }
}

/// The nonce leptos_axum made for a page's inline scripts, as the page render saw it.
/// [`guard`] writes the page's Content-Security-Policy from it once the response's
/// head is ready. (The policy used to be set from the shell through
/// `ResponseOptions`; now and then a page went out without it and never hydrated.)
#[derive(Clone, Default)]
struct PageNonce(Arc<OnceLock<String>>);

/// A page's policy: its own files, its own inline scripts (by nonce), and WASM.
fn page_csp(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; style-src 'self'; \
         img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; \
         frame-ancestors 'none'; form-action 'self'"
    )
}

/// Liveness: the process answers (whatever the database does; see `/readyz`).
async fn healthz() -> Response {
    (StatusCode::OK, "ok").into_response()
}

/// Readiness: 200 only when the database answers and its schema is this build's;
/// else 503 with the reason. Answers within a second even when the database does not.
async fn readyz(State(state): State<AppState>) -> Response {
    use app::backend::kernel::db::Schema;
    let verdict = tokio::time::timeout(std::time::Duration::from_secs(1), state.db.schema()).await;
    let (status, reason) = match verdict {
        Ok(Ok(Schema::Current)) => (StatusCode::OK, "ready".to_string()),
        Ok(Ok(Schema::Behind(n))) => (
            StatusCode::SERVICE_UNAVAILABLE,
            format!("database schema is {n} migration(s) behind: run gatehouse migrate"),
        ),
        Ok(Ok(Schema::Newer(_))) => (
            StatusCode::SERVICE_UNAVAILABLE,
            "database schema is newer than this server".to_string(),
        ),
        Ok(Err(_)) => (
            StatusCode::SERVICE_UNAVAILABLE,
            "database unreachable".to_string(),
        ),
        Err(_) => (
            StatusCode::SERVICE_UNAVAILABLE,
            "database did not answer within 1 second".to_string(),
        ),
    };
    let mut res = (status, reason).into_response();
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

/// Gives every request an id (a trusted proxy's `X-Request-Id`, else a fresh one):
/// in the request's extensions and task (for "Reference: …"), on its log lines (a
/// tracing span), in the answer's `X-Request-Id`; and counts it in the metrics by
/// matched route, method and status, with its latency.
async fn trace_request(
    State(state): State<AppState>,
    mut request: Request<Body>,
    next: Next,
) -> Response {
    use app::backend::kernel::request::{RequestId, REQUEST_ID};
    use tracing::Instrument;
    let peer = request
        .extensions()
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip());
    let from_proxy = peer.is_some_and(|ip| state.settings.trusted_proxies.contains(&ip));
    let sent = request
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|_| from_proxy);
    let id = RequestId::from_proxy(sent);
    request.extensions_mut().insert(id.clone());
    let route = request
        .extensions()
        .get::<axum::extract::MatchedPath>()
        .map(|m| m.as_str().to_string())
        .unwrap_or_else(|| "other".to_string());
    let method = request.method().clone();
    // The matched route ("/invite/{token}"), never the path: paths carry invitation
    // and reset tokens, which must never reach a log.
    let span = tracing::info_span!("request", id = %id.0, method = %method, route = %route);
    let started = std::time::Instant::now();
    let mut res = REQUEST_ID
        .scope(id.clone(), next.run(request).instrument(span.clone()))
        .await;
    let elapsed = started.elapsed();
    let status = res.status();
    span.in_scope(|| {
        if status.is_server_error() {
            tracing::warn!(
                status = status.as_u16(),
                ms = elapsed.as_millis() as u64,
                "answered with a server error"
            );
        } else {
            tracing::debug!(
                status = status.as_u16(),
                ms = elapsed.as_millis() as u64,
                "answered"
            );
        }
    });
    let labels = [
        ("route", route),
        ("method", method.to_string()),
        ("status", status.as_u16().to_string()),
    ];
    metrics::counter!("gatehouse_http_requests_total", &labels).increment(1);
    metrics::histogram!("gatehouse_http_request_duration_seconds", &labels)
        .record(elapsed.as_secs_f64());
    if let Ok(value) = HeaderValue::from_str(&id.0) {
        res.headers_mut().insert("x-request-id", value);
    }
    res
}

fn origin_of(url: &str) -> String {
    let mut parts = url.splitn(4, '/');
    let scheme = parts.next().unwrap_or_default();
    let _ = parts.next();
    let host = parts.next().unwrap_or_default();
    format!("{scheme}//{host}")
}

/// Whether a state-changing request comes from this site. Browsers send
/// `Sec-Fetch-Site` (and `Origin` on every POST); a request with neither is refused.
pub fn is_same_site(headers: &HeaderMap, public_url: &str) -> bool {
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return site == "same-origin" || site == "none";
    }
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    if origin == origin_of(public_url) {
        return true;
    }
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    !host.is_empty() && (origin == format!("http://{host}") || origin == format!("https://{host}"))
}

pub(crate) fn error_response(error: &AppError) -> Response {
    let status =
        StatusCode::from_u16(error.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let body = serde_json::to_string(error).unwrap_or_default();
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

/// What a request whose handler panicked gets: the usual sentence with a reference
/// id (the panic is logged under it), never a dropped connection or a trace.
// The signature is the one CatchPanicLayer calls.
#[allow(clippy::needless_pass_by_value)]
pub fn panic_response(panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let cause = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("a panic without a message");
    error_response(&app::backend::internal(format!("panic: {cause}")))
}

fn refuse_cross_site() -> Response {
    error_response(&AppError::Forbidden(
        "This request came from another site, so it was refused. Reload the page and try again."
            .into(),
    ))
}

/// Every server function but the anonymous ones needs a live session; this refuses
/// the rest before any of their code runs. The function reads the same resolution
/// (`RequestActor`): the session is looked up once per request.
async fn require_session(
    state: &AppState,
    headers: &HeaderMap,
    once: RequestActor,
) -> Result<app::backend::kernel::actor::Actor, AppError> {
    let meta = RequestMeta::from_headers(headers, None, state.settings.session_cookie_name());
    once.get(state, &meta).await
}

/// Whether a server function answered "forbidden": status 403, or for a form posted
/// without JavaScript, a redirect back carrying that error in its link.
fn is_refusal(res: &Response) -> bool {
    if res.status() == StatusCode::FORBIDDEN {
        return true;
    }
    let Some(location) = res
        .headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    QueryPairs::of_location(location)
        .all("__err")
        .into_iter()
        .any(|v| {
            matches!(
                leptos::server_fn::error::ServerFnUrlError::<AppError>::decode_err(v),
                AppError::Forbidden(_)
            )
        })
}

/// A query string's pairs, decoded once.
struct QueryPairs(Vec<(String, String)>);

impl QueryPairs {
    fn of(query: &str) -> Self {
        Self(
            url::form_urlencoded::parse(query.as_bytes())
                .into_owned()
                .collect(),
        )
    }

    /// The query of a `Location` (empty when it has none).
    fn of_location(location: &str) -> Self {
        Self::of(location.split_once('?').map(|(_, q)| q).unwrap_or_default())
    }

    /// Every value of `key`, in order.
    fn all(&self, key: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// The first value of `key`, or empty.
    fn first(&self, key: &str) -> &str {
        self.all(key).first().copied().unwrap_or_default()
    }
}

/// The caller's address as the audit log records it (behind trusted proxies, the
/// client they forwarded for).
pub(crate) fn client_ip_of(state: &AppState, request: &Request<Body>) -> String {
    let peer = request
        .extensions()
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip());
    app::backend::kernel::request::client_ip(
        peer,
        request.headers(),
        &state.settings.trusted_proxies,
    )
    .map(|ip| ip.to_string())
    .unwrap_or_default()
}

/// Refuses cross-site state changes and adds security headers to every response.
async fn guard(State(state): State<AppState>, mut request: Request<Body>, next: Next) -> Response {
    let safe_method = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    // `/v1` and `/scim/v2` are called by programs with an API key, which no browser
    // sends by itself.
    let path = request.uri().path();
    let by_key = path.starts_with("/v1/") || path.starts_with("/scim/v2/");
    if !safe_method && !by_key && !is_same_site(request.headers(), &state.settings.public_url) {
        tracing::warn!(path = %request.uri().path(), "refused a cross-site request");
        let mut res = refuse_cross_site();
        add_security_headers(res.headers_mut(), state.settings.secure_cookies());
        return res;
    }
    if *request.method() == Method::GET {
        if let Some(mut res) = echoed_error_redirect(request.uri(), &state) {
            add_security_headers(res.headers_mut(), state.settings.secure_cookies());
            return res;
        }
    }
    let path = request.uri().path().to_string();
    let is_api = path.starts_with("/api/");
    // Server-function calls share one session resolution between this check and the
    // function. (Pages don't: their resources resolve it each, as they did before.)
    let once = RequestActor::default();
    if is_api {
        request.extensions_mut().insert(once.clone());
    }
    // Only a page render fills it (API answers have their own strict policy).
    let nonce = (!is_api).then(PageNonce::default);
    if let Some(nonce) = &nonce {
        request.extensions_mut().insert(nonce.clone());
    }
    let mut caller = None;
    if is_api && !app::api::ANONYMOUS_ENDPOINTS.contains(&path.as_str()) {
        match require_session(&state, request.headers(), once).await {
            Ok(actor) => caller = Some((actor, client_ip_of(&state, &request))),
            Err(error) => {
                let mut res = error_response(&error);
                add_security_headers(res.headers_mut(), state.settings.secure_cookies());
                res.headers_mut()
                    .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
                return res;
            }
        }
    }
    let mut res = next.run(request).await;
    if is_api && res.status() == StatusCode::INTERNAL_SERVER_ERROR {
        res = with_error_status(res).await;
    }
    if is_api {
        sign_error_redirect(&mut res, &state);
    }
    // Every refusal lands in the tenant's audit log: who tried what, from where.
    if let (Some((actor, ip)), true) = (&caller, is_refusal(&res)) {
        let attempted = app::api::describe_endpoint(&path);
        let who = app::backend::kernel::audit::AuditActor {
            account_id: Some(actor.account.id),
            email: actor.account.email.clone(),
            ip: ip.clone(),
        };
        let recorded = app::backend::kernel::audit::record_denial(
            &state.db,
            state.now_ms(),
            &who,
            actor.tenant.id,
            attempted,
        )
        .await;
        if let Err(error) = recorded {
            tracing::warn!(%error, "could not record a refused attempt");
        }
    }
    let is_page = res
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"text/html"));
    if let (Some(nonce), true) = (&nonce, is_page) {
        // A page may show signed-in data: never stored. Its scripts run by nonce.
        let headers = res.headers_mut();
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        match nonce.0.get().map(|n| HeaderValue::from_str(&page_csp(n))) {
            Some(Ok(csp)) => {
                headers.insert(header::CONTENT_SECURITY_POLICY, csp);
            }
            // The strict policy below then applies: the page can't run its bundle.
            _ => tracing::error!(%path, "a page was rendered without its script nonce"),
        }
    }
    let headers = res.headers_mut();
    add_security_headers(headers, state.settings.secure_cookies());
    if is_api {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    } else if !headers.contains_key(header::CACHE_CONTROL) {
        // Pages were marked `no-store` above; what is left are the static files.
        let hashed = state.leptos_options.hash_files;
        headers.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static(static_cache_control(&path, hashed)),
        );
        headers
            .entry(header::VARY)
            .or_insert(HeaderValue::from_static("accept-encoding"));
    }
    res
}

/// How long a browser keeps a static file: a bundle file whose name carries its
/// content hash for a year (a new build has new names); the same files without
/// hashes (a development build) and the rest (the icon) are asked about again.
fn static_cache_control(path: &str, hashed: bool) -> &'static str {
    if hashed && path.starts_with("/pkg/") {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    }
}

/// How long a signed error link (see [`sign_error_redirect`]) shows its own words.
const ERROR_LINK_SECS: i64 = 300;
const ERROR_LINK_CONTEXT: &str = "error-link";

fn error_link_message(path_of_fn: &str, err: &str, issued_secs: i64) -> String {
    format!("{path_of_fn}\n{err}\n{issued_secs}")
}

/// A form posted without JavaScript reports its failure by redirecting back with
/// the error in the link (`?__path=…&__err=…`). This server signs such links, with
/// the time, as it sends them: the page they lead to shows the error's own words
/// for a few minutes.
fn sign_error_redirect(res: &mut Response, state: &AppState) {
    let Some(location) = res
        .headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .filter(|l| l.contains("__err="))
        .map(str::to_string)
    else {
        return;
    };
    let pairs = QueryPairs::of_location(&location);
    let issued = state.now_ms() / 1000;
    let tag = state.settings.secret_key.mac(
        ERROR_LINK_CONTEXT,
        error_link_message(pairs.first("__path"), pairs.first("__err"), issued).as_bytes(),
    );
    let signed = format!(
        "{location}&__sig={}",
        url::form_urlencoded::byte_serialize(format!("{issued}.{tag}").as_bytes())
            .collect::<String>()
    );
    if let Ok(value) = HeaderValue::from_str(&signed) {
        res.headers_mut().insert(header::LOCATION, value);
    }
}

/// Anyone can craft an error link, so one this server did not sign in the last few
/// minutes is redirected to the same page with only the fixed sentences of
/// `AppError::as_echoed`: a crafted link can't make a page say "call this number".
fn echoed_error_redirect(uri: &axum::http::Uri, state: &AppState) -> Option<Response> {
    use leptos::server_fn::error::ServerFnUrlError;
    let query = uri.query()?;
    if !query.contains("__err") {
        return None;
    }
    let pairs = QueryPairs::of(query);
    let (path_of_fn, errs, sigs) = (pairs.all("__path"), pairs.all("__err"), pairs.all("__sig"));
    if let ([path_of_fn], [err], [sig]) = (path_of_fn.as_slice(), errs.as_slice(), sigs.as_slice())
    {
        let now = state.now_ms() / 1000;
        let genuine = sig.split_once('.').is_some_and(|(issued, tag)| {
            issued.parse::<i64>().is_ok_and(|issued| {
                (0..=ERROR_LINK_SECS).contains(&(now - issued))
                    && state.settings.secret_key.verify_mac(
                        ERROR_LINK_CONTEXT,
                        error_link_message(path_of_fn, err, issued).as_bytes(),
                        tag,
                    )
            })
        });
        if genuine {
            return None;
        }
    }
    let shown = errs
        .first()
        .map(|e| ServerFnUrlError::<AppError>::decode_err(e).as_echoed());
    let mut target = url::Url::parse("http://gatehouse.invalid/").ok()?;
    target.set_path(uri.path());
    {
        let mut kept = target.query_pairs_mut();
        kept.clear();
        for (k, v) in pairs
            .0
            .iter()
            .filter(|(k, _)| !matches!(k.as_str(), "__path" | "__err" | "__sig"))
        {
            kept.append_pair(k, v);
        }
    }
    if let Some(shown) = shown {
        let path_of_fn = path_of_fn.first().copied().unwrap_or_default();
        target = ServerFnUrlError::new(path_of_fn, shown)
            .to_url(target.as_str())
            .ok()?;
    }
    let fixed: Vec<(String, String)> = target.query_pairs().into_owned().collect();
    if fixed == pairs.0 {
        return None;
    }
    let location = match target.query() {
        Some(q) if !q.is_empty() => format!("{}?{q}", target.path()),
        _ => target.path().to_string(),
    };
    let mut res = StatusCode::SEE_OTHER.into_response();
    res.headers_mut()
        .insert(header::LOCATION, HeaderValue::from_str(&location).ok()?);
    Some(res)
}

/// Server functions answer every error with status 500; this gives each `AppError`
/// its own status (401, 403, 404, 409, 400, 429) so clients and logs can tell them apart.
async fn with_error_status(res: Response) -> Response {
    let (mut parts, body) = res.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 64 * 1024).await else {
        return (StatusCode::INTERNAL_SERVER_ERROR, "").into_response();
    };
    if let Ok(error) = serde_json::from_slice::<AppError>(&bytes) {
        parts.status =
            StatusCode::from_u16(error.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        if let AppError::RateLimited { retry_after_secs } = error {
            parts
                .headers
                .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
        }
    }
    Response::from_parts(parts, Body::from(bytes))
}

fn add_security_headers(headers: &mut HeaderMap, https: bool) {
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers
        .entry(header::REFERRER_POLICY)
        .or_insert(HeaderValue::from_static("same-origin"));
    headers
        .entry(header::CONTENT_SECURITY_POLICY)
        .or_insert(HeaderValue::from_static(
            "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'",
        ));
    headers.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    headers.insert(
        "permissions-policy",
        HeaderValue::from_static("camera=(), microphone=(), geolocation=()"),
    );
    if https {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=63072000; includeSubDomains"),
        );
    }
    headers.remove(header::SERVER);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut m = HeaderMap::new();
        for (k, v) in pairs {
            m.insert(*k, HeaderValue::from_static(v));
        }
        m
    }

    #[test]
    fn same_site_rules() {
        let url = "http://127.0.0.1:3000";
        assert!(is_same_site(&h(&[("sec-fetch-site", "same-origin")]), url));
        assert!(!is_same_site(
            &h(&[
                ("sec-fetch-site", "cross-site"),
                ("origin", "http://127.0.0.1:3000")
            ]),
            url
        ));
        assert!(!is_same_site(&h(&[("sec-fetch-site", "same-site")]), url));
        assert!(is_same_site(
            &h(&[("origin", "http://127.0.0.1:3000")]),
            url
        ));
        assert!(is_same_site(
            &h(&[
                ("origin", "http://localhost:4000"),
                ("host", "localhost:4000")
            ]),
            url
        ));
        assert!(!is_same_site(
            &h(&[
                ("origin", "http://evil.example"),
                ("host", "127.0.0.1:3000")
            ]),
            url
        ));
        assert!(!is_same_site(&h(&[("origin", "null")]), url));
        assert!(!is_same_site(&HeaderMap::new(), url));
    }

    #[test]
    fn only_hashed_bundle_files_are_kept_for_a_year() {
        let year = "public, max-age=31536000, immutable";
        assert_eq!(
            static_cache_control("/pkg/gatehouse.Ab3_x.wasm", true),
            year
        );
        assert_eq!(
            static_cache_control("/pkg/gatehouse.css", false),
            "no-cache"
        );
        assert_eq!(static_cache_control("/favicon.svg", true), "no-cache");
    }

    #[tokio::test]
    async fn a_panicking_handler_answers_a_sentence_and_a_reference() {
        use tower::ServiceExt;
        let router: Router = Router::new()
            .route(
                "/boom",
                get(|| async {
                    let pages: Vec<u64> = Vec::new();
                    // An out-of-range index, as a bug would do.
                    let third = pages
                        .get(3)
                        .copied()
                        .unwrap_or_else(|| panic!("index out of range"));
                    third.to_string()
                }),
            )
            .layer(CatchPanicLayer::custom(panic_response));
        let res = router
            .oneshot(Request::builder().uri("/boom").body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let body = axum::body::to_bytes(res.into_body(), 4096).await.unwrap();
        let error: AppError = serde_json::from_slice(&body).unwrap();
        let AppError::Internal(reference) = &error else {
            panic!("{error:?}")
        };
        assert!(!reference.is_empty());
        let text = String::from_utf8_lossy(&body);
        assert!(!text.contains("index out of range"), "{text}");
        assert!(error.to_string().contains(reference.as_str()), "{error}");
    }
}
