//! The schedule as data: vaccines, series, doses, ages and intervals, age bands, school
//! doses and tetanus-status rules, and the patient. Imports nothing of the engine or the
//! loaders.

pub(crate) mod band;
pub(crate) mod duration;
#[cfg(feature = "id-kemenkes")]
pub(crate) mod kemenkes_options;
pub(crate) mod patient;
pub(crate) mod region;
pub(crate) mod schedule;
pub(crate) mod school;
pub(crate) mod t_status;
