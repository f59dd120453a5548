//! A moment as the product shows it: relative words ("5 minutes ago", "in 3 days")
//! for people, the exact instant (ISO 8601, UTC) for machines and for the title a
//! browser turns into the viewer's own time zone. Pure arithmetic, so the server
//! and the WASM client say the same words about the same instant.

use serde::{Deserialize, Serialize};

/// An instant in milliseconds since the Unix epoch (UTC).
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct At(pub i64);

const SECOND: i64 = 1000;
const MINUTE: i64 = 60 * SECOND;
const HOUR: i64 = 60 * MINUTE;
const DAY: i64 = 24 * HOUR;

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

impl At {
    pub fn millis(self) -> i64 {
        self.0
    }

    /// How far this instant is from `now`, in words: "just now", "5 minutes ago",
    /// "an hour ago", "yesterday", "3 days ago", "in 2 hours", "tomorrow",
    /// "in 3 days", "in 2 months", "a year ago". Counts are rounded to the nearest
    /// unit, so an invitation that expires in 6 days and 23 hours reads "in 7 days".
    pub fn relative(self, now: At) -> String {
        let delta = self.0 - now.0;
        let past = delta < 0;
        let span = delta.unsigned_abs() as i64;
        let round = |unit: i64| (span + unit / 2) / unit;
        let phrase = |n: i64, one: &str, unit: &str| {
            let amount = if n == 1 {
                one.to_string()
            } else {
                format!("{n} {unit}s")
            };
            if past {
                format!("{amount} ago")
            } else {
                format!("in {amount}")
            }
        };
        if span < 45 * SECOND {
            return "just now".to_string();
        }
        if span < 45 * MINUTE {
            return phrase(round(MINUTE).max(1), "a minute", "minute");
        }
        if span < 22 * HOUR {
            return phrase(round(HOUR).max(1), "an hour", "hour");
        }
        if span < 36 * HOUR {
            return if past { "yesterday" } else { "tomorrow" }.to_string();
        }
        if span < 26 * DAY {
            return phrase(round(DAY).max(2), "a day", "day");
        }
        if span < 320 * DAY {
            return phrase(round(30 * DAY).max(1), "a month", "month");
        }
        phrase(round(365 * DAY).max(1), "a year", "year")
    }

    /// The calendar date and time of day in UTC: (year, month 1–12, day, hour, minute, second).
    fn civil(self) -> (i64, u32, u32, u32, u32, u32) {
        let days = self.0.div_euclid(DAY);
        let of_day = self.0.rem_euclid(DAY) / SECOND;
        // Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's
        // days_from_civil, inverted).
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = yoe + era * 400 + i64::from(month <= 2);
        (
            year,
            month,
            day,
            (of_day / 3600) as u32,
            (of_day / 60 % 60) as u32,
            (of_day % 60) as u32,
        )
    }

    /// `2026-12-01T23:25:00Z`: the `datetime` of a `<time>` element.
    pub fn iso(self) -> String {
        let (y, mo, d, h, mi, s) = self.civil();
        format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
    }

    /// `1 Dec 2026, 23:25 UTC`: the exact time before the browser can say it in the
    /// viewer's own zone.
    pub fn utc_words(self) -> String {
        let (y, mo, d, h, mi, _) = self.civil();
        let month = MONTHS.get((mo - 1) as usize).copied().unwrap_or("?");
        format!("{d} {month} {y}, {h:02}:{mi:02} UTC")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: At = At(1_764_631_500_000); // 2025-12-01T23:25:00Z

    fn ago(ms: i64) -> String {
        At(NOW.0 - ms).relative(NOW)
    }

    fn ahead(ms: i64) -> String {
        At(NOW.0 + ms).relative(NOW)
    }

    #[test]
    fn the_past_reads_as_people_say_it() {
        assert_eq!(ago(0), "just now");
        assert_eq!(ago(30 * SECOND), "just now");
        assert_eq!(ago(50 * SECOND), "a minute ago");
        assert_eq!(ago(5 * MINUTE), "5 minutes ago");
        assert_eq!(ago(50 * MINUTE), "an hour ago");
        assert_eq!(ago(3 * HOUR + 10 * MINUTE), "3 hours ago");
        assert_eq!(ago(26 * HOUR), "yesterday");
        assert_eq!(ago(3 * DAY), "3 days ago");
        assert_eq!(ago(40 * DAY), "a month ago");
        assert_eq!(ago(100 * DAY), "3 months ago");
        assert_eq!(ago(400 * DAY), "a year ago");
        assert_eq!(ago(800 * DAY), "2 years ago");
    }

    #[test]
    fn the_future_reads_as_expiries_do() {
        assert_eq!(ahead(10 * SECOND), "just now");
        assert_eq!(ahead(2 * HOUR), "in 2 hours");
        assert_eq!(ahead(30 * HOUR), "tomorrow");
        assert_eq!(ahead(3 * DAY), "in 3 days");
        // A seven-day invitation looked at a little after it was sent.
        assert_eq!(ahead(7 * DAY - 5 * MINUTE), "in 7 days");
        assert_eq!(ahead(2 * DAY - HOUR), "in 2 days");
    }

    #[test]
    fn exact_times_are_utc_calendar_dates() {
        assert_eq!(NOW.iso(), "2025-12-01T23:25:00Z");
        assert_eq!(NOW.utc_words(), "1 Dec 2025, 23:25 UTC");
        assert_eq!(At(0).iso(), "1970-01-01T00:00:00Z");
        // A leap day, and the day after.
        assert_eq!(At(951_782_400_000).iso(), "2000-02-29T00:00:00Z");
        assert_eq!(At(951_868_800_000 + 59_000).iso(), "2000-03-01T00:00:59Z");
        // Before the epoch.
        assert_eq!(At(-1000).iso(), "1969-12-31T23:59:59Z");
    }
}
