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
    pub(crate) school: Option<SchoolGrade>,
    pub(crate) doses: Vec<AdministeredDose>,
}

/// A child's school grade in a school year (*tahun ajaran*, 1 July to 30 June).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct SchoolGrade {
    /// The grade: 1–6 SD, 7–9 SMP (kelas 7–9), 10–12 SMA.
    pub(crate) grade: u8,
    /// The calendar year the school year starts in (July).
    pub(crate) school_year: i32,
}

/// The calendar year in which the school year holding `on` starts (it starts on 1 July).
pub(crate) fn school_year_of(on: Date) -> i32 {
    if on.month() >= time::Month::July {
        on.year()
    } else {
        on.year() - 1
    }
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
            school: None,
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
    /// selects regional series such as JE. Letters may be in either case; a region
    /// that is not an ISO 3166-2 code, or an Indonesian one that is not a province,
    /// makes the assessment fail with [`PatientError::InvalidField`] rather than quietly
    /// match no regional series.
    #[must_use]
    pub fn in_region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// The same patient in school grade `grade` on `on` (1–6 for SD, 7–9 for SMP,
    /// 10–12 for SMA). The grade advances by one each school year (1 July), so one
    /// observation places every grade: it triggers the school-age (BIAS) doses of
    /// `id-kemenkes` in their grades. Without it, those doses follow the age proxy.
    ///
    /// [`assess`](crate::assess) reports a grade outside 1–12 as
    /// [`PatientError::InvalidField`].
    ///
    /// # Examples
    ///
    /// ```
    /// use sehat_immunization::{Patient, Sex};
    /// use time::macros::date;
    ///
    /// let pupil = Patient::new(date!(2018 - 03 - 10), Sex::Female)
    ///     .in_school_grade(1, date!(2025 - 08 - 01));
    /// assert_eq!(pupil.school_grade_on(date!(2026 - 07 - 20)), Some(2));
    /// assert_eq!(pupil.school_grade_on(date!(2026 - 06 - 30)), Some(1));
    /// ```
    #[must_use]
    pub fn in_school_grade(mut self, grade: u8, on: Date) -> Self {
        self.school = Some(SchoolGrade {
            grade,
            school_year: school_year_of(on),
        });
        self
    }

    /// The school grade on `on`, when a grade was given ([`Patient::in_school_grade`]);
    /// 0 or less before grade 1.
    #[must_use]
    pub fn school_grade_on(&self, on: Date) -> Option<i32> {
        self.school
            .map(|s| i32::from(s.grade) + school_year_of(on) - s.school_year)
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
        if let Some(s) = self.school
            && !(1..=12).contains(&s.grade)
        {
            return Err(PatientError::InvalidField {
                patient: self.label().to_string(),
                field: "school_grade".to_string(),
                message: format!("grade {} is not between 1 and 12", s.grade),
            });
        }
        if let Some(region) = &self.region
            && let Err(message) = crate::model::region::check(region)
        {
            return Err(PatientError::InvalidField {
                patient: self.label().to_string(),
                field: "region".to_string(),
                message,
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
