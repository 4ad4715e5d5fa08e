//! The storage conformance suite: the same assertions for every backend.
//!
//! `run(store)` expects a fresh, empty database and migrates it itself.

#![allow(dead_code)]

use std::time::Duration;

use sehat_outbox::OutboxKeys;
use sehat_outbox::model::{
    ConsentAction, ConsentScope, ConsentSource, Evidence, MessageKey, NewMessage, Purpose,
    ScheduleOutcome, State, SubjectRef, TimeZoneName,
};
use sehat_outbox::store::{
    Completion, DeliveryStatus, Outcome, SlotRequest, StateCount, Store, StoreError,
};
use sehat_pseudonym::{PhoneNumber, Region};
use time::OffsetDateTime;
use time::macros::datetime;

/// A fixed "now" for the suite.
pub const T0: OffsetDateTime = datetime!(2026-05-04 03:00 UTC);

/// A message for `number` (national digits after 0812) due at `not_before`.
pub fn message(
    keys: &OutboxKeys,
    key: &str,
    number: &str,
    not_before: OffsetDateTime,
) -> NewMessage {
    let phone = PhoneNumber::parse_mobile(number, Region::ID).expect("test number");
    NewMessage::new(
        MessageKey::new(key).expect("test key"),
        keys.subject_of_phone(&phone),
        keys.token_of_phone(&phone).expect("token"),
        Purpose::Reminder,
        "imunisasi_pengingat",
        "id",
        not_before,
    )
    .param("nama", "Sari")
}

fn k(key: &str) -> MessageKey {
    MessageKey::new(key).expect("test key")
}

fn subject(keys: &OutboxKeys, number: &str) -> SubjectRef {
    keys.subject_of_phone(&PhoneNumber::parse_mobile(number, Region::ID).expect("number"))
}

async fn state<S: Store>(store: &S, key: &str) -> State {
    store
        .message(&k(key))
        .await
        .expect("read")
        .expect("message exists")
        .state
}

/// Runs every check against `store`.
pub async fn run<S: Store>(store: S) {
    let keys = OutboxKeys::generate().expect("keys");
    store.migrate().await.expect("first migration");
    store
        .migrate()
        .await
        .expect("migrating again changes nothing");
    scheduling(&store, &keys).await;
    cancel_and_reschedule(&store, &keys).await;
    claims_and_leases(&store, &keys).await;
    statuses(&store, &keys).await;
    consent(&store, &keys).await;
    slots(&store).await;
    counts_and_purge(&store).await;
}

async fn scheduling<S: Store>(store: &S, keys: &OutboxKeys) {
    let a = message(keys, "sched/a", "0812-1000-0001", T0);
    let b = message(keys, "sched/b", "0812-1000-0002", T0);
    let out = store
        .schedule(&[a.clone(), b.clone()], T0)
        .await
        .expect("schedule");
    assert_eq!(out, vec![ScheduleOutcome::New, ScheduleOutcome::New]);
    // Same key, same content: nothing changes.
    let out = store
        .schedule(std::slice::from_ref(&a), T0)
        .await
        .expect("schedule");
    assert_eq!(out, vec![ScheduleOutcome::Unchanged]);
    // Same key, new content, still scheduled: updated.
    let a2 = a.clone().param("nama", "Dewi");
    let out = store
        .schedule(std::slice::from_ref(&a2), T0)
        .await
        .expect("schedule");
    assert_eq!(out, vec![ScheduleOutcome::Updated]);
    // A key twice in one batch: the second sees the first.
    let c = message(keys, "sched/c", "0812-1000-0003", T0);
    let out = store
        .schedule(&[c.clone(), c.clone()], T0)
        .await
        .expect("schedule");
    assert_eq!(out, vec![ScheduleOutcome::New, ScheduleOutcome::Unchanged]);
    let view = store
        .message(&k("sched/a"))
        .await
        .expect("read")
        .expect("exists");
    assert_eq!(view.state, State::Scheduled);
    assert_eq!(view.subject, a.subject);
    assert_eq!(view.timezone, TimeZoneName::default());
    assert!(!view.purged);
    // Past scheduled: refused, and left alone.
    assert!(
        store
            .cancel(&k("sched/b"), State::Cancelled, T0)
            .await
            .expect("cancel")
    );
    let b2 = b.clone().param("nama", "Lain");
    let out = store.schedule(&[b2], T0).await.expect("schedule");
    assert_eq!(
        out,
        vec![ScheduleOutcome::Refused {
            state: State::Cancelled
        }]
    );
    assert!(store.message(&k("missing")).await.expect("read").is_none());
    large_batches(store, keys).await;
    // Clean up for the later checks.
    for key in ["sched/a", "sched/c"] {
        assert!(
            store
                .cancel(&k(key), State::Superseded, T0)
                .await
                .expect("cancel")
        );
    }
}

/// Batches large enough for a backend to insert many rows per statement: every outcome is
/// still the one of scheduling the messages one at a time, in order.
async fn large_batches<S: Store>(store: &S, keys: &OutboxKeys) {
    let later = T0 + Duration::from_secs(3600);
    let first: Vec<NewMessage> = (0..100)
        .map(|i| {
            message(
                keys,
                &format!("bulk/{i}"),
                &format!("0812-2000-{i:04}"),
                later,
            )
        })
        .collect();
    let out = store.schedule(&first, T0).await.expect("schedule");
    assert_eq!(out, vec![ScheduleOutcome::New; 100]);
    // The same 100 again, some changed, one of them past scheduled, then 40 new ones
    // with a key that comes twice.
    assert!(
        store
            .cancel(&k("bulk/70"), State::Cancelled, T0)
            .await
            .expect("cancel")
    );
    let mut second: Vec<NewMessage> = first
        .iter()
        .enumerate()
        .map(|(i, m)| {
            if i % 10 == 3 || i == 70 {
                m.clone().param("nama", "Dewi")
            } else {
                m.clone()
            }
        })
        .collect();
    second.extend((100..140).map(|i| {
        message(
            keys,
            &format!("bulk/{i}"),
            &format!("0812-2000-{i:04}"),
            later,
        )
    }));
    second.insert(120, second[110].clone());
    let out = store.schedule(&second, T0).await.expect("schedule");
    let expected: Vec<ScheduleOutcome> = (0..141)
        .map(|i| match i {
            70 => ScheduleOutcome::Refused {
                state: State::Cancelled,
            },
            _ if i < 100 && i % 10 == 3 => ScheduleOutcome::Updated,
            _ if i < 100 => ScheduleOutcome::Unchanged,
            120 => ScheduleOutcome::Unchanged,
            _ => ScheduleOutcome::New,
        })
        .collect();
    assert_eq!(out, expected);
    // Scheduling the changed batch once more changes nothing but the refused one.
    let out = store.schedule(&second, T0).await.expect("schedule");
    let again: Vec<ScheduleOutcome> = expected
        .iter()
        .map(|o| match o {
            ScheduleOutcome::Refused { .. } => *o,
            _ => ScheduleOutcome::Unchanged,
        })
        .collect();
    assert_eq!(out, again);
    let view = store
        .message(&k("bulk/139"))
        .await
        .expect("read")
        .expect("exists");
    assert_eq!(view.state, State::Scheduled);
    assert_eq!(view.subject, second[140].subject);
    assert_eq!(view.not_before, later);
    for i in 0..140 {
        if i != 70 {
            assert!(
                store
                    .cancel(&k(&format!("bulk/{i}")), State::Cancelled, T0)
                    .await
                    .expect("cancel")
            );
        }
    }
}

async fn cancel_and_reschedule<S: Store>(store: &S, keys: &OutboxKeys) {
    let m = message(keys, "cr/a", "0812-2000-0001", T0);
    store.schedule(&[m], T0).await.expect("schedule");
    match store.cancel(&k("cr/a"), State::Sent, T0).await {
        Err(StoreError::InvalidArgument { argument, .. }) => assert_eq!(argument, "state"),
        other => panic!("cancel to sent must be refused, got {other:?}"),
    }
    let later = T0 + Duration::from_secs(86_400);
    assert!(
        store
            .reschedule(&k("cr/a"), later, Some(later + Duration::from_secs(3600)))
            .await
            .expect("reschedule")
    );
    let view = store
        .message(&k("cr/a"))
        .await
        .expect("read")
        .expect("exists");
    assert_eq!(view.not_before, later);
    assert_eq!(view.not_after, Some(later + Duration::from_secs(3600)));
    // Not due now.
    let batch = store
        .claim("w1", T0, Duration::from_secs(60), 10)
        .await
        .expect("claim");
    assert!(batch.claimed.iter().all(|c| c.key.as_str() != "cr/a"));
    assert_eq!(store.next_due().await.expect("next due"), Some(later));
    assert!(
        store
            .cancel(&k("cr/a"), State::Cancelled, T0)
            .await
            .expect("cancel")
    );
    assert!(
        !store
            .cancel(&k("cr/a"), State::Cancelled, T0)
            .await
            .expect("cancel twice")
    );
    assert!(
        !store
            .reschedule(&k("cr/a"), T0, None)
            .await
            .expect("reschedule cancelled")
    );
    assert!(
        !store
            .cancel(&k("nope"), State::Cancelled, T0)
            .await
            .expect("cancel missing")
    );
    assert_eq!(state(store, "cr/a").await, State::Cancelled);
}

async fn claims_and_leases<S: Store>(store: &S, keys: &OutboxKeys) {
    let early = T0 - Duration::from_secs(600);
    let msgs = vec![
        message(keys, "cl/1", "0812-3000-0001", early),
        message(
            keys,
            "cl/2",
            "0812-3000-0002",
            early + Duration::from_secs(1),
        ),
        message(
            keys,
            "cl/3",
            "0812-3000-0003",
            early + Duration::from_secs(2),
        ),
        message(
            keys,
            "cl/4",
            "0812-3000-0004",
            early + Duration::from_secs(3),
        ),
        message(keys, "cl/expired", "0812-3000-0005", early).not_after(T0 - Duration::from_secs(1)),
        message(
            keys,
            "cl/future",
            "0812-3000-0006",
            T0 + Duration::from_secs(3600),
        ),
    ];
    store.schedule(&msgs, early).await.expect("schedule");
    let lease = Duration::from_secs(60);
    let batch = store.claim("w1", T0, lease, 3).await.expect("claim");
    // Oldest first; the expired one counts toward the limit and ends.
    let claimed: Vec<&str> = batch.claimed.iter().map(|c| c.key.as_str()).collect();
    assert_eq!(claimed, vec!["cl/1", "cl/2"]);
    assert_eq!(batch.expired, vec![k("cl/expired")]);
    assert_eq!(state(store, "cl/expired").await, State::Expired);
    let first = &batch.claimed[0];
    assert_eq!(first.template, "imunisasi_pengingat");
    assert_eq!(first.params.get("nama").map(String::as_str), Some("Sari"));
    assert_eq!(first.subject, subject(keys, "0812-3000-0001"));
    assert_eq!(
        keys.contact_of(&first.token).expect("token reads back"),
        sehat_pseudonym::Contact::Phone(
            PhoneNumber::parse_mobile("0812-3000-0001", Region::ID).expect("n")
        )
    );
    // Another worker gets the rest, never the held ones.
    let other = store.claim("w2", T0, lease, 10).await.expect("claim");
    let other_keys: Vec<&str> = other.claimed.iter().map(|c| c.key.as_str()).collect();
    assert_eq!(other_keys, vec!["cl/3", "cl/4"]);
    // Only the holder may mark sending.
    let held = store
        .mark_sending("w2", &[k("cl/1"), k("cl/3")], T0)
        .await
        .expect("mark");
    assert_eq!(held, vec![k("cl/3")]);
    let held = store
        .mark_sending("w1", &[k("cl/1"), k("cl/2")], T0)
        .await
        .expect("mark");
    assert_eq!(held, vec![k("cl/1"), k("cl/2")]);
    // Deferring a row marked sending does nothing; cl/4 (not marked) goes back.
    let n = store
        .defer(
            "w2",
            &[(k("cl/3"), T0), (k("cl/4"), T0 + Duration::from_secs(5))],
        )
        .await
        .expect("defer");
    assert_eq!(n, 1);
    assert_eq!(state(store, "cl/4").await, State::Scheduled);
    assert_eq!(
        store
            .message(&k("cl/4"))
            .await
            .expect("r")
            .expect("e")
            .not_before,
        T0 + Duration::from_secs(5)
    );
    // Complete: sent, failed with retry.
    let mac = keys.wamid_mac("wamid.HBgLNjI4MTIzMDAwMDAwMRUCABEYEjVBRTk3");
    let done = store
        .complete(
            &[
                Completion::new(k("cl/1"), Outcome::Sent { wamid: mac.clone() }),
                Completion::new(
                    k("cl/2"),
                    Outcome::Failed {
                        code: Some(131_000),
                        reason: "transient".into(),
                        retry_at: Some(T0 + Duration::from_secs(30)),
                    },
                ),
            ],
            T0,
        )
        .await
        .expect("complete");
    assert_eq!(done, 2);
    assert_eq!(state(store, "cl/1").await, State::Sent);
    let retried = store.message(&k("cl/2")).await.expect("r").expect("e");
    assert_eq!(
        (retried.state, retried.attempts, retried.error_code),
        (State::Scheduled, 1, Some(131_000))
    );
    assert_eq!(
        store
            .find_by_wamid(&mac)
            .await
            .expect("find")
            .map(|v| v.key),
        Some(k("cl/1"))
    );
    // Completing again changes nothing.
    let again = store
        .complete(&[Completion::new(k("cl/1"), Outcome::Suppressed)], T0)
        .await
        .expect("complete");
    assert_eq!(again, 0);
    // w2 dies: its sending claim becomes unknown, and a claimed-but-not-sending one is
    // scheduled again, once the lease has expired (not before).
    let c4 = store
        .claim("w2", T0 + Duration::from_secs(5), lease, 1)
        .await
        .expect("claim");
    assert_eq!(c4.claimed.len(), 1);
    let early_recover = store
        .recover(T0 + Duration::from_secs(30))
        .await
        .expect("recover");
    assert_eq!(early_recover.rescheduled, 0);
    assert!(early_recover.unknown.is_empty());
    let report = store
        .recover(T0 + Duration::from_secs(120))
        .await
        .expect("recover");
    assert_eq!(report.unknown, vec![k("cl/3")]);
    assert_eq!(report.rescheduled, 1);
    assert_eq!(state(store, "cl/3").await, State::Unknown);
    assert_eq!(state(store, "cl/4").await, State::Scheduled);
    // An unknown message is never claimed again.
    let later = store
        .claim("w3", T0 + Duration::from_secs(200), lease, 100)
        .await
        .expect("claim");
    let later_keys: Vec<&str> = later.claimed.iter().map(|c| c.key.as_str()).collect();
    assert!(!later_keys.contains(&"cl/3"));
    assert!(later_keys.contains(&"cl/4") && later_keys.contains(&"cl/2"));
    // A late lease: mark_sending after the lease ran out holds nothing.
    let none = store
        .mark_sending("w3", &[k("cl/4")], T0 + Duration::from_secs(1000))
        .await
        .expect("mark");
    assert!(none.is_empty());
    let ends = store
        .complete(
            &[
                Completion::new(k("cl/4"), Outcome::Cancelled),
                Completion::new(
                    k("cl/2"),
                    Outcome::Unknown {
                        reason: "no_answer".into(),
                    },
                ),
            ],
            T0,
        )
        .await
        .expect("complete");
    assert_eq!(ends, 2);
    assert_eq!(state(store, "cl/4").await, State::Cancelled);
    assert_eq!(state(store, "cl/2").await, State::Unknown);
    // Tidy the future one away.
    assert!(
        store
            .cancel(&k("cl/future"), State::Cancelled, T0)
            .await
            .expect("cancel")
    );
}

async fn statuses<S: Store>(store: &S, keys: &OutboxKeys) {
    let m = message(keys, "st/1", "0812-4000-0001", T0);
    store.schedule(&[m], T0).await.expect("schedule");
    let batch = store
        .claim("w", T0, Duration::from_secs(60), 10)
        .await
        .expect("claim");
    assert_eq!(batch.claimed.len(), 1);
    store
        .mark_sending("w", &[k("st/1")], T0)
        .await
        .expect("mark");
    let mac = keys.wamid_mac("wamid.st1");
    store
        .complete(
            &[Completion::new(
                k("st/1"),
                Outcome::Sent { wamid: mac.clone() },
            )],
            T0,
        )
        .await
        .expect("complete");
    let v = store
        .apply_status(&mac, DeliveryStatus::Read, T0)
        .await
        .expect("status")
        .expect("known");
    assert_eq!(v.state, State::Read);
    // Never backwards.
    let v = store
        .apply_status(&mac, DeliveryStatus::Delivered, T0)
        .await
        .expect("status")
        .expect("known");
    assert_eq!(v.state, State::Read);
    let v = store
        .apply_status(
            &mac,
            DeliveryStatus::Failed {
                code: Some(131_026),
            },
            T0,
        )
        .await
        .expect("status")
        .expect("known");
    assert_eq!(v.state, State::Read);
    assert!(
        store
            .apply_status(&keys.wamid_mac("wamid.other"), DeliveryStatus::Sent, T0)
            .await
            .expect("status")
            .is_none()
    );
}

async fn consent<S: Store>(store: &S, keys: &OutboxKeys) {
    let person = subject(keys, "0812-5000-0001");
    let q = |p| vec![(person.clone(), p)];
    assert_eq!(
        store.consents(&q(Purpose::Campaign)).await.expect("c"),
        vec![None]
    );
    let at = |s: u64| T0 + Duration::from_secs(s);
    let form = Evidence::new(ConsentSource::Csv, at(1)).reference("form-17");
    let campaign = ConsentScope::Purpose(Purpose::Campaign);
    assert!(
        store
            .record_consent(&person, campaign, ConsentAction::OptIn, &form)
            .await
            .expect("record")
    );
    // The same record again (a file imported twice) is kept once; another reference, or
    // none, is another record.
    assert!(
        !store
            .record_consent(&person, campaign, ConsentAction::OptIn, &form)
            .await
            .expect("again")
    );
    // Eight recorders of one record at once (a webhook redelivered while the first
    // delivery is still being handled; two imports of one file): exactly one adds it.
    let keyword = Evidence::new(ConsentSource::Keyword, at(1)).reference("wamid-mac-9");
    let added = futures_util::future::join_all(
        (0..8).map(|_| store.record_consent(&person, campaign, ConsentAction::OptIn, &keyword)),
    )
    .await;
    assert_eq!(
        added
            .into_iter()
            .filter(|a| *a.as_ref().expect("record"))
            .count(),
        1
    );
    let mut unreferenced = form.clone();
    unreferenced.reference = None;
    for evidence in [form.clone().reference("form-18"), unreferenced] {
        for expected in [true, false] {
            assert_eq!(
                store
                    .record_consent(&person, campaign, ConsentAction::OptIn, &evidence)
                    .await
                    .expect("record"),
                expected,
                "{evidence:?}"
            );
        }
    }
    assert_eq!(
        store.consents(&q(Purpose::Campaign)).await.expect("c"),
        vec![Some(ConsentAction::OptIn)]
    );
    assert_eq!(
        store.consents(&q(Purpose::Reminder)).await.expect("c"),
        vec![None]
    );
    // An opt-out of everything, later, wins over the opt-in.
    store
        .record_consent(
            &person,
            ConsentScope::All,
            ConsentAction::OptOut,
            &Evidence::new(ConsentSource::Keyword, at(2)),
        )
        .await
        .expect("record");
    assert_eq!(
        store.consents(&q(Purpose::Campaign)).await.expect("c"),
        vec![Some(ConsentAction::OptOut)]
    );
    assert_eq!(
        store.consents(&q(Purpose::Reminder)).await.expect("c"),
        vec![Some(ConsentAction::OptOut)]
    );
    // An older record arriving late does not override a newer one.
    store
        .record_consent(
            &person,
            ConsentScope::Purpose(Purpose::Reminder),
            ConsentAction::OptIn,
            &Evidence::new(ConsentSource::Csv, at(0)),
        )
        .await
        .expect("record");
    assert_eq!(
        store.consents(&q(Purpose::Reminder)).await.expect("c"),
        vec![Some(ConsentAction::OptOut)]
    );
    // A BSUID: consent under the alias before the link moves to the person.
    let bsuid =
        keys.subject_of_bsuid(&sehat_pseudonym::Bsuid::new("ID.1349120865530274").expect("bsuid"));
    store
        .record_consent(
            &bsuid,
            ConsentScope::All,
            ConsentAction::OptIn,
            &Evidence::new(ConsentSource::Keyword, at(3)),
        )
        .await
        .expect("record");
    assert_eq!(
        store.consents(&q(Purpose::Reminder)).await.expect("c"),
        vec![Some(ConsentAction::OptOut)]
    );
    // The same evidence under both identities (one preference change seen under each)
    // before they are linked: the link keeps it once.
    let both = Evidence::new(ConsentSource::UserPreferences, at(3));
    for who in [&bsuid, &person] {
        assert!(
            store
                .record_consent(who, campaign, ConsentAction::OptOut, &both)
                .await
                .expect("record")
        );
    }
    store.link_alias(&bsuid, &person).await.expect("link");
    store.link_alias(&bsuid, &person).await.expect("link again");
    assert!(
        !store
            .record_consent(&person, campaign, ConsentAction::OptOut, &both)
            .await
            .expect("record"),
        "the alias's copy was merged into the person's"
    );
    assert_eq!(store.canonical(&bsuid).await.expect("canonical"), person);
    assert_eq!(store.canonical(&person).await.expect("canonical"), person);
    assert_eq!(
        store.consents(&q(Purpose::Reminder)).await.expect("c"),
        vec![Some(ConsentAction::OptIn)]
    );
    // And consent under the alias after the link applies to the person.
    store
        .record_consent(
            &bsuid,
            ConsentScope::Purpose(Purpose::Reminder),
            ConsentAction::OptOut,
            &Evidence::new(ConsentSource::UserPreferences, at(4)),
        )
        .await
        .expect("record");
    assert_eq!(
        store
            .consents(&[
                (person.clone(), Purpose::Reminder),
                (bsuid.clone(), Purpose::Reminder)
            ])
            .await
            .expect("c"),
        vec![Some(ConsentAction::OptOut), Some(ConsentAction::OptOut)]
    );
    assert!(matches!(
        store.link_alias(&person, &person).await,
        Err(StoreError::InvalidArgument { .. })
    ));
}

async fn slots<S: Store>(store: &S) {
    let ms = Duration::from_millis(10);
    let req = |n| SlotRequest {
        lane: "106540352242922".into(),
        n,
        interval: ms,
    };
    let first = store.reserve_slots(&[req(5)], T0).await.expect("reserve");
    assert_eq!(first, vec![T0]);
    let second = store
        .reserve_slots(&[req(3), req(1)], T0)
        .await
        .expect("reserve");
    assert_eq!(second, vec![T0 + ms * 5, T0 + ms * 8]);
    // A lane that fell behind starts at now.
    let later = T0 + Duration::from_secs(10);
    assert_eq!(
        store
            .reserve_slots(&[req(1)], later)
            .await
            .expect("reserve"),
        vec![later]
    );
    assert_eq!(
        store
            .throttled_until("106540352242922", T0)
            .await
            .expect("t"),
        None
    );
    store
        .throttle("106540352242922", T0 + Duration::from_secs(2))
        .await
        .expect("throttle");
    store
        .throttle("106540352242922", T0 + Duration::from_secs(1))
        .await
        .expect("throttle earlier");
    assert_eq!(
        store
            .throttled_until("106540352242922", T0)
            .await
            .expect("t"),
        Some(T0 + Duration::from_secs(2))
    );
    assert_eq!(
        store
            .throttled_until("106540352242922", T0 + Duration::from_secs(3))
            .await
            .expect("t"),
        None
    );
}

async fn counts_and_purge<S: Store>(store: &S) {
    let before = store.counts().await.expect("counts");
    let total: u64 = before.iter().map(|c| c.count).sum();
    assert!(total >= 10, "the suite scheduled messages: {before:?}");
    assert!(before.contains(&StateCount {
        state: State::Read,
        purpose: Purpose::Reminder,
        count: 1
    }));
    let purged = store
        .purge_tokens(T0 + Duration::from_secs(86_400 * 30))
        .await
        .expect("purge");
    let finished: u64 = before
        .iter()
        .filter(|c| c.state.is_final())
        .map(|c| c.count)
        .sum();
    assert_eq!(purged, finished);
    assert_eq!(store.counts().await.expect("counts"), before);
    let v = store.message(&k("st/1")).await.expect("r").expect("e");
    assert!(v.purged);
    // Nothing left to purge.
    assert_eq!(
        store
            .purge_tokens(T0 + Duration::from_secs(86_400 * 30))
            .await
            .expect("purge"),
        0
    );
}
