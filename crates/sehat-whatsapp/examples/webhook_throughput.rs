//! Webhook throughput on one thread: verify the `X-Hub-Signature-256` (HMAC-SHA256 of the
//! body, constant-time compare), parse, and walk the typed events, over and over for a
//! fixed time.
//!
//! ```text
//! cargo run --release -p sehat-whatsapp --example webhook_throughput -- DIR [SECONDS]
//! ```
//!
//! Every `*.json` file in `DIR` is one webhook body, sent as is (compact, as Meta sends
//! them); each is signed once with a fixed app secret before the clock starts. The last
//! line is `N payloads/s`: payloads per second of this thread's CPU time (one core), read
//! from `/proc/thread-self/stat` on Linux, so that other work on a shared machine does not
//! count; elsewhere, per second of wall-clock time. The line before gives both.
//! `benches/webhook_throughput.sh` prepares the corpus and runs this next to pywa on the
//! same files (docs/performance.md).

use std::hint::black_box;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use sehat_whatsapp::webhook::{Event, WebhookVerifier, sign_payload};

const APP_SECRET: &str = "webhook-throughput-app-secret";

/// What one pass over a payload's events touches, so none of it is optimized away.
fn walk(event: &Event<'_>) -> usize {
    let mut touched = event.kind().len() + event.field().len();
    touched += event.id().map_or(0, str::len);
    touched += event.origin().phone_number_id().map_or(0, str::len);
    match event {
        Event::Message(m) => {
            touched += m.message.kind.as_str().len();
            touched += m.message.text().map_or(0, str::len);
            touched += m.profile_name().map_or(0, str::len);
        }
        Event::Status(s) => touched += s.status.status_str().len(),
        Event::Error(e) => touched += usize::from(e.error.code.is_some()),
        _ => {}
    }
    touched
}

/// This thread's CPU time (user and system), from `/proc/thread-self/stat`, where Linux
/// counts it in ticks of 1/100 s.
fn thread_cpu_time() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").ok()?;
    // The fields after the command name, which is in parentheses: state is the 3rd field,
    // utime the 14th, stime the 15th.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(Duration::from_millis(ticks * 10))
}

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let Some(dir) = args.next().map(PathBuf::from) else {
        eprintln!("usage: webhook_throughput DIR [SECONDS]");
        return ExitCode::from(2);
    };
    let seconds: f64 = match args.next().map(|s| s.parse()) {
        None => 5.0,
        Some(Ok(s)) if s > 0.0 => s,
        Some(_) => {
            eprintln!("SECONDS must be a positive number");
            return ExitCode::from(2);
        }
    };

    let mut files: Vec<PathBuf> = match std::fs::read_dir(&dir) {
        Ok(entries) => entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect(),
        Err(e) => {
            eprintln!("{}: {e}", dir.display());
            return ExitCode::FAILURE;
        }
    };
    files.sort();
    let mut corpus = Vec::with_capacity(files.len());
    for path in &files {
        match std::fs::read(path) {
            Ok(body) => {
                let signature = sign_payload(APP_SECRET.as_bytes(), &body);
                corpus.push((body, signature));
            }
            Err(e) => {
                eprintln!("{}: {e}", path.display());
                return ExitCode::FAILURE;
            }
        }
    }
    if corpus.is_empty() {
        eprintln!("{}: no *.json files", dir.display());
        return ExitCode::FAILURE;
    }

    let verifier = WebhookVerifier::new([APP_SECRET]);
    // Every payload must verify and parse before it is timed.
    let mut events_per_pass = 0;
    for ((body, signature), path) in corpus.iter().zip(&files) {
        match verifier.verify_and_parse(body, Some(signature)) {
            Ok(payload) => events_per_pass += payload.events().len(),
            Err(e) => {
                eprintln!("{}: {e}", path.display());
                return ExitCode::FAILURE;
            }
        }
    }
    let bytes: usize = corpus.iter().map(|(body, _)| body.len()).sum();
    println!(
        "{} payloads ({bytes} bytes, {events_per_pass} events) from {}, one thread, {seconds} s",
        corpus.len(),
        dir.display()
    );

    let budget = Duration::from_secs_f64(seconds);
    let cpu_start = thread_cpu_time();
    let start = Instant::now();
    let mut payloads = 0u64;
    let mut touched = 0usize;
    while start.elapsed() < budget {
        for (body, signature) in &corpus {
            // Verified and parsed above: an error here cannot happen, and is counted out.
            if let Ok(payload) = verifier.verify_and_parse(black_box(body), Some(signature)) {
                for event in payload.events() {
                    touched += walk(&event);
                }
                payloads += 1;
            }
        }
    }
    let elapsed = start.elapsed().as_secs_f64();
    let cpu = match (cpu_start, thread_cpu_time()) {
        (Some(start), Some(end)) if end > start => Some((end - start).as_secs_f64()),
        _ => None,
    };
    black_box(touched);
    let wall_rate = payloads as f64 / elapsed;
    match cpu {
        Some(cpu) => {
            println!(
                "{payloads} payloads in {elapsed:.2} s wall ({wall_rate:.0}/s), {cpu:.2} s CPU"
            );
            println!("{:.0} payloads/s", payloads as f64 / cpu);
        }
        None => {
            println!("{payloads} payloads in {elapsed:.2} s wall");
            println!("{wall_rate:.0} payloads/s");
        }
    }
    ExitCode::SUCCESS
}
