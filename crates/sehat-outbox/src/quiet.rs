//! Quiet hours: no message reaches a phone at night in the recipient's own time zone.

use time::OffsetDateTime;

use crate::model::{TimeZoneError, TimeZoneName};

/// A daily quiet period in local time, `start` to `end` (wrapping midnight when
/// `start > end`); the default is 21:00–07:00.
///
/// # Examples
///
/// ```
/// use sehat_outbox::model::TimeZoneName;
/// use sehat_outbox::quiet::QuietHours;
/// use time::macros::datetime;
///
/// let quiet = QuietHours::default();
/// let jayapura = TimeZoneName::new("Asia/Jayapura")?; // UTC+9
/// // 13:30 UTC is 22:30 in Jayapura: wait until 07:00 there (22:00 UTC).
/// assert_eq!(
///     quiet.next_allowed(datetime!(2026-05-04 13:30 UTC), &jayapura)?,
///     Some(datetime!(2026-05-04 22:00 UTC))
/// );
/// // It is 20:30 in Jakarta (UTC+7): fine.
/// let jakarta = TimeZoneName::new("Asia/Jakarta")?;
/// assert_eq!(quiet.next_allowed(datetime!(2026-05-04 13:30 UTC), &jakarta)?, None);
/// # Ok::<(), sehat_outbox::model::TimeZoneError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuietHours {
    start: (u8, u8),
    end: (u8, u8),
}

impl Default for QuietHours {
    fn default() -> Self {
        QuietHours {
            start: (21, 0),
            end: (7, 0),
        }
    }
}

impl QuietHours {
    /// Quiet from `start` to `end` (hour, minute), local time. Equal times mean no quiet
    /// period. Out-of-range values are clamped (24:00 and beyond to 23:59).
    #[must_use]
    pub fn new(start: (u8, u8), end: (u8, u8)) -> QuietHours {
        let clamp = |(h, m): (u8, u8)| {
            if h > 23 { (23, 59) } else { (h, m.min(59)) }
        };
        QuietHours {
            start: clamp(start),
            end: clamp(end),
        }
    }

    fn minutes(t: (u8, u8)) -> u16 {
        u16::from(t.0) * 60 + u16::from(t.1)
    }

    /// `None` when a message may go at `now` in `zone`; otherwise the instant the quiet
    /// period ends there (the first local `end` time after `now`).
    ///
    /// # Errors
    ///
    /// [`TimeZoneError`] when the zone is not in the database.
    pub fn next_allowed(
        &self,
        now: OffsetDateTime,
        zone: &TimeZoneName,
    ) -> Result<Option<OffsetDateTime>, TimeZoneError> {
        let (start, end) = (Self::minutes(self.start), Self::minutes(self.end));
        if start == end {
            return Ok(None);
        }
        let tz = zone.zone()?;
        let bad = || TimeZoneError {
            found: zone.as_str().to_owned(),
        };
        let ts = jiff::Timestamp::from_nanosecond(now.unix_timestamp_nanos()).map_err(|_| bad())?;
        let local = ts.to_zoned_datetime(tz.clone());
        let minute = u16::try_from(local.hour()).unwrap_or(0) * 60
            + u16::try_from(local.minute()).unwrap_or(0);
        let quiet = if start < end {
            minute >= start && minute < end
        } else {
            minute >= start || minute < end
        };
        if !quiet {
            return Ok(None);
        }
        let date = local.date();
        let end_time = jiff::civil::time(
            i8::try_from(self.end.0).unwrap_or(0),
            i8::try_from(self.end.1).unwrap_or(0),
            0,
            0,
        );
        let mut target = date.to_datetime(end_time);
        if minute >= end {
            target = date.tomorrow().map_err(|_| bad())?.to_datetime(end_time);
        }
        let zoned = target.to_zoned_datetime(tz).map_err(|_| bad())?;
        let nanos = zoned.timestamp().as_nanosecond();
        Ok(Some(
            OffsetDateTime::from_unix_timestamp_nanos(nanos).map_err(|_| bad())?,
        ))
    }
}
