//! Runs the main job, `examples/posyandu`, offline against the mock Graph API, and checks
//! its summary and its send log.

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
    let out = support::run_example("posyandu", &["--log", log.to_str().unwrap()]);

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
        r#"{"puskesmas": "P", "province": "Jawa Barat", "posyandu_date": "2026-11-26",
            "children": [{"id": "X-1", "name": "A", "sex": "L", "birth_date": "2026-02-30",
                          "village": "V", "posyandu": "P1"}]}"#,
    )
    .unwrap();
    let (status, _, stderr) =
        support::run_example_status("posyandu", &["--register", register.to_str().unwrap()]);
    assert!(!status.success());
    assert!(stderr.contains("child X-1, field `birth_date`"), "{stderr}");
}
