//! `sehat anthro report`: the HTML page holds the same numbers as `anthro prevalence`,
//! fetches nothing, escapes what comes from the input, and renders in a real browser
//! (headless Chromium) without a console error.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use support::{assert_ran, read_csv, sehat};

fn reference(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../sehat-anthro/tests/data/prevalence")
        .join(name)
}

/// Runs `sehat anthro <command> --standard <standard> --output <out> <input>`.
fn run(command: &str, standard: &str, input: &Path, out: &Path) {
    assert_ran(&sehat(&[
        "anthro",
        command,
        "--standard",
        standard,
        "--output",
        out.to_str().unwrap(),
        input.to_str().unwrap(),
    ]));
}

fn report_of(standard: &str, input: &Path, dir: &Path) -> (PathBuf, String) {
    let out = dir.join("report.html");
    run("report", standard, input, &out);
    let html = std::fs::read_to_string(&out).unwrap();
    (out, html)
}

/// The text of HTML element content, entities resolved.
fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// The header and rows of the page's `<table class="prevalence">`.
fn prevalence_table(html: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let start = html.find(r#"<table class="prevalence">"#).unwrap();
    let end = start + html[start..].find("</table>").unwrap();
    let table = &html[start..end];
    let cells = |row: &str, tag: &str| -> Vec<String> {
        let open = format!("<{tag}>");
        let close = format!("</{tag}>");
        row.split(&open)
            .skip(1)
            .map(|c| unescape(&c[..c.find(&close).unwrap()]))
            .collect()
    };
    let mut rows = table.split("<tr>").skip(1);
    let header = cells(rows.next().unwrap(), "th");
    (header, rows.map(|r| cells(r, "td")).collect())
}

/// Every cell of the page's table is the cell `anthro prevalence` writes, as text.
fn check_table(standard: &str, survey: &str, rows: usize, columns: usize) {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("table.csv");
    run("prevalence", standard, &reference(survey), &csv);
    let (header, csv_rows) = read_csv(&std::fs::read(&csv).unwrap());
    let (_, html) = report_of(standard, &reference(survey), dir.path());
    let (html_header, html_rows) = prevalence_table(&html);
    assert_eq!(html_header, header);
    assert_eq!(html_header.len(), columns);
    assert_eq!(html_rows.len(), rows);
    assert_eq!(html_rows, csv_rows);
    // And they are WHO's numbers (spot check against R's own output file).
    let who = read_csv(&std::fs::read(reference(&survey.replace("survey", "prevalence"))).unwrap());
    let at = |name: &str| header.iter().position(|h| h == name).unwrap();
    let ours: f64 = html_rows[0][at("HA_2_r")].parse().unwrap();
    let theirs: f64 = who.1[0][at("HA_2_r")].parse().unwrap();
    assert!((ours - theirs).abs() < 1e-9, "{ours} vs {theirs}");
}

#[test]
fn the_page_holds_the_prevalence_table_0_5() {
    check_table("who2006", "survey_0_5_public.csv", 37, 135);
}

#[test]
fn the_page_holds_the_prevalence_table_5_19() {
    check_table("who2007", "survey_5_19_public.csv", 27, 96);
}

#[test]
fn the_page_has_one_distribution_and_one_group_chart_per_indicator() {
    let dir = tempfile::tempdir().unwrap();
    let (_, html) = report_of("who2006", &reference("survey_0_5_public.csv"), dir.path());
    assert_eq!(
        html.matches(r#"<svg class="chart distribution""#).count(),
        4
    );
    assert_eq!(html.matches(r#"<svg class="chart groups""#).count(), 4);
    for name in [
        "Length/height-for-age",
        "Weight-for-age",
        "BMI-for-age",
        "Weight-for-length/height",
    ] {
        assert!(html.contains(&format!("<h2>{name}</h2>")), "{name}");
    }
    // Each group chart has a point for every group with an estimate (37 rows).
    let first_groups = html.split(r#"<svg class="chart groups""#).nth(1).unwrap();
    let first_groups = &first_groups[..first_groups.find("</svg>").unwrap()];
    assert_eq!(first_groups.matches("<circle").count(), 37);
    assert!(html.contains("WHO Child Growth Standards 2006"));
    assert!(html.contains("2000 in the file"));
    let (_, html) = report_of("who2007", &reference("survey_5_19_public.csv"), dir.path());
    assert_eq!(
        html.matches(r#"<svg class="chart distribution""#).count(),
        3
    );
    assert!(html.contains("<h2>Height-for-age</h2>") && html.contains("thinness"));
}

#[test]
fn the_page_fetches_nothing_and_runs_no_script() {
    let dir = tempfile::tempdir().unwrap();
    let (_, html) = report_of("who2006", &reference("survey_0_5_public.csv"), dir.path());
    let head = &html[..html.find("</head>").unwrap()];
    assert!(head.contains(
        r#"<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:"#
    ));
    let lower = html.to_lowercase();
    for forbidden in [
        "http://", "https://", "//cdn", "src=", "href=", "<script", "<link", "<iframe", "@import",
        "url(",
    ] {
        assert!(!lower.contains(forbidden), "{forbidden}");
    }
}

/// The public 0–5 survey with hostile region and grouping labels, in a file whose name
/// is markup too.
fn hostile_survey(dir: &Path) -> PathBuf {
    let text = std::fs::read_to_string(reference("survey_0_5_public.csv")).unwrap();
    let text = text
        .replace("\"Papua\"", "\"<script>alert(1)</script>\"")
        .replace("\"NTT\"", "\"\"\"><img src=x onerror=alert(2)>\"")
        .replace("\"B\"", "\"</td></tr></table><h1>B & 'C'</h1>\"");
    let path = dir.join("<b>survey<b>.csv");
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn labels_from_the_input_are_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let (_, html) = report_of("who2006", &hostile_survey(dir.path()), dir.path());
    let lower = html.to_lowercase();
    assert!(!lower.contains("<script"));
    assert!(!lower.contains("<img"));
    assert!(!lower.contains("<b>survey"));
    assert!(!html.contains("<h1>B"));
    assert!(html.contains("Geographical region: &lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(html.contains("&quot;&gt;&lt;img src=x onerror=alert(2)&gt;"));
    assert!(html.contains("&lt;b&gt;survey&lt;b&gt;.csv"));
    // The table still reads back as the labels themselves.
    let (_, rows) = prevalence_table(&html);
    let groups: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    assert!(groups.contains(&"Geographical region: <script>alert(1)</script>"));
    assert!(groups.contains(&"Other grouping: </td></tr></table><h1>B & 'C'</h1>"));
}

#[test]
fn a_file_that_prevalence_refuses_is_refused_with_the_same_message() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.csv");
    std::fs::write(&input, "sex,age,weight,lenhei\n1,400,9.5,75\n3,500,10,80\n").unwrap();
    let out = dir.path().join("report.html");
    let run = sehat(&[
        "anthro",
        "report",
        "--output",
        out.to_str().unwrap(),
        input.to_str().unwrap(),
    ]);
    assert!(!run.status.success());
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(err.contains("line 3, column sex"), "{err}");
    assert!(!out.exists());
}

/// Debian's Chromium, or `None` (the caller skips, unless SEHAT_REQUIRE_CHROMIUM is
/// set, as CI sets it).
fn chromium() -> Option<PathBuf> {
    let found = ["chromium", "chromium-browser"].iter().find_map(|name| {
        std::env::var_os("PATH").and_then(|paths| {
            std::env::split_paths(&paths)
                .map(|p| p.join(name))
                .find(|p| p.is_file())
        })
    });
    if found.is_none() {
        assert!(
            std::env::var_os("SEHAT_REQUIRE_CHROMIUM").is_none(),
            "SEHAT_REQUIRE_CHROMIUM is set but chromium is not installed (apt-get install chromium)"
        );
        eprintln!(
            "skipped: chromium is not installed (apt-get install chromium); set SEHAT_REQUIRE_CHROMIUM=1 to fail instead"
        );
    }
    found
}

/// Runs headless Chromium on `page` with `extra` arguments; returns stdout and the
/// console messages it logged (each a `CONSOLE` line of its log, which is also where
/// it reports a content security policy violation, i.e. a blocked request or script).
fn headless(browser: &Path, page: &Path, extra: &[String]) -> (String, Vec<String>) {
    let profile = tempfile::tempdir().unwrap();
    let mut child = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(extra)
        .arg(format!("file://{}", page.display()))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let stderr = child.stderr.take().unwrap();
    let out = std::thread::spawn(move || std::io::read_to_string(stdout).unwrap());
    let err = std::thread::spawn(move || std::io::read_to_string(stderr).unwrap());
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > Duration::from_secs(120) {
            child.kill().unwrap();
            panic!("chromium did not finish within 120 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let (stdout, stderr) = (out.join().unwrap(), err.join().unwrap());
    assert!(status.success(), "chromium failed: {stderr}");
    let console = stderr
        .lines()
        .filter(|l| l.contains(":CONSOLE") || l.contains("Uncaught"))
        .map(str::to_owned)
        .collect();
    (stdout, console)
}

#[test]
fn chromium_renders_the_report_without_console_errors() {
    let Some(browser) = chromium() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    // The check sees what it must: a page under the same policy that tries a request
    // and a script is reported.
    let control = dir.path().join("control.html");
    std::fs::write(
        &control,
        "<!DOCTYPE html><html><head><meta http-equiv=\"Content-Security-Policy\" \
         content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\"></head>\
         <body><img src=\"http://127.0.0.1:9/x.png\"><script>console.log(1)</script></body></html>",
    )
    .unwrap();
    let (_, console) = headless(&browser, &control, &["--dump-dom".to_owned()]);
    assert_eq!(console.len(), 2, "{console:?}");

    let (page, _) = report_of("who2006", &hostile_survey(dir.path()), dir.path());
    let (dom, console) = headless(&browser, &page, &["--dump-dom".to_owned()]);
    assert!(console.is_empty(), "console messages: {console:?}");
    // The rendered DOM has the charts and the table, and the hostile labels are text.
    assert_eq!(dom.matches("<svg class=\"chart distribution\"").count(), 4);
    assert_eq!(dom.matches("<svg class=\"chart groups\"").count(), 4);
    assert_eq!(dom.matches("<path class=\"standard\"").count(), 4);
    assert_eq!(dom.matches("<path class=\"survey\"").count(), 4);
    assert!(dom.contains("<table class=\"prevalence\">"));
    assert!(!dom.to_lowercase().contains("<script"));
    assert!(!dom.to_lowercase().contains("<img"));
    assert!(dom.contains("Geographical region: &lt;script&gt;alert(1)&lt;/script&gt;"));
    let (_, rows) = prevalence_table(&dom);
    assert_eq!(rows.len(), 37);

    let shot = dir.path().join("report.png");
    let (_, console) = headless(
        &browser,
        &page,
        &[
            format!("--screenshot={}", shot.display()),
            "--window-size=1280,2000".to_owned(),
            "--hide-scrollbars".to_owned(),
        ],
    );
    assert!(console.is_empty(), "console messages: {console:?}");
    let png = std::fs::read(&shot).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    // IHDR: width and height, big-endian, at bytes 16..24.
    let width = u32::from_be_bytes(png[16..20].try_into().unwrap());
    let height = u32::from_be_bytes(png[20..24].try_into().unwrap());
    assert_eq!((width, height), (1280, 2000));
}
