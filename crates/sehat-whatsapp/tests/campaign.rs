//! The campaign sender: opt-outs, failure classification, the messaging limit, pacing
//! (on tokio's paused clock), progress, the journal's robustness and audience checks.
#![cfg(feature = "mock")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::future::Future;
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::json;

use sehat_whatsapp::campaign::{
    Campaign, CampaignError, CampaignRecipient, FileJournal, FileOptOuts, Journal, JournalError,
    JournalEvent, MemoryJournal, MemoryOptOuts, MessagingLimit, OptOutStore, Outcome, SendMessage,
    apply_preference,
};
use sehat_whatsapp::ids::{PhoneNumberId, WaId};
use sehat_whatsapp::message::{Language, Message, TemplateMessage};
use sehat_whatsapp::mock::{Failure, MockGraphApi};
use sehat_whatsapp::pacing::Pacing;
use sehat_whatsapp::webhook::{Event, WebhookPayload};
use sehat_whatsapp::{Error, PhoneNumberApi, SendReceipt};

fn number(i: usize) -> String {
    format!("62813{:08}", 5000 + i)
}

fn audience(size: usize) -> Vec<CampaignRecipient> {
    (0..size)
        .map(|i| {
            let template = TemplateMessage::new("pita_pink_2026", Language::new("id"))
                .named_body([("nama", format!("Ibu {i}"))]);
            CampaignRecipient::new(
                Message::new(WaId::parse(&number(i)).unwrap(), template).unwrap(),
            )
        })
        .collect()
}

async fn mock_phone() -> (MockGraphApi, PhoneNumberApi) {
    let mock = MockGraphApi::start().await.unwrap();
    let phone = mock
        .client()
        .unwrap()
        .phone(PhoneNumberId::new(MockGraphApi::PHONE_NUMBER_ID));
    (mock, phone)
}

fn sent_to(mock: &MockGraphApi) -> Vec<String> {
    mock.requests()
        .into_iter()
        .filter(|r| r.path.ends_with("/messages"))
        .map(|r| r.json()["to"].as_str().unwrap().to_owned())
        .collect()
}

fn api_failure(code: i64) -> Failure {
    Failure::Api {
        status: 400,
        code,
        message: format!("(#{code}) failure"),
    }
}

#[tokio::test]
async fn opt_outs_from_the_store_the_webhook_and_131050_are_respected() {
    let (mock, phone) = mock_phone().await;
    let store = Arc::new(MemoryOptOuts::new());
    // A user_preferences webhook, as Meta sends it, stops number 1.
    let body = json!({"object": "whatsapp_business_account", "entry": [{"id": "102290129340398", "changes": [{"field": "user_preferences", "value": {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550783881", "phone_number_id": "106540352242922"},
        "contacts": [{"profile": {"name": "Ibu 1"}, "wa_id": number(1)}],
        "user_preferences": [{"wa_id": number(1), "detail": "User requested to stop marketing messages", "category": "marketing_messages", "value": "stop", "timestamp": 1731705721}]
    }}]}]});
    let payload = WebhookPayload::from_slice(body.to_string().as_bytes()).unwrap();
    let mut applied = 0;
    for event in payload.events() {
        if let Event::UserPreference(preference) = event {
            applied +=
                usize::from(apply_preference(store.as_ref(), preference.preference).unwrap());
        }
    }
    assert_eq!(applied, 1);
    // Number 0 answers 131050 when sent to.
    mock.fail_next(api_failure(131050));
    let report = Campaign::new(MemoryJournal::new())
        .no_pacing()
        .concurrency(1)
        .opt_outs(store.clone())
        .run(&phone, audience(4))
        .await
        .unwrap();
    assert_eq!(report.outcomes[0].outcome, Outcome::OptedOut);
    assert_eq!(report.outcomes[1].outcome, Outcome::OptedOut);
    assert_eq!((report.sent, report.opted_out), (2, 2));
    assert!(store.is_opted_out(&number(0)));
    // Number 1 never reached the API; number 0 once (the 131050 answer).
    let sent = sent_to(&mock);
    assert!(!sent.contains(&number(1)));
    assert_eq!(sent.iter().filter(|n| **n == number(0)).count(), 1);

    // A new campaign skips both without a request.
    mock.clear_requests();
    let report = Campaign::new(MemoryJournal::new())
        .no_pacing()
        .opt_outs(store)
        .run(&phone, audience(4))
        .await
        .unwrap();
    assert_eq!((report.sent, report.opted_out), (2, 2));
    assert_eq!(sent_to(&mock).len(), 2);
}

#[test]
fn file_opt_outs_persist_and_reject_bad_lines() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("opt-outs.txt");
    let store = FileOptOuts::open(&path).unwrap();
    store.set_opted_out(&number(3), true).unwrap();
    store.set_opted_out(&number(4), true).unwrap();
    store.set_opted_out(&number(3), false).unwrap();
    let store = FileOptOuts::open(&path).unwrap();
    assert!(!store.is_opted_out(&number(3)));
    assert!(store.is_opted_out(&number(4)));
    std::fs::OpenOptions::new()
        .append(true)
        .open(&path)
        .unwrap()
        .write_all(b"maybe 628\n")
        .unwrap();
    let error = FileOptOuts::open(&path).unwrap_err();
    assert!(error.to_string().contains("line 4"), "{error}");
}

#[tokio::test]
async fn failures_are_classified_and_a_paused_template_stops_the_campaign() {
    let (mock, phone) = mock_phone().await;
    let journal = MemoryJournal::new();
    mock.fail_next(Failure::Undeliverable);
    mock.fail_next(api_failure(131049));
    mock.fail_next(api_failure(132015));
    let report = Campaign::new(journal.clone())
        .no_pacing()
        .concurrency(1)
        .run(&phone, audience(6))
        .await
        .unwrap();
    assert_eq!(
        report.outcomes[0].outcome,
        Outcome::Failed {
            reason: "undeliverable".into(),
            code: Some(131026)
        }
    );
    assert_eq!(
        report.outcomes[1].outcome,
        Outcome::RetryLater {
            reason: "marketing_limit".into(),
            code: Some(131049)
        }
    );
    assert_eq!(
        report.outcomes[2].outcome,
        Outcome::RetryLater {
            reason: "template_paused".into(),
            code: Some(132015)
        }
    );
    assert_eq!(report.stopped.as_deref(), Some("template_paused"));
    assert_eq!(report.not_attempted, 3);
    assert_eq!(report.failed["undeliverable"], 1);
    assert_eq!(report.retry_later["marketing_limit"], 1);
    assert_eq!(sent_to(&mock).len(), 3);

    // Once the template is fixed, the next run sends to everyone but the undeliverable one.
    let report = Campaign::new(journal.clone())
        .no_pacing()
        .concurrency(1)
        .run(&phone, audience(6))
        .await
        .unwrap();
    assert_eq!((report.sent, report.skipped), (5, 1));
    assert_eq!(report.outcomes[0].outcome, Outcome::Skipped);
    assert_eq!(sent_to(&mock).len(), 8);
    // The journal says why, per recipient.
    let failed = journal
        .records()
        .into_iter()
        .filter(|r| matches!(r.event, JournalEvent::Failed { retry: false, .. }))
        .count();
    assert_eq!(failed, 1);
}

#[tokio::test]
async fn an_unanswered_send_is_unknown_and_not_repeated() {
    let mock = MockGraphApi::start().await.unwrap();
    let client = mock
        .client_builder()
        .timeout(Duration::from_millis(1000))
        .build()
        .unwrap();
    let phone = client.phone(PhoneNumberId::new(MockGraphApi::PHONE_NUMBER_ID));
    mock.fail_next(Failure::Slow(Duration::from_millis(2500)));
    let journal = MemoryJournal::new();
    let report = Campaign::new(journal.clone())
        .no_pacing()
        .concurrency(1)
        .run(&phone, audience(2))
        .await
        .unwrap();
    assert_eq!(report.outcomes[0].outcome, Outcome::Unknown);
    assert_eq!((report.sent, report.unknown), (1, 1));
    let again = Campaign::new(journal)
        .no_pacing()
        .run(&phone, audience(2))
        .await
        .unwrap();
    assert_eq!((again.sent, again.unknown, again.skipped), (0, 1, 1));
    assert_eq!(sent_to(&mock).len(), 2);
}

/// Sends nothing: answers at once and logs when, on tokio's clock.
struct Instant {
    id: PhoneNumberId,
    log: Mutex<Vec<(String, tokio::time::Instant)>>,
}

static NEXT_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

impl Default for Instant {
    fn default() -> Self {
        Self {
            id: PhoneNumberId::new("106540352242922"),
            log: Mutex::default(),
        }
    }
}

impl SendMessage for Instant {
    fn phone_number_id(&self) -> &PhoneNumberId {
        &self.id
    }

    fn send_message(
        &self,
        message: &Message,
    ) -> impl Future<Output = Result<SendReceipt, Error>> + Send {
        let to = message.recipient().to_field().to_owned();
        self.log
            .lock()
            .unwrap()
            .push((to.clone(), tokio::time::Instant::now()));
        let id = NEXT_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        async move {
            Ok(serde_json::from_value(json!({
                "messaging_product": "whatsapp",
                "contacts": [{"input": to, "wa_id": to}],
                "messages": [{"id": format!("wamid.{id}")}]
            }))
            .unwrap())
        }
    }
}

#[tokio::test(start_paused = true)]
async fn pacing_holds_80_messages_per_second() {
    let sender = Instant::default();
    let start = tokio::time::Instant::now();
    // One send at a time: on the paused clock, time jumps whenever every task waits, and
    // a task waiting for the journal thread would let others' slots pass in zero real
    // time. The bench measures the rate with 64 sends in flight, in real time.
    let report = Campaign::new(MemoryJournal::new())
        .pacing(Pacing::default())
        .concurrency(1)
        .run(&sender, audience(400))
        .await
        .unwrap();
    assert_eq!(report.sent, 400);
    let log = sender.log.lock().unwrap();
    let first = log.first().unwrap().1;
    let last = log.last().unwrap().1;
    // 400 sends at 80/s with the pacer's burst of 4: the last goes at 396/80 s.
    let span = last.duration_since(first).as_secs_f64();
    let rate = 396.0 / span;
    assert!(
        (rate - 80.0).abs() <= 80.0 * 0.02,
        "{rate:.2} messages/s over {span:.3} s"
    );
    // No second ever held more than rate + burst - 1 sends.
    for (i, (_, at)) in log.iter().enumerate() {
        let window = log[i..]
            .iter()
            .take_while(|(_, t)| t.duration_since(*at) < Duration::from_secs(1))
            .count();
        assert!(window <= 83, "{window} sends within one second");
    }
    assert!(start.elapsed() >= Duration::from_millis(4900));
}

#[tokio::test]
async fn the_messaging_limit_defers_new_users_beyond_the_tier() {
    let sender = Instant::default();
    let journal = MemoryJournal::new();
    let report = Campaign::new(journal.clone())
        .no_pacing()
        .messaging_limit(MessagingLimit::Tier250)
        .run(&sender, audience(260))
        .await
        .unwrap();
    assert_eq!(report.sent, 250);
    assert_eq!(report.retry_later["messaging_limit"], 10);
    // The journal's reaches in the last 24 h still count on the next run.
    let again = Campaign::new(journal)
        .no_pacing()
        .messaging_limit(MessagingLimit::Tier250)
        .run(&sender, audience(260))
        .await
        .unwrap();
    assert_eq!((again.sent, again.skipped), (0, 250));
    assert_eq!(again.retry_later["messaging_limit"], 10);
    assert_eq!(sender.log.lock().unwrap().len(), 250);
}

#[tokio::test]
async fn progress_is_reported_after_each_recipient() {
    let sender = Instant::default();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = seen.clone();
    let report = Campaign::new(MemoryJournal::new())
        .no_pacing()
        .on_progress(move |p| sink.lock().unwrap().push((p.done, p.total, p.sent)))
        .run(&sender, audience(5))
        .await
        .unwrap();
    assert_eq!(report.sent, 5);
    let seen = seen.lock().unwrap();
    assert_eq!(seen.first(), Some(&(0, 5, 0)));
    assert_eq!(seen.last(), Some(&(5, 5, 5)));
    assert_eq!(seen.len(), 6);
}

#[tokio::test]
async fn duplicate_recipients_are_refused_before_any_send() {
    let sender = Instant::default();
    let mut people = audience(3);
    people.push(people[1].clone());
    let error = Campaign::new(MemoryJournal::new())
        .run(&sender, people)
        .await
        .unwrap_err();
    assert!(matches!(
        error,
        CampaignError::DuplicateRecipient {
            first: 1,
            second: 3,
            ..
        }
    ));
    assert!(sender.log.lock().unwrap().is_empty());
    let keyed = vec![CampaignRecipient::with_key(
        "",
        audience(1)[0].message().clone(),
    )];
    assert!(matches!(
        Campaign::new(MemoryJournal::new())
            .run(&sender, keyed)
            .await,
        Err(CampaignError::EmptyKey { index: 0 })
    ));
}

#[test]
fn file_journal_cuts_a_torn_line_and_names_a_corrupt_one() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("j");
    let mut journal = FileJournal::open(&path).unwrap();
    journal
        .append(&[sehat_whatsapp::campaign::JournalRecord::now(
            "a",
            JournalEvent::Planned,
        )])
        .unwrap();
    drop(journal);
    std::fs::OpenOptions::new()
        .append(true)
        .open(&path)
        .unwrap()
        .write_all(br#"{"k":"b","t":1,"e":"sen"#)
        .unwrap();
    let mut journal = FileJournal::open(&path).unwrap();
    let records = journal.replay().unwrap();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].key, "a");
    drop(journal);
    std::fs::OpenOptions::new()
        .append(true)
        .open(&path)
        .unwrap()
        .write_all(b"not json\n")
        .unwrap();
    let mut journal = FileJournal::open(&path).unwrap();
    assert!(matches!(
        journal.replay(),
        Err(JournalError::Corrupt { line: 2, .. })
    ));
}

#[test]
fn journal_lines_hold_no_phone_number() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("j");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let sender = Instant::default();
        Campaign::new(FileJournal::open(&path).unwrap())
            .no_pacing()
            .run(&sender, audience(3))
            .await
            .unwrap();
    });
    let text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(text.lines().count(), 9);
    for i in 0..3 {
        assert!(!text.contains(&number(i)));
    }
}

#[tokio::test(start_paused = true)]
async fn a_shared_pacer_paces_a_recipient_across_campaigns() {
    let pacing = Pacing::default()
        .recipient(Duration::from_secs(6), 1)
        .unwrap();
    let pacer = Arc::new(sehat_whatsapp::pacing::Pacer::new(pacing));
    let sender = Instant::default();
    let start = tokio::time::Instant::now();
    for journal in [MemoryJournal::new(), MemoryJournal::new()] {
        let report = Campaign::new(journal)
            .shared_pacer(pacer.clone())
            .concurrency(1)
            .run(&sender, audience(1))
            .await
            .unwrap();
        assert_eq!(report.sent, 1);
    }
    // The same recipient twice, one message per 6 s: the second campaign waited.
    let log = sender.log.lock().unwrap();
    let gap = log[1].1.duration_since(log[0].1);
    assert!(gap >= Duration::from_millis(5_950), "{gap:?}");
    assert!(gap < Duration::from_millis(6_100), "{gap:?}");
    assert!(start.elapsed() >= Duration::from_millis(5_950));
}
