//! The crash-and-resume property: a campaign killed at random points (its journal stops
//! accepting records after N of them, and the run is dropped mid-flight) and resumed with
//! the same journal sends every recipient exactly once according to the mock's request
//! log, apart from those it reports unknown, which got at most one request.
#![cfg(feature = "mock")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::path::Path;

use proptest::prelude::*;

use sehat_whatsapp::campaign::{
    Campaign, CampaignRecipient, FileJournal, Journal, JournalError, JournalRecord, Outcome,
};
use sehat_whatsapp::ids::{PhoneNumberId, WaId};
use sehat_whatsapp::message::{Language, Message, TemplateMessage};
use sehat_whatsapp::mock::MockGraphApi;

/// A journal that writes its first `remaining` records and then fails, as a process that
/// dies in the middle of a batch would leave it.
struct Crashing {
    inner: FileJournal,
    remaining: usize,
}

impl Journal for Crashing {
    fn replay(&mut self) -> Result<Vec<JournalRecord>, JournalError> {
        self.inner.replay()
    }

    fn append(&mut self, records: &[JournalRecord]) -> Result<(), JournalError> {
        let take = records.len().min(self.remaining);
        self.inner.append(&records[..take])?;
        self.remaining -= take;
        if take < records.len() {
            return Err(JournalError::Closed("simulated crash".into()));
        }
        Ok(())
    }
}

fn audience(size: usize) -> Vec<CampaignRecipient> {
    (0..size)
        .map(|i| {
            let number = format!("62812{:08}", 1000 + i);
            let template = TemplateMessage::new("pita_pink_2026", Language::new("id"))
                .named_body([("nama", format!("Ibu {i}"))]);
            CampaignRecipient::new(Message::new(WaId::parse(&number).unwrap(), template).unwrap())
        })
        .collect()
}

fn sends_per_number(mock: &MockGraphApi) -> HashMap<String, usize> {
    let mut counts = HashMap::new();
    for request in mock.requests() {
        if request.method == "POST" && request.path.ends_with("/messages") {
            let to = request.json()["to"].as_str().unwrap().to_owned();
            *counts.entry(to).or_default() += 1;
        }
    }
    counts
}

async fn run_with_crashes(size: usize, crashes: Vec<usize>, concurrency: usize, path: &Path) {
    let mock = MockGraphApi::start().await.unwrap();
    let phone = mock
        .client()
        .unwrap()
        .phone(PhoneNumberId::new(MockGraphApi::PHONE_NUMBER_ID));
    let people = audience(size);
    let mut crashed = 0;
    for remaining in crashes {
        let journal = Crashing {
            inner: FileJournal::open(path).unwrap(),
            remaining,
        };
        let result = Campaign::new(journal)
            .no_pacing()
            .concurrency(concurrency)
            .run(&phone, people.clone())
            .await;
        if result.is_err() {
            crashed += 1;
        }
    }
    // The final, clean run.
    let report = Campaign::new(FileJournal::open(path).unwrap())
        .no_pacing()
        .concurrency(concurrency)
        .run(&phone, people.clone())
        .await
        .unwrap();
    let counts = sends_per_number(&mock);
    let mut unknown = 0;
    for (recipient, outcome) in people.iter().zip(&report.outcomes) {
        let to = recipient.message().recipient().to_field();
        let count = counts.get(to).copied().unwrap_or(0);
        match &outcome.outcome {
            Outcome::Unknown => {
                unknown += 1;
                assert!(count <= 1, "unknown recipient sent {count} times");
            }
            Outcome::Sent(_) | Outcome::Skipped => {
                assert_eq!(count, 1, "recipient {} sent {count} times", outcome.index);
            }
            other => panic!("unexpected outcome {other:?}"),
        }
    }
    // Only crashes make unknowns: at most the sends in flight at each crash.
    assert!(
        unknown <= crashed * concurrency,
        "{unknown} unknown after {crashed} crashes"
    );
    assert_eq!(report.unknown, unknown);
    assert_eq!(report.sent + report.skipped + report.unknown, size);

    // Yet another run sends nothing.
    let before = mock.requests().len();
    let again = Campaign::new(FileJournal::open(path).unwrap())
        .no_pacing()
        .run(&phone, people)
        .await
        .unwrap();
    assert_eq!(again.sent, 0);
    assert_eq!(again.unknown, unknown);
    assert_eq!(mock.requests().len(), before);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    #[test]
    fn every_recipient_is_sent_at_most_once_across_crashes(
        size in 1usize..24,
        crashes in proptest::collection::vec(0usize..60, 1..4),
        concurrency in 1usize..6,
    ) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("campaign.journal");
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(run_with_crashes(size, crashes, concurrency, &path));
    }
}

#[tokio::test]
async fn a_crash_between_sending_and_sent_reports_unknown_and_never_resends() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("campaign.journal");
    let mock = MockGraphApi::start().await.unwrap();
    let phone = mock
        .client()
        .unwrap()
        .phone(PhoneNumberId::new(MockGraphApi::PHONE_NUMBER_ID));
    let people = audience(3);
    // 3 planned + sending of the first: the first request leaves, its `sent` is lost.
    let journal = Crashing {
        inner: FileJournal::open(&path).unwrap(),
        remaining: 4,
    };
    let crashed = Campaign::new(journal)
        .no_pacing()
        .concurrency(1)
        .run(&phone, people.clone())
        .await;
    assert!(matches!(
        crashed,
        Err(sehat_whatsapp::campaign::CampaignError::Journal(_))
    ));
    assert_eq!(sends_per_number(&mock).values().sum::<usize>(), 1);

    let report = Campaign::new(FileJournal::open(&path).unwrap())
        .no_pacing()
        .concurrency(1)
        .run(&phone, people.clone())
        .await
        .unwrap();
    assert_eq!(report.outcomes[0].outcome, Outcome::Unknown);
    assert_eq!((report.sent, report.unknown), (2, 1));
    let counts = sends_per_number(&mock);
    for recipient in &people {
        assert_eq!(counts[recipient.message().recipient().to_field()], 1);
    }
}
