//! Sending through the mock Graph API over loopback, pacing off: the client's own cost
//! per send (building, serializing, HTTP/1.1 over a pooled connection, decoding the
//! receipt). Run with `cargo bench -p sehat-whatsapp-mock --bench send_mock`.
//!
//! `send_mock/bare` is the floor under every figure here and under the outbox's dispatch:
//! the same requests, from a bare `reqwest` client to a bare `axum` route that answers a
//! fixed receipt (no validation, no middleware, no recording), on the same runtime. What
//! the client and the mock add is the difference between the two lines.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::sync::Arc;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use futures_util::stream::{self, StreamExt};

use sehat_whatsapp::PhoneNumberApi;
use sehat_whatsapp::ids::{PhoneNumberId, WaId};
use sehat_whatsapp::message::{Language, Message, TemplateMessage};
use sehat_whatsapp_mock::MockGraphApi;

const BATCH: usize = 2_000;
const CONCURRENCY: usize = 64;

fn reminders() -> Vec<Message> {
    (0..BATCH)
        .map(|i| {
            let template = TemplateMessage::new("pengingat_imunisasi", Language::new("id"))
                .named_body([
                    ("nama_anak", format!("Anak {i}")),
                    ("tanggal", "Sabtu, 6 Desember 2026".to_owned()),
                ]);
            Message::new(WaId::parse(&format!("62812{i:08}")).unwrap(), template).unwrap()
        })
        .collect()
}

fn send_through_mock(c: &mut Criterion) {
    let runtime = two_workers();
    let mock = runtime
        .block_on(MockGraphApi::start())
        .unwrap()
        .without_recording();
    let client = mock.client_builder().build().unwrap();
    let phone = Arc::new(client.phone(PhoneNumberId::new(MockGraphApi::PHONE_NUMBER_ID)));
    let messages = Arc::new(reminders());

    let mut group = c.benchmark_group("send_mock");
    group.throughput(Throughput::Elements(BATCH as u64));
    group.sample_size(20);
    group.bench_function("template_reminders_pacing_off", |b| {
        b.iter(|| send_all(&runtime, &phone, &messages));
    });
    group.finish();
}

/// User plus system CPU time of this process, from `/proc/self/stat` (Linux), in seconds.
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (which is in parentheses): utime is the 12th, stime
    // the 13th, in clock ticks (100 per second on Linux).
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / 100.0)
}

/// One long run outside criterion that also reports CPU time: on a shared machine the wall
/// clock measures the neighbours, while CPU seconds per send measure this code (client and
/// mock together, so the figure is conservative for the client alone).
fn cpu_cost(_: &mut Criterion) {
    const ROUNDS: usize = 10;
    let runtime = two_workers();
    let mock = runtime
        .block_on(MockGraphApi::start())
        .unwrap()
        .without_recording();
    let client = mock.client_builder().build().unwrap();
    let phone = Arc::new(client.phone(PhoneNumberId::new(MockGraphApi::PHONE_NUMBER_ID)));
    let messages = Arc::new(reminders());
    report_cpu("send_mock/cpu", ROUNDS * BATCH, || {
        for _ in 0..ROUNDS {
            send_all(&runtime, &phone, &messages);
        }
    });
}

/// Sends every message, `CONCURRENCY` at a time; all must be accepted.
fn send_all(runtime: &tokio::runtime::Runtime, phone: &Arc<PhoneNumberApi>, messages: &[Message]) {
    runtime.block_on(async {
        let sent = stream::iter(messages)
            .map(|message| {
                let phone = phone.clone();
                async move { phone.send(message).await }
            })
            .buffer_unordered(CONCURRENCY)
            .filter(|result| std::future::ready(result.is_ok()))
            .count()
            .await;
        assert_eq!(sent, BATCH);
    });
}

/// A runtime of two workers, as on the two-core machine the figures are quoted for.
fn two_workers() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// Runs `work`, which makes `sends` sends, and prints its wall-clock and CPU time.
fn report_cpu(label: &str, sends: usize, work: impl FnOnce()) {
    let cpu_before = cpu_seconds();
    let start = std::time::Instant::now();
    work();
    let wall = start.elapsed().as_secs_f64();
    let n = sends as f64;
    match (cpu_before, cpu_seconds()) {
        (Some(before), Some(after)) => {
            let cpu = after - before;
            println!(
                "{label}: {n} sends, wall {wall:.2} s ({:.0} sends/s), CPU {cpu:.2} s = {:.1} µs per send, {:.0} sends per CPU-second, {:.0} sends/s on two dedicated cores",
                n / wall,
                cpu * 1e6 / n,
                n / cpu,
                2.0 * n / cpu
            );
        }
        _ => println!(
            "{label}: {n} sends, wall {wall:.2} s ({:.0} sends/s)",
            n / wall
        ),
    }
}

/// The bare HTTP/1.1 exchange over loopback with the crates the client and the mock are
/// built on, and none of their code: the ceiling of any sender on this machine.
fn bare_exchange(_: &mut Criterion) {
    const SENDS: usize = 20_000;
    let runtime = two_workers();
    let url = runtime.block_on(async {
        let app = axum::Router::new().route(
            "/v23.0/{id}/messages",
            axum::routing::post(|body: axum::body::Bytes| async move {
                let request: serde_json::Value = serde_json::from_slice(&body).unwrap();
                let to = request["to"].as_str().unwrap_or_default().to_owned();
                axum::Json(serde_json::json!({
                    "messaging_product": "whatsapp",
                    "contacts": [{"input": to, "wa_id": to}],
                    "messages": [{"id": format!("wamid.HBgL{to}FQIAERgSQUFBQUFB")}],
                }))
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        format!(
            "http://{address}/v23.0/{}/messages",
            MockGraphApi::PHONE_NUMBER_ID
        )
    });
    let client = reqwest::Client::new();
    let bodies: Vec<Vec<u8>> = reminders()
        .iter()
        .map(|m| serde_json::to_vec(m).unwrap())
        .collect();
    let round = |n: usize| {
        runtime.block_on(async {
            stream::iter(bodies.iter().cycle().take(n))
                .map(|body| {
                    let request = client
                        .post(&url)
                        .bearer_auth("bench")
                        .header("content-type", "application/json")
                        .body(body.clone());
                    async move {
                        let answer: serde_json::Value =
                            request.send().await.unwrap().json().await.unwrap();
                        answer["messages"][0]["id"].is_string()
                    }
                })
                .buffer_unordered(CONCURRENCY)
                .filter(|ok| std::future::ready(*ok))
                .count()
                .await
        })
    };
    assert_eq!(round(BATCH), BATCH);
    report_cpu("send_mock/bare", SENDS, || assert_eq!(round(SENDS), SENDS));
}

criterion_group!(benches, send_through_mock, cpu_cost, bare_exchange);
criterion_main!(benches);
