//! Age, in days or in months, and WHO's two derived ages.

/// Days per month in WHO's standards: 365.25 / 12.
pub const DAYS_PER_MONTH: f64 = 30.4375;

/// The age of a child, as given: in days or in months.
///
/// WHO's 0–5 y standards look tables up by the age in whole days (rounded half up from
/// the given value) and apply their limits (under 60 months, under 9 months) to the
/// unrounded age in months; both are derived from this value.
///
/// # Examples
///
/// ```
/// use sehat_anthro::Age;
///
/// assert_eq!(Age::Months(24.0).table_days(), Some(731)); // 730.5 rounds up
/// assert_eq!(Age::Days(730.49).table_days(), Some(730));
/// assert!(Age::Days(1826.4).months() > 60.0);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Age {
    /// Age in days (may have a fraction).
    Days(f64),
    /// Age in months (may have a fraction).
    Months(f64),
}

impl Age {
    /// The age in days used to look up the daily tables: the age in days (months ×
    /// 30.4375) rounded half up. `None` when the age is negative, NaN or too large to
    /// be a day count.
    #[must_use]
    pub fn table_days(self) -> Option<i64> {
        let days = match self {
            Self::Days(d) => d,
            Self::Months(m) => m * DAYS_PER_MONTH,
        };
        if !(0.0..2_147_483_647.0).contains(&days) {
            return None;
        }
        let whole = days.floor();
        let rounded = if days - whole >= 0.5 {
            whole + 1.0
        } else {
            whole
        };
        // In range of i64 by the check above.
        Some(rounded as i64)
    }

    /// The unrounded age in months (days / 30.4375), used for WHO's age limits.
    #[must_use]
    pub fn months(self) -> f64 {
        match self {
            Self::Days(d) => d / DAYS_PER_MONTH,
            Self::Months(m) => m,
        }
    }

    /// True for a usable age: finite and not negative.
    #[must_use]
    pub fn is_valid(self) -> bool {
        let v = match self {
            Self::Days(v) | Self::Months(v) => v,
        };
        v.is_finite() && v >= 0.0
    }
}
