//! `make bench` (second part): how long refusals take, so an attacker can't tell
//! an existing account from the time of the answer. Prints medians, asserts nothing.
#![recursion_limit = "256"]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::indexing_slicing,
    clippy::panic
)]

#[path = "../tests/common/mod.rs"]
mod common;

use app::backend::auth::recovery::request_reset;
use app::backend::auth::sign_in::sign_in;
use app::backend::kernel::request::RequestMeta;
use common::{engines, TestApp, PASSWORD};
use std::sync::Arc;
use std::time::{Duration, Instant};

const RUNS: usize = 21;

fn meta(i: usize) -> RequestMeta {
    RequestMeta {
        ip: format!("192.0.2.{}", i % 250),
        user_agent: "bench".into(),
        session_token: None,
    }
}

async fn median<F, Fut>(mut f: F) -> Duration
where
    F: FnMut(usize) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    f(0).await;
    let mut samples: Vec<Duration> = Vec::with_capacity(RUNS);
    for i in 1..=RUNS {
        let start = Instant::now();
        f(i).await;
        samples.push(start.elapsed());
    }
    samples.sort();
    samples[RUNS / 2]
}

#[tokio::main]
async fn main() {
    for engine in engines() {
        let mut app = TestApp::new(engine).await;
        let mut settings = (*app.state.settings).clone();
        settings.lockout_threshold = 1_000_000;
        settings.sign_in_attempts_per_ip_per_minute = 1_000_000;
        app.state.settings = Arc::new(settings);
        app.tenant_with_admin("Acme", "ada@example.com").await;
        let s = &app.state;
        let unknown = median(|i| async move {
            let _ = sign_in(s, "nobody@example.com", "wrong password", &meta(i)).await;
        })
        .await;
        let wrong = median(|i| async move {
            let _ = sign_in(s, "ada@example.com", "wrong password", &meta(i)).await;
        })
        .await;
        let right = median(|i| async move {
            sign_in(s, "ada@example.com", PASSWORD, &meta(i))
                .await
                .unwrap();
        })
        .await;
        let reset_unknown = median(|i| async move {
            request_reset(s, "nobody@example.com", &meta(i))
                .await
                .unwrap();
        })
        .await;
        let reset_known = median(|i| async move {
            request_reset(s, "ada@example.com", &meta(i)).await.unwrap();
        })
        .await;
        println!("{engine}: sign-in refused, unknown email      {unknown:>10.2?}");
        println!("{engine}: sign-in refused, wrong password     {wrong:>10.2?}");
        println!("{engine}: sign-in accepted                    {right:>10.2?}");
        println!("{engine}: reset request, unknown email        {reset_unknown:>10.2?}");
        println!("{engine}: reset request, existing account     {reset_known:>10.2?}");
    }
}
