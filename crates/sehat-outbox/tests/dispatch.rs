//! The dispatcher against the mock Graph API on an SQLite outbox.

#![allow(clippy::expect_used, clippy::unwrap_used)]

mod support;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sehat_outbox::dispatch::{
    CheckBeforeSend, DispatchEvent, Dispatcher, Pacing, RunMode, Verdict, stop_signal,
};
use sehat_outbox::input::ScheduleRequest;
use sehat_outbox::model::{
    ConsentAction, ConsentScope, ConsentSource, Evidence, MessageKey, Purpose, State,
};
use sehat_outbox::store::{Claimed, Store};
use sehat_pseudonym::{PhoneNumber, Region};
use sehat_whatsapp_mock::Failure;
use support::harness::{DAY, Harness, NUMBER_ID, Timed, never, reminder};
use time::macros::datetime;

fn key(k: &str) -> MessageKey {
    MessageKey::new(k).expect("key")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reminder_goes_out_once_with_its_parameters_and_moves_with_statuses() {
    let h = Harness::new().await;
    h.schedule(&[reminder("child-1/campak/1", "0812-3456-7890")])
        .await;
    let events = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&events);
    let report = h
        .dispatcher(DAY)
        .on_event(move |e| seen.lock().expect("lock").push(e.clone()))
        .run(RunMode::UntilIdle, never())
        .await
        .expect("dispatch");
    assert_eq!(report.sent, 1);
    assert_eq!(
        h.sent(),
        vec![("6281234567890".to_owned(), "imunisasi_pengingat".to_owned())]
    );
    let body = &h.bodies()[0];
    assert_eq!(body["template"]["language"]["code"], "id");
    assert_eq!(
        body["template"]["components"][0]["parameters"][0]["parameter_name"],
        "nama"
    );
    assert_eq!(
        body["template"]["components"][0]["parameters"][0]["text"],
        "Sari"
    );
    assert_eq!(h.state("child-1/campak/1").await, State::Sent);
    let events = events.lock().expect("lock").clone();
    assert!(
        matches!(&events[..], [DispatchEvent::Sent { key, template, .. }]
        if key.as_str() == "child-1/campak/1" && template == "imunisasi_pengingat")
    );

    // Running again sends nothing.
    let again = h.dispatch(DAY).await;
    assert_eq!(again.sent, 0);
    assert_eq!(h.sent().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_key_twice_is_scheduled_and_sent_once_and_never_updated_after_the_send() {
    let h = Harness::new().await;
    let r = reminder("k/1", "081234567890");
    let out = h
        .outbox
        .schedule(&[r.clone(), r.clone()], DAY)
        .await
        .expect("schedule");
    assert_eq!(out[0].as_ref().map(|o| o.as_str()), Ok("new"));
    assert_eq!(out[1].as_ref().map(|o| o.as_str()), Ok("unchanged"));
    // The same number in another format is the same message content.
    let same = reminder("k/1", "+62 812-3456-7890");
    let out = h.outbox.schedule(&[same], DAY).await.expect("schedule");
    assert_eq!(out[0].as_ref().map(|o| o.as_str()), Ok("unchanged"));
    let changed = reminder("k/1", "081234567890").param("nama", "Dewi");
    let out = h
        .outbox
        .schedule(std::slice::from_ref(&changed), DAY)
        .await
        .expect("schedule");
    assert_eq!(out[0].as_ref().map(|o| o.as_str()), Ok("updated"));
    h.dispatch(DAY).await;
    assert_eq!(
        h.bodies()[0]["template"]["components"][0]["parameters"][0]["text"],
        "Dewi"
    );
    let out = h
        .outbox
        .schedule(&[changed.param("nama", "Lagi")], DAY)
        .await
        .expect("schedule");
    assert_eq!(
        out[0],
        Ok(sehat_outbox::model::ScheduleOutcome::Refused { state: State::Sent })
    );
    h.dispatch(DAY).await;
    assert_eq!(h.sent().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancelled_messages_never_leave_and_rescheduled_ones_leave_at_their_new_time() {
    let h = Harness::new().await;
    h.schedule(&[
        reminder("c/1", "0812-1111-0001"),
        reminder("c/2", "0812-1111-0002"),
    ])
    .await;
    let store = h.outbox.store();
    assert!(
        store
            .cancel(&key("c/1"), State::Cancelled, DAY)
            .await
            .expect("cancel")
    );
    let next_week = DAY + Duration::from_secs(7 * 86_400);
    assert!(
        store
            .reschedule(&key("c/2"), next_week, None)
            .await
            .expect("reschedule")
    );
    let report = h.dispatch(DAY).await;
    assert_eq!(report.sent, 0);
    assert!(h.sent().is_empty());
    let report = h.dispatch(next_week).await;
    assert_eq!(report.sent, 1);
    assert_eq!(h.sent()[0].0, "6281211110002");
    assert_eq!(h.state("c/1").await, State::Cancelled);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_past_its_window_expires_instead_of_going_late() {
    let h = Harness::new().await;
    let r = reminder("e/1", "0812-1111-0003").not_after(DAY + Duration::from_secs(3600));
    h.schedule(&[r]).await;
    let report = h.dispatch(DAY + Duration::from_secs(7200)).await;
    assert_eq!((report.sent, report.expired), (0, 1));
    assert_eq!(h.state("e/1").await, State::Expired);
    assert!(h.sent().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quiet_hours_follow_each_recipients_zone_and_defer_without_dropping() {
    let h = Harness::new().await;
    let zones = [
        ("q/jakarta", "0812-2222-0001", "Asia/Jakarta"),
        ("q/makassar", "0812-2222-0002", "Asia/Makassar"),
        ("q/jayapura", "0812-2222-0003", "Asia/Jayapura"),
    ];
    let requests: Vec<ScheduleRequest> = zones
        .iter()
        .map(|(k, p, z)| {
            ScheduleRequest::new(
                *k,
                *p,
                Purpose::Reminder,
                "imunisasi_pengingat",
                datetime!(2026-05-04 12:00 UTC),
            )
            .timezone(*z)
        })
        .collect();
    h.schedule(&requests).await;
    // 13:30 UTC: 20:30 in Jakarta (fine), 21:30 in Makassar and 22:30 in Jayapura (quiet).
    let report = h.dispatch(datetime!(2026-05-04 13:30 UTC)).await;
    assert_eq!((report.sent, report.deferred), (1, 2));
    assert_eq!(h.sent()[0].0, "6281222220001");
    let makassar = h.view("q/makassar").await;
    let jayapura = h.view("q/jayapura").await;
    // 07:00 local the next morning.
    assert_eq!(
        (makassar.state, makassar.not_before),
        (State::Scheduled, datetime!(2026-05-04 23:00 UTC))
    );
    assert_eq!(
        (jayapura.state, jayapura.not_before),
        (State::Scheduled, datetime!(2026-05-04 22:00 UTC))
    );
    // 22:30 UTC: Jayapura is at 07:30 (goes), Makassar at 06:30 (still quiet, not due yet).
    let report = h.dispatch(datetime!(2026-05-04 22:30 UTC)).await;
    assert_eq!(report.sent, 1);
    assert_eq!(h.sent()[1].0, "6281222220003");
    let report = h.dispatch(datetime!(2026-05-04 23:00 UTC)).await;
    assert_eq!(report.sent, 1);
    assert_eq!(h.sent()[2].0, "6281222220002");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_opt_out_in_any_number_format_suppresses_sends_in_every_other_format() {
    let h = Harness::new().await;
    let formats = [
        "081200003537",
        "+6281200003537",
        "6281200003537",
        "0812-0000-3537",
        "+62 812 0000 3537",
    ];
    for (i, opt_out_as) in formats.iter().enumerate() {
        let number = PhoneNumber::parse_mobile(opt_out_as, Region::ID).expect("number");
        h.outbox
            .record_consent_for(
                &number,
                ConsentScope::All,
                ConsentAction::OptOut,
                &Evidence::new(ConsentSource::Csv, DAY - Duration::from_secs(60)),
            )
            .await
            .expect("consent");
        let send_as = formats[(i + 1) % formats.len()];
        h.schedule(&[reminder(&format!("f/{i}"), send_as)]).await;
    }
    let report = h.dispatch(DAY).await;
    assert_eq!((report.sent, report.suppressed), (0, formats.len() as u64));
    assert!(h.sent().is_empty());
    for i in 0..formats.len() {
        assert_eq!(h.state(&format!("f/{i}")).await, State::Suppressed);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn campaigns_need_an_opt_in_and_reminders_do_not() {
    let h = Harness::new().await;
    let campaign =
        |k: &str, p: &str| ScheduleRequest::new(k, p, Purpose::Campaign, "pita_pink_2026", DAY);
    let number = PhoneNumber::parse_mobile("0812-7777-0001", Region::ID).expect("n");
    h.outbox
        .record_consent_for(
            &number,
            Purpose::Campaign.into(),
            ConsentAction::OptIn,
            &Evidence::new(ConsentSource::Csv, DAY),
        )
        .await
        .expect("consent");
    h.schedule(&[
        campaign("p/in", "0812-7777-0001"),
        campaign("p/none", "0812-7777-0002"),
        reminder("p/rem", "0812-7777-0002"),
    ])
    .await;
    let report = h.dispatch(DAY).await;
    assert_eq!((report.sent, report.suppressed), (2, 1));
    assert_eq!(h.state("p/none").await, State::Suppressed);
    assert_eq!(h.state("p/in").await, State::Sent);
    assert_eq!(h.state("p/rem").await, State::Sent);
}

fn webhook(value: serde_json::Value, field: &str) -> sehat_whatsapp::webhook::WebhookPayload {
    let body = serde_json::json!({"object": "whatsapp_business_account", "entry": [{"id": "102290129340398", "changes": [{"field": field, "value": value}]}]});
    sehat_whatsapp::webhook::WebhookPayload::from_slice(body.to_string().as_bytes())
        .expect("payload")
}

fn text_from(
    wa_id: &str,
    user_id: Option<&str>,
    text: &str,
    ts: i64,
) -> sehat_whatsapp::webhook::WebhookPayload {
    let mut contact = serde_json::json!({"profile": {"name": "Ibu"}, "wa_id": wa_id});
    let mut msg = serde_json::json!({"from": wa_id, "id": format!("wamid.in.{ts}"), "timestamp": ts.to_string(), "type": "text", "text": {"body": text}});
    if let Some(u) = user_id {
        contact["user_id"] = u.into();
        msg["from_user_id"] = u.into();
    }
    webhook(
        serde_json::json!({
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "15550783881", "phone_number_id": NUMBER_ID},
            "contacts": [contact],
            "messages": [msg]
        }),
        "messages",
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keywords_opt_out_and_back_in() {
    let h = Harness::new().await;
    let t = DAY.unix_timestamp();
    let berhenti = text_from("6281234500001", None, "  berhenti ", t - 100);
    let report = h.outbox.apply_webhook(&berhenti, DAY).await.expect("apply");
    assert!(matches!(
        &report.events[..],
        [sehat_outbox::webhook::InboxEvent::Consent {
            action: ConsentAction::OptOut,
            scope: ConsentScope::All,
            ..
        }]
    ));
    // Meta delivers the same webhook again: the opt-out is kept once and no second event
    // reaches the caller (who might confirm the opt-out to the person twice).
    let again = h
        .outbox
        .apply_webhook(&berhenti, DAY)
        .await
        .expect("apply again");
    assert!(again.events.is_empty(), "{again:?}");
    assert_eq!(again.repeated, 1);
    h.schedule(&[reminder("kw/1", "0812-3450-0001")]).await;
    let r = h.dispatch(DAY).await;
    assert_eq!((r.sent, r.suppressed), (0, 1));
    // "MULAI" later: the next reminder goes.
    h.outbox
        .apply_webhook(&text_from("6281234500001", None, "MULAI", t - 50), DAY)
        .await
        .expect("apply");
    h.schedule(&[reminder("kw/2", "0812-3450-0001")]).await;
    let r = h.dispatch(DAY).await;
    assert_eq!(r.sent, 1);
    // An ordinary message changes nothing.
    let report = h
        .outbox
        .apply_webhook(&text_from("6281234500001", None, "stop dulu ya", t), DAY)
        .await
        .expect("apply");
    assert!(report.events.is_empty());
    assert_eq!(report.ignored, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bsuid_seen_with_the_number_carries_consent_to_the_number() {
    let h = Harness::new().await;
    let t = DAY.unix_timestamp();
    // A message carrying both ids links them.
    h.outbox
        .apply_webhook(
            &text_from(
                "6281234500002",
                Some("ID.1349120865530274"),
                "halo",
                t - 100,
            ),
            DAY,
        )
        .await
        .expect("apply");
    // Later a preference change names only the BSUID.
    let pref = webhook(
        serde_json::json!({
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "15550783881", "phone_number_id": NUMBER_ID},
            "user_preferences": [{"user_id": "ID.1349120865530274", "detail": "User requested to stop marketing messages", "category": "marketing_messages", "value": "stop", "timestamp": t - 50}]
        }),
        "user_preferences",
    );
    let report = h.outbox.apply_webhook(&pref, DAY).await.expect("apply");
    assert_eq!(report.events.len(), 2, "campaign and education: {report:?}");
    let again = h.outbox.apply_webhook(&pref, DAY).await.expect("again");
    assert_eq!((again.events.len(), again.repeated), (0, 2), "{again:?}");
    let number = PhoneNumber::parse_mobile("0812-3450-0002", Region::ID).expect("n");
    h.outbox
        .record_consent_for(
            &number,
            Purpose::Campaign.into(),
            ConsentAction::OptIn,
            &Evidence::new(ConsentSource::Csv, DAY - Duration::from_secs(3600)),
        )
        .await
        .expect("consent");
    h.schedule(&[
        ScheduleRequest::new(
            "b/1",
            "0812 3450 0002",
            Purpose::Campaign,
            "pita_pink_2026",
            DAY,
        ),
        reminder("b/2", "0812 3450 0002"),
    ])
    .await;
    let r = h.dispatch(DAY).await;
    // The stop (newer than the CSV opt-in) holds the campaign; the reminder is no marketing.
    assert_eq!((r.sent, r.suppressed), (1, 1));
    assert_eq!(h.state("b/1").await, State::Suppressed);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn error_131050_suppresses_and_records_the_opt_out() {
    let h = Harness::new().await;
    h.schedule(&[reminder("o/1", "0812-3450-0003")]).await;
    h.mock.fail_next(Failure::Api {
        status: 400,
        code: 131_050,
        message: "(#131050) opted out".into(),
    });
    let r = h.dispatch(DAY).await;
    assert_eq!((r.sent, r.suppressed), (0, 1));
    assert_eq!(h.state("o/1").await, State::Suppressed);
    let number = PhoneNumber::parse_mobile("+6281234500003", Region::ID).expect("n");
    let policy = sehat_outbox::model::ConsentPolicy::default();
    assert!(
        !h.outbox
            .consent_allows(&number, Purpose::Campaign, &policy)
            .await
            .expect("c")
    );
    assert!(
        !h.outbox
            .consent_allows(&number, Purpose::Reminder, &policy)
            .await
            .expect("c")
    );
    assert_eq!(h.sent().len(), 1, "one request, answered with 131050");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn error_131050_on_several_campaign_messages_to_one_person_records_each_opt_out_once() {
    let h = Harness::new().await;
    let number = PhoneNumber::parse_mobile("0812-3450-0013", Region::ID).expect("n");
    h.outbox
        .record_consent_for(
            &number,
            Purpose::Campaign.into(),
            ConsentAction::OptIn,
            &Evidence::new(ConsentSource::Csv, DAY - Duration::from_secs(3600)),
        )
        .await
        .expect("consent");
    let campaign =
        |k: &str| ScheduleRequest::new(k, "0812-3450-0013", Purpose::Campaign, "pita_pink", DAY);
    h.schedule(&[campaign("oo/1"), campaign("oo/2")]).await;
    for _ in 0..2 {
        h.mock.fail_next(Failure::Api {
            status: 400,
            code: 131_050,
            message: "(#131050) opted out".into(),
        });
    }
    let r = h.dispatch(DAY).await;
    assert_eq!((r.sent, r.suppressed), (0, 2));
    let db = rusqlite::Connection::open(h.dir.path().join("outbox.db")).expect("db");
    let mut rows: Vec<(String, String, i64)> = db
        .prepare("SELECT scope, action, count(*) FROM consent GROUP BY scope, action")
        .expect("prepare")
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows");
    rows.sort();
    assert_eq!(
        rows,
        vec![
            ("campaign".to_owned(), "opt_in".to_owned(), 1),
            ("campaign".to_owned(), "opt_out".to_owned(), 1),
            ("education".to_owned(), "opt_out".to_owned(), 1),
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_throughput_error_throttles_the_number_for_the_whole_fleet() {
    let h = Harness::new().await;
    h.schedule(&[reminder("t/1", "0812-3450-0004")]).await;
    h.mock.fail_next(Failure::ThroughputLimit);
    // A client that reports the error instead of retrying it itself.
    let phone = h
        .mock
        .client_builder()
        .retry(sehat_whatsapp::retry::RetryPolicy::none())
        .build()
        .expect("client")
        .phone(sehat_whatsapp::ids::PhoneNumberId::new(NUMBER_ID));
    let r = Dispatcher::new(&h.outbox, phone)
        .no_pacing()
        .now_at(DAY)
        .concurrency(1)
        .run(RunMode::UntilIdle, never())
        .await
        .expect("dispatch");
    assert_eq!((r.sent, r.retried), (0, 1));
    let view = h.view("t/1").await;
    assert_eq!(
        (view.state, view.attempts, view.error_code),
        (State::Scheduled, 1, Some(130_429))
    );
    // Another store on the file sees the throttle.
    let other = h.second_store();
    let until = other
        .throttled_until(NUMBER_ID, DAY)
        .await
        .expect("t")
        .expect("throttled");
    assert!(until > DAY);
    // Once due again and the throttle is over, it goes.
    let r = h.dispatch(until + Duration::from_secs(1)).await;
    assert_eq!(r.sent, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unanswered_send_is_unknown_and_never_repeated() {
    let h = Harness::new().await;
    h.schedule(&[reminder("u/1", "0812-3450-0005")]).await;
    h.mock.fail_next(Failure::BadGateway);
    let r = h.dispatch(DAY).await;
    assert_eq!(r.unknown, vec![key("u/1")]);
    assert_eq!(h.state("u/1").await, State::Unknown);
    let r = h.dispatch(DAY + Duration::from_secs(3600)).await;
    assert_eq!(r.sent, 0);
    assert_eq!(h.sent().len(), 1);
}

struct DoseRecorded;

impl CheckBeforeSend for DoseRecorded {
    async fn check(&self, message: &Claimed) -> Verdict {
        match message.key.as_str() {
            "h/given" => Verdict::Cancel,
            "h/replaced" => Verdict::Supersede,
            "h/later" => Verdict::Defer(DAY + Duration::from_secs(86_400)),
            _ => Verdict::Send,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_callers_check_cancels_supersedes_or_defers_right_before_the_send() {
    let h = Harness::new().await;
    h.schedule(&[
        reminder("h/given", "0812-3450-0006"),
        reminder("h/replaced", "0812-3450-0007"),
        reminder("h/later", "0812-3450-0008"),
        reminder("h/due", "0812-3450-0009"),
    ])
    .await;
    let r = h
        .dispatcher(DAY)
        .check_before_send(DoseRecorded)
        .run(RunMode::UntilIdle, never())
        .await
        .expect("dispatch");
    assert_eq!((r.sent, r.cancelled, r.deferred), (1, 2, 1));
    assert_eq!(h.state("h/given").await, State::Cancelled);
    assert_eq!(h.state("h/replaced").await, State::Superseded);
    assert_eq!(h.state("h/later").await, State::Scheduled);
    assert_eq!(
        h.sent(),
        vec![("6281234500009".to_owned(), "imunisasi_pengingat".to_owned())]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_on_one_file_share_the_numbers_pace() {
    let h = Harness::new().await;
    let requests: Vec<ScheduleRequest> = (0..40)
        .map(|i| reminder(&format!("pace/{i}"), &format!("0812-5555-{i:04}")))
        .collect();
    h.schedule(&requests).await;
    let times = Arc::new(Mutex::new(Vec::new()));
    let pacing = Pacing {
        per_second: 20,
        per_recipient: None,
    };
    let transport = Timed {
        inner: h.phone.clone(),
        times: Arc::clone(&times),
    };
    let a = Dispatcher::new(&h.outbox, transport.clone())
        .pacing(pacing)
        .batch(8)
        .now_at(DAY)
        .worker("a");
    let b_outbox = h.second_outbox().await;
    let b = Dispatcher::new(&b_outbox, transport.clone())
        .pacing(pacing)
        .batch(8)
        .now_at(DAY)
        .worker("b");
    let start = Instant::now();
    let (ra, rb) = tokio::join!(
        a.run(RunMode::UntilIdle, never()),
        b.run(RunMode::UntilIdle, never())
    );
    let (ra, rb) = (ra.expect("a"), rb.expect("b"));
    assert_eq!(ra.sent + rb.sent, 40);
    assert!(
        ra.sent > 0 && rb.sent > 0,
        "both worked: {} and {}",
        ra.sent,
        rb.sent
    );
    assert_eq!(h.sent().len(), 40);
    // Slots are shared: the k-th send cannot leave before k / 20 s.
    let mut times: Vec<Duration> = times
        .lock()
        .expect("lock")
        .iter()
        .map(|t| t.duration_since(start))
        .collect();
    times.sort();
    for (k, t) in times.iter().enumerate() {
        let earliest = Duration::from_millis(50) * u32::try_from(k).expect("k");
        assert!(
            *t + Duration::from_millis(5) >= earliest,
            "send {k} left at {t:?}, before its slot {earliest:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stop_before_the_run_sends_nothing_and_leaves_everything_scheduled() {
    let h = Harness::new().await;
    h.schedule(&[reminder("s/1", "0812-3450-0010")]).await;
    let (handle, signal) = stop_signal();
    handle.stop();
    let r = h
        .dispatcher(DAY)
        .run(RunMode::Forever, signal)
        .await
        .expect("dispatch");
    assert_eq!(r.sent, 0);
    assert_eq!(h.state("s/1").await, State::Scheduled);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forever_run_stops_on_the_signal() {
    let h = Harness::new().await;
    h.schedule(&[reminder("s/2", "0812-3450-0011")]).await;
    let (handle, signal) = stop_signal();
    let d = h.dispatcher(DAY).poll_interval(Duration::from_millis(20));
    let run = tokio::spawn(async move { d.run(RunMode::Forever, signal).await });
    // Wait for the send itself rather than a fixed time, so a loaded machine cannot make
    // the stop arrive first; the run must then keep polling until it is told to stop.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while h.state("s/2").await != State::Sent {
        assert!(
            tokio::time::Instant::now() < deadline,
            "not sent within 30 s"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(!run.is_finished(), "a forever run ended before the signal");
    handle.stop();
    let r = tokio::time::timeout(Duration::from_secs(10), run)
        .await
        .expect("stops")
        .expect("join")
        .expect("run");
    assert_eq!(r.sent, 1);
    assert_eq!(h.state("s/2").await, State::Sent);
}
