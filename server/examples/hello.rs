//! `make load`'s baseline: an axum hello world built from the same axum and tokio as
//! the server, in the same profile. Usage: `hello 127.0.0.1:PORT`.
#![allow(clippy::expect_used, clippy::print_stdout)]

#[tokio::main]
async fn main() {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:3999".to_string());
    let app = axum::Router::new().route("/", axum::routing::get(|| async { "Hello, world!" }));
    let listener = tokio::net::TcpListener::bind(&addr)
        .await
        .expect("a free address");
    axum::serve(listener, app).await.expect("serving");
}
