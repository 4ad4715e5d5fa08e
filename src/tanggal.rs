//! Dates as Indonesians write and read them: `10 Maret 2025`, `Kamis, 26 November 2026`,
//! and the two ways the examples read a date (strict ISO for files and flags, and the
//! looser day-first spellings people type in a chat).
//!
//! # Examples
//!
//! ```
//! use sehat::tanggal::{hari_tanggal, parse, parse_iso, tanggal};
//! use time::macros::date;
//!
//! assert_eq!(tanggal(date!(2025 - 03 - 10)), "10 Maret 2025");
//! assert_eq!(hari_tanggal(date!(2026 - 11 - 26)), "Kamis, 26 November 2026");
//! assert_eq!(parse("10/03/2025"), Some(date!(2025 - 03 - 10)));
//! assert_eq!(parse_iso("2025-03-10")?, date!(2025 - 03 - 10));
//! assert!(parse_iso("10-03-2025").is_err());
//! # Ok::<(), sehat::tanggal::DateError>(())
//! ```

use std::fmt;

use time::macros::format_description;
use time::{Date, Month};

const BULAN: [&str; 12] = [
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
];

const HARI: [&str; 7] = [
    "Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu",
];

/// The date in Bahasa Indonesia, day first: `10 Maret 2025`.
///
/// # Examples
///
/// ```
/// use time::macros::date;
///
/// assert_eq!(sehat::tanggal::tanggal(date!(2026 - 01 - 01)), "1 Januari 2026");
/// ```
#[must_use]
pub fn tanggal(date: Date) -> String {
    let month = BULAN[usize::from(u8::from(date.month())) - 1];
    format!("{} {month} {}", date.day(), date.year())
}

/// The weekday and the date in Bahasa Indonesia: `Kamis, 26 November 2026`.
///
/// # Examples
///
/// ```
/// use time::macros::date;
///
/// assert_eq!(
///     sehat::tanggal::hari_tanggal(date!(2026 - 11 - 29)),
///     "Minggu, 29 November 2026"
/// );
/// ```
#[must_use]
pub fn hari_tanggal(date: Date) -> String {
    let day = HARI[usize::from(date.weekday().number_days_from_monday())];
    format!("{day}, {}", tanggal(date))
}

/// A date as people type it in a message: `2025-03-10`, `10-03-2025`, `10/03/2025` or
/// `10.03.2025` (year first or day first, the year in four digits, `-`, `/` or `.`
/// between the parts, leading zeros optional). `None` when it is not a calendar date.
///
/// # Examples
///
/// ```
/// use time::macros::date;
///
/// assert_eq!(sehat::tanggal::parse("2025-3-1"), Some(date!(2025 - 03 - 01)));
/// assert_eq!(sehat::tanggal::parse("31/02/2025"), None);
/// assert_eq!(sehat::tanggal::parse("BCG"), None);
/// ```
#[must_use]
pub fn parse(word: &str) -> Option<Date> {
    let parts: Vec<&str> = word.split(['-', '/', '.']).collect();
    let [a, b, c] = parts.as_slice() else {
        return None;
    };
    let (year, month, day) = if a.len() == 4 {
        (a, b, c)
    } else if c.len() == 4 {
        (c, b, a)
    } else {
        return None;
    };
    let month = Month::try_from(month.parse::<u8>().ok()?).ok()?;
    Date::from_calendar_date(year.parse().ok()?, month, day.parse().ok()?).ok()
}

/// A date written `YYYY-MM-DD`, as files and command-line flags give it: two-digit month
/// and day, nothing around it.
///
/// # Errors
///
/// [`DateError`], which quotes `text`, when it is not such a date.
///
/// # Examples
///
/// ```
/// use time::macros::date;
///
/// assert_eq!(sehat::tanggal::parse_iso("2026-11-26")?, date!(2026 - 11 - 26));
/// let error = sehat::tanggal::parse_iso("2026-11-31").unwrap_err();
/// assert!(error.to_string().starts_with("`2026-11-31` is not a date (YYYY-MM-DD)"));
/// # Ok::<(), sehat::tanggal::DateError>(())
/// ```
pub fn parse_iso(text: &str) -> Result<Date, DateError> {
    Date::parse(text, format_description!("[year]-[month]-[day]")).map_err(|source| DateError {
        text: text.to_owned(),
        source,
    })
}

/// A text that is not a `YYYY-MM-DD` date ([`parse_iso`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateError {
    text: String,
    source: time::error::Parse,
}

impl DateError {
    /// The text that was read.
    #[must_use]
    pub fn text(&self) -> &str {
        &self.text
    }
}

impl fmt::Display for DateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "`{}` is not a date (YYYY-MM-DD): {}",
            self.text, self.source
        )
    }
}

impl std::error::Error for DateError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn every_month_and_weekday_has_its_indonesian_name() {
        let first_days: Vec<String> = (1..=12u8)
            .map(|m| {
                tanggal(Date::from_calendar_date(2026, Month::try_from(m).unwrap(), 1).unwrap())
            })
            .collect();
        assert_eq!(first_days[0], "1 Januari 2026");
        assert_eq!(first_days[4], "1 Mei 2026");
        assert_eq!(first_days[11], "1 Desember 2026");
        // 2026-11-23 is a Monday.
        let week: Vec<String> = (23..=29u8)
            .map(|d| hari_tanggal(Date::from_calendar_date(2026, Month::November, d).unwrap()))
            .collect();
        assert_eq!(week[0], "Senin, 23 November 2026");
        assert_eq!(week[4], "Jumat, 27 November 2026");
        assert_eq!(week[6], "Minggu, 29 November 2026");
    }

    #[test]
    fn typed_dates_are_read_year_first_or_day_first() {
        for text in [
            "2025-03-10",
            "10-03-2025",
            "10/03/2025",
            "10.3.2025",
            "2025/3/10",
        ] {
            assert_eq!(parse(text), Some(date!(2025 - 03 - 10)), "{text}");
        }
        for text in [
            "",
            "2025",
            "10-03-25",
            "2025-13-01",
            "29-02-2025",
            "a-b-2025",
            "1-2-3-4",
        ] {
            assert_eq!(parse(text), None, "{text}");
        }
    }

    #[test]
    fn iso_dates_are_strict() {
        assert_eq!(parse_iso("2024-02-29").unwrap(), date!(2024 - 02 - 29));
        for text in ["2025-3-10", " 2025-03-10", "10-03-2025", "2025-02-29", ""] {
            let error = parse_iso(text).unwrap_err();
            assert_eq!(error.text(), text);
            assert!(
                error
                    .to_string()
                    .starts_with(&format!("`{text}` is not a date (YYYY-MM-DD): ")),
                "{error}"
            );
        }
    }
}
