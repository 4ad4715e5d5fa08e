// The README's examples use both bundled schedules; with one of them only, the crate's
// front page is this line instead, so that `cargo test` with a single feature runs.
#![cfg_attr(
    all(feature = "cdsi-us", feature = "id-kemenkes"),
    doc = include_str!("../README.md")
)]
#![cfg_attr(
    not(all(feature = "cdsi-us", feature = "id-kemenkes")),
    doc = "Immunization schedules as data, evaluated and forecast with CDC's CDSi logic (the README, with both default features, has the examples)."
)]
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![warn(unreachable_pub)]
#![cfg_attr(docsrs, feature(doc_cfg))]
// Without a loader (neither `cdsi-us` nor `id-kemenkes`) no schedule can be built, so the
// model's constructors are unused; the crate still compiles for a check of the layers.
#![cfg_attr(
    not(any(feature = "cdsi-us", feature = "id-kemenkes")),
    allow(dead_code)
)]

mod date;
mod engine;
mod error;
mod loaders;
mod model;
mod record;

pub use engine::assessment::{
    Assessment, DoseEvaluation, EvaluationReason, EvaluationStatus, GroupAssessment, SeriesStatus,
    assess, assess_group,
};
pub use engine::cohort::{DateWindow, Reminder, ReminderStatus, cohort_due};
pub use error::{DurationError, PatientError, ScheduleError};
pub use model::band::{Band, completed_months};
pub use model::duration::Duration;
#[cfg(feature = "id-kemenkes")]
pub use model::kemenkes_options::KemenkesOptions;
pub use model::patient::{AdministeredDose, Patient, Sex};
pub use model::schedule::{Schedule, Series, SeriesDose, SeriesType, Vaccine, VaccineGroup};
pub use record::{DoseRecord, DoseResult, ForecastRecord, GroupRecord, PatientRecord};
