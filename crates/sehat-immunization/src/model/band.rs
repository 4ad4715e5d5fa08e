//! Age bands of a series dose over completed months (the Buku KIA colour bands of
//! `id-kemenkes`); each schedule names the kinds in its own words.

use std::fmt;

use time::Date;

use crate::model::duration::Duration;

/// What an age band of a dose says on a date: the dose is recommended, still allowed,
/// a catch-up dose, or not allowed. The words a schedule shows for each kind are data
/// ([`Schedule::band_label`](crate::Schedule::band_label)): `id-kemenkes` gives the Buku
/// KIA chart's (*dianjurkan*, *masih diperbolehkan*, *imunisasi kejar*, *tidak
/// diperbolehkan*).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Band {
    /// The recommended age (Buku KIA: white, *dianjurkan*).
    Recommended,
    /// Past the recommended age and still allowed (yellow, *masih diperbolehkan*).
    Allowed,
    /// Catch-up (orange, *imunisasi kejar*).
    CatchUp,
    /// Not allowed at this age (grey, *tidak diperbolehkan*).
    NotAllowed,
}

#[allow(non_upper_case_globals)]
impl Band {
    /// The Buku KIA name of [`Band::Recommended`].
    #[deprecated(note = "use Band::Recommended; the Buku KIA words are Schedule::band_label")]
    pub const Dianjurkan: Band = Band::Recommended;
    /// The Buku KIA name of [`Band::Allowed`].
    #[deprecated(note = "use Band::Allowed; the Buku KIA words are Schedule::band_label")]
    pub const MasihDiperbolehkan: Band = Band::Allowed;
    /// The Buku KIA name of [`Band::CatchUp`].
    #[deprecated(note = "use Band::CatchUp; the Buku KIA words are Schedule::band_label")]
    pub const ImunisasiKejar: Band = Band::CatchUp;
    /// The Buku KIA name of [`Band::NotAllowed`].
    #[deprecated(note = "use Band::NotAllowed; the Buku KIA words are Schedule::band_label")]
    pub const TidakDiperbolehkan: Band = Band::NotAllowed;

    /// The kind's neutral name (`recommended`, `allowed`, `catch-up`, `not allowed`),
    /// the label of a schedule that gives none.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Band::Recommended => "recommended",
            Band::Allowed => "allowed",
            Band::CatchUp => "catch-up",
            Band::NotAllowed => "not allowed",
        }
    }
}

impl fmt::Display for Band {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One band over completed months `[from, to]` (inclusive month columns).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct BandRange {
    pub(crate) band: Band,
    pub(crate) from_month: i32,
    pub(crate) to_month: i32,
}

/// Completed calendar months from `dob` to `on`: the age in months that the Buku KIA
/// bands and the Kemenkes schedule count in.
///
/// A month is completed on the same day of a later month; when that day does not exist
/// (31 April), on the first of the month after, as CDSi adds months to dates (see
/// [`Duration::after`](crate::Duration::after)). Negative when `on` is before `dob`.
///
/// # Examples
///
/// ```
/// use sehat_immunization::completed_months;
/// use time::macros::date;
///
/// assert_eq!(completed_months(date!(2025 - 03 - 10), date!(2026 - 03 - 09)), 11);
/// assert_eq!(completed_months(date!(2025 - 03 - 10), date!(2026 - 03 - 10)), 12);
/// assert_eq!(completed_months(date!(2024 - 01 - 31), date!(2024 - 02 - 29)), 0);
/// assert_eq!(completed_months(date!(2024 - 01 - 31), date!(2024 - 03 - 01)), 1);
/// ```
#[must_use]
pub fn completed_months(dob: Date, on: Date) -> i32 {
    let mut months = (on.year() - dob.year()) * 12
        + (i32::from(on.month() as u8) - i32::from(dob.month() as u8));
    if Duration::months(months).after(dob) > on {
        months -= 1;
    }
    months
}

/// The band of a dose with `bands` for a child born `dob`, on `on`.
pub(crate) fn band_on(bands: &[BandRange], dob: Date, on: Date) -> Option<Band> {
    if bands.is_empty() {
        return None;
    }
    let m = completed_months(dob, on);
    if let Some(b) = bands.iter().find(|b| b.from_month <= m && m <= b.to_month) {
        return Some(b.band);
    }
    let previous = bands
        .iter()
        .filter(|b| b.to_month < m)
        .max_by_key(|b| b.to_month);
    let next = bands
        .iter()
        .filter(|b| b.from_month > m)
        .min_by_key(|b| b.from_month);
    match (previous, next) {
        (Some(_), Some(n)) if n.band == Band::Allowed => Some(Band::Allowed),
        (Some(p), Some(_)) => Some(p.band),
        _ => Some(Band::NotAllowed),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn completed_months_follow_calendar_arithmetic() {
        assert_eq!(
            completed_months(date!(2024 - 01 - 31), date!(2024 - 02 - 29)),
            0
        );
        assert_eq!(
            completed_months(date!(2024 - 01 - 31), date!(2024 - 03 - 01)),
            1
        );
        assert_eq!(
            completed_months(date!(2024 - 01 - 15), date!(2025 - 01 - 15)),
            12
        );
        assert_eq!(
            completed_months(date!(2024 - 01 - 15), date!(2025 - 01 - 14)),
            11
        );
    }
}
