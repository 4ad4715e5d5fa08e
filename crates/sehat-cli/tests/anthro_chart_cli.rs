//! `sehat anthro chart` run as a binary: images written whole or not at all, errors
//! naming row and column.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use support::{assert_ran, sehat, stderr_of_failure};

const POINTS: &str = "date_of_birth,date,weight,length\n\
                      2024-01-15,2024-01-15,3.1,49.5\n\
                      2024-01-15,2024-02-16,4.2,\n\
                      2024-01-15,2024-03-15,5.1,57.0\n\
                      2024-01-15,2024-05-20,6.3,61.5\n";

fn run(points: &str, output: &str, extra: &[&str]) -> (tempfile::TempDir, std::process::Output) {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("points.csv");
    std::fs::write(&input, points).unwrap();
    let output = dir.path().join(output);
    let mut args = vec![
        "anthro",
        "chart",
        "--points",
        input.to_str().unwrap(),
        "--output",
        output.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let out = sehat(&args);
    (dir, out)
}

#[test]
fn writes_a_png_for_whatsapp() {
    let (dir, out) = run(POINTS, "chart.png", &["--sex", "2", "--indicator", "wfa"]);
    assert_ran(&out);
    let png = std::fs::read(dir.path().join("chart.png")).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    // IHDR: width and height, big-endian, then bit depth 8 and colour type 3 (indexed).
    assert_eq!(&png[12..16], b"IHDR");
    assert_eq!(u32::from_be_bytes(png[16..20].try_into().unwrap()), 1080);
    assert_eq!(u32::from_be_bytes(png[20..24].try_into().unwrap()), 1280);
    assert_eq!((png[24], png[25]), (8, 3));
    assert!(png.len() <= 100 * 1024, "{} bytes", png.len());
}

#[test]
fn writes_an_svg_with_the_latest_visit_and_the_name_escaped() {
    let (dir, out) = run(
        POINTS,
        "chart.SVG",
        &[
            "--sex",
            "1",
            "--indicator",
            "lhfa",
            "--name",
            "Budi <Santoso> & adik",
        ],
    );
    assert_ran(&out);
    let svg = std::fs::read_to_string(dir.path().join("chart.SVG")).unwrap();
    assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    assert!(svg.contains(">Panjang/Tinggi Badan menurut Umur</text>"));
    assert!(svg.contains(">Laki-laki \u{b7} umur 0\u{2013}60 bulan"));
    assert!(svg.contains(">Budi &lt;Santoso&gt; &amp; adik</text>"));
    assert!(svg.contains(">61,5 cm</text>"));
    assert!(svg.contains(">diukur 20 Mei 2024</text>"));
    // The row without a length is reported, not silently dropped.
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("no length in row(s) 2; not plotted"),
        "{stderr}"
    );
}

#[test]
fn a_bad_row_fails_with_row_and_column_and_writes_nothing() {
    let points =
        "date_of_birth,date,weight\n2024-01-15,2024-02-16,4.2\n2024-01-15,2024-03-15,5100\n";
    let (dir, out) = run(points, "chart.png", &["--sex", "2", "--indicator", "wfa"]);
    let stderr = stderr_of_failure(&out);
    assert!(
        stderr.contains("points.csv: row 2 (line 3), column weight: 5100 is not a plausible weight in kg (0.5 to 60)"),
        "{stderr}"
    );
    assert!(!dir.path().join("chart.png").exists());
    let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(leftovers.len(), 1, "only the input remains");
}

#[test]
fn an_age_over_60_months_is_refused() {
    let points = "date_of_birth,date,weight\n2019-01-15,2024-02-16,19.2\n";
    let (_dir, out) = run(points, "chart.svg", &["--sex", "1", "--indicator", "wfa"]);
    let stderr = stderr_of_failure(&out);
    assert!(
        stderr.contains("row 1 (line 2), column date: the child is 1858 days old then"),
        "{stderr}"
    );
}

#[test]
fn format_and_arguments_are_checked() {
    let (_dir, out) = run(POINTS, "chart.jpg", &["--sex", "1", "--indicator", "wfa"]);
    assert!(stderr_of_failure(&out).contains("must end in .png or .svg"));
    let (_dir, out) = run(POINTS, "chart.png", &["--sex", "3", "--indicator", "wfa"]);
    assert!(stderr_of_failure(&out).contains("`3` is not 1 (boy) or 2 (girl)"));
    let (_dir, out) = run(POINTS, "chart.png", &["--sex", "1", "--indicator", "bmi"]);
    assert!(stderr_of_failure(&out).contains("invalid value 'bmi'"));
}

#[test]
fn the_points_file_is_never_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("points.svg");
    std::fs::write(&input, POINTS).unwrap();
    let path = input.to_str().unwrap();
    let out = sehat(&[
        "anthro",
        "chart",
        "--sex",
        "1",
        "--indicator",
        "wfa",
        "--points",
        path,
        "--output",
        path,
    ]);
    stderr_of_failure(&out);
    assert_eq!(std::fs::read_to_string(&input).unwrap(), POINTS);
}
