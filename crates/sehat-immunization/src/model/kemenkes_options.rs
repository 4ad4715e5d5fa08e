//! The choices a Kemenkes schedule was loaded with, kept with the schedule.

use crate::model::duration::Duration;

/// The choices made where Kemenkes sources conflict (see the crate's `docs/decisions.md`),
/// each configurable. [`Default`] gives the choices `id-kemenkes` ships with.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct KemenkesOptions {
    /// Grace period in days (Kemenkes defines none: 0).
    pub grace_period_days: i32,
    /// HB0 maximum age (exclusive): `7d` ("< 7 hari", default) or `8d` (inclusive "0–7 hari").
    pub hb0_max_age: Duration,
    /// PCV 3 maximum age: `60m` (Buku KIA chart kejar band, default) or `24m` (PCV slide).
    pub pcv3_max_age: Duration,
    /// IPV 2 minimum interval after IPV 1: `4m` (2024+, default) or `28d` (2023 transition).
    pub ipv2_min_interval: Duration,
    /// RV 1 maximum age: `5m` (chart transcriptions A and C, default) or `7m` (B).
    pub rv1_max_age: Duration,
    /// Use WHO minimum ages (6 weeks) for DPT-HB-Hib 1, bOPV 2, PCV 1 and RV 1 instead of
    /// the Buku KIA chart's month columns (2 months, default `false`).
    pub who_minimum_ages: bool,
    /// Age from which school (BIAS) series apply to a child without a known school grade,
    /// and from which doses count for them: `60m` (default), when the Buku KIA balita
    /// schedule ends. With a grade, the grade decides.
    pub school_age_from: Duration,
    /// Minimum interval before an HPV dose that a two-dose rule adds (the 2023 rule:
    /// "interval 12 bulan (minimal 6 bulan)"): `6m` (default).
    pub hpv_second_dose_min_interval: Duration,
    /// Ages of women of childbearing age (*wanita usia subur*), `[from, until)`: `15y`
    /// to `50y` (default).
    pub wus_ages: (Duration, Duration),
    /// Credit childhood doses toward a woman's T-status by the screening table
    /// (DPT-HB-Hib 1–3 → T2, lanjutan → T3, DT kelas 1 → T4, Td kelas 2 → T5; default
    /// `true`, as the doc gives it, unverified). With `false`, only Td doses from the
    /// first WUS age count, one T step each.
    pub childhood_t_status: bool,
}

impl Default for KemenkesOptions {
    fn default() -> Self {
        KemenkesOptions {
            grace_period_days: 0,
            hb0_max_age: Duration::days(7),
            pcv3_max_age: Duration::months(60),
            ipv2_min_interval: Duration::months(4),
            rv1_max_age: Duration::months(5),
            who_minimum_ages: false,
            school_age_from: Duration::months(60),
            hpv_second_dose_min_interval: Duration::months(6),
            wus_ages: (Duration::new(15, 0, 0), Duration::new(50, 0, 0)),
            childhood_t_status: true,
        }
    }
}

/// Kemenkes-specific data kept with the schedule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct KemenkesExtras {
    pub(crate) options: KemenkesOptions,
}
