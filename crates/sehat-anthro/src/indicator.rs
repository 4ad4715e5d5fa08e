//! The indicators, their LMS parameters, and growth-chart curves (the measurement at a
//! given z-score or centile).

use crate::child::{LenheiTable, lenhei_lms};
use crate::school_age::{LAST_MONTH, LAST_MONTH_WEIGHT, monthly_lms};
use crate::tables::{BMI_FOR_AGE_2007, HEIGHT_FOR_AGE_2007, WEIGHT_FOR_AGE_2007, daily, slot};
use crate::{Age, Lms, Sex, z_for_centile};

/// A WHO growth indicator: one table of LMS parameters per sex.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Indicator {
    /// Length/height-for-age, 0–5 y (cm; length below 731 days, height from 731).
    LengthHeightForAge,
    /// Weight-for-age, 0–5 y (kg).
    WeightForAge,
    /// Weight-for-length, 45–110 cm (kg).
    WeightForLength,
    /// Weight-for-height, 65–120 cm (kg).
    WeightForHeight,
    /// BMI-for-age, 0–5 y (kg/m²).
    BmiForAge,
    /// Head circumference-for-age, 0–5 y (cm).
    HeadCircumferenceForAge,
    /// Arm circumference-for-age, 3 months–5 y (cm).
    ArmCircumferenceForAge,
    /// Triceps skinfold-for-age, 3 months–5 y (mm).
    TricepsSkinfoldForAge,
    /// Subscapular skinfold-for-age, 3 months–5 y (mm).
    SubscapularSkinfoldForAge,
    /// Height-for-age, WHO Growth Reference 2007, 60–228 months (cm).
    HeightForAge2007,
    /// Weight-for-age, WHO Growth Reference 2007, 60–120 months (kg).
    WeightForAge2007,
    /// BMI-for-age, WHO Growth Reference 2007, 60–228 months (kg/m²).
    BmiForAge2007,
}

/// What the second argument of an indicator's table is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Axis {
    /// Age ([`Age`], days or months).
    Age,
    /// Recumbent length or standing height in cm.
    LengthCm,
}

impl Indicator {
    /// Every indicator.
    pub const ALL: [Self; 12] = [
        Self::LengthHeightForAge,
        Self::WeightForAge,
        Self::WeightForLength,
        Self::WeightForHeight,
        Self::BmiForAge,
        Self::HeadCircumferenceForAge,
        Self::ArmCircumferenceForAge,
        Self::TricepsSkinfoldForAge,
        Self::SubscapularSkinfoldForAge,
        Self::HeightForAge2007,
        Self::WeightForAge2007,
        Self::BmiForAge2007,
    ];

    /// True for the indicators WHO computes with the restricted method beyond ±3 SD
    /// (all but length/height-for-age, head circumference and height-for-age 2007).
    #[must_use]
    pub const fn is_restricted(self) -> bool {
        !matches!(
            self,
            Self::LengthHeightForAge | Self::HeadCircumferenceForAge | Self::HeightForAge2007
        )
    }

    /// What the indicator's table is keyed by.
    #[must_use]
    pub const fn axis(self) -> Axis {
        match self {
            Self::WeightForLength | Self::WeightForHeight => Axis::LengthCm,
            _ => Axis::Age,
        }
    }

    /// The LMS parameters for a sex at a point of the indicator's axis, as WHO's
    /// packages look them up: by age rounded half up to whole days for the 0–5 y
    /// age-based tables (0–1826 days, from 91 days for arm circumference and skinfolds),
    /// interpolated on the 0.1 cm grid for weight-for-length/height, interpolated
    /// between whole months for the 2007 reference. `at` is the age in days (for
    /// [`Axis::Age`]; use [`Indicator::lms_at_age`] for an [`Age`]) or the length in cm.
    /// `None` outside the table.
    ///
    /// # Examples
    ///
    /// ```
    /// use sehat_anthro::{Indicator, Sex};
    ///
    /// let lms = Indicator::WeightForAge.lms(Sex::Male, 400.0).unwrap();
    /// assert_eq!((lms.l, lms.m, lms.s), (0.0552, 9.9065, 0.10953));
    /// assert!(Indicator::WeightForLength.lms(Sex::Female, 44.9).is_none());
    /// ```
    #[must_use]
    pub fn lms(self, sex: Sex, at: f64) -> Option<Lms> {
        match self.axis() {
            Axis::Age => self.lms_at_age(sex, Age::Days(at)),
            Axis::LengthCm => match self {
                Self::WeightForLength => lenhei_lms(LenheiTable::Length, sex, at),
                _ => lenhei_lms(LenheiTable::Height, sex, at),
            },
        }
    }

    /// The LMS parameters for a sex at an age (`None` for the length-based
    /// indicators and outside the table).
    ///
    /// # Examples
    ///
    /// ```
    /// use sehat_anthro::{Age, Indicator, Sex};
    ///
    /// let lms = Indicator::HeightForAge2007.lms_at_age(Sex::Male, Age::Months(100.5)).unwrap();
    /// assert!(lms.m > 120.0 && lms.m < 140.0);
    /// ```
    #[must_use]
    pub fn lms_at_age(self, sex: Sex, age: Age) -> Option<Lms> {
        let s = sex.index();
        let days = || age.table_days();
        match self {
            Self::LengthHeightForAge => daily(s, days()?, slot::LENGTH_HEIGHT),
            Self::WeightForAge => daily(s, days()?, slot::WEIGHT),
            Self::BmiForAge => daily(s, days()?, slot::BMI),
            Self::HeadCircumferenceForAge => daily(s, days()?, slot::HEAD_CIRCUMFERENCE),
            Self::ArmCircumferenceForAge => daily(s, days()?, slot::ARM_CIRCUMFERENCE),
            Self::TricepsSkinfoldForAge => daily(s, days()?, slot::TRICEPS_SKINFOLD),
            Self::SubscapularSkinfoldForAge => daily(s, days()?, slot::SUBSCAPULAR_SKINFOLD),
            Self::HeightForAge2007 => {
                monthly_lms(&HEIGHT_FOR_AGE_2007, sex, age.months(), LAST_MONTH)
            }
            Self::WeightForAge2007 => {
                monthly_lms(&WEIGHT_FOR_AGE_2007, sex, age.months(), LAST_MONTH_WEIGHT)
            }
            Self::BmiForAge2007 => monthly_lms(&BMI_FOR_AGE_2007, sex, age.months(), LAST_MONTH),
            Self::WeightForLength | Self::WeightForHeight => None,
        }
    }

    /// The unrounded z-score of a measurement `y` with given LMS parameters, by the
    /// plain or restricted method as the indicator requires.
    #[must_use]
    pub fn z(self, lms: Lms, y: f64) -> f64 {
        if self.is_restricted() {
            lms.restricted_z(y)
        } else {
            lms.z(y)
        }
    }

    /// The measurement at z-score `z` (the inverse of [`Indicator::z`]): the value of the
    /// growth-chart curve for that z.
    ///
    /// # Examples
    ///
    /// ```
    /// use sehat_anthro::{Indicator, Sex};
    ///
    /// // The −2 SD curve of weight-for-length for girls at 75 cm.
    /// let ind = Indicator::WeightForLength;
    /// let lms = ind.lms(Sex::Female, 75.0).unwrap();
    /// let w = ind.measurement_at(lms, -2.0);
    /// assert!((ind.z(lms, w) + 2.0).abs() < 1e-12);
    /// ```
    #[must_use]
    pub fn measurement_at(self, lms: Lms, z: f64) -> f64 {
        if self.is_restricted() {
            lms.restricted_value_at(z)
        } else {
            lms.value_at(z)
        }
    }

    /// The measurement at a centile (0–100), e.g. the 3rd or 97th centile curve.
    ///
    /// # Examples
    ///
    /// ```
    /// use sehat_anthro::{Indicator, Sex};
    ///
    /// let ind = Indicator::LengthHeightForAge;
    /// let lms = ind.lms(Sex::Male, 365.0).unwrap();
    /// assert!((ind.measurement_at_centile(lms, 50.0) - lms.m).abs() < 1e-9);
    /// ```
    #[must_use]
    pub fn measurement_at_centile(self, lms: Lms, centile: f64) -> f64 {
        self.measurement_at(lms, z_for_centile(centile))
    }
}
