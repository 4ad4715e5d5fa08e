//! The mock's own checks, over plain HTTP as any client in any language reaches it: content
//! validation of sends, `recipient` for user ids, reactions' status webhooks, fixed ports
//! and a clean stop.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::http::HeaderMap;
use axum::routing::post;
use bytes::Bytes;
use serde_json::{Value, json};

use super::MockGraphApi;

fn messages_url(mock: &MockGraphApi) -> String {
    format!(
        "{}v26.0/{}/messages",
        mock.base_url(),
        MockGraphApi::PHONE_NUMBER_ID
    )
}

/// Posts one send; returns the HTTP status and the JSON answer.
async fn send(mock: &MockGraphApi, body: &Value) -> (u16, Value) {
    let answer = reqwest::Client::new()
        .post(messages_url(mock))
        .bearer_auth("t")
        .json(body)
        .send()
        .await
        .unwrap();
    let status = answer.status().as_u16();
    (status, answer.json().await.unwrap())
}

fn message(kind: &str, content: Value) -> Value {
    json!({
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": "6281234567890",
        "type": kind,
        kind: content,
    })
}

#[tokio::test]
async fn sends_are_checked_for_the_fields_the_spec_requires() {
    let mock = MockGraphApi::start().await.unwrap();
    let accepted = [
        message("text", json!({"body": "Halo"})),
        message("image", json!({"link": "https://example.org/kms.png"})),
        message(
            "document",
            json!({"id": "2621000000000001", "filename": "kms.pdf"}),
        ),
        message(
            "location",
            json!({"latitude": -6.2088, "longitude": 106.8456}),
        ),
        message(
            "location",
            json!({"latitude": "-6.2088", "longitude": "106.8456"}),
        ),
        message("reaction", json!({"message_id": "wamid.X", "emoji": "👍"})),
        message("reaction", json!({"message_id": "wamid.X", "emoji": ""})),
        message(
            "interactive",
            json!({"type": "button", "body": {"text": "Datang?"}, "action": {"buttons": [
                {"type": "reply", "reply": {"id": "ya", "title": "Ya"}}
            ]}}),
        ),
        message(
            "template",
            json!({"name": "hello_world", "language": {"code": "en_US"}}),
        ),
        message(
            "contacts",
            json!([{"name": {"formatted_name": "Bidan Sari"}}]),
        ),
    ];
    for body in &accepted {
        let (status, answer) = send(&mock, body).await;
        assert_eq!(status, 200, "{body}: {answer}");
        assert!(answer["messages"][0]["id"].is_string(), "{answer}");
    }
    let refused = [
        (
            message("text", json!({"preview_url": true})),
            100,
            "text['body']",
        ),
        (message("text", json!({"body": "  "})), 100, "text['body']"),
        (
            message("image", json!({"caption": "x"})),
            100,
            "image['id'] or image['link']",
        ),
        (
            message(
                "video",
                json!({"id": "1", "link": "https://example.org/v.mp4"}),
            ),
            131009,
            "not both",
        ),
        (
            message("sticker", json!({"link": "example.org/s.webp"})),
            131009,
            "sticker['link']",
        ),
        (
            message("location", json!({"latitude": -6.2})),
            100,
            "location['longitude']",
        ),
        (
            message("location", json!({"latitude": 91, "longitude": 0})),
            131009,
            "location['latitude']",
        ),
        (
            message("location", json!({"latitude": "south", "longitude": 0})),
            131009,
            "location['latitude']",
        ),
        (
            message("reaction", json!({"emoji": "👍"})),
            100,
            "reaction['message_id']",
        ),
        (
            message("reaction", json!({"message_id": "wamid.X"})),
            100,
            "reaction['emoji']",
        ),
        (
            message("interactive", json!({"body": {"text": "x"}, "action": {}})),
            100,
            "interactive['type']",
        ),
        (
            message(
                "interactive",
                json!({"type": "list", "body": {"text": "x"}}),
            ),
            100,
            "interactive['action']",
        ),
        (
            message(
                "interactive",
                json!({"type": "button", "action": {"buttons": []}}),
            ),
            100,
            "interactive['body']['text']",
        ),
        (
            message(
                "interactive",
                json!({"type": "button", "body": {"text": "x"}, "action": {"buttons": [1, 2, 3, 4]}}),
            ),
            131009,
            "1 to 3 buttons, not 4",
        ),
        (
            message("template", json!({"language": {"code": "id"}})),
            100,
            "template['name']",
        ),
        (
            message("template", json!({"name": "pengingat"})),
            100,
            "template['language']['code']",
        ),
        (message("contacts", json!([])), 100, "contacts"),
    ];
    for (body, code, names) in &refused {
        let (status, answer) = send(&mock, body).await;
        assert_eq!(status, 400, "{body}: {answer}");
        let error = &answer["error"];
        assert_eq!(error["code"], *code, "{body}: {answer}");
        assert_eq!(error["type"], "OAuthException");
        assert!(error["fbtrace_id"].is_string());
        let details = error["error_data"]["details"].as_str().unwrap();
        assert!(details.contains(names), "{body}: {details}");
    }
}

#[tokio::test]
async fn recipient_addresses_a_business_scoped_user_id() {
    let mock = MockGraphApi::start().await.unwrap();
    let body = json!({
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "recipient": "ID.1349872046152373",
        "type": "text",
        "text": {"body": "Halo"},
    });
    let (status, answer) = send(&mock, &body).await;
    assert_eq!(status, 200, "{answer}");
    let contact = &answer["contacts"][0];
    assert_eq!(contact["input"], "ID.1349872046152373");
    assert_eq!(contact["user_id"], "ID.1349872046152373");
    assert!(contact.get("wa_id").is_none(), "{answer}");
    // Neither `to` nor `recipient`: refused.
    let mut nobody = body.clone();
    nobody.as_object_mut().unwrap().remove("recipient");
    let (status, answer) = send(&mock, &nobody).await;
    assert_eq!(status, 400);
    assert_eq!(answer["error"]["code"], 100);
}

type Received = Arc<Mutex<Vec<(Bytes, Option<String>)>>>;

/// A webhook callback on loopback that keeps what it receives.
async fn callback() -> (String, Received) {
    let received: Received = Arc::default();
    let store = received.clone();
    let app = Router::new().route(
        "/hook",
        post(move |headers: HeaderMap, body: Bytes| {
            let store = store.clone();
            async move {
                let signature = headers
                    .get("x-hub-signature-256")
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned);
                store.lock().unwrap().push((body, signature));
                "ok"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, received)
}

/// The `(message id, status)` of every status webhook received, once `count` arrived
/// (or after 5 s), plus a short wait for any that should not come.
async fn statuses(received: &Received, count: usize) -> Vec<(String, String)> {
    for _ in 0..500 {
        if received.lock().unwrap().len() >= count {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let verifier = crate::webhook::WebhookVerifier::new(["rahasia"]);
    received
        .lock()
        .unwrap()
        .iter()
        .map(|(body, signature)| {
            verifier.verify(body, signature.as_deref()).unwrap();
            let value: Value = serde_json::from_slice(body).unwrap();
            let status = &value["entry"][0]["changes"][0]["value"]["statuses"][0];
            (
                status["id"].as_str().unwrap().to_owned(),
                status["status"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn a_reaction_is_reported_sent_only_as_meta_does() {
    let (url, received) = callback().await;
    let mock = MockGraphApi::start()
        .await
        .unwrap()
        .with_status_webhooks(url, "rahasia");
    let (_, text) = send(&mock, &message("text", json!({"body": "Halo"}))).await;
    let text = text["messages"][0]["id"].as_str().unwrap().to_owned();
    assert_eq!(statuses(&received, 3).await.len(), 3);
    let reaction = message("reaction", json!({"message_id": text, "emoji": "👍"}));
    let (_, reaction) = send(&mock, &reaction).await;
    let reaction = reaction["messages"][0]["id"].as_str().unwrap().to_owned();
    let all = statuses(&received, 4).await;
    let kinds = |id: &str| -> Vec<&str> {
        all.iter()
            .filter(|(m, _)| m == id)
            .map(|(_, k)| k.as_str())
            .collect()
    };
    assert_eq!(kinds(&text), ["sent", "delivered", "read"]);
    assert_eq!(kinds(&reaction), ["sent"]);
    assert_eq!(all.len(), 4);
}

#[tokio::test]
async fn without_recording_keeps_no_history_but_still_posts_webhooks() {
    let (url, received) = callback().await;
    let mock = MockGraphApi::start()
        .await
        .unwrap()
        .with_status_webhooks(url, "rahasia")
        .without_recording();
    let (status, _) = send(&mock, &message("text", json!({"body": "Halo"}))).await;
    assert_eq!(status, 200);
    assert_eq!(statuses(&received, 3).await.len(), 3);
    assert!(mock.requests().is_empty());
    assert!(mock.posted_webhooks().is_empty());
}

#[tokio::test]
async fn starts_on_the_port_asked_for_and_stops_cleanly() {
    // A port that was free a moment ago.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mock = MockGraphApi::start_on_port(port).await.unwrap();
    assert_eq!(mock.addr().port(), port);
    assert_eq!(mock.base_url(), format!("http://127.0.0.1:{port}/"));
    // The port is taken now: a second mock on it cannot start.
    let error = MockGraphApi::start_on_port(port).await.unwrap_err();
    assert_eq!(error.kind(), std::io::ErrorKind::AddrInUse);
    let (status, _) = send(&mock, &message("text", json!({"body": "Halo"}))).await;
    assert_eq!(status, 200);
    mock.stop().await;
    assert!(
        tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_err()
    );
}

/// A GET with a bearer token; the JSON answer.
async fn get(mock: &MockGraphApi, path: &str) -> Value {
    let answer = reqwest::Client::new()
        .get(format!("{}{path}", mock.base_url()))
        .bearer_auth("t")
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200, "{path}");
    answer.json().await.unwrap()
}

fn keys(value: &Value) -> Vec<&str> {
    let mut keys: Vec<&str> = value
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    keys
}

#[tokio::test]
async fn a_fields_query_selects_the_fields_answered() {
    let mock = MockGraphApi::start().await.unwrap();
    let phone = MockGraphApi::PHONE_NUMBER_ID;
    // No `fields`: everything the mock models.
    let all = get(&mock, &format!("v26.0/{phone}")).await;
    assert!(keys(&all).len() > 5, "{all}");
    // `fields`: those asked for and the id; names the mock does not model are absent.
    let some = get(
        &mock,
        &format!("v26.0/{phone}?fields=verified_name,quality_rating,conversational_automation"),
    )
    .await;
    assert_eq!(keys(&some), ["id", "quality_rating", "verified_name"]);
    assert_eq!(some["id"], phone);
    let listed = get(
        &mock,
        &format!(
            "v26.0/{}/phone_numbers?fields=display_phone_number",
            MockGraphApi::WABA_ID
        ),
    )
    .await;
    assert_eq!(keys(&listed["data"][0]), ["display_phone_number", "id"]);
    let profile = get(
        &mock,
        &format!("v26.0/{phone}/whatsapp_business_profile?fields=about,vertical"),
    )
    .await;
    assert_eq!(
        keys(&profile["data"][0]),
        ["about", "messaging_product", "vertical"]
    );
    let profile = get(&mock, &format!("v26.0/{phone}/whatsapp_business_profile")).await;
    assert!(profile["data"][0]["websites"].is_array(), "{profile}");
}

#[tokio::test]
async fn status_webhooks_carry_the_contact_with_its_user_id() {
    let (url, received) = callback().await;
    let mock = MockGraphApi::start()
        .await
        .unwrap()
        .with_status_webhooks(url, "rahasia");
    send(&mock, &message("text", json!({"body": "Halo"}))).await;
    let to_user = json!({
        "messaging_product": "whatsapp",
        "recipient": "ID.1349872046152373",
        "type": "text",
        "text": {"body": "Halo"},
    });
    send(&mock, &to_user).await;
    assert_eq!(statuses(&received, 6).await.len(), 6);
    let bodies: Vec<Value> = received
        .lock()
        .unwrap()
        .iter()
        .map(|(body, _)| serde_json::from_slice(body).unwrap())
        .collect();
    let value = |i: usize| bodies[i]["entry"][0]["changes"][0]["value"].clone();
    let by_number: Vec<Value> = (0..6)
        .map(value)
        .filter(|v| v["statuses"][0]["recipient_id"] == "6281234567890")
        .collect();
    assert_eq!(by_number.len(), 3);
    let user_id = super::webhooks::user_id_for("6281234567890");
    for v in &by_number {
        assert_eq!(
            v["contacts"],
            json!([{"wa_id": "6281234567890", "user_id": user_id}])
        );
    }
    let by_user: Vec<Value> = (0..6)
        .map(value)
        .filter(|v| v["statuses"][0]["recipient_user_id"] == "ID.1349872046152373")
        .collect();
    assert_eq!(by_user.len(), 3);
    for v in &by_user {
        assert_eq!(v["contacts"], json!([{"user_id": "ID.1349872046152373"}]));
        assert_eq!(v["statuses"][0]["recipient_id"], "");
    }
}

#[test]
fn a_number_has_one_user_id_in_its_region() {
    let user_id = super::webhooks::user_id_for("6281234567890");
    let (region, digits) = user_id.split_once('.').unwrap();
    assert_eq!(region, "ID");
    assert_eq!(digits.len(), 16);
    assert!(digits.bytes().all(|b| b.is_ascii_digit()));
    assert_eq!(user_id, super::webhooks::user_id_for("6281234567890"));
    assert_ne!(user_id, super::webhooks::user_id_for("6281234567891"));
    for (number, region) in [
        ("15550783881", "US"),
        ("2348031234567", "NG"),
        ("8801712345678", "BD"),
        ("4915123456789", "DE"),
        ("9999999", "XX"),
    ] {
        assert!(
            super::webhooks::user_id_for(number).starts_with(&format!("{region}.")),
            "{number}"
        );
    }
}
