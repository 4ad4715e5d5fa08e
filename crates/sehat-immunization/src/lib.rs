#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod assessment;
mod cohort;
mod duration;
mod error;
mod evaluation;
mod kemenkes;
mod patient;
mod record;
mod region;
mod schedule;
mod school;
mod supporting_data;
mod t_status;

pub use assessment::{
    Assessment, DoseEvaluation, EvaluationReason, EvaluationStatus, GroupAssessment, SeriesStatus,
    assess, assess_group,
};
pub use cohort::{DateWindow, Reminder, ReminderStatus, cohort_due};
pub use duration::Duration;
pub use error::{DurationError, PatientError, ScheduleError};
pub use kemenkes::{Band, KemenkesOptions};
pub use patient::{AdministeredDose, Patient, Sex};
pub use record::{DoseRecord, DoseResult, ForecastRecord, GroupRecord, PatientRecord};
pub use schedule::{Schedule, Series, SeriesDose, SeriesType, Vaccine, VaccineGroup};
