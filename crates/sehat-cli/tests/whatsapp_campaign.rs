//! `sehat whatsapp campaign --rehearse`: numbers in human formats are normalized, every row
//! is sent once, a second run resumes from the journal and sends nothing, the rehearsal
//! log has one line per accepted send, and no raw number is printed.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;
use support::assert_sent_once_each;

mod support;

const AUDIENCE: &str = "\
nama,phone,puskesmas
Sari,0812-3456-7801,Cakung
Dewi,+62 812 3456 7802,Duren Sawit
Rina,6281234567803,Cakung
Wati,(0812) 3456-7804,Jatinegara
";

/// The campaign command on `audience` (written to `audience.csv` in `dir`), rehearsed at
/// `rate` messages per second with its log in `rehearsal.jsonl`.
fn command(dir: &Path, audience: &str, rate: &str) -> Command {
    let csv = dir.join("audience.csv");
    std::fs::write(&csv, audience).unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_sehat"));
    command
        .args([
            "whatsapp",
            "campaign",
            "--template",
            "pita_pink_2026",
            "--language",
            "id",
        ])
        .arg("--audience")
        .arg(&csv)
        .arg("--journal")
        .arg(dir.join("campaign.journal"))
        .args([
            "--param",
            "nama",
            "--param",
            "puskesmas",
            "--rate",
            rate,
            "--rehearse",
        ])
        .env_remove("WHATSAPP_TOKEN");
    command
}

fn campaign(dir: &Path, audience: &str, extra: &[&str]) -> Output {
    command(dir, audience, "1000")
        .arg("--rehearse-log")
        .arg(dir.join("rehearsal.jsonl"))
        .args(extra)
        .output()
        .expect("the sehat binary runs")
}

fn line(stdout: &str, key: &str) -> String {
    stdout
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{key}: ")))
        .unwrap_or_else(|| panic!("no {key} line in {stdout}"))
        .to_owned()
}

#[test]
fn rehearsal_sends_each_row_once_and_resumes() {
    let dir = tempfile::tempdir().unwrap();
    let first = campaign(dir.path(), AUDIENCE, &[]);
    let stdout = String::from_utf8(first.stdout).unwrap();
    let stderr = String::from_utf8(first.stderr).unwrap();
    assert!(first.status.success(), "{stderr}");
    assert_eq!(line(&stdout, "sent"), "4");
    assert_eq!(line(&stdout, "skipped"), "0");
    assert_eq!(line(&stdout, "unknown"), "0");
    for raw in ["81234567801", "81234567802", "81234567803", "81234567804"] {
        assert!(!stdout.contains(raw) && !stderr.contains(raw));
    }

    let log = std::fs::read_to_string(dir.path().join("rehearsal.jsonl")).unwrap();
    let lines: Vec<Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 4);
    let mut keys: Vec<&str> = lines.iter().map(|l| l["key"].as_str().unwrap()).collect();
    keys.sort_unstable();
    keys.dedup();
    assert_eq!(keys.len(), 4, "no duplicate send");
    assert!(lines.iter().all(|l| l["template"] == "pita_pink_2026"));
    // Sends run concurrently: the log holds every masked recipient, in no fixed order.
    let mut recipients: Vec<&str> = lines
        .iter()
        .map(|l| l["recipient"].as_str().unwrap())
        .collect();
    recipients.sort_unstable();
    assert_eq!(
        recipients,
        [
            "6281*******01",
            "6281*******02",
            "6281*******03",
            "6281*******04"
        ]
    );
    assert!(!log.contains("6281234567801"));

    // Same journal: everyone is skipped and nothing is sent again.
    let second = campaign(dir.path(), AUDIENCE, &[]);
    let stdout = String::from_utf8(second.stdout).unwrap();
    assert!(second.status.success());
    assert_eq!(line(&stdout, "sent"), "0");
    assert_eq!(line(&stdout, "skipped"), "4");
    let log = std::fs::read_to_string(dir.path().join("rehearsal.jsonl")).unwrap();
    assert_eq!(log.lines().count(), 4);

    // A new row joins the audience: only it is sent.
    let grown = format!("{AUDIENCE}Tuti,081234567805,Cakung\n");
    let third = campaign(dir.path(), &grown, &[]);
    let stdout = String::from_utf8(third.stdout).unwrap();
    assert_eq!(line(&stdout, "sent"), "1");
    assert_eq!(line(&stdout, "skipped"), "4");
}

#[test]
fn opt_outs_are_honoured_and_counted() {
    let dir = tempfile::tempdir().unwrap();
    let opt_outs = dir.path().join("opt-outs.txt");
    std::fs::write(&opt_outs, "stop 6281234567802\n").unwrap();
    let output = campaign(
        dir.path(),
        AUDIENCE,
        &["--opt-outs", opt_outs.to_str().unwrap()],
    );
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(output.status.success());
    assert_eq!(line(&stdout, "sent"), "3");
    assert_eq!(line(&stdout, "opted out"), "1");
}

#[test]
fn an_opt_outs_file_with_a_byte_order_mark_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let opt_outs = dir.path().join("opt-outs.txt");
    std::fs::write(
        &opt_outs,
        "\u{feff}stop 6281234567802\r\nstop 0812-3456-7803\r\n",
    )
    .unwrap();
    let output = campaign(
        dir.path(),
        AUDIENCE,
        &["--opt-outs", opt_outs.to_str().unwrap()],
    );
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(line(&stdout, "sent"), "2");
    assert_eq!(line(&stdout, "opted out"), "2");
}

#[test]
fn bad_rows_are_named_and_nothing_is_sent() {
    let dir = tempfile::tempdir().unwrap();
    let bad = "nama,phone,puskesmas\nSari,0812-3456-7801,Cakung\nDewi,021 555 1234,Cakung\nRina,0812-3456-7801,\n";
    let output = campaign(dir.path(), bad, &[]);
    assert!(!output.status.success());
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("line 3, column phone"), "{stderr}");
    assert!(stderr.contains("line 4, column phone"), "{stderr}");
    assert!(stderr.contains("already on line 2"), "{stderr}");
    assert!(!stderr.contains("81234567801"), "{stderr}");
    assert!(!dir.path().join("rehearsal.jsonl").exists());

    let missing = "nama,telepon\nSari,0812\n";
    let output = campaign(dir.path(), missing, &[]);
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("no column \"phone\""), "{stderr}");
}

#[test]
fn a_live_run_needs_the_token() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("audience.csv");
    std::fs::write(&csv, AUDIENCE).unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_sehat"))
        .args(["whatsapp", "campaign", "--template", "t", "--audience"])
        .arg(&csv)
        .arg("--journal")
        .arg(dir.path().join("j"))
        .args([
            "--phone-number-id",
            "106540352242922",
            "--token-env",
            "SEHAT_TEST_NO_SUCH_TOKEN",
        ])
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("$SEHAT_TEST_NO_SUCH_TOKEN"), "{stderr}");
}

#[test]
fn the_messaging_limit_can_be_read_from_the_number() {
    // The mock's number reports TIER_2K: four rows fit.
    let dir = tempfile::tempdir().unwrap();
    let output = campaign(dir.path(), AUDIENCE, &["--messaging-limit", "auto"]);
    let stdout = String::from_utf8(output.stdout).unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(output.status.success(), "{stderr}");
    assert!(stderr.contains("messaging limit: Tier2K"), "{stderr}");
    assert_eq!(line(&stdout, "sent"), "4");
    let output = campaign(dir.path(), AUDIENCE, &["--messaging-limit", "TIER_9"]);
    assert!(!output.status.success());
    assert!(
        String::from_utf8(output.stderr)
            .unwrap()
            .contains("--messaging-limit \"TIER_9\"")
    );
}

#[test]
fn two_runs_at_once_on_one_journal_send_each_row_once() {
    // A cron job and a manual run overlapping: both schedule the same members, the
    // outbox's claims keep their sends apart.
    let dir = tempfile::tempdir().unwrap();
    let mut audience = String::from("nama,phone,puskesmas\n");
    for i in 0..600 {
        audience.push_str(&format!("N{i},0812{:08},Cakung\n", 50_000_000 + i));
    }
    let csv = dir.path().join("audience.csv");
    std::fs::write(&csv, &audience).unwrap();
    let start = || {
        Command::new(env!("CARGO_BIN_EXE_sehat"))
            .args(["whatsapp", "campaign", "--template", "pita_pink_2026"])
            .arg("--audience")
            .arg(&csv)
            .arg("--journal")
            .arg(dir.path().join("campaign.db"))
            .args(["--param", "nama", "--rate", "1000", "--rehearse"])
            .arg("--rehearse-log")
            .arg(dir.path().join("rehearsal.jsonl"))
            .env_remove("WHATSAPP_TOKEN")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (a, b) = (start(), start());
    let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
    for run in [&a, &b] {
        assert!(
            run.status.success(),
            "{}",
            String::from_utf8_lossy(&run.stderr)
        );
    }
    assert_sent_once_each(&dir.path().join("rehearsal.jsonl"), 600);
    // A third run finds everyone done.
    let third = campaign(dir.path(), &audience, &[]);
    assert!(third.status.success());
}

#[test]
fn a_journal_of_another_format_is_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("campaign.journal"),
        "{\"key\":\"ab\",\"event\":\"planned\"}\n",
    )
    .unwrap();
    let output = campaign(dir.path(), AUDIENCE, &[]);
    assert!(!output.status.success());
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("--journal"), "{stderr}");
    assert!(!dir.path().join("rehearsal.jsonl").exists());
}

#[test]
fn sigterm_stops_the_campaign_cleanly_and_a_rerun_finishes_it() {
    // systemd and cron stop a job with SIGTERM, not Ctrl-C: nothing may be left claimed
    // or unknown, and the next run sends the rest, nobody twice.
    let dir = tempfile::tempdir().unwrap();
    let mut audience = String::from("nama,phone,puskesmas\n");
    for i in 0..400 {
        audience.push_str(&format!("N{i},0812{:08},Cakung\n", 60_000_000 + i));
    }
    // 80 messages/s: 400 members take 5 s; stop after about one.
    let child = command(dir.path(), &audience, "80")
        .arg("--rehearse-log")
        .arg(dir.path().join("rehearsal.jsonl"))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1500));
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let stopped = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&stopped.stderr);
    assert!(stderr.contains("stopping"), "{stderr}");
    let first = std::fs::read_to_string(dir.path().join("rehearsal.jsonl"))
        .unwrap()
        .lines()
        .count();
    assert!(first < 400, "the stop came after every send: {first}");
    let rerun = campaign(dir.path(), &audience, &[]);
    assert!(
        rerun.status.success(),
        "{}",
        String::from_utf8_lossy(&rerun.stderr)
    );
    let stdout = String::from_utf8_lossy(&rerun.stdout);
    assert_eq!(line(&stdout, "unknown"), "0", "{stdout}");
    assert_sent_once_each(&dir.path().join("rehearsal.jsonl"), 400);
}

#[test]
fn a_rehearsal_log_naming_the_audience_or_the_journal_is_refused() {
    // Lines appended to the audience would be read as members on the next run; lines
    // appended to the journal corrupt the SQLite database.
    let dir = tempfile::tempdir().unwrap();
    for (name, log) in [
        ("audience", dir.path().join("audience.csv")),
        ("journal", dir.path().join("campaign.journal")),
        ("keys", dir.path().join("campaign.journal.keys/x.json")),
    ] {
        let before = std::fs::read(dir.path().join("audience.csv")).ok();
        let output = command(dir.path(), AUDIENCE, "1000")
            .arg("--rehearse-log")
            .arg(&log)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{name}: {stderr}");
        assert!(
            stderr.contains("refusing to append the rehearsal log"),
            "{name}: {stderr}"
        );
        if let Some(before) = before {
            assert_eq!(
                std::fs::read(dir.path().join("audience.csv")).unwrap(),
                before
            );
        }
    }
    // The journal is intact: a run with a log elsewhere sends everyone.
    let output = campaign(dir.path(), AUDIENCE, &[]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_sent_once_each(&dir.path().join("rehearsal.jsonl"), 4);
}
