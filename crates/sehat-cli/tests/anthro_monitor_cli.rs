//! `sehat anthro monitor` run as a user runs it: a file of visits in, one row per visit
//! out with N/T, referral and flags; bad rows refused naming line and column.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::path::Path;

use support::{assert_ran, read_csv, sehat, stderr_of_failure};

fn run_on(input: &str) -> std::process::Output {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("visits.csv");
    std::fs::write(&path, input).unwrap();
    sehat(&["anthro", "monitor", path.to_str().unwrap()])
}

fn monitor(input: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let out = run_on(input);
    assert_ran(&out);
    read_csv(&out.stdout)
}

fn failure(input: &str) -> String {
    stderr_of_failure(&run_on(input))
}

/// Three children, rows interleaved and out of date order, columns in their own order
/// with one extra column passed through.
const VISITS: &str = "\
weight,date,posyandu,child,length,sex,date_of_birth
5.3,2023-03-15,Melati,A,,1,2023-01-15
9.0,2024-06-01,Mawar,B,74.0,2,2023-06-01
4.35,2023-02-15,Melati,A,,1,2023-01-15
9.0,2024-07-01,Mawar,B,,2,2023-06-01
12.0,2024-05-10,Mawar,C,88.0,m,2022-05-10
6.15,2023-04-15,Melati,A,,1,2023-01-15
9.05,2024-08-01,Mawar,B,,2,2023-06-01
12300,2024-06-10,Mawar,C,83.0,m,2022-05-10
";

#[test]
fn every_visit_is_judged_in_the_input_order() {
    let (header, rows) = monitor(VISITS);
    assert_eq!(
        header,
        [
            "weight",
            "date",
            "posyandu",
            "child",
            "length",
            "sex",
            "date_of_birth",
            "age_months",
            "gain_g",
            "kbm_g",
            "nt",
            "referral",
            "reasons",
            "flags"
        ]
    );
    let added: Vec<Vec<&str>> = rows
        .iter()
        .map(|r| r[7..].iter().map(String::as_str).collect())
        .collect();
    let input: Vec<Vec<&str>> = VISITS
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect())
        .collect();
    for (row, given) in rows.iter().zip(&input) {
        assert_eq!(row[..7], given[..], "input columns are copied unchanged");
    }
    assert_eq!(
        added,
        [
            // A, 2 months: +950 g since 1 month, KBM 900 g.
            vec!["2", "950", "900", "N", "false", "", ""],
            // B, 12 months, first weighing.
            vec!["12", "", "", "", "false", "", ""],
            // A, 1 month, first weighing.
            vec!["1", "", "", "", "false", "", ""],
            // B, 13 months: no gain.
            vec!["13", "0", "200", "T", "true", "T", ""],
            // C, 24 months, first weighing.
            vec!["24", "", "", "", "false", "", ""],
            // A, 3 months: +850 g, KBM 800 g.
            vec!["3", "850", "800", "N", "false", "", ""],
            // B, 14 months: +50 g < 200 g, the second T in a row.
            vec!["14", "50", "200", "T", "true", "T;2T", ""],
            // C, 25 months: the weight was entered in grams, the length shrank by 5 cm.
            vec![
                "25",
                "12288000",
                "200",
                "",
                "false",
                "",
                "weight_in_grams;who_flag_wfa;who_flag_wfl;length_decrease"
            ],
        ]
    );
}

#[test]
fn output_file_is_written_and_matches_stdout() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("visits.csv");
    let output = dir.path().join("judged.csv");
    std::fs::write(&input, VISITS).unwrap();
    let out = sehat(&[
        "anthro",
        "monitor",
        "--output",
        output.to_str().unwrap(),
        input.to_str().unwrap(),
    ]);
    assert_ran(&out);
    assert!(out.stdout.is_empty());
    let written = std::fs::read(&output).unwrap();
    let printed = sehat(&["anthro", "monitor", input.to_str().unwrap()]);
    assert_eq!(written, printed.stdout);
    // Below the red line: WHO weight-for-age, boys, 12 months, −3 SD = 6.9 kg.
    std::fs::write(
        &input,
        "child,sex,date_of_birth,date,weight\nD,1,2023-01-15,2024-01-15,6.8\n",
    )
    .unwrap();
    let out = sehat(&[
        "anthro",
        "monitor",
        "--output",
        output.to_str().unwrap(),
        input.to_str().unwrap(),
    ]);
    assert_ran(&out);
    let (_, rows) = read_csv(&std::fs::read(&output).unwrap());
    assert_eq!(
        rows[0][5..],
        [
            "12",
            "",
            "",
            "",
            "true",
            "below_red_line;bb_u_sangat_kurang",
            ""
        ]
    );
}

#[test]
fn a_failed_run_leaves_no_output_file() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("visits.csv");
    let output = dir.path().join("judged.csv");
    std::fs::write(
        &input,
        "child,sex,date_of_birth,date,weight\nA,1,2023-01-15,2023-01-14,3.0\n",
    )
    .unwrap();
    let out = sehat(&[
        "anthro",
        "monitor",
        "--output",
        output.to_str().unwrap(),
        input.to_str().unwrap(),
    ]);
    let stderr = stderr_of_failure(&out);
    assert!(
        stderr.contains("line 2, column date: the visit is before the date of birth"),
        "{stderr}"
    );
    assert!(!Path::new(&output).exists());
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[test]
fn bad_rows_are_refused_naming_line_and_column() {
    let head = "child,sex,date_of_birth,date,weight,length\n";
    let good = "A,1,2023-01-15,2023-02-15,4.4,\n";
    let cases = [
        (
            "A,1,2023-01-15,2023-03-15,-5,\n",
            "line 3, column weight: -5 is not a positive number of kg",
        ),
        (
            "A,1,2023-01-15,2023-03-15,0,\n",
            "line 3, column weight: 0 is not a positive number of kg",
        ),
        (
            "A,1,2023-01-15,2023-03-15,NaN,\n",
            "line 3, column weight: NaN is not a positive number of kg",
        ),
        (
            "A,1,2023-01-15,2023-03-15,inf,\n",
            "line 3, column weight: inf is not a positive number of kg",
        ),
        (
            "A,1,2023-01-15,2023-03-15,5.1kg,\n",
            "line 3, column weight: `5.1kg` is not a number",
        ),
        (
            "A,1,2023-01-15,2023-03-15,,\n",
            "line 3, column weight: the weight is missing",
        ),
        (
            "A,1,2023-01-15,2023-03-15,5.1,-60\n",
            "line 3, column length: -60 is not a positive number of cm",
        ),
        (
            "A,1,2023-01-15,15/03/2023,5.1,\n",
            "line 3, column date: `15/03/2023` is not a date as YYYY-MM-DD",
        ),
        (
            "A,1,2023-01-15,2023-02-30,5.1,\n",
            "line 3, column date: `2023-02-30` is not a date",
        ),
        (
            "A,1,,2023-03-15,5.1,\n",
            "line 3, column date_of_birth: the date is missing",
        ),
        (
            "A,L,2023-01-15,2023-03-15,5.1,\n",
            "line 3, column sex: invalid sex code `L`",
        ),
        (
            "A,2,2023-01-15,2023-03-15,5.1,\n",
            "line 3, column sex: the child of this row has sex 1 on line 2",
        ),
        (
            "A,1,2023-01-16,2023-03-15,5.1,\n",
            "line 3, column date_of_birth: the child of this row was born on 2023-01-15 according to line 2",
        ),
        (
            "A,1,2023-01-15,2023-02-15,5.1,\n",
            "line 3, column date: the child of this row was also weighed on 2023-02-15 on line 2; keep one of the two visits",
        ),
        (
            ",1,2023-01-15,2023-03-15,5.1,\n",
            "line 3, column child: the child is missing",
        ),
    ];
    for (row, message) in cases {
        let stderr = failure(&format!("{head}{good}{row}"));
        assert!(stderr.contains(message), "{row}: {stderr}");
    }
    // The same dates for two different children are fine.
    let (_, rows) = monitor(&format!("{head}{good}B,1,2023-01-15,2023-02-15,4.4,\n"));
    assert_eq!(rows.len(), 2);
}

#[test]
fn the_header_must_have_the_columns_and_not_the_added_ones() {
    let stderr = failure("child,sex,date,weight\nA,1,2023-02-15,4.4\n");
    assert!(
        stderr.contains("the header has no column `date_of_birth`"),
        "{stderr}"
    );
    let stderr =
        failure("child,sex,date_of_birth,date,weight,nt\nA,1,2023-01-15,2023-02-15,4.4,N\n");
    assert!(
        stderr.contains("the input already has a column `nt`"),
        "{stderr}"
    );
    let stderr =
        failure("child,sex,date_of_birth,date,weight,sex\nA,1,2023-01-15,2023-02-15,4.4,1\n");
    assert!(stderr.contains("names the column `sex` twice"), "{stderr}");
    // Without a length column, and with only a header.
    let (header, rows) = monitor("child,sex,date_of_birth,date,weight\n");
    assert_eq!(header.len(), 12);
    assert!(rows.is_empty());
}

#[test]
fn hostile_files_follow_the_shared_csv_rules() {
    // A byte-order mark and \r\n line ends are read like any other file.
    let (header, rows) = monitor(
        "\u{feff}child,sex,date_of_birth,date,weight\r\nA,1,2023-01-15,2023-02-15,4.35\r\nA,1,2023-01-15,2023-03-15,5.3\r\n",
    );
    assert_eq!(header[0], "child");
    assert_eq!(rows[1][5..], ["2", "950", "900", "N", "false", "", ""]);
    // A blank line between rows, a stray quote, a short row: refused with the line.
    let head = "child,sex,date_of_birth,date,weight\n";
    let stderr = failure(&format!(
        "{head}A,1,2023-01-15,2023-02-15,4.35\n\nA,1,2023-01-15,2023-03-15,5.3\n"
    ));
    assert!(stderr.contains("line 3 is blank"), "{stderr}");
    let stderr = failure(&format!(
        "{head}\"A,1,2023-01-15,2023-02-15,4.35\nB,1,2023-01-15,2023-03-15,5.3\n"
    ));
    assert!(
        stderr.contains("line 2: a quoted field runs over"),
        "{stderr}"
    );
    let stderr = failure(&format!("{head}A,1,2023-01-15,2023-02-15\n"));
    assert!(
        stderr.contains("line: 2") && stderr.contains("4 fields"),
        "{stderr}"
    );
}

#[test]
fn the_output_is_private_and_never_the_input() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("visits.csv");
    std::fs::write(&input, VISITS).unwrap();
    let out = sehat(&[
        "anthro",
        "monitor",
        "--output",
        input.to_str().unwrap(),
        input.to_str().unwrap(),
    ]);
    stderr_of_failure(&out);
    assert_eq!(std::fs::read_to_string(&input).unwrap(), VISITS);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let output = dir.path().join("judged.csv");
        let out = sehat(&[
            "anthro",
            "monitor",
            "--output",
            output.to_str().unwrap(),
            input.to_str().unwrap(),
        ]);
        assert_ran(&out);
        let mode = std::fs::metadata(&output).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}

#[test]
fn garbage_is_refused_with_a_message_not_a_crash() {
    let mut state: u64 = 17;
    for _ in 0..40 {
        let mut bytes = b"child,sex,date_of_birth,date,weight,length\n".to_vec();
        for _ in 0..200 {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            let pick = (state >> 33) as usize;
            let pieces: [&[u8]; 12] = [
                b"A",
                b",",
                b"\n",
                b"1",
                b"2023-01-15",
                b"9.5",
                b"-1",
                b"NaN",
                b"\"",
                b"\xff",
                b"99999-01-01",
                b"1e309",
            ];
            bytes.extend_from_slice(pieces[pick % pieces.len()]);
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("garbage.csv");
        std::fs::write(&path, &bytes).unwrap();
        let out = sehat(&["anthro", "monitor", path.to_str().unwrap()]);
        // Exit code 1 with a message, or success; never a panic (101).
        assert_ne!(
            out.status.code(),
            Some(101),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        if !out.status.success() {
            assert!(
                out.stderr.starts_with(b"sehat: "),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
}
