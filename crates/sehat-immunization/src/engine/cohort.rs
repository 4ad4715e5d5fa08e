//! Cohort reminders: who is due or overdue in a date window, in parallel over children.

use rayon::prelude::*;
use time::Date;

use crate::engine::assessment::{SeriesStatus, forecast_groups};
use crate::error::PatientError;
use crate::model::band::Band;
use crate::model::patient::Patient;
use crate::model::schedule::Schedule;

/// A date window `[from, to]`, both days included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateWindow {
    /// First day (the assessment date).
    pub from: Date,
    /// Last day.
    pub to: Date,
}

impl DateWindow {
    /// The window from `from` to `to`, both included.
    #[must_use]
    pub fn new(from: Date, to: Date) -> Self {
        DateWindow { from, to }
    }

    /// The `days`-day window starting on `from` (7 = one week).
    #[must_use]
    pub fn days_from(from: Date, days: u16) -> Self {
        let to = crate::model::duration::Duration::days(i32::from(days.max(1)) - 1).after(from);
        DateWindow { from, to }
    }
}

/// Whether a reminder is for a dose coming due or already overdue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ReminderStatus {
    /// The recommended date falls in the window (or has passed, but not the past-due date).
    Due,
    /// The past-due date has passed on the first day of the window.
    Overdue,
}

/// One reminder: a child, a vaccine group and the dose to give. It borrows the child's
/// id and the schedule's names, so a million reminders allocate nothing per reminder.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Reminder<'a> {
    /// The child's position in the input slice.
    pub patient_index: usize,
    /// The child's id, if any.
    pub patient_id: Option<&'a str>,
    /// The vaccine group.
    pub group: &'a str,
    /// The dose number due.
    pub dose_number: Option<u32>,
    /// The dose's label (`DPT-HB-Hib 2`).
    pub dose_label: Option<&'a str>,
    /// Due or overdue.
    pub status: ReminderStatus,
    /// The recommended date.
    pub recommended_date: Option<Date>,
    /// The past-due date.
    pub past_due_date: Option<Date>,
    /// The last allowed date.
    pub latest_date: Option<Date>,
    /// The Buku KIA band on the window's first day, for schedules that have bands.
    pub band: Option<Band>,
    /// The schedule's words for `band` (`id-kemenkes`: the Buku KIA chart's).
    pub band_label: Option<&'a str>,
}

/// For every child, assesses on `window.from` and lists the vaccine groups whose next
/// dose is due by `window.to` (recommended date on or before it) or overdue, and still
/// allowed on `window.from` (latest date not before it). Runs in parallel over children
/// (rayon); the result is in input order.
///
/// # Errors
///
/// The first [`PatientError`] (by input order) if any child's data is invalid; the
/// error names the child.
///
/// # Examples
///
/// ```
/// # #[cfg(feature = "id-kemenkes")]
/// # {
/// use sehat_immunization::{cohort_due, DateWindow, Patient, Schedule, Sex};
/// use time::macros::date;
///
/// let schedule = Schedule::id_kemenkes()?;
/// let children = vec![
///     Patient::new(date!(2025 - 01 - 10), Sex::Female).with_id("a"),
///     Patient::new(date!(2020 - 01 - 10), Sex::Male).with_id("b"),
/// ];
/// let due = cohort_due(&children, schedule, DateWindow::days_from(date!(2025 - 03 - 05), 7))?;
/// assert!(due.iter().any(|r| r.patient_id.as_deref() == Some("a") && r.group == "DPT-HB-Hib"));
/// # }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn cohort_due<'a>(
    patients: &'a [Patient],
    schedule: &'a Schedule,
    window: DateWindow,
) -> Result<Vec<Reminder<'a>>, PatientError> {
    let per_child: Vec<Result<Vec<Reminder>, PatientError>> = patients
        .par_iter()
        .enumerate()
        .map(|(i, p)| reminders_for(i, p, schedule, window))
        .collect();
    let mut out = Vec::new();
    for r in per_child {
        out.extend(r?);
    }
    Ok(out)
}

fn reminders_for<'a>(
    index: usize,
    patient: &'a Patient,
    schedule: &'a Schedule,
    window: DateWindow,
) -> Result<Vec<Reminder<'a>>, PatientError> {
    let groups = forecast_groups(patient, schedule, window.from)?;
    Ok(groups
        .into_iter()
        .filter(|(_, m)| {
            m.status == SeriesStatus::NotComplete
                && m.recommended.is_some_and(|r| r <= window.to)
                && m.latest.is_none_or(|l| l >= window.from)
        })
        .map(|(g, m)| {
            let dose = m.target.map(|(s, d)| &schedule.series[s].doses[d]);
            let band =
                dose.and_then(|d| crate::model::band::band_on(&d.bands, patient.dob, window.from));
            Reminder {
                patient_index: index,
                patient_id: patient.id.as_deref(),
                group: schedule.groups[g].name.as_str(),
                dose_number: m.dose_number,
                dose_label: dose.map(|d| d.label.as_str()),
                status: if m.past_due.is_some_and(|p| p <= window.from) {
                    ReminderStatus::Overdue
                } else {
                    ReminderStatus::Due
                },
                recommended_date: m.recommended,
                past_due_date: m.past_due,
                latest_date: m.latest,
                band,
                band_label: band.map(|b| schedule.band_label(b)),
            }
        })
        .collect())
}
