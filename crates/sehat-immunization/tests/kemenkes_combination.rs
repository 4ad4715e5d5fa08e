//! Combination vaccines in the `id-kemenkes` schedule: each antigen of a combination
//! counts toward its own series. The case is DI Yogyakarta's hexavalent DPT-HB-Hib-IPV
//! (from October 2025) at 2, 3 and 4 months: the dose at 4 months is IPV 1, so IPV 2 is
//! forecast at 9 months (at least 4 months later) and no separate IPV 1 is asked for.
#![cfg(feature = "id-kemenkes")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use sehat_immunization::{
    EvaluationReason, EvaluationStatus, KemenkesOptions, Patient, Schedule, SeriesStatus, Sex,
    assess,
};
use time::Date;
use time::macros::date;

const DOB: Date = date!(2025 - 08 - 01);

fn kemenkes() -> &'static Schedule {
    Schedule::id_kemenkes().unwrap()
}

/// A DI Yogyakarta infant given the hexavalent at 2, 3 and 4 months with bOPV.
fn diy_hexavalent_infant() -> Patient {
    let mut p = Patient::new(DOB, Sex::Female)
        .with_id("diy")
        .in_region("ID-YO")
        .dose(date!(2025 - 08 - 01), "HB0")
        .dose(date!(2025 - 08 - 20), "BCG")
        .dose(date!(2025 - 08 - 20), "bOPV");
    for d in [
        date!(2025 - 10 - 01),
        date!(2025 - 11 - 01),
        date!(2025 - 12 - 01),
    ] {
        p = p.dose(d, "DPT-HB-Hib-IPV").dose(d, "bOPV");
    }
    p
}

#[test]
fn hexavalent_at_four_months_is_ipv_1_and_ipv_2_is_due_at_nine_months() {
    let a = assess(&diy_hexavalent_infant(), kemenkes(), date!(2025 - 12 - 10)).unwrap();
    let ipv = a.group("IPV").unwrap();
    assert_eq!(ipv.status, SeriesStatus::NotComplete);
    assert_eq!(ipv.forecast_dose_number, Some(2));
    assert_eq!(ipv.dose_label.as_deref(), Some("Polio Suntik (IPV) 2"));
    // At 9 months with MR (IPV 2's minimum age; 4 months after the dose at 4 months).
    assert_eq!(ipv.earliest_date, Some(date!(2026 - 05 - 01)));
    assert_eq!(ipv.recommended_date, Some(date!(2026 - 05 - 01)));
    assert_eq!(ipv.recommended_vaccines, ["IPV"]);
    // The three hexavalent doses are listed under IPV; those at 2 and 3 months come
    // before IPV 1's minimum age (4 months) and are not counted there.
    let statuses: Vec<_> = ipv.doses.iter().map(|d| (d.date, d.status)).collect();
    assert_eq!(
        statuses,
        [
            (date!(2025 - 10 - 01), EvaluationStatus::NotValid),
            (date!(2025 - 11 - 01), EvaluationStatus::NotValid),
            (date!(2025 - 12 - 01), EvaluationStatus::Valid),
        ]
    );
    assert_eq!(ipv.doses[0].reason, Some(EvaluationReason::TooYoung));
    assert!(ipv.doses.iter().all(|d| d.vaccine == "DPT-HB-Hib-IPV"));
    // The same doses still complete DPT-HB-Hib 1-3, and bOPV is not touched.
    let dpt = a.group("DPT-HB-Hib").unwrap();
    assert_eq!(dpt.forecast_dose_number, Some(4));
    assert!(
        dpt.doses
            .iter()
            .all(|d| d.status == EvaluationStatus::Valid)
    );
    let bopv = a.group("bOPV").unwrap();
    assert_eq!(bopv.status, SeriesStatus::Complete);
    assert!(bopv.doses.iter().all(|d| d.vaccine == "bOPV"));
}

#[test]
fn hexavalent_does_not_count_as_oral_polio_or_birth_dose() {
    // Only hexavalent: bOPV 1-4 and HB0 are still due, IPV 1 is not.
    let p = Patient::new(DOB, Sex::Male)
        .in_region("ID-YO")
        .dose(date!(2025 - 10 - 01), "DPT-HB-Hib-IPV")
        .dose(date!(2025 - 11 - 01), "DPT-HB-Hib-IPV")
        .dose(date!(2025 - 12 - 01), "DPT-HB-Hib-IPV");
    let a = assess(&p, kemenkes(), date!(2025 - 12 - 10)).unwrap();
    let bopv = a.group("bOPV").unwrap();
    assert_eq!(bopv.forecast_dose_number, Some(1));
    assert!(bopv.doses.is_empty());
    assert!(a.group("HB0").unwrap().doses.is_empty());
    assert_eq!(a.group("IPV").unwrap().forecast_dose_number, Some(2));
}

#[test]
fn ipv_2_at_nine_months_completes_the_injectable_polio_line() {
    let p = diy_hexavalent_infant()
        .dose(date!(2026 - 05 - 01), "MR")
        .dose(date!(2026 - 05 - 01), "IPV");
    let a = assess(&p, kemenkes(), date!(2026 - 05 - 10)).unwrap();
    let ipv = a.group("IPV").unwrap();
    assert_eq!(ipv.status, SeriesStatus::Complete);
    assert_eq!(ipv.doses.len(), 4);
    assert_eq!(ipv.doses[3].status, EvaluationStatus::Valid);
    // A separate IPV on the day of the third hexavalent is not a second IPV dose.
    let double = diy_hexavalent_infant().dose(date!(2025 - 12 - 01), "IPV");
    let a = assess(&double, kemenkes(), date!(2025 - 12 - 10)).unwrap();
    let ipv = a.group("IPV").unwrap();
    assert_eq!(ipv.forecast_dose_number, Some(2));
    assert_eq!(
        ipv.doses.last().map(|d| d.reason),
        Some(Some(EvaluationReason::TooYoung))
    );
}

#[test]
fn a_late_hexavalent_start_puts_ipv_2_four_months_after_the_first() {
    // Hexavalent begun at 6 months: that dose is IPV 1, IPV 2 is due 4 months later
    // (10 months), later than the usual 9.
    let mut p = Patient::new(DOB, Sex::Female).in_region("ID-YO");
    for d in [
        date!(2026 - 02 - 01),
        date!(2026 - 03 - 01),
        date!(2026 - 04 - 01),
    ] {
        p = p.dose(d, "DPT-HB-Hib-IPV");
    }
    let a = assess(&p, kemenkes(), date!(2026 - 04 - 10)).unwrap();
    let ipv = a.group("IPV").unwrap();
    assert_eq!(ipv.forecast_dose_number, Some(2));
    assert_eq!(ipv.doses[0].status, EvaluationStatus::Valid);
    assert_eq!(ipv.earliest_date, Some(date!(2026 - 06 - 01)));
    assert_eq!(ipv.doses[1].reason, Some(EvaluationReason::TooYoung));
}

#[test]
fn a_combination_naming_an_unknown_component_is_refused() {
    let text = include_str!("../data/id-kemenkes.toml").replace(
        "components = [\"DPT_HB_Hib\", \"IPV\"]",
        "components = [\"DPT_HB_Hib\", \"IPV_X\"]",
    );
    let e = Schedule::from_kemenkes_toml(&text, &KemenkesOptions::default()).unwrap_err();
    let msg = e.to_string();
    assert!(msg.contains("DPT_HB_Hib_IPV"), "{msg}");
    assert!(msg.contains("IPV_X"), "{msg}");
}

#[test]
fn a_component_with_an_antigen_the_combination_lacks_is_refused() {
    let text = include_str!("../data/id-kemenkes.toml").replace(
        "components = [\"DPT_HB_Hib\", \"IPV\"]",
        "components = [\"DPT_HB_Hib\", \"MR\"]",
    );
    let e = Schedule::from_kemenkes_toml(&text, &KemenkesOptions::default()).unwrap_err();
    let msg = e.to_string();
    assert!(msg.contains("measles"), "{msg}");
}
