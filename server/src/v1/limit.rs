//! The per-key rate limit of `/v1`: a token bucket per key, holding a minute's worth
//! of requests and refilled evenly. Kept in this process's memory: with several
//! replicas each counts its own share (a key may reach the limit once per replica).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

pub struct Limiter {
    per_minute: f64,
    buckets: Mutex<HashMap<i64, (f64, Instant)>>,
}

impl Limiter {
    pub fn new(per_minute: i64) -> Limiter {
        Limiter {
            per_minute: per_minute.max(1) as f64,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one request from `key`'s bucket: `Ok(left)`, or `Err(seconds)` to wait.
    pub fn take(&self, key: i64, now: Instant) -> Result<u64, u64> {
        let per_second = self.per_minute / 60.0;
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if buckets.len() > 100_000 {
            // Keys idle for a minute are full again: forgetting them changes nothing.
            buckets.retain(|_, (_, at)| now.duration_since(*at).as_secs() < 60);
        }
        let (tokens, at) = buckets.entry(key).or_insert((self.per_minute, now));
        let refilled =
            (*tokens + now.duration_since(*at).as_secs_f64() * per_second).min(self.per_minute);
        *at = now;
        if refilled >= 1.0 {
            *tokens = refilled - 1.0;
            Ok(tokens.floor() as u64)
        } else {
            *tokens = refilled;
            Err(((1.0 - refilled) / per_second).ceil().max(1.0) as u64)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn a_key_gets_its_minute_then_waits_for_the_next_token() {
        let limiter = Limiter::new(60);
        let start = Instant::now();
        for _ in 0..60 {
            assert!(limiter.take(1, start).is_ok());
        }
        assert_eq!(limiter.take(1, start), Err(1));
        // Another key has its own bucket.
        assert!(limiter.take(2, start).is_ok());
        // One second later, one more request.
        let later = start + Duration::from_secs(1);
        assert_eq!(limiter.take(1, later), Ok(0));
        assert_eq!(limiter.take(1, later), Err(1));
        let slow = Limiter::new(6);
        for _ in 0..6 {
            slow.take(3, start).unwrap();
        }
        assert_eq!(slow.take(3, start), Err(10));
    }
}
