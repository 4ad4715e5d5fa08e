//! WHO Child Growth Standards (2006), 0–5 years: what `anthro_zscores` computes.

use rayon::prelude::*;

use crate::lms::Table;
use crate::tables::{WEIGHT_FOR_HEIGHT, WEIGHT_FOR_LENGTH, daily, slot};
use crate::{Age, Lms, Measure, NaReason, Outcome, Sex, ZScore};

/// Age in days from which standing height (not recumbent length) is the standard.
pub(crate) const HEIGHT_FROM_DAYS: i64 = 731;
/// The lying/standing difference, in cm.
const LYING_STANDING_CM: f64 = 0.7;

/// A child's measurements on one visit, as WHO's `anthro_zscores` takes them.
///
/// Every field is optional, as in WHO's software (`None` is missing). A measurement
/// that is not a finite positive number (NaN, infinite, zero, negative) is invalid:
/// the indicators using it give [`NaReason::InvalidMeasurement`]. A NaN or infinite
/// age gives [`NaReason::InvalidAge`]. Build it with [`Child::new`] and the setters, or
/// fill the public fields.
///
/// # Examples
///
/// ```
/// use sehat_anthro::{Child, Measure, Sex};
///
/// let child = Child::new(Sex::Female)
///     .age_months(18.0)
///     .weight_kg(9.8)
///     .length_cm(80.2)
///     .head_circumference_cm(45.5);
/// assert_eq!(child.measure, Some(Measure::Lying));
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Child {
    /// Sex; without it no z-score is computed.
    pub sex: Option<Sex>,
    /// Age in days or months.
    pub age: Option<Age>,
    /// Weight in kg.
    pub weight_kg: Option<f64>,
    /// Length or height as measured, in cm.
    pub lenhei_cm: Option<f64>,
    /// How length/height was measured.
    pub measure: Option<Measure>,
    /// Head circumference in cm.
    pub head_circumference_cm: Option<f64>,
    /// Mid-upper arm circumference in cm.
    pub arm_circumference_cm: Option<f64>,
    /// Triceps skinfold in mm.
    pub triceps_skinfold_mm: Option<f64>,
    /// Subscapular skinfold in mm.
    pub subscapular_skinfold_mm: Option<f64>,
    /// Bilateral pitting oedema.
    pub oedema: bool,
}

impl Child {
    /// A child of the given sex with no measurement yet.
    #[must_use]
    pub fn new(sex: Sex) -> Self {
        Self {
            sex: Some(sex),
            ..Self::default()
        }
    }

    /// Sets the age in days.
    #[must_use]
    pub fn age_days(mut self, days: f64) -> Self {
        self.age = Some(Age::Days(days));
        self
    }

    /// Sets the age in months.
    #[must_use]
    pub fn age_months(mut self, months: f64) -> Self {
        self.age = Some(Age::Months(months));
        self
    }

    /// Sets the weight in kg.
    #[must_use]
    pub fn weight_kg(mut self, kg: f64) -> Self {
        self.weight_kg = Some(kg);
        self
    }

    /// Sets a recumbent length in cm (measure `l`).
    #[must_use]
    pub fn length_cm(self, cm: f64) -> Self {
        self.lenhei_cm(cm, Some(Measure::Lying))
    }

    /// Sets a standing height in cm (measure `h`).
    #[must_use]
    pub fn height_cm(self, cm: f64) -> Self {
        self.lenhei_cm(cm, Some(Measure::Standing))
    }

    /// Sets length/height in cm with the measure, or `None` when it is not known.
    #[must_use]
    pub fn lenhei_cm(mut self, cm: f64, measure: Option<Measure>) -> Self {
        self.lenhei_cm = Some(cm);
        self.measure = measure;
        self
    }

    /// Sets the head circumference in cm.
    #[must_use]
    pub fn head_circumference_cm(mut self, cm: f64) -> Self {
        self.head_circumference_cm = Some(cm);
        self
    }

    /// Sets the mid-upper arm circumference in cm.
    #[must_use]
    pub fn arm_circumference_cm(mut self, cm: f64) -> Self {
        self.arm_circumference_cm = Some(cm);
        self
    }

    /// Sets the triceps skinfold in mm.
    #[must_use]
    pub fn triceps_skinfold_mm(mut self, mm: f64) -> Self {
        self.triceps_skinfold_mm = Some(mm);
        self
    }

    /// Sets the subscapular skinfold in mm.
    #[must_use]
    pub fn subscapular_skinfold_mm(mut self, mm: f64) -> Self {
        self.subscapular_skinfold_mm = Some(mm);
        self
    }

    /// Sets whether bilateral pitting oedema is present.
    #[must_use]
    pub fn oedema(mut self, oedema: bool) -> Self {
        self.oedema = oedema;
        self
    }
}

/// The z-scores of one child, with the cleaned values WHO's `anthro_zscores` returns
/// beside them (`clenhei`, `cmeasure`, `c9mo_flag`, `cbmi`, `csex`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ZScores {
    /// Length/height after the ±0.7 cm lying/standing conversion (`clenhei`).
    pub clenhei_cm: Option<f64>,
    /// The measure after the 9-month rule (`cmeasure`).
    pub cmeasure: Option<Measure>,
    /// Standing height given under 9 months, so the measure was ignored (`c9mo_flag`).
    pub standing_under_9_months: bool,
    /// BMI from weight and `clenhei` (`cbmi`); `None` when either is missing or
    /// invalid (WHO's packages give `Inf` or `NaN` for zero or negative inputs).
    pub bmi: Option<f64>,
    /// Sex (`csex`).
    pub sex: Option<Sex>,
    /// Length/height-for-age (`zlen`, `flen`).
    pub length_for_age: Outcome,
    /// Weight-for-age (`zwei`, `fwei`).
    pub weight_for_age: Outcome,
    /// Weight-for-length or weight-for-height (`zwfl`, `fwfl`).
    pub weight_for_length: Outcome,
    /// BMI-for-age (`zbmi`, `fbmi`).
    pub bmi_for_age: Outcome,
    /// Head circumference-for-age (`zhc`, `fhc`).
    pub head_circumference_for_age: Outcome,
    /// Arm circumference-for-age (`zac`, `fac`).
    pub arm_circumference_for_age: Outcome,
    /// Triceps skinfold-for-age (`zts`, `fts`).
    pub triceps_skinfold_for_age: Outcome,
    /// Subscapular skinfold-for-age (`zss`, `fss`).
    pub subscapular_skinfold_for_age: Outcome,
}

impl ZScores {
    /// The eight indicators in WHO's output order (`zlen`, `zwei`, `zwfl`, `zbmi`,
    /// `zhc`, `zac`, `zts`, `zss`).
    pub fn indicators(&self) -> [Outcome; 8] {
        [
            self.length_for_age,
            self.weight_for_age,
            self.weight_for_length,
            self.bmi_for_age,
            self.head_circumference_for_age,
            self.arm_circumference_for_age,
            self.triceps_skinfold_for_age,
            self.subscapular_skinfold_for_age,
        ]
    }
}

/// The age of a row in the two forms WHO's rules use.
#[derive(Clone, Copy)]
enum AgeState {
    Missing,
    Negative,
    Known {
        /// Rounded days for the table look-up; `None` if too large for one.
        days: Option<i64>,
        /// Unrounded months for the limits.
        months: f64,
    },
}

/// A measurement as given: `Ok(None)` when missing, `Ok(Some(value))` for a finite
/// positive number, and [`NaReason::InvalidMeasurement`] for anything else (NaN, an
/// infinity, zero or a negative number), which no indicator is computed from.
pub(crate) fn measurement(value: Option<f64>) -> Result<Option<f64>, NaReason> {
    match value {
        None => Ok(None),
        Some(v) if v.is_finite() && v > 0.0 => Ok(Some(v)),
        Some(_) => Err(NaReason::InvalidMeasurement),
    }
}

/// The input of BMI: invalid when weight or length/height is.
pub(crate) fn bmi_input(
    weight: Result<Option<f64>, NaReason>,
    lenhei: Result<Option<f64>, NaReason>,
    lenhei_used: Option<f64>,
) -> Result<Option<f64>, NaReason> {
    let weight = weight?;
    lenhei?;
    Ok(bmi(weight, lenhei_used))
}

/// BMI (kg/m²) from weight and length/height in cm, as WHO's packages compute it.
pub(crate) fn bmi(weight_kg: Option<f64>, lenhei_cm: Option<f64>) -> Option<f64> {
    let (w, h) = (weight_kg?, lenhei_cm?);
    let m = h / 100.0;
    Some(w / (m * m))
}

/// Computes every WHO 0–5 y z-score of one child, exactly as `anthro_zscores` does.
///
/// Where WHO's package returns NA (or NaN) the indicator is an `Err` with the reason.
/// A negative age, which WHO's package refuses, gives [`NaReason::InvalidAge`] for the
/// age-based indicators and for weight-for-length/height. A measurement that is not a
/// finite positive number gives [`NaReason::InvalidMeasurement`] for every indicator
/// using it, where WHO's package computes `NaN`, `Inf` or a number from it (a
/// deliberate deviation; on every valid input the results are exact).
///
/// # Examples
///
/// ```
/// use sehat_anthro::{Child, Sex, zscores};
///
/// let child = Child::new(Sex::Male).age_days(400.0).weight_kg(9.5).length_cm(75.35);
/// let z = zscores(&child);
/// assert_eq!(z.length_for_age?.z_rounded, -0.71);
/// assert_eq!(z.weight_for_length?.z_rounded, -0.09);
/// assert_eq!(z.bmi_for_age?.z_rounded, 0.06);
/// assert!(z.head_circumference_for_age.is_err());
/// # Ok::<(), sehat_anthro::NaReason>(())
/// ```
#[must_use]
pub fn zscores(child: &Child) -> ZScores {
    let age = match child.age {
        None => AgeState::Missing,
        Some(age) => {
            let (Age::Days(v) | Age::Months(v)) = age;
            if !v.is_finite() || v < 0.0 {
                AgeState::Negative
            } else {
                AgeState::Known {
                    days: age.table_days(),
                    months: age.months(),
                }
            }
        }
    };
    let (days, months) = match age {
        AgeState::Known { days, months } => (days, Some(months)),
        _ => (None, None),
    };

    let standing_under_9_months =
        child.measure == Some(Measure::Standing) && months.is_some_and(|m| m < 9.0);
    let cmeasure = if standing_under_9_months {
        None
    } else {
        child.measure
    };
    let lenhei = measurement(child.lenhei_cm);
    let clenhei = lenhei.map(|l| {
        l.map(|x| match (days, cmeasure) {
            (Some(d), Some(Measure::Standing)) if d < HEIGHT_FROM_DAYS => x + LYING_STANDING_CM,
            (Some(d), Some(Measure::Lying)) if d >= HEIGHT_FROM_DAYS => x - LYING_STANDING_CM,
            _ => x,
        })
    });
    let weight = measurement(child.weight_kg);
    let bmi = bmi_input(weight, lenhei, clenhei.ok().flatten());
    let sex = child.sex;
    let oedema = child.oedema;
    let by_age =
        |slot: usize, y: Result<Option<f64>, NaReason>, restricted: bool, weight_based: bool| {
            age_based(slot, sex, age, y, restricted, weight_based && oedema)
        };

    ZScores {
        clenhei_cm: clenhei.ok().flatten(),
        cmeasure,
        standing_under_9_months,
        bmi: bmi.ok().flatten(),
        sex,
        length_for_age: by_age(slot::LENGTH_HEIGHT, clenhei, false, false)
            .and_then(|z| ZScore::new(z, -6.0, 6.0)),
        weight_for_age: by_age(slot::WEIGHT, weight, true, true)
            .and_then(|z| ZScore::new(z, -6.0, 5.0)),
        weight_for_length: weight_for_lenhei(sex, age, weight, clenhei, cmeasure, oedema)
            .and_then(|z| ZScore::new(z, -5.0, 5.0)),
        bmi_for_age: by_age(slot::BMI, bmi, true, true).and_then(|z| ZScore::new(z, -5.0, 5.0)),
        head_circumference_for_age: by_age(
            slot::HEAD_CIRCUMFERENCE,
            measurement(child.head_circumference_cm),
            false,
            false,
        )
        .and_then(|z| ZScore::new(z, -5.0, 5.0)),
        arm_circumference_for_age: by_age(
            slot::ARM_CIRCUMFERENCE,
            measurement(child.arm_circumference_cm),
            true,
            false,
        )
        .and_then(|z| ZScore::new(z, -5.0, 5.0)),
        triceps_skinfold_for_age: by_age(
            slot::TRICEPS_SKINFOLD,
            measurement(child.triceps_skinfold_mm),
            true,
            false,
        )
        .and_then(|z| ZScore::new(z, -5.0, 5.0)),
        subscapular_skinfold_for_age: by_age(
            slot::SUBSCAPULAR_SKINFOLD,
            measurement(child.subscapular_skinfold_mm),
            true,
            false,
        )
        .and_then(|z| ZScore::new(z, -5.0, 5.0)),
    }
}

/// Computes [`zscores`] for every child of a slice, in parallel, keeping the order.
///
/// # Examples
///
/// ```
/// use sehat_anthro::{Child, Sex, zscores_batch};
///
/// let children = vec![Child::new(Sex::Male).age_days(400.0).weight_kg(9.5); 1000];
/// let results = zscores_batch(&children);
/// assert_eq!(results.len(), 1000);
/// assert_eq!(results[999].weight_for_age.map(|z| z.z_rounded), Ok(-0.38));
/// ```
#[must_use]
pub fn zscores_batch(children: &[Child]) -> Vec<ZScores> {
    children
        .par_iter()
        .with_min_len(1024)
        .map(zscores)
        .collect()
}

/// An age-based indicator: the unrounded z, or why there is none.
fn age_based(
    slot: usize,
    sex: Option<Sex>,
    age: AgeState,
    y: Result<Option<f64>, NaReason>,
    restricted: bool,
    oedema: bool,
) -> Result<f64, NaReason> {
    let y = y?;
    let sex = sex.ok_or(NaReason::MissingSex)?;
    let (days, months) = match age {
        AgeState::Missing => return Err(NaReason::MissingAge),
        AgeState::Negative => return Err(NaReason::InvalidAge),
        AgeState::Known { days, months } => (days, months),
    };
    let y = y.ok_or(NaReason::MissingMeasurement)?;
    if oedema {
        return Err(NaReason::Oedema);
    }
    if months.is_nan() || months >= 60.0 {
        return Err(NaReason::AgeOutOfRange);
    }
    let lms = days
        .and_then(|d| daily(sex.index(), d, slot))
        .ok_or(NaReason::AgeOutOfRange)?;
    if y.is_nan() {
        return Err(NaReason::NotANumber);
    }
    if y <= 0.0 {
        return Err(NaReason::NonPositiveMeasurement);
    }
    Ok(if restricted {
        lms.restricted_z(y)
    } else {
        lms.z(y)
    })
}

/// Which of the two weight-for-length/height tables applies.
#[derive(Clone, Copy)]
pub(crate) enum LenheiTable {
    Length,
    Height,
}

/// Interpolates LMS on the 0.1 cm grid of a weight-for-length/height table, for a
/// length inside the table's closed range (`None` outside it).
pub(crate) fn lenhei_lms(table: LenheiTable, sex: Sex, x: f64) -> Option<Lms> {
    match table {
        LenheiTable::Length => grid_lms(&WEIGHT_FOR_LENGTH, sex, x),
        LenheiTable::Height => grid_lms(&WEIGHT_FOR_HEIGHT, sex, x),
    }
}

/// Linear interpolation between the two 0.1 cm rows around `x`, as WHO's package does
/// it: `lo = trunc(10x)/10`, `hi = trunc(10x + 1)/10`, `f = (x − lo)/0.1`.
fn grid_lms<const N: usize>(rows: &Table<N>, sex: Sex, x: f64) -> Option<Lms> {
    let (first, last) = rows.key_range();
    // Keys are tenths of a centimetre; the bounds test is on the double itself.
    #[allow(clippy::cast_precision_loss)]
    let (low, high) = (first as f64 / 10.0, last as f64 / 10.0);
    if !(low..=high).contains(&x) {
        return None;
    }
    let scaled = x * 10.0;
    let lo_key = scaled.trunc();
    let hi_key = (scaled + 1.0).trunc();
    let f = (x - lo_key / 10.0) / 0.1;
    // Inside 45–120 cm, so the keys are small integers.
    let lo = rows.get(sex.index(), lo_key as i64)?;
    if f > 0.0 {
        let hi = rows.get(sex.index(), hi_key as i64)?;
        Some(lo.lerp(hi, f))
    } else {
        Some(lo)
    }
}

/// Weight-for-length/height: the unrounded z, or why there is none.
fn weight_for_lenhei(
    sex: Option<Sex>,
    age: AgeState,
    weight: Result<Option<f64>, NaReason>,
    clenhei: Result<Option<f64>, NaReason>,
    cmeasure: Option<Measure>,
    oedema: bool,
) -> Result<f64, NaReason> {
    let (weight, clenhei) = (weight?, clenhei?);
    let sex = sex.ok_or(NaReason::MissingSex)?;
    let weight = weight.ok_or(NaReason::MissingMeasurement)?;
    let x = clenhei.ok_or(NaReason::MissingMeasurement)?;
    if oedema {
        return Err(NaReason::Oedema);
    }
    let table = match age {
        AgeState::Negative => return Err(NaReason::InvalidAge),
        AgeState::Known { days, months } => match days {
            Some(d) if d <= 1856 && months < 60.0 => {
                if d < HEIGHT_FROM_DAYS {
                    LenheiTable::Length
                } else {
                    LenheiTable::Height
                }
            }
            _ => return Err(NaReason::AgeOutOfRange),
        },
        AgeState::Missing => match cmeasure {
            Some(Measure::Lying) => LenheiTable::Length,
            Some(Measure::Standing) => LenheiTable::Height,
            None if x < 87.0 => LenheiTable::Length,
            None => LenheiTable::Height,
        },
    };
    let lms = lenhei_lms(table, sex, x).ok_or(NaReason::LengthOutOfRange)?;
    let z = lms.restricted_z(weight);
    if z.is_nan() {
        return Err(NaReason::NotANumber);
    }
    Ok(z)
}
