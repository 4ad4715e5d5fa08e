//! The campaign sender through the mock Graph API over loopback, with its file journal
//! synced before every step counts:
//!
//! * a criterion measurement of a 10,000-recipient campaign, pacing off;
//! * one timed 100,000-recipient campaign, pacing off (the figure: sends/s with
//!   the journal's cost included), and the same with an in-memory journal, so the
//!   difference is the file journal's cost;
//! * the pacing accuracy at 80 messages/s over 1,600 recipients (20 s), measured from the
//!   mock's side: the rate at which requests arrive.
//!
//! Run with `cargo bench -p sehat-whatsapp --features mock --bench campaign`; set
//! `SEHAT_CAMPAIGN_QUICK=1` to skip the two long timed runs.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput};

use sehat_whatsapp::PhoneNumberApi;
use sehat_whatsapp::campaign::{Campaign, CampaignRecipient, FileJournal, Journal, MemoryJournal};
use sehat_whatsapp::ids::{PhoneNumberId, WaId};
use sehat_whatsapp::message::{Language, Message, TemplateMessage};
use sehat_whatsapp::mock::MockGraphApi;
use sehat_whatsapp::pacing::Pacing;

/// Sends in flight: each waits for two synced journal writes, so the journal's throughput
/// is about `CONCURRENCY / (2 × sync latency)`.
const CONCURRENCY: usize = 256;

fn audience(size: usize, offset: usize) -> Vec<CampaignRecipient> {
    (0..size)
        .map(|i| {
            let template =
                TemplateMessage::new("pita_pink_2026", Language::new("id")).named_body([
                    ("nama", format!("Ibu {i}")),
                    ("puskesmas", "Puskesmas Cakung".to_owned()),
                ]);
            let number = format!("6281{:09}", offset + i);
            CampaignRecipient::new(Message::new(WaId::parse(&number).unwrap(), template).unwrap())
        })
        .collect()
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

fn phone(mock: &MockGraphApi) -> PhoneNumberApi {
    mock.client_builder()
        .build()
        .unwrap()
        .phone(PhoneNumberId::new(MockGraphApi::PHONE_NUMBER_ID))
}

/// One campaign over a fresh file journal; returns the time taken.
fn timed_campaign(
    runtime: &tokio::runtime::Runtime,
    phone: &PhoneNumberApi,
    people: Vec<CampaignRecipient>,
    pacing: Option<Pacing>,
) -> Duration {
    let dir = tempfile::tempdir().unwrap();
    let journal = FileJournal::open(dir.path().join("campaign.journal")).unwrap();
    timed_with(runtime, phone, people, pacing, journal)
}

fn timed_with(
    runtime: &tokio::runtime::Runtime,
    phone: &PhoneNumberApi,
    people: Vec<CampaignRecipient>,
    pacing: Option<Pacing>,
    journal: impl Journal,
) -> Duration {
    let size = people.len();
    let campaign = Campaign::new(journal).concurrency(CONCURRENCY);
    let campaign = match pacing {
        Some(pacing) => campaign.pacing(pacing),
        None => campaign.no_pacing(),
    };
    let start = Instant::now();
    let report = runtime.block_on(campaign.run(phone, people)).unwrap();
    let elapsed = start.elapsed();
    assert_eq!(report.sent, size);
    elapsed
}

fn criterion_10k(runtime: &tokio::runtime::Runtime, phone: &PhoneNumberApi) {
    let mut criterion = Criterion::default().configure_from_args().sample_size(10);
    let mut group = criterion.benchmark_group("campaign");
    group.throughput(Throughput::Elements(10_000));
    let mut round = 0;
    group.bench_function("10k_recipients_file_journal_pacing_off", |b| {
        b.iter_custom(|iterations| {
            let mut total = Duration::ZERO;
            for _ in 0..iterations {
                round += 1;
                total += timed_campaign(runtime, phone, audience(10_000, round * 10_000), None);
            }
            total
        });
    });
    group.finish();
    criterion.final_summary();
}

fn main() {
    let runtime = runtime();
    let mock = runtime
        .block_on(MockGraphApi::start())
        .unwrap()
        .without_recording();
    let phone = phone(&mock);
    criterion_10k(&runtime, &phone);
    if std::env::var_os("SEHAT_CAMPAIGN_QUICK").is_some() {
        return;
    }

    let elapsed = timed_campaign(&runtime, &phone, audience(100_000, 500_000_000), None);
    println!(
        "campaign/100k_recipients_file_journal_pacing_off (concurrency {CONCURRENCY}): {:.2} s, {:.0} sends/s",
        elapsed.as_secs_f64(),
        100_000.0 / elapsed.as_secs_f64()
    );

    let elapsed = timed_with(
        &runtime,
        &phone,
        audience(100_000, 600_000_000),
        None,
        MemoryJournal::new(),
    );
    println!(
        "campaign/100k_recipients_memory_journal_pacing_off (concurrency {CONCURRENCY}): {:.2} s, {:.0} sends/s",
        elapsed.as_secs_f64(),
        100_000.0 / elapsed.as_secs_f64()
    );

    // Pacing accuracy, seen from the mock: the arrival times of the requests.
    let recorded = runtime.block_on(MockGraphApi::start()).unwrap();
    let paced_phone = phone_for(&recorded);
    let size = 1_600;
    let start = Instant::now();
    timed_campaign(
        &runtime,
        &paced_phone,
        audience(size, 700_000_000),
        Some(Pacing::default()),
    );
    let total = start.elapsed().as_secs_f64();
    let sends = recorded
        .requests()
        .iter()
        .filter(|r| r.path.ends_with("/messages"))
        .count();
    // The pacer lets the first burst (80/20 = 4) through at once; the rest follow at the rate.
    let rate = (sends - 4) as f64 / total;
    println!(
        "campaign/pacing_80_per_s: {sends} sends in {total:.3} s: {rate:.2} messages/s ({:+.2} % from 80)",
        (rate - 80.0) / 80.0 * 100.0
    );
}

fn phone_for(mock: &MockGraphApi) -> PhoneNumberApi {
    phone(mock)
}
