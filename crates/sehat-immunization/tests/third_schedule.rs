//! A third national schedule from a TOML file written here, with its own vaccines,
//! series, combination, age bands and band words, runs through the same engine as
//! CDC's and Indonesia's: nothing in the crate knows it.
#![cfg(feature = "id-kemenkes")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use sehat_immunization::{
    Band, EvaluationReason, EvaluationStatus, KemenkesOptions, Patient, Schedule, SeriesStatus,
    Sex, assess, cohort_due,
};
use sehat_immunization::{DateWindow, ReminderStatus};
use time::macros::date;

/// A small EPI-style schedule: BCG at birth, OPV and pentavalent at 6, 10 and 14 weeks
/// (a hexavalent counts for both), measles at 9 months.
const EPI: &str = r#"
[schedule]
id = "epi-demo"
title = "EPI demonstration schedule"
band_labels = { recommended = "on time", allowed = "late", kejar = "catch-up round", not_allowed = "too early" }

[vaccines]
BCG = { name = "BCG", antigens = ["tb"], live = true }
OPV = { name = "Oral polio", antigens = ["polio"], live = true }
IPV = { name = "Inactivated polio", antigens = ["polio"] }
PENTA = { name = "DTP-HepB-Hib", antigens = ["diphtheria", "tetanus", "pertussis", "hepb", "hib"] }
HEXA = { name = "DTP-HepB-Hib-IPV", antigens = ["diphtheria", "tetanus", "pertussis", "hepb", "hib", "polio"], components = ["PENTA", "IPV"] }
MCV = { name = "Measles", antigens = ["measles"], live = true }

[[series]]
id = "bcg"
antigen = "tb"
label = "BCG"
  [[series.doses]]
  dose = 1
  label = "BCG"
  vaccines = ["BCG"]
  min_age = "0d"
  recommended_age = "0d"
  recommended_until = "1m"
  max_age = "12m"

[[series]]
id = "opv"
antigen = "polio"
label = "OPV 1-3"
  [[series.doses]]
  dose = 1
  label = "OPV 1"
  vaccines = ["OPV"]
  min_age = "6w"
  recommended_age = "6w"
  recommended_until = "3m"
  [[series.doses]]
  dose = 2
  label = "OPV 2"
  vaccines = ["OPV"]
  min_age = "10w"
  recommended_age = "10w"
  min_interval = "4w"
  [[series.doses]]
  dose = 3
  label = "OPV 3"
  vaccines = ["OPV"]
  min_age = "14w"
  recommended_age = "14w"
  min_interval = "4w"

[[series]]
id = "ipv"
antigen = "polio"
label = "IPV"
  [[series.doses]]
  dose = 1
  label = "IPV 1"
  vaccines = ["IPV"]
  min_age = "14w"
  recommended_age = "14w"

[[series]]
id = "penta"
antigen = ["diphtheria", "tetanus", "pertussis", "hepb", "hib"]
label = "Penta 1-3"
min_interval_default = "4w"
  [[series.doses]]
  dose = 1
  label = "Penta 1"
  vaccines = ["PENTA"]
  min_age = "6w"
  recommended_age = "6w"
  recommended_until = "3m"
  bands = { not_allowed = ["0m", "0m"], recommended = ["1m", "2m"], allowed = ["3m", "11m"], kejar = ["12m", "23m"] }
  [[series.doses]]
  dose = 2
  label = "Penta 2"
  vaccines = ["PENTA"]
  min_age = "10w"
  recommended_age = "10w"
  [[series.doses]]
  dose = 3
  label = "Penta 3"
  vaccines = ["PENTA"]
  min_age = "14w"
  recommended_age = "14w"

[[series]]
id = "mcv"
antigen = "measles"
label = "Measles"
  [[series.doses]]
  dose = 1
  label = "Measles 1"
  vaccines = ["MCV"]
  min_age = "9m"
  recommended_age = "9m"
  recommended_until = "12m"
"#;

fn epi() -> Schedule {
    Schedule::from_kemenkes_toml(EPI, &KemenkesOptions::default()).unwrap()
}

#[test]
fn a_schedule_from_a_test_file_is_assessed_by_the_same_engine() {
    let s = epi();
    assert_eq!(s.id(), "epi-demo");
    let names: Vec<&str> = s.vaccine_groups().iter().map(|g| g.name()).collect();
    assert_eq!(names, ["BCG", "OPV", "IPV", "PENTA", "MCV"]);

    let child = Patient::new(date!(2025 - 01 - 01), Sex::Male)
        .dose(date!(2025 - 01 - 01), "BCG")
        .dose(date!(2025 - 02 - 12), "OPV")
        .dose(date!(2025 - 02 - 12), "PENTA");
    let a = assess(&child, &s, date!(2025 - 03 - 01)).unwrap();
    assert_eq!(a.group("BCG").unwrap().status, SeriesStatus::Complete);
    let penta = a.group("PENTA").unwrap();
    assert_eq!(penta.forecast_dose_number, Some(2));
    assert_eq!(penta.dose_label.as_deref(), Some("Penta 2"));
    // 10 weeks of age; 4 weeks after dose 1 (2025-03-12) is the same day.
    assert_eq!(penta.earliest_date, Some(date!(2025 - 03 - 12)));
    let mcv = a.group("MCV").unwrap();
    assert_eq!(mcv.recommended_date, Some(date!(2025 - 10 - 01)));
}

#[test]
fn its_bands_show_its_own_words() {
    let s = epi();
    assert_eq!(s.band_label(Band::NotAllowed), "too early");
    let on_time = Patient::new(date!(2025 - 01 - 01), Sex::Female);
    let a = assess(&on_time, &s, date!(2025 - 02 - 15)).unwrap();
    let penta = a.group("PENTA").unwrap();
    assert_eq!(penta.band, Some(Band::Recommended));
    assert_eq!(penta.band_label.as_deref(), Some("on time"));
    let late = assess(&on_time, &s, date!(2026 - 02 - 15)).unwrap();
    assert_eq!(
        late.group("PENTA").unwrap().band_label.as_deref(),
        Some("catch-up round")
    );
    // Reminders carry the same words.
    let patients = [on_time];
    let reminders = cohort_due(
        &patients,
        &s,
        DateWindow::days_from(date!(2025 - 02 - 15), 7),
    )
    .unwrap();
    let penta = reminders.iter().find(|r| r.group == "PENTA").unwrap();
    assert_eq!(penta.status, ReminderStatus::Due);
    assert_eq!(penta.band_label, Some("on time"));
}

#[test]
fn its_combination_counts_for_each_component_series() {
    let s = epi();
    let child =
        Patient::new(date!(2025 - 01 - 01), Sex::Female).dose(date!(2025 - 04 - 09), "HEXA");
    let a = assess(&child, &s, date!(2025 - 04 - 20)).unwrap();
    // At 14 weeks: IPV 1 done, Penta 1 counted, OPV untouched.
    assert_eq!(a.group("IPV").unwrap().status, SeriesStatus::Complete);
    let penta = a.group("PENTA").unwrap();
    assert_eq!(penta.doses[0].status, EvaluationStatus::Valid);
    assert_eq!(penta.forecast_dose_number, Some(2));
    assert!(a.group("OPV").unwrap().doses.is_empty());
    // A hexavalent before IPV's minimum age is listed under IPV, not counted.
    let early =
        Patient::new(date!(2025 - 01 - 01), Sex::Female).dose(date!(2025 - 02 - 12), "HEXA");
    let a = assess(&early, &s, date!(2025 - 02 - 20)).unwrap();
    let ipv = a.group("IPV").unwrap();
    assert_eq!(ipv.doses[0].reason, Some(EvaluationReason::TooYoung));
    assert_eq!(ipv.forecast_dose_number, Some(1));
}

#[test]
fn an_unknown_band_key_is_named() {
    let bad = EPI.replace("kejar = \"catch-up round\"", "later = \"x\"");
    let e = Schedule::from_kemenkes_toml(&bad, &KemenkesOptions::default()).unwrap_err();
    let msg = e.to_string();
    assert!(msg.contains("schedule.band_labels"), "{msg}");
    assert!(msg.contains("\"later\""), "{msg}");
}
