//! Send windows: the hours of the recipient's day in which a step may go out, and the weekend
//! skipped when asked. All arithmetic is done on the recipient's local calendar, so a window
//! means the same hours either side of a daylight saving change.

use chrono::{DateTime, Datelike, Duration, LocalResult, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

use crate::store::Millis;

/// Hours of the recipient's day, `start` before `end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hours {
    pub start: NaiveTime,
    pub end: NaiveTime,
    pub skip_weekends: bool,
}

/// `HH:MM`, or `24:00` for the end of the day, or why not.
pub fn parse_time(text: &str) -> Result<NaiveTime, String> {
    if text.trim() == "24:00" {
        return Ok(NaiveTime::from_hms_nano_opt(23, 59, 59, 999_999_999).unwrap_or(NaiveTime::MIN));
    }
    NaiveTime::parse_from_str(text.trim(), "%H:%M")
        .map_err(|_| format!("{text:?} is not a time of day as HH:MM (24-hour, or 24:00)"))
}

/// The instant of a local time on `day`; in a daylight saving gap, the first instant after it.
fn instant(zone: Tz, day: NaiveDate, time: NaiveTime) -> DateTime<Utc> {
    let mut local = day.and_time(time);
    for _ in 0..4 {
        match zone.from_local_datetime(&local) {
            LocalResult::Single(at) => return at.with_timezone(&Utc),
            LocalResult::Ambiguous(earliest, _) => return earliest.with_timezone(&Utc),
            LocalResult::None => local += Duration::minutes(30),
        }
    }
    Utc.from_utc_datetime(&local)
}

/// The first instant at or after `earliest` inside the window in `zone`.
pub fn next_slot(earliest: Millis, zone: Tz, hours: Hours) -> Millis {
    let earliest_at = DateTime::<Utc>::from_timestamp_millis(earliest).unwrap_or_default();
    let first_day = earliest_at.with_timezone(&zone).date_naive();
    for offset in 0..9 {
        let day = first_day + Duration::days(offset);
        if hours.skip_weekends && day.weekday().number_from_monday() > 5 {
            continue;
        }
        let (open, close) = (
            instant(zone, day, hours.start),
            instant(zone, day, hours.end),
        );
        if earliest_at < close {
            return earliest_at.max(open).timestamp_millis();
        }
    }
    earliest
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Millis {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .timestamp_millis()
    }

    fn hours(start: &str, end: &str, skip_weekends: bool) -> Hours {
        Hours {
            start: parse_time(start).unwrap(),
            end: parse_time(end).unwrap(),
            skip_weekends,
        }
    }

    #[test]
    fn a_time_inside_the_window_stays_and_one_outside_moves_to_the_next_opening() {
        let nine_to_five = hours("09:00", "17:00", false);
        let paris = chrono_tz::Europe::Paris;
        // Tuesday 2026-12-01, 10:00 in Paris (UTC+1).
        assert_eq!(
            next_slot(at("2026-12-01T09:00:00Z"), paris, nine_to_five),
            at("2026-12-01T09:00:00Z")
        );
        // 07:00 in Paris: the window opens at 09:00 local, 08:00 UTC.
        assert_eq!(
            next_slot(at("2026-12-01T06:00:00Z"), paris, nine_to_five),
            at("2026-12-01T08:00:00Z")
        );
        // 18:00 in Paris: tomorrow at 09:00.
        assert_eq!(
            next_slot(at("2026-12-01T17:00:00Z"), paris, nine_to_five),
            at("2026-12-02T08:00:00Z")
        );
    }

    #[test]
    fn the_same_instant_is_inside_one_zone_and_outside_another() {
        let nine_to_five = hours("09:00", "17:00", false);
        let instant = at("2026-12-01T15:00:00Z");
        // 16:00 in Paris: now. 07:00 in Los Angeles: at 09:00 there, 17:00 UTC.
        assert_eq!(
            next_slot(instant, chrono_tz::Europe::Paris, nine_to_five),
            instant
        );
        assert_eq!(
            next_slot(instant, chrono_tz::America::Los_Angeles, nine_to_five),
            at("2026-12-01T17:00:00Z")
        );
        // 00:00 on Wednesday in Tokyo: Wednesday 09:00 there.
        assert_eq!(
            next_slot(instant, chrono_tz::Asia::Tokyo, nine_to_five),
            at("2026-12-02T00:00:00Z")
        );
    }

    #[test]
    fn weekends_are_skipped_when_asked() {
        let skip = hours("09:00", "17:00", true);
        // Saturday 2026-12-05 12:00 UTC: Monday 09:00.
        assert_eq!(
            next_slot(at("2026-12-05T12:00:00Z"), chrono_tz::UTC, skip),
            at("2026-12-07T09:00:00Z")
        );
        let every_day = hours("09:00", "17:00", false);
        assert_eq!(
            next_slot(at("2026-12-05T12:00:00Z"), chrono_tz::UTC, every_day),
            at("2026-12-05T12:00:00Z")
        );
    }

    #[test]
    fn the_window_keeps_its_local_hours_across_a_daylight_saving_change() {
        let nine_to_five = hours("09:00", "17:00", false);
        let new_york = chrono_tz::America::New_York;
        // 2026-03-08 is the change; the next day, 09:00 EDT is 13:00 UTC (it was 14:00).
        assert_eq!(
            next_slot(at("2026-03-09T05:00:00Z"), new_york, nine_to_five),
            at("2026-03-09T13:00:00Z")
        );
        // A window opening in the gap (02:30 does not exist that night) opens after it.
        let night = hours("02:30", "04:00", false);
        assert_eq!(
            next_slot(at("2026-03-08T05:00:00Z"), new_york, night),
            at("2026-03-08T07:00:00Z")
        );
    }
}
