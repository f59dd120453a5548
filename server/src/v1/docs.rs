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

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// `text` escaped, its `backticked` parts set as code.
fn prose(text: &str) -> String {
    escape(text)
        .split('`')
        .enumerate()
        .map(|(i, part)| {
            if i % 2 == 1 {
                format!("<code>{part}</code>")
            } else {
                part.to_string()
            }
        })
        .collect()
}

fn operation_html(method: &str, path: &str, op: &Operation) -> String {
    let summary = op.summary.clone().unwrap_or_default();
    let description = op.description.clone().unwrap_or_default();
    let params = op
        .parameters
        .iter()
        .flatten()
        .map(|p| {
            format!(
                "<li><code>{}</code> {}</li>",
                escape(&p.name),
                prose(p.description.as_deref().unwrap_or(""))
            )
        })
        .collect::<String>();
    let responses = op
        .responses
        .responses
        .iter()
        .map(|(status, response)| {
            let text = match response {
                utoipa::openapi::RefOr::T(r) => r.description.clone(),
                utoipa::openapi::RefOr::Ref(r) => r.ref_location.clone(),
            };
            format!("<li><code>{}</code> {}</li>", escape(status), prose(&text))
        })
        .collect::<String>();
    format!(
        "<section class=\"op\"><h3><span class=\"method\">{method}</span> <code>{}</code></h3>\
         <p><strong>{}</strong></p><p>{}</p>{}<h4>Responses</h4><ul>{responses}</ul></section>",
        escape(path),
        escape(&summary),
        prose(&description).replace('\n', " "),
        if params.is_empty() {
            String::new()
        } else {
            format!("<h4>Parameters</h4><ul>{params}</ul>")
        },
    )
}

fn render() -> String {
    let doc = ApiDoc::openapi();
    let mut ops = String::new();
    for (path, item) in &doc.paths.paths {
        for (method, op) in [
            ("GET", &item.get),
            ("POST", &item.post),
            ("PATCH", &item.patch),
            ("DELETE", &item.delete),
        ] {
            if let Some(op) = op {
                ops.push_str(&operation_html(method, path, op));
            }
        }
    }
    format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>Gatehouse API reference</title><link rel=\"stylesheet\" href=\"/v1/docs.css\"></head><body><main>\
         <h1>Gatehouse API reference</h1><p class=\"lead\">{}</p>\
         <p>Send an API key from <a href=\"/settings/api-keys\">Settings → API keys</a> as \
         <code>Authorization: Bearer gatehouse_…</code>. Each key works for one tenant and \
         only for its scopes. Errors are <a href=\"https://www.rfc-editor.org/rfc/rfc9457\">RFC 9457</a> \
         problem details. Machine-readable: <a href=\"/v1/openapi.json\">openapi.json</a> (OpenAPI {}).</p>\
         {ops}</main></body></html>",
        prose(doc.info.description.as_deref().unwrap_or("")),
        serde_json::to_value(&doc.openapi)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default(),
    )
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
    let mut res = Html(PAGE.get_or_init(render).clone()).into_response();
    res.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
        ),
    );
    res
}
