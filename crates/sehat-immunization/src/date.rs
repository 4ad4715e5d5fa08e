//! Calendar dates as the schedules and patient files write them.

use time::Date;

/// Parses `YYYYMMDD`, `YYYY-MM-DD` or `MM/DD/YYYY`.
pub(crate) fn parse_date(s: &str) -> Option<Date> {
    let s = s.trim();
    let (y, m, d): (i32, u8, u8) = if s.len() == 8 && s.bytes().all(|b| b.is_ascii_digit()) {
        (
            s.get(0..4)?.parse().ok()?,
            s.get(4..6)?.parse().ok()?,
            s.get(6..8)?.parse().ok()?,
        )
    } else if let [y, m, d] = s.split('-').collect::<Vec<_>>()[..] {
        (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
    } else if let [m, d, y] = s.split('/').collect::<Vec<_>>()[..] {
        (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
    } else {
        return None;
    };
    let month = time::Month::try_from(m).ok()?;
    Date::from_calendar_date(y, month, d).ok()
}
