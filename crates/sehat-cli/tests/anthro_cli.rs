//! `sehat anthro zscores` against WHO's oracle vectors: the input columns of
//! `anthro_public.csv` / `anthroplus_public.csv` go in, and every output column must
//! match what WHO's R packages returned (rounded z and flags exact except on rows marked
//! `near_rounding_tie`; unrounded z from `--no-round` within 1e-9; the NA/NaN pattern
//! exact; clenhei and cbmi within 1e-9 relative).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use support::{Table, assert_ran, read_csv, sehat, stderr_of_failure};

use std::path::{Path, PathBuf};
use std::process::Output;

fn oracle(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../sehat-anthro/tests/data")
        .join(name)
}

fn column(table: &Table, name: &str) -> usize {
    table
        .0
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column {name}"))
}

/// Writes the given columns of the oracle file to a temporary CSV.
fn input_file(dir: &Path, oracle_table: &Table, columns: &[&str]) -> PathBuf {
    let path = dir.join("input.csv");
    let mut writer = csv::Writer::from_path(&path).unwrap();
    writer.write_record(columns).unwrap();
    let indices: Vec<usize> = columns.iter().map(|c| column(oracle_table, c)).collect();
    for row in &oracle_table.1 {
        writer
            .write_record(indices.iter().map(|&i| &row[i]))
            .unwrap();
    }
    writer.flush().unwrap();
    path
}

fn same_number(ours: &str, theirs: &str) -> bool {
    if ours == theirs {
        return true;
    }
    match (ours.parse::<f64>(), theirs.parse::<f64>()) {
        (Ok(a), Ok(b)) => a == b || (a - b).abs() <= 1e-9 * b.abs().max(1.0),
        _ => matches!(
            (ours, theirs),
            ("Inf", "Inf") | ("-Inf", "-Inf") | ("NaN", "NaN")
        ),
    }
}

struct Check<'a> {
    oracle: &'a Table,
    inputs: &'a [&'a str],
    outputs: &'a [&'a str],
    z_columns: &'a [&'a str],
    flag_columns: &'a [&'a str],
    numeric: &'a [&'a str],
    /// The input measurements each output column is computed from.
    uses: &'a [(&'a str, &'a [&'a str])],
    /// The oracle rows with a measurement that is not a finite positive number: their
    /// columns computed from it are NA here (a deliberate deviation from WHO's R
    /// packages, docs/anthro.md), where WHO gives NaN, Inf or a number.
    invalid_rows: &'a [&'a str],
}

/// True when `text` is a measurement that is given and not a finite positive number.
fn invalid_measurement(text: &str) -> bool {
    text.parse::<f64>()
        .is_ok_and(|v| !(v.is_finite() && v > 0.0))
}

fn run_and_compare(check: &Check<'_>, standard: &str) {
    let dir = tempfile::tempdir().unwrap();
    let input = input_file(dir.path(), check.oracle, check.inputs);
    let input = input.to_str().unwrap();
    let rounded = sehat(&["anthro", "zscores", "--standard", standard, input]);
    assert_ran(&rounded);
    let unrounded_path = dir.path().join("unrounded.csv");
    let unrounded = sehat(&[
        "anthro",
        "zscores",
        "--standard",
        standard,
        "--no-round",
        "--output",
        unrounded_path.to_str().unwrap(),
        input,
    ]);
    assert_ran(&unrounded);
    assert!(unrounded.stdout.is_empty());
    let ours = read_csv(&rounded.stdout);
    let ours_unrounded = read_csv(&std::fs::read(&unrounded_path).unwrap());

    let expected_header: Vec<&str> = check.inputs.iter().chain(check.outputs).copied().collect();
    assert_eq!(ours.0, expected_header);
    assert_eq!(ours.1.len(), check.oracle.1.len());
    assert_eq!(ours_unrounded.1.len(), check.oracle.1.len());

    let tie = column(check.oracle, "near_rounding_tie");
    let mut mismatches = Vec::new();
    let mut invalid_rows = Vec::new();
    for (i, (row, oracle_row)) in ours.1.iter().zip(&check.oracle.1).enumerate() {
        let near_tie = oracle_row[tie] == "1";
        let invalid = |input: &str| invalid_measurement(&oracle_row[column(check.oracle, input)]);
        let from_invalid = |output: &str| {
            check
                .uses
                .iter()
                .any(|(o, inputs)| *o == output && inputs.iter().any(|i| invalid(i)))
        };
        if check
            .uses
            .iter()
            .any(|(_, inputs)| inputs.iter().any(|i| invalid(i)))
        {
            invalid_rows.push(oracle_row[column(check.oracle, "case_id")].clone());
        }
        for name in check.inputs {
            if row[column(&ours, name)] != oracle_row[column(check.oracle, name)] {
                mismatches.push(format!("row {}: input column {name} changed", i + 1));
            }
        }
        for name in check.outputs {
            let got = &row[column(&ours, name)];
            let deviation = from_invalid(name);
            let want = if deviation {
                ""
            } else {
                &oracle_row[column(check.oracle, name)]
            };
            let is_z = check.z_columns.contains(name);
            let is_flag = check.flag_columns.contains(name);
            let ok = if check.numeric.contains(name) || is_z {
                same_number(got, want)
            } else {
                got == want
            };
            let advisory = near_tie && (is_z || is_flag) && !want.is_empty();
            if !ok && !advisory {
                mismatches.push(format!("row {}: {name} = `{got}`, WHO `{want}`", i + 1));
            }
            if is_z {
                let got = &ours_unrounded.1[i][column(&ours_unrounded, name)];
                let want_unrounded =
                    &oracle_row[column(check.oracle, &format!("{name}_unrounded"))];
                let want_unrounded = if deviation {
                    ""
                } else if want == "NaN" {
                    "NaN"
                } else {
                    want_unrounded.as_str()
                };
                if !same_number(got, want_unrounded) {
                    mismatches.push(format!(
                        "row {}: unrounded {name} = `{got}`, WHO `{want_unrounded}`",
                        i + 1
                    ));
                }
            }
        }
    }
    assert_eq!(invalid_rows, check.invalid_rows);
    assert!(
        mismatches.is_empty(),
        "{} mismatches:\n{}",
        mismatches.len(),
        mismatches[..mismatches.len().min(30)].join("\n")
    );
}

#[test]
fn who2006_output_matches_anthro_zscores() {
    let oracle = read_csv(&std::fs::read(oracle("anthro_public.csv")).unwrap());
    let z = ["zlen", "zwei", "zwfl", "zbmi", "zhc", "zac", "zts", "zss"];
    let f = ["flen", "fwei", "fwfl", "fbmi", "fhc", "fac", "fts", "fss"];
    run_and_compare(
        &Check {
            oracle: &oracle,
            inputs: &[
                "case_id",
                "sex",
                "age",
                "is_age_in_month",
                "weight",
                "lenhei",
                "measure",
                "headc",
                "armc",
                "triskin",
                "subskin",
                "oedema",
            ],
            outputs: &[
                "clenhei",
                "cmeasure",
                "c9mo_flag",
                "cbmi",
                "csex",
                "zlen",
                "flen",
                "zwei",
                "fwei",
                "zwfl",
                "fwfl",
                "zbmi",
                "fbmi",
                "zhc",
                "fhc",
                "zac",
                "fac",
                "zts",
                "fts",
                "zss",
                "fss",
            ],
            z_columns: &z,
            flag_columns: &f,
            numeric: &["clenhei", "cbmi"],
            uses: &[
                ("clenhei", &["lenhei"]),
                ("cbmi", &["weight", "lenhei"]),
                ("zlen", &["lenhei"]),
                ("flen", &["lenhei"]),
                ("zwei", &["weight"]),
                ("fwei", &["weight"]),
                ("zwfl", &["weight", "lenhei"]),
                ("fwfl", &["weight", "lenhei"]),
                ("zbmi", &["weight", "lenhei"]),
                ("fbmi", &["weight", "lenhei"]),
                ("zhc", &["headc"]),
                ("fhc", &["headc"]),
                ("zac", &["armc"]),
                ("fac", &["armc"]),
                ("zts", &["triskin"]),
                ("fts", &["triskin"]),
                ("zss", &["subskin"]),
                ("fss", &["subskin"]),
            ],
            invalid_rows: &[
                "A03469", "A03470", "A03472", "A03473", "A03474", "A03475", "A03476", "A03477",
                "A03484",
            ],
        },
        "who2006",
    );
}

#[test]
fn who2007_output_matches_anthroplus_zscores() {
    let oracle = read_csv(&std::fs::read(oracle("anthroplus_public.csv")).unwrap());
    run_and_compare(
        &Check {
            oracle: &oracle,
            inputs: &[
                "case_id",
                "sex",
                "age_in_months",
                "oedema",
                "height_in_cm",
                "weight_in_kg",
            ],
            outputs: &[
                "csex", "coedema", "cbmi", "zhfa", "zwfa", "zbfa", "fhfa", "fwfa", "fbfa",
            ],
            z_columns: &["zhfa", "zwfa", "zbfa"],
            flag_columns: &["fhfa", "fwfa", "fbfa"],
            numeric: &["cbmi"],
            uses: &[
                ("cbmi", &["height_in_cm", "weight_in_kg"]),
                ("zhfa", &["height_in_cm"]),
                ("fhfa", &["height_in_cm"]),
                ("zwfa", &["weight_in_kg"]),
                ("fwfa", &["weight_in_kg"]),
                ("zbfa", &["height_in_cm", "weight_in_kg"]),
                ("fbfa", &["height_in_cm", "weight_in_kg"]),
            ],
            invalid_rows: &["P01836", "P01837", "P01838"],
        },
        "who2007",
    );
}

fn run_on(content: &str, extra: &[&str]) -> Output {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("in.csv");
    std::fs::write(&path, content).unwrap();
    let mut args = vec!["anthro", "zscores"];
    args.extend_from_slice(extra);
    args.push(path.to_str().unwrap());
    sehat(&args)
}

#[test]
fn unreadable_fields_are_errors_naming_row_and_column() {
    let out = run_on("sex,age,weight\n1,400,9.5\n2,300,heavy\n", &[]);
    let message = stderr_of_failure(&out);
    assert!(
        message.contains("row 2 (line 3), column 3 (`weight`)"),
        "{message}"
    );
    assert!(message.contains("`heavy` is not a number"), "{message}");
    assert!(out.stdout.is_empty() || !String::from_utf8_lossy(&out.stdout).contains("heavy"));

    let out = run_on("sex,age\n1,400\n3,300\n", &[]);
    let message = String::from_utf8(out.stderr).unwrap();
    assert!(
        message.contains("row 2") && message.contains("`sex`"),
        "{message}"
    );
    assert!(message.contains("invalid sex code `3`"), "{message}");

    let out = run_on("sex,age\n1,-1\n", &[]);
    let message = String::from_utf8(out.stderr).unwrap();
    assert!(
        message.contains("row 1") && message.contains("negative age"),
        "{message}"
    );

    let out = run_on("sex,age\n1,400,9\n", &[]);
    let message = String::from_utf8(out.stderr).unwrap();
    assert!(message.contains("3 fields, the header has 2"), "{message}");

    let out = run_on(
        "sex,age_in_months,height_in_cm\n1,-100,5\n",
        &["--standard", "who2007"],
    );
    let message = String::from_utf8(out.stderr).unwrap();
    assert!(message.contains("negative age -100"), "{message}");
}

#[test]
fn missing_columns_quotes_na_and_crlf_are_read() {
    let out = run_on(
        "\"id\",\"sex\",\"age\",\"weight\",\"lenhei\",\"measure\"\r\n\"a, b\",\"1\",400,9.5,75.35,\"l\"\r\nc,NA,NA,,,\r\n",
        &[],
    );
    assert_ran(&out);
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3);
    assert!(lines[0].ends_with(",clenhei,cmeasure,c9mo_flag,cbmi,csex,zlen,flen,zwei,fwei,zwfl,fwfl,zbmi,fbmi,zhc,fhc,zac,fac,zts,fts,zss,fss"));
    // Boy, 400 days, 9.5 kg, 75.35 cm lying: zlen -0.71, zwei -0.38, zwfl -0.09, zbmi 0.06.
    assert!(
        lines[1].starts_with("\"a, b\",\"1\",400,9.5,75.35,\"l\",75.35,l,0,16.73"),
        "{}",
        lines[1]
    );
    assert!(
        lines[1].ends_with(",1,-0.71,0,-0.38,0,-0.09,0,0.06,0,,,,,,,,"),
        "{}",
        lines[1]
    );
    assert_eq!(lines[2], "c,NA,NA,,,,,,0,,,,,,,,,,,,,,,,,,");
}

#[test]
fn many_chunks_keep_row_order_and_name_the_bad_row() {
    // About 2.5 MiB: several parallel chunks.
    let rows = 60_000;
    let mut content = String::from("id,sex,age,weight,lenhei,measure\n");
    for i in 0..rows {
        content.push_str(&format!(
            "{i},{},{},{:.1},{:.1},l\n",
            1 + i % 2,
            100 + i % 600,
            6.0 + (i % 50) as f64 / 10.0,
            60.0 + (i % 120) as f64 / 10.0
        ));
    }
    let out = run_on(&content, &[]);
    assert_ran(&out);
    let (header, table) = read_csv(&out.stdout);
    assert_eq!(table.len(), rows);
    let zwei = header.iter().position(|h| h == "zwei").unwrap();
    for (i, row) in table.iter().enumerate() {
        assert_eq!(row[0], i.to_string());
        assert!(!row[zwei].is_empty(), "row {i}");
    }

    let bad = content
        .replacen("\n54321,", "\n54321x,", 1)
        .replacen(",l\n54322,", ",q\n54322,", 1);
    let out = run_on(&bad, &[]);
    let message = stderr_of_failure(&out);
    assert!(
        message.contains("row 54322 (line 54323), column 6 (`measure`)"),
        "{message}"
    );
}
