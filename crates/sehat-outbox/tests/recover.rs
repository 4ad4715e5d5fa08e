//! Crashes: a dispatcher that dies mid-send never causes a second send.

#![allow(clippy::expect_used, clippy::unwrap_used)]

mod support;

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use sehat_outbox::dispatch::{CheckBeforeSend, Dispatcher, RunMode, Transport, Verdict};
use sehat_outbox::model::{MessageKey, State};
use sehat_outbox::store::Claimed;
use sehat_whatsapp::ids::PhoneNumberId;
use sehat_whatsapp::message::Message;
use support::harness::{DAY, Harness, never, reminder};

/// A transport whose request "leaves" (is counted) and then never answers: the process
/// dies with the request in flight.
#[derive(Clone)]
struct Hangs {
    id: PhoneNumberId,
    calls: Arc<AtomicUsize>,
}

impl Transport for Hangs {
    fn business_number(&self) -> &PhoneNumberId {
        &self.id
    }

    fn send(
        &self,
        _message: &Message,
    ) -> impl Future<Output = Result<sehat_whatsapp::SendReceipt, sehat_whatsapp::Error>> + Send
    {
        self.calls.fetch_add(1, Ordering::SeqCst);
        std::future::pending()
    }
}

/// A check that never returns: the process dies after the claim, before any send.
struct Stuck(Arc<AtomicUsize>);

impl CheckBeforeSend for Stuck {
    async fn check(&self, _message: &Claimed) -> Verdict {
        self.0.fetch_add(1, Ordering::SeqCst);
        std::future::pending().await
    }
}

async fn wait_for(counter: &AtomicUsize, n: usize) {
    for _ in 0..500 {
        if counter.load(Ordering::SeqCst) >= n {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("counter never reached {n}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_send_in_flight_when_the_worker_dies_becomes_unknown_and_is_not_repeated() {
    let h = Harness::new().await;
    h.schedule(&[reminder("x/1", "0812-6666-0001")]).await;
    let calls = Arc::new(AtomicUsize::new(0));
    let dead = Dispatcher::new(
        &h.outbox,
        Hangs {
            id: PhoneNumberId::new(support::harness::NUMBER_ID),
            calls: Arc::clone(&calls),
        },
    )
    .no_pacing()
    .now_at(DAY)
    .lease(Duration::from_secs(60))
    .worker("dies");
    let task = tokio::spawn(async move { dead.run(RunMode::UntilIdle, never()).await });
    wait_for(&calls, 1).await;
    task.abort();
    let _ = task.await;
    assert_eq!(h.state("x/1").await, State::Claimed);
    // Within the lease nobody touches it.
    let r = h.dispatch(DAY + Duration::from_secs(30)).await;
    assert_eq!((r.sent, r.unknown.len()), (0, 0));
    // After the lease, another worker reports it unknown and does not send it.
    let r = h.dispatch(DAY + Duration::from_secs(120)).await;
    assert_eq!(r.unknown, vec![MessageKey::new("x/1").expect("key")]);
    assert_eq!(r.sent, 0);
    assert_eq!(h.state("x/1").await, State::Unknown);
    assert!(h.sent().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_claim_never_marked_sending_is_taken_over_and_sent_once() {
    let h = Harness::new().await;
    h.schedule(&[reminder("x/2", "0812-6666-0002")]).await;
    let checks = Arc::new(AtomicUsize::new(0));
    let dead = h
        .dispatcher(DAY)
        .lease(Duration::from_secs(60))
        .worker("dies")
        .check_before_send(Stuck(Arc::clone(&checks)));
    let task = tokio::spawn(async move { dead.run(RunMode::UntilIdle, never()).await });
    wait_for(&checks, 1).await;
    task.abort();
    let _ = task.await;
    assert_eq!(h.state("x/2").await, State::Claimed);
    let r = h.dispatch(DAY + Duration::from_secs(120)).await;
    assert_eq!((r.recovered, r.sent), (1, 1));
    assert_eq!(h.state("x/2").await, State::Sent);
    assert_eq!(h.sent().len(), 1);
}
