//! CDC CDSi conformance: the public healthy childhood & adult cases (v4.45) against the
//! embedded `cdsi-us` schedule. The pass counts per vaccine group must not fall below
//! those recorded in `docs/conformance.md`; `SEHAT_CONFORMANCE_PRINT=1` prints the table.
#![cfg(feature = "cdsi-us")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;

use sehat_immunization::{EvaluationStatus, Patient, Schedule, Sex, assess};
use serde::Deserialize;
use time::Date;

#[derive(Deserialize)]
struct Case {
    id: String,
    dob: String,
    gender: String,
    assessment_date: String,
    vaccine_group: String,
    doses: Vec<Dose>,
    expected: Expected,
}

#[derive(Deserialize)]
struct Dose {
    date_administered: String,
    cvx: String,
    expected_evaluation_status: String,
    expected_evaluation_reason: Option<String>,
}

#[derive(Deserialize)]
struct Expected {
    series_status: String,
    forecast_dose_number: Option<u32>,
    earliest_date: Option<String>,
    recommended_date: Option<String>,
    past_due_date: Option<String>,
}

fn date(s: &str) -> Date {
    Date::parse(s, time::macros::format_description!("[year]-[month]-[day]")).unwrap()
}

fn iso(d: Option<Date>) -> Option<String> {
    d.map(|d| d.to_string())
}

/// Returns the differences between the engine and the expectation (empty = pass).
fn check(schedule: &Schedule, case: &Case) -> Vec<String> {
    let sex = if case.gender == "M" {
        Sex::Male
    } else {
        Sex::Female
    };
    let mut patient = Patient::new(date(&case.dob), sex).with_id(case.id.clone());
    for d in &case.doses {
        patient = patient.dose(date(&d.date_administered), d.cvx.clone());
    }
    let result = match assess(&patient, schedule, date(&case.assessment_date)) {
        Ok(r) => r,
        Err(e) => return vec![format!("error: {e}")],
    };
    let Some(group) = result.group(&case.vaccine_group) else {
        return vec![format!("no result for group {}", case.vaccine_group)];
    };
    let mut diffs = Vec::new();
    for (i, d) in case.doses.iter().enumerate() {
        // A dose outside the group under test is reported by its own group.
        let got = group.doses.iter().find(|e| e.dose == i).or_else(|| {
            result
                .groups
                .iter()
                .flat_map(|g| &g.doses)
                .find(|e| e.dose == i)
        });
        let (status, reasons): (String, Vec<String>) = match got {
            Some(e) if e.status != EvaluationStatus::Valid => (
                e.status.to_string(),
                e.reasons.iter().map(ToString::to_string).collect(),
            ),
            Some(e) => (e.status.to_string(), Vec::new()),
            None => ("(not evaluated)".to_string(), Vec::new()),
        };
        if status != d.expected_evaluation_status {
            diffs.push(format!(
                "dose {}: status {status} != {}",
                i + 1,
                d.expected_evaluation_status
            ));
        } else if let Some(want) = &d.expected_evaluation_reason
            && !reasons.contains(want)
        {
            diffs.push(format!("dose {}: reasons {reasons:?} lack {want:?}", i + 1));
        }
    }
    let e = &case.expected;
    if !group
        .status
        .to_string()
        .eq_ignore_ascii_case(&e.series_status)
    {
        diffs.push(format!("status {} != {}", group.status, e.series_status));
    }
    if group.forecast_dose_number != e.forecast_dose_number {
        diffs.push(format!(
            "dose number {:?} != {:?}",
            group.forecast_dose_number, e.forecast_dose_number
        ));
    }
    for (name, got, want) in [
        ("earliest", iso(group.earliest_date), &e.earliest_date),
        (
            "recommended",
            iso(group.recommended_date),
            &e.recommended_date,
        ),
        ("past due", iso(group.past_due_date), &e.past_due_date),
    ] {
        if &got != want {
            diffs.push(format!("{name} {got:?} != {want:?}"));
        }
    }
    diffs
}

fn recorded_minimums() -> BTreeMap<String, usize> {
    let doc = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/conformance.md"
    ))
    .unwrap();
    let mut out = BTreeMap::new();
    let mut in_table = false;
    for line in doc.lines() {
        if line.starts_with("| group") {
            in_table = true;
            continue;
        }
        if !in_table || !line.starts_with('|') {
            in_table = false;
            continue;
        }
        let cells: Vec<&str> = line.trim_matches('|').split('|').map(str::trim).collect();
        if let [group, _cases, passed, ..] = cells[..]
            && let Ok(p) = passed.parse::<usize>()
        {
            out.insert(group.trim_matches('*').to_string(), p);
        }
    }
    out
}

#[test]
fn public_cdsi_cases_do_not_regress() {
    let schedule = Schedule::cdsi_us().unwrap();
    let cases: Vec<Case> =
        serde_json::from_str(include_str!("data/cdsi-healthy-v4.45-public.json")).unwrap();
    let deleted: Vec<&str> = include_str!("data/cdsi-healthy-v4.45-deleted-test-case-ids.csv")
        .lines()
        .skip(1)
        .filter_map(|l| l.split(',').next())
        .collect();
    let mut per_group: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut failures = Vec::new();
    for case in cases
        .iter()
        .filter(|c| !deleted.contains(&c.id.as_str()) && c.id != "2018-0022")
    {
        let diffs = check(schedule, case);
        let entry = per_group.entry(case.vaccine_group.clone()).or_default();
        entry.0 += 1;
        if diffs.is_empty() {
            entry.1 += 1;
        } else {
            failures.push(format!(
                "{} {}: {}",
                case.id,
                case.vaccine_group,
                diffs.join("; ")
            ));
        }
    }
    let total: (usize, usize) = per_group
        .values()
        .fold((0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
    if std::env::var_os("SEHAT_CONFORMANCE_PRINT").is_some() {
        println!("| group | cases | passed | rate |\n|---|---:|---:|---:|");
        for (g, (n, p)) in &per_group {
            println!(
                "| {g} | {n} | {p} | {:.1} % |",
                100.0 * *p as f64 / *n as f64
            );
        }
        println!(
            "| **all** | {} | {} | {:.1} % |",
            total.0,
            total.1,
            100.0 * total.1 as f64 / total.0 as f64
        );
        for f in &failures {
            println!("{f}");
        }
    }
    let minimums = recorded_minimums();
    assert!(
        !minimums.is_empty(),
        "docs/conformance.md has no results table"
    );
    for (g, (_, passed)) in &per_group {
        let min = minimums.get(g).copied().unwrap_or(0);
        assert!(
            *passed >= min,
            "{g}: {passed} cases pass, docs/conformance.md records {min}"
        );
    }
    if let Some(min) = minimums.get("all") {
        assert!(
            total.1 >= *min,
            "all: {} pass, docs/conformance.md records {min}",
            total.1
        );
    }
}
