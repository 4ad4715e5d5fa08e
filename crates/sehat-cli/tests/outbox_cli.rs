//! `sehat outbox …` as an operator runs it: counts and refused rows, the keys directory
//! and its modes, consent across number formats, rehearsed dispatch with its log, status,
//! purge, and a clean stop on SIGTERM.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::os::unix::fs::PermissionsExt as _;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use serde_json::Value;

const NOW: &str = "2026-12-01T03:00:00Z";

fn sehat(args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_sehat"));
    command
        .arg("outbox")
        .args(args)
        .env_remove("SEHAT_OUTBOX_KEYS")
        .env_remove("WHATSAPP_TOKEN");
    command
}

fn ok(output: Output) -> String {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

fn db(dir: &Path) -> String {
    format!("sqlite:{}", dir.join("outbox.db").display())
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_owned()
}

/// `schedule FILE` on the outbox in `dir`, which must succeed; its stdout.
fn schedule(dir: &Path, csv: &str) -> String {
    ok(sehat(&["schedule", "--db", &db(dir), csv])
        .output()
        .unwrap())
}

/// `dispatch --rehearse --now NOW` on the outbox in `dir`.
fn rehearse(dir: &Path) -> Command {
    sehat(&["dispatch", "--db", &db(dir), "--rehearse", "--now", NOW])
}

/// A rehearsed dispatch at `NOW` logging to `log.jsonl`: its stdout and the log.
fn rehearsed(dir: &Path) -> (String, String) {
    let log = dir.join("log.jsonl");
    let out = ok(rehearse(dir)
        .arg("--rehearse-log")
        .arg(&log)
        .output()
        .unwrap());
    (out, std::fs::read_to_string(&log).unwrap())
}

/// The stderr of a run that must have failed.
fn fails(output: Output) -> String {
    assert!(!output.status.success(), "the run should have failed");
    String::from_utf8(output.stderr).unwrap()
}

fn value(stdout: &str, key: &str) -> String {
    stdout
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{key}: ")))
        .unwrap_or_else(|| panic!("no {key} in {stdout}"))
        .to_owned()
}

/// The `columns` of every message row of the outbox in `dir`, by key, read from the
/// SQLite file itself.
fn stored(dir: &Path, columns: &str) -> Vec<Vec<Option<String>>> {
    let conn = rusqlite::Connection::open(dir.join("outbox.db")).unwrap();
    let mut statement = conn
        .prepare(&format!("SELECT {columns} FROM message ORDER BY key"))
        .unwrap();
    let width = statement.column_count();
    statement
        .query_map([], |r| (0..width).map(|i| r.get(i)).collect())
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

fn status(dir: &Path) -> Value {
    serde_json::from_str(&ok(sehat(&["status", "--db", &db(dir)]).output().unwrap())).unwrap()
}

const MESSAGES: &str = "\
key,phone,purpose,template,language,not_before,not_after,timezone,param.nama
child-1/dpt/1,0812-3456-7801,reminder,pengingat,id,2026-11-20,2026-12-31,,Sari
child-2/dpt/1,+62 812 3456 7802,reminder,pengingat,,2026-12-01T09:00,,Asia/Jayapura,Dewi
child-3/dpt/1,021 555 1234,reminder,pengingat,id,,,,Rina
child-4/mr/1,6281234567804,campaign,pita,id,,,,Wati
child-5/bcg/1,0812 3456 7805,reminder,pengingat,id,2026-11-01,2026-11-02,,Tuti
child-6/bcg/1,0812 3456 7806,reminder,pengingat,id,2026-12-02,,,Ani
child-7/bcg/1,0812 3456 7807,sms,pengingat,id,,,,Ani
child-8/bcg/1,0812 3456 7808,reminder,pengingat,id,besok,,,Ani
child-9/bcg/1,0812 3456 7809,reminder,pengingat,id,,,Asia/Bandung,Ani
child-10/bcg/1,0812 3456 7810,reminder,pengingat,id,,,,
child-1/dpt/1,0812-3456-7801,reminder,pengingat,id,,,,Sari
";

#[test]
fn schedule_counts_new_unchanged_updated_and_refused_rows() {
    let dir = tempfile::tempdir().unwrap();
    let csv = write(dir.path(), "m.csv", MESSAGES);
    let out = schedule(dir.path(), &csv);
    // Row 10 leaves `param.nama` empty: a message without that parameter.
    assert_eq!(value(&out, "new"), "6", "{out}");
    assert_eq!(value(&out, "updated"), "0");
    assert_eq!(value(&out, "unchanged"), "0");
    assert_eq!(
        value(&out, "refused"),
        "5 (key: 1, not_before: 1, phone: 1, purpose: 1, timezone: 1)"
    );
    for expected in [
        "refused row 3 (line 4), key \"child-3/dpt/1\": phone: the number is a valid FIXED_LINE number",
        "refused row 7 (line 8), key \"child-7/bcg/1\": purpose:",
        "refused row 8 (line 9), key \"child-8/bcg/1\": not_before: not a time",
        "refused row 9 (line 10), key \"child-9/bcg/1\": timezone: unknown IANA time zone",
        "refused row 11 (line 12), key \"child-1/dpt/1\": key: the same key is on row 1",
    ] {
        assert!(out.contains(expected), "{expected}\n{out}");
    }
    // No number, in any form, in what is printed.
    assert!(!out.contains("555 1234") && !out.contains("5551234"));

    // The same file again: nothing new.
    let again = schedule(dir.path(), &csv);
    assert_eq!(value(&again, "new"), "0");
    assert_eq!(value(&again, "unchanged"), "6");

    // A changed parameter updates a scheduled message.
    let changed = write(
        dir.path(),
        "c.csv",
        "key,phone,purpose,template,not_before,param.nama\nchild-6/bcg/1,0812 3456 7806,reminder,pengingat,2026-12-02,Ani Lestari\n",
    );
    let out = schedule(dir.path(), &changed);
    assert_eq!(value(&out, "updated"), "1");

    // After a dispatch, a sent message is refused, not updated.
    ok(rehearse(dir.path()).output().unwrap());
    let resend = write(
        dir.path(),
        "r.csv",
        "key,phone,purpose,template,param.nama\nchild-1/dpt/1,0812-3456-7801,reminder,pengingat,Sari Dewi\n",
    );
    let out = schedule(dir.path(), &resend);
    assert_eq!(value(&out, "refused"), "1 (already sent: 1)", "{out}");
}

#[test]
fn times_without_offset_are_read_in_the_rows_zone() {
    // 08:00 in Jayapura (UTC+9) is 23:00 UTC the day before; 08:00 in Jakarta is 01:00 UTC.
    let dir = tempfile::tempdir().unwrap();
    let csv = write(
        dir.path(),
        "m.csv",
        "key,phone,purpose,template,not_before,timezone\n\
         papua,0812-3456-7801,reminder,t,2026-12-01T08:00,Asia/Jayapura\n\
         jawa,0812-3456-7802,reminder,t,2026-12-01T08:00,\n",
    );
    schedule(dir.path(), &csv);
    let log = dir.path().join("log.jsonl");
    let dispatch = |now: &str| {
        ok(sehat(&[
            "dispatch",
            "--db",
            &db(dir.path()),
            "--rehearse",
            "--now",
            now,
        ])
        .arg("--rehearse-log")
        .arg(&log)
        .output()
        .unwrap())
    };
    // 23:30 UTC: 08:30 in Jayapura (due), 06:30 in Jakarta (not yet due).
    let out = dispatch("2026-11-30T23:30:00Z");
    assert_eq!(value(&out, "sent"), "1", "{out}");
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(text.contains("\"key\":\"papua\""), "{text}");
    let out = dispatch("2026-12-01T01:30:00Z");
    assert_eq!(value(&out, "sent"), "1", "{out}");
    assert_eq!(std::fs::read_to_string(&log).unwrap().lines().count(), 2);
}

#[test]
fn consent_matches_every_format_of_a_number() {
    let dir = tempfile::tempdir().unwrap();
    let messages = write(
        dir.path(),
        "m.csv",
        "key,phone,purpose,template\n\
         a,0812-0000-3537,reminder,t\n\
         b,+62 812 0007 4381,reminder,t\n\
         c,0812-3456-7803,campaign,t\n\
         d,0812-3456-7804,campaign,t\n",
    );
    schedule(dir.path(), &messages);
    // The opt-outs are written in other formats than the messages, and the column names,
    // purposes and actions as a spreadsheet may spell them.
    let consent = write(
        dir.path(),
        "consent.csv",
        "Phone,Purpose,Action,AT,Evidence\n\
         6281200003537,reminder,opt_out,2026-11-20T10:00:00+07:00,form 17\n\
         081200074381,All,Opt-Out,2026-11-20,keyword\n\
         (0812) 3456-7803,Campaign,OPT_IN,2026-11-21,form 18\n\
         0812,campaign,opt_in,,\n\
         0812-3456-7804,campaign,maybe,,\n",
    );
    let out = ok(sehat(&["consent", "--db", &db(dir.path()), &consent])
        .output()
        .unwrap());
    assert_eq!(value(&out, "recorded"), "3");
    assert_eq!(value(&out, "opt_out"), "2");
    assert_eq!(value(&out, "refused"), "2 (action: 1, phone: 1)", "{out}");
    let (out, text) = rehearsed(dir.path());
    // a, b opted out; c opted in; d has no opt-in for a campaign.
    assert_eq!(value(&out, "sent"), "1", "{out}");
    assert_eq!(value(&out, "suppressed"), "3");
    assert_eq!(text.lines().count(), 1);
    assert!(text.contains("\"key\":\"c\""));
    let status = status(dir.path());
    assert_eq!(status["by_state"]["suppressed"], 3);
    assert_eq!(status["by_purpose"]["campaign"]["sent"], 1);
    assert_eq!(status["by_purpose"]["reminder"]["suppressed"], 2);
}

#[test]
fn the_keys_directory_is_created_private_beside_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let csv = write(
        dir.path(),
        "m.csv",
        "key,phone,purpose,template\na,0812-3456-7801,reminder,t\n",
    );
    schedule(dir.path(), &csv);
    let keys = dir.path().join("outbox.db.keys");
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&keys), 0o700);
    let files: Vec<_> = std::fs::read_dir(&keys)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 2, "{files:?}");
    for file in &files {
        assert_eq!(mode(file), 0o600, "{}", file.display());
    }
    // The database holds no number: not the digits, not the E.164 text.
    let bytes = std::fs::read(dir.path().join("outbox.db")).unwrap();
    let text = String::from_utf8_lossy(&bytes);
    assert!(!text.contains("81234567801"));

    // --keys and SEHAT_OUTBOX_KEYS name other directories, created the same way.
    let flag = dir.path().join("flag-keys");
    ok(sehat(&[
        "status",
        "--db",
        &db(dir.path()),
        "--keys",
        flag.to_str().unwrap(),
    ])
    .output()
    .unwrap());
    assert_eq!(mode(&flag), 0o700);
    let env = dir.path().join("nested/env-keys");
    ok(sehat(&["status", "--db", &db(dir.path())])
        .env("SEHAT_OUTBOX_KEYS", &env)
        .output()
        .unwrap());
    assert_eq!(mode(&env), 0o700);

    // Keys open to others are refused.
    std::fs::set_permissions(&files[0], std::fs::Permissions::from_mode(0o644)).unwrap();
    let err = fails(
        sehat(&["status", "--db", &db(dir.path())])
            .output()
            .unwrap(),
    );
    assert!(err.contains("mode 0644"), "{err}");
}

#[test]
fn a_postgres_outbox_needs_keys_named() {
    let stderr = fails(
        sehat(&["status", "--db", "postgres://sehat@127.0.0.1:1/outbox"])
            .output()
            .unwrap(),
    );
    assert!(stderr.contains("--keys DIR"), "{stderr}");
    assert!(stderr.contains("SEHAT_OUTBOX_KEYS"), "{stderr}");
    let out = sehat(&["status", "--db", "mysql://x"]).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("sqlite:PATH"));
    let out = sehat(&[
        "dispatch",
        "--db",
        "sqlite:/tmp/x.db",
        "--now",
        "2026-12-01",
    ])
    .output()
    .unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("RFC 3339"));
}

#[test]
fn purge_keeps_the_counts() {
    let dir = tempfile::tempdir().unwrap();
    let csv = write(
        dir.path(),
        "m.csv",
        "key,phone,purpose,template\na,0812-3456-7801,reminder,t\nb,0812-3456-7802,reminder,t\n",
    );
    schedule(dir.path(), &csv);
    ok(rehearse(dir.path()).output().unwrap());
    let out = ok(
        sehat(&["purge", "--db", &db(dir.path()), "--older-than", "30"])
            .output()
            .unwrap(),
    );
    assert_eq!(value(&out, "purged"), "0");
    let out = ok(
        sehat(&["purge", "--db", &db(dir.path()), "--older-than", "0"])
            .output()
            .unwrap(),
    );
    assert_eq!(value(&out, "purged"), "2");
    assert_eq!(status(dir.path())["by_state"]["sent"], 2);
}

#[test]
fn sigterm_stops_cleanly_and_a_restart_finishes() {
    let dir = tempfile::tempdir().unwrap();
    let mut csv = String::from("key,phone,purpose,template\n");
    for i in 0..400 {
        csv.push_str(&format!("k{i},0812{:08},reminder,t\n", 30_000_000 + i));
    }
    let csv = write(dir.path(), "m.csv", &csv);
    schedule(dir.path(), &csv);
    let log = dir.path().join("log.jsonl");
    // 80 messages/s: 400 messages take 5 s; stop after about one.
    let child = rehearse(dir.path())
        .arg("--until-idle")
        .arg("--rehearse-log")
        .arg(&log)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(1200));
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let output = child.wait_with_output().unwrap();
    let stdout = ok(output);
    let sent: usize = value(&stdout, "sent").parse().unwrap();
    assert!(sent > 0 && sent < 400, "{stdout}");
    // Nothing is left claimed: what was not sent went back to `scheduled`.
    let status = status(dir.path());
    assert_eq!(status["by_state"]["claimed"], 0, "{status}");
    assert_eq!(status["by_state"]["unknown"], 0, "{status}");
    assert_eq!(status["by_state"]["sent"], sent as u64);
    assert_eq!(std::fs::read_to_string(&log).unwrap().lines().count(), sent);
    // A restart sends the rest, and nothing twice.
    let out = ok(rehearse(dir.path())
        .args(["--until-idle", "--rate", "1000"])
        .arg("--rehearse-log")
        .arg(&log)
        .output()
        .unwrap());
    assert_eq!(value(&out, "sent"), (400 - sent).to_string());
    let text = std::fs::read_to_string(&log).unwrap();
    let mut keys: Vec<&str> = text.lines().collect();
    keys.sort_unstable();
    keys.dedup();
    assert_eq!(keys.len(), 400);
}

#[test]
fn schedule_follows_the_csv_rules_of_every_command() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite:{}", dir.path().join("o.db").display());
    let header = "key,phone,purpose,template,language,not_before,not_after,timezone\n";
    let row = |k: &str| format!("{k},081234500{k},reminder,t,id,2026-12-01T08:00:00+07:00,,\n");
    // A stray quote would merge rows: refused with the line, nothing scheduled.
    let stray = dir.path().join("stray.csv");
    std::fs::write(
        &stray,
        format!(
            "{header}{}\"11,0812,reminder,t,id,,,\n{}",
            row("10"),
            row("12")
        ),
    )
    .unwrap();
    let err = fails(
        sehat(&["schedule", "--db", &db])
            .arg(&stray)
            .output()
            .unwrap(),
    );
    assert!(err.contains("line 3"), "{err}");
    // A blank line between rows is refused too.
    let blank = dir.path().join("blank.csv");
    std::fs::write(&blank, format!("{header}{}\n{}", row("10"), row("12"))).unwrap();
    let err = fails(
        sehat(&["schedule", "--db", &db])
            .arg(&blank)
            .output()
            .unwrap(),
    );
    assert!(err.contains("line 3 is blank"), "{err}");
    // An empty file (or one of blank lines, or a byte-order mark alone) has no header.
    for (name, text) in [
        ("empty.csv", ""),
        ("blank_only.csv", "\n\n"),
        ("bom.csv", "\u{feff}"),
    ] {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        let err = fails(
            sehat(&["schedule", "--db", &db])
                .arg(&path)
                .output()
                .unwrap(),
        );
        assert!(
            err.contains("no header line: the file is empty (the first line names the columns: key, phone, purpose, template)"),
            "{name}: {err}"
        );
    }
}

#[test]
fn a_rehearsal_log_naming_the_database_or_its_keys_is_refused() {
    // Lines appended to the SQLite file or a keyset would corrupt them.
    let dir = tempfile::tempdir().unwrap();
    let csv = write(
        dir.path(),
        "m.csv",
        "key,phone,purpose,template\na,0812-3456-7801,reminder,t\n",
    );
    schedule(dir.path(), &csv);
    let database = dir.path().join("outbox.db");
    std::fs::hard_link(&database, dir.path().join("linked.db")).unwrap();
    let keys = dir.path().join("outbox.db.keys");
    let keyset = std::fs::read_dir(&keys)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let before = std::fs::read(&keyset).unwrap();
    for log in [
        database.clone(),
        dir.path().join("linked.db"),
        dir.path().join(".").join("outbox.db"),
        keyset.clone(),
        keys.join("log.jsonl"),
    ] {
        let err = fails(
            rehearse(dir.path())
                .arg("--rehearse-log")
                .arg(&log)
                .output()
                .unwrap(),
        );
        assert!(
            err.contains("refusing to append the rehearsal log"),
            "{}: {err}",
            log.display()
        );
    }
    assert_eq!(std::fs::read(&keyset).unwrap(), before);
    assert!(!keys.join("log.jsonl").exists());
    // Nothing was sent, and the outbox still opens: the message goes out now.
    assert_eq!(status(dir.path())["by_state"]["scheduled"], 1);
    let log = dir.path().join("log.jsonl");
    let out = ok(rehearse(dir.path())
        .arg("--rehearse-log")
        .arg(&log)
        .output()
        .unwrap());
    assert_eq!(value(&out, "sent"), "1", "{out}");
}

#[test]
fn a_database_path_that_cannot_be_the_file_is_refused_and_nothing_written() {
    // `--db sqlite:m.csv m.csv`: the schedule is read, then the outbox cannot open.
    let dir = tempfile::tempdir().unwrap();
    let text = "key,phone,purpose,template\na,0812-3456-7801,reminder,t\n";
    let csv = write(dir.path(), "m.csv", text);
    for command in ["schedule", "consent"] {
        let err = fails(
            sehat(&[command, "--db", &format!("sqlite:{csv}"), &csv])
                .output()
                .unwrap(),
        );
        assert!(!err.is_empty());
        assert_eq!(std::fs::read_to_string(&csv).unwrap(), text, "{command}");
    }
    // A directory as the database is refused by name too.
    let err = fails(
        sehat(&[
            "schedule",
            "--db",
            &format!("sqlite:{}", dir.path().display()),
            &csv,
        ])
        .output()
        .unwrap(),
    );
    assert!(err.contains("is a directory"), "{err}");
    // A database in a directory that does not exist: refused, nothing created.
    let missing = dir.path().join("missing");
    let err = fails(
        sehat(&[
            "schedule",
            "--db",
            &format!("sqlite:{}", missing.join("o.db").display()),
            &csv,
        ])
        .output()
        .unwrap(),
    );
    assert!(err.contains("does not exist"), "{err}");
    assert!(!missing.exists());
}

#[test]
fn dates_in_other_human_formats_are_refused_never_guessed() {
    // 01/12/2026 is 1 December in Indonesia and 12 January in the US: neither is guessed.
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("key,phone,purpose,template,not_before\n");
    let formats = [
        "01/12/2026",
        "12/01/2026",
        "1 Desember 2026",
        "2026/12/01",
        "01-12-2026",
        "1.12.2026",
    ];
    for (i, date) in formats.iter().enumerate() {
        text.push_str(&format!("k{i},0812-3456-78{i:02},reminder,t,{date}\n"));
    }
    let csv = write(dir.path(), "m.csv", &text);
    let out = schedule(dir.path(), &csv);
    assert_eq!(value(&out, "new"), "0", "{out}");
    assert_eq!(
        value(&out, "refused"),
        format!("{} (not_before: {})", formats.len(), formats.len()),
        "{out}"
    );
    // The ISO date of the same day is read, as the start of the day in Jakarta.
    let iso = write(
        dir.path(),
        "iso.csv",
        "key,phone,purpose,template,not_before\nk,0812-3456-7801,reminder,t,2026-12-01\n",
    );
    assert_eq!(value(&schedule(dir.path(), &iso), "new"), "1");
}

/// A file of several chunks of parallel work and several stored batches: refusals keep
/// their row numbers, each outcome stays with its row, and a second run changes nothing.
#[test]
fn a_large_file_keeps_each_row_with_its_outcome() {
    use std::fmt::Write as _;
    let dir = tempfile::tempdir().unwrap();
    // One message of the file is sent already: its row must be the one refused.
    let sent = write(
        dir.path(),
        "sent.csv",
        "key,phone,purpose,template,param.nama\nchild-7321/dpt/1,0812-1000-7321,reminder,pengingat,Anak\n",
    );
    schedule(dir.path(), &sent);
    ok(rehearse(dir.path())
        .args(["--rate", "1000", "--recipient-gap", "0"])
        .output()
        .unwrap());

    let n = 10_000;
    let mut text = String::from("key,phone,purpose,template,not_before,param.nama\n");
    for i in 0..n {
        let key = if i == 9_000 {
            "child-17/dpt/1".to_owned()
        } else {
            format!("child-{i}/dpt/1")
        };
        let phone = if i == 5_000 {
            "021 555 1234".to_owned()
        } else {
            format!("0812-1000-{i:04}")
        };
        writeln!(text, "{key},{phone},reminder,pengingat,2026-12-02,Anak {i}").unwrap();
    }
    let csv = write(dir.path(), "large.csv", &text);
    let out = schedule(dir.path(), &csv);
    assert_eq!(value(&out, "new"), (n - 3).to_string(), "{out}");
    assert_eq!(
        value(&out, "refused"),
        "3 (already sent: 1, key: 1, phone: 1)",
        "{out}"
    );
    for expected in [
        "refused row 5001 (line 5002), key \"child-5000/dpt/1\": phone:",
        "refused row 7322 (line 7323), key \"child-7321/dpt/1\": already sent:",
        "refused row 9001 (line 9002), key \"child-17/dpt/1\": key: the same key is on row 18",
    ] {
        assert!(out.contains(expected), "{expected}\n{out}");
    }
    let again = schedule(dir.path(), &csv);
    assert_eq!(value(&again, "new"), "0");
    assert_eq!(value(&again, "unchanged"), (n - 3).to_string());
}

/// A schedule file of `n` rows with distinct keys and numbers.
fn numbered(dir: &Path, n: usize) -> String {
    use std::fmt::Write as _;
    let mut text = String::from("key,phone,purpose,template\n");
    for i in 0..n {
        writeln!(text, "k{i},0812{:08},reminder,t", 40_000_000 + i).unwrap();
    }
    write(dir, "many.csv", &text)
}

fn schedule_command(dir: &Path, csv: &str) -> Command {
    let mut command = sehat(&["schedule", "--db", &db(dir), csv]);
    command.stdout(Stdio::piped()).stderr(Stdio::piped());
    command
}

/// Two runs of one file at once on a new outbox (a cron job and a person): both succeed,
/// with the same keys directory, and each row is new in exactly one of them.
#[test]
fn two_schedules_of_one_file_at_once_store_each_row_once() {
    let dir = tempfile::tempdir().unwrap();
    let n = 6_000;
    let csv = numbered(dir.path(), n);
    let first = schedule_command(dir.path(), &csv).spawn().unwrap();
    let second = schedule_command(dir.path(), &csv).spawn().unwrap();
    let outs = [first, second].map(|child| ok(child.wait_with_output().unwrap()));
    let count = |key| -> usize {
        outs.iter()
            .map(|o| value(o, key).parse::<usize>().unwrap())
            .sum()
    };
    assert_eq!(count("new"), n, "{outs:?}");
    assert_eq!(count("unchanged"), n, "{outs:?}");
    assert_eq!(count("updated"), 0, "{outs:?}");
    assert!(outs.iter().all(|o| value(o, "refused") == "0"), "{outs:?}");
    assert_eq!(status(dir.path())["by_state"]["scheduled"], n as u64);
    // One keyset for both: every message can be read back and sent.
    let sent = ok(rehearse(dir.path())
        .args(["--until-idle", "--rate", "1000", "--recipient-gap", "0"])
        .output()
        .unwrap());
    assert_eq!(value(&sent, "sent"), n.to_string(), "{sent}");
}

/// A consent file imported twice, or by two runs at once, is recorded once: the second
/// import changes nothing, and the registry holds each row once.
#[test]
fn a_consent_file_imported_again_or_twice_at_once_is_recorded_once() {
    use std::fmt::Write as _;
    let dir = tempfile::tempdir().unwrap();
    let n = 2_000;
    let mut text = String::from("phone,purpose,action,at,evidence\n");
    for i in 0..n {
        let action = if i % 3 == 0 { "opt_in" } else { "opt_out" };
        writeln!(
            text,
            "0812{:08},campaign,{action},2026-11-20T10:00:00+07:00,form {i}",
            50_000_000 + i
        )
        .unwrap();
    }
    // The last row once more, in another format: the same record.
    writeln!(
        text,
        "+62 812-{}-{:04},campaign,opt_out,2026-11-20T10:00:00+07:00,form {}",
        5_000 + (n - 1) / 10_000,
        (n - 1) % 10_000,
        n - 1
    )
    .unwrap();
    let csv = write(dir.path(), "consent.csv", &text);
    let run = || {
        let mut command = sehat(&["consent", "--db", &db(dir.path()), &csv]);
        command.stdout(Stdio::piped()).stderr(Stdio::piped());
        command.spawn().unwrap()
    };
    let outs = [run(), run()].map(|child| ok(child.wait_with_output().unwrap()));
    let count = |key| -> usize {
        outs.iter()
            .map(|o| value(o, key).parse::<usize>().unwrap())
            .sum()
    };
    assert_eq!(count("recorded"), n, "{outs:?}");
    assert_eq!(count("opt_in"), n.div_ceil(3), "{outs:?}");
    assert_eq!(count("unchanged"), n + 2, "{outs:?}");
    let again = ok(sehat(&["consent", "--db", &db(dir.path()), &csv])
        .output()
        .unwrap());
    assert_eq!(value(&again, "recorded"), "0", "{again}");
    assert_eq!(value(&again, "unchanged"), (n + 1).to_string(), "{again}");
    let conn = rusqlite::Connection::open(dir.path().join("outbox.db")).unwrap();
    let rows: usize = conn
        .query_row("SELECT count(*) FROM consent", [], |r| r.get(0))
        .unwrap();
    assert_eq!(rows, n);
}

/// A list kept without dates and imported again must not opt back in someone who has
/// opted out since: an undated opt-in over an opt-out is refused and asks for its time;
/// a dated one, and an undated opt-out, are recorded.
#[test]
fn an_undated_opt_in_does_not_undo_a_later_opt_out() {
    let dir = tempfile::tempdir().unwrap();
    let first = write(
        dir.path(),
        "first.csv",
        "phone,purpose,action,at,evidence\n\
         0812-3456-7801,campaign,opt_in,2026-11-01,list\n\
         0812-3456-7802,campaign,opt_in,,list\n\
         0812-3456-7803,all,opt_out,2026-11-01,form 3\n",
    );
    let out = ok(sehat(&["consent", "--db", &db(dir.path()), &first])
        .output()
        .unwrap());
    assert_eq!(value(&out, "recorded"), "3", "{out}");
    // Since: 7801 opted out (as a BERHENTI would record it).
    let stop = write(
        dir.path(),
        "stop.csv",
        "phone,purpose,action,at\n6281234567801,all,opt_out,2026-11-20T10:00:00+07:00\n",
    );
    ok(sehat(&["consent", "--db", &db(dir.path()), &stop])
        .output()
        .unwrap());
    // The old list again, and rows for the others.
    let again = write(
        dir.path(),
        "again.csv",
        "phone,purpose,action,at,evidence\n\
         0812-3456-7801,campaign,opt_in,,list\n\
         0812-3456-7802,campaign,opt_in,,list\n\
         0812-3456-7803,education,opt_in,,list\n\
         0812-3456-7803,campaign,opt_in,2026-11-25,form 9\n\
         0812-3456-7802,reminder,opt_out,,phone call\n",
    );
    let out = ok(sehat(&["consent", "--db", &db(dir.path()), &again])
        .output()
        .unwrap());
    assert_eq!(value(&out, "refused"), "2 (at: 2)", "{out}");
    assert!(
        out.contains("refused row 1 (line 2): at: an opt-in without its time"),
        "{out}"
    );
    assert!(out.contains("refused row 3 (line 4): at:"), "{out}");
    // 7802's undated opt-in is already in effect (unchanged, no new record); 7803's
    // dated campaign opt-in and 7802's undated opt-out are recorded.
    assert_eq!(value(&out, "opt_in"), "1", "{out}");
    assert_eq!(value(&out, "opt_out"), "1", "{out}");
    assert_eq!(value(&out, "unchanged"), "1", "{out}");
    // The same list once more: the undated rows already in effect add nothing (no new
    // history at the time of this import), the dated one is already recorded.
    let out = ok(sehat(&["consent", "--db", &db(dir.path()), &again])
        .output()
        .unwrap());
    assert_eq!(value(&out, "recorded"), "0", "{out}");
    assert_eq!(value(&out, "unchanged"), "3", "{out}");
    assert_eq!(value(&out, "refused"), "2 (at: 2)", "{out}");
    let messages = write(
        dir.path(),
        "m.csv",
        "key,phone,purpose,template,not_before\n\
         a,0812-3456-7801,campaign,t,2026-12-01\n\
         b,0812-3456-7802,campaign,t,2026-12-01\n\
         c,0812-3456-7803,campaign,t,2026-12-01\n\
         d,0812-3456-7803,education,t,2026-12-01\n",
    );
    schedule(dir.path(), &messages);
    let (out, text) = rehearsed(dir.path());
    assert_eq!(value(&out, "sent"), "2", "{out}");
    assert!(
        text.contains("\"key\":\"b\"") && text.contains("\"key\":\"c\""),
        "{text}"
    );
}

/// SIGKILL while a file is being stored: the batches stored stay, and running the file
/// again stores the rest, each row once.
#[test]
fn a_schedule_killed_midway_is_finished_by_running_it_again() {
    use std::os::unix::process::ExitStatusExt as _;
    let dir = tempfile::tempdir().unwrap();
    let n = 60_000;
    let csv = numbered(dir.path(), n);
    let mut child = schedule_command(dir.path(), &csv).spawn().unwrap();
    // Killed as soon as some batches are on file.
    let stored_before_kill = loop {
        let stored = if dir.path().join("outbox.db").exists() {
            status(dir.path())["by_state"]["scheduled"]
                .as_u64()
                .unwrap_or(0)
        } else {
            0
        };
        if stored > 0 {
            break stored;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    child.kill().unwrap();
    let killed = child.wait().unwrap();
    assert_eq!(
        killed.signal(),
        Some(9),
        "the run ended before the kill: {killed}"
    );
    let stored = status(dir.path())["by_state"]["scheduled"]
        .as_u64()
        .unwrap();
    assert!(
        stored >= stored_before_kill && stored < n as u64,
        "{stored}"
    );
    assert_eq!(
        stored % 2_000,
        0,
        "a batch is stored whole or not at all: {stored}"
    );

    let again = schedule(dir.path(), &csv);
    assert_eq!(
        value(&again, "new"),
        (n as u64 - stored).to_string(),
        "{again}"
    );
    assert_eq!(value(&again, "unchanged"), stored.to_string(), "{again}");
    assert_eq!(value(&again, "refused"), "0");
    assert_eq!(status(dir.path())["by_state"]["scheduled"], n as u64);
}

#[test]
fn spreadsheet_spellings_are_read_and_a_lost_number_is_named() {
    // What a spreadsheet export brings: column names typed with capitals, a capitalized
    // purpose, Indonesia's names of its zones, a zone in lower case, a number with `.0`,
    // and one in scientific notation whose digits are gone.
    let dir = tempfile::tempdir().unwrap();
    let csv = write(
        dir.path(),
        "m.csv",
        "Key,Phone,Purpose,TEMPLATE,Language,Not_Before,not_after,TimeZone,Param.nama\n\
         k1,0812 3456 7801,Reminder,pengingat,id,2026-12-01,,WITA,Sari\n\
         k2,6281234567802.0,APPOINTMENT,janji,id,2026-12-01,,wit,\n\
         k3,0812 3456 7803,reminder,pengingat,id,2026-12-01,,asia/jayapura,Dewi\n\
         k4,6.28123E+12,reminder,pengingat,id,2026-12-01,,WIB,Rina\n",
    );
    let out = schedule(dir.path(), &csv);
    assert_eq!(value(&out, "new"), "3", "{out}");
    assert_eq!(value(&out, "refused"), "1 (phone: 1)", "{out}");
    assert!(
        out.contains("refused row 4 (line 5), key \"k4\": phone: a number in scientific notation"),
        "{out}"
    );
    let rows = stored(dir.path(), "key, purpose, timezone, params");
    let expected = [
        ["k1", "reminder", "Asia/Makassar", r#"{"nama":"Sari"}"#],
        ["k2", "appointment", "Asia/Jayapura", "{}"],
        ["k3", "reminder", "Asia/Jayapura", r#"{"nama":"Dewi"}"#],
    ]
    .map(|row| row.map(|v| Some(v.to_owned())).to_vec());
    assert_eq!(rows, expected);
    // One column under two spellings is named twice, not read once and dropped once.
    let twice = write(
        dir.path(),
        "twice.csv",
        "key,phone,purpose,template,KEY\nk9,0812 3456 7809,reminder,t,k10\n",
    );
    let err = fails(
        sehat(&["schedule", "--db", &db(dir.path()), &twice])
            .output()
            .unwrap(),
    );
    assert!(
        err.contains("names the column `key` twice (columns 1 and 5)"),
        "{err}"
    );
}

#[test]
fn a_file_refuses_what_whatsapp_would_refuse() {
    // The library's rules, which a program scheduling through `sehat-outbox` meets too:
    // WhatsApp would refuse each of these at send time, days later.
    let dir = tempfile::tempdir().unwrap();
    let csv = write(
        dir.path(),
        "m.csv",
        "key,phone,purpose,template,param.nama\n\
         k1,0812 3456 7801,reminder,pengingat,Sari\n\
         k2,0812 3456 7802,reminder,Pengingat Imunisasi,Sari\n\
         k3,0812 3456 7803,reminder,pengingat,Sari    Dewi\n\
         k4,0812 3456 7804,reminder,pengingat,Sari\tDewi\n",
    );
    let out = schedule(dir.path(), &csv);
    assert_eq!(value(&out, "new"), "1", "{out}");
    for expected in [
        "row 2 (line 3), key \"k2\": template: a template name has only lower-case letters",
        "row 3 (line 4), key \"k3\": param.nama: has a line break, a tab or four spaces in a row",
        "row 4 (line 5), key \"k4\": param.nama: has a line break, a tab or four spaces in a row",
    ] {
        assert!(out.contains(expected), "{expected}\n{out}");
    }
    // A parameter's name is WhatsApp's `{{nama}}`: lower case.
    let csv = write(
        dir.path(),
        "n.csv",
        "key,phone,purpose,template,param.Nama\nk5,0812 3456 7805,reminder,pengingat,Sari\n",
    );
    let out = schedule(dir.path(), &csv);
    assert!(
        out.contains(
            "row 1 (line 2), key \"k5\": param.Nama: a parameter name has only lower-case letters"
        ),
        "{out}"
    );
}

#[test]
fn one_file_may_mix_templates_with_their_own_parameters() {
    // An empty cell gives no parameter: each row carries only its template's.
    let dir = tempfile::tempdir().unwrap();
    let csv = write(
        dir.path(),
        "m.csv",
        "key,phone,purpose,template,param.nama,param.jam\n\
         r1,0812 3456 7801,reminder,pengingat_imunisasi,Sari,\n\
         a1,0812 3456 7802,appointment,janji_dokter,,09:00\n\
         c1,0812 3456 7803,campaign,kampanye_campak,,\n",
    );
    let out = schedule(dir.path(), &csv);
    assert_eq!(value(&out, "new"), "3", "{out}");
    let params: Vec<(String, Value)> = stored(dir.path(), "key, params")
        .into_iter()
        .map(|row| {
            let [key, params] = <[Option<String>; 2]>::try_from(row).unwrap();
            let params = serde_json::from_str(params.as_deref().unwrap_or("{}")).unwrap();
            (key.unwrap(), params)
        })
        .collect();
    assert_eq!(
        params,
        vec![
            ("a1".to_owned(), serde_json::json!({"jam": "09:00"})),
            ("c1".to_owned(), serde_json::json!({})),
            ("r1".to_owned(), serde_json::json!({"nama": "Sari"})),
        ]
    );
}
