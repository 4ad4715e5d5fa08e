//! Golden cases for the `id-kemenkes` schedule, from the Kemenkes schedule table in the
//! project's immunization reference (§1.2, §1.4 and §5.1): an on-time child, late
//! starters at 8, 14 and 30 months, the rotavirus cut-off, IPV2 four months after IPV1,
//! PCV begun at 12–23 and 24–59 months, and the DPT-HB-Hib booster 12 months after dose 3.
#![cfg(all(feature = "cdsi-us", feature = "id-kemenkes"))]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use sehat_immunization::{
    Assessment, Band, EvaluationReason, EvaluationStatus, GroupAssessment, KemenkesOptions,
    Patient, Schedule, SeriesStatus, Sex, assess,
};
use time::Date;
use time::macros::date;

const DOB: Date = date!(2024 - 01 - 15);

fn kemenkes() -> &'static Schedule {
    Schedule::id_kemenkes().unwrap()
}

fn child(doses: &[(Date, &str)]) -> Patient {
    doses.iter().fold(
        Patient::new(DOB, Sex::Female).with_id("golden"),
        |p, (d, v)| p.dose(*d, *v),
    )
}

fn group<'a>(a: &'a Assessment, name: &str) -> &'a GroupAssessment {
    a.group(name).unwrap_or_else(|| panic!("no group {name}"))
}

fn on_time_history() -> Vec<(Date, &'static str)> {
    let mut h = vec![
        (date!(2024 - 01 - 15), "HB0"),
        (date!(2024 - 01 - 20), "BCG"),
        (date!(2024 - 01 - 20), "bOPV"),
    ];
    for d in [date!(2024 - 03 - 15), date!(2024 - 04 - 15)] {
        h.extend([(d, "DPT-HB-Hib"), (d, "bOPV"), (d, "PCV"), (d, "RV")]);
    }
    let d = date!(2024 - 05 - 15);
    h.extend([(d, "DPT-HB-Hib"), (d, "bOPV"), (d, "IPV"), (d, "RV")]);
    h.extend([
        (date!(2024 - 10 - 15), "MR"),
        (date!(2024 - 10 - 15), "IPV"),
        (date!(2025 - 01 - 15), "PCV"),
        (date!(2025 - 07 - 15), "DPT-HB-Hib"),
        (date!(2025 - 07 - 15), "MR"),
    ]);
    h
}

#[test]
fn on_time_child_is_complete_at_two_years() {
    let a = assess(
        &child(&on_time_history()),
        kemenkes(),
        date!(2026 - 01 - 20),
    )
    .unwrap();
    let names: Vec<&str> = a.groups.iter().map(|g| g.group.as_str()).collect();
    assert_eq!(
        names,
        ["HB0", "BCG", "bOPV", "IPV", "DPT-HB-Hib", "PCV", "RV", "MR"]
    );
    for g in &a.groups {
        assert_eq!(g.status, SeriesStatus::Complete, "{}", g.group);
        assert!(
            g.doses.iter().all(|d| d.status == EvaluationStatus::Valid),
            "{}: {:?}",
            g.group,
            g.doses
        );
    }
    assert_eq!(group(&a, "bOPV").doses.len(), 4);
    assert_eq!(group(&a, "DPT-HB-Hib").doses.len(), 4);
}

#[test]
fn on_time_child_before_two_months_waits_for_dpt_hb_hib_1() {
    let a = assess(
        &child(&on_time_history()[..3]),
        kemenkes(),
        date!(2024 - 03 - 10),
    )
    .unwrap();
    let dpt = group(&a, "DPT-HB-Hib");
    assert_eq!(dpt.status, SeriesStatus::NotComplete);
    assert_eq!(dpt.forecast_dose_number, Some(1));
    assert_eq!(dpt.earliest_date, Some(date!(2024 - 03 - 15)));
    assert_eq!(dpt.recommended_date, Some(date!(2024 - 03 - 15)));
    assert_eq!(dpt.past_due_date, Some(date!(2025 - 01 - 14)));
    assert_eq!(dpt.latest_date, Some(date!(2029 - 01 - 14)));
    assert_eq!(dpt.band, Some(Band::NotAllowed));
    assert!(!dpt.is_due_on(date!(2024 - 03 - 14)));
    assert!(dpt.is_due_on(date!(2024 - 03 - 15)));
    let a = assess(
        &child(&on_time_history()[..3]),
        kemenkes(),
        date!(2024 - 03 - 15),
    )
    .unwrap();
    assert_eq!(group(&a, "DPT-HB-Hib").band, Some(Band::Recommended));
    assert_eq!(group(&a, "HB0").status, SeriesStatus::Complete);
    assert_eq!(group(&a, "bOPV").forecast_dose_number, Some(2));
}

#[test]
fn late_starter_at_8_months() {
    let a = assess(&child(&[]), kemenkes(), date!(2024 - 09 - 20)).unwrap();
    assert_eq!(group(&a, "HB0").status, SeriesStatus::AgedOut);
    assert_eq!(group(&a, "RV").status, SeriesStatus::AgedOut);
    let bcg = group(&a, "BCG");
    assert_eq!(bcg.status, SeriesStatus::NotComplete);
    assert_eq!(bcg.band, Some(Band::Allowed));
    assert_eq!(bcg.latest_date, Some(date!(2025 - 01 - 14)));
    let dpt = group(&a, "DPT-HB-Hib");
    assert_eq!(dpt.forecast_dose_number, Some(1));
    assert_eq!(dpt.band, Some(Band::Allowed));
    assert!(dpt.is_due_on(date!(2024 - 09 - 20)));
    assert!(!dpt.is_overdue_on(date!(2024 - 09 - 20)));
    let pcv = group(&a, "PCV");
    assert_eq!(pcv.series, ["PCV 1-3 (2p+1)"]);
    assert_eq!(pcv.recommended_date, Some(date!(2024 - 03 - 15)));
    let mr = group(&a, "MR");
    assert_eq!(mr.earliest_date, Some(date!(2024 - 10 - 15)));
    assert_eq!(mr.band, Some(Band::NotAllowed));
    // DPT-HB-Hib 2 four weeks after a first dose given now.
    let a = assess(
        &child(&[(date!(2024 - 09 - 20), "DPT-HB-Hib")]),
        kemenkes(),
        date!(2024 - 09 - 21),
    )
    .unwrap();
    assert_eq!(
        group(&a, "DPT-HB-Hib").earliest_date,
        Some(date!(2024 - 10 - 18))
    );
}

#[test]
fn late_starter_at_14_months_is_in_catch_up() {
    let a = assess(&child(&[]), kemenkes(), date!(2025 - 03 - 20)).unwrap();
    assert_eq!(group(&a, "BCG").status, SeriesStatus::AgedOut);
    let dpt = group(&a, "DPT-HB-Hib");
    assert_eq!(dpt.band, Some(Band::CatchUp));
    assert_eq!(dpt.past_due_date, Some(date!(2025 - 01 - 14)));
    assert!(dpt.is_overdue_on(date!(2025 - 03 - 20)));
    assert_eq!(group(&a, "MR").band, Some(Band::CatchUp));
    let pcv = group(&a, "PCV");
    assert_eq!(
        pcv.series,
        ["PCV kejar, first dose at 12-23 months: 2 doses"]
    );
    assert_eq!(pcv.forecast_dose_number, Some(1));
    assert_eq!(pcv.earliest_date, Some(date!(2025 - 01 - 15)));
    // PCV kejar shows PCV 1's chart band.
    assert_eq!(pcv.band, Some(Band::CatchUp));
}

#[test]
fn late_starter_at_30_months() {
    let a = assess(&child(&[]), kemenkes(), date!(2026 - 07 - 20)).unwrap();
    let pcv = group(&a, "PCV");
    assert_eq!(
        pcv.series,
        ["PCV kejar, first dose at 24-59 months: 1 dose"]
    );
    assert_eq!(pcv.earliest_date, Some(date!(2026 - 01 - 15)));
    assert_eq!(pcv.latest_date, Some(date!(2029 - 01 - 14)));
    assert_eq!(group(&a, "DPT-HB-Hib").band, Some(Band::CatchUp));
    assert_eq!(group(&a, "IPV").band, Some(Band::CatchUp));
}

#[test]
fn rotavirus_last_dose_by_6_months_29_days() {
    let two = [(date!(2024 - 03 - 15), "RV"), (date!(2024 - 04 - 15), "RV")];
    let a = assess(&child(&two), kemenkes(), date!(2024 - 06 - 01)).unwrap();
    let rv = group(&a, "RV");
    assert_eq!(rv.forecast_dose_number, Some(3));
    assert_eq!(rv.latest_date, Some(date!(2024 - 08 - 14)));
    let mut three = two.to_vec();
    three.push((date!(2024 - 08 - 14), "RV"));
    let a = assess(&child(&three), kemenkes(), date!(2024 - 09 - 01)).unwrap();
    assert_eq!(group(&a, "RV").status, SeriesStatus::Complete);
    three[2].0 = date!(2024 - 08 - 15);
    let a = assess(&child(&three), kemenkes(), date!(2024 - 09 - 01)).unwrap();
    let rv = group(&a, "RV");
    assert_eq!(rv.status, SeriesStatus::AgedOut);
    assert_eq!(rv.doses[2].status, EvaluationStatus::Extraneous);
    assert_eq!(rv.doses[2].reason, Some(EvaluationReason::TooOld));
    // No first dose after 4 months (max age 5 months).
    let a = assess(
        &child(&[(date!(2024 - 06 - 15), "RV")]),
        kemenkes(),
        date!(2024 - 07 - 01),
    )
    .unwrap();
    assert_eq!(
        group(&a, "RV").doses[0].reason,
        Some(EvaluationReason::TooOld)
    );
}

#[test]
fn ipv2_four_months_after_ipv1() {
    let ipv1 = [(date!(2024 - 09 - 15), "IPV")];
    let a = assess(&child(&ipv1), kemenkes(), date!(2024 - 10 - 20)).unwrap();
    let ipv = group(&a, "IPV");
    assert_eq!(ipv.forecast_dose_number, Some(2));
    assert_eq!(ipv.earliest_date, Some(date!(2025 - 01 - 15)));
    let early = [ipv1[0], (date!(2024 - 12 - 20), "IPV")];
    let a = assess(&child(&early), kemenkes(), date!(2025 - 01 - 01)).unwrap();
    let ipv = group(&a, "IPV");
    assert_eq!(ipv.doses[1].status, EvaluationStatus::NotValid);
    assert_eq!(ipv.doses[1].reason, Some(EvaluationReason::TooSoon));
    // The 2023 transition rule (4 weeks) is an option.
    let mut options = KemenkesOptions::default();
    options.ipv2_min_interval = "4w".parse().unwrap();
    let transition =
        Schedule::from_kemenkes_toml(include_str!("../data/id-kemenkes.toml"), &options).unwrap();
    let a = assess(&child(&ipv1), &transition, date!(2024 - 10 - 20)).unwrap();
    assert_eq!(group(&a, "IPV").earliest_date, Some(date!(2024 - 10 - 15)));
}

#[test]
fn pcv_begun_at_12_to_23_months_needs_two_doses_8_weeks_apart() {
    let one = [(date!(2025 - 02 - 20), "PCV")];
    let a = assess(&child(&one), kemenkes(), date!(2025 - 03 - 01)).unwrap();
    let pcv = group(&a, "PCV");
    assert_eq!(pcv.forecast_dose_number, Some(2));
    assert_eq!(pcv.earliest_date, Some(date!(2025 - 04 - 17)));
    assert_eq!(pcv.latest_date, Some(date!(2026 - 01 - 14)));
    let two = [one[0], (date!(2025 - 04 - 20), "PCV")];
    let a = assess(&child(&two), kemenkes(), date!(2025 - 05 - 01)).unwrap();
    assert_eq!(group(&a, "PCV").status, SeriesStatus::Complete);
}

#[test]
fn pcv_begun_at_24_to_59_months_needs_one_dose() {
    let a = assess(
        &child(&[(date!(2026 - 02 - 01), "PCV")]),
        kemenkes(),
        date!(2026 - 03 - 01),
    )
    .unwrap();
    let pcv = group(&a, "PCV");
    assert_eq!(pcv.status, SeriesStatus::Complete);
    assert_eq!(
        pcv.series,
        ["PCV kejar, first dose at 24-59 months: 1 dose"]
    );
}

#[test]
fn dpt_hb_hib_booster_12_months_after_dose_3() {
    let h = [
        (date!(2024 - 03 - 15), "DPT-HB-Hib"),
        (date!(2024 - 04 - 15), "DPT-HB-Hib"),
        (date!(2024 - 11 - 15), "DPT-HB-Hib"),
    ];
    let a = assess(&child(&h), kemenkes(), date!(2025 - 07 - 20)).unwrap();
    let dpt = group(&a, "DPT-HB-Hib");
    assert_eq!(dpt.forecast_dose_number, Some(4));
    assert_eq!(dpt.dose_label.as_deref(), Some("DPT-HB-Hib Lanjutan"));
    assert_eq!(dpt.earliest_date, Some(date!(2025 - 11 - 15)));
    assert_eq!(dpt.recommended_date, Some(date!(2025 - 11 - 15)));
    assert_eq!(dpt.past_due_date, Some(date!(2026 - 01 - 14)));
    let mut early = h.to_vec();
    early.push((date!(2025 - 08 - 01), "DPT-HB-Hib"));
    let a = assess(&child(&early), kemenkes(), date!(2025 - 08 - 02)).unwrap();
    assert_eq!(
        group(&a, "DPT-HB-Hib").doses[3].reason,
        Some(EvaluationReason::TooSoon)
    );
}

#[test]
fn je_only_in_provinces_that_use_it() {
    let a = assess(&child(&[]), kemenkes(), date!(2024 - 12 - 01)).unwrap();
    assert!(a.group("JE").is_none());
    let bali = child(&[]).in_region("ID-BA");
    let a = assess(&bali, kemenkes(), date!(2024 - 12 - 01)).unwrap();
    let je = group(&a, "JE");
    assert_eq!(je.recommended_date, Some(date!(2024 - 11 - 15)));
    assert_eq!(je.band, Some(Band::Recommended));
    assert_eq!(je.band_label.as_deref(), Some("dianjurkan"));
}

#[test]
fn bands_are_neutral_kinds_with_the_buku_kia_words_as_data() {
    let id = kemenkes();
    let words: Vec<&str> = [
        Band::Recommended,
        Band::Allowed,
        Band::CatchUp,
        Band::NotAllowed,
    ]
    .into_iter()
    .map(|b| id.band_label(b))
    .collect();
    assert_eq!(
        words,
        [
            "dianjurkan",
            "masih diperbolehkan",
            "imunisasi kejar",
            "tidak diperbolehkan"
        ]
    );
    // CDC's schedule has no bands and names the kinds neutrally.
    let us = Schedule::cdsi_us().unwrap();
    assert_eq!(us.band_label(Band::CatchUp), "catch-up");
    // The Buku KIA variant names still compile, as aliases.
    #[allow(deprecated)]
    let old = Band::TidakDiperbolehkan;
    assert_eq!(old, Band::NotAllowed);
}

#[test]
fn introduction_dates_exclude_older_children() {
    // Rotavirus national from 2023-08-15: a child who was past RV's ages then is not due.
    let older = Patient::new(date!(2022 - 06 - 01), Sex::Male);
    let a = assess(&older, kemenkes(), date!(2023 - 09 - 01)).unwrap();
    assert_ne!(
        a.group("RV").map(|g| g.status),
        Some(SeriesStatus::NotComplete)
    );
    // An infant born after it is due at 2 months.
    let young = Patient::new(date!(2023 - 07 - 01), Sex::Male);
    let a = assess(&young, kemenkes(), date!(2023 - 09 - 01)).unwrap();
    let rv = group(&a, "RV");
    assert_eq!(rv.status, SeriesStatus::NotComplete);
    assert_eq!(rv.earliest_date, Some(date!(2023 - 09 - 01)));
}
