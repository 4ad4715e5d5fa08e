//! Immunization reminders: who is due or overdue in the coming week, by `id-kemenkes`.

use std::error::Error;

use sehat::immunization::{
    Band, DateWindow, Patient, Reminder, ReminderStatus, Schedule, Sex as ImmunizationSex,
    cohort_due,
};
use time::Date;

use crate::register::{Register, Sex};

/// A dose to remind a family of.
#[derive(Debug, Clone)]
pub struct DueDose {
    /// The vaccine group (`DPT-HB-Hib`, `bOPV`, `MR`, …).
    pub group: String,
    /// The dose as the Buku KIA names it (`DPT-HB-Hib 2`).
    pub label: String,
    /// Due in the window, or already overdue.
    pub overdue: bool,
    /// The recommended date.
    pub recommended: Option<Date>,
    /// The Buku KIA band on the run date, in the chart's words (`dianjurkan`).
    pub band: Option<String>,
}

/// For each child (by index into the register), the doses due or overdue in the
/// `days`-day window that starts on `on`.
pub fn due(register: &Register, on: Date, days: u16) -> Result<Vec<Vec<DueDose>>, Box<dyn Error>> {
    let schedule = Schedule::id_kemenkes()?;
    let patients: Vec<Patient> = register
        .children
        .iter()
        .map(|child| {
            let sex = match child.sex {
                Sex::Boy => ImmunizationSex::Male,
                Sex::Girl => ImmunizationSex::Female,
            };
            let mut patient = Patient::new(child.birth_date, sex)
                .with_id(child.id.clone())
                .in_region(register.province_code.clone());
            // The register as it stood on the run date: doses given later are not known
            // yet (a run for an earlier date sees the doses still to come as due).
            for (date, vaccine) in child.doses.iter().filter(|(date, _)| *date <= on) {
                patient = patient.dose(*date, vaccine.clone());
            }
            patient
        })
        .collect();
    let reminders: Vec<Reminder<'_>> =
        cohort_due(&patients, schedule, DateWindow::days_from(on, days))?;
    let mut per_child = vec![Vec::new(); register.children.len()];
    for reminder in reminders {
        // Doses the Buku KIA chart no longer allows at this age are for the health worker
        // to judge, not for a reminder to the family.
        if reminder.band == Some(Band::NotAllowed) {
            continue;
        }
        per_child[reminder.patient_index].push(DueDose {
            group: reminder.group.to_owned(),
            label: reminder.dose_label.unwrap_or(reminder.group).to_owned(),
            overdue: reminder.status == ReminderStatus::Overdue,
            recommended: reminder.recommended_date,
            band: reminder.band_label.map(str::to_owned),
        });
    }
    Ok(per_child)
}
