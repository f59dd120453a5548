//! `make load`'s yardstick for sign-ins: how long one password verification takes
//! with the server's argon2id settings (median of 7), in milliseconds.
#![allow(clippy::expect_used, clippy::print_stdout, clippy::indexing_slicing)]

use app::backend::kernel::passwords::PasswordHasher;
use std::time::Instant;

#[tokio::main]
async fn main() {
    let hasher = PasswordHasher::new(1).expect("argon2 settings");
    let hash = hasher
        .hash("correct horse battery staple")
        .await
        .expect("a hash");
    let mut samples: Vec<f64> = Vec::new();
    for _ in 0..7 {
        let start = Instant::now();
        assert!(
            hasher
                .verify("correct horse battery staple", Some(&hash))
                .await
        );
        samples.push(start.elapsed().as_secs_f64() * 1000.0);
    }
    samples.sort_by(f64::total_cmp);
    println!("{:.2}", samples[samples.len() / 2]);
}
