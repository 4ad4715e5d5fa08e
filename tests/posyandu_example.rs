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
