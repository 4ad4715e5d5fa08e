//! The age in completed months, counted on the calendar as the Buku KIA counts it.

use time::Date;

/// The age in completed calendar months on `date` of a child born on `date_of_birth`,
/// the age the Buku KIA plots a weighing at; `None` when `date` is before the birth.
///
/// A month is completed on the same day of the month as the birth day: a child born on
/// 15 January is 0 months old until 14 February and 1 month old from 15 February. When
/// the month has no such day (born on the 31st, or on 29 February), the month is
/// completed on its last day: a child born on 31 January is 1 month old on 28 February
/// (29 February in a leap year).
///
/// This is not WHO's age in months (days / 30.4375), which the z-scores use through the
/// age in days: the two differ by a day or two around each month's birthday.
///
/// # Examples
///
/// ```
/// use sehat_anthro::monitoring::completed_months;
/// use time::macros::date;
///
/// assert_eq!(completed_months(date!(2024-01-15), date!(2024-02-14)), Some(0));
/// assert_eq!(completed_months(date!(2024-01-15), date!(2024-02-15)), Some(1));
/// assert_eq!(completed_months(date!(2024-01-31), date!(2024-02-29)), Some(1));
/// assert_eq!(completed_months(date!(2023-01-31), date!(2023-02-28)), Some(1));
/// assert_eq!(completed_months(date!(2024-01-15), date!(2026-01-15)), Some(24));
/// assert_eq!(completed_months(date!(2024-01-15), date!(2024-01-14)), None);
/// ```
#[must_use]
pub fn completed_months(date_of_birth: Date, date: Date) -> Option<u32> {
    if date < date_of_birth {
        return None;
    }
    let months = (i64::from(date.year()) - i64::from(date_of_birth.year())) * 12
        + i64::from(u8::from(date.month()))
        - i64::from(u8::from(date_of_birth.month()));
    let month_days = date.month().length(date.year());
    let birthday = date_of_birth.day().min(month_days);
    let completed = if date.day() >= birthday {
        months
    } else {
        months - 1
    };
    u32::try_from(completed).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn months_turn_on_the_birthday() {
        let born = date!(2023 - 05 - 20);
        assert_eq!(completed_months(born, born), Some(0));
        assert_eq!(completed_months(born, date!(2023 - 06 - 19)), Some(0));
        assert_eq!(completed_months(born, date!(2023 - 06 - 20)), Some(1));
        assert_eq!(completed_months(born, date!(2023 - 07 - 19)), Some(1));
        assert_eq!(completed_months(born, date!(2023 - 07 - 20)), Some(2));
        assert_eq!(completed_months(born, date!(2024 - 05 - 19)), Some(11));
        assert_eq!(completed_months(born, date!(2028 - 05 - 20)), Some(60));
        assert_eq!(completed_months(born, date!(2023 - 05 - 19)), None);
    }

    #[test]
    fn short_months_complete_on_their_last_day() {
        let born = date!(2024 - 01 - 31);
        assert_eq!(completed_months(born, date!(2024 - 02 - 28)), Some(0));
        assert_eq!(completed_months(born, date!(2024 - 02 - 29)), Some(1));
        assert_eq!(completed_months(born, date!(2024 - 03 - 30)), Some(1));
        assert_eq!(completed_months(born, date!(2024 - 03 - 31)), Some(2));
        assert_eq!(completed_months(born, date!(2024 - 04 - 30)), Some(3));
        let leap = date!(2024 - 02 - 29);
        assert_eq!(completed_months(leap, date!(2025 - 02 - 28)), Some(12));
        assert_eq!(completed_months(leap, date!(2024 - 03 - 28)), Some(0));
        assert_eq!(completed_months(leap, date!(2024 - 03 - 29)), Some(1));
    }

    #[test]
    fn extreme_dates_do_not_overflow() {
        assert_eq!(completed_months(Date::MAX, Date::MIN), None);
        let months = completed_months(Date::MIN, Date::MAX).unwrap();
        assert!(months > 200_000, "{months}");
    }
}
