//! Time is a parameter: services read it from a `Clock` so that expiry, idle
//! timeouts and lockouts are tested by moving a clock, never by sleeping.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

pub trait Clock: Send + Sync + 'static {
    /// Milliseconds since the Unix epoch.
    fn now_ms(&self) -> i64;
}

#[derive(Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_ms(&self) -> i64 {
        chrono::Utc::now().timestamp_millis()
    }
}

/// A clock tests move by hand.
#[derive(Debug, Clone)]
pub struct ManualClock(Arc<AtomicI64>);

impl ManualClock {
    pub fn new(start_ms: i64) -> Self {
        Self(Arc::new(AtomicI64::new(start_ms)))
    }
    pub fn advance_ms(&self, ms: i64) {
        self.0.fetch_add(ms, Ordering::SeqCst);
    }
    pub fn advance_secs(&self, secs: i64) {
        self.advance_ms(secs * 1000);
    }
}

impl Clock for ManualClock {
    fn now_ms(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }
}

/// Formats a stored time for people: `2026-11-22 14:05 UTC`.
pub fn format_time(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_default()
}

/// A short end time for a table cell: `12 Dec 17:00 UTC`.
pub fn format_short(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.format("%-d %b %H:%M UTC").to_string())
        .unwrap_or_default()
}

/// The longest temporary access: a year. Longer than that is access for good.
pub const MAX_TEMPORARY_MS: i64 = 366 * 24 * 3600 * 1000;

/// The end of temporary access as typed in an "Until" field (a browser's
/// `datetime-local` value, `2026-12-12T17:00`, read as UTC; or a bare date, the
/// end of that day): `None` when empty (access for good), a field error on
/// `field` when it is unreadable, past, or more than a year ahead.
pub fn parse_until(
    text: &str,
    now: i64,
    field: &str,
) -> Result<Option<i64>, crate::domain::AppError> {
    use chrono::{NaiveDate, NaiveDateTime};
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let parsed = NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S"))
        .ok()
        .or_else(|| {
            NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .ok()
                .and_then(|d| d.and_hms_opt(23, 59, 0))
        })
        .map(|t| t.and_utc().timestamp_millis());
    let error = |message: &str| crate::domain::AppError::field(field, message);
    match parsed {
        None => Err(error(
            "Enter a date and time like 2026-12-12 17:00, or leave it empty.",
        )),
        Some(until) if until <= now => Err(error(
            "Choose a time in the future, or leave it empty to give it for good.",
        )),
        Some(until) if until - now > MAX_TEMPORARY_MS => Err(error(
            "Temporary access lasts a year at most; leave it empty to give it for good.",
        )),
        Some(until) => Ok(Some(until)),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn until_reads_a_browser_value_as_utc_and_refuses_the_past() {
        let now = chrono::DateTime::parse_from_rfc3339("2026-12-02T12:00:00Z")
            .unwrap()
            .timestamp_millis();
        assert_eq!(parse_until("  ", now, "until"), Ok(None));
        let until = parse_until("2026-12-12T17:00", now, "until")
            .unwrap()
            .unwrap();
        assert_eq!(format_time(until), "2026-12-12 17:00 UTC");
        assert_eq!(format_short(until), "12 Dec 17:00 UTC");
        let day = parse_until("2026-12-12", now, "until").unwrap().unwrap();
        assert_eq!(format_time(day), "2026-12-12 23:59 UTC");
        for bad in ["soon", "2026-12-01T09:00", "2028-01-01T00:00", "2026-13-01"] {
            let error = parse_until(bad, now, "until").unwrap_err();
            assert!(error.field_message("until").is_some(), "{bad}: {error:?}");
        }
    }
}
