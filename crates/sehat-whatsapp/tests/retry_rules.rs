//! The retry rules against wiremock: what a 5xx without a Graph error means for a send,
//! `Retry-After` in both forms and without a JSON body, and the throttle every sender of
//! a number obeys after 130429 and 131056.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::{Duration, SystemTime};

use serde_json::json;
use wiremock::matchers::{body_string_contains, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use sehat_whatsapp::error::Unanswered;
use sehat_whatsapp::ids::{PhoneNumberId, Recipient, TemplateId, WaId};
use sehat_whatsapp::message::{Message, Text};
use sehat_whatsapp::retry::RetryPolicy;
use sehat_whatsapp::{Client, Error};
use support::{PHONE, client, graph_error, messages_path, sent};

fn to(number: &str) -> WaId {
    WaId::parse(number).unwrap()
}

fn text(number: &str) -> Message {
    Message::new(to(number), Text::new("Halo")).unwrap()
}

#[tokio::test]
async fn a_proxy_5xx_on_a_send_is_outcome_unknown_and_never_resent() {
    for (status, body) in [
        (502, "<html>Bad Gateway</html>"),
        (504, ""),
        (503, "upstream reset"),
        (500, ""),
    ] {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path(messages_path()))
            .respond_with(ResponseTemplate::new(status).set_body_string(body))
            .expect(1)
            .mount(&server)
            .await;
        let error = client(&server)
            .phone(PhoneNumberId::new(PHONE))
            .send(&text("6281234567890"))
            .await
            .unwrap_err();
        // Before: Error::Http, retried later by a campaign; the message may have gone out.
        assert!(
            matches!(error, Error::OutcomeUnknown(Unanswered::Gateway { status: s, .. }) if s == status),
            "{status}: {error}"
        );
        assert!(!error.is_known_unsent(), "{status}");
        assert!(error.to_string().contains("outcome unknown"), "{error}");
    }
}

#[tokio::test]
async fn a_graph_5xx_error_on_a_send_keeps_its_code() {
    // Meta's own 5xx answers carry a Graph error: that is an answer, not an unknown.
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(messages_path()))
        .respond_with(graph_error(500, 131000))
        .mount(&server)
        .await;
    let error = client(&server)
        .phone(PhoneNumberId::new(PHONE))
        .send(&text("6281234567890"))
        .await
        .unwrap_err();
    assert_eq!(error.api_error().unwrap().code(), 131000);
}

#[tokio::test]
async fn a_proxy_5xx_on_a_read_is_retried() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v26.0/77"))
        .respond_with(ResponseTemplate::new(502).set_body_string("Bad Gateway"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v26.0/77"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id":"77","name":"p","language":"id","status":"APPROVED","category":"UTILITY","components":[]})))
        .mount(&server)
        .await;
    let template = client(&server)
        .template(&TemplateId::new("77"))
        .await
        .unwrap();
    assert_eq!(template.name, "p");
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
}

#[tokio::test]
async fn a_bodiless_429_is_retried_after_its_retry_after() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(messages_path()))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "0"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(messages_path()))
        .respond_with(sent())
        .mount(&server)
        .await;
    let receipt = client(&server)
        .phone(PhoneNumberId::new(PHONE))
        .send(&text("6281234567890"))
        .await
        .unwrap();
    assert_eq!(receipt.message_id().unwrap().as_str(), "wamid.OK");
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
}

#[tokio::test]
async fn retry_after_as_an_http_date_is_read_with_and_without_a_json_body() {
    // An hour ahead, as an HTTP date: longer than the policy's cap, so the wait is left
    // to the caller and shows in the error.
    let in_an_hour = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(3600));
    let cases = [
        graph_error(429, 130429).insert_header("retry-after", in_an_hour.as_str()),
        ResponseTemplate::new(429).insert_header("retry-after", in_an_hour.as_str()),
        ResponseTemplate::new(503)
            .insert_header("retry-after", in_an_hour.as_str())
            .set_body_string("Service Unavailable"),
    ];
    for (case, response) in cases.into_iter().enumerate() {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path("/v26.0/77"))
            .respond_with(response)
            .expect(1)
            .mount(&server)
            .await;
        let error = client(&server)
            .template(&TemplateId::new("77"))
            .await
            .unwrap_err();
        let wait = match &error {
            Error::Api { retry_after, .. } | Error::Http { retry_after, .. } => *retry_after,
            other => panic!("case {case}: {other}"),
        };
        let wait = wait.unwrap_or_else(|| panic!("case {case}: no Retry-After in {error}"));
        assert!(
            wait > Duration::from_secs(3590) && wait <= Duration::from_secs(3600),
            "case {case}: {wait:?}"
        );
    }
}

#[tokio::test]
async fn a_retry_after_date_already_past_is_no_wait() {
    let an_hour_ago = httpdate::fmt_http_date(SystemTime::now() - Duration::from_secs(3600));
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(messages_path()))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", an_hour_ago.as_str()))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(messages_path()))
        .respond_with(sent())
        .mount(&server)
        .await;
    let receipt = tokio::time::timeout(
        Duration::from_secs(5),
        client(&server)
            .phone(PhoneNumberId::new(PHONE))
            .send(&text("6281234567890")),
    )
    .await
    .expect("a date in the past is not waited for")
    .unwrap();
    assert_eq!(receipt.message_id().unwrap().as_str(), "wamid.OK");
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
}

#[tokio::test]
async fn a_retry_after_beyond_any_clock_is_returned_and_the_hold_capped() {
    for huge in [
        "99999999999999999999999999",
        "18446744073709551615",
        "Fri, 31 Dec 9999 23:59:59 GMT",
    ] {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path(messages_path()))
            .respond_with(graph_error(429, 130429).insert_header("retry-after", huge))
            .expect(1)
            .mount(&server)
            .await;
        let client = client(&server);
        let phone = client.phone(PhoneNumberId::new(PHONE));
        let error = phone.send(&text("6281234567890")).await.unwrap_err();
        let Error::Api { retry_after, .. } = &error else {
            panic!("{huge}: {error}");
        };
        assert!(
            retry_after.is_some_and(|wait| wait > Duration::from_secs(200 * 365 * 86_400)),
            "{huge}: {retry_after:?}"
        );
        // The number is held for a day at most, not until the clock overflows.
        let held = client
            .throttle()
            .remaining(&PhoneNumberId::new(PHONE), None)
            .expect("the number is held");
        assert!(
            held > Duration::from_secs(86_000) && held <= Duration::from_secs(86_400),
            "{huge}: {held:?}"
        );
        // The next send waits for the hold instead of going out.
        assert!(
            tokio::time::timeout(
                Duration::from_millis(100),
                phone.send(&text("6281234567890"))
            )
            .await
            .is_err(),
            "{huge}"
        );
    }
}

#[tokio::test]
async fn a_throughput_error_slows_every_sender_of_the_number_paced_or_not() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(messages_path()))
        .and(body_string_contains("6281111111111"))
        .respond_with(graph_error(429, 130429).insert_header("retry-after", "1"))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(messages_path()))
        .respond_with(sent())
        .mount(&server)
        .await;
    // No pacing and no retries: before, nothing remembered Meta's "slow down".
    let client = Client::builder("t")
        .base_url(server.uri())
        .no_pacing()
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let phone = client.phone(PhoneNumberId::new(PHONE));
    let other = Recipient::from(to("6282222222222"));
    let error = phone
        .send_unpaced(&text("6281111111111"))
        .await
        .unwrap_err();
    assert_eq!(error.api_error().unwrap().code(), 130429);
    let held = client
        .throttle()
        .remaining(&PhoneNumberId::new(PHONE), Some(&other))
        .expect("the number is held");
    assert!(held <= Duration::from_secs(1), "{held:?}");
    // A clone (another task's sender) to another recipient waits for the hold.
    let start = tokio::time::Instant::now();
    client
        .clone()
        .phone(PhoneNumberId::new(PHONE))
        .send_unpaced(&text("6282222222222"))
        .await
        .unwrap();
    assert!(start.elapsed() >= held.saturating_sub(Duration::from_millis(20)));
    assert_eq!(
        client
            .throttle()
            .remaining(&PhoneNumberId::new(PHONE), Some(&other)),
        None
    );
    // Another number is not held.
    assert_eq!(
        client
            .throttle()
            .remaining(&PhoneNumberId::new("999"), Some(&other)),
        None
    );
}

#[tokio::test]
async fn a_pair_rate_limit_holds_that_recipient_for_every_sender() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(messages_path()))
        .respond_with(graph_error(400, 131056).insert_header("retry-after", "30"))
        .mount(&server)
        .await;
    let client = client(&server);
    let from = PhoneNumberId::new(PHONE);
    let error = client
        .phone(from.clone())
        .send_unpaced(&text("6281111111111"))
        .await
        .unwrap_err();
    assert_eq!(error.api_error().unwrap().code(), 131056);
    let throttle = client.throttle();
    let held = throttle
        .remaining(&from, Some(&Recipient::from(to("6281111111111"))))
        .expect("the recipient is held");
    assert!(held > Duration::from_secs(29), "{held:?}");
    assert_eq!(
        throttle.remaining(&from, Some(&Recipient::from(to("6282222222222")))),
        None
    );
    // A paced client's pacer shares the same throttle.
    let pacer = client.pacer();
    assert!(pacer.is_none());
    let paced = Client::builder("t").base_url(server.uri()).build().unwrap();
    let shared = paced.pacer().unwrap().throttle();
    assert!(std::sync::Arc::ptr_eq(shared, paced.throttle()));
}

// That a campaign or reminder never resends after a proxy 5xx is tested where the sending
// engine lives: `an_unanswered_send_is_unknown_and_never_repeated` in sehat-outbox.
