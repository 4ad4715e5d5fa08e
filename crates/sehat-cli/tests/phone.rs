//! `sehat phone normalize` and `sehat phone pseudonymize`, end to end through the binary.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use support::{assert_ran, read_csv, sehat, stderr_of_failure};

use std::path::{Path, PathBuf};
use std::process::Command;

use secrecy::ExposeSecret;
use sehat_pseudonym::{Domain, Keyset, PhoneNumber, Region, Subject};

fn vectors_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../sehat-pseudonym/tests/data/phone_vectors_public.csv")
}

fn write_csv(path: &Path, header: &[&str], rows: &[Vec<String>]) {
    let mut writer = csv::Writer::from_path(path).unwrap();
    writer.write_record(header).unwrap();
    for row in rows {
        writer.write_record(row).unwrap();
    }
    writer.flush().unwrap();
}

#[test]
fn normalize_agrees_with_the_oracle_on_every_public_vector() {
    let (header, oracle) = read_csv(&std::fs::read(vectors_path()).unwrap());
    assert_eq!(header[..2], ["input", "default_region"]);
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("inputs.csv");
    let inputs: Vec<Vec<String>> = oracle.iter().map(|row| row[..2].to_vec()).collect();
    write_csv(&input, &["input", "default_region"], &inputs);
    let output = dir.path().join("out.csv");
    let out = sehat(&[
        "phone",
        "normalize",
        "--output",
        output.to_str().unwrap(),
        input.to_str().unwrap(),
    ]);
    assert_ran(&out);
    let (got_header, got) = read_csv(&std::fs::read(&output).unwrap());
    assert_eq!(
        got_header,
        [
            "input",
            "default_region",
            "e164",
            "is_possible",
            "is_valid",
            "number_type",
            "parse_error"
        ]
    );
    assert_eq!(got.len(), oracle.len());
    // The oracle's columns: input, default_region, is_possible, is_valid, e164,
    // number_type, parse_error, category.
    for (index, (ours, want)) in got.iter().zip(&oracle).enumerate() {
        assert_eq!(
            ours[..2],
            want[..2],
            "row {index}: input columns changed or reordered"
        );
        assert_eq!(ours[2], want[4], "row {index} e164 for {:?}", want[0]);
        assert_eq!(
            ours[3], want[2],
            "row {index} is_possible for {:?}",
            want[0]
        );
        assert_eq!(ours[4], want[3], "row {index} is_valid for {:?}", want[0]);
        assert_eq!(
            ours[5], want[5],
            "row {index} number_type for {:?}",
            want[0]
        );
        assert_eq!(
            ours[6], want[6],
            "row {index} parse_error for {:?}",
            want[0]
        );
    }
}

#[test]
fn normalize_uses_the_region_option_without_a_region_column() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.csv");
    std::fs::write(
        &input,
        "id,input\n1,0812-3456-7890\n2,+60 12-345 6789\n3,012-345 6789\n",
    )
    .unwrap();
    let out = sehat(&["phone", "normalize", input.to_str().unwrap()]);
    assert!(out.status.success());
    let (header, rows) = read_csv(&out.stdout);
    assert_eq!(header[..2], ["id", "input"]);
    assert_eq!(rows[0][2], "+6281234567890");
    assert_eq!(rows[1][2], "+60123456789");
    assert_eq!(rows[2][2], "+62123456789", "national 012… under ID");

    let out = sehat(&[
        "phone",
        "normalize",
        "--region",
        "MY",
        input.to_str().unwrap(),
    ]);
    let (_, rows) = read_csv(&out.stdout);
    assert_eq!(rows[2][2], "+60123456789");
    assert_eq!(rows[2][5], "MOBILE");

    let out = sehat(&[
        "phone",
        "normalize",
        "--region",
        "",
        input.to_str().unwrap(),
    ]);
    let (_, rows) = read_csv(&out.stdout);
    assert_eq!(rows[0][2], "");
    assert_eq!(rows[0][6], "INVALID_COUNTRY_CODE");
    assert_eq!(rows[1][2], "+60123456789");
}

#[test]
fn normalize_reports_bad_input_with_its_place() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.csv");
    std::fs::write(&input, "phone\n0812\n").unwrap();
    let out = sehat(&["phone", "normalize", input.to_str().unwrap()]);
    let stderr = stderr_of_failure(&out);
    assert!(
        stderr.contains("no `input` column") && stderr.contains("phone"),
        "{stderr}"
    );

    std::fs::write(
        &input,
        "input,default_region\n0812-3456-7890,ID\n0812-3456-7890,IDN\n",
    )
    .unwrap();
    let out = sehat(&["phone", "normalize", input.to_str().unwrap()]);
    let stderr = stderr_of_failure(&out);
    assert!(
        stderr.contains("line 3") && stderr.contains("default_region"),
        "{stderr}"
    );

    let missing = dir.path().join("missing.csv");
    let out = sehat(&["phone", "normalize", missing.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("missing.csv"));
}

#[test]
fn many_batches_keep_row_order_and_name_the_bad_line() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.csv");
    let rows = 30_000;
    let mut content = String::from("id,input,default_region\n");
    for i in 0..rows {
        content.push_str(&format!("{i},0812-{:04}-{:04},ID\n", i % 10_000, i / 7));
    }
    std::fs::write(&input, &content).unwrap();
    let out = sehat(&["phone", "normalize", input.to_str().unwrap()]);
    assert_ran(&out);
    let (_, table) = read_csv(&out.stdout);
    assert_eq!(table.len(), rows);
    for (i, row) in table.iter().enumerate() {
        assert_eq!(row[0], i.to_string());
        assert_eq!(
            row[3],
            format!("+62812{:04}{:04}", i % 10_000, i / 7),
            "row {i}"
        );
    }

    // A bad region late in the file: the error names its line, whichever worker met it.
    let bad = content.replacen(
        &format!("\n21346,0812-1346-{:04},ID\n", 21_346 / 7),
        &format!("\n21346,0812-1346-{:04},IDN\n", 21_346 / 7),
        1,
    );
    assert_ne!(bad, content);
    std::fs::write(&input, bad).unwrap();
    let out = sehat(&["phone", "normalize", input.to_str().unwrap()]);
    let stderr = stderr_of_failure(&out);
    assert!(
        stderr.contains("line 21348") && stderr.contains("default_region"),
        "{stderr}"
    );
}

fn keyset_file(dir: &Path) -> (PathBuf, Keyset) {
    let path = dir.join("keyset.json");
    let out = sehat(&["keys", "generate", "--output", path.to_str().unwrap()]);
    assert_ran(&out);
    let keyset = Keyset::from_file(&path).unwrap();
    (path, keyset)
}

#[test]
fn pseudonymize_replaces_the_column_and_never_writes_a_bad_value() {
    let dir = tempfile::tempdir().unwrap();
    let (keyset_path, keyset) = keyset_file(dir.path());
    let input = dir.path().join("send_log.csv");
    std::fs::write(
        &input,
        "child,phone,sent\n\
         A1,0812-3456-7890,2026-11-01\n\
         A2,+62 812 3456 7890,2026-11-02\n\
         A3,0812 3456 789O,2026-11-03\n\
         A4,tidak ada,2026-11-04\n\
         A5,0062 812 3456 7890,2026-11-05\n\
         A6,(021) 555 1234,2026-11-06\n",
    )
    .unwrap();
    let out = sehat(&[
        "phone",
        "pseudonymize",
        "--keyset",
        keyset_path.to_str().unwrap(),
        "--domain",
        "posyandu-send-log",
        "--column",
        "phone",
        input.to_str().unwrap(),
    ]);
    assert_ran(&out);
    let text = String::from_utf8(out.stdout.clone()).unwrap();
    for raw in ["3456", "789O", "tidak", "555 1234", "5551234"] {
        assert!(!text.contains(raw), "{raw} leaked:\n{text}");
    }
    let (header, rows) = read_csv(&out.stdout);
    assert_eq!(header, ["child", "phone", "sent", "phone_error"]);
    let number = PhoneNumber::parse("0812-3456-7890", Region::ID).unwrap();
    let expected = keyset
        .pseudonymize(
            &Domain::new("posyandu-send-log").unwrap(),
            &Subject::phone(&number),
        )
        .to_string();
    assert_eq!(rows[0], ["A1", expected.as_str(), "2026-11-01", ""]);
    assert_eq!(rows[1][1], expected);
    assert_eq!(rows[2][1..], ["", "2026-11-03", "STRAY_LETTER"]);
    assert_eq!(rows[3][1..], ["", "2026-11-04", "NOT_A_NUMBER"]);
    assert_eq!(rows[4][1], expected, "0062 is read as +62");
    assert!(
        rows[5][1].starts_with("pn1.") && rows[5][3].is_empty(),
        "landlines are allowed"
    );

    let out = sehat(&[
        "phone",
        "pseudonymize",
        "--keyset",
        keyset_path.to_str().unwrap(),
        "--mobile-only",
        "--domain",
        "posyandu-send-log",
        "--column",
        "phone",
        input.to_str().unwrap(),
    ]);
    let (_, rows) = read_csv(&out.stdout);
    assert_eq!(rows[5][1..], ["", "2026-11-06", "NOT_MOBILE"]);
}

#[test]
fn pseudonymize_reads_wa_ids_and_the_keyset_from_the_environment() {
    let dir = tempfile::tempdir().unwrap();
    let (_, keyset) = keyset_file(dir.path());
    let input = dir.path().join("webhook_log.csv");
    std::fs::write(
        &input,
        "wa_id,event\n62853897600,read\n6281234567890,delivered\n+6281234567890,sent\n",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_sehat"))
        .args([
            "phone",
            "pseudonymize",
            "--wa-id",
            "--domain",
            "webhook-log",
            "--column",
            "wa_id",
        ])
        .arg(&input)
        .env(
            "SEHAT_PSEUDONYM_KEYSET",
            keyset.expose_secret_json().expose_secret(),
        )
        .output()
        .unwrap();
    assert_ran(&out);
    let (_, rows) = read_csv(&out.stdout);
    let domain = Domain::new("webhook-log").unwrap();
    let number = PhoneNumber::from_wa_id("62853897600").unwrap();
    assert_eq!(
        rows[0][0],
        keyset
            .pseudonymize(&domain, &Subject::phone(&number))
            .to_string()
    );
    assert!(rows[1][0].starts_with("pn1."));
    assert_eq!(rows[2][0], "");
    assert_eq!(rows[2][2], "INVALID_WA_ID");

    let out = Command::new(env!("CARGO_BIN_EXE_sehat"))
        .args([
            "phone",
            "pseudonymize",
            "--domain",
            "x",
            "--column",
            "wa_id",
        ])
        .arg(&input)
        .env_remove("SEHAT_PSEUDONYM_KEYSET")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("SEHAT_PSEUDONYM_KEYSET"));
}
