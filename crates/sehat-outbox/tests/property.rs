//! Property: with 1–4 dispatchers on one SQLite file, random consent changes (before and
//! during the run) and random lost answers, every key is sent at most once, and exactly
//! once unless it ended unknown, suppressed or expired.

#![allow(clippy::expect_used, clippy::unwrap_used)]

mod support;

use std::collections::HashMap;
use std::time::Duration;

use proptest::prelude::*;
use sehat_outbox::dispatch::{Dispatcher, RunMode};
use sehat_outbox::input::ScheduleRequest;
use sehat_outbox::model::{
    ConsentAction, ConsentPolicy, ConsentScope, ConsentSource, Evidence, MessageKey, Purpose, State,
};
use sehat_outbox::store::Store;
use sehat_pseudonym::{PhoneNumber, Region};
use sehat_whatsapp_mock::Failure;
use support::harness::{DAY, Harness, never};

#[derive(Debug, Clone)]
struct Msg {
    person: usize,
    campaign: bool,
    expired: bool,
}

#[derive(Debug, Clone)]
struct Change {
    person: usize,
    all: bool,
    opt_in: bool,
}

fn number(person: usize) -> String {
    format!("0812-9{person:03}-0000")
}

fn scenario() -> impl Strategy<Value = (Vec<Msg>, Vec<Change>, Vec<Change>, usize, Vec<usize>)> {
    let msg = (0usize..5, any::<bool>(), prop::bool::weighted(0.1)).prop_map(
        |(person, campaign, expired)| Msg {
            person,
            campaign,
            expired,
        },
    );
    let change =
        (0usize..5, any::<bool>(), any::<bool>()).prop_map(|(person, all, opt_in)| Change {
            person,
            all,
            opt_in,
        });
    (
        prop::collection::vec(msg, 1..40),
        prop::collection::vec(change.clone(), 0..6),
        prop::collection::vec(change, 0..6),
        1usize..=4,
        prop::collection::vec(0usize..40, 0..3),
    )
}

async fn record(h: &Harness, c: &Change, at: time::OffsetDateTime) {
    let number = PhoneNumber::parse_mobile(&number(c.person), Region::ID).expect("n");
    let scope = if c.all {
        ConsentScope::All
    } else {
        ConsentScope::Purpose(Purpose::Campaign)
    };
    let action = if c.opt_in {
        ConsentAction::OptIn
    } else {
        ConsentAction::OptOut
    };
    h.outbox
        .record_consent_for(
            &number,
            scope,
            action,
            &Evidence::new(ConsentSource::Api, at),
        )
        .await
        .expect("consent");
}

async fn run_case(
    msgs: Vec<Msg>,
    before: Vec<Change>,
    during: Vec<Change>,
    workers: usize,
    lost: Vec<usize>,
) {
    let h = Harness::new().await;
    let requests: Vec<ScheduleRequest> = msgs
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let purpose = if m.campaign {
                Purpose::Campaign
            } else {
                Purpose::Reminder
            };
            let mut r = ScheduleRequest::new(
                format!("p/{i}"),
                number(m.person),
                purpose,
                "pengingat",
                DAY - Duration::from_secs(600),
            )
            .param("ref", format!("p/{i}"));
            if m.expired {
                r = r.not_after(DAY - Duration::from_secs(1));
            }
            r
        })
        .collect();
    h.schedule(&requests).await;
    for (i, c) in before.iter().enumerate() {
        record(
            &h,
            c,
            DAY - Duration::from_secs(300) + Duration::from_secs(i as u64),
        )
        .await;
    }
    // Expected consent before the run, per (person, purpose).
    let policy = ConsentPolicy::default();
    let mut allowed_before = HashMap::new();
    for person in 0..5 {
        let n = PhoneNumber::parse_mobile(&number(person), Region::ID).expect("n");
        for p in [Purpose::Reminder, Purpose::Campaign] {
            allowed_before.insert(
                (person, p),
                h.outbox.consent_allows(&n, p, &policy).await.expect("c"),
            );
        }
    }
    for _ in &lost {
        h.mock.fail_next(Failure::BadGateway);
    }
    let mut outboxes = vec![h.outbox.clone()];
    for _ in 1..workers {
        outboxes.push(h.second_outbox().await);
    }
    let runs = outboxes.iter().enumerate().map(|(w, outbox)| {
        let d = Dispatcher::new(outbox, h.phone.clone())
            .no_pacing()
            .batch(4)
            .concurrency(3)
            .now_at(DAY)
            .worker(format!("w{w}"));
        async move { d.run(RunMode::UntilIdle, never()).await.expect("run") }
    });
    let changes = async {
        for (i, c) in during.iter().enumerate() {
            tokio::task::yield_now().await;
            record(
                &h,
                c,
                DAY - Duration::from_secs(100) + Duration::from_secs(i as u64),
            )
            .await;
        }
    };
    let (reports, ()) = tokio::join!(futures_util::future::join_all(runs), changes);
    let sent_total: u64 = reports.iter().map(|r| r.sent).sum();

    // Requests per key, from the mock.
    let mut per_key: HashMap<String, usize> = HashMap::new();
    for body in h.bodies() {
        let key = body["template"]["components"][0]["parameters"][0]["text"]
            .as_str()
            .expect("ref")
            .to_owned();
        *per_key.entry(key).or_default() += 1;
    }
    let mut sent_states = 0;
    for (i, m) in msgs.iter().enumerate() {
        let key = format!("p/{i}");
        let view = h
            .outbox
            .store()
            .message(&MessageKey::new(&key).expect("k"))
            .await
            .expect("read")
            .expect("exists");
        let requests = per_key.get(&key).copied().unwrap_or(0);
        assert!(requests <= 1, "{key} sent {requests} times");
        match view.state {
            State::Sent => {
                assert_eq!(requests, 1, "{key} is sent");
                sent_states += 1;
            }
            State::Unknown => assert!(requests <= 1),
            State::Suppressed | State::Expired => assert_eq!(requests, 0, "{key}"),
            other => panic!("{key} ended {other}"),
        }
        let purpose = if m.campaign {
            Purpose::Campaign
        } else {
            Purpose::Reminder
        };
        if m.expired {
            assert_eq!(view.state, State::Expired, "{key}");
        } else if during.is_empty() {
            // Without concurrent changes, suppression follows consent exactly.
            let allowed = allowed_before[&(m.person, purpose)];
            assert_eq!(view.state == State::Suppressed, !allowed, "{key}: {view:?}");
        }
    }
    assert_eq!(sent_total, sent_states);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn every_key_is_sent_at_most_once((msgs, before, during, workers, lost) in scenario()) {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        rt.block_on(run_case(msgs, before, during, workers, lost));
    }
}
