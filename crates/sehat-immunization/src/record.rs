//! Patients and results as JSON records shaped like CDC's CDSi test cases, for files and
//! the command line.

use serde::{Deserialize, Serialize};
use time::Date;

use crate::engine::assessment::{Assessment, EvaluationStatus, GroupAssessment, assess};
use crate::error::PatientError;
use crate::model::patient::{AdministeredDose, Patient, Sex};
use crate::model::schedule::Schedule;

/// One patient as a CDSi test case writes it (other fields are ignored).
///
/// # Examples
///
/// ```
/// # #[cfg(feature = "cdsi-us")]
/// # {
/// use sehat_immunization::{PatientRecord, Schedule};
///
/// let json = r#"{"id": "2013-0002", "dob": "2025-01-01", "gender": "F",
///     "assessment_date": "2025-03-01", "vaccine_group": "DTAP",
///     "doses": [{"seq": 1, "date_administered": "2025-02-12", "cvx": "20"}]}"#;
/// let record: PatientRecord = serde_json::from_str(json)?;
/// let result = record.forecast(Schedule::cdsi_us()?)?;
/// assert_eq!(result.vaccine_group.as_deref(), Some("DTAP"));
/// assert_eq!(result.series_status.as_deref(), Some("Not complete"));
/// # }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct PatientRecord {
    /// The patient's id.
    #[serde(default)]
    pub id: Option<String>,
    /// Date of birth, `YYYY-MM-DD`.
    pub dob: String,
    /// `F`, `M` or `U`.
    #[serde(default)]
    pub gender: Option<String>,
    /// The assessment date, `YYYY-MM-DD`.
    pub assessment_date: String,
    /// ISO 3166-2 region (selects JE in `id-kemenkes`).
    #[serde(default)]
    pub region: Option<String>,
    /// The school grade on the assessment date (1–6 SD, 7–9 SMP, 10–12 SMA): places the
    /// school-age (BIAS) doses of `id-kemenkes`; without it they follow the age proxy.
    #[serde(default)]
    pub school_grade: Option<u8>,
    /// The vaccine group to report (a name or code); all groups when absent.
    #[serde(default)]
    pub vaccine_group: Option<String>,
    /// The doses.
    #[serde(default)]
    pub doses: Vec<DoseRecord>,
}

/// One administered dose of a [`PatientRecord`].
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct DoseRecord {
    /// Position in the history (1-based).
    #[serde(default)]
    pub seq: Option<u32>,
    /// Date administered, `YYYY-MM-DD`.
    pub date_administered: String,
    /// CVX code.
    #[serde(default)]
    pub cvx: Option<String>,
    /// MVX code.
    #[serde(default)]
    pub mvx: Option<String>,
    /// The vaccine's name (used when there is no CVX code, e.g. `DPT-HB-Hib`).
    #[serde(default)]
    pub vaccine_name: Option<String>,
    /// A dose condition (expired lot, recall, cold-chain break): not evaluated.
    #[serde(default)]
    pub sub_standard: bool,
}

/// The result for one patient: one group (when the record names one) or all groups.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct ForecastRecord {
    /// The patient's id.
    pub id: Option<String>,
    /// The requested group, as named in the input.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vaccine_group: Option<String>,
    /// Its status (`Not complete`, `Complete`, `Aged out`, `Immune`, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub series_status: Option<String>,
    /// The result of the requested group; its fields are flattened.
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub group: Option<GroupRecord>,
    /// Every group, when none was requested.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub groups: Option<Vec<GroupRecord>>,
}

/// One vaccine group's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct GroupRecord {
    /// The group (its short code when it has one).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vaccine_group: Option<String>,
    /// Its status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub series_status: Option<String>,
    /// The dose forecast.
    pub forecast_dose_number: Option<u32>,
    /// Earliest date.
    pub earliest_date: Option<String>,
    /// Recommended date.
    pub recommended_date: Option<String>,
    /// Past-due date.
    pub past_due_date: Option<String>,
    /// Latest date.
    pub latest_date: Option<String>,
    /// The label of the dose forecast.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dose_label: Option<String>,
    /// The Buku KIA band on the assessment date.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub band: Option<String>,
    /// Recommended vaccines.
    pub recommended_vaccines: Vec<String>,
    /// Per dose: its evaluation. For a requested group, every dose of the history (a
    /// dose that carries none of the group's antigens is reported as its own group
    /// evaluates it, as CDC's test cases expect); in the `groups` array, the group's own
    /// doses.
    pub doses: Vec<DoseResult>,
}

/// The evaluation of one dose.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct DoseResult {
    /// The dose's `seq` (its 1-based position when the input has none).
    pub seq: u32,
    /// `Valid`, `Not Valid`, `Extraneous` or `Sub-standard`.
    pub evaluation_status: String,
    /// CDSi's reason, null for valid doses.
    pub evaluation_reason: Option<String>,
}

fn parse_date(patient: &str, field: &str, value: &str) -> Result<Date, PatientError> {
    crate::date::parse_date(value)
        .filter(|_| value.trim().len() == 10 && value.trim().as_bytes().get(4) == Some(&b'-'))
        .ok_or_else(|| PatientError::InvalidField {
            patient: patient.to_string(),
            field: field.to_string(),
            message: format!("{value:?} is not a date (YYYY-MM-DD)"),
        })
}

impl PatientRecord {
    fn label(&self) -> String {
        match &self.id {
            Some(id) => format!("{id:?}"),
            None => "(no id)".to_string(),
        }
    }

    /// The patient and the assessment date. For each dose, a CVX code the schedule knows
    /// is used, else the vaccine name.
    ///
    /// # Errors
    ///
    /// [`PatientError::InvalidField`] naming the field for a malformed date or sex code;
    /// [`PatientError::InvalidCvx`] for a `cvx` that is not digits only (`"10.0"`);
    /// [`PatientError::UnknownVaccine`] when neither the CVX code nor the name is known.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[cfg(feature = "id-kemenkes")]
    /// # {
    /// use sehat_immunization::{PatientRecord, Schedule};
    ///
    /// let bad: PatientRecord = serde_json::from_str(
    ///     r#"{"id": "x", "dob": "2025-13-01", "assessment_date": "2025-03-01"}"#)?;
    /// let err = bad.to_patient(Schedule::id_kemenkes()?).unwrap_err();
    /// assert!(err.to_string().contains("field dob"));
    /// # }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn to_patient(&self, schedule: &Schedule) -> Result<(Patient, Date), PatientError> {
        let who = self.label();
        let dob = parse_date(&who, "dob", &self.dob)?;
        let on = parse_date(&who, "assessment_date", &self.assessment_date)?;
        let sex = match &self.gender {
            None => Sex::Unknown,
            Some(g) => g.parse().map_err(|message| PatientError::InvalidField {
                patient: who.clone(),
                field: "gender".to_string(),
                message,
            })?,
        };
        let mut patient = Patient::new(dob, sex);
        patient.id = self.id.clone();
        patient.region = self.region.clone();
        if let Some(grade) = self.school_grade {
            patient = patient.in_school_grade(grade, on);
        }
        for (i, d) in self.doses.iter().enumerate() {
            let field = format!("doses[{i}].date_administered");
            let date = parse_date(&who, &field, &d.date_administered)?;
            let cvx = d.cvx.as_deref().map(str::trim).filter(|c| !c.is_empty());
            if let Some(c) = cvx.filter(|c| !crate::model::schedule::is_cvx(c)) {
                return Err(PatientError::InvalidCvx {
                    patient: who,
                    dose: i + 1,
                    value: c.to_string(),
                });
            }
            let name = d
                .vaccine_name
                .as_deref()
                .map(str::trim)
                .filter(|n| !n.is_empty());
            let vaccine = match (cvx, name) {
                (Some(c), _) if schedule.vaccine_index(c).is_some() => c,
                (_, Some(n)) if schedule.vaccine_index(n).is_some() => n,
                (Some(c), _) => c,
                (None, Some(n)) => n,
                (None, None) => {
                    return Err(PatientError::InvalidField {
                        patient: who,
                        field: format!("doses[{i}]"),
                        message: "neither cvx nor vaccine_name is given".to_string(),
                    });
                }
            };
            let mut dose = AdministeredDose::new(date, vaccine);
            dose.mvx.clone_from(&d.mvx);
            dose.sub_standard = d.sub_standard;
            patient.doses.push(dose);
        }
        Ok((patient, on))
    }

    /// Assesses the patient and shapes the result like the CDSi test cases.
    ///
    /// # Errors
    ///
    /// As [`PatientRecord::to_patient`] and [`assess`]; and
    /// [`PatientError::InvalidField`] for a `vaccine_group` the schedule does not have.
    ///
    /// # Examples
    ///
    /// See [`PatientRecord`].
    pub fn forecast(&self, schedule: &Schedule) -> Result<ForecastRecord, PatientError> {
        let (patient, on) = self.to_patient(schedule)?;
        let assessment = assess(&patient, schedule, on)?;
        let seqs: Vec<u32> = self
            .doses
            .iter()
            .enumerate()
            .map(|(i, d)| d.seq.unwrap_or(u32::try_from(i + 1).unwrap_or(u32::MAX)))
            .collect();
        match &self.vaccine_group {
            Some(name) => {
                if schedule.vaccine_group(name).is_none() {
                    return Err(PatientError::InvalidField {
                        patient: self.label(),
                        field: "vaccine_group".to_string(),
                        message: format!(
                            "schedule {} has no vaccine group {name:?}",
                            schedule.id()
                        ),
                    });
                }
                let group = assessment.group(name).map_or_else(
                    || not_applicable(&assessment, &seqs),
                    |g| group_record(&assessment, g, &seqs, true),
                );
                Ok(ForecastRecord {
                    id: self.id.clone(),
                    vaccine_group: Some(name.clone()),
                    series_status: group.series_status.clone(),
                    group: Some(GroupRecord {
                        vaccine_group: None,
                        series_status: None,
                        ..group
                    }),
                    groups: None,
                })
            }
            None => Ok(ForecastRecord {
                id: self.id.clone(),
                vaccine_group: None,
                series_status: None,
                group: None,
                groups: Some(
                    assessment
                        .groups
                        .iter()
                        .map(|g| group_record(&assessment, g, &seqs, false))
                        .collect(),
                ),
            }),
        }
    }
}

fn iso(d: Option<Date>) -> Option<String> {
    d.map(|d| d.to_string())
}

fn dose_results(
    assessment: &Assessment,
    group: Option<&GroupAssessment>,
    seqs: &[u32],
    others: bool,
) -> Vec<DoseResult> {
    (0..seqs.len())
        .filter_map(|i| {
            let e = group
                .and_then(|g| g.doses.iter().find(|d| d.dose == i))
                .or_else(|| {
                    if !others {
                        return None;
                    }
                    assessment
                        .groups
                        .iter()
                        .flat_map(|g| &g.doses)
                        .find(|d| d.dose == i)
                })?;
            Some(DoseResult {
                seq: seqs[i],
                evaluation_status: e.status.to_string(),
                evaluation_reason: if e.status == EvaluationStatus::Valid {
                    None
                } else {
                    e.reason.map(|r| r.to_string())
                },
            })
        })
        .collect()
}

fn group_record(
    assessment: &Assessment,
    g: &GroupAssessment,
    seqs: &[u32],
    others: bool,
) -> GroupRecord {
    GroupRecord {
        vaccine_group: Some(g.codes.first().cloned().unwrap_or_else(|| g.group.clone())),
        series_status: Some(g.status.to_string()),
        forecast_dose_number: g.forecast_dose_number,
        earliest_date: iso(g.earliest_date),
        recommended_date: iso(g.recommended_date),
        past_due_date: iso(g.past_due_date),
        latest_date: iso(g.latest_date),
        dose_label: g.dose_label.clone(),
        band: g.band_label.clone(),
        recommended_vaccines: g.recommended_vaccines.clone(),
        doses: dose_results(assessment, Some(g), seqs, others),
    }
}

/// A group with no relevant series for the patient (JE outside its provinces).
fn not_applicable(assessment: &Assessment, seqs: &[u32]) -> GroupRecord {
    GroupRecord {
        vaccine_group: None,
        series_status: Some("Not applicable".to_string()),
        forecast_dose_number: None,
        earliest_date: None,
        recommended_date: None,
        past_due_date: None,
        latest_date: None,
        dose_label: None,
        band: None,
        recommended_vaccines: Vec::new(),
        doses: dose_results(assessment, None, seqs, true),
    }
}
