//! CDSi rules not covered by CDC's public cases.
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
