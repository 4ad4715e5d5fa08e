//! PostgreSQL-specific behaviour of `PgStore`, on a real throwaway server
//! (`sehat-test-pg`): concurrent workers, lease take-over, concurrent migrations, fleet-wide
//! pacing, and what the database holds at rest.
#![cfg(feature = "postgres")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

mod support;

use sehat_outbox::OutboxKeys;
use sehat_outbox::model::{MessageKey, NewMessage, Purpose, ScheduleOutcome, State};
use sehat_outbox::store::postgres::PgStore;
use sehat_outbox::store::{Completion, Outcome, SlotRequest, Store, StoreError};
use sehat_pseudonym::PhoneNumber;
use time::OffsetDateTime;
use time::macros::datetime;

const T0: OffsetDateTime = datetime!(2026-12-01 02:00 UTC);

fn keys() -> OutboxKeys {
    OutboxKeys::generate().expect("fresh keys")
}

fn phone(i: u32) -> PhoneNumber {
    PhoneNumber::from_e164(&format!("+62812{:08}", 10_000_000 + i)).expect("a valid number")
}

fn message(keys: &OutboxKeys, i: u32, not_before: OffsetDateTime) -> NewMessage {
    let number = phone(i);
    NewMessage::new(
        MessageKey::new(&format!("child-{i}/dtp/1")).expect("key"),
        keys.subject_of_phone(&number),
        keys.token_of_phone(&number).expect("token"),
        Purpose::Reminder,
        "imunisasi_reminder",
        "id",
        not_before,
    )
    .param("nama", format!("Anak {i}"))
}

async fn store(url: &str) -> PgStore {
    let store = PgStore::connect(url).await.expect("connect");
    store.migrate().await.expect("migrate");
    store
}

async fn raw(url: &str) -> tokio_postgres::Client {
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .expect("connect");
    tokio::spawn(connection);
    client
}

fn count_of(counts: &[sehat_outbox::store::StateCount], state: State) -> u64 {
    counts
        .iter()
        .filter(|c| c.state == state)
        .map(|c| c.count)
        .sum()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn four_workers_never_claim_the_same_key() {
    let Some(db) = sehat_test_pg::database() else {
        return;
    };
    let keys = keys();
    let first = store(db.url()).await;
    let n = 3_000;
    let messages: Vec<NewMessage> = (0..n)
        .map(|i| message(&keys, i, T0 + Duration::from_millis(u64::from(i % 97))))
        .collect();
    for chunk in messages.chunks(500) {
        first.schedule(chunk, T0).await.expect("schedule");
    }
    let now = T0 + Duration::from_secs(60);
    let mut tasks = Vec::new();
    for w in 0..4 {
        // Each worker is its own store with its own connections, as separate processes are.
        let store = store(db.url()).await;
        tasks.push(tokio::spawn(async move {
            let worker = format!("worker-{w}");
            let mut mine = Vec::new();
            loop {
                let batch = store
                    .claim(&worker, now, Duration::from_secs(300), 37)
                    .await
                    .expect("claim");
                if batch.claimed.is_empty() {
                    break;
                }
                let keys: Vec<MessageKey> = batch.claimed.iter().map(|c| c.key.clone()).collect();
                let held = store.mark_sending(&worker, &keys, now).await.expect("mark");
                assert_eq!(held, keys, "a fresh claim is held in full");
                let done: Vec<Completion> = held
                    .iter()
                    .map(|k| {
                        Completion::new(
                            k.clone(),
                            Outcome::Sent {
                                wamid: sehat_outbox::model::WamidMac::from_stored(&format!(
                                    "wm-{}",
                                    k.as_str()
                                )),
                            },
                        )
                    })
                    .collect();
                assert_eq!(
                    store.complete(&done, now).await.expect("complete"),
                    done.len() as u64
                );
                mine.extend(held);
            }
            mine
        }));
    }
    let mut all = Vec::new();
    let mut per_worker = Vec::new();
    for t in tasks {
        let mine = t.await.expect("worker");
        per_worker.push(mine.len());
        all.extend(mine);
    }
    let unique: HashSet<&MessageKey> = all.iter().collect();
    assert_eq!(
        all.len(),
        n as usize,
        "every key claimed once: {per_worker:?}"
    );
    assert_eq!(unique.len(), n as usize, "no key claimed twice");
    let counts = first.counts().await.expect("counts");
    assert_eq!(count_of(&counts, State::Sent), u64::from(n));
    assert_eq!(first.next_due().await.expect("next due"), None);
    // The queue table is empty and no lease is left without a message.
    let client = raw(db.url()).await;
    let due: i64 = client
        .query_one("SELECT count(*) FROM outbox_due", &[])
        .await
        .expect("query")
        .get(0);
    assert_eq!(due, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_lease_is_taken_over_and_a_marked_send_is_never_repeated() {
    let Some(db) = sehat_test_pg::database() else {
        return;
    };
    let keys = keys();
    let a = store(db.url()).await;
    let b = store(db.url()).await;
    let messages: Vec<NewMessage> = (0..10).map(|i| message(&keys, i, T0)).collect();
    a.schedule(&messages, T0).await.expect("schedule");

    let lease = Duration::from_secs(30);
    let claimed = a.claim("a", T0, lease, 100).await.expect("claim").claimed;
    assert_eq!(claimed.len(), 10);
    let sending: Vec<MessageKey> = claimed[..3].iter().map(|c| c.key.clone()).collect();
    assert_eq!(
        a.mark_sending("a", &sending, T0).await.expect("mark"),
        sending
    );
    // Worker a dies here.

    // Within the lease, b gets nothing and recovery leaves the claims alone.
    let within = T0 + Duration::from_secs(10);
    assert!(
        b.claim("b", within, lease, 100)
            .await
            .expect("claim")
            .claimed
            .is_empty()
    );
    let report = b.recover(within).await.expect("recover");
    assert_eq!((report.rescheduled, report.unknown.len()), (0, 0));

    let after = T0 + Duration::from_secs(31);
    let report = b.recover(after).await.expect("recover");
    assert_eq!(report.rescheduled, 7);
    let mut unknown = report.unknown.clone();
    unknown.sort();
    let mut expected = sending.clone();
    expected.sort();
    assert_eq!(unknown, expected, "marked sends end unknown");
    // Recovering again changes nothing.
    let again = b.recover(after).await.expect("recover");
    assert_eq!((again.rescheduled, again.unknown.len()), (0, 0));

    let taken = b
        .claim("b", after, lease, 100)
        .await
        .expect("claim")
        .claimed;
    let taken: HashSet<MessageKey> = taken.into_iter().map(|c| c.key).collect();
    let rest: HashSet<MessageKey> = claimed[3..].iter().map(|c| c.key.clone()).collect();
    assert_eq!(taken, rest, "b takes over exactly the unsent claims");

    // The dead worker, if it were only slow, can no longer send what b now holds.
    let late: Vec<MessageKey> = claimed.iter().map(|c| c.key.clone()).collect();
    assert!(
        a.mark_sending("a", &late, after)
            .await
            .expect("mark")
            .is_empty()
    );
    for k in &sending {
        let view = a.message(k).await.expect("read").expect("exists");
        assert_eq!(view.state, State::Unknown);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_outbox_of_schema_1_keeps_each_consent_record_once_after_the_upgrade() {
    let Some(db) = sehat_test_pg::database() else {
        return;
    };
    let url = db.url().to_owned();
    let store = store(&url).await;
    let client = raw(&url).await;
    // Back to schema 1, with the copies it allowed.
    client
        .batch_execute(&format!(
            "DROP INDEX outbox_consent_once;
             DELETE FROM outbox_schema_migrations WHERE version = 2;
             {}",
            support::upgrade::consent_copies("outbox_consent")
        ))
        .await
        .expect("schema 1 with copies");
    store.migrate().await.expect("upgrade");
    let rows = client
        .query(
            "SELECT subject, action, reference, recorded_at FROM outbox_consent ORDER BY id",
            &[],
        )
        .await
        .expect("query");
    let kept: Vec<support::upgrade::KeptConsent> = rows
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3)))
        .collect();
    assert_eq!(
        kept,
        support::upgrade::consent_kept(),
        "the first of each set of copies is kept"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn migrations_run_concurrently_and_twice() {
    let Some(db) = sehat_test_pg::database() else {
        return;
    };
    let url = db.url().to_owned();
    let mut tasks = Vec::new();
    for _ in 0..6 {
        let url = url.clone();
        tasks.push(tokio::spawn(async move {
            let store = PgStore::connect(&url).await.expect("connect");
            store.migrate().await
        }));
    }
    for t in tasks {
        t.await
            .expect("task")
            .expect("every concurrent migration succeeds");
    }
    let store = store(&url).await;
    store.migrate().await.expect("and again");
    let client = raw(&url).await;
    let rows = client
        .query(
            "SELECT version FROM outbox_schema_migrations ORDER BY version",
            &[],
        )
        .await
        .expect("query");
    let versions: Vec<i64> = rows.iter().map(|r| r.get(0)).collect();
    assert_eq!(versions, vec![1, 2], "each migration recorded once");

    // A database migrated by a newer version is refused, not damaged.
    client
        .execute(
            "INSERT INTO outbox_schema_migrations VALUES (999, 'future', 0)",
            &[],
        )
        .await
        .expect("insert");
    match store.migrate().await {
        Err(StoreError::Migration { version: 999, .. }) => {}
        other => panic!("expected a refusal naming schema 999, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn pacing_holds_across_connections() {
    let Some(db) = sehat_test_pg::database() else {
        return;
    };
    let a = Arc::new(store(db.url()).await);
    let b = Arc::new(store(db.url()).await);
    let interval = Duration::from_micros(12_500); // 80 messages per second
    let mut tasks = Vec::new();
    for (s, store) in [a.clone(), b.clone(), a, b].into_iter().enumerate() {
        tasks.push(tokio::spawn(async move {
            let mut firsts = Vec::new();
            for i in 0..50 {
                let n = 1 + (i + s) as u32 % 3;
                let got = store
                    .reserve_slots(
                        &[SlotRequest {
                            lane: "business-1".into(),
                            n,
                            interval,
                        }],
                        T0,
                    )
                    .await
                    .expect("reserve");
                firsts.push((got[0], n));
            }
            firsts
        }));
    }
    let mut slots = Vec::new();
    for t in tasks {
        for (first, n) in t.await.expect("task") {
            for i in 0..n {
                slots.push(first + interval * i);
            }
        }
    }
    slots.sort();
    let total = slots.len();
    let distinct: HashSet<_> = slots.iter().collect();
    assert_eq!(distinct.len(), total, "no slot given twice");
    assert_eq!(slots[0], T0);
    for pair in slots.windows(2) {
        assert_eq!(
            pair[1] - pair[0],
            interval,
            "slots are back to back, 80 per second"
        );
    }
    // Another lane is independent; a batch with the same lane twice chains its requests.
    let c = store(db.url()).await;
    let got = c
        .reserve_slots(
            &[
                SlotRequest {
                    lane: "business-2".into(),
                    n: 2,
                    interval,
                },
                SlotRequest {
                    lane: "business-1".into(),
                    n: 1,
                    interval,
                },
                SlotRequest {
                    lane: "business-2".into(),
                    n: 1,
                    interval,
                },
            ],
            T0,
        )
        .await
        .expect("reserve");
    assert_eq!(got[0], T0);
    assert_eq!(got[1], *slots.last().expect("slots") + interval);
    assert_eq!(got[2], T0 + interval * 2);
}

#[tokio::test]
async fn a_throttle_holds_for_the_whole_fleet() {
    let Some(db) = sehat_test_pg::database() else {
        return;
    };
    let a = store(db.url()).await;
    let b = store(db.url()).await;
    assert_eq!(
        b.throttled_until("business-1", T0).await.expect("read"),
        None
    );
    let until = T0 + Duration::from_secs(60);
    a.throttle("business-1", until).await.expect("throttle");
    a.throttle("business-1", T0 + Duration::from_secs(5))
        .await
        .expect("throttle");
    assert_eq!(
        b.throttled_until("business-1", T0).await.expect("read"),
        Some(until)
    );
    assert_eq!(
        b.throttled_until("business-2", T0).await.expect("read"),
        None
    );
    assert_eq!(
        b.throttled_until("business-1", until).await.expect("read"),
        None
    );
}

#[tokio::test]
async fn rows_scheduled_behind_the_claim_cursor_are_still_claimed() {
    let Some(db) = sehat_test_pg::database() else {
        return;
    };
    let keys = keys();
    let s = store(db.url()).await;
    let later: Vec<NewMessage> = (0..20)
        .map(|i| message(&keys, i, T0 + Duration::from_secs(u64::from(i))))
        .collect();
    s.schedule(&later, T0).await.expect("schedule");
    let now = T0 + Duration::from_secs(100);
    let got = s
        .claim("w", now, Duration::from_secs(60), 10)
        .await
        .expect("claim");
    assert_eq!(got.claimed.len(), 10);
    // A message due before everything claimed so far arrives.
    let early = message(&keys, 99, T0 - Duration::from_secs(3600));
    s.schedule(std::slice::from_ref(&early), now)
        .await
        .expect("schedule");
    let mut seen = HashSet::new();
    loop {
        let got = s
            .claim("w", now, Duration::from_secs(60), 10)
            .await
            .expect("claim");
        if got.claimed.is_empty() {
            break;
        }
        seen.extend(got.claimed.into_iter().map(|c| c.key));
    }
    assert_eq!(seen.len(), 11);
    assert!(
        seen.contains(&early.key),
        "the early message is not stranded"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn cancelling_while_workers_claim_never_both_cancels_and_sends() {
    let Some(db) = sehat_test_pg::database() else {
        return;
    };
    let keys = keys();
    let s = Arc::new(store(db.url()).await);
    let n = 600;
    let messages: Vec<NewMessage> = (0..n).map(|i| message(&keys, i, T0)).collect();
    s.schedule(&messages, T0).await.expect("schedule");
    let now = T0 + Duration::from_secs(1);
    let canceller = {
        let store = store(db.url()).await;
        let keys: Vec<MessageKey> = messages.iter().rev().map(|m| m.key.clone()).collect();
        tokio::spawn(async move {
            let mut cancelled = Vec::new();
            for k in keys {
                if store
                    .cancel(&k, State::Cancelled, now)
                    .await
                    .expect("cancel")
                {
                    cancelled.push(k);
                }
            }
            cancelled
        })
    };
    let mut workers = Vec::new();
    for w in 0..2 {
        let store = store(db.url()).await;
        workers.push(tokio::spawn(async move {
            let mut claimed = Vec::new();
            loop {
                let batch = store
                    .claim(&format!("w{w}"), now, Duration::from_secs(60), 16)
                    .await
                    .expect("claim");
                if batch.claimed.is_empty() {
                    break;
                }
                claimed.extend(batch.claimed.into_iter().map(|c| c.key));
            }
            claimed
        }));
    }
    let cancelled: HashSet<MessageKey> = canceller.await.expect("task").into_iter().collect();
    let mut claimed = HashSet::new();
    for w in workers {
        for k in w.await.expect("task") {
            assert!(claimed.insert(k), "claimed twice");
        }
    }
    // Claims may still find rows the canceller reached last; drain them.
    loop {
        let batch = s
            .claim("w9", now, Duration::from_secs(60), 64)
            .await
            .expect("claim");
        if batch.claimed.is_empty() {
            break;
        }
        for c in batch.claimed {
            assert!(claimed.insert(c.key), "claimed twice");
        }
    }
    assert!(
        cancelled.is_disjoint(&claimed),
        "a key both cancelled and claimed"
    );
    assert_eq!(cancelled.len() + claimed.len(), n as usize);
    let counts = s.counts().await.expect("counts");
    assert_eq!(count_of(&counts, State::Cancelled), cancelled.len() as u64);
    assert_eq!(count_of(&counts, State::Claimed), claimed.len() as u64);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_same_batch_scheduled_twice_at_once_is_inserted_once() {
    let Some(db) = sehat_test_pg::database() else {
        return;
    };
    let keys = keys();
    let messages: Vec<NewMessage> = (0..400).map(|i| message(&keys, i, T0)).collect();
    let mut tasks = Vec::new();
    for _ in 0..3 {
        let store = store(db.url()).await;
        let messages = messages.clone();
        tasks.push(tokio::spawn(async move {
            store.schedule(&messages, T0).await.expect("schedule")
        }));
    }
    let mut new = vec![0; messages.len()];
    for t in tasks {
        for (i, outcome) in t.await.expect("task").into_iter().enumerate() {
            match outcome {
                ScheduleOutcome::New => new[i] += 1,
                ScheduleOutcome::Unchanged => {}
                other => panic!("unexpected {other:?}"),
            }
        }
    }
    assert!(new.iter().all(|n| *n == 1), "each key new exactly once");
    let client = raw(db.url()).await;
    let row = client
        .query_one(
            "SELECT (SELECT count(*) FROM outbox_message), (SELECT count(*) FROM outbox_due)",
            &[],
        )
        .await
        .expect("query");
    assert_eq!((row.get::<_, i64>(0), row.get::<_, i64>(1)), (400, 400));
}

#[tokio::test]
async fn updating_and_rescheduling_keep_the_queue_in_step() {
    let Some(db) = sehat_test_pg::database() else {
        return;
    };
    let keys = keys();
    let s = store(db.url()).await;
    let m = message(&keys, 1, T0);
    s.schedule(std::slice::from_ref(&m), T0)
        .await
        .expect("schedule");
    // The same key with a later window and other text in one batch, twice.
    let moved = m.clone().param("nama", "Budi");
    let mut moved_later = moved.clone();
    moved_later.not_before = T0 + Duration::from_secs(3600);
    let outcomes = s
        .schedule(
            &[moved.clone(), moved_later.clone(), moved_later.clone()],
            T0,
        )
        .await
        .expect("schedule");
    assert_eq!(
        outcomes,
        vec![
            ScheduleOutcome::Updated,
            ScheduleOutcome::Updated,
            ScheduleOutcome::Unchanged
        ]
    );
    assert_eq!(
        s.next_due().await.expect("due"),
        Some(moved_later.not_before)
    );
    assert!(
        s.claim("w", T0, Duration::from_secs(60), 10)
            .await
            .expect("claim")
            .claimed
            .is_empty()
    );
    assert!(s.reschedule(&m.key, T0, None).await.expect("reschedule"));
    assert!(
        s.reschedule(&m.key, T0, None)
            .await
            .expect("same window again")
    );
    let got = s
        .claim("w", T0, Duration::from_secs(60), 10)
        .await
        .expect("claim")
        .claimed;
    assert_eq!(got.len(), 1);
    assert_eq!(
        got[0].params,
        BTreeMap::from([("nama".to_owned(), "Budi".to_owned())])
    );
    let client = raw(db.url()).await;
    let due: i64 = client
        .query_one("SELECT count(*) FROM outbox_due", &[])
        .await
        .expect("query")
        .get(0);
    assert_eq!(due, 0);
}

#[tokio::test]
async fn nothing_raw_is_stored() {
    let Some(db) = sehat_test_pg::database() else {
        return;
    };
    let keys = keys();
    let s = store(db.url()).await;
    let messages: Vec<NewMessage> = (0..5).map(|i| message(&keys, i, T0)).collect();
    s.schedule(&messages, T0).await.expect("schedule");
    let claimed = s
        .claim("w", T0, Duration::from_secs(60), 10)
        .await
        .expect("claim")
        .claimed;
    let wamid = "wamid.HBgNNjI4MTIxMDAwMDAwMBUCABEYEjQ0";
    let done: Vec<Completion> = claimed
        .iter()
        .map(|c| {
            Completion::new(
                c.key.clone(),
                Outcome::Sent {
                    wamid: keys.wamid_mac(wamid),
                },
            )
        })
        .take(1)
        .collect();
    s.mark_sending("w", &[claimed[0].key.clone()], T0)
        .await
        .expect("mark");
    s.complete(&done, T0).await.expect("complete");
    let client = raw(db.url()).await;
    let dump: Vec<String> = client
        .query(
            "SELECT concat_ws('|', subject, token, params, wamid_mac, worker, reason) \
             FROM outbox_message UNION ALL SELECT wamid_mac FROM outbox_wamid",
            &[],
        )
        .await
        .expect("dump")
        .iter()
        .map(|r| r.get(0))
        .collect();
    let all = dump.join("\n");
    for i in 0..5 {
        let e164 = phone(i).expose_e164().to_owned();
        let national = e164.trim_start_matches("+62").to_owned();
        assert!(!all.contains(&national), "number {i} stored in clear");
    }
    assert!(!all.contains("HBgN"), "wamid stored in clear");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn claims_are_marked_and_completed_by_a_store_that_did_not_make_them() {
    let Some(db) = sehat_test_pg::database() else {
        return;
    };
    let keys = keys();
    let claimer = store(db.url()).await;
    let messages: Vec<NewMessage> = (0..10).map(|i| message(&keys, i, T0)).collect();
    claimer.schedule(&messages, T0).await.expect("schedule");
    let now = T0 + Duration::from_secs(60);
    let batch = claimer
        .claim("w", now, Duration::from_secs(300), 10)
        .await
        .expect("claim");
    let claimed: Vec<MessageKey> = batch.claimed.iter().map(|c| c.key.clone()).collect();
    assert_eq!(claimed.len(), 10);

    // A second store (another connection pool, as in a restarted process) remembers no row
    // ids: it must find the rows by key, and hold only the claimer's worker's rows.
    let other = store(db.url()).await;
    assert!(
        other
            .mark_sending("someone-else", &claimed, now)
            .await
            .expect("mark")
            .is_empty()
    );
    let held = other
        .mark_sending("w", &claimed[..5], now)
        .await
        .expect("mark");
    assert_eq!(held, claimed[..5]);
    let mut completions: Vec<Completion> = claimed[..5]
        .iter()
        .enumerate()
        .map(|(i, k)| {
            Completion::new(
                k.clone(),
                Outcome::Sent {
                    wamid: keys.wamid_mac(&format!("wamid.other-{i}")),
                },
            )
        })
        .collect();
    completions.extend(
        claimed[5..]
            .iter()
            .map(|k| Completion::new(k.clone(), Outcome::Cancelled)),
    );
    let never = MessageKey::new("never/scheduled").expect("key");
    completions.push(Completion::new(never, Outcome::Cancelled));
    assert_eq!(
        other.complete(&completions, now).await.expect("complete"),
        10
    );

    // The claimer's remembered ids now point at finished rows: its own late completion of
    // them changes nothing.
    assert_eq!(
        claimer
            .complete(&completions[..10], now)
            .await
            .expect("complete"),
        0
    );
    let counts = claimer.counts().await.expect("counts");
    assert_eq!(count_of(&counts, State::Sent), 5);
    assert_eq!(count_of(&counts, State::Cancelled), 5);
    let view = claimer
        .find_by_wamid(&keys.wamid_mac("wamid.other-3"))
        .await
        .expect("find")
        .expect("the wamid is on file");
    assert_eq!(view.key, claimed[3]);
}
