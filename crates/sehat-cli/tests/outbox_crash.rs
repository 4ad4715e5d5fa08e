//! Crash and concurrency: real `sehat outbox dispatch --rehearse` processes, one to four at
//! once on one database, killed with SIGKILL at random moments and restarted, with consent
//! changing between rounds. Afterwards, from the rehearsal log and `sehat outbox status`:
//! no key was sent twice, and every key was sent exactly once unless it is reported
//! `unknown` (its request may have left before the kill), `suppressed` or `expired`.
//!
//! `SEHAT_CRASH_RUNS` sets the number of runs per backend (default 20),
//! `SEHAT_CRASH_SEED` replays one seed. SQLite always runs; PostgreSQL runs against a
//! throwaway server (sehat-test-pg).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// The instant every run dispatches at: 10:00 in Jakarta, outside quiet hours.
const NOW: &str = "2026-12-01T03:00:00Z";

/// A small deterministic generator (xorshift64*), so a failing seed can be replayed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `low..=high`.
    fn range(&mut self, low: u64, high: u64) -> u64 {
        low + self.next() % (high - low + 1)
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

fn sehat() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_sehat"));
    command
        .env_remove("SEHAT_OUTBOX_KEYS")
        .env_remove("WHATSAPP_TOKEN");
    command
}

fn run(args: &[&str], db: &str, keys: &Path) -> Output {
    let output = sehat()
        .arg("outbox")
        .args(args)
        .args(["--db", db])
        .arg("--keys")
        .arg(keys)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "sehat outbox {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

fn phone(subject: u64) -> String {
    // Every number in a different human format, all of them mobile numbers.
    let digits = format!("8123{:07}", 4_000_000 + subject);
    match subject % 3 {
        0 => format!("0{digits}"),
        1 => format!("+62 {} {} {}", &digits[..3], &digits[3..7], &digits[7..]),
        _ => format!("62{digits}"),
    }
}

/// One randomly built outbox: keys, their subjects and purposes.
struct Plan {
    keys: BTreeMap<String, (u64, &'static str)>,
    subjects: u64,
}

fn schedule(dir: &Path, db: &str, keys_dir: &Path, rng: &mut Rng) -> Plan {
    let subjects = rng.range(3, 12);
    let count = rng.range(40, 300);
    let mut csv = String::from("key,phone,purpose,template,not_before,not_after,param.nama\n");
    let mut keys = BTreeMap::new();
    for i in 0..count {
        let subject = rng.next() % subjects;
        let purpose = if rng.chance(70) {
            "reminder"
        } else {
            "campaign"
        };
        // A few messages whose window closed before NOW: they expire.
        let not_after = if rng.chance(10) {
            "2026-11-30"
        } else {
            "2026-12-31"
        };
        let key = format!("run/{i}/{purpose}");
        writeln!(
            csv,
            "{key},{},{purpose},t_{purpose},2026-11-01,{not_after},Sari",
            phone(subject)
        )
        .unwrap();
        keys.insert(key, (subject, purpose));
    }
    let path = dir.join("messages.csv");
    std::fs::write(&path, csv).unwrap();
    let out = run(&["schedule", path.to_str().unwrap()], db, keys_dir);
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.contains(&format!("new: {count}\n")), "{stdout}");
    Plan { keys, subjects }
}

fn consent_changes(dir: &Path, db: &str, keys_dir: &Path, plan: &Plan, rng: &mut Rng, round: u32) {
    let mut csv = String::from("phone,purpose,action,at,evidence\n");
    for subject in 0..plan.subjects {
        if rng.chance(30) {
            let purpose = ["reminder", "campaign", "all"][rng.range(0, 2) as usize];
            let action = if rng.chance(50) { "opt_in" } else { "opt_out" };
            writeln!(
                csv,
                "{},{purpose},{action},2026-11-{:02}T0{}:00:00+07:00,form-{round}",
                phone(subject),
                10 + round,
                rng.range(1, 9)
            )
            .unwrap();
        }
    }
    let path = dir.join(format!("consent-{round}.csv"));
    std::fs::write(&path, csv).unwrap();
    run(&["consent", path.to_str().unwrap()], db, keys_dir);
}

fn spawn_dispatcher(db: &str, keys_dir: &Path, log: &Path, rng: &mut Rng) -> Child {
    sehat()
        .args([
            "outbox",
            "dispatch",
            "--until-idle",
            "--rehearse",
            "--now",
            NOW,
        ])
        // Short leases, so the claims of killed dispatchers come back within the test;
        // pacing is the dispatcher's own test's business.
        .args(["--lease", "2", "--rate", "1000", "--recipient-gap", "0"])
        .args(["--concurrency", &rng.range(1, 8).to_string()])
        .args(["--pipelines", &rng.range(1, 3).to_string()])
        .args(["--db", db])
        .arg("--keys")
        .arg(keys_dir)
        .arg("--rehearse-log")
        .arg(log)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// The keys a dispatcher reported unknown (`unknown key: K` lines).
fn reported_unknown(output: &Output) -> Vec<String> {
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|l| l.strip_prefix("unknown key: "))
        .map(str::to_owned)
        .collect()
}

#[derive(Default)]
struct Figures {
    runs: u32,
    processes: u32,
    kills: u32,
    keys: usize,
    sent: u64,
    unknown: u64,
    suppressed: u64,
    expired: u64,
}

fn status(db: &str, keys_dir: &Path) -> Value {
    let out = run(&["status"], db, keys_dir);
    serde_json::from_slice(&out.stdout).unwrap()
}

fn one_run(db: &str, dir: &Path, seed: u64, figures: &mut Figures) {
    let mut rng = Rng(seed | 1);
    let keys_dir = dir.join("keys");
    let log = dir.join("rehearsal.jsonl");
    let plan = schedule(dir, db, &keys_dir, &mut rng);
    let mut unknown_reported = BTreeSet::new();
    let rounds = rng.range(1, 4) as u32;
    for round in 0..rounds {
        consent_changes(dir, db, &keys_dir, &plan, &mut rng, round);
        let n = rng.range(1, 4);
        let mut children: Vec<Child> = (0..n)
            .map(|_| spawn_dispatcher(db, &keys_dir, &log, &mut rng))
            .collect();
        figures.processes += n as u32;
        // Kill some of them at random moments (some before they start, some mid-send).
        let started = Instant::now();
        for child in &mut children {
            if rng.chance(70) {
                let at = Duration::from_millis(rng.range(20, 350));
                if let Some(wait) = at.checked_sub(started.elapsed()) {
                    std::thread::sleep(wait);
                }
                // SIGKILL (a child that already exited is not counted).
                if child.try_wait().unwrap().is_none() && child.kill().is_ok() {
                    figures.kills += 1;
                }
            }
        }
        for child in children {
            let output = child.wait_with_output().unwrap();
            unknown_reported.extend(reported_unknown(&output));
        }
    }
    // The last word: one dispatcher left alone until the outbox is idle.
    let last = spawn_dispatcher(db, &keys_dir, &log, &mut rng)
        .wait_with_output()
        .unwrap();
    assert!(
        last.status.success(),
        "seed {seed}: the final dispatcher failed: {}",
        String::from_utf8_lossy(&last.stderr)
    );
    unknown_reported.extend(reported_unknown(&last));
    figures.processes += 1;

    // At most once: no key twice in the rehearsal log, and only keys that were scheduled.
    let text = std::fs::read_to_string(&log).unwrap_or_default();
    let mut logged = BTreeSet::new();
    for line in text.lines() {
        let value: Value = serde_json::from_str(line)
            .unwrap_or_else(|e| panic!("seed {seed}: a torn log line {line:?}: {e}"));
        let key = value["key"].as_str().unwrap().to_owned();
        let (_, purpose) = plan
            .keys
            .get(&key)
            .unwrap_or_else(|| panic!("seed {seed}: unscheduled key {key} sent"));
        assert_eq!(value["template"], format!("t_{purpose}"));
        assert!(
            logged.insert(key.clone()),
            "seed {seed}: key {key} sent twice"
        );
    }

    // Exactly once unless unknown, suppressed or expired: nothing is left scheduled,
    // claimed or failed, and the sends the log shows are the sent keys plus some of the
    // unknown ones.
    let status = status(db, &keys_dir);
    let state = |name: &str| status["by_state"][name].as_u64().unwrap();
    let total = plan.keys.len() as u64;
    assert_eq!(
        status["total"].as_u64().unwrap(),
        total,
        "seed {seed}: {status}"
    );
    for left in ["scheduled", "claimed", "failed", "cancelled", "superseded"] {
        assert_eq!(state(left), 0, "seed {seed}: {left} left: {status}");
    }
    let sent = state("sent") + state("delivered") + state("read");
    let (unknown, suppressed, expired) = (state("unknown"), state("suppressed"), state("expired"));
    assert_eq!(
        sent + unknown + suppressed + expired,
        total,
        "seed {seed}: {status}"
    );
    let logged_count = logged.len() as u64;
    assert!(
        sent <= logged_count && logged_count <= sent + unknown,
        "seed {seed}: {logged_count} sends logged, {sent} sent, {unknown} unknown"
    );
    // A dispatcher that recovers a dead one's claim reports it (unless it is killed in
    // turn before it prints; a late answer may still turn it `sent`).
    for key in &unknown_reported {
        assert!(plan.keys.contains_key(key), "seed {seed}: {key}");
    }

    figures.runs += 1;
    figures.keys += plan.keys.len();
    figures.sent += sent;
    figures.unknown += unknown;
    figures.suppressed += suppressed;
    figures.expired += expired;
}

fn runs() -> u32 {
    std::env::var("SEHAT_CRASH_RUNS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(20)
}

fn seeds() -> Vec<u64> {
    if let Some(seed) = std::env::var("SEHAT_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
    {
        return vec![seed];
    }
    let base = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64;
    (0..runs())
        .map(|i| base.wrapping_add(i as u64 * 0x9E37_79B9))
        .collect()
}

fn report(backend: &str, figures: &Figures) {
    eprintln!(
        "outbox crash test ({backend}): {} runs, {} dispatcher processes, {} SIGKILLs, {} keys: \
         {} sent, {} unknown, {} suppressed, {} expired, 0 duplicates",
        figures.runs,
        figures.processes,
        figures.kills,
        figures.keys,
        figures.sent,
        figures.unknown,
        figures.suppressed,
        figures.expired
    );
}

#[test]
fn sqlite_survives_random_kills_without_loss_or_duplicates() {
    let mut figures = Figures::default();
    for seed in seeds() {
        let dir = tempfile::tempdir().unwrap();
        let db = format!("sqlite:{}", dir.path().join("outbox.db").display());
        eprintln!("seed {seed}");
        one_run(&db, dir.path(), seed, &mut figures);
    }
    report("SQLite", &figures);
    assert!(figures.kills > 0, "some processes were killed");
}

#[test]
fn postgres_survives_random_kills_without_loss_or_duplicates() {
    let mut figures = Figures::default();
    for seed in seeds() {
        let Some(database) = sehat_test_pg::database() else {
            return;
        };
        let dir = tempfile::tempdir().unwrap();
        eprintln!("seed {seed}");
        one_run(database.url(), dir.path(), seed, &mut figures);
    }
    report("PostgreSQL", &figures);
    assert!(figures.kills > 0, "some processes were killed");
}
