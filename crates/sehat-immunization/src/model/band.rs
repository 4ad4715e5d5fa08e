//! Age bands of a series dose over completed months, with the band's label as the
//! schedule gives it (the Buku KIA colour bands of `id-kemenkes`).

use std::fmt;

use time::Date;

use crate::model::duration::Duration;

/// A Buku KIA colour band ("Jadwal Imunisasi Lengkap Bayi dan Balita").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Band {
    /// White: *dianjurkan* (recommended age).
    Dianjurkan,
    /// Yellow: *masih diperbolehkan* (still allowed, "rentang diperbolehkan").
    MasihDiperbolehkan,
    /// Orange: *imunisasi kejar* (catch-up).
    ImunisasiKejar,
    /// Grey: *tidak diperbolehkan* (not allowed).
    TidakDiperbolehkan,
}

impl fmt::Display for Band {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Band::Dianjurkan => "dianjurkan",
            Band::MasihDiperbolehkan => "masih diperbolehkan",
            Band::ImunisasiKejar => "imunisasi kejar",
            Band::TidakDiperbolehkan => "tidak diperbolehkan",
        })
    }
}

/// One band over completed months `[from, to]` (inclusive month columns).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BandRange {
    pub(crate) band: Band,
    pub(crate) from_month: i32,
    pub(crate) to_month: i32,
}

/// Completed months of age on `on`.
fn completed_months(dob: Date, on: Date) -> i32 {
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
        (Some(_), Some(n)) if n.band == Band::MasihDiperbolehkan => Some(Band::MasihDiperbolehkan),
        (Some(p), Some(_)) => Some(p.band),
        _ => Some(Band::TidakDiperbolehkan),
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
