#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod age;
mod centile;
#[cfg(feature = "chart")]
#[cfg_attr(docsrs, doc(cfg(feature = "chart")))]
pub mod chart;
mod child;
pub mod classification;
mod error;
mod indicator;
mod lms;
mod measure;
pub mod monitoring;
mod prevalence;
mod round;
mod school_age;
mod sex;
mod tables;
#[cfg(feature = "who-table")]
#[cfg_attr(docsrs, doc(cfg(feature = "who-table")))]
pub mod who_table;
mod zscore;

pub use age::{Age, DAYS_PER_MONTH};
pub use centile::{centile, z_for_centile};
pub use child::{Child, ZScores, zscores, zscores_batch};
pub use error::InputError;
pub use indicator::{Axis, Indicator};
pub use lms::Lms;
pub use measure::{Measure, parse_oedema};
pub use prevalence::{
    CUTOFFS, Cell, CodedGroupings, CombinedSummary, Cutoff, Estimate, GroupingCodes, Groupings,
    IndicatorSummary, PreparedSurvey, Prevalence, PrevalenceError, PrevalenceRow, PrevalenceTable,
    SurveyDesign, SurveyIndicator, SurveyStandard, school_age_survey_prevalence, survey_prevalence,
    survey_prevalence_coded,
};
pub use round::round_r;
pub use school_age::{
    SchoolAgeChild, SchoolAgeZScores, school_age_zscores, school_age_zscores_batch,
};
pub use sex::Sex;
pub use zscore::{NaReason, Outcome, ZScore};
