//! The WHO LMS tables, compiled from `data/*.csv` by `build.rs`.
// Table values such as L = -0.318 are data, not approximations of constants.
#![allow(clippy::approx_constant)]

use crate::lms::{Lms, Table};

/// The LMS parameters of the seven daily 0–5 y tables for one sex and day, side by
/// side: length/height, weight, BMI, head circumference, arm circumference, triceps and
/// subscapular skinfold (the last three NaN before day 91).
#[derive(Debug, Clone, Copy)]
pub(crate) struct DailyRow(pub(crate) [Lms; 7]);

/// Slots of [`DailyRow`].
pub(crate) mod slot {
    pub(crate) const LENGTH_HEIGHT: usize = 0;
    pub(crate) const WEIGHT: usize = 1;
    pub(crate) const BMI: usize = 2;
    pub(crate) const HEAD_CIRCUMFERENCE: usize = 3;
    pub(crate) const ARM_CIRCUMFERENCE: usize = 4;
    pub(crate) const TRICEPS_SKINFOLD: usize = 5;
    pub(crate) const SUBSCAPULAR_SKINFOLD: usize = 6;
}

/// The daily LMS parameters of `slot` for `sex_index` and `day`, if the table has them.
pub(crate) fn daily(sex_index: usize, day: i64, slot: usize) -> Option<Lms> {
    let row = DAILY.get(sex_index)?.get(usize::try_from(day).ok()?)?;
    let lms = *row.0.get(slot)?;
    (!lms.m.is_nan()).then_some(lms)
}

include!(concat!(env!("OUT_DIR"), "/tables.rs"));
