//! CDSi rules not covered by CDC's public cases.
#![cfg(all(feature = "cdsi-us", feature = "id-kemenkes"))]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use sehat_immunization::{AdministeredDose, Patient, Schedule, SeriesStatus, Sex, assess_group};
use time::macros::date;

/// The adolescent 2-dose HepB series is for Recombivax HB adult (CVX 43 by Merck, MVX
/// MSD) only; two doses of another adult HepB vaccine at 11-15 years need a third.
#[test]
fn adolescent_hepb_two_doses_need_the_named_product() {
    let schedule = Schedule::cdsi_us().unwrap();
    let teen = |mvx: &str| {
        let mut p = Patient::new(date!(2010 - 01 - 01), Sex::Female);
        p.push_dose(AdministeredDose::new(date!(2022 - 01 - 10), "43").with_mvx(mvx));
        p.push_dose(AdministeredDose::new(date!(2022 - 06 - 10), "43").with_mvx(mvx));
        p
    };
    let merck = assess_group(&teen("MSD"), schedule, date!(2023 - 01 - 01), "HepB")
        .unwrap()
        .unwrap();
    assert_eq!(merck.status, SeriesStatus::Complete);
    let other = assess_group(&teen("SKB"), schedule, date!(2023 - 01 - 01), "HepB")
        .unwrap()
        .unwrap();
    assert_eq!(other.status, SeriesStatus::NotComplete);
    assert_eq!(other.forecast_dose_number, Some(3));
    // Without a recorded manufacturer the dose is not held against the patient.
    let unknown = Patient::new(date!(2010 - 01 - 01), Sex::Female)
        .dose(date!(2022 - 01 - 10), "43")
        .dose(date!(2022 - 06 - 10), "43");
    let unknown = assess_group(&unknown, schedule, date!(2023 - 01 - 01), "HepB")
        .unwrap()
        .unwrap();
    assert_eq!(unknown.status, SeriesStatus::Complete);
}

/// A sub-standard dose (CDSi 6.1) is not evaluated, satisfies nothing and is not the
/// reference of the next interval.
#[test]
fn sub_standard_doses_satisfy_nothing() {
    use sehat_immunization::{EvaluationReason, EvaluationStatus};
    let schedule = Schedule::id_kemenkes().unwrap();
    let mut child = Patient::new(date!(2025 - 01 - 10), Sex::Male);
    child.push_dose(AdministeredDose::new(date!(2025 - 03 - 10), "DPT-HB-Hib").sub_standard());
    let dpt = assess_group(&child, schedule, date!(2025 - 03 - 20), "DPT-HB-Hib")
        .unwrap()
        .unwrap();
    assert_eq!(dpt.doses[0].status, EvaluationStatus::SubStandard);
    assert_eq!(dpt.doses[0].reason, Some(EvaluationReason::DoseCondition));
    assert_eq!(dpt.forecast_dose_number, Some(1));
    // The repeat dose may be given at once: the sub-standard dose starts no interval.
    assert_eq!(dpt.earliest_date, Some(date!(2025 - 03 - 10)));
}
