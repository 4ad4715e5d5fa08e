//! Webhook verify-and-parse throughput (MB/s).
//!
//! `cargo bench -p sehat-whatsapp --bench webhook`. Three bodies: one text message (Meta's
//! spec example, about 1 KB), a delivery of 100 statuses with pricing (about 30 KB, a busy
//! campaign second), and a mixed batch of 50 messages of every common type.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use serde_json::json;

use sehat_whatsapp::webhook::{WebhookPayload, WebhookVerifier, sign_payload};

const SECRET: &str = "bench_app_secret_0123456789abcdef";

fn statuses_body(n: usize) -> Vec<u8> {
    let statuses: Vec<_> = (0..n)
        .map(|i| {
            let status = ["sent", "delivered", "read"][i % 3];
            json!({
                "id": format!("wamid.HBgLNjI4MTIzNDU2Nzg5MBUCABEYEjQ2QkY{i:08}AA=="),
                "status": status,
                "timestamp": (1_750_000_000 + i).to_string(),
                "recipient_id": format!("62812{i:08}"),
                "biz_opaque_callback_data": "campaign-2026-11-imunisasi",
                "pricing": {"billable": true, "pricing_model": "PMP", "type": "regular", "category": "utility"}
            })
        })
        .collect();
    serde_json::to_vec(&json!({
        "object": "whatsapp_business_account",
        "entry": [{"id": "102290129340398", "changes": [{"field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "15550783881", "phone_number_id": "106540352242922"},
            "statuses": statuses
        }}]}]
    }))
    .unwrap()
}

fn mixed_body(n: usize) -> Vec<u8> {
    let messages: Vec<_> = (0..n)
        .map(|i| {
            let base = json!({"from": format!("62812{i:08}"), "id": format!("wamid.M{i:08}"),
                              "timestamp": "1750000000"});
            let mut m = base;
            match i % 5 {
                0 => { m["type"] = json!("text"); m["text"] = json!({"body": "Kapan jadwal imunisasi berikutnya?"}); }
                1 => { m["type"] = json!("interactive"); m["interactive"] = json!({"type": "button_reply", "button_reply": {"id": "confirm", "title": "Ya, hadir"}}); }
                2 => { m["type"] = json!("image"); m["image"] = json!({"id": "1003383421387256", "mime_type": "image/jpeg", "sha256": "SfInY0gGKTsJlUWbwxC1k+FAD0FZHvzwfpvO0zX0GUI=", "caption": "KMS"}); }
                3 => { m["type"] = json!("button"); m["button"] = json!({"payload": "reschedule", "text": "Ganti jadwal"}); m["context"] = json!({"from": "15550783881", "id": "wamid.CTX"}); }
                _ => { m["type"] = json!("location"); m["location"] = json!({"latitude": -6.2, "longitude": 106.8, "name": "Posyandu Melati"}); }
            }
            m
        })
        .collect();
    let contacts: Vec<_> = (0..n)
        .map(|i| json!({"profile": {"name": "Ibu"}, "wa_id": format!("62812{i:08}")}))
        .collect();
    serde_json::to_vec(&json!({
        "object": "whatsapp_business_account",
        "entry": [{"id": "102290129340398", "changes": [{"field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "15550783881", "phone_number_id": "106540352242922"},
            "contacts": contacts,
            "messages": messages
        }}]}]
    }))
    .unwrap()
}

fn bench(c: &mut Criterion) {
    let verifier = WebhookVerifier::new([SECRET]);
    let bodies = [
        (
            "text_message",
            include_bytes!("../tests/data/webhook/webhook_message__text.json").to_vec(),
        ),
        ("statuses_100", statuses_body(100)),
        ("mixed_messages_50", mixed_body(50)),
    ];
    let mut group = c.benchmark_group("webhook");
    for (name, body) in &bodies {
        let header = sign_payload(SECRET.as_bytes(), body);
        group.throughput(Throughput::Bytes(body.len() as u64));
        group.bench_function(format!("verify_and_parse/{name}"), |b| {
            b.iter(|| {
                let payload = verifier
                    .verify_and_parse(black_box(body), Some(black_box(&header)))
                    .unwrap();
                black_box(payload.events().count())
            })
        });
        group.bench_function(format!("verify/{name}"), |b| {
            b.iter(|| {
                verifier
                    .verify(black_box(body), Some(black_box(&header)))
                    .unwrap()
            })
        });
        group.bench_function(format!("parse/{name}"), |b| {
            b.iter(|| black_box(WebhookPayload::from_slice(black_box(body)).unwrap()))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
