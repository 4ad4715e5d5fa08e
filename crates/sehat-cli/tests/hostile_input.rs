//! Inputs a careless user or an attacker gives, and files that must survive them: codes
//! read as exactly one thing or refused, outputs that never destroy an input or leave a
//! partial file, and CSV/JSON readers that keep rows in equal to rows out.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::fs;
use std::path::{Path, PathBuf};

use support::{assert_ran, fails_with, read_csv, sehat, stderr_of_failure};

fn write(dir: &Path, name: &str, content: &[u8]) -> PathBuf {
    let path = dir.join(name);
    fs::write(&path, content).unwrap();
    path
}

fn s(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// The names in `dir`, sorted: no temporary file may be left behind.
fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    fs::metadata(path).unwrap().permissions().mode() & 0o777
}

// ---------------------------------------------------------------- clinical codes

const CVX_10_0: &str = r#"[{"id":"x","dob":"2025-01-10","gender":"F","assessment_date":"2025-04-20","doses":[{"seq":1,"date_administered":"2025-03-01","cvx":"10.0"}]}]"#;

/// The issue's repro: CVX `10.0` (a spreadsheet's IPV) was read as 100 (PCV), exit 0.
#[test]
fn a_spreadsheet_cvx_code_is_refused_naming_patient_dose_and_value() {
    let dir = tempfile::tempdir().unwrap();
    let cases = write(dir.path(), "cases.json", CVX_10_0.as_bytes());
    let out = sehat(&[
        "immunization",
        "forecast",
        "--schedule",
        "cdsi-us",
        s(&cases),
    ]);
    let stderr = stderr_of_failure(&out);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    assert!(
        stderr.contains(r#"patient #1: patient "x": dose 1: cvx "10.0" is not a CVX code"#),
        "{stderr}"
    );
    for value in ["1.0", "2.0", "20.0", "-1"] {
        fs::write(&cases, CVX_10_0.replace("10.0", value)).unwrap();
        let out = sehat(&[
            "immunization",
            "forecast",
            "--schedule",
            "cdsi-us",
            s(&cases),
        ]);
        assert!(
            stderr_of_failure(&out).contains(&format!("cvx \"{value}\" is not a CVX code")),
            "{value}"
        );
    }
    // The same dose written as digits is IPV, dose 1 of polio.
    fs::write(&cases, CVX_10_0.replace("10.0", "010")).unwrap();
    let out = sehat(&[
        "immunization",
        "forecast",
        "--schedule",
        "cdsi-us",
        s(&cases),
    ]);
    assert_ran(&out);
    let result: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let polio = result[0]["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["vaccine_group"] == "POL")
        .unwrap();
    assert_eq!(polio["forecast_dose_number"], 2);
}

#[test]
fn a_misspelt_region_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let cases = write(
        dir.path(),
        "cases.json",
        br#"[{"id":"r","dob":"2025-01-10","assessment_date":"2025-04-20","region":"Bali"}]"#,
    );
    let out = sehat(&[
        "immunization",
        "forecast",
        "--schedule",
        "id-kemenkes",
        s(&cases),
    ]);
    assert!(
        stderr_of_failure(&out).contains(r#"field region: "Bali" is not an ISO 3166-2 region"#),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_byte_order_mark_is_accepted_in_every_input() {
    let dir = tempfile::tempdir().unwrap();
    let json = CVX_10_0.replace("10.0", "10");
    let cases = write(
        dir.path(),
        "cases.json",
        &[b"\xEF\xBB\xBF", json.as_bytes()].concat(),
    );
    assert_ran(&sehat(&[
        "immunization",
        "forecast",
        "--schedule",
        "cdsi-us",
        s(&cases),
    ]));
    let phones = write(dir.path(), "p.csv", b"\xEF\xBB\xBFinput\n081234567890\n");
    let out = sehat(&["phone", "normalize", s(&phones)]);
    assert_ran(&out);
    assert_eq!(read_csv(&out.stdout).0[0], "input");
    let anthro = write(
        dir.path(),
        "a.csv",
        b"\xEF\xBB\xBFsex,age,weight\n1,400,9.5\n",
    );
    let out = sehat(&["anthro", "zscores", s(&anthro)]);
    assert_ran(&out);
    assert!(out.stdout.starts_with(b"sex,age,weight,"));
}

// ---------------------------------------------------------------- files

const ANTHRO: &[u8] = b"sex,age,weight,lenhei\n1,400,9.5,75.35\n2,300,8.1,68.2\n";

#[test]
fn an_output_that_is_the_input_is_refused_and_the_input_kept() {
    let dir = tempfile::tempdir().unwrap();
    let big = write(dir.path(), "big.csv", ANTHRO);
    let out = sehat(&["anthro", "zscores", s(&big), "--output", s(&big)]);
    let stderr = stderr_of_failure(&out);
    assert!(stderr.contains("it is the input file"), "{stderr}");
    assert_eq!(fs::read(&big).unwrap(), ANTHRO);
    // The same file by another path, a symbolic link and a hard link.
    let dotted = dir.path().join(".").join("big.csv");
    #[cfg(unix)]
    std::os::unix::fs::symlink(&big, dir.path().join("link.csv")).unwrap();
    fs::hard_link(&big, dir.path().join("hard.csv")).unwrap();
    let mut others = vec![dotted, dir.path().join("hard.csv")];
    if cfg!(unix) {
        others.push(dir.path().join("link.csv"));
    }
    for other in &others {
        let out = sehat(&["anthro", "zscores", s(&big), "--output", s(other)]);
        assert!(
            stderr_of_failure(&out).contains("it is the input file"),
            "{other:?}"
        );
        assert_eq!(fs::read(&big).unwrap(), ANTHRO);
    }
    // Every command that reads a file refuses to write over it.
    let phones = write(dir.path(), "p.csv", b"input\n081234567890\n");
    fails_with(
        &["phone", "normalize", s(&phones), "--output", s(&phones)],
        "it is the input file",
    );
    assert_eq!(fs::read(&phones).unwrap(), b"input\n081234567890\n");
    let cases = write(dir.path(), "c.json", b"[]");
    fails_with(
        &[
            "immunization",
            "forecast",
            "--schedule",
            "cdsi-us",
            s(&cases),
            "-o",
            s(&cases),
        ],
        "it is the input file",
    );
    assert_eq!(fs::read(&cases).unwrap(), b"[]");
}

#[test]
fn inspect_refuses_to_write_over_its_input() {
    let dir = tempfile::tempdir().unwrap();
    let body = fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data/whatsapp/error__190_invalid_oauth_token.json"),
    )
    .unwrap();
    let f = write(dir.path(), "f.json", &body);
    fails_with(
        &["whatsapp", "inspect", s(&f), "-o", s(&f)],
        "it is the input file",
    );
    assert_eq!(fs::read(&f).unwrap(), body);
    // Written elsewhere it works, readable by its owner only; with a byte-order mark too.
    let g = write(
        dir.path(),
        "g.json",
        &[b"\xEF\xBB\xBF", body.as_slice()].concat(),
    );
    let lines = dir.path().join("lines.jsonl");
    assert_ran(&sehat(&[
        "whatsapp",
        "inspect",
        s(&f),
        s(&g),
        "-o",
        s(&lines),
    ]));
    assert_eq!(fs::read_to_string(&lines).unwrap().lines().count(), 2);
    #[cfg(unix)]
    assert_eq!(mode(&lines), 0o600);
    // A bad file among them: no output file, rather than one that looks complete.
    let bad = write(dir.path(), "bad.json", b"{");
    let partial = dir.path().join("partial.jsonl");
    let out = sehat(&["whatsapp", "inspect", s(&f), s(&bad), "-o", s(&partial)]);
    stderr_of_failure(&out);
    assert!(!partial.exists());
}

/// The issue's repro: an error at row 300,001 left a plausible 285,471-line output.
#[test]
fn an_error_at_a_late_row_leaves_no_output() {
    let dir = tempfile::tempdir().unwrap();
    let mut input = b"sex,age,weight\n".to_vec();
    for i in 0..300_000 {
        input.extend_from_slice(format!("{},{},9.5\n", 1 + i % 2, i % 1800).as_bytes());
    }
    input.extend_from_slice(b"1,400,heavy\n");
    let big = write(dir.path(), "big.csv", &input);
    let before = listing(dir.path());
    let output = dir.path().join("z.csv");
    let out = sehat(&["anthro", "zscores", s(&big), "--output", s(&output)]);
    let stderr = stderr_of_failure(&out);
    assert!(stderr.contains("row 300001 (line 300002)"), "{stderr}");
    assert!(!output.exists());
    assert_eq!(listing(dir.path()), before, "no temporary file left");
    // An existing output is left as it was.
    fs::write(&output, b"earlier result\n").unwrap();
    let out = sehat(&["anthro", "zscores", s(&big), "--output", s(&output)]);
    stderr_of_failure(&out);
    assert_eq!(fs::read(&output).unwrap(), b"earlier result\n");
    // The same for a phone file with a bad row far down.
    let mut phones = b"input\n".to_vec();
    for _ in 0..20_000 {
        phones.extend_from_slice(b"081234567890\n");
    }
    phones.extend_from_slice(b"0812\xFF\n");
    let phones = write(dir.path(), "p.csv", &phones);
    let normalized = dir.path().join("n.csv");
    fails_with(
        &["phone", "normalize", s(&phones), "--output", s(&normalized)],
        "line 20002",
    );
    assert!(!normalized.exists());
}

#[cfg(unix)]
#[test]
fn outputs_are_created_readable_by_their_owner_only() {
    let dir = tempfile::tempdir().unwrap();
    let anthro = write(dir.path(), "a.csv", ANTHRO);
    let phones = write(
        dir.path(),
        "p.csv",
        b"input,phone\n081234567890,081234567890\n",
    );
    let cases = write(dir.path(), "c.json", b"[]");
    let keyset = dir.path().join("keyset.json");
    assert_ran(&sehat(&["keys", "generate", "--output", s(&keyset)]));
    let outputs = [
        ("z.csv", vec!["anthro", "zscores", s(&anthro), "--output"]),
        ("n.csv", vec!["phone", "normalize", s(&phones), "--output"]),
        (
            "ps.csv",
            vec![
                "phone",
                "pseudonymize",
                "--keyset",
                s(&keyset),
                "--domain",
                "test",
                "--column",
                "phone",
                s(&phones),
                "--output",
            ],
        ),
        (
            "f.json",
            vec![
                "immunization",
                "forecast",
                "--schedule",
                "cdsi-us",
                s(&cases),
                "--output",
            ],
        ),
    ];
    for (name, args) in outputs {
        let path = dir.path().join(name);
        // Replacing a world-readable file gives a private one too.
        fs::write(&path, b"old").unwrap();
        let mut args = args.clone();
        let target = path.to_str().unwrap().to_owned();
        args.push(&target);
        assert_ran(&sehat(&args));
        assert_eq!(mode(&path), 0o600, "{name}");
        assert_ne!(fs::read(&path).unwrap(), b"old");
    }
    assert_eq!(mode(&keyset), 0o600);
    // A keyset is never written over, not even by the keyset it rotates.
    fails_with(
        &[
            "keys",
            "rotate",
            "--keyset",
            s(&keyset),
            "--output",
            s(&keyset),
        ],
        "already exists",
    );
}

// ---------------------------------------------------------------- readers

/// A 64 MB line is read in time linear in its length (the reader once rescanned its
/// growing buffer: 16/32/64 MB took 0.75/2.9/11.3 s); here it is simply processed.
#[test]
fn a_64_mb_line_is_processed() {
    let dir = tempfile::tempdir().unwrap();
    let mut input = b"sex,age,weight,note\n1,400,9.5,".to_vec();
    input.resize(input.len() + (64 << 20), b'x');
    input.extend_from_slice(b"\n2,300,8.1,short\n");
    let path = write(dir.path(), "long.csv", &input);
    let output = dir.path().join("z.csv");
    assert_ran(&sehat(&[
        "anthro",
        "zscores",
        s(&path),
        "--output",
        s(&output),
    ]));
    let text = fs::read(&output).unwrap();
    let lines: Vec<&[u8]> = text.split(|&b| b == b'\n').collect();
    assert_eq!(lines.len(), 4, "header, two rows, end");
    let row = &input[20..20 + 10 + (64 << 20)];
    assert_eq!(&lines[1][..row.len()], row);
    // clenhei, cmeasure, c9mo_flag, cbmi, csex, zlen, flen, zwei, fwei, ...
    assert!(
        lines[1][row.len()..].starts_with(b",,,0,,1,,,-0.38,0,"),
        "{}",
        String::from_utf8_lossy(&lines[1][row.len()..])
    );
    assert!(lines[2].starts_with(b"2,300,8.1,short,"));
    // A 64 MB value where a number belongs is refused, quoted in a few characters.
    let mut bad = b"sex,age,weight\n1,400,".to_vec();
    bad.resize(bad.len() + (64 << 20), b'9');
    bad.extend_from_slice(b"x\n");
    let path = write(dir.path(), "bad.csv", &bad);
    let out = sehat(&["anthro", "zscores", s(&path)]);
    let stderr = stderr_of_failure(&out);
    assert!(
        stderr.contains("row 1 (line 2), column 3 (`weight`)"),
        "{stderr:.300}"
    );
    assert!(stderr.len() < 400, "{stderr:.300}");
}

/// The issue's repro: 5 rows in, a stray `"` in row 2, 2 rows out, exit 0.
#[test]
fn a_stray_quote_stops_the_phone_commands_at_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let phones = write(
        dir.path(),
        "p.csv",
        b"input\n081234567890\n\"081234567891\n081234567892\n081234567893\n081234567894\n",
    );
    let out = sehat(&["phone", "normalize", s(&phones)]);
    let stderr = stderr_of_failure(&out);
    assert!(
        stderr.contains("line 3: a quoted field runs over the end of the line"),
        "{stderr}"
    );
    assert!(out.stdout.is_empty());
    // Without the stray quote: five rows in, five out.
    fs::write(
        &phones,
        b"input\n081234567890\n081234567891\n081234567892\n081234567893\n081234567894\n",
    )
    .unwrap();
    let out = sehat(&["phone", "normalize", s(&phones)]);
    assert_ran(&out);
    assert_eq!(read_csv(&out.stdout).1.len(), 5);
}

/// One rule for every CSV reader: a blank line between rows is an error naming it;
/// blank lines at the end of the file are ignored.
#[test]
fn blank_lines_follow_one_rule_everywhere() {
    let dir = tempfile::tempdir().unwrap();
    let anthro = write(
        dir.path(),
        "a.csv",
        b"sex,age,weight\n1,400,9.5\n\n2,300,8.1\n",
    );
    let out = sehat(&["anthro", "zscores", s(&anthro)]);
    assert!(
        stderr_of_failure(&out).contains("row 2 (line 3): blank line"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let phones = write(
        dir.path(),
        "p.csv",
        b"input\n081234567890\n\n081234567891\n",
    );
    fails_with(&["phone", "normalize", s(&phones)], "line 3 is blank");
    // Trailing blank lines (any line ends) are no rows.
    fs::write(&anthro, b"sex,age,weight\r\n1,400,9.5\r\n\r\n\n").unwrap();
    let out = sehat(&["anthro", "zscores", s(&anthro)]);
    assert_ran(&out);
    assert_eq!(read_csv(&out.stdout).1.len(), 1);
    fs::write(&phones, b"input\r\n081234567890\r\n\r\n\n").unwrap();
    let out = sehat(&["phone", "normalize", s(&phones)]);
    assert_ran(&out);
    assert_eq!(read_csv(&out.stdout).1.len(), 1);
}

#[test]
fn a_repeated_column_name_is_refused_by_every_reader() {
    let dir = tempfile::tempdir().unwrap();
    let anthro = write(dir.path(), "a.csv", b"sex,sex,age\n1,2,400\n");
    fails_with(
        &["anthro", "zscores", s(&anthro)],
        "the header names the column `sex` twice (columns 1 and 2)",
    );
    let phones = write(dir.path(), "p.csv", b"input,input\n0812,0813\n");
    fails_with(
        &["phone", "normalize", s(&phones)],
        "the column `input` twice",
    );
    let keyset = dir.path().join("k.json");
    assert_ran(&sehat(&["keys", "generate", "--output", s(&keyset)]));
    fails_with(
        &[
            "phone",
            "pseudonymize",
            "--keyset",
            s(&keyset),
            "--domain",
            "d",
            "--column",
            "input",
            s(&phones),
        ],
        "the column `input` twice",
    );
    let prevalence = write(dir.path(), "s.csv", b"sex,age,weight,age\n1,400,9.5,400\n");
    fails_with(
        &["anthro", "prevalence", s(&prevalence)],
        "the header names the column `age` twice (columns 2 and 4)",
    );
    let messages = write(
        dir.path(),
        "m.csv",
        b"key,phone,purpose,template,phone\na,0812-3456-7801,reminder,t,0812-3456-7802\n",
    );
    let db = format!("sqlite:{}", dir.path().join("o.db").display());
    fails_with(
        &["outbox", "schedule", "--db", &db, s(&messages)],
        "the header names the column `phone` twice (columns 2 and 5)",
    );
}

/// NaN, inf, 1e309, zero and negative measurements: NA with the rows on stderr, never
/// `Inf`, `NaN` or a number computed from them (WHO's R package gives all three).
#[test]
fn invalid_measurements_give_na_and_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    let input = write(
        dir.path(),
        "a.csv",
        b"sex,age,weight,lenhei\n\
          1,400,NaN,75\n\
          1,400,inf,75\n\
          1,400,1e309,75\n\
          1,400,-1,75\n\
          1,400,9.5,-75\n\
          1,400,0,75\n\
          1,400,9.5,75.35\n",
    );
    let out = sehat(&["anthro", "zscores", s(&input)]);
    assert_ran(&out);
    let (header, rows) = read_csv(&out.stdout);
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    for row in &rows[..6] {
        for name in ["zwfl", "zbmi", "cbmi", "fwfl", "fbmi"] {
            assert_eq!(row[col(name)], "", "{name} in {row:?}");
        }
        for field in &row[4..] {
            assert!(!["NaN", "Inf", "-Inf"].contains(&field.as_str()), "{row:?}");
        }
    }
    for i in [0, 1, 2, 3, 5] {
        assert_eq!(rows[i][col("zwei")], "", "row {i}");
    }
    // The weight-only indicator of a row with a bad length is still computed...
    assert_eq!(rows[4][col("zwei")], "-0.38");
    // The length-only indicator of a row with a bad weight is still computed...
    assert_eq!(rows[3][col("zlen")], "-0.86");
    // ...but not from a negative length.
    assert_eq!(rows[4][col("zlen")], "");
    assert_eq!(rows[4][col("clenhei")], "");
    assert_eq!(rows[6][col("zwei")], "-0.38");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.lines().count(), 6, "{stderr}");
    assert!(
        stderr.contains("row 4 (line 5): weight not a finite positive number"),
        "{stderr}"
    );
    assert!(stderr.contains("row 5 (line 6): lenhei not a finite positive number"));
    // The 5-19 y standard the same; a NaN or infinite age is refused like a negative one.
    let input = write(
        dir.path(),
        "b.csv",
        b"sex,age_in_months,height_in_cm,weight_in_kg\n1,100,0,27\n1,100,130,-2\n",
    );
    let out = sehat(&["anthro", "zscores", "--standard", "who2007", s(&input)]);
    assert_ran(&out);
    let (header, rows) = read_csv(&out.stdout);
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    assert_eq!(
        (rows[0][col("zhfa")].as_str(), rows[0][col("zbfa")].as_str()),
        ("", "")
    );
    assert_ne!(rows[0][col("zwfa")], "");
    assert_eq!(rows[1][col("zwfa")], "");
    let input = write(dir.path(), "c.csv", b"sex,age,weight\n1,NaN,9\n");
    fails_with(
        &["anthro", "zscores", s(&input)],
        "age NaN is not a finite number",
    );
}

#[test]
fn a_bare_output_name_is_written_in_the_current_directory() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.csv", ANTHRO);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_sehat"))
        .args(["anthro", "zscores", "a.csv", "--output", "z.csv"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_ran(&out);
    assert_eq!(listing(dir.path()), ["a.csv", "z.csv"]);
    assert_eq!(
        read_csv(&fs::read(dir.path().join("z.csv")).unwrap())
            .1
            .len(),
        2
    );
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_sehat"))
        .args(["anthro", "zscores", "a.csv", "--output", "a.csv"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(stderr_of_failure(&out).contains("it is the input file"));
}
