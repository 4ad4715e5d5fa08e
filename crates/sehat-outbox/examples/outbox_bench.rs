//! Throughput of the SQLite outbox: scheduling (parse + pseudonymize + encrypt + insert),
//! dispatching through the loopback mock Graph API with pacing off, and resuming a large
//! outbox after a crash.
//!
//! ```text
//! cargo run --release -p sehat-outbox --example outbox_bench -- [MESSAGES] [DISPATCH] [CONCURRENCY] [BATCH] [PIPELINES]
//! ```
//!
//! Defaults: 1,000,000 messages scheduled, 200,000 of them dispatched, 256 sends in
//! flight, claims of 256, one pipeline (`Dispatcher::pipelines`). The resume step runs in a child process (`--resume DB`) so its peak memory is
//! its own.

use std::time::{Duration, Instant};

use sehat_outbox::dispatch::{Dispatcher, RunMode, StopSignal};
use sehat_outbox::input::ScheduleRequest;
use sehat_outbox::model::{MessageKey, Purpose};
use sehat_outbox::store::{SqliteStore, Store};
use sehat_outbox::{Outbox, OutboxKeys};
use sehat_whatsapp::ids::PhoneNumberId;
use sehat_whatsapp_mock::MockGraphApi;
use time::macros::datetime;

/// The allocator of the `sehat` binary, whose `outbox dispatch` this measures.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| {
                l.split_whitespace()
                    .nth(1)
                    .and_then(|kb| kb.parse::<f64>().ok())
            })
        })
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// CPU seconds (user + system, every thread) this process has used so far, from
/// `/proc/self/stat` (clock ticks of 10 ms).
fn cpu_seconds() -> f64 {
    std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|s| {
            // The fields after the command name, which is in parentheses.
            let rest = s.rsplit_once(')')?.1;
            let fields: Vec<&str> = rest.split_whitespace().collect();
            let utime: f64 = fields.get(11)?.parse().ok()?;
            let stime: f64 = fields.get(12)?.parse().ok()?;
            Some((utime + stime) / 100.0)
        })
        .unwrap_or(f64::NAN)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--resume") {
        let db = args.get(1).ok_or("--resume needs the database path")?;
        return resume(db).await;
    }
    let n: usize = args.first().map_or(Ok(1_000_000), |a| a.parse())?;
    let m: usize = args.get(1).map_or(Ok(200_000), |a| a.parse())?;
    let concurrency: usize = args.get(2).map_or(Ok(256), |a| a.parse())?;
    let batch: usize = args.get(3).map_or(Ok(256), |a| a.parse())?;
    let pipelines: usize = args.get(4).map_or(Ok(1), |a| a.parse())?;
    let m = m.min(n);

    let dir = tempfile::tempdir()?;
    let db = dir.path().join("bench.db");
    let keys = OutboxKeys::generate()?;
    let outbox = Outbox::with_store(SqliteStore::open(&db)?, keys).await?;
    let due = datetime!(2026-05-04 03:00 UTC);
    let later = datetime!(2027-05-04 03:00 UTC);

    // Scheduling: requests as a caller has them (a number typed by a person).
    let requests: Vec<ScheduleRequest> = (0..n)
        .map(|i| {
            ScheduleRequest::new(
                format!("child-{i}/campak/1/2026-05"),
                format!("0812-{:04}-{:04}", 1000 + i / 10_000, i % 10_000),
                Purpose::Reminder,
                "imunisasi_pengingat",
                if i < m { due } else { later },
            )
            .param("nama", "Sari")
            .param("vaksin", "Campak-Rubela")
        })
        .collect();
    let start = Instant::now();
    let cpu_start = cpu_seconds();
    let mut prepare_time = Duration::ZERO;
    let mut new = 0usize;
    for chunk in requests.chunks(50_000) {
        let t = Instant::now();
        let prepared = outbox.prepare(chunk);
        prepare_time += t.elapsed();
        let messages: Vec<_> = prepared
            .into_iter()
            .collect::<std::result::Result<_, _>>()?;
        let outcomes = outbox.store().schedule(&messages, due).await?;
        new += outcomes.iter().filter(|o| o.as_str() == "new").count();
    }
    let schedule_time = start.elapsed();
    let schedule_cpu = cpu_seconds() - cpu_start;
    assert_eq!(new, n, "every message is new");
    drop(requests);
    println!(
        "schedule: {n} messages in {:.3} s = {:.0} messages/s (prepare {:.3} s, insert {:.3} s); CPU {:.2} s = {:.2} µs/message",
        schedule_time.as_secs_f64(),
        n as f64 / schedule_time.as_secs_f64(),
        prepare_time.as_secs_f64(),
        (schedule_time - prepare_time).as_secs_f64(),
        schedule_cpu,
        schedule_cpu * 1e6 / n as f64,
    );

    // Dispatching through the mock, pacing off.
    let mock = MockGraphApi::start().await?.without_recording();
    let phone = mock.client()?.phone(PhoneNumberId::new("106540352242922"));
    let dispatcher = Dispatcher::new(&outbox, phone)
        .no_pacing()
        .concurrency(concurrency)
        .batch(batch)
        .pipelines(pipelines)
        .now_at(due + Duration::from_secs(60))
        .worker("bench");
    let start = Instant::now();
    let cpu_start = cpu_seconds();
    let report = dispatcher
        .run(RunMode::UntilIdle, StopSignal::never())
        .await?;
    let dispatch_time = start.elapsed();
    let dispatch_cpu = cpu_seconds() - cpu_start;
    assert_eq!(report.sent as usize, m, "{report:?}");
    println!(
        "dispatch: {m} messages in {:.3} s = {:.0} messages/s (concurrency {concurrency}, batch {batch}, pipelines {pipelines}); CPU {:.2} s = {:.2} µs/message",
        dispatch_time.as_secs_f64(),
        m as f64 / dispatch_time.as_secs_f64(),
        dispatch_cpu,
        dispatch_cpu * 1e6 / m as f64,
    );

    // A crash: a worker dies holding 256 claims, half of them marked sending.
    let store = outbox.store();
    let crash_at = later + Duration::from_secs(60);
    let batch = store
        .claim("dead", crash_at, Duration::from_secs(1), 256)
        .await?;
    let half: Vec<MessageKey> = batch
        .claimed
        .iter()
        .take(128)
        .map(|c| c.key.clone())
        .collect();
    store.mark_sending("dead", &half, crash_at).await?;
    drop(outbox);
    let out = std::process::Command::new(std::env::current_exe()?)
        .arg("--resume")
        .arg(&db)
        .output()?;
    print!("{}", String::from_utf8_lossy(&out.stdout));
    eprint!("{}", String::from_utf8_lossy(&out.stderr));
    println!("peak RSS of this process: {:.1} MB", peak_rss_mb());
    Ok(())
}

/// A new process opens the crashed outbox, takes over the dead claims and claims its first
/// batch.
async fn resume(db: &str) -> Result<()> {
    let start = Instant::now();
    let store = SqliteStore::open(db)?;
    store.migrate().await?;
    let now = datetime!(2027-05-04 03:02 UTC);
    let recovered = store.recover(now).await?;
    let batch = store
        .claim("resume", now, Duration::from_secs(300), 256)
        .await?;
    let took = start.elapsed();
    let counts = store.counts().await?;
    let total: u64 = counts.iter().map(|c| c.count).sum();
    println!(
        "resume: {total} messages on file; open + migrate + recover ({} rescheduled, {} unknown) + first claim of {} in {:.3} s; peak RSS {:.1} MB",
        recovered.rescheduled,
        recovered.unknown.len(),
        batch.claimed.len(),
        took.as_secs_f64(),
        peak_rss_mb(),
    );
    Ok(())
}
