//! WHO Growth Reference 2007, 5–19 years: what `anthroplus_zscores` computes.

use rayon::prelude::*;

use crate::child::{bmi_input, measurement};
use crate::lms::Table;
use crate::tables::{BMI_FOR_AGE_2007, HEIGHT_FOR_AGE_2007, WEIGHT_FOR_AGE_2007};
use crate::{Lms, NaReason, Outcome, Sex, ZScore};

/// A school-age child or adolescent, as WHO's `anthroplus_zscores` takes them.
///
/// Age is in months only (never rounded: the LMS parameters are interpolated between
/// whole months). `None` is missing; a height or weight that is not a finite positive
/// number is invalid ([`NaReason::InvalidMeasurement`]), a NaN or infinite age gives
/// [`NaReason::InvalidAge`].
///
/// # Examples
///
/// ```
/// use sehat_anthro::{SchoolAgeChild, Sex, school_age_zscores};
///
/// let child = SchoolAgeChild::new(Sex::Male).age_months(100.5).height_cm(128.0).weight_kg(26.0);
/// let z = school_age_zscores(&child);
/// assert_eq!(z.height_for_age?.z_rounded, -0.22);
/// assert_eq!(z.weight_for_age?.z_rounded, -0.11);
/// assert_eq!(z.bmi_for_age?.z_rounded, 0.01);
/// # Ok::<(), sehat_anthro::NaReason>(())
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct SchoolAgeChild {
    /// Sex; without it no z-score is computed.
    pub sex: Option<Sex>,
    /// Age in months.
    pub age_months: Option<f64>,
    /// Height in cm.
    pub height_cm: Option<f64>,
    /// Weight in kg.
    pub weight_kg: Option<f64>,
    /// Bilateral pitting oedema.
    pub oedema: bool,
}

impl SchoolAgeChild {
    /// A child of the given sex with no measurement yet.
    #[must_use]
    pub fn new(sex: Sex) -> Self {
        Self {
            sex: Some(sex),
            ..Self::default()
        }
    }

    /// Sets the age in months.
    #[must_use]
    pub fn age_months(mut self, months: f64) -> Self {
        self.age_months = Some(months);
        self
    }

    /// Sets the height in cm.
    #[must_use]
    pub fn height_cm(mut self, cm: f64) -> Self {
        self.height_cm = Some(cm);
        self
    }

    /// Sets the weight in kg.
    #[must_use]
    pub fn weight_kg(mut self, kg: f64) -> Self {
        self.weight_kg = Some(kg);
        self
    }

    /// Sets whether bilateral pitting oedema is present.
    #[must_use]
    pub fn oedema(mut self, oedema: bool) -> Self {
        self.oedema = oedema;
        self
    }
}

/// The z-scores of one school-age child, with the cleaned values `anthroplus_zscores`
/// returns beside them (`csex`, `coedema`, `cbmi`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SchoolAgeZScores {
    /// Sex (`csex`).
    pub sex: Option<Sex>,
    /// Oedema (`coedema`: `y` or `n`).
    pub oedema: bool,
    /// BMI from the raw height (`cbmi`); may be infinite or NaN for zero inputs.
    pub bmi: Option<f64>,
    /// Height-for-age, 60–228 months (`zhfa`, `fhfa`).
    pub height_for_age: Outcome,
    /// Weight-for-age, 60–120 months (`zwfa`, `fwfa`).
    pub weight_for_age: Outcome,
    /// BMI-for-age, 60–228 months (`zbfa`, `fbfa`).
    pub bmi_for_age: Outcome,
}

/// Last month of the height-for-age and BMI-for-age reference.
pub(crate) const LAST_MONTH: f64 = 228.0;
/// Last month of the weight-for-age reference.
pub(crate) const LAST_MONTH_WEIGHT: f64 = 120.0;
/// First month of the 2007 reference as the package uses it.
pub(crate) const FIRST_MONTH: f64 = 60.0;

/// LMS for an age in months, interpolated between whole months, inside
/// `FIRST_MONTH..=last` (`None` outside it).
pub(crate) fn monthly_lms<const N: usize>(
    table: &Table<N>,
    sex: Sex,
    months: f64,
    last: f64,
) -> Option<Lms> {
    if !(FIRST_MONTH..=last).contains(&months) {
        return None;
    }
    let lo = months.trunc();
    let f = months - lo;
    // Inside 60–228 months.
    let lo_row = table.get(sex.index(), lo as i64)?;
    if f > 0.0 {
        Some(lo_row.lerp(table.get(sex.index(), lo as i64 + 1)?, f))
    } else {
        Some(lo_row)
    }
}

/// Computes the WHO 2007 z-scores of one child, exactly as `anthroplus_zscores` does.
///
/// A negative or non-finite age (WHO's package refuses a negative one) gives
/// [`NaReason::InvalidAge`]; a height or weight that is not a finite positive number
/// gives [`NaReason::InvalidMeasurement`] for every indicator that uses it, BMI included
/// (WHO's package returns `Inf` or `NaN` for a zero height or weight, and refuses a
/// negative one).
///
/// # Examples
///
/// ```
/// use sehat_anthro::{NaReason, SchoolAgeChild, Sex, school_age_zscores};
///
/// let girl = SchoolAgeChild::new(Sex::Female).age_months(150.25).height_cm(156.0).weight_kg(60.0);
/// let z = school_age_zscores(&girl);
/// assert_eq!(z.weight_for_age, Err(NaReason::AgeOutOfRange)); // only to 120 months
/// assert_eq!(z.bmi_for_age?.z_rounded, 1.81);
/// # Ok::<(), NaReason>(())
/// ```
#[must_use]
pub fn school_age_zscores(child: &SchoolAgeChild) -> SchoolAgeZScores {
    let height = measurement(child.height_cm);
    let weight = measurement(child.weight_kg);
    let bmi = bmi_input(weight, height, height.ok().flatten());
    let compute = |table: &dyn Fn(Sex, f64) -> Option<Lms>,
                   y: Result<Option<f64>, NaReason>,
                   restricted: bool,
                   weight_based: bool,
                   limits: (f64, f64)|
     -> Outcome {
        let y = y?;
        let sex = child.sex.ok_or(NaReason::MissingSex)?;
        let months = child.age_months.ok_or(NaReason::MissingAge)?;
        if !months.is_finite() || months < 0.0 {
            return Err(NaReason::InvalidAge);
        }
        let y = y.ok_or(NaReason::MissingMeasurement)?;
        if weight_based && child.oedema {
            return Err(NaReason::Oedema);
        }
        let lms = table(sex, months).ok_or(NaReason::AgeOutOfRange)?;
        let z = if restricted {
            lms.restricted_z(y)
        } else {
            lms.z(y)
        };
        ZScore::new(z, limits.0, limits.1)
    };
    SchoolAgeZScores {
        sex: child.sex,
        oedema: child.oedema,
        bmi: bmi.ok().flatten(),
        height_for_age: compute(
            &|s, m| monthly_lms(&HEIGHT_FOR_AGE_2007, s, m, LAST_MONTH),
            height,
            false,
            false,
            (-6.0, 6.0),
        ),
        weight_for_age: compute(
            &|s, m| monthly_lms(&WEIGHT_FOR_AGE_2007, s, m, LAST_MONTH_WEIGHT),
            weight,
            true,
            true,
            (-6.0, 5.0),
        ),
        bmi_for_age: compute(
            &|s, m| monthly_lms(&BMI_FOR_AGE_2007, s, m, LAST_MONTH),
            bmi,
            true,
            true,
            (-5.0, 5.0),
        ),
    }
}

/// Computes [`school_age_zscores`] for every child of a slice, in parallel, keeping
/// the order.
///
/// # Examples
///
/// ```
/// use sehat_anthro::{SchoolAgeChild, Sex, school_age_zscores_batch};
///
/// let children = [SchoolAgeChild::new(Sex::Female).age_months(150.25).weight_kg(60.0)];
/// assert!(school_age_zscores_batch(&children)[0].weight_for_age.is_err());
/// ```
#[must_use]
pub fn school_age_zscores_batch(children: &[SchoolAgeChild]) -> Vec<SchoolAgeZScores> {
    children
        .par_iter()
        .with_min_len(1024)
        .map(school_age_zscores)
        .collect()
}
