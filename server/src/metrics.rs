//! Prometheus metrics at `/metrics` on their own address (`GATEHOUSE_METRICS_LISTEN`,
//! off by default): keep it where only the monitoring system reaches it.
//!
//! - `gatehouse_http_requests_total{route,method,status}` and
//!   `gatehouse_http_request_duration_seconds{route,method,status}` (histogram), from
//!   the request middleware (`route` is the matched route, never the raw path).
//! - `gatehouse_sign_ins_total{outcome=succeeded|refused|locked|limited}`.
//! - `gatehouse_emails_total{outcome=queued|sent|failed}`, and the gauge
//!   `gatehouse_mail_queue_depth` read at each scrape.
//! - `gatehouse_db_pool_connections{state=in_use|idle}` read at each scrape.

use app::backend::AppState;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use std::future::IntoFuture;
use std::net::SocketAddr;

/// Latency buckets (seconds): from a cached page to a slow sign-in.
const BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

/// Installs the process's recorder (the metrics macros do nothing until then).
pub fn install() -> Result<PrometheusHandle, String> {
    PrometheusBuilder::new()
        .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), &BUCKETS)
        .and_then(|b| b.install_recorder())
        .map_err(|e| format!("Cannot start the metrics: {e}"))
}

/// Starts the metrics listener beside the app.
pub async fn serve(address: SocketAddr, state: AppState) -> Result<(), String> {
    let handle = install()?;
    let listener = tokio::net::TcpListener::bind(address)
        .await
        .map_err(|e| format!("Cannot listen for metrics on {address}: {e}"))?;
    let app = Router::new()
        .route("/metrics", get(scrape))
        .with_state((state, handle));
    println!("Metrics are at http://{address}/metrics");
    tokio::spawn(axum::serve(listener, app).into_future());
    Ok(())
}

async fn scrape(State((state, handle)): State<(AppState, PrometheusHandle)>) -> Response {
    let (open, idle) = state.db.pool_connections();
    metrics::gauge!("gatehouse_db_pool_connections", "state" => "in_use")
        .set(open.saturating_sub(idle as u32) as f64);
    metrics::gauge!("gatehouse_db_pool_connections", "state" => "idle").set(idle as f64);
    match app::backend::kernel::mail::queue_depth(state.db.conn()).await {
        Ok(depth) => metrics::gauge!("gatehouse_mail_queue_depth").set(depth as f64),
        Err(error) => tracing::warn!(%error, "could not count the mail queue for the metrics"),
    }
    handle.run_upkeep();
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        handle.render(),
    )
        .into_response()
}
