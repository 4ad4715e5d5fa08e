//! Sending through the mock Graph API over loopback, pacing off: the client's own cost
//! per send (building, serializing, HTTP/1.1 over a pooled connection, decoding the
//! receipt). Run with `cargo bench -p sehat-whatsapp --features mock --bench send_mock`.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::sync::Arc;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use futures_util::stream::{self, StreamExt};

use sehat_whatsapp::ids::{PhoneNumberId, WaId};
use sehat_whatsapp::message::{Language, Message, TemplateMessage};
use sehat_whatsapp::mock::MockGraphApi;

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
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
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
        b.iter(|| {
            runtime.block_on(async {
                let sent = stream::iter(messages.iter())
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
        });
    });
    group.finish();
}

criterion_group!(benches, send_through_mock);
criterion_main!(benches);
