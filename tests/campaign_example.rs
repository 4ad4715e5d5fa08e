//! Runs `examples/campaign.rs` (the Pita Pink campaign against the mock Graph API) twice
//! with the same output folder: the first run sends, the second finds every member done
//! in the outbox and sends nothing again.

mod support;

use support::value;

#[test]
fn pita_pink_campaign_sends_once_and_fills_the_group() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().to_str().unwrap();
    let out = support::run_example("campaign", &["--out", out_dir]);
    // 42 contacts: a landline and a mistyped number are unusable, 33 opted in, of whom 3
    // stopped marketing messages (user_preferences webhooks) and 10 answer GABUNG.
    assert_eq!(value(&out, "contacts"), "42 (2 unusable)");
    assert!(
        out.contains("unusable line 19: the number is a valid FIXED_LINE number"),
        "{out}"
    );
    assert_eq!(value(&out, "audience (opted in)"), "33");
    assert_eq!(value(&out, "sent"), "30");
    assert_eq!(value(&out, "opted out"), "3");
    assert_eq!(value(&out, "unknown"), "0");
    assert_eq!(value(&out, "GABUNG replies"), "10");
    assert_eq!(value(&out, "invite links sent"), "10");
    assert_eq!(value(&out, "joined the group"), "10");
    assert_eq!(value(&out, "group members"), "10");

    // The report: one row per usable contact, numbers masked.
    let report = std::fs::read_to_string(dir.path().join("contacts_report.csv")).unwrap();
    let rows: Vec<&str> = report.lines().skip(1).collect();
    assert_eq!(rows.len(), 40);
    assert_eq!(rows.iter().filter(|r| r.ends_with(",sent,ya")).count(), 10);
    assert_eq!(rows.iter().filter(|r| r.contains(",opted_out,")).count(), 3);
    assert_eq!(
        rows.iter().filter(|r| r.contains(",not_opted_in,")).count(),
        7
    );
    assert!(rows[0].starts_with("2,+62 812-****-**33,"), "{}", rows[0]);
    let raw = std::fs::read_to_string("examples/data/campaign_contacts.csv").unwrap();
    for line in raw.lines().skip(1) {
        let digits: String = line
            .split(',')
            .nth(1)
            .unwrap()
            .chars()
            .filter(char::is_ascii_digit)
            .collect();
        let tail = &digits[digits.len() - 8..];
        assert!(!out.contains(tail), "stdout shows a number");
        assert!(!report.contains(tail), "the report shows a number");
    }

    // The same outbox: nobody gets the campaign twice.
    let again = support::run_example("campaign", &["--out", out_dir]);
    assert_eq!(value(&again, "sent"), "0");
    // Sent and opted out alike are done: the outbox's final states.
    assert_eq!(value(&again, "skipped (done by an earlier run)"), "33");
    assert_eq!(value(&again, "opted out"), "0");
    assert_eq!(value(&again, "joined the group"), "10");
}
