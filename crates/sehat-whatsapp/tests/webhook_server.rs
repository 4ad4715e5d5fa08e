//! `webhook::server` under a flood of small POSTs that look like Meta's but are not
//! signed by the app secret: every one is refused, none reaches the events, and the body
//! budget they took is all given back, so a real delivery of the largest size is still
//! accepted afterwards.
#![cfg(feature = "server")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use serde_json::json;

use sehat_whatsapp::webhook::server::{self, ServerLimits};
use sehat_whatsapp::webhook::{SIGNATURE_HEADER, WebhookVerifier, sign_payload};

const APP_SECRET: &str = "flood-app-secret";

struct Hook {
    verifier: WebhookVerifier,
    events: AtomicUsize,
}

async fn notify(State(hook): State<Arc<Hook>>, headers: HeaderMap, body: Bytes) -> StatusCode {
    match hook.verifier.verify_and_parse_headers(&headers, &body) {
        Ok(payload) => {
            hook.events
                .fetch_add(payload.events().count(), Ordering::SeqCst);
            StatusCode::OK
        }
        Err(e) if e.is_signature() => StatusCode::UNAUTHORIZED,
        Err(_) => StatusCode::BAD_REQUEST,
    }
}

/// A `messages` webhook with one text message, padded with spaces to `len` bytes.
fn message(id: &str, len: usize) -> String {
    let mut body = json!({
        "object": "whatsapp_business_account",
        "entry": [{"id": "102290129340398", "changes": [{"field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "15550783881", "phone_number_id": "106540352242922"},
            "contacts": [{"profile": {"name": "Kader"}, "wa_id": "6281234567890"}],
            "messages": [{"from": "6281234567890", "id": id, "timestamp": "1764115200",
                          "type": "text", "text": {"body": "halo"}}]
        }}]}]
    })
    .to_string();
    assert!(body.len() <= len);
    body.extend(std::iter::repeat_n(' ', len - body.len()));
    body
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_of_unsigned_posts_is_refused_and_gives_its_body_budget_back() {
    // The budget holds one body of the largest size: a single permit kept by a refused
    // request would turn the real delivery at the end into a 503.
    let mut limits = ServerLimits::default();
    limits.max_body_len = 16 << 10;
    limits.body_budget = 16 << 10;
    let hook = Arc::new(Hook {
        verifier: WebhookVerifier::new([APP_SECRET]).max_body_len(limits.max_body_len),
        events: AtomicUsize::new(0),
    });
    let app = server::harden(
        Router::new()
            .route("/webhook", post(notify))
            .with_state(Arc::clone(&hook)),
        &limits,
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/webhook", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(server::serve(listener, app, limits, async {
        let _ = stopped.await;
    }));

    // 32 senders at once, each on its own keep-alive connection, 25 POSTs each: a
    // well-formed 1 KiB webhook with a signature of the right shape under another key,
    // a garbage signature, or none at all.
    let forged = sign_payload(b"not-the-app-secret", message("wamid.x", 1024).as_bytes());
    let signatures = [
        Some(forged),
        Some(format!("sha256={}", "0".repeat(64))),
        None,
    ];
    let senders: Vec<_> = (0..32)
        .map(|sender| {
            let url = url.clone();
            let signatures = signatures.clone();
            tokio::spawn(async move {
                let http = reqwest::Client::builder()
                    .no_proxy()
                    .timeout(Duration::from_secs(20))
                    .build()
                    .unwrap();
                let mut statuses = Vec::new();
                for i in 0..25 {
                    let body = message(&format!("wamid.flood{sender}x{i}"), 1024);
                    let mut request = http
                        .post(&url)
                        .header("content-type", "application/json")
                        .body(body);
                    if let Some(signature) = &signatures[(sender + i) % signatures.len()] {
                        request = request.header(SIGNATURE_HEADER, signature);
                    }
                    statuses.push(request.send().await.unwrap().status().as_u16());
                }
                statuses
            })
        })
        .collect();
    let mut refused = 0;
    for sender in senders {
        for status in sender.await.unwrap() {
            // 503 is the body budget saying "later" to a burst; nothing is accepted.
            assert!(matches!(status, 401 | 503), "{status}");
            refused += usize::from(status == 401);
        }
    }
    assert!(refused > 0);
    assert_eq!(
        hook.events.load(Ordering::SeqCst),
        0,
        "an unsigned event got in"
    );

    // Meta's own delivery, as large as allowed, needs the whole budget back.
    let body = message("wamid.real", 16 << 10);
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let status = http
        .post(&url)
        .header("content-type", "application/json")
        .header(
            SIGNATURE_HEADER,
            sign_payload(APP_SECRET.as_bytes(), body.as_bytes()),
        )
        .body(body)
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, 200);
    assert_eq!(hook.events.load(Ordering::SeqCst), 1);

    let _ = stop.send(());
    tokio::time::timeout(Duration::from_secs(20), running)
        .await
        .expect("the server stops")
        .unwrap();
}
