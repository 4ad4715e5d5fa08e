//! Runs `examples/appointments.rs` (appointment reminders against the mock Graph API):
//! reminders 24 h and 2 h before, quick-reply answers arriving as webhooks, the status
//! file, and a second run on the same outbox that sends nothing again.

mod support;

use support::value;

#[test]
fn reminders_are_sent_and_replies_update_the_appointments() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().to_str().unwrap();
    let out = support::run_example("appointments", &["--out", out_dir]);
    assert_eq!(value(&out, "appointments"), "10 (1 unusable)");
    assert!(
        out.contains("unusable line 10 (A009): the number is a valid FIXED_LINE number"),
        "{out}"
    );
    // A008 is at 09:00 on the first day: its 24 h reminder is already too late at 07:00.
    assert_eq!(value(&out, "24h reminders sent"), "8");
    assert_eq!(value(&out, "24h reminders too late"), "1");
    // A002 and A006 ask to reschedule: no 2 h reminder for them.
    assert_eq!(value(&out, "2h reminders sent"), "7");
    assert_eq!(value(&out, "2h reminders skipped (reschedule)"), "2");
    assert_eq!(value(&out, "confirmed"), "4");
    assert_eq!(value(&out, "reschedule requested"), "2");
    assert_eq!(value(&out, "no reply"), "3");
    // The timeline runs in order, from the first reminder due.
    assert!(
        out.starts_with("2026-12-01 07:00 WIB: 1 reminder(s)\n"),
        "{out}"
    );

    let status = std::fs::read_to_string(dir.path().join("appointments_status.csv")).unwrap();
    let rows: Vec<&str> = status.lines().collect();
    assert_eq!(
        rows[0],
        "id,patient,phone,doctor,time,reminder_24h,reminder_2h,status"
    );
    assert_eq!(
        rows[1],
        "A001,Budi Santoso,+62 812-****-**41,dr. Ratna Sp.OG,2026-12-02 09:00,sent,sent,confirmed"
    );
    assert!(rows.contains(&"A002,Siti Aminah,+62 813-****-**22,dr. Ratna Sp.OG,2026-12-02 10:30,sent,skipped_reschedule,reschedule_requested"));
    assert!(rows.contains(&"A008,Fitri Handayani,+62 811-****-**34,dr. Hendra Sp.PD,2026-12-01 09:00,too_late,sent,no_reply"));
    assert!(!status.contains("7710") && !out.contains("7710"));

    // The outbox remembers every reminder: a second run sends none again.
    let again = support::run_example("appointments", &["--out", out_dir]);
    assert_eq!(value(&again, "24h reminders sent"), "0");
    assert_eq!(value(&again, "2h reminders sent"), "0");
    let status = std::fs::read_to_string(dir.path().join("appointments_status.csv")).unwrap();
    assert!(status.contains("A001,Budi Santoso,+62 812-****-**41,dr. Ratna Sp.OG,2026-12-02 09:00,sent_earlier,sent_earlier,confirmed"));
    // The answers of the first run are remembered: no 2 h reminder after a reschedule.
    assert_eq!(value(&again, "2h reminders skipped (reschedule)"), "2");
    assert_eq!(value(&again, "confirmed"), "4");
}
