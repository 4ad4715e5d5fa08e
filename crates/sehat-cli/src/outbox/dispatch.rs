//! `sehat outbox dispatch`: sends what is due, live or rehearsed against the embedded mock.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use sehat_outbox::dispatch::{
    DispatchEvent, DispatchReport, Dispatcher, Pacing, RunMode, stop_signal,
};
use sehat_outbox::model::State;
use sehat_outbox::store::Store as _;
use sehat_outbox::{AnyStore, Outbox};
use sehat_whatsapp::PhoneNumberApi;
use time::OffsetDateTime;

use super::rehearse::{RehearseLog, sqlite_files};
use super::sender::{sending_phone, stop_on_signals};
use super::when::{read_quiet_hours, read_rfc3339};
use super::{Target, runtime};
use crate::error::{CliError, Result};

/// Arguments of `sehat outbox dispatch`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    target: Target,
    /// Keep going until nothing is due: messages paced a few seconds apart are waited
    /// for, and so are claims of dispatchers that died (until their lease ends).
    #[arg(long)]
    until_idle: bool,
    /// Run as if the clock read this RFC 3339 instant at the start (it keeps ticking from
    /// there): dueness, expiry and quiet hours follow it.
    #[arg(long, value_name = "RFC3339", value_parser = read_rfc3339)]
    now: Option<OffsetDateTime>,
    /// No message is sent in this period of each recipient's local day; it waits until
    /// the period ends (`HH:MM-HH:MM`, or `off`).
    #[arg(long, default_value = "21:00-07:00", value_name = "HH:MM-HH:MM", value_parser = read_quiet_hours)]
    quiet_hours: sehat_outbox::quiet::QuietHours,
    /// How many sends may be in flight at once.
    #[arg(long, default_value_t = 32, value_name = "N")]
    concurrency: usize,
    /// How many claim-send loops this process runs at once (1 to 16): while one batch's
    /// requests are out, the next is claimed and checked. Worth 2 to 4 on PostgreSQL,
    /// whose statements run in another process; they share --concurrency.
    #[arg(long, default_value_t = 1, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=16))]
    pipelines: u16,
    /// Send through the embedded mock Graph API instead of Meta's.
    #[arg(long)]
    rehearse: bool,
    /// With --rehearse: append one JSON line per send the mock accepted ({"key", "template",
    /// "subject"}) to FILE, before its outcome is recorded.
    #[arg(long, value_name = "FILE", requires = "rehearse")]
    rehearse_log: Option<PathBuf>,
    /// Messages per second from the business number, across every dispatcher (1 to 1000).
    #[arg(long, default_value_t = 80, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=1000))]
    rate: u32,
    /// The least time between two messages to one person, in seconds (0: no per-person
    /// pacing).
    #[arg(long, default_value_t = 6, value_name = "SECONDS")]
    recipient_gap: u64,
    /// How long a claim is held: another dispatcher takes over the claims of one that died
    /// after this many seconds.
    #[arg(long, default_value_t = 30, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..=3600))]
    lease: u64,
    /// The business phone-number id (live runs).
    #[arg(long, env = "WHATSAPP_PHONE_NUMBER_ID", value_name = "ID")]
    phone_number_id: Option<String>,
    /// The environment variable holding the access token (live runs).
    #[arg(long, default_value = "WHATSAPP_TOKEN", value_name = "VAR")]
    token_env: String,
}

/// How long `--until-idle` waits for a message that becomes due soon (paced, or a dead
/// dispatcher's claim) before it calls the outbox idle.
const SOON: Duration = Duration::from_secs(120);

/// Runs `sehat outbox dispatch`.
pub fn run(args: Args) -> Result {
    let keys = args.target.keys()?;
    let runtime = runtime()?;
    let report = runtime.block_on(async {
        let outbox = args.target.open(keys).await?;
        // Opened once the database and keys exist, so that a log naming either is seen
        // to be that file.
        let log = match &args.rehearse_log {
            Some(path) => {
                let mut kept = args
                    .target
                    .sqlite_path()
                    .map_or_else(Vec::new, |db| sqlite_files(Path::new(db)));
                kept.push(args.target.keys_dir()?);
                Some(Arc::new(RehearseLog::open(path, &kept)?))
            }
            None => None,
        };
        let (stop, signal) = stop_signal();
        tokio::spawn(stop_on_signals(stop));
        let (phone, mock) = sending_phone(
            args.rehearse,
            &args.token_env,
            args.phone_number_id.as_deref(),
        )
        .await?;
        let report = dispatch(&args, &outbox, phone, log, signal).await;
        drop(mock);
        report
    });
    let report = report?;
    let mut out = std::io::stdout().lock();
    print_report(&mut out, &report)?;
    Ok(())
}

async fn dispatch(
    args: &Args,
    outbox: &Outbox,
    phone: PhoneNumberApi,
    log: Option<Arc<RehearseLog>>,
    signal: sehat_outbox::dispatch::StopSignal,
) -> Result<DispatchReport> {
    let pacing = Pacing {
        per_second: args.rate,
        per_recipient: (args.recipient_gap > 0).then(|| Duration::from_secs(args.recipient_gap)),
    };
    let started = OffsetDateTime::now_utc();
    let mut dispatcher = Dispatcher::new(outbox, phone)
        .concurrency(args.concurrency)
        .pipelines(usize::from(args.pipelines))
        .lease(Duration::from_secs(args.lease))
        .quiet_hours(args.quiet_hours)
        .pacing(pacing);
    if let Some(now) = args.now {
        dispatcher = dispatcher.now_at(now);
    }
    let log_error = Arc::new(std::sync::Mutex::new(None::<std::io::Error>));
    if let Some(log) = log {
        let failed = log_error.clone();
        dispatcher = dispatcher.on_event(move |event| {
            if let DispatchEvent::Sent {
                key,
                template,
                subject,
                ..
            } = event
                && let Err(error) = log.accepted(key.as_str(), template, subject.as_str())
                && let Ok(mut slot) = failed.lock()
            {
                slot.get_or_insert(error);
            }
        });
    }
    let now = || match args.now {
        Some(at) => at + (OffsetDateTime::now_utc() - started),
        None => OffsetDateTime::now_utc(),
    };
    let mut total = DispatchReport::default();
    loop {
        let report = dispatcher
            .run(RunMode::UntilIdle, signal.clone())
            .await
            .map_err(CliError::from)?;
        let stopped = report.stopped.is_some();
        total.absorb(report);
        if let Some(error) = log_error.lock().ok().and_then(|mut e| e.take()) {
            return Err(CliError::msg(format!(
                "cannot write the rehearsal log: {error}"
            )));
        }
        if !args.until_idle || stopped || signal.is_stopped() {
            break;
        }
        // Idle for now: wait for what becomes due soon (paced messages, claims of a
        // dispatcher that died, whose lease runs out), else stop.
        let wait = match next_wake(outbox.store(), now(), args.lease).await? {
            Some(wait) if wait <= SOON => wait,
            _ => break,
        };
        let mut stopping = signal.clone();
        tokio::select! {
            () = tokio::time::sleep(wait) => {}
            () = stopping.stopped() => break,
        }
    }
    Ok(total)
}

/// How long until something may be dispatched: the next `not_before`, or (when claims
/// are outstanding) a lease's length.
async fn next_wake(store: &AnyStore, now: OffsetDateTime, lease: u64) -> Result<Option<Duration>> {
    let claimed: u64 = store
        .counts()
        .await?
        .iter()
        .filter(|c| c.state == State::Claimed)
        .map(|c| c.count)
        .sum();
    let due = store.next_due().await?.map(|at| {
        Duration::try_from(at - now)
            .unwrap_or(Duration::ZERO)
            .max(Duration::from_millis(50))
    });
    let held = (claimed > 0).then(|| Duration::from_millis(lease * 1000 / 4 + 100));
    Ok(match (due, held) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    })
}

fn print_report(out: &mut dyn std::io::Write, report: &DispatchReport) -> std::io::Result<()> {
    writeln!(out, "sent: {}", report.sent)?;
    writeln!(out, "failed: {}", report.failed)?;
    writeln!(out, "retry later: {}", report.retried)?;
    writeln!(out, "unknown: {}", report.unknown.len())?;
    writeln!(out, "suppressed: {}", report.suppressed)?;
    writeln!(out, "cancelled: {}", report.cancelled)?;
    writeln!(out, "expired: {}", report.expired)?;
    writeln!(out, "deferred: {}", report.deferred)?;
    writeln!(out, "recovered: {}", report.recovered)?;
    if let Some(reason) = &report.stopped {
        writeln!(out, "stopped: {reason}")?;
    }
    for key in &report.unknown {
        writeln!(out, "unknown key: {key}")?;
    }
    Ok(())
}
