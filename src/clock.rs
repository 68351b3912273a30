//! Time, behind a trait so tests can pin it.

use std::time::{SystemTime, UNIX_EPOCH};

use chrono::{DateTime, SecondsFormat, Utc};

use crate::store::Millis;

/// A source of the current time.
pub trait Clock: Send + Sync + 'static {
    fn now_millis(&self) -> Millis;
}

/// The system's wall clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    /// Read straight from `SystemTime`: every tool call stamps its event with it, and chrono's
    /// `Utc::now` would first build a calendar date only to turn it back into milliseconds.
    fn now_millis(&self) -> Millis {
        let since_epoch = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        Millis::try_from(since_epoch.as_millis()).unwrap_or(Millis::MAX)
    }
}

/// The wire form of a time: RFC 3339 in UTC with milliseconds, as the hosted API's examples show (docs/hosted-api.md)
/// (`2025-01-15T10:30:00.000Z`).
pub fn rfc3339(millis: Millis) -> String {
    DateTime::<Utc>::from_timestamp_millis(millis)
        .unwrap_or_default()
        .to_rfc3339_opts(SecondsFormat::Millis, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_system_clock_agrees_with_chrono() {
        let before = Utc::now().timestamp_millis();
        let now = SystemClock.now_millis();
        let after = Utc::now().timestamp_millis();
        assert!(
            (before..=after).contains(&now),
            "{before} <= {now} <= {after}"
        );
    }

    #[test]
    fn writes_the_hosted_api_format() {
        let t = DateTime::parse_from_rfc3339("2025-01-15T10:30:00Z").unwrap();
        assert_eq!(rfc3339(t.timestamp_millis()), "2025-01-15T10:30:00.000Z");
    }
}
