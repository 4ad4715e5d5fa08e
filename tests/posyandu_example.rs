//! Runs the main job, `examples/posyandu`, offline against the mock Graph API, and checks
//! its summary, its send log and its outbox: a second run for the same date sends nothing,
//! a run for a later date sends what became due and cancels what was given in between.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use serde_json::Value;

/// Every parent's number in the bundled register, as digits only (national significant
/// number), for searching the log and the output.
fn register_numbers() -> Vec<String> {
    let text = std::fs::read_to_string("examples/data/posyandu-register.json").unwrap();
    let register: Value = serde_json::from_str(&text).unwrap();
    register["children"]
        .as_array()
        .unwrap()
        .iter()
        .map(|child| {
            child["parent_phone"]
                .as_str()
                .unwrap()
                .chars()
                .filter(char::is_ascii_digit)
                .collect::<String>()
        })
        .map(|digits: String| {
            digits
                .trim_start_matches("62")
                .trim_start_matches('0')
                .to_owned()
        })
        .filter(|nsn| nsn.len() >= 7)
        .collect()
}

fn count_after(out: &str, label: &str) -> usize {
    let line = out
        .lines()
        .find(|l| l.trim_start().starts_with(label))
        .unwrap_or_else(|| panic!("no `{label}` in:\n{out}"));
    line[line.find(label).unwrap() + label.len()..]
        .split_whitespace()
        .next()
        .unwrap()
        .parse()
        .unwrap_or_else(|_| panic!("no count in `{line}`"))
}

#[test]
fn posyandu_day_reports_growth_reminders_and_deliveries_and_logs_pseudonyms_only() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("send-log.jsonl");
    let outbox = dir.path().join("outbox.db");
    let out = support::run_example(
        "posyandu",
        &[
            "--log",
            log.to_str().unwrap(),
            "--outbox",
            outbox.to_str().unwrap(),
        ],
    );

    assert_eq!(count_after(&out, "children in the register"), 300, "{out}");
    let stunted = count_after(&out, "stunted (TB/U < -2 SD)");
    let wasted = count_after(&out, "wasted (BB/TB < -2 SD)");
    assert!(
        (30..=90).contains(&stunted),
        "stunting count {stunted} is implausible:\n{out}"
    );
    assert!(
        (5..=40).contains(&wasted),
        "wasting count {wasted} is implausible:\n{out}"
    );

    let to_remind = count_after(&out, "families to remind");
    let skipped = count_after(&out, "skipped, no usable number");
    let accepted = count_after(&out, "sent (accepted by the API)");
    assert!(to_remind > 0 && accepted > 0, "{out}");

    // The log has one line per family to remind, and its outcomes add up to the summary.
    let text = std::fs::read_to_string(&log).unwrap();
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), to_remind);
    let outcome = |name: &str| lines.iter().filter(|l| l["outcome"] == name).count();
    assert_eq!(outcome("skipped"), skipped);
    assert_eq!(outcome("accepted"), accepted);
    assert_eq!(
        outcome("unknown"),
        1,
        "the mock's one slow answer is reported unknown"
    );
    for line in &lines {
        if line["outcome"] == "skipped" {
            assert!(line["recipient"].is_null());
            continue;
        }
        let recipient = line["recipient"].as_str().unwrap();
        assert!(recipient.starts_with("pn1."), "{recipient}");
        assert_eq!(line["template"], "pengingat_imunisasi");
        assert!(!line["doses"].as_array().unwrap().is_empty());
    }
    // Every accepted reminder heard back through a verified status webhook.
    let failed = lines.iter().filter(|l| l["status"] == "failed").count();
    let read = lines.iter().filter(|l| l["status"] == "read").count();
    assert_eq!(failed + read, accepted, "{out}");
    assert!(failed > 0, "the failure plan makes some deliveries fail");
    assert!(
        lines
            .iter()
            .filter(|l| l["status"] == "failed")
            .all(|l| l["failure"].as_str().unwrap().starts_with("131026"))
    );

    // No parent's number, in any form, in the log or the output.
    for nsn in register_numbers() {
        assert!(!text.contains(&nsn), "a raw number is in the send log");
        assert!(!out.contains(&nsn), "a raw number is in the output");
    }
}

#[test]
fn posyandu_refuses_a_run_date_before_a_birth() {
    let (status, _, stderr) = support::run_example_status("posyandu", &["--date", "2020-01-01"]);
    assert!(!status.success());
    assert!(stderr.contains("born after the run date"), "{stderr}");
}

#[test]
fn posyandu_names_the_child_and_field_of_a_bad_register_entry() {
    let dir = tempfile::tempdir().unwrap();
    let register = dir.path().join("register.json");
    std::fs::write(
        &register,
        r#"{"puskesmas": "P", "province": "Jawa Barat", "province_code": "ID-JB", "posyandu_date": "2026-11-26",
            "children": [{"id": "X-1", "name": "A", "sex": "L", "birth_date": "2026-02-30",
                          "village": "V", "posyandu": "P1"}]}"#,
    )
    .unwrap();
    let (status, _, stderr) =
        support::run_example_status("posyandu", &["--register", register.to_str().unwrap()]);
    assert!(!status.success());
    assert!(stderr.contains("child X-1, field `birth_date`"), "{stderr}");
}

#[test]
fn posyandu_twice_for_one_date_sends_nothing_twice() {
    let dir = tempfile::tempdir().unwrap();
    let outbox = dir.path().join("outbox.db");
    let run = |log: &str| {
        let log = dir.path().join(log);
        support::run_example(
            "posyandu",
            &[
                "--log",
                log.to_str().unwrap(),
                "--outbox",
                outbox.to_str().unwrap(),
            ],
        )
    };
    let first = run("first.jsonl");
    let accepted = count_after(&first, "sent (accepted by the API)");
    assert!(accepted > 0, "{first}");
    let second = run("second.jsonl");
    assert_eq!(
        count_after(&second, "sent (accepted by the API)"),
        0,
        "{second}"
    );
    // Every reminder the first run got a `read` for is known as sent; the failed and the
    // unknown one are not sent again either.
    let read = first
        .lines()
        .find(|l| l.trim_start().starts_with("read "))
        .and_then(|l| l.split_whitespace().last())
        .and_then(|n| n.parse::<usize>().ok())
        .unwrap();
    assert_eq!(
        count_after(&second, "sent by an earlier run"),
        read,
        "{second}"
    );
    assert_eq!(count_after(&second, "status webhooks received"), 0);
    // The outbox holds pseudonyms and tokens, not numbers.
    let bytes = std::fs::read(&outbox).unwrap();
    let text = String::from_utf8_lossy(&bytes);
    for nsn in register_numbers() {
        assert!(!text.contains(&nsn), "a raw number is in the outbox");
    }
}

#[test]
fn posyandu_a_later_date_sends_what_became_due_and_cancels_what_was_given() {
    let dir = tempfile::tempdir().unwrap();
    let outbox = dir.path().join("outbox.db");
    let log = dir.path().join("log.jsonl");
    let run = |date: &str| {
        support::run_example(
            "posyandu",
            &[
                "--date",
                date,
                "--log",
                log.to_str().unwrap(),
                "--outbox",
                outbox.to_str().unwrap(),
            ],
        )
    };
    // Two weeks before the Posyandu day: the reminders wait for two days before it.
    let early = run("2026-11-12");
    let waiting = count_after(&early, "due on a later day (scheduled)");
    assert!(waiting > 0, "{early}");
    assert_eq!(
        count_after(&early, "sent (accepted by the API)"),
        0,
        "{early}"
    );
    // On the day: what is still due goes out; the reminders of children whose doses were
    // given in between (the register has 31 doses dated 2026-11-13..26) are cancelled.
    let day = run("2026-11-26");
    let sent = count_after(&day, "sent (accepted by the API)");
    let cancelled = count_after(&day, "cancelled (doses given since)");
    assert!(sent > 0, "{day}");
    assert!(cancelled > 0, "{day}");
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(
        text.lines()
            .all(|l| !l.contains("\"outcome\":\"scheduled\""))
    );
    // And once more on the day: nothing new.
    let again = run("2026-11-26");
    assert_eq!(
        count_after(&again, "sent (accepted by the API)"),
        0,
        "{again}"
    );
    assert_eq!(
        count_after(&again, "cancelled (doses given since)"),
        0,
        "{again}"
    );
}

/// For each child weighed on `on` in the bundled register: the id and the N/T of that
/// weighing as `sehat_anthro::monitoring::judge` says, from all weighings up to `on`.
fn judged_on(on: time::Date) -> Vec<(String, Option<&'static str>)> {
    use sehat::anthro::Sex;
    use sehat::anthro::monitoring::{Weighing, judge};
    let date = |v: &Value| sehat::tanggal::parse_iso(v.as_str().unwrap()).unwrap();
    let text = std::fs::read_to_string("examples/data/posyandu-register.json").unwrap();
    let register: Value = serde_json::from_str(&text).unwrap();
    let mut out = Vec::new();
    for child in register["children"].as_array().unwrap() {
        let mut weighings: Vec<Weighing> = child["visits"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .filter_map(|v| Some(Weighing::new(date(&v["date"]), v["weight_kg"].as_f64()?)))
            .filter(|w| w.date <= on)
            .collect();
        weighings.sort_by_key(|w| w.date);
        if weighings.last().is_none_or(|w| w.date != on) {
            continue;
        }
        let sex = if child["sex"] == "L" {
            Sex::Male
        } else {
            Sex::Female
        };
        let judged = judge(sex, date(&child["birth_date"]), &weighings).unwrap();
        let nt = judged.last().unwrap().nt.map(|nt| nt.code());
        out.push((child["id"].as_str().unwrap().to_owned(), nt));
    }
    out
}

#[test]
fn posyandu_sends_each_weighed_child_its_chart_with_n_or_t_once() {
    let dir = tempfile::tempdir().unwrap();
    let outbox = dir.path().join("outbox.db");
    let chart_log = dir.path().join("charts.jsonl");
    let run = || {
        support::run_example(
            "posyandu",
            &[
                "--log",
                dir.path().join("log.jsonl").to_str().unwrap(),
                "--chart-log",
                chart_log.to_str().unwrap(),
                "--outbox",
                outbox.to_str().unwrap(),
            ],
        )
    };
    let first = run();
    let expected = judged_on(time::macros::date!(2026 - 11 - 26));
    assert!(expected.len() >= 10, "{expected:?}");
    let text = std::fs::read_to_string(&chart_log).unwrap();
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), expected.len(), "{text}");
    assert_eq!(
        count_after(&first, "weighed on the run date"),
        expected.len()
    );

    let mut accepted = 0;
    let (mut naik, mut tidak_naik, mut referrals) = (0, 0, 0);
    for (line, (child, nt)) in lines.iter().zip(&expected) {
        assert_eq!(line["child"], child.as_str(), "{line}");
        assert_eq!(line["nt"].as_str(), *nt, "{line}");
        if line["outcome"] == "skipped" {
            // Only a family without a usable number goes without its chart.
            assert!(line["recipient"].is_null(), "{line}");
            assert!(line["bytes"].is_null(), "{line}");
            continue;
        }
        assert_eq!(line["outcome"], "accepted", "{line}");
        assert!(line["recipient"].as_str().unwrap().starts_with("pn1."));
        accepted += 1;
        let caption = line["caption"].as_str().unwrap();
        match *nt {
            Some("N") => {
                naik += 1;
                assert!(caption.contains(": NAIK (N)."), "{caption}");
            }
            Some("T") => {
                tidak_naik += 1;
                assert!(caption.contains(": TIDAK NAIK (T)."), "{caption}");
            }
            _ => assert!(caption.contains("belum bisa dinilai"), "{caption}"),
        }
        let reasons = line["reasons"].as_array().unwrap();
        if reasons.is_empty() {
            assert!(caption.contains("datang lagi ke Posyandu"), "{caption}");
        } else {
            referrals += 1;
            assert!(
                caption.contains("petugas kesehatan atau Puskesmas"),
                "{caption}"
            );
        }
        for (code, words) in [
            ("below_red_line", "di bawah garis merah"),
            ("above_orange_line", "di atas garis oranye"),
            ("2T", "(2T)"),
        ] {
            assert_eq!(
                reasons.iter().any(|r| r == code),
                caption.contains(words),
                "{line}"
            );
        }
        assert_eq!(line["mime_type"], "image/png");
        let bytes = line["bytes"].as_u64().unwrap();
        assert!((1_000..=100 * 1024).contains(&bytes), "{bytes} bytes");
    }
    assert!(accepted > 0 && naik > 0 && tidak_naik > 0, "{text}");
    let summary = first
        .lines()
        .find(|l| l.trim_start().starts_with("charts sent (accepted)"))
        .unwrap();
    assert!(
        summary.contains(&format!(" {accepted} (N {naik}, T {tidak_naik},")),
        "{summary}"
    );
    assert!(
        summary.ends_with(&format!("referrals {referrals})")),
        "{summary}"
    );
    // One upload per chart sent.
    assert_eq!(count_after(&first, "images uploaded"), accepted, "{first}");

    // Run again for the same date: no chart is uploaded or sent twice.
    let second = run();
    assert_eq!(
        count_after(&second, "charts sent (accepted)"),
        0,
        "{second}"
    );
    assert_eq!(count_after(&second, "images uploaded"), 0, "{second}");
    assert_eq!(
        count_after(&second, "charts sent by an earlier run"),
        accepted,
        "{second}"
    );

    // No parent's number in the chart logs, the output or the outbox's file.
    let again = std::fs::read_to_string(&chart_log).unwrap();
    let outbox_bytes = std::fs::read(&outbox).unwrap();
    let outbox_text = String::from_utf8_lossy(&outbox_bytes);
    for nsn in register_numbers() {
        for (what, haystack) in [
            ("chart log", text.as_str()),
            ("second chart log", again.as_str()),
            ("output", first.as_str()),
            ("outbox", &outbox_text),
        ] {
            assert!(!haystack.contains(&nsn), "a raw number is in the {what}");
        }
    }
}
