//! Golden cases for the school-age (BIAS) and women-of-childbearing-age (Td WUS) series
//! of `id-kemenkes`, from the KMK 35/2025 BIAS table and the Td T-status rules in the
//! project's immunization reference (§1.2, §1.3, §1.7): MR in August and DT in November
//! of kelas 1, Td in kelas 2 and 5, HPV for girls in kelas 5 by the rule in force on the
//! assessment date with its catch-up grades, the age proxy without a grade, and T-status.
#![cfg(feature = "id-kemenkes")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use sehat_immunization::{
    Assessment, DateWindow, EvaluationStatus, GroupAssessment, KemenkesOptions, Patient, Schedule,
    SeriesStatus, Sex, assess, cohort_due,
};
use time::Date;
use time::macros::date;

fn kemenkes() -> &'static Schedule {
    Schedule::id_kemenkes().unwrap()
}

fn group<'a>(a: &'a Assessment, name: &str) -> &'a GroupAssessment {
    a.group(name).unwrap_or_else(|| panic!("no group {name}"))
}

/// The child born 2018-03-10 with the complete infant series, who is in kelas 1 in the
/// 2025/26 school year.
fn pupil(sex: Sex) -> Patient {
    Patient::new(date!(2018 - 03 - 10), sex)
        .with_id("pupil")
        .dose(date!(2018 - 05 - 10), "DPT-HB-Hib")
        .dose(date!(2018 - 06 - 10), "DPT-HB-Hib")
        .dose(date!(2018 - 07 - 10), "DPT-HB-Hib")
        .dose(date!(2018 - 12 - 10), "MR")
        .dose(date!(2019 - 09 - 10), "DPT-HB-Hib")
        .dose(date!(2019 - 09 - 10), "MR")
}

#[test]
fn kelas_1_in_august_gets_mr_now_and_dt_in_november() {
    let child = pupil(Sex::Male).in_school_grade(1, date!(2025 - 08 - 04));
    let on = date!(2025 - 08 - 04);
    let a = assess(&child, kemenkes(), on).unwrap();
    let mr = group(&a, "MR (BIAS)");
    assert_eq!(mr.status, SeriesStatus::NotComplete);
    assert_eq!(mr.dose_label.as_deref(), Some("MR (BIAS kelas 1 SD)"));
    assert_eq!(mr.recommended_date, Some(date!(2025 - 08 - 01)));
    assert_eq!(mr.past_due_date, Some(date!(2025 - 08 - 31)));
    assert_eq!(mr.latest_date, Some(date!(2026 - 06 - 30)));
    assert_eq!(mr.recommended_vaccines, ["MR"]);
    assert!(mr.is_due_on(on));
    // The infant MR doses do not count for the school dose.
    assert!(mr.doses.is_empty());
    let dt = group(&a, "DT/Td (BIAS)");
    assert_eq!(dt.forecast_dose_number, Some(1));
    assert_eq!(dt.dose_label.as_deref(), Some("DT (BIAS kelas 1 SD)"));
    assert_eq!(dt.recommended_date, Some(date!(2025 - 11 - 01)));
    assert_eq!(dt.recommended_vaccines, ["DT"]);
    assert!(!dt.is_due_on(on));
    assert!(dt.is_due_on(date!(2025 - 11 - 03)));
    // The infant MR series is complete and unaffected.
    assert_eq!(group(&a, "MR").status, SeriesStatus::Complete);
    // Both show in a cohort run over August to November.
    let children = [child];
    let due = cohort_due(
        &children,
        kemenkes(),
        DateWindow::new(on, date!(2025 - 11 - 30)),
    )
    .unwrap();
    let groups: Vec<&str> = due.iter().map(|r| r.group).collect();
    assert_eq!(groups, ["MR (BIAS)", "DT/Td (BIAS)"]);
}

#[test]
fn kelas_1_doses_given_lead_to_td_in_kelas_2_and_5() {
    let child = pupil(Sex::Male)
        .in_school_grade(1, date!(2025 - 08 - 04))
        .dose(date!(2025 - 08 - 12), "MR")
        .dose(date!(2025 - 11 - 12), "DT");
    let a = assess(&child, kemenkes(), date!(2026 - 01 - 05)).unwrap();
    assert_eq!(group(&a, "MR (BIAS)").status, SeriesStatus::Complete);
    let dt = group(&a, "DT/Td (BIAS)");
    assert_eq!(dt.forecast_dose_number, Some(2));
    assert_eq!(dt.dose_label.as_deref(), Some("Td (BIAS kelas 2 SD)"));
    assert_eq!(dt.recommended_date, Some(date!(2026 - 11 - 01)));
    assert_eq!(dt.recommended_vaccines, ["Td"]);
    let valid: Vec<EvaluationStatus> = dt.doses.iter().map(|d| d.status).collect();
    assert_eq!(valid, [EvaluationStatus::Valid]);
    // Td given in kelas 2: next is Td in kelas 5, November 2029.
    let child = child.dose(date!(2026 - 11 - 16), "Td");
    let a = assess(&child, kemenkes(), date!(2027 - 01 - 05)).unwrap();
    let dt = group(&a, "DT/Td (BIAS)");
    assert_eq!(dt.dose_label.as_deref(), Some("Td (BIAS kelas 5 SD)"));
    assert_eq!(dt.recommended_date, Some(date!(2029 - 11 - 01)));
}

#[test]
fn a_missed_grade_passes_to_the_next_school_dose() {
    // In kelas 3 without any school dose: MR and DT of kelas 1 and Td of kelas 2 are
    // over; Td of kelas 5 is next.
    let child = pupil(Sex::Female).in_school_grade(3, date!(2027 - 09 - 01));
    let a = assess(&child, kemenkes(), date!(2027 - 09 - 01)).unwrap();
    assert_eq!(group(&a, "MR (BIAS)").status, SeriesStatus::NotRecommended);
    let dt = group(&a, "DT/Td (BIAS)");
    assert_eq!(dt.status, SeriesStatus::NotComplete);
    assert_eq!(dt.dose_label.as_deref(), Some("Td (BIAS kelas 5 SD)"));
    assert_eq!(dt.recommended_date, Some(date!(2029 - 11 - 01)));
}

#[test]
fn the_age_proxy_places_the_doses_without_a_grade() {
    // Born 2018-03-10: 7 years before 1 July 2025, so kelas 1 in 2025/26 by the proxy.
    let a = assess(&pupil(Sex::Male), kemenkes(), date!(2025 - 08 - 04)).unwrap();
    assert_eq!(
        group(&a, "MR (BIAS)").recommended_date,
        Some(date!(2025 - 08 - 01))
    );
    assert_eq!(
        group(&a, "DT/Td (BIAS)").recommended_date,
        Some(date!(2025 - 11 - 01))
    );
    // Born after 1 July: 7 only in the next school year.
    let late = Patient::new(date!(2018 - 09 - 20), Sex::Male);
    let a = assess(&late, kemenkes(), date!(2025 - 08 - 04)).unwrap();
    assert_eq!(
        group(&a, "MR (BIAS)").recommended_date,
        Some(date!(2026 - 08 - 01))
    );
    // A known grade wins over the proxy: the same child already in kelas 1.
    let a = assess(
        &late.in_school_grade(1, date!(2025 - 08 - 04)),
        kemenkes(),
        date!(2025 - 08 - 04),
    )
    .unwrap();
    assert_eq!(
        group(&a, "MR (BIAS)").recommended_date,
        Some(date!(2025 - 08 - 01))
    );
}

#[test]
fn under_five_without_a_grade_has_no_school_or_wus_groups() {
    let child = Patient::new(date!(2023 - 01 - 10), Sex::Female);
    let a = assess(&child, kemenkes(), date!(2025 - 08 - 04)).unwrap();
    for g in ["MR (BIAS)", "DT/Td (BIAS)", "HPV", "Td WUS"] {
        assert!(a.group(g).is_none(), "{g} listed for a two-year-old");
    }
}

fn grade_5_girl() -> Patient {
    Patient::new(date!(2014 - 05 - 01), Sex::Female).with_id("siswi")
}

#[test]
fn hpv_2025_rule_is_one_dose_in_kelas_5() {
    let girl = grade_5_girl().in_school_grade(5, date!(2025 - 08 - 04));
    let a = assess(&girl, kemenkes(), date!(2025 - 08 - 04)).unwrap();
    let hpv = group(&a, "HPV");
    assert_eq!(hpv.forecast_dose_number, Some(1));
    assert_eq!(hpv.dose_label.as_deref(), Some("HPV (kelas 5 SD)"));
    assert_eq!(hpv.recommended_date, Some(date!(2025 - 08 - 01)));
    assert_eq!(hpv.recommended_vaccines, ["HPV"]);
    let girl = girl.dose(date!(2025 - 08 - 14), "HPV");
    let a = assess(&girl, kemenkes(), date!(2025 - 10 - 01)).unwrap();
    assert_eq!(group(&a, "HPV").status, SeriesStatus::Complete);
}

#[test]
fn hpv_2023_rule_is_two_doses_in_kelas_5_and_6() {
    let girl = grade_5_girl().in_school_grade(5, date!(2023 - 09 - 01));
    let a = assess(&girl, kemenkes(), date!(2023 - 09 - 01)).unwrap();
    let hpv = group(&a, "HPV");
    assert_eq!(hpv.forecast_dose_number, Some(1));
    assert_eq!(hpv.recommended_date, Some(date!(2023 - 08 - 01)));
    let girl = girl.dose(date!(2023 - 09 - 05), "HPV");
    let a = assess(&girl, kemenkes(), date!(2023 - 10 - 01)).unwrap();
    let hpv = group(&a, "HPV");
    assert_eq!(hpv.status, SeriesStatus::NotComplete);
    assert_eq!(hpv.forecast_dose_number, Some(2));
    assert_eq!(hpv.dose_label.as_deref(), Some("HPV dosis 2 (kelas 6 SD)"));
    assert_eq!(hpv.recommended_date, Some(date!(2024 - 08 - 01)));
    // Minimum 6 months after dose 1 ("minimal 6 bulan").
    assert_eq!(hpv.earliest_date, Some(date!(2024 - 07 - 01)));
    let girl = girl.dose(date!(2024 - 08 - 20), "HPV");
    let a = assess(&girl, kemenkes(), date!(2024 - 10 - 01)).unwrap();
    assert_eq!(group(&a, "HPV").status, SeriesStatus::Complete);
}

#[test]
fn hpv_catch_up_in_kelas_6_and_kelas_3_smp_under_the_2025_rule() {
    let girl = grade_5_girl().in_school_grade(6, date!(2025 - 08 - 04));
    let a = assess(&girl, kemenkes(), date!(2025 - 08 - 04)).unwrap();
    let hpv = group(&a, "HPV");
    assert_eq!(hpv.forecast_dose_number, Some(1));
    assert_eq!(hpv.recommended_date, Some(date!(2025 - 08 - 01)));
    // Missed in kelas 6 as well: kelas 3 SMP (grade 9) in 2028/29.
    let a = assess(&girl, kemenkes(), date!(2026 - 09 - 01)).unwrap();
    let hpv = group(&a, "HPV");
    assert_eq!(hpv.recommended_date, Some(date!(2028 - 08 - 01)));
    assert_eq!(hpv.latest_date, Some(date!(2029 - 06 - 30)));
}

#[test]
fn a_boy_never_gets_hpv() {
    for on in [
        date!(2023 - 09 - 01),
        date!(2025 - 08 - 04),
        date!(2028 - 09 - 01),
    ] {
        let boy = Patient::new(date!(2014 - 05 - 01), Sex::Male).in_school_grade(5, on);
        let a = assess(&boy, kemenkes(), on).unwrap();
        assert!(a.group("HPV").is_none(), "HPV listed for a boy on {on}");
        assert!(a.group("MR (BIAS)").is_some());
    }
}

fn woman(doses: &[(Date, &str)]) -> Patient {
    doses.iter().fold(
        Patient::new(date!(2000 - 02 - 01), Sex::Female).with_id("wus"),
        |p, (d, v)| p.dose(*d, *v),
    )
}

#[test]
fn wus_with_t1_only_gets_t2_four_weeks_later() {
    let w = woman(&[(date!(2025 - 03 - 03), "Td")]);
    let a = assess(&w, kemenkes(), date!(2025 - 03 - 10)).unwrap();
    let td = group(&a, "Td WUS");
    assert_eq!(td.status, SeriesStatus::NotComplete);
    assert_eq!(td.forecast_dose_number, Some(2));
    assert_eq!(td.dose_label.as_deref(), Some("T2"));
    assert_eq!(td.earliest_date, Some(date!(2025 - 03 - 31)));
    assert_eq!(td.recommended_date, Some(date!(2025 - 03 - 31)));
    assert_eq!(td.recommended_vaccines, ["Td"]);
    // T2 too soon (3 weeks) does not count; T3 then 6 months after the valid T2.
    let w = woman(&[
        (date!(2025 - 03 - 03), "Td"),
        (date!(2025 - 03 - 24), "Td"),
        (date!(2025 - 04 - 07), "Td"),
    ]);
    let a = assess(&w, kemenkes(), date!(2025 - 05 - 01)).unwrap();
    let td = group(&a, "Td WUS");
    let statuses: Vec<EvaluationStatus> = td.doses.iter().map(|d| d.status).collect();
    assert_eq!(
        statuses,
        [
            EvaluationStatus::Valid,
            EvaluationStatus::NotValid,
            EvaluationStatus::Valid
        ]
    );
    assert_eq!(td.dose_label.as_deref(), Some("T3"));
    assert_eq!(td.earliest_date, Some(date!(2025 - 10 - 07)));
}

#[test]
fn wus_t_status_from_the_childhood_series() {
    let complete_infant = [
        (date!(2000 - 04 - 01), "DPT-HB-Hib"),
        (date!(2000 - 05 - 01), "DPT-HB-Hib"),
        (date!(2000 - 06 - 01), "DPT-HB-Hib"),
        (date!(2001 - 08 - 01), "DPT-HB-Hib"),
    ];
    // Infant series with lanjutan: T3, so T4 is due (1 year after T3 is long past).
    let w = woman(&complete_infant);
    let on = date!(2025 - 03 - 10);
    let a = assess(&w, kemenkes(), on).unwrap();
    let td = group(&a, "Td WUS");
    assert_eq!(td.forecast_dose_number, Some(4));
    assert_eq!(td.dose_label.as_deref(), Some("T4"));
    assert!(td.is_due_on(on));
    // With DT kelas 1 and Td kelas 2 as well: T5, complete.
    let mut full = complete_infant.to_vec();
    full.extend([(date!(2007 - 11 - 05), "DT"), (date!(2008 - 11 - 10), "Td")]);
    let a = assess(&woman(&full), kemenkes(), on).unwrap();
    let td = group(&a, "Td WUS");
    assert_eq!(td.status, SeriesStatus::Complete);
    // Without childhood credit, only her Td doses from 15 years count: none, so T1.
    let mut options = KemenkesOptions::default();
    options.childhood_t_status = false;
    let strict =
        Schedule::from_kemenkes_toml(include_str!("../data/id-kemenkes.toml"), &options).unwrap();
    let a = assess(&woman(&full), &strict, on).unwrap();
    let td = group(&a, "Td WUS");
    assert_eq!(td.forecast_dose_number, Some(1));
    assert!(td.doses.is_empty());
}

#[test]
fn wus_series_only_for_women_of_childbearing_age() {
    let on = date!(2025 - 03 - 10);
    let girl = Patient::new(date!(2012 - 01 - 01), Sex::Female);
    assert!(
        assess(&girl, kemenkes(), on)
            .unwrap()
            .group("Td WUS")
            .is_none()
    );
    let man = Patient::new(date!(2000 - 01 - 01), Sex::Male);
    assert!(
        assess(&man, kemenkes(), on)
            .unwrap()
            .group("Td WUS")
            .is_none()
    );
    let older = Patient::new(date!(1970 - 01 - 01), Sex::Female);
    assert!(
        assess(&older, kemenkes(), on)
            .unwrap()
            .group("Td WUS")
            .is_none()
    );
}

#[test]
fn a_school_grade_out_of_range_is_an_error_naming_the_field() {
    let child = Patient::new(date!(2018 - 03 - 10), Sex::Male)
        .with_id("x")
        .in_school_grade(13, date!(2025 - 08 - 04));
    let err = assess(&child, kemenkes(), date!(2025 - 08 - 04)).unwrap_err();
    assert!(err.to_string().contains("field school_grade"), "{err}");
}
