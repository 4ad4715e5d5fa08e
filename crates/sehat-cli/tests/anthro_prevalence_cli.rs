//! `sehat anthro prevalence` against WHO's own output: the public surveys go in, and the
//! file that comes out must have R's header line byte for byte, the same groups in the
//! same order, every number within 1e-9 absolute and NA exactly where R wrote NA.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::path::{Path, PathBuf};

use support::{assert_ran, read_csv, sehat, stderr_of_failure};

fn reference(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../sehat-anthro/tests/data/prevalence")
        .join(name)
}

/// Runs the command and compares its output file with R's, cell by cell.
fn check(standard: &str, input: &str, expected: &str) -> usize {
    let dir = tempfile::tempdir().unwrap();
    let out_path = dir.path().join("table.csv");
    let out = sehat(&[
        "anthro",
        "prevalence",
        "--standard",
        standard,
        "--output",
        out_path.to_str().unwrap(),
        reference(input).to_str().unwrap(),
    ]);
    assert_ran(&out);
    let ours = std::fs::read(&out_path).unwrap();
    let theirs = std::fs::read(reference(expected)).unwrap();
    let first_line = |b: &[u8]| b.split(|&c| c == b'\n').next().unwrap().to_vec();
    assert_eq!(
        String::from_utf8(first_line(&ours)).unwrap(),
        String::from_utf8(first_line(&theirs)).unwrap()
    );
    let (ours, theirs) = (read_csv(&ours), read_csv(&theirs));
    assert_eq!(ours.1.len(), theirs.1.len());
    let mut cells = 0;
    for (a, b) in ours.1.iter().zip(&theirs.1) {
        assert_eq!(a.len(), b.len());
        for ((x, y), name) in a.iter().zip(b).zip(&theirs.0) {
            cells += 1;
            match (x.parse::<f64>(), y.parse::<f64>()) {
                (Ok(x), Ok(y)) => assert!((x - y).abs() <= 1e-9, "{} {name}: {x} vs {y}", a[0]),
                _ => assert_eq!(x, y, "{} {name}", a[0]),
            }
        }
    }
    cells
}

#[test]
fn who2006_table_matches_anthro_prevalence() {
    let cells = check(
        "who2006",
        "survey_0_5_public.csv",
        "prevalence_0_5_public.csv",
    );
    assert_eq!(cells, 37 * 135);
}

#[test]
fn who2007_table_matches_anthroplus_prevalence() {
    let cells = check(
        "who2007",
        "survey_5_19_public.csv",
        "prevalence_5_19_public.csv",
    );
    assert_eq!(cells, 27 * 96);
}

fn run_on(text: &str, standard: &str) -> std::process::Output {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("in.csv");
    std::fs::write(&path, text).unwrap();
    sehat(&[
        "anthro",
        "prevalence",
        "--standard",
        standard,
        path.to_str().unwrap(),
    ])
}

#[test]
fn bad_codes_and_weights_name_line_and_column() {
    let err = stderr_of_failure(&run_on(
        "sex,age,weight,lenhei\n1,400,9.5,75\n3,500,10,80\n",
        "who2006",
    ));
    assert!(err.contains("line 3, column sex"), "{err}");
    let err = stderr_of_failure(&run_on(
        "sex,age,weight,lenhei,sw\n1,400,9.5,75,1\n2,500,10,80,heavy\n",
        "who2006",
    ));
    assert!(err.contains("line 3, column sw"), "{err}");
    let err = stderr_of_failure(&run_on(
        "sex,age,weight,lenhei,sw\n1,400,9.5,75,1\n2,500,10,80,-2\n",
        "who2006",
    ));
    assert!(
        err.contains("row 2: sampling weight -2 is negative"),
        "{err}"
    );
    let err = stderr_of_failure(&run_on(
        "sex,age_in_months,height_in_cm\n1,100,-120\n",
        "who2007",
    ));
    assert!(err.contains("line 2, column height_in_cm"), "{err}");
}

#[test]
fn a_simple_sample_without_design_columns() {
    let out = run_on(
        "sex,age,weight,lenhei,measure\n1,400,9.5,75.35,l\n2,500,8,70,l\n1,900,11,82,h\n2,1500,14,95,h\n",
        "who2006",
    );
    assert_ran(&out);
    let (header, rows) = read_csv(&out.stdout);
    assert_eq!(header[0], "Group");
    let groups: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(&groups[..2], &["All", "Age group: 00-05 mo"]);
    // Four children with a height-for-age z: unweighted and weighted counts are 4.
    assert_eq!(rows[0][1], "4");
    assert_eq!(rows[0][2], "4");
}

/// The public survey twenty times over (about 3 MB, so read in several pieces in
/// parallel), each copy's regions renamed for the copy: the regions first met in a
/// later piece must get their own rows, identical to those of the same region of any
/// other copy, and a bad row far into the file is named by its own line.
#[test]
fn a_file_read_in_pieces_keeps_each_rows_groups_and_line_numbers() {
    const COPIES: usize = 20;
    let text = std::fs::read_to_string(reference("survey_0_5_public.csv")).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    let rows: Vec<&str> = lines.collect();
    let region = header.split(',').position(|c| c == "\"gregion\"").unwrap();
    let mut big = format!("{header}\n");
    for copy in 0..COPIES {
        for row in &rows {
            let fields: Vec<String> = row
                .split(',')
                .enumerate()
                .map(|(k, f)| {
                    if k == region && !f.is_empty() {
                        format!("\"{}-{copy:02}\"", f.trim_matches('"'))
                    } else {
                        f.to_owned()
                    }
                })
                .collect();
            big.push_str(&fields.join(","));
            big.push('\n');
        }
    }
    assert!(big.len() > 2 << 20, "{} bytes", big.len());
    let out = run_on(&big, "who2006");
    assert_ran(&out);
    let (_, table) = read_csv(&out.stdout);
    let regions: Vec<&Vec<String>> = table
        .iter()
        .filter(|r| r[0].starts_with("Geographical region: "))
        .collect();
    let first: Vec<&Vec<String>> = regions
        .iter()
        .copied()
        .filter(|r| r[0].ends_with("-00"))
        .collect();
    assert!(first.len() > 1);
    assert_eq!(regions.len(), first.len() * COPIES);
    for row in &regions {
        let name = row[0].rsplit_once('-').unwrap().0;
        let twin = first
            .iter()
            .find(|r| r[0].rsplit_once('-').unwrap().0 == name)
            .unwrap();
        assert_eq!(row[1..], twin[1..], "{}", row[0]);
    }

    // A sex code of 3 on the 30,000th row: line 30,001 of the file.
    let mut lines: Vec<&str> = big.lines().collect();
    let bad = format!("\"3\",{}", lines[30_000].split_once(',').unwrap().1);
    lines[30_000] = &bad;
    let err = stderr_of_failure(&run_on(&lines.join("\n"), "who2006"));
    assert!(err.contains("line 30001, column sex"), "{err}");
}
