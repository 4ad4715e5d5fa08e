//! Every cell of WHO's survey prevalence tables (`tests/data/prevalence/`, computed with
//! WHO's own R packages): same columns in the same order, same groups in the same order,
//! numbers within 1e-9 absolute, NA exactly where WHO gives NA.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use sehat_anthro::{
    Cell, Child, Groupings, Measure, PrevalenceTable, SchoolAgeChild, Sex, SurveyDesign,
    parse_oedema, school_age_survey_prevalence, survey_prevalence,
};

fn read(path: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let headers = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    let rows = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect();
    (headers, rows)
}

fn column<'a>(headers: &[String], rows: &'a [Vec<String>], name: &str) -> Vec<&'a str> {
    let i = headers.iter().position(|h| h == name).unwrap();
    rows.iter().map(|r| r[i].as_str()).collect()
}

fn numbers(values: &[&str]) -> Vec<Option<f64>> {
    values
        .iter()
        .map(|v| (!v.is_empty()).then(|| v.parse().unwrap()))
        .collect()
}

fn texts(values: &[&str]) -> Option<Vec<Option<String>>> {
    Some(
        values
            .iter()
            .map(|v| (!v.is_empty()).then(|| (*v).to_owned()))
            .collect(),
    )
}

/// Compares a table with WHO's CSV; returns (cells compared, max |difference|).
fn compare(table: &PrevalenceTable, path: &str) -> (usize, f64) {
    let (headers, expected) = read(path);
    assert_eq!(table.column_names(), headers);
    assert_eq!(table.rows.len(), expected.len());
    let (mut cells, mut max_diff) = (0, 0.0_f64);
    let mut failures = Vec::new();
    for (row, want) in table.rows.iter().zip(&expected) {
        let got = PrevalenceTable::cells(row);
        assert_eq!(got.len(), want.len());
        for ((cell, want), name) in got.iter().zip(want).zip(&headers) {
            cells += 1;
            match cell {
                Cell::Text(t) => assert_eq!(t, want, "{name}"),
                Cell::Number(None) => {
                    if want != "NA" {
                        failures.push(format!("{} {name}: NA, want {want}", row.group));
                    }
                }
                Cell::Number(Some(v)) => {
                    if want == "NA" {
                        failures.push(format!("{} {name}: {v}, want NA", row.group));
                        continue;
                    }
                    let w: f64 = want.parse().unwrap();
                    let diff = (v - w).abs();
                    if v.is_nan() != w.is_nan() || diff > 1e-9 {
                        failures.push(format!(
                            "{} {name}: {v}, want {w} (diff {diff:e})",
                            row.group
                        ));
                    }
                    if diff.is_finite() {
                        max_diff = max_diff.max(diff);
                    }
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} cells differ:\n{}",
        failures.len(),
        failures
            .iter()
            .take(40)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
    (cells, max_diff)
}

#[test]
fn anthro_prevalence_public_survey() {
    let (h, rows) = read("tests/data/prevalence/survey_0_5_public.csv");
    let col = |name| column(&h, &rows, name);
    let children: Vec<Child> = (0..rows.len())
        .map(|i| {
            let mut child = Child {
                sex: (!col("sex")[i].is_empty()).then(|| Sex::from_code(col("sex")[i]).unwrap()),
                oedema: parse_oedema(col("oedema")[i]).unwrap(),
                ..Child::default()
            };
            assert_eq!(col("is_age_in_month")[i], "FALSE");
            child.age = numbers(&col("age"))[i].map(sehat_anthro::Age::Days);
            child.weight_kg = numbers(&col("weight"))[i];
            let measure = col("measure")[i];
            let measure = (!measure.is_empty()).then(|| Measure::from_code(measure).unwrap());
            child.lenhei_cm = numbers(&col("lenhei"))[i];
            child.measure = measure;
            child
        })
        .collect();
    let design = SurveyDesign::new()
        .sampling_weights(numbers(&col("sw")))
        .clusters(numbers(&col("cluster")))
        .strata(numbers(&col("strata")));
    let groupings = Groupings {
        area: texts(&col("typeres")),
        region: texts(&col("gregion")),
        wealth_quintile: texts(&col("wealthq")),
        mothers_education: texts(&col("mothered")),
        other: texts(&col("othergr")),
    };
    let table = survey_prevalence(&children, &design, &groupings).unwrap();
    let (cells, max_diff) = compare(&table, "tests/data/prevalence/prevalence_0_5_public.csv");
    assert_eq!(cells, 37 * 135);
    println!("0-5: {cells} cells, max |diff| {max_diff:e}");
}

#[test]
fn anthroplus_prevalence_public_survey() {
    let (h, rows) = read("tests/data/prevalence/survey_5_19_public.csv");
    let col = |name| column(&h, &rows, name);
    let children: Vec<SchoolAgeChild> = (0..rows.len())
        .map(|i| SchoolAgeChild {
            sex: (!col("sex")[i].is_empty()).then(|| Sex::from_code(col("sex")[i]).unwrap()),
            age_months: numbers(&col("age_in_months"))[i],
            height_cm: numbers(&col("height_in_cm"))[i],
            weight_kg: numbers(&col("weight_in_kg"))[i],
            oedema: parse_oedema(col("oedema")[i]).unwrap(),
        })
        .collect();
    let design = SurveyDesign::new()
        .sampling_weights(numbers(&col("sw")))
        .clusters(numbers(&col("cluster")))
        .strata(numbers(&col("strata")));
    let table = school_age_survey_prevalence(&children, &design).unwrap();
    let (cells, max_diff) = compare(&table, "tests/data/prevalence/prevalence_5_19_public.csv");
    println!("5-19: {cells} cells, max |diff| {max_diff:e}");
}
