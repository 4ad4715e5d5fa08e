//! Immunization records as JSON (CDSi test-case shape): `PatientRecord` read from a file
//! (one record or an array of them, as the command line reads them), then `to_patient`
//! and `forecast` under both built-in schedules.
//!
//! Invariants beyond "no panic":
//! - a forecast serializes to JSON;
//! - every dose result carries the `seq` of a dose of the input, at most once per group;
//! - a requested group is reported as requested; without one, every group is listed;
//! - every error names the patient.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sehat_immunization::{PatientRecord, Schedule};

fuzz_target!(|data: &[u8]| {
    let records: Vec<PatientRecord> = match data.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'[') => match serde_json::from_slice(data) {
            Ok(records) => records,
            Err(_) => return,
        },
        _ => match serde_json::from_slice(data) {
            Ok(record) => vec![record],
            Err(_) => return,
        },
    };
    let schedules = [
        Schedule::cdsi_us().expect("built-in schedule"),
        Schedule::id_kemenkes().expect("built-in schedule"),
    ];
    for record in records.iter().take(4) {
        for schedule in schedules {
            check(record, schedule);
        }
    }
});

fn check(record: &PatientRecord, schedule: &Schedule) {
    let label = match &record.id {
        Some(id) => format!("{id:?}"),
        None => "(no id)".to_string(),
    };
    if let Err(error) = record.to_patient(schedule) {
        let shown = error.to_string();
        assert!(
            shown.contains(&label),
            "error does not name the patient: {shown:?}"
        );
        return;
    }
    let forecast = match record.forecast(schedule) {
        Ok(forecast) => forecast,
        Err(error) => {
            let shown = error.to_string();
            assert!(
                shown.contains(&label),
                "error does not name the patient: {shown:?}"
            );
            return;
        }
    };
    serde_json::to_string(&forecast).expect("a forecast serializes");
    let seqs: Vec<u32> = record
        .doses
        .iter()
        .enumerate()
        .map(|(i, d)| d.seq.unwrap_or(u32::try_from(i + 1).unwrap_or(u32::MAX)))
        .collect();
    let groups: Vec<_> = match (&record.vaccine_group, &forecast.group, &forecast.groups) {
        (Some(name), Some(group), None) => {
            assert_eq!(forecast.vaccine_group.as_ref(), Some(name));
            vec![group]
        }
        (None, None, Some(groups)) => {
            assert!(
                groups.len() <= schedule.vaccine_groups().len(),
                "more groups than the schedule has"
            );
            groups.iter().collect()
        }
        _ => panic!("the forecast's shape does not match the request"),
    };
    for group in groups {
        assert!(
            group.doses.len() <= seqs.len(),
            "more dose results than doses"
        );
        for dose in &group.doses {
            assert!(
                seqs.contains(&dose.seq),
                "a dose result names no dose of the input"
            );
        }
    }
}
