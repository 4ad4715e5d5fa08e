//! Calendar durations and CDSi date arithmetic (CALCDT-1 to CALCDT-6).

use std::fmt;
use std::str::FromStr;

use time::{Date, Month};

use crate::error::DurationError;

/// A calendar duration such as `6 weeks - 4 days` or `3 months + 4 weeks`.
///
/// Ages and intervals in a schedule are calendar durations, not fixed numbers of days:
/// adding one to a date follows CDSi's rules (CALCDT-1 to CALCDT-6). Years are added
/// first holding month and day, then months holding the day, then weeks and days as a
/// number of days; a date that does not exist (31 September) moves forward to the first
/// day of the next month.
///
/// Two spellings parse: CDSi's (`6 weeks - 4 days`, `19 years`, `0 days`) and the compact
/// one of schedule files (`6m29d`, `4w`, `18m`, `24h`, where hours must be whole days).
///
/// # Examples
///
/// ```
/// use sehat_immunization::Duration;
/// use time::macros::date;
///
/// let d: Duration = "6 months - 4 days".parse()?;
/// assert_eq!(d.after(date!(2000 - 01 - 31)), date!(2000 - 07 - 27));
/// let m: Duration = "6m".parse()?;
/// assert_eq!(m.after(date!(2000 - 03 - 31)), date!(2000 - 10 - 01));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Duration {
    years: i32,
    months: i32,
    days: i32,
}

impl Duration {
    /// The empty duration.
    pub const ZERO: Duration = Duration {
        years: 0,
        months: 0,
        days: 0,
    };

    /// A duration of whole years, months and days (weeks are seven days).
    #[must_use]
    pub const fn new(years: i32, months: i32, days: i32) -> Self {
        Duration {
            years,
            months,
            days,
        }
    }

    /// A duration of `days` days.
    #[must_use]
    pub const fn days(days: i32) -> Self {
        Duration::new(0, 0, days)
    }

    /// A duration of `months` calendar months.
    #[must_use]
    pub const fn months(months: i32) -> Self {
        Duration::new(0, months, 0)
    }

    /// The duration with `days` more days (negative for fewer), saturating at the
    /// bounds of `i32`.
    #[must_use]
    pub const fn plus_days(self, days: i32) -> Self {
        Duration::new(self.years, self.months, self.days.saturating_add(days))
    }

    /// The duration with `days` fewer days, as a grace period is subtracted from a
    /// minimum age; saturating at the bounds of `i32`.
    #[must_use]
    pub const fn minus_days(self, days: i32) -> Self {
        Duration::new(self.years, self.months, self.days.saturating_sub(days))
    }

    /// The date this duration after `date`, by CDSi's rules. Dates beyond the range of
    /// [`time::Date`] saturate at its minimum or maximum.
    #[must_use]
    pub fn after(self, date: Date) -> Date {
        let date = add_months(date, self.years.saturating_mul(12));
        let date = add_months(date, self.months);
        add_days(date, self.days)
    }

    /// The date this duration before `date` (each component subtracted).
    #[must_use]
    pub fn before(self, date: Date) -> Date {
        Duration::new(-self.years, -self.months, -self.days).after(date)
    }
}

fn add_months(date: Date, months: i32) -> Date {
    if months == 0 {
        return date;
    }
    let (year, month, day) = date.to_calendar_date();
    let index = i64::from(year) * 12 + i64::from(month as u8) - 1 + i64::from(months);
    let Ok(year) = i32::try_from(index.div_euclid(12)) else {
        return if months > 0 { Date::MAX } else { Date::MIN };
    };
    if year > Date::MAX.year() {
        return Date::MAX;
    }
    if year < Date::MIN.year() {
        return Date::MIN;
    }
    let month0 = u8::try_from(index.rem_euclid(12)).unwrap_or(0);
    let Ok(month) = Month::try_from(month0 + 1) else {
        return date;
    };
    match Date::from_calendar_date(year, month, day) {
        Ok(d) => d,
        // CALCDT-5: an impossible date moves forward to the first of the next month.
        Err(_) => {
            let next = month.next();
            let year = if next == Month::January {
                year + 1
            } else {
                year
            };
            Date::from_calendar_date(year, next, 1).unwrap_or(Date::MAX)
        }
    }
}

fn add_days(date: Date, days: i32) -> Date {
    if days == 0 {
        return date;
    }
    match date.checked_add(time::Duration::days(i64::from(days))) {
        Some(d) => d,
        None if days > 0 => Date::MAX,
        None => Date::MIN,
    }
}

impl FromStr for Duration {
    type Err = DurationError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let text = s.trim();
        if text.is_empty() {
            return Err(DurationError::new(s, "empty duration"));
        }
        if text.contains(' ') || text.contains('+') || text.chars().skip(1).any(|c| c == '-') {
            parse_spelled(s, text)
        } else {
            parse_compact(s, text)
        }
    }
}

fn apply(
    d: &mut Duration,
    sign: i32,
    amount: i32,
    unit: &str,
    original: &str,
) -> Result<(), DurationError> {
    let amount = amount * sign;
    // Many terms can add up past `i32`: an error, not an overflow.
    let add = |total: &mut i32, amount: i32| -> Result<(), DurationError> {
        *total = total
            .checked_add(amount)
            .ok_or_else(|| DurationError::new(original, "the total is too large"))?;
        Ok(())
    };
    match unit.to_ascii_lowercase().trim_end_matches('s') {
        "year" | "y" => add(&mut d.years, amount)?,
        "month" | "m" => add(&mut d.months, amount)?,
        "week" | "w" => add(&mut d.days, amount * 7)?,
        "day" | "d" => add(&mut d.days, amount)?,
        "h" | "hour" => {
            if amount % 24 != 0 {
                return Err(DurationError::new(original, "hours must be whole days"));
            }
            add(&mut d.days, amount / 24)?;
        }
        other => {
            return Err(DurationError::new(
                original,
                &format!("unknown unit `{other}`"),
            ));
        }
    }
    Ok(())
}

fn parse_amount(token: &str, original: &str) -> Result<i32, DurationError> {
    token
        .parse::<i32>()
        .ok()
        .filter(|n| (0..=100_000).contains(n))
        .ok_or_else(|| DurationError::new(original, &format!("`{token}` is not a whole number")))
}

fn parse_spelled(original: &str, text: &str) -> Result<Duration, DurationError> {
    let mut d = Duration::ZERO;
    let mut sign = 1;
    let mut tokens = text.split_whitespace().peekable();
    let mut expect_term = true;
    while let Some(token) = tokens.next() {
        if !expect_term {
            sign = match token {
                "+" => 1,
                "-" | "–" => -1,
                _ => {
                    return Err(DurationError::new(
                        original,
                        "expected `+` or `-` between terms",
                    ));
                }
            };
            expect_term = true;
            continue;
        }
        let (number, unit) = match token.find(|c: char| !c.is_ascii_digit()) {
            Some(i) if i > 0 => (&token[..i], token[i..].to_string()),
            _ => {
                let unit = tokens
                    .next()
                    .ok_or_else(|| DurationError::new(original, "a number without a unit"))?;
                (token, unit.to_string())
            }
        };
        let amount = parse_amount(number, original)?;
        apply(&mut d, sign, amount, &unit, original)?;
        expect_term = false;
    }
    if expect_term {
        return Err(DurationError::new(original, "ends with an operator"));
    }
    Ok(d)
}

fn parse_compact(original: &str, text: &str) -> Result<Duration, DurationError> {
    let mut d = Duration::ZERO;
    let (sign, mut rest) = match text.strip_prefix('-') {
        Some(r) => (-1, r),
        None => (1, text),
    };
    if rest.is_empty() {
        return Err(DurationError::new(original, "empty duration"));
    }
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        if digits == 0 {
            return Err(DurationError::new(original, "expected a number"));
        }
        let amount = parse_amount(&rest[..digits], original)?;
        rest = &rest[digits..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(rest.len());
        if unit_len == 0 {
            return Err(DurationError::new(original, "a number without a unit"));
        }
        apply(&mut d, sign, amount, &rest[..unit_len], original)?;
        rest = &rest[unit_len..];
    }
    Ok(d)
}

impl fmt::Display for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut wrote = false;
        for (n, unit) in [(self.years, "y"), (self.months, "m"), (self.days, "d")] {
            if n != 0 {
                if n < 0 || wrote {
                    write!(f, "{}", if n < 0 { "-" } else { "+" })?;
                }
                write!(f, "{}{unit}", n.abs())?;
                wrote = true;
            }
        }
        if !wrote {
            write!(f, "0d")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn d(s: &str) -> Duration {
        s.parse().unwrap()
    }

    #[test]
    fn calcdt_examples_from_the_specification() {
        // Table 3-6.
        assert_eq!(
            d("3 years").after(date!(2000 - 01 - 01)),
            date!(2003 - 01 - 01)
        );
        assert_eq!(
            d("6 months").after(date!(2000 - 01 - 01)),
            date!(2000 - 07 - 01)
        );
        assert_eq!(
            d("6 months").after(date!(2000 - 11 - 01)),
            date!(2001 - 05 - 01)
        );
        assert_eq!(
            d("3 days").after(date!(2000 - 01 - 01)),
            date!(2000 - 01 - 04)
        );
        assert_eq!(
            d("3 weeks").after(date!(2000 - 01 - 01)),
            date!(2000 - 01 - 22)
        );
        assert_eq!(
            d("5 weeks").after(date!(2000 - 02 - 01)),
            date!(2000 - 03 - 07)
        );
        assert_eq!(
            d("5 weeks").after(date!(2001 - 02 - 01)),
            date!(2001 - 03 - 08)
        );
        assert_eq!(
            Duration::days(4).before(date!(2000 - 01 - 15)),
            date!(2000 - 01 - 11)
        );
        assert_eq!(
            d("6 months").after(date!(2000 - 03 - 31)),
            date!(2000 - 10 - 01)
        );
        assert_eq!(
            d("6 months").after(date!(2000 - 08 - 31)),
            date!(2001 - 03 - 01)
        );
        assert_eq!(
            d("6 months - 4 days").after(date!(2000 - 01 - 31)),
            date!(2000 - 07 - 27)
        );
    }

    #[test]
    fn years_are_added_before_months() {
        // 29 Feb + 1 year rolls to 1 March, then + 1 month = 1 April.
        assert_eq!(
            d("1 year + 1 month").after(date!(2000 - 02 - 29)),
            date!(2001 - 04 - 01)
        );
    }

    #[test]
    fn both_spellings_parse() {
        assert_eq!(d("6m29d"), Duration::new(0, 6, 29));
        assert_eq!(d("4w"), Duration::days(28));
        assert_eq!(d("24h"), Duration::days(1));
        assert_eq!(d("3 months + 4 weeks"), Duration::new(0, 3, 28));
        assert_eq!(d("1 years - 4 days"), Duration::new(1, 0, -4));
        assert_eq!(d("0 days"), Duration::ZERO);
        assert_eq!(d("-4d"), Duration::days(-4));
    }

    #[test]
    fn totals_past_i32_are_errors_and_grace_saturates() {
        let long = vec!["100000 years"; 30_000].join(" + ");
        assert!(long.parse::<Duration>().is_err());
        assert_eq!(
            Duration::days(5).minus_days(i32::MIN),
            Duration::days(i32::MAX)
        );
        assert_eq!(
            Duration::days(-5).plus_days(i32::MIN),
            Duration::days(i32::MIN)
        );
    }

    #[test]
    fn bad_durations_are_errors() {
        for bad in [
            "",
            "6",
            "six weeks",
            "6 fortnights",
            "5h",
            "6 weeks -",
            "m6",
        ] {
            assert!(bad.parse::<Duration>().is_err(), "{bad:?} parsed");
        }
    }

    #[test]
    fn saturates_instead_of_overflowing() {
        assert_eq!(d("99999 years").after(date!(2000 - 01 - 01)), Date::MAX);
    }
}
