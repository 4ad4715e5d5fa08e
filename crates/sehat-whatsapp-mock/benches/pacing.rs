//! Pacing accuracy: sends to distinct recipients through the mock for 10 s with the
//! default pacing (80 messages/s per number) and checks the achieved rate is within ±2 %.
//! A timing measurement, so it is a bench and not a test:
//! `cargo bench -p sehat-whatsapp-mock --bench pacing`.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use sehat_whatsapp::ids::{PhoneNumberId, WaId};
use sehat_whatsapp::message::{Message, Text};
use sehat_whatsapp::pacing::Pacing;
use sehat_whatsapp_mock::MockGraphApi;

const RATE: u32 = 80;
const WINDOW: Duration = Duration::from_secs(10);
const WORKERS: u64 = 16;

fn main() {
    // `cargo bench` passes `--bench`; a filter that does not match this bench skips it.
    let filter = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    if filter.is_some_and(|f| !"pacing".contains(f.as_str())) {
        return;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let (sent, elapsed) = runtime.block_on(async {
        let mock = MockGraphApi::start().await.unwrap().without_recording();
        let client = mock
            .client_builder()
            .pacing(Pacing::default().number_rate(RATE).unwrap())
            .build()
            .unwrap();
        let phone = Arc::new(client.phone(PhoneNumberId::new(MockGraphApi::PHONE_NUMBER_ID)));
        let sent = Arc::new(AtomicU64::new(0));
        let start = Instant::now();
        let deadline = start + WINDOW;
        let mut tasks = Vec::new();
        for worker in 0..WORKERS {
            let phone = phone.clone();
            let sent = sent.clone();
            tasks.push(tokio::spawn(async move {
                let mut i = 0u64;
                loop {
                    let to = WaId::parse(&format!("6281{worker:03}{i:06}")).unwrap();
                    let message = Message::new(to, Text::new("Halo")).unwrap();
                    // Count a send when the pacer let it go inside the window.
                    let result = phone.send(&message).await;
                    if Instant::now() > deadline {
                        break;
                    }
                    result.unwrap();
                    sent.fetch_add(1, Ordering::Relaxed);
                    i += 1;
                }
            }));
        }
        for task in tasks {
            task.await.unwrap();
        }
        (sent.load(Ordering::Relaxed), WINDOW)
    });
    let rate = sent as f64 / elapsed.as_secs_f64();
    let deviation = (rate - f64::from(RATE)) / f64::from(RATE) * 100.0;
    println!(
        "pacing: {sent} sends in {:.1} s = {rate:.2} messages/s (target {RATE}, {deviation:+.2} %)",
        elapsed.as_secs_f64()
    );
    assert!(deviation.abs() <= 2.0, "pacing off by {deviation:+.2} %");
}
