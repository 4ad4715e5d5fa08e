//! One indicator's result: the z-score, its WHO rounding and flag, or why there is none.

use std::fmt;

use crate::round_r;

/// A computed z-score with WHO's rounding and flag.
///
/// # Examples
///
/// ```
/// use sehat_anthro::{Child, Sex, zscores};
///
/// let child = Child::new(Sex::Male).age_days(400.0).weight_kg(9.5).length_cm(75.35);
/// let weight_for_age = zscores(&child).weight_for_age?;
/// assert_eq!(weight_for_age.z_rounded, -0.38);
/// assert!(!weight_for_age.flagged);
/// # Ok::<(), sehat_anthro::NaReason>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ZScore {
    /// The unrounded z-score.
    pub z: f64,
    /// The z-score rounded to two decimals as WHO's packages return it (R's
    /// `round(z, 2)`, see [`round_r`]).
    pub z_rounded: f64,
    /// WHO's flag: the rounded z lies beyond the indicator's plausibility limits.
    pub flagged: bool,
}

impl ZScore {
    /// A z-score with its rounding and the flag for the limits `lower`/`upper` (flagged
    /// when the rounded z is strictly below `lower` or strictly above `upper`).
    pub(crate) fn new(z: f64, lower: f64, upper: f64) -> Outcome {
        if z.is_nan() {
            return Err(NaReason::NotANumber);
        }
        let z_rounded = round_r(z);
        Ok(Self {
            z,
            z_rounded,
            flagged: z_rounded < lower || z_rounded > upper,
        })
    }

    /// The centile (0–100) of the unrounded z-score.
    #[must_use]
    pub fn centile(&self) -> f64 {
        crate::centile(self.z)
    }
}

/// The result of one indicator: a z-score, or the reason WHO's packages give NA.
pub type Outcome = Result<ZScore, NaReason>;

/// Why an indicator has no z-score (WHO's packages return NA or NaN).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum NaReason {
    /// Sex is missing.
    MissingSex,
    /// Age is missing (the indicator needs it).
    MissingAge,
    /// Age is negative or not a finite number (WHO's packages refuse the whole call on
    /// a negative age).
    InvalidAge,
    /// Age is outside the indicator's range (e.g. 60 months or more, under 91 days for
    /// arm circumference and skinfolds, over 120 months for weight-for-age 5–19 y).
    AgeOutOfRange,
    /// The measurement (or one needed to derive it, e.g. for BMI) is missing.
    MissingMeasurement,
    /// The measurement after WHO's length/height conversion is zero or negative (WHO's
    /// packages give NA).
    NonPositiveMeasurement,
    /// A measurement the indicator uses (directly, or through BMI or the cleaned
    /// length/height) is not a finite positive number: NaN, infinite, zero or negative.
    /// WHO's `anthro_zscores` computes something from such values (NaN, `Inf`, or a
    /// z-score from a negative length); this crate deliberately does not.
    InvalidMeasurement,
    /// Oedema is present: weight-based indicators are not computed.
    Oedema,
    /// Length/height is outside the weight-for-length (45–110 cm) or
    /// weight-for-height (65–120 cm) table.
    LengthOutOfRange,
    /// The computation gives NaN (e.g. weight-for-length with a negative weight); WHO's
    /// packages return `NaN` here rather than NA.
    NotANumber,
}

impl NaReason {
    /// True when WHO's packages return `NaN` (not NA) for this case.
    #[must_use]
    pub const fn is_nan(self) -> bool {
        matches!(self, Self::NotANumber)
    }
}

impl fmt::Display for NaReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::MissingSex => "sex is missing",
            Self::MissingAge => "age is missing",
            Self::InvalidAge => "age is negative",
            Self::AgeOutOfRange => "age is outside the indicator's range",
            Self::MissingMeasurement => "measurement is missing",
            Self::NonPositiveMeasurement => "measurement is zero or negative",
            Self::InvalidMeasurement => "measurement is not a finite positive number",
            Self::Oedema => "oedema: weight-based indicators are not computed",
            Self::LengthOutOfRange => "length/height is outside the table",
            Self::NotANumber => "the z-score is not a number",
        })
    }
}

impl std::error::Error for NaReason {}
