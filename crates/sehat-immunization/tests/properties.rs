//! Property tests over random histories: assessment never panics, and every result is
//! internally consistent.
#![cfg(all(feature = "cdsi-us", feature = "id-kemenkes"))]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use proptest::prelude::*;
use sehat_immunization::{Assessment, Patient, Schedule, SeriesStatus, Sex, assess};
use time::{Date, Duration};

const KEMENKES: &[&str] = &[
    "HB0",
    "BCG",
    "bOPV",
    "IPV",
    "DPT-HB-Hib",
    "DPT-HB-Hib-IPV",
    "PCV",
    "RV",
    "MR",
    "JE",
    "Td",
];
const CVX: &[&str] = &[
    "08", "10", "20", "21", "03", "94", "110", "116", "119", "120", "133", "215", "216", "62",
    "165", "83", "85", "48", "49", "115", "09", "141", "88", "187", "208", "300", "310", "303",
];

fn day(n: i64) -> Date {
    Date::from_calendar_date(1990, time::Month::January, 1).unwrap() + Duration::days(n)
}

fn history(codes: &'static [&'static str]) -> impl Strategy<Value = (Patient, Date)> {
    (
        0i64..13_000,
        prop::collection::vec((0i64..7_000, 0..codes.len()), 0..12),
        0i64..9_000,
        any::<bool>(),
        0u8..4,
    )
        .prop_map(move |(dob, doses, assess_after, female, region)| {
            let dob_date = day(dob);
            let mut p = Patient::new(dob_date, if female { Sex::Female } else { Sex::Male });
            if region == 0 {
                p = p.in_region("ID-BA");
            }
            for (after, code) in doses {
                p = p.dose(dob_date + Duration::days(after), codes[code]);
            }
            (p, dob_date + Duration::days(assess_after))
        })
}

fn consistent(patient: &Patient, a: &Assessment) {
    for g in &a.groups {
        let dates = [
            g.earliest_date,
            g.recommended_date,
            g.past_due_date,
            g.latest_date,
        ];
        match g.status {
            SeriesStatus::NotComplete => {
                assert!(g.forecast_dose_number.is_some(), "{g:?}");
                let earliest = g.earliest_date.unwrap();
                assert!(g.recommended_date.unwrap() >= earliest, "{g:?}");
                assert!(g.past_due_date.is_none_or(|p| p >= earliest), "{g:?}");
            }
            _ => {
                assert_eq!(g.forecast_dose_number, None, "{g:?}");
                assert!(dates.iter().all(Option::is_none), "{g:?}");
            }
        }
        for d in &g.doses {
            assert!(d.dose < patient.doses().len());
            assert_eq!(d.date, patient.doses()[d.dose].date());
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn kemenkes_assessments_are_consistent((patient, on) in history(KEMENKES)) {
        let schedule = Schedule::id_kemenkes().unwrap();
        let a = assess(&patient, schedule, on).unwrap();
        consistent(&patient, &a);
    }

    #[test]
    fn cdsi_assessments_are_consistent((patient, on) in history(CVX)) {
        let schedule = Schedule::cdsi_us().unwrap();
        let a = assess(&patient, schedule, on).unwrap();
        consistent(&patient, &a);
    }

    #[test]
    fn dose_order_does_not_matter((patient, on) in history(KEMENKES)) {
        let schedule = Schedule::id_kemenkes().unwrap();
        let mut reversed = Patient::new(patient.dob(), patient.sex());
        if let Some(r) = patient.region() {
            reversed = reversed.in_region(r);
        }
        for d in patient.doses().iter().rev() {
            reversed = reversed.dose(d.date(), d.vaccine());
        }
        let a = assess(&patient, schedule, on).unwrap();
        let b = assess(&reversed, schedule, on).unwrap();
        prop_assert_eq!(a.groups.len(), b.groups.len());
        for (x, y) in a.groups.iter().zip(&b.groups) {
            prop_assert_eq!(&x.group, &y.group);
            prop_assert_eq!(x.status, y.status);
            prop_assert_eq!(x.earliest_date, y.earliest_date);
            prop_assert_eq!(x.past_due_date, y.past_due_date);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    /// The cohort call agrees with assessing each child alone.
    #[test]
    fn cohort_reminders_agree_with_single_assessments(
        kids in prop::collection::vec(history(KEMENKES), 1..8),
        window_days in 1u16..30,
    ) {
        use sehat_immunization::{DateWindow, ReminderStatus, cohort_due};
        let schedule = Schedule::id_kemenkes().unwrap();
        let on = kids.iter().map(|(p, _)| p.dob()).max().unwrap() + Duration::days(200);
        let patients: Vec<Patient> = kids.into_iter().map(|(p, _)| p).collect();
        let window = DateWindow::days_from(on, window_days);
        let reminders = cohort_due(&patients, schedule, window).unwrap();
        let mut expected = 0;
        for (i, p) in patients.iter().enumerate() {
            let a = assess(p, schedule, on).unwrap();
            for g in &a.groups {
                // The documented rule: not complete, recommended by the window's last day, and
                // still allowed on its first day.
                let due = g.status == SeriesStatus::NotComplete
                    && g.recommended_date.is_some_and(|r| r <= window.to)
                    && g.latest_date.is_none_or(|l| l >= window.from);
                let found = reminders.iter().find(|r| r.patient_index == i && r.group == g.group);
                prop_assert_eq!(due, found.is_some(), "{} {:?}", g.group, g);
                if let Some(r) = found {
                    expected += 1;
                    prop_assert_eq!(r.recommended_date, g.recommended_date);
                    prop_assert_eq!(r.dose_number, g.forecast_dose_number);
                    prop_assert_eq!(r.band, g.band);
                    let overdue = g.past_due_date.is_some_and(|p| p <= on);
                    prop_assert_eq!(r.status == ReminderStatus::Overdue, overdue);
                }
            }
        }
        prop_assert_eq!(reminders.len(), expected);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Any text either parses as a duration or is an error; nothing panics.
    #[test]
    fn durations_never_panic(text in "\\PC{0,24}", days in -100_000i32..100_000) {
        if let Ok(d) = text.parse::<sehat_immunization::Duration>() {
            let _ = d.after(day(i64::from(days).rem_euclid(20_000)));
        }
    }

    /// A schedule file cut anywhere, or with a line replaced, loads or fails with an
    /// error; nothing panics.
    #[test]
    fn damaged_schedule_files_never_panic(cut in 0usize..40_000, line in 0usize..700, junk in "\\PC{0,30}") {
        let toml = include_str!("../data/id-kemenkes.toml");
        let options = sehat_immunization::KemenkesOptions::default();
        let mut end = cut.min(toml.len());
        while !toml.is_char_boundary(end) {
            end -= 1;
        }
        let _ = Schedule::from_kemenkes_toml(&toml[..end], &options);
        let replaced: Vec<&str> = toml
            .lines()
            .enumerate()
            .map(|(i, l)| if i == line { junk.as_str() } else { l })
            .collect();
        let _ = Schedule::from_kemenkes_toml(&replaced.join("\n"), &options);
    }
}

const SCHOOL: &[&str] = &["MR", "DT", "Td", "HPV", "DPT-HB-Hib"];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    /// School doses, with or without a grade: results stay consistent, a school dose is
    /// recommended on the first day of its BIAS month (or on its earliest date when an
    /// interval or an earlier dose pushes it later), its last day is 30 June (the end of
    /// a school year), and HPV is never forecast for a boy.
    #[test]
    fn school_doses_fall_in_their_bias_month(
        (patient, on) in history(SCHOOL),
        grade in 1u8..=12,
        seen_after in 0i64..8_000,
        with_grade in any::<bool>(),
    ) {
        let schedule = Schedule::id_kemenkes().unwrap();
        let patient = if with_grade {
            let seen = patient.dob() + Duration::days(seen_after);
            patient.in_school_grade(grade, seen)
        } else {
            patient
        };
        let a = assess(&patient, schedule, on).unwrap();
        consistent(&patient, &a);
        for g in &a.groups {
            let month = match g.group.as_str() {
                "MR (BIAS)" | "HPV" => time::Month::August,
                "DT/Td (BIAS)" => time::Month::November,
                _ => continue,
            };
            if g.group == "HPV" {
                prop_assert_ne!(patient.sex(), Sex::Male);
            }
            if let (Some(r), Some(e)) = (g.recommended_date, g.earliest_date) {
                prop_assert!(
                    r == e || (r.day() == 1 && r.month() == month),
                    "{:?}", g
                );
                let l = g.latest_date.unwrap();
                prop_assert!(l.day() == 30 && l.month() == time::Month::June, "{:?}", g);
            }
        }
    }
}
