//! Posyandu growth monitoring as the Buku KIA (Buku Kesehatan Ibu dan Anak) does it: from
//! a child's dated weighings, whether the weight went up (**naik, N**) or not (**tidak
//! naik, T**) at each visit, whether the child must be referred to the health worker,
//! and which values look wrong.
//!
//! [`judge`] applies these rules (the sources and every interpretation are in
//! `docs/growth-monitoring.md`):
//!
//! - **Age** is counted in completed calendar months ([`completed_months`]), the column
//!   of the Buku KIA chart a weighing is plotted in.
//! - **N/T** is judged only when the previous weighing was in the previous month of age
//!   (the KBM is a gain per month). Otherwise there is no judgement: a first weighing
//!   (SKDN's "B"), a weighing after a missed month (SKDN's "O", not weighed last month:
//!   no KBM is applied across a gap, nor summed over it), a second weighing in the same
//!   month of age, an age beyond 60 months, or a weight flagged as implausible.
//! - Between consecutive months, in this order: a weight that did not go up (gain ≤ 0 g,
//!   the curve flat or falling) is **T**; a weight whose curve crossed a growth line of
//!   the chart downwards is **T**, upwards **N**; otherwise (the curve stayed between the
//!   same two lines, where the Buku KIA says to use the KBM when the direction is in
//!   doubt) the gain decides: at least the KBM of the current month of age is **N**,
//!   less is **T**. The KBM of month *m* is the least gain from month *m* − 1 to *m*.
//! - **Referral** ([`ReferralReason`]): T; T twice in a row; weight-for-age below the red
//!   line (−3 SD) or above the orange line (+1 SD); a Permenkes No. 2/2020 category other
//!   than normal for weight-for-age, length/height-for-age or weight-for-length/height.
//!   Z-scores WHO flags as implausible give no reason.
//! - **Plausibility** ([`Flag`]): a weight in grams, a length in millimetres, WHO's
//!   single-value flags, a length that shrinks by more than 2.5 cm, a z-score that
//!   jumps by more than 3 between visits. Values are never changed or dropped.
//!
//! # Examples
//!
//! ```
//! use sehat_anthro::Sex;
//! use sehat_anthro::monitoring::{Nt, NtRule, Weighing, judge};
//! use time::macros::date;
//!
//! let born = date!(2024-01-10);
//! let visits = [
//!     Weighing::new(date!(2024-02-12), 4.5),  // 1 month
//!     Weighing::new(date!(2024-03-11), 5.45), // 2 months: +950 g, KBM 900 g
//!     Weighing::new(date!(2024-04-10), 6.05), // 3 months: +600 g, KBM 800 g
//! ];
//! let judged = judge(Sex::Female, born, &visits)?;
//! assert_eq!(judged[0].nt, None);
//! assert_eq!(judged[0].rule, NtRule::FirstWeighing);
//! assert_eq!((judged[1].gain_g, judged[1].kbm_g), (Some(950), Some(900)));
//! assert_eq!(judged[1].nt, Some(Nt::Naik));
//! assert_eq!(judged[2].nt, Some(Nt::TidakNaik));
//! assert!(judged[2].referral());
//! # Ok::<(), sehat_anthro::monitoring::MonitoringError>(())
//! ```

pub(crate) mod buku_kia;
mod calendar;
mod plausibility;

use std::fmt;

use thiserror::Error;
use time::Date;

use crate::classification::{BeratBadanMenurutUmur, StatusGizi, TinggiBadanMenurutUmur};
use crate::{Child, Outcome, Sex, ZScores, zscores};
use buku_kia::LAST_KBM_MONTH;
pub use calendar::completed_months;
use plausibility::History;
pub use plausibility::{Flag, GRAMS_ABOVE_KG, LENGTH_TOLERANCE_CM, MILLIMETRES_ABOVE_CM, Z_JUMP};

/// One weighing of a child at a Posyandu visit.
///
/// # Examples
///
/// ```
/// use sehat_anthro::monitoring::Weighing;
/// use time::macros::date;
///
/// let w = Weighing::new(date!(2024-03-11), 5.45).length_cm(58.2);
/// assert_eq!(w.length_cm, Some(58.2));
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Weighing {
    /// The day of the visit.
    pub date: Date,
    /// Weight in kg.
    pub weight_kg: f64,
    /// Length (under 24 months, lying) or height (standing) in cm, if measured; used as
    /// given, without WHO's ±0.7 cm lying/standing conversion.
    pub length_cm: Option<f64>,
}

impl Weighing {
    /// A weighing without a length.
    #[must_use]
    pub const fn new(date: Date, weight_kg: f64) -> Self {
        Self {
            date,
            weight_kg,
            length_cm: None,
        }
    }

    /// Sets the length or height in cm.
    #[must_use]
    pub const fn length_cm(mut self, cm: f64) -> Self {
        self.length_cm = Some(cm);
        self
    }
}

/// Naik or tidak naik.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Nt {
    /// Naik (N): the weight went up as it should.
    Naik,
    /// Tidak naik (T): the weight did not go up as it should.
    TidakNaik,
}

impl Nt {
    /// `N` or `T`, as the Buku KIA writes it.
    #[must_use]
    pub const fn code(self) -> &'static str {
        match self {
            Self::Naik => "N",
            Self::TidakNaik => "T",
        }
    }
}

impl fmt::Display for Nt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// Which rule gave a visit its N/T, or why it has none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum NtRule {
    /// T: the weight is the same or lower than a month before (the curve is flat or
    /// falls).
    WeightNotGained,
    /// T: the weight went up but its curve crossed a growth line downwards.
    CrossedLineDown,
    /// N: the curve crossed a growth line upwards.
    CrossedLineUp,
    /// N: the curve stayed between the same lines and the gain is at least the KBM.
    KbmMet,
    /// T: the curve stayed between the same lines and the gain is less than the KBM.
    KbmNotMet,
    /// No judgement: the first weighing of the child (SKDN's "B").
    FirstWeighing,
    /// No judgement: the previous weighing is more than one month of age earlier
    /// (SKDN's "O": not weighed last month).
    NotWeighedLastMonth,
    /// No judgement: the previous weighing is in the same month of age.
    SameAgeMonth,
    /// No judgement: the child is older than 60 completed months (no KBM).
    BeyondKbmAges,
    /// No judgement: this weight or the previous one is flagged as implausible
    /// ([`Flag::WeightInGrams`], [`Flag::WhoWeightForAge`], [`Flag::WeightVelocity`]).
    ImplausibleWeight,
}

impl NtRule {
    /// The rule's code, as the CLI writes it.
    #[must_use]
    pub const fn code(self) -> &'static str {
        match self {
            Self::WeightNotGained => "weight_not_gained",
            Self::CrossedLineDown => "crossed_line_down",
            Self::CrossedLineUp => "crossed_line_up",
            Self::KbmMet => "kbm_met",
            Self::KbmNotMet => "kbm_not_met",
            Self::FirstWeighing => "first_weighing",
            Self::NotWeighedLastMonth => "not_weighed_last_month",
            Self::SameAgeMonth => "same_age_month",
            Self::BeyondKbmAges => "beyond_kbm_ages",
            Self::ImplausibleWeight => "implausible_weight",
        }
    }
}

impl fmt::Display for NtRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// Why a visit means referral to the health worker ("rujuk").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ReferralReason {
    /// The weight did not go up (T) (`T`).
    TidakNaik,
    /// T at this visit and at the one a month before (`2T`).
    TidakNaikTwice,
    /// Weight-for-age below the red line, −3 SD (`below_red_line`).
    BelowRedLine,
    /// Weight-for-age above the orange line, +1 SD (`above_orange_line`).
    AboveOrangeLine,
    /// A weight-for-age (BB/U) category other than normal (`bb_u_…`).
    WeightForAge(BeratBadanMenurutUmur),
    /// A length/height-for-age (PB/U, TB/U) category other than normal (`tb_u_…`).
    LengthForAge(TinggiBadanMenurutUmur),
    /// A weight-for-length/height (BB/PB, BB/TB) category other than gizi baik
    /// (`bb_pb_…`).
    WeightForLength(StatusGizi),
}

impl ReferralReason {
    /// The reason's code, as the CLI writes it.
    #[must_use]
    pub const fn code(self) -> &'static str {
        use BeratBadanMenurutUmur as BbU;
        use TinggiBadanMenurutUmur as TbU;
        match self {
            Self::TidakNaik => "T",
            Self::TidakNaikTwice => "2T",
            Self::BelowRedLine => "below_red_line",
            Self::AboveOrangeLine => "above_orange_line",
            Self::WeightForAge(c) => match c {
                BbU::SangatKurang => "bb_u_sangat_kurang",
                BbU::Kurang => "bb_u_kurang",
                BbU::Normal => "bb_u_normal",
                BbU::RisikoLebih => "bb_u_risiko_lebih",
            },
            Self::LengthForAge(c) => match c {
                TbU::SangatPendek => "tb_u_sangat_pendek",
                TbU::Pendek => "tb_u_pendek",
                TbU::Normal => "tb_u_normal",
                TbU::Tinggi => "tb_u_tinggi",
            },
            Self::WeightForLength(c) => match c {
                StatusGizi::GiziBuruk => "bb_pb_gizi_buruk",
                StatusGizi::GiziKurang => "bb_pb_gizi_kurang",
                StatusGizi::GiziBaik => "bb_pb_gizi_baik",
                StatusGizi::BerisikoGiziLebih => "bb_pb_berisiko_gizi_lebih",
                StatusGizi::GiziLebih => "bb_pb_gizi_lebih",
                StatusGizi::Obesitas => "bb_pb_obesitas",
            },
        }
    }
}

impl fmt::Display for ReferralReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// The judgement of one visit.
#[derive(Debug, Clone, PartialEq)]
pub struct VisitJudgement {
    /// Age on the visit in days (as WHO's z-scores use it).
    pub age_days: i64,
    /// Age on the visit in completed months ([`completed_months`]).
    pub age_months: u32,
    /// Weight gain in grams since the previous weighing (by date), rounded to the gram;
    /// `None` for the first.
    pub gain_g: Option<i64>,
    /// The KBM in grams that applies: set when the previous weighing is in the previous
    /// month of age and the age is 1–60 months, whether or not the KBM decided.
    pub kbm_g: Option<u32>,
    /// N or T; `None` when there is no judgement ([`VisitJudgement::rule`] says why).
    pub nt: Option<Nt>,
    /// The rule that decided N/T, or why there is no judgement.
    pub rule: NtRule,
    /// Why the child should be referred; empty when not.
    pub reasons: Vec<ReferralReason>,
    /// Values to check; empty when none.
    pub flags: Vec<Flag>,
    /// WHO's z-scores of the visit (0–5 y standards, age in days, length used as given).
    pub zscores: ZScores,
}

impl VisitJudgement {
    /// True when the child should be referred to the health worker: any reason.
    #[must_use]
    pub fn referral(&self) -> bool {
        !self.reasons.is_empty()
    }
}

/// A child's weighings that cannot be judged. `index` is the position of the weighing in
/// the slice given to [`judge`] (from 0).
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum MonitoringError {
    /// The visit is dated before the date of birth.
    #[error("weighing {index}: the date {date} is before the date of birth {date_of_birth}")]
    BeforeBirth {
        /// The weighing.
        index: usize,
        /// Its date.
        date: Date,
        /// The child's date of birth.
        date_of_birth: Date,
    },
    /// The weight is not a finite positive number.
    #[error("weighing {index}: the weight {weight_kg} is not a finite positive number of kg")]
    InvalidWeight {
        /// The weighing.
        index: usize,
        /// The weight given.
        weight_kg: f64,
    },
    /// The length is not a finite positive number.
    #[error("weighing {index}: the length {length_cm} is not a finite positive number of cm")]
    InvalidLength {
        /// The weighing.
        index: usize,
        /// The length given.
        length_cm: f64,
    },
    /// Two weighings on the same day: which one counts is for the cadre to decide.
    #[error("weighings {first} and {second} are both dated {date}; keep one of them")]
    SameDate {
        /// The earlier of the two in the slice.
        first: usize,
        /// The later of the two in the slice.
        second: usize,
        /// The date.
        date: Date,
    },
    /// An embedded table of the crate is broken (ruled out by the crate's tests).
    #[error("{file} is invalid: {message}")]
    Data {
        /// The file in the crate's `data/`.
        file: &'static str,
        /// What is wrong.
        message: String,
    },
}

/// What the next visit is judged against.
#[derive(Debug, Clone, Copy)]
struct Previous {
    age_months: u32,
    weight_kg: f64,
    weight_z: Option<f64>,
    weight_implausible: bool,
    nt: Option<Nt>,
}

/// Judges every weighing of one child: N/T, referral and plausibility flags.
///
/// The weighings may come in any order; they are judged in date order, and the result
/// has one judgement per weighing **in the order given** (`result[i]` judges
/// `weighings[i]`). The z-scores are WHO's 0–5 y standards for `sex` at the age in days.
///
/// # Errors
///
/// [`MonitoringError`] naming the weighing: a date before `date_of_birth`, a weight that
/// is not a finite positive number, a length given that is not one, two weighings on the
/// same date. Checked in that order, weighing by weighing.
///
/// # Examples
///
/// Two T in a row mean referral:
///
/// ```
/// use sehat_anthro::Sex;
/// use sehat_anthro::monitoring::{Nt, ReferralReason, Weighing, judge};
/// use time::macros::date;
///
/// let born = date!(2023-03-05);
/// let visits = [
///     Weighing::new(date!(2024-07-05), 10.3), // 16 months: T
///     Weighing::new(date!(2024-05-06), 10.0), // 14 months, first
///     Weighing::new(date!(2024-06-05), 10.3), // 15 months: +300 g ≥ 200 g: N
///     Weighing::new(date!(2024-08-06), 10.4), // 17 months: +100 g < 200 g: T
/// ];
/// let judged = judge(Sex::Male, born, &visits)?;
/// assert_eq!(judged[2].nt, Some(Nt::Naik));
/// assert_eq!(judged[0].nt, Some(Nt::TidakNaik));
/// assert_eq!(judged[3].reasons[..2], [ReferralReason::TidakNaik, ReferralReason::TidakNaikTwice]);
/// # Ok::<(), sehat_anthro::monitoring::MonitoringError>(())
/// ```
pub fn judge(
    sex: Sex,
    date_of_birth: Date,
    weighings: &[Weighing],
) -> Result<Vec<VisitJudgement>, MonitoringError> {
    let tables = buku_kia::tables()?;
    for (index, w) in weighings.iter().enumerate() {
        if w.date < date_of_birth {
            return Err(MonitoringError::BeforeBirth {
                index,
                date: w.date,
                date_of_birth,
            });
        }
        if !(w.weight_kg.is_finite() && w.weight_kg > 0.0) {
            return Err(MonitoringError::InvalidWeight {
                index,
                weight_kg: w.weight_kg,
            });
        }
        if let Some(length_cm) = w.length_cm.filter(|l| !(l.is_finite() && *l > 0.0)) {
            return Err(MonitoringError::InvalidLength { index, length_cm });
        }
    }
    let mut order: Vec<usize> = (0..weighings.len()).collect();
    order.sort_by_key(|&i| (weighings[i].date, i));
    for pair in order.windows(2) {
        if let [a, b] = *pair
            && weighings[a].date == weighings[b].date
        {
            return Err(MonitoringError::SameDate {
                first: a,
                second: b,
                date: weighings[a].date,
            });
        }
    }

    let mut judged: Vec<Option<VisitJudgement>> = vec![None; weighings.len()];
    let mut previous: Option<Previous> = None;
    let mut history = History::default();
    for &index in &order {
        let w = weighings[index];
        let age_days = (w.date - date_of_birth).whole_days();
        // The date is not before the birth (checked above), so this is Some.
        let age_months = completed_months(date_of_birth, w.date).unwrap_or(0);
        let mut child = Child::new(sex)
            .age_days(age_days as f64)
            .weight_kg(w.weight_kg);
        child.lenhei_cm = w.length_cm;
        let z = zscores(&child);

        let mut flags = Vec::new();
        plausibility::single(w.weight_kg, w.length_cm, &z, &mut flags);
        history.step(w.length_cm, &z, &mut flags);
        let weight_implausible = flags.iter().any(|f| f.concerns_weight());
        let weight_z = z
            .weight_for_age
            .ok()
            .filter(|_| !weight_implausible)
            .map(|z| z.z);

        let gain_g = previous.map(|p| ((w.weight_kg - p.weight_kg) * 1000.0).round() as i64);
        let mut kbm_g = None;
        let (nt, rule) = match previous {
            None => (None, NtRule::FirstWeighing),
            Some(_) if age_months > LAST_KBM_MONTH => (None, NtRule::BeyondKbmAges),
            Some(p) if age_months == p.age_months => (None, NtRule::SameAgeMonth),
            Some(p) if age_months != p.age_months + 1 => (None, NtRule::NotWeighedLastMonth),
            Some(p) => {
                kbm_g = tables.kbm_grams(age_months);
                let gain = gain_g.unwrap_or(0);
                let bands = weight_z
                    .zip(p.weight_z)
                    .map(|(now, before)| (tables.band(now), tables.band(before)));
                if weight_implausible || p.weight_implausible {
                    (None, NtRule::ImplausibleWeight)
                } else if gain <= 0 {
                    (Some(Nt::TidakNaik), NtRule::WeightNotGained)
                } else if bands.is_some_and(|(now, before)| now < before) {
                    (Some(Nt::TidakNaik), NtRule::CrossedLineDown)
                } else if bands.is_some_and(|(now, before)| now > before) {
                    (Some(Nt::Naik), NtRule::CrossedLineUp)
                } else if kbm_g.is_some_and(|kbm| gain >= i64::from(kbm)) {
                    (Some(Nt::Naik), NtRule::KbmMet)
                } else {
                    (Some(Nt::TidakNaik), NtRule::KbmNotMet)
                }
            }
        };

        let mut reasons = Vec::new();
        if nt == Some(Nt::TidakNaik) {
            reasons.push(ReferralReason::TidakNaik);
            if previous.is_some_and(|p| p.nt == Some(Nt::TidakNaik)) {
                reasons.push(ReferralReason::TidakNaikTwice);
            }
        }
        if let Some(z) = weight_z {
            if z < tables.red_z {
                reasons.push(ReferralReason::BelowRedLine);
            }
            if z > tables.orange_z {
                reasons.push(ReferralReason::AboveOrangeLine);
            }
        }
        let plausible = |outcome: Outcome, implausible: bool| {
            outcome
                .ok()
                .filter(|z| !z.flagged && !implausible)
                .map(|z| z.z_rounded)
        };
        let length_implausible = flags.contains(&Flag::LengthInMillimetres);
        let weight_for_age = plausible(z.weight_for_age, weight_implausible)
            .and_then(BeratBadanMenurutUmur::from_z)
            .filter(|&c| c != BeratBadanMenurutUmur::Normal);
        reasons.extend(weight_for_age.map(ReferralReason::WeightForAge));
        let length_for_age = plausible(z.length_for_age, length_implausible)
            .and_then(TinggiBadanMenurutUmur::from_z)
            .filter(|&c| c != TinggiBadanMenurutUmur::Normal);
        reasons.extend(length_for_age.map(ReferralReason::LengthForAge));
        let weight_for_length = plausible(
            z.weight_for_length,
            length_implausible || flags.contains(&Flag::WeightInGrams),
        )
        .and_then(StatusGizi::from_z)
        .filter(|&c| c != StatusGizi::GiziBaik);
        reasons.extend(weight_for_length.map(ReferralReason::WeightForLength));

        previous = Some(Previous {
            age_months,
            weight_kg: w.weight_kg,
            weight_z,
            weight_implausible,
            nt,
        });
        if let Some(slot) = judged.get_mut(index) {
            *slot = Some(VisitJudgement {
                age_days,
                age_months,
                gain_g,
                kbm_g,
                nt,
                rule,
                reasons,
                flags,
                zscores: z,
            });
        }
    }
    Ok(judged.into_iter().flatten().collect())
}

#[cfg(test)]
mod tests;
