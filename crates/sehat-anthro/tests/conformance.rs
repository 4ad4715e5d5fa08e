//! Every row of WHO's oracle vectors (`tests/data/`, computed with WHO's own R packages)
//! under the acceptance rule of their README: unrounded z within 1e-9, the NA pattern
//! exact, rounded z and flags exact except on rows marked `near_rounding_tie`, cleaned
//! columns exact (numbers within 1e-9 relative).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;

use sehat_anthro::{
    Age, Child, Measure, NaReason, Outcome, SchoolAgeChild, Sex, parse_oedema, school_age_zscores,
    zscores,
};

/// The oracle rows with a measurement that is not a finite positive number (all in the
/// `missing_zero_extreme_inputs` group). WHO's packages compute from such values (a
/// z-score of −15.59 from a weight of 0, `NaN` from a weight of −1, a BMI z of 132202.56
/// from a length of 0, `Inf` from a height of 0); this crate deliberately gives
/// `NaReason::InvalidMeasurement` for every indicator that uses the measurement, and no
/// cleaned length or BMI from it (docs/anthro.md, "Invalid measurements"). Every other
/// column of these rows is compared with the oracle as usual.
const INVALID_MEASUREMENT_ROWS: [&str; 12] = [
    "A03469", "A03470", "A03472", "A03473", "A03474", "A03475", "A03476", "A03477", "A03484",
    "P01836", "P01837", "P01838",
];

/// True when the measurement in `column` is given and not a finite positive number.
fn invalid(row: &Row, column: &str) -> bool {
    row.num(column).is_some_and(|v| !(v.is_finite() && v > 0.0))
}

/// Checks an indicator that uses an invalid measurement: it must be NA for that reason.
fn check_invalid(row: &Row, name: &str, ours: Outcome, errors: &mut Vec<String>) {
    if ours != Err(NaReason::InvalidMeasurement) {
        errors.push(format!(
            "line {}: {name} = {ours:?}, expected InvalidMeasurement (oracle `{}`)",
            row.line,
            row.get(name)
        ));
    }
}

struct Row {
    line: usize,
    fields: HashMap<String, String>,
}

impl Row {
    fn get(&self, column: &str) -> &str {
        self.fields
            .get(column)
            .unwrap_or_else(|| panic!("column {column}"))
    }

    fn num(&self, column: &str) -> Option<f64> {
        let text = self.get(column);
        (!text.is_empty()).then(|| {
            text.parse::<f64>()
                .unwrap_or_else(|_| panic!("line {}: {column} = {text}", self.line))
        })
    }
}

fn read(path: &str) -> Vec<Row> {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let headers = reader.headers().unwrap().clone();
    reader
        .records()
        .enumerate()
        .map(|(i, record)| {
            let record = record.unwrap();
            Row {
                line: i + 2,
                fields: headers
                    .iter()
                    .zip(record.iter())
                    .map(|(h, v)| (h.to_owned(), v.to_owned()))
                    .collect(),
            }
        })
        .collect()
}

/// True when any of `columns` holds an invalid measurement.
fn bad_rows(row: &Row, columns: &[&str]) -> bool {
    columns.iter().any(|c| invalid(row, c))
}

fn opt<T>(text: &str, parse: impl Fn(&str) -> T) -> Option<T> {
    (!text.is_empty()).then(|| parse(text))
}

fn close_rel(a: f64, b: f64) -> bool {
    (a.is_nan() && b.is_nan()) || a == b || (a - b).abs() <= 1e-9 * b.abs().max(1.0)
}

/// Checks one indicator against the oracle; returns |Δz| of the unrounded value.
fn check(row: &Row, name: &str, flag: &str, ours: Outcome, errors: &mut Vec<String>) -> f64 {
    let rounded = row.get(name);
    let tie = row.get("near_rounding_tie") == "1";
    let oracle_na = rounded.is_empty() || rounded == "NaN";
    match ours {
        Err(reason) => {
            if !oracle_na {
                errors.push(format!(
                    "line {}: {name} NA ({reason}), oracle {rounded}",
                    row.line
                ));
            } else if (rounded == "NaN") != reason.is_nan() {
                errors.push(format!(
                    "line {}: {name} {reason}, oracle `{rounded}`",
                    row.line
                ));
            }
            0.0
        }
        Ok(z) => {
            if oracle_na {
                errors.push(format!("line {}: {name} = {}, oracle NA", row.line, z.z));
                return 0.0;
            }
            let unrounded = row.num(&format!("{name}_unrounded")).unwrap();
            let delta = if z.z == unrounded {
                0.0
            } else {
                (z.z - unrounded).abs()
            };
            if delta.is_nan() || delta > 1e-9 {
                errors.push(format!(
                    "line {}: {name} = {}, oracle {unrounded}",
                    row.line, z.z
                ));
            }
            let oracle_rounded: f64 = rounded.parse().unwrap();
            let oracle_flag = row.get(flag) == "1";
            if !tie && (z.z_rounded != oracle_rounded || z.flagged != oracle_flag) {
                errors.push(format!(
                    "line {}: {name} rounded {} flag {}, oracle {oracle_rounded} flag {oracle_flag}",
                    row.line, z.z_rounded, z.flagged
                ));
            }
            delta
        }
    }
}

fn number_matches(ours: Option<f64>, oracle: &str) -> bool {
    match ours {
        None => oracle.is_empty(),
        Some(v) => match oracle {
            "" => false,
            "Inf" => v == f64::INFINITY,
            "-Inf" => v == f64::NEG_INFINITY,
            "NaN" => v.is_nan(),
            text => close_rel(v, text.parse().unwrap()),
        },
    }
}

#[test]
fn anthro_public_vectors() {
    let rows = read("tests/data/anthro_public.csv");
    assert_eq!(rows.len(), 3990);
    let mut deviations = Vec::new();
    let mut errors = Vec::new();
    let mut max_delta = 0.0_f64;
    let mut compared = 0;
    for row in &rows {
        let in_months = row.get("is_age_in_month") == "TRUE";
        let child = Child {
            sex: opt(row.get("sex"), |s| Sex::from_code(s).unwrap()),
            age: row.num("age").map(|a| {
                if in_months {
                    Age::Months(a)
                } else {
                    Age::Days(a)
                }
            }),
            weight_kg: row.num("weight"),
            lenhei_cm: row.num("lenhei"),
            measure: opt(row.get("measure"), |s| Measure::from_code(s).unwrap()),
            head_circumference_cm: row.num("headc"),
            arm_circumference_cm: row.num("armc"),
            triceps_skinfold_mm: row.num("triskin"),
            subscapular_skinfold_mm: row.num("subskin"),
            oedema: opt(row.get("oedema"), |s| parse_oedema(s).unwrap()).unwrap_or(false),
        };
        let z = zscores(&child);
        let bad = |column: &str| invalid(row, column);
        if bad_rows(
            row,
            &["weight", "lenhei", "headc", "armc", "triskin", "subskin"],
        ) {
            deviations.push(row.get("case_id").to_owned());
        }
        let clenhei_oracle = if bad("lenhei") {
            ""
        } else {
            row.get("clenhei")
        };
        if !number_matches(z.clenhei_cm, clenhei_oracle) {
            errors.push(format!("line {}: clenhei {:?}", row.line, z.clenhei_cm));
        }
        let bmi_invalid = bad("weight") || bad("lenhei");
        let cbmi_oracle = if bmi_invalid { "" } else { row.get("cbmi") };
        if !number_matches(z.bmi, cbmi_oracle) {
            errors.push(format!("line {}: cbmi {:?}", row.line, z.bmi));
        }
        let cmeasure = z.cmeasure.map(|m| m.code().to_string()).unwrap_or_default();
        if cmeasure != row.get("cmeasure") {
            errors.push(format!("line {}: cmeasure {cmeasure}", row.line));
        }
        if u8::from(z.standing_under_9_months).to_string() != row.get("c9mo_flag") {
            errors.push(format!("line {}: c9mo_flag", row.line));
        }
        let csex = z.sex.map(|s| s.code().to_string()).unwrap_or_default();
        if csex != row.get("csex") {
            errors.push(format!("line {}: csex {csex}", row.line));
        }
        let names = [
            ("zlen", "flen"),
            ("zwei", "fwei"),
            ("zwfl", "fwfl"),
            ("zbmi", "fbmi"),
            ("zhc", "fhc"),
            ("zac", "fac"),
            ("zts", "fts"),
            ("zss", "fss"),
        ];
        let uses_invalid = [
            bad("lenhei"),
            bad("weight"),
            bmi_invalid,
            bmi_invalid,
            bad("headc"),
            bad("armc"),
            bad("triskin"),
            bad("subskin"),
        ];
        for (((name, flag), outcome), uses_invalid) in
            names.into_iter().zip(z.indicators()).zip(uses_invalid)
        {
            if uses_invalid {
                check_invalid(row, name, outcome, &mut errors);
                continue;
            }
            if outcome.is_ok() {
                compared += 1;
            }
            max_delta = max_delta.max(check(row, name, flag, outcome, &mut errors));
        }
    }
    eprintln!(
        "anthro_public: {} rows, {compared} z-scores, max |Δz| = {max_delta:e}",
        rows.len()
    );
    assert_eq!(deviations, INVALID_MEASUREMENT_ROWS[..9]);
    assert!(
        errors.is_empty(),
        "{} mismatches:\n{}",
        errors.len(),
        errors[..errors.len().min(40)].join("\n")
    );
    assert!(compared > 15_000);
}

#[test]
fn anthroplus_public_vectors() {
    let rows = read("tests/data/anthroplus_public.csv");
    assert_eq!(rows.len(), 2244);
    let mut deviations = Vec::new();
    let mut errors = Vec::new();
    let mut max_delta = 0.0_f64;
    let mut compared = 0;
    for row in &rows {
        let child = SchoolAgeChild {
            sex: opt(row.get("sex"), |s| Sex::from_code(s).unwrap()),
            age_months: row.num("age_in_months"),
            height_cm: row.num("height_in_cm"),
            weight_kg: row.num("weight_in_kg"),
            oedema: opt(row.get("oedema"), |s| parse_oedema(s).unwrap()).unwrap_or(false),
        };
        let z = school_age_zscores(&child);
        if bad_rows(row, &["height_in_cm", "weight_in_kg"]) {
            deviations.push(row.get("case_id").to_owned());
        }
        let bmi_invalid = invalid(row, "height_in_cm") || invalid(row, "weight_in_kg");
        let csex = z.sex.map(|s| s.code().to_string()).unwrap_or_default();
        if csex != row.get("csex") {
            errors.push(format!("line {}: csex {csex}", row.line));
        }
        if (if z.oedema { "y" } else { "n" }) != row.get("coedema") {
            errors.push(format!("line {}: coedema", row.line));
        }
        let cbmi_oracle = if bmi_invalid { "" } else { row.get("cbmi") };
        if !number_matches(z.bmi, cbmi_oracle) {
            errors.push(format!("line {}: cbmi {:?}", row.line, z.bmi));
        }
        for (name, flag, outcome, uses_invalid) in [
            (
                "zhfa",
                "fhfa",
                z.height_for_age,
                invalid(row, "height_in_cm"),
            ),
            (
                "zwfa",
                "fwfa",
                z.weight_for_age,
                invalid(row, "weight_in_kg"),
            ),
            ("zbfa", "fbfa", z.bmi_for_age, bmi_invalid),
        ] {
            if uses_invalid {
                check_invalid(row, name, outcome, &mut errors);
                continue;
            }
            if outcome.is_ok() {
                compared += 1;
            }
            max_delta = max_delta.max(check(row, name, flag, outcome, &mut errors));
        }
    }
    eprintln!(
        "anthroplus_public: {} rows, {compared} z-scores, max |Δz| = {max_delta:e}",
        rows.len()
    );
    assert_eq!(deviations, INVALID_MEASUREMENT_ROWS[9..]);
    assert!(
        errors.is_empty(),
        "{} mismatches:\n{}",
        errors.len(),
        errors[..errors.len().min(40)].join("\n")
    );
    assert!(compared > 3_000);
}
