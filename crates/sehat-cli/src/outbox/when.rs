//! How the outbox commands read instants: `not_before`, `not_after`, consent `at` and
//! `dispatch --now`.
//!
//! - RFC 3339 with an offset (`2026-12-01T08:00:00+07:00`, `2026-12-01T01:00:00Z`) is that
//!   instant, whatever the row's time zone.
//! - A local date-time without an offset (`2026-12-01T08:00`, `2026-12-01 08:00:00`) is read
//!   in the row's time zone (`timezone` column, default `Asia/Jakarta`). Should the zone
//!   skip or repeat that wall-clock time (a daylight-saving change; none of Indonesia's
//!   three zones has one), the earlier offset of a repeated time and the later wall-clock
//!   time after a gap are used.
//! - A date alone (`2026-12-01`) is the start of that day in the row's zone as a
//!   `not_before`, and the end of that day (its last microsecond) as a `not_after`: a
//!   window `2026-12-01`..`2026-12-07` covers seven whole local days.

use jiff::civil::{Date, DateTime};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use time::OffsetDateTime;

/// Which end of a day a date alone stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DayEnd {
    /// 00:00 local (a `not_before`, a consent's `at`).
    Start,
    /// The last microsecond of the day, local (a `not_after`).
    End,
}

/// Reads one instant as the [module documentation](self) describes; the error says what
/// was expected (without repeating the value: callers name the row and column).
pub fn read_instant(
    text: &str,
    zone: &TimeZone,
    day_end: DayEnd,
) -> Result<OffsetDateTime, String> {
    let text = text.trim();
    let timestamp = if is_date_only(text) {
        let date: Date = text
            .parse()
            .map_err(|e| format!("not a date (YYYY-MM-DD): {e}"))?;
        let start = zone
            .to_timestamp(date.to_datetime(jiff::civil::Time::midnight()))
            .map_err(|e| e.to_string())?;
        match day_end {
            DayEnd::Start => start,
            DayEnd::End => {
                let next = date
                    .tomorrow()
                    .map_err(|e| e.to_string())?
                    .to_datetime(jiff::civil::Time::midnight());
                zone.to_timestamp(next)
                    .and_then(|t| t.checked_sub(SignedDuration::from_micros(1)))
                    .map_err(|e| e.to_string())?
            }
        }
    } else if has_offset(text) {
        text.parse::<Timestamp>()
            .map_err(|e| format!("not an RFC 3339 time (e.g. 2026-12-01T08:00:00+07:00): {e}"))?
    } else {
        let local: DateTime = text.parse().map_err(|e| {
            format!(
                "not a time (RFC 3339 such as 2026-12-01T08:00:00+07:00, a local 2026-12-01T08:00, or a date 2026-12-01): {e}"
            )
        })?;
        zone.to_timestamp(local).map_err(|e| e.to_string())?
    };
    to_offset_date_time(timestamp)
}

/// Reads `--quiet-hours`: `HH:MM-HH:MM` in each recipient's local time (wrapping
/// midnight when the start is later than the end), or `off`.
pub fn read_quiet_hours(text: &str) -> Result<sehat_outbox::quiet::QuietHours, String> {
    let text = text.trim();
    if text.eq_ignore_ascii_case("off") {
        return Ok(sehat_outbox::quiet::QuietHours::new((0, 0), (0, 0)));
    }
    let time = |part: &str| -> Option<(u8, u8)> {
        let (h, m) = part.trim().split_once(':')?;
        if !(1..=2).contains(&h.len()) || m.len() != 2 {
            return None;
        }
        let (h, m) = (h.parse::<u8>().ok()?, m.parse::<u8>().ok()?);
        (h < 24 && m < 60).then_some((h, m))
    };
    let parsed = text
        .split_once('-')
        .and_then(|(start, end)| Some((time(start)?, time(end)?)));
    match parsed {
        Some((start, end)) => Ok(sehat_outbox::quiet::QuietHours::new(start, end)),
        None => Err(format!(
            "{text:?} is not a quiet period: write HH:MM-HH:MM (such as 21:00-07:00) or off"
        )),
    }
}

/// Reads an instant with an offset (RFC 3339), as `--now` takes it.
pub fn read_rfc3339(text: &str) -> Result<OffsetDateTime, String> {
    let text = text.trim();
    if !has_offset(text) || is_date_only(text) {
        return Err(format!(
            "{text:?} is not an RFC 3339 time with an offset (e.g. 2026-12-01T08:00:00+07:00)"
        ));
    }
    let timestamp: Timestamp = text
        .parse()
        .map_err(|e| format!("{text:?} is not an RFC 3339 time: {e}"))?;
    to_offset_date_time(timestamp)
}

fn to_offset_date_time(timestamp: Timestamp) -> Result<OffsetDateTime, String> {
    OffsetDateTime::from_unix_timestamp_nanos(timestamp.as_nanosecond())
        .map_err(|e| format!("out of range: {e}"))
}

/// `YYYY-MM-DD` and nothing else.
fn is_date_only(text: &str) -> bool {
    text.len() == 10 && !text.contains(['T', 't', ' '])
}

/// Whether the text after the date carries an offset (`Z`, `+hh:mm`, `-hh:mm`) or a zone
/// annotation.
fn has_offset(text: &str) -> bool {
    text.get(10..)
        .is_some_and(|time| time.contains(['Z', 'z', '+', '-', '[']))
}

#[cfg(test)]
mod tests {
    #[test]
    fn quiet_hours_read_a_period_or_off_and_refuse_the_rest() {
        use sehat_outbox::quiet::QuietHours;
        assert_eq!(
            super::read_quiet_hours("21:00-07:00"),
            Ok(QuietHours::default())
        );
        assert_eq!(
            super::read_quiet_hours("OFF"),
            Ok(QuietHours::new((0, 0), (0, 0)))
        );
        for bad in [
            "",
            "21-07",
            "25:00-07:00",
            "21:00",
            "21:60-07:00",
            "9pm-7am",
        ] {
            assert!(super::read_quiet_hours(bad).is_err(), "{bad}");
        }
    }

    use super::*;

    fn zone(name: &str) -> TimeZone {
        TimeZone::get(name).unwrap()
    }

    fn utc(text: &str) -> OffsetDateTime {
        read_rfc3339(text).unwrap()
    }

    #[test]
    fn an_offset_wins_over_the_rows_zone() {
        let at = read_instant(
            "2026-12-01T08:00:00+07:00",
            &zone("Asia/Jayapura"),
            DayEnd::Start,
        );
        assert_eq!(at.unwrap(), utc("2026-12-01T01:00:00Z"));
        let at = read_instant("2026-12-01T01:00:00Z", &zone("Asia/Makassar"), DayEnd::End);
        assert_eq!(at.unwrap(), utc("2026-12-01T01:00:00Z"));
    }

    #[test]
    fn local_times_are_read_in_the_rows_zone() {
        for (name, utc_hour) in [
            ("Asia/Jakarta", 1),
            ("Asia/Makassar", 0),
            ("Asia/Jayapura", 23),
        ] {
            let at = read_instant("2026-12-02T08:00", &zone(name), DayEnd::Start).unwrap();
            assert_eq!(at.hour(), utc_hour, "{name}");
            let spaced = read_instant("2026-12-02 08:00:00", &zone(name), DayEnd::Start).unwrap();
            assert_eq!(at, spaced);
        }
    }

    #[test]
    fn a_date_is_the_whole_local_day() {
        let jakarta = zone("Asia/Jakarta");
        let start = read_instant("2026-12-01", &jakarta, DayEnd::Start).unwrap();
        let end = read_instant("2026-12-01", &jakarta, DayEnd::End).unwrap();
        assert_eq!(start, utc("2026-11-30T17:00:00Z"));
        assert_eq!(end, utc("2026-12-01T16:59:59.999999Z"));
    }

    #[test]
    fn bad_times_are_refused_with_what_was_expected() {
        let jakarta = zone("Asia/Jakarta");
        for bad in [
            "",
            "kemarin",
            "2026-13-01",
            "2026-02-30",
            "2026-12-01T25:00",
            "2026-12-01T08:00+99:00",
        ] {
            let error = read_instant(bad, &jakarta, DayEnd::Start).unwrap_err();
            assert!(error.starts_with("not a"), "{bad}: {error}");
        }
        assert!(read_rfc3339("2026-12-01T08:00").is_err());
        assert!(read_rfc3339("2026-12-01").is_err());
    }
}
