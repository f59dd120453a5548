//! The `/v1` reference: the OpenAPI 3.1 document at `/v1/openapi.json`, and the
//! same as a page at `/v1/docs` (plain HTML from the document: readable without
//! JavaScript, linked from Settings → API keys).

use super::ApiDoc;
use axum::http::{header, HeaderValue};
use axum::response::{Html, IntoResponse, Response};
use std::sync::OnceLock;
use utoipa::openapi::path::Operation;
use utoipa::OpenApi;

fn document() -> &'static str {
    static DOC: OnceLock<String> = OnceLock::new();
    DOC.get_or_init(|| ApiDoc::openapi().to_pretty_json().unwrap_or_default())
}

pub async fn openapi_json() -> Response {
    let mut res = document().to_string().into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    res
}

/// A run of prose: text, or `code` (a part between backticks).
struct Segment {
    code: bool,
    text: String,
}

/// `text` split at its backticks, the parts between them as code. The template
/// escapes every part.
fn prose(text: &str) -> Vec<Segment> {
    text.replace('\n', " ")
        .split('`')
        .enumerate()
        .map(|(i, part)| Segment {
            code: i % 2 == 1,
            text: part.to_string(),
        })
        .collect()
}

struct Op {
    method: &'static str,
    path: String,
    summary: String,
    description: Vec<Segment>,
    params: Vec<(String, Vec<Segment>)>,
    responses: Vec<(String, Vec<Segment>)>,
}

#[derive(askama::Template)]
#[template(path = "api_docs.html")]
struct DocsPage {
    lead: Vec<Segment>,
    version: String,
    ops: Vec<Op>,
}

fn operation(method: &'static str, path: &str, op: &Operation) -> Op {
    Op {
        method,
        path: path.to_string(),
        summary: op.summary.clone().unwrap_or_default(),
        description: prose(op.description.as_deref().unwrap_or("")),
        params: op
            .parameters
            .iter()
            .flatten()
            .map(|p| {
                (
                    p.name.clone(),
                    prose(p.description.as_deref().unwrap_or("")),
                )
            })
            .collect(),
        responses: op
            .responses
            .responses
            .iter()
            .map(|(status, response)| {
                let text = match response {
                    utoipa::openapi::RefOr::T(r) => r.description.clone(),
                    utoipa::openapi::RefOr::Ref(r) => r.ref_location.clone(),
                };
                (status.clone(), prose(&text))
            })
            .collect(),
    }
}

fn render() -> askama::Result<String> {
    use askama::Template;
    let doc = ApiDoc::openapi();
    let mut ops = Vec::new();
    for (path, item) in &doc.paths.paths {
        for (method, op) in [
            ("GET", &item.get),
            ("POST", &item.post),
            ("PATCH", &item.patch),
            ("DELETE", &item.delete),
        ] {
            if let Some(op) = op {
                ops.push(operation(method, path, op));
            }
        }
    }
    let page = DocsPage {
        lead: prose(doc.info.description.as_deref().unwrap_or("")),
        version: serde_json::to_value(&doc.openapi)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default(),
        ops,
    };
    page.render()
}

const STYLE: &str = "body{font:16px/1.5 system-ui,sans-serif;color:#1d2433;margin:0;background:#f7f8fb}\
main{max-width:56rem;margin:0 auto;padding:1.5rem}\
h1{font-size:1.6rem}a{color:#2444c9}a:focus-visible{outline:3px solid #2444c9;outline-offset:2px}\
.op{background:#fff;border:1px solid #dde1ea;border-radius:8px;padding:1rem 1.25rem;margin:1rem 0}\
.op h3{margin:0 0 .5rem;font-size:1.05rem;overflow-wrap:anywhere}.op h4{margin:.75rem 0 .25rem;font-size:.9rem}\
.method{display:inline-block;min-width:4.5rem;font-size:.8rem;font-weight:700;color:#fff;background:#2444c9;border-radius:4px;padding:.1rem .4rem;text-align:center}\
code{font-family:ui-monospace,monospace;font-size:.9em}ul{margin:.25rem 0;padding-left:1.25rem}";

/// The page's style, a file of its own: the security headers allow no inline style.
pub async fn stylesheet() -> Response {
    let mut res = STYLE.into_response();
    res.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/css"));
    res
}

/// The page: its own stylesheet and nothing else may load (no script at all).
pub async fn page() -> Response {
    static PAGE: OnceLock<String> = OnceLock::new();
    let page = match PAGE.get() {
        Some(page) => page.clone(),
        // Rendered once; a failure is not kept, so the next request tries again.
        None => match render() {
            Ok(page) => PAGE.get_or_init(|| page).clone(),
            Err(e) => {
                tracing::error!(error = %e, "the API reference page failed to render");
                return axum::http::StatusCode::INTERNAL_SERVER_ERROR.into_response();
            }
        },
    };
    let mut res = Html(page).into_response();
    res.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
        ),
    );
    res
}
