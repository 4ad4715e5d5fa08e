//! Errors.

use std::fmt;

use time::Date;

/// A duration that could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid duration {text:?}: {message}")]
pub struct DurationError {
    text: String,
    message: String,
}

impl DurationError {
    pub(crate) fn new(text: &str, message: &str) -> Self {
        DurationError {
            text: text.to_string(),
            message: message.to_string(),
        }
    }
}

/// A schedule that could not be loaded: which file, where in it, and what was wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid schedule {source_name}: {location}: {message}")]
pub struct ScheduleError {
    source_name: String,
    location: String,
    message: String,
}

impl ScheduleError {
    pub(crate) fn new(
        source_name: &str,
        location: impl fmt::Display,
        message: impl fmt::Display,
    ) -> Self {
        ScheduleError {
            source_name: source_name.to_string(),
            location: location.to_string(),
            message: message.to_string(),
        }
    }

    /// The file or schedule the error is in.
    #[must_use]
    pub fn source_name(&self) -> &str {
        &self.source_name
    }

    /// Where in the file: a series, dose and field, or a line.
    #[must_use]
    pub fn location(&self) -> &str {
        &self.location
    }
}

/// Patient data that cannot be assessed. Each variant names the patient (its id, or
/// `#index` in a cohort when it has none) and the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PatientError {
    /// A dose names a vaccine the schedule does not know.
    #[error("patient {patient}: dose {dose}: unknown vaccine {vaccine:?} in schedule {schedule}")]
    UnknownVaccine {
        /// The patient.
        patient: String,
        /// The dose (1-based position in the history).
        dose: usize,
        /// The code or name as given.
        vaccine: String,
        /// The schedule's id.
        schedule: String,
    },
    /// A dose's `cvx` is not a CVX code: CVX codes are digits only (`"10"`, or `"010"`);
    /// a spreadsheet's `"10.0"` or a `"-1"` is refused rather than read as another
    /// vaccine.
    #[error(
        "patient {patient}: dose {dose}: cvx {value:?} is not a CVX code (CVX codes are digits only, such as \"10\"; export the column as text)"
    )]
    InvalidCvx {
        /// The patient.
        patient: String,
        /// The dose (1-based position in the history).
        dose: usize,
        /// The value as given.
        value: String,
    },
    /// A dose is dated before the patient's birth.
    #[error(
        "patient {patient}: dose {dose}: date_administered {date} is before the date of birth {dob}"
    )]
    DoseBeforeBirth {
        /// The patient.
        patient: String,
        /// The dose (1-based position in the history).
        dose: usize,
        /// The dose's date.
        date: Date,
        /// The date of birth.
        dob: Date,
    },
    /// The assessment date is before the patient's birth.
    #[error("patient {patient}: assessment_date {date} is before the date of birth {dob}")]
    AssessmentBeforeBirth {
        /// The patient.
        patient: String,
        /// The assessment date.
        date: Date,
        /// The date of birth.
        dob: Date,
    },
    /// A field could not be read (a malformed date, an unknown sex code).
    #[error("patient {patient}: field {field}: {message}")]
    InvalidField {
        /// The patient.
        patient: String,
        /// The field, e.g. `dob` or `doses[2].date_administered`.
        field: String,
        /// What was wrong.
        message: String,
    },
}
