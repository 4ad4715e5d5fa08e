//! The drivers of the fleet benchmark (`benches/vs_graphile_worker.sh`): schedule many
//! messages into any outbox URL, dispatch them through the loopback mock Graph API from
//! one or several processes, and resume after a crash.
//!
//! ```text
//! fleet_bench schedule DB_URL KEYS_DIR COUNT [BATCH] [DUE] [LANES]
//! fleet_bench dispatch DB_URL KEYS_DIR [CONCURRENCY] [PIPELINES]
//! fleet_bench resume   DB_URL KEYS_DIR
//! fleet_bench floor    COUNT [CONCURRENCY]
//! ```
//!
//! `DB_URL` is `sqlite:PATH` or `postgres://…`. `schedule` makes the first `DUE` messages
//! (default: all) due now and the others due in 30 days, so a dispatch run sends `DUE`
//! messages out of an outbox of `COUNT`; it stores batches of `BATCH` (default 10,000)
//! from `LANES` loops at once (default 3: while one batch is prepared, the database
//! stores the others, on its own cores). Each command prints one JSON line of
//! figures. `dispatch` runs until nothing is due, pacing off; several may run at once on
//! one database. `resume` is what a dispatcher does first after a crash: open the outbox,
//! migrate, take over expired claims and send one batch; it reports how long that took and
//! the process's peak memory. `floor` measures what no dispatcher can beat on this machine:
//! the same requests, `CONCURRENCY` (default 64) in flight, from a bare `reqwest` client to a
//! bare `axum` route on loopback that answers a fixed receipt, with no database, no
//! checks and none of the client's or the mock's code.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use sehat_outbox::dispatch::{DispatchEvent, Dispatcher, RunMode, StopSignal, stop_signal};
use sehat_outbox::input::{ScheduleRequest, prepare_all};
use sehat_outbox::model::{NewMessage, Purpose, ScheduleOutcome};
use sehat_outbox::store::Store;
use sehat_outbox::{Outbox, OutboxKeys};
use sehat_whatsapp::ids::PhoneNumberId;
use sehat_whatsapp_mock::MockGraphApi;
use time::OffsetDateTime;
use time::macros::datetime;

/// 10:00 in Jakarta: outside quiet hours in all three Indonesian zones.
const DAY: OffsetDateTime = datetime!(2026-05-04 03:00 UTC);

/// The allocator of the `sehat` binary, whose `outbox` commands these drivers stand for.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

type Failure = Box<dyn std::error::Error + Send + Sync>;

fn usage() -> Failure {
    "usage: fleet_bench schedule DB_URL KEYS_DIR COUNT [BATCH] [DUE] [LANES] | dispatch DB_URL \
     KEYS_DIR [CONCURRENCY] [PIPELINES] | resume DB_URL KEYS_DIR | floor COUNT [CONCURRENCY]"
        .into()
}

/// The process's peak resident memory in MiB (Linux `VmHWM`).
fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

/// A number in one of the human formats people write (the outbox normalizes them all).
fn phone(i: u64) -> String {
    let subscriber = 10_000_000 + (i % 90_000_000);
    match i % 4 {
        0 => format!("0812{subscriber:08}"),
        1 => format!("+62 812-{}-{:04}", subscriber / 10_000, subscriber % 10_000),
        2 => format!("62812{subscriber:08}"),
        _ => format!("0812 {} {:04}", subscriber / 10_000, subscriber % 10_000),
    }
}

fn request(i: u64, due: u64) -> ScheduleRequest {
    let not_before = if i < due {
        DAY - Duration::from_secs(i % 3_600)
    } else {
        DAY + Duration::from_secs(30 * 24 * 3_600)
    };
    let mut r = ScheduleRequest::new(
        format!("bench/{i}/dtp/1"),
        phone(i),
        Purpose::Reminder,
        "imunisasi_reminder",
        not_before,
    );
    r.params = BTreeMap::from([
        ("nama".to_owned(), format!("Anak {}", i % 1_000)),
        ("vaksin".to_owned(), "DPT-HB-Hib 1".to_owned()),
    ]);
    r
}

/// Parses, pseudonymizes and tokenizes requests `start..end` (in parallel).
fn prepare(keys: &OutboxKeys, start: u64, end: u64, due: u64) -> Result<Vec<NewMessage>, String> {
    let requests: Vec<ScheduleRequest> = (start..end).map(|i| request(i, due)).collect();
    prepare_all(keys, &requests)
        .into_iter()
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("a generated request was refused: {e}"))
}

async fn schedule(
    url: &str,
    keys: &str,
    count: u64,
    batch: u64,
    due: u64,
    lanes: u64,
) -> Result<(), Failure> {
    let (batch, lanes) = (batch.max(1), lanes.max(1));
    let outbox = Outbox::open(url, OutboxKeys::open_or_create(keys)?).await?;
    let started = Instant::now();
    // `lanes` loops at once, each storing every `lanes`-th batch while it prepares its next
    // one, so that the database stores one batch while another is being stored or prepared.
    let lane = |lane: u64| {
        let outbox = &outbox;
        async move {
            let batches = (lane * batch..count).step_by(usize::try_from(batch * lanes)?);
            let mut new = 0;
            let mut next: Option<tokio::task::JoinHandle<Result<Vec<NewMessage>, String>>> = None;
            let mut starts = batches.peekable();
            while let Some(start) = starts.next() {
                let messages = match next.take() {
                    Some(handle) => handle.await??,
                    None => prepare(
                        &outbox.shared_keys(),
                        start,
                        (start + batch).min(count),
                        due,
                    )?,
                };
                if let Some(&following) = starts.peek() {
                    let keys = outbox.shared_keys();
                    next = Some(tokio::task::spawn_blocking(move || {
                        prepare(&keys, following, (following + batch).min(count), due)
                    }));
                }
                let outcomes = outbox.store().schedule(&messages, DAY).await?;
                new += outcomes
                    .iter()
                    .filter(|o| matches!(o, ScheduleOutcome::New))
                    .count();
            }
            Ok::<usize, Failure>(new)
        }
    };
    let new: usize = futures_util::future::try_join_all((0..lanes).map(lane))
        .await?
        .into_iter()
        .sum();
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "{{\"command\":\"schedule\",\"messages\":{count},\"due\":{due},\"new\":{new},\"lanes\":{lanes},\
         \"seconds\":{seconds:.3},\"per_second\":{:.0},\"peak_rss_mib\":{:.1}}}",
        count as f64 / seconds,
        peak_rss_mib()
    );
    Ok(())
}

async fn dispatch(
    url: &str,
    keys: &str,
    concurrency: usize,
    pipelines: usize,
) -> Result<(), Failure> {
    let outbox = Outbox::open(url, OutboxKeys::open_or_create(keys)?).await?;
    let mock = MockGraphApi::start().await?.without_recording();
    let phone = mock.client()?.phone(PhoneNumberId::new("106540352242922"));
    let dispatcher = Dispatcher::new(&outbox, phone)
        .no_pacing()
        .concurrency(concurrency)
        .pipelines(pipelines)
        .now_at(DAY)
        .worker(format!("bench-{}", std::process::id()));
    let started = Instant::now();
    let report = dispatcher
        .run(RunMode::UntilIdle, StopSignal::never())
        .await?;
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "{{\"command\":\"dispatch\",\"sent\":{},\"failed\":{},\"unknown\":{},\"suppressed\":{},\
         \"seconds\":{seconds:.3},\"per_second\":{:.0},\"peak_rss_mib\":{:.1}}}",
        report.sent,
        report.failed,
        report.unknown.len(),
        report.suppressed,
        report.sent as f64 / seconds,
        peak_rss_mib()
    );
    Ok(())
}

async fn resume(url: &str, keys: &str) -> Result<(), Failure> {
    let started = Instant::now();
    let outbox = Outbox::open(url, OutboxKeys::open_or_create(keys)?).await?;
    let opened = started.elapsed();
    // The crashed dispatcher's leases: as if they had run out (they do after 5 minutes),
    // so this measures the take-over too.
    let recovered = outbox
        .store()
        .recover(DAY + Duration::from_secs(24 * 3600))
        .await?;
    let recovered_at = started.elapsed();
    let mock = MockGraphApi::start().await?.without_recording();
    let phone = mock.client()?.phone(PhoneNumberId::new("106540352242922"));
    let (stop, signal) = stop_signal();
    let sent = Arc::new(AtomicU64::new(0));
    let seen = Arc::clone(&sent);
    let dispatcher = Dispatcher::new(&outbox, phone)
        .no_pacing()
        .now_at(DAY)
        .batch(256)
        .worker(format!("resume-{}", std::process::id()))
        .on_event(move |e| {
            if matches!(e, DispatchEvent::Sent { .. })
                && seen.fetch_add(1, Ordering::Relaxed) + 1 >= 256
            {
                stop.stop();
            }
        });
    let report = dispatcher.run(RunMode::UntilIdle, signal).await?;
    let first_sends = started.elapsed();
    println!(
        "{{\"command\":\"resume\",\"open_and_migrate_s\":{:.3},\"recover_s\":{:.3},\
         \"rescheduled\":{},\"unknown\":{},\"first_batch_sent\":{},\"to_first_batch_s\":{:.3},\
         \"peak_rss_mib\":{:.1}}}",
        opened.as_secs_f64(),
        (recovered_at - opened).as_secs_f64(),
        recovered.rescheduled,
        recovered.unknown.len(),
        report.sent,
        first_sends.as_secs_f64(),
        peak_rss_mib()
    );
    Ok(())
}

/// The bare HTTP/1.1 exchange: `count` requests with the bodies a dispatch sends (a template
/// reminder with two named parameters), `concurrency` in flight, to a route that parses the
/// body and answers a fixed receipt.
async fn floor(count: usize, concurrency: usize) -> Result<(), Failure> {
    use futures_util::StreamExt as _;
    use sehat_whatsapp::ids::WaId;
    use sehat_whatsapp::message::{Language, Message, TemplateMessage};

    let app = axum::Router::new().route(
        "/v23.0/{id}/messages",
        axum::routing::post(|body: axum::body::Bytes| async move {
            let request: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
            let to = request["to"].as_str().unwrap_or_default().to_owned();
            axum::Json(serde_json::json!({
                "messaging_product": "whatsapp",
                "contacts": [{"input": to, "wa_id": to}],
                "messages": [{"id": format!("wamid.HBgL{to}FQIAERgSQUFBQUFB")}],
            }))
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    tokio::spawn(async move { axum::serve(listener, app).await });
    let url = format!("http://{address}/v23.0/106540352242922/messages");
    let mut bodies = Vec::with_capacity(count);
    for i in 0..count as u64 {
        let template =
            TemplateMessage::new("imunisasi_reminder", Language::new("id")).named_body([
                ("nama".to_owned(), format!("Anak {}", i % 1_000)),
                ("vaksin".to_owned(), "DPT-HB-Hib 1".to_owned()),
            ]);
        let to = WaId::parse(&format!("62812{:08}", 10_000_000 + i % 90_000_000))?;
        bodies.push(serde_json::to_vec(&Message::new(to, template)?)?);
    }
    let client = reqwest::Client::new();
    let started = Instant::now();
    let answered = futures_util::stream::iter(bodies)
        .map(|body| {
            let request = client
                .post(&url)
                .bearer_auth("bench")
                .header("content-type", "application/json")
                .body(body);
            async move {
                let answer: serde_json::Value = request.send().await?.json().await?;
                Ok::<bool, reqwest::Error>(answer["messages"][0]["id"].is_string())
            }
        })
        .buffer_unordered(concurrency.max(1))
        .filter(|r| std::future::ready(matches!(r, Ok(true))))
        .count()
        .await;
    let seconds = started.elapsed().as_secs_f64();
    if answered != count {
        return Err(format!("{} of {count} exchanges failed", count - answered).into());
    }
    println!(
        "{{\"command\":\"floor\",\"exchanges\":{count},\"concurrency\":{concurrency},\
         \"seconds\":{seconds:.3},\"per_second\":{:.0}}}",
        count as f64 / seconds
    );
    Ok(())
}

#[tokio::main]
async fn main() -> Result<(), Failure> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |i: usize| args.get(i).map(String::as_str).ok_or_else(usage);
    match arg(0)? {
        "schedule" => {
            let count = arg(3)?.parse()?;
            let batch = args.get(4).map_or(Ok(10_000), |b| b.parse())?;
            let due = args.get(5).map_or(Ok(count), |d| d.parse())?;
            let lanes = args.get(6).map_or(Ok(3), |l| l.parse())?;
            schedule(arg(1)?, arg(2)?, count, batch, due, lanes).await
        }
        "dispatch" => {
            let concurrency = args.get(3).map_or(Ok(64), |c| c.parse())?;
            let pipelines = args.get(4).map_or(Ok(1), |p| p.parse())?;
            dispatch(arg(1)?, arg(2)?, concurrency, pipelines).await
        }
        "resume" => resume(arg(1)?, arg(2)?).await,
        "floor" => {
            let concurrency = args.get(2).map_or(Ok(64), |c| c.parse())?;
            floor(arg(1)?.parse()?, concurrency).await
        }
        _ => Err(usage()),
    }
}
