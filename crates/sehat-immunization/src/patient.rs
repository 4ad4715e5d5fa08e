//! Patients and their immunization histories.

use std::fmt;
use std::str::FromStr;

use time::Date;

use crate::error::PatientError;

/// A patient's sex, as the schedules use it (HPV series, CDSi required gender).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Sex {
    /// Female.
    Female,
    /// Male.
    Male,
    /// Unknown or not recorded.
    Unknown,
}

impl FromStr for Sex {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "f" | "female" | "p" | "perempuan" => Ok(Sex::Female),
            "m" | "male" | "l" | "laki-laki" => Ok(Sex::Male),
            "u" | "unknown" | "" => Ok(Sex::Unknown),
            other => Err(format!("unknown sex {other:?} (expected F, M or U)")),
        }
    }
}

/// One administered dose: its date and the vaccine as recorded (a CVX code, or a local
/// name such as `DPT-HB-Hib` for `id-kemenkes`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdministeredDose {
    pub(crate) date: Date,
    pub(crate) vaccine: String,
    pub(crate) mvx: Option<String>,
    pub(crate) sub_standard: bool,
}

impl AdministeredDose {
    /// A dose of `vaccine` given on `date`.
    #[must_use]
    pub fn new(date: Date, vaccine: impl Into<String>) -> Self {
        AdministeredDose {
            date,
            vaccine: vaccine.into(),
            mvx: None,
            sub_standard: false,
        }
    }

    /// The same dose with its manufacturer (MVX) code.
    #[must_use]
    pub fn with_mvx(mut self, mvx: impl Into<String>) -> Self {
        self.mvx = Some(mvx.into());
        self
    }

    /// The same dose flagged as sub-standard (CDSi 6.1: an expired lot, a recall, a
    /// cold-chain break, a partial dose): it is not evaluated and satisfies nothing.
    #[must_use]
    pub fn sub_standard(mut self) -> Self {
        self.sub_standard = true;
        self
    }

    /// The date administered.
    #[must_use]
    pub fn date(&self) -> Date {
        self.date
    }

    /// The vaccine as recorded.
    #[must_use]
    pub fn vaccine(&self) -> &str {
        &self.vaccine
    }
}

/// A patient: date of birth, sex, optional id and region, and the doses received.
///
/// # Examples
///
/// ```
/// use sehat_immunization::{Patient, Sex};
/// use time::macros::date;
///
/// let child = Patient::new(date!(2024 - 01 - 15), Sex::Female)
///     .with_id("anak-001")
///     .in_region("ID-YO")
///     .dose(date!(2024 - 01 - 15), "HB0")
///     .dose(date!(2024 - 03 - 15), "DPT-HB-Hib");
/// assert_eq!(child.doses().len(), 2);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Patient {
    pub(crate) id: Option<String>,
    pub(crate) dob: Date,
    pub(crate) sex: Sex,
    pub(crate) region: Option<String>,
    pub(crate) doses: Vec<AdministeredDose>,
}

impl Patient {
    /// A patient born on `dob`, with no doses yet.
    #[must_use]
    pub fn new(dob: Date, sex: Sex) -> Self {
        Patient {
            id: None,
            dob,
            sex,
            region: None,
            doses: Vec::new(),
        }
    }

    /// The same patient with an identifier (used in errors and cohort results).
    #[must_use]
    pub fn with_id(mut self, id: impl Into<String>) -> Self {
        self.id = Some(id.into());
        self
    }

    /// The same patient living in an ISO 3166-2 region (`ID-BA`, `ID-KB`, `ID-YO`), which
    /// selects regional series such as JE.
    #[must_use]
    pub fn in_region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// The same patient with one more dose of `vaccine` on `date`.
    #[must_use]
    pub fn dose(mut self, date: Date, vaccine: impl Into<String>) -> Self {
        self.doses.push(AdministeredDose::new(date, vaccine));
        self
    }

    /// Adds a dose.
    pub fn push_dose(&mut self, dose: AdministeredDose) {
        self.doses.push(dose);
    }

    /// The id, if any.
    #[must_use]
    pub fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }

    /// The date of birth.
    #[must_use]
    pub fn dob(&self) -> Date {
        self.dob
    }

    /// The sex.
    #[must_use]
    pub fn sex(&self) -> Sex {
        self.sex
    }

    /// The region, if any.
    #[must_use]
    pub fn region(&self) -> Option<&str> {
        self.region.as_deref()
    }

    /// The doses, in the order given.
    #[must_use]
    pub fn doses(&self) -> &[AdministeredDose] {
        &self.doses
    }

    pub(crate) fn label(&self) -> PatientLabel<'_> {
        PatientLabel(self.id.as_deref())
    }

    /// Checks the dates: no dose before birth, and the assessment date not before birth.
    pub(crate) fn check(&self, assessment: Date) -> Result<(), PatientError> {
        if assessment < self.dob {
            return Err(PatientError::AssessmentBeforeBirth {
                patient: self.label().to_string(),
                date: assessment,
                dob: self.dob,
            });
        }
        for (i, d) in self.doses.iter().enumerate() {
            if d.date < self.dob {
                return Err(PatientError::DoseBeforeBirth {
                    patient: self.label().to_string(),
                    dose: i + 1,
                    date: d.date,
                    dob: self.dob,
                });
            }
        }
        Ok(())
    }
}

pub(crate) struct PatientLabel<'a>(Option<&'a str>);

impl fmt::Display for PatientLabel<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(id) => write!(f, "{id:?}"),
            None => write!(f, "(no id)"),
        }
    }
}
