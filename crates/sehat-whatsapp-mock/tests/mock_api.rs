//! The mock Graph API through the client: every endpoint, every injected failure, and the
//! signed status webhooks it posts (checked with the crate's own webhook verifier).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::http::HeaderMap;
use axum::routing::post;
use serde_json::json;

use sehat_whatsapp::account::BusinessProfileUpdate;
use sehat_whatsapp::error::ErrorKind;
use sehat_whatsapp::ids::{
    BusinessScopedUserId, MediaId, MessageId, PhoneNumberId, TemplateId, WaId, WabaId,
};
use sehat_whatsapp::message::{Language, Message, TemplateMessage, Text};
use sehat_whatsapp::template::{
    ComponentDef, NewTemplate, TemplateCategory, TemplateEdit, TemplateQuery, TemplateStatus,
};
use sehat_whatsapp::webhook::{Event, StatusKind, WebhookVerifier};
use sehat_whatsapp::{Error, PhoneNumberApi};
use sehat_whatsapp_mock::{Failure, MockGraphApi};

fn phone(mock: &MockGraphApi) -> PhoneNumberApi {
    mock.client()
        .unwrap()
        .phone(PhoneNumberId::new(MockGraphApi::PHONE_NUMBER_ID))
}

fn text() -> Message {
    Message::new(WaId::parse("6281234567890").unwrap(), Text::new("Halo")).unwrap()
}

#[tokio::test]
async fn sends_and_records() {
    let mock = MockGraphApi::start().await.unwrap();
    let receipt = phone(&mock).send(&text()).await.unwrap();
    assert!(receipt.message_id().unwrap().as_str().starts_with("wamid."));
    assert_eq!(
        receipt.contacts[0].wa_id.as_ref().unwrap().as_str(),
        "6281234567890"
    );
    phone(&mock)
        .mark_read(&MessageId::new("wamid.IN"))
        .await
        .unwrap();
    phone(&mock)
        .typing(&MessageId::new("wamid.IN"))
        .await
        .unwrap();
    let requests = mock.requests();
    assert_eq!(requests.len(), 3);
    assert_eq!(requests[0].method, "POST");
    assert_eq!(
        requests[0].path,
        format!("/v26.0/{}/messages", MockGraphApi::PHONE_NUMBER_ID)
    );
    assert_eq!(requests[0].json()["text"]["body"], "Halo");
    assert_eq!(requests[2].json()["typing_indicator"]["type"], "text");
    mock.clear_requests();
    assert!(mock.requests().is_empty());
}

#[tokio::test]
async fn rejects_a_missing_token_and_malformed_sends() {
    let mock = MockGraphApi::start().await.unwrap();
    let http = reqwest::Client::new();
    let url = format!("{}v26.0/1/messages", mock.base_url());
    let answer = http.post(&url).body("{}").send().await.unwrap();
    assert_eq!(answer.status(), 401);
    let body = answer.bytes().await.unwrap();
    assert_eq!(
        sehat_whatsapp::error::ApiError::from_body(&body)
            .unwrap()
            .code(),
        190
    );
    let answer = http
        .post(&url)
        .bearer_auth("t")
        .json(&json!({"messaging_product": "whatsapp", "to": "1", "type": "image"}))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 400);
    let body = answer.bytes().await.unwrap();
    assert_eq!(
        sehat_whatsapp::error::ApiError::from_body(&body)
            .unwrap()
            .code(),
        131008
    );
}

#[tokio::test]
async fn media_round_trip() {
    let mock = MockGraphApi::start().await.unwrap();
    let client = mock.client().unwrap();
    let phone = client.phone(PhoneNumberId::new(MockGraphApi::PHONE_NUMBER_ID));
    let data = b"%PDF-1.4 jadwal posyandu".to_vec();
    let id = phone
        .upload_media(data.clone(), "application/pdf", "jadwal.pdf")
        .await
        .unwrap();
    let info = client.media_info(&id, None).await.unwrap();
    assert_eq!(info.mime_type, "application/pdf");
    assert_eq!(info.file_size, Some(data.len() as u64));
    let mut out = Vec::new();
    let (written, _) = client.download_media(&id, &mut out, 1 << 20).await.unwrap();
    assert_eq!((written as usize, out), (data.len(), data));
    client.delete_media(&id).await.unwrap();
    let error = client.media_info(&id, None).await.unwrap_err();
    assert_eq!(error.api_error().unwrap().code(), 100);
    let preset = mock.add_media("image/jpeg", Bytes::from_static(b"\xFF\xD8jpeg"));
    assert_eq!(
        client
            .media_info(&MediaId::new(preset), None)
            .await
            .unwrap()
            .file_size,
        Some(6)
    );
}

#[tokio::test]
async fn templates_round_trip() {
    let mock = MockGraphApi::start().await.unwrap();
    let client = mock.client().unwrap();
    let waba = client.waba(WabaId::new(MockGraphApi::WABA_ID));
    let hello = waba
        .template_by_name("hello_world", "en_US")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(hello.status, TemplateStatus::Approved);
    let new = NewTemplate::new(
        "pengingat_imunisasi",
        TemplateCategory::Utility,
        "id",
        vec![ComponentDef::body(
            "Halo, jadwal imunisasi {{nama_anak}} pada {{tanggal}}.",
            Some(json!({"body_text_named_params": [{"param_name": "nama_anak", "example": "Budi"}, {"param_name": "tanggal", "example": "6 Desember"}]})),
        )],
    )
    .named_parameters();
    let created = waba.create_template(&new).await.unwrap();
    let again = waba.create_template(&new).await.unwrap_err();
    assert_eq!(again.api_error().unwrap().subcode(), Some(2388024));
    let template = client.template(&created.id).await.unwrap();
    // The local check against the stored template.
    let ok = TemplateMessage::new("pengingat_imunisasi", Language::new("id"))
        .named_body([("nama_anak", "Budi"), ("tanggal", "6 Desember")]);
    template.check(&ok).unwrap();
    let positional = TemplateMessage::new("pengingat_imunisasi", Language::new("id"))
        .body([sehat_whatsapp::message::Parameter::text("Budi")]);
    assert!(template.check(&positional).is_err());
    let mut edit = TemplateEdit::default();
    edit.category = Some(TemplateCategory::Marketing);
    client.edit_template(&created.id, &edit).await.unwrap();
    assert_eq!(
        client.template(&created.id).await.unwrap().category,
        TemplateCategory::Marketing
    );
    let page = waba
        .templates(&TemplateQuery {
            limit: Some(1),
            ..TemplateQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(page.data.len(), 1);
    let next = page.next_cursor().unwrap().to_owned();
    let second = waba
        .templates(&TemplateQuery {
            limit: Some(1),
            after: Some(next),
            ..TemplateQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(second.data[0].name, "pengingat_imunisasi");
    assert_eq!(second.next_cursor(), None);
    waba.delete_template("pengingat_imunisasi", Some(&created.id))
        .await
        .unwrap();
    assert!(
        client
            .template(&TemplateId::new(created.id.as_str()))
            .await
            .is_err()
    );
}

#[tokio::test]
async fn account_endpoints() {
    let mock = MockGraphApi::start().await.unwrap();
    let client = mock.client().unwrap();
    let waba = client.waba(WabaId::new(MockGraphApi::WABA_ID));
    let numbers = waba.phone_numbers().await.unwrap();
    assert_eq!(numbers.data[0].id.as_str(), MockGraphApi::PHONE_NUMBER_ID);
    let phone = phone(&mock);
    assert_eq!(
        phone.details().await.unwrap().verified_name.as_deref(),
        Some("Posyandu Sehat")
    );
    phone.request_code("VOICE", "id").await.unwrap();
    assert_eq!(
        phone
            .verify_code("000000")
            .await
            .unwrap_err()
            .api_error()
            .unwrap()
            .code(),
        136025
    );
    phone.verify_code("123456").await.unwrap();
    phone.register("123456").await.unwrap();
    phone.deregister().await.unwrap();
    let mut update = BusinessProfileUpdate::default();
    update.about = Some("Pengingat imunisasi".into());
    phone.update_business_profile(&update).await.unwrap();
    assert_eq!(
        phone.business_profile().await.unwrap().about.as_deref(),
        Some("Pengingat imunisasi")
    );
    assert_eq!(waba.subscribed_apps().await.unwrap().len(), 1);
    waba.unsubscribe_app().await.unwrap();
    assert!(waba.subscribed_apps().await.unwrap().is_empty());
    waba.subscribe_app().await.unwrap();
}

#[tokio::test]
async fn injected_failures() {
    let mock = MockGraphApi::start().await.unwrap();
    let phone = phone(&mock);
    for (failure, kind) in [
        (Failure::PairRateLimit, ErrorKind::PairRateLimit),
        (
            Failure::OutsideCustomerServiceWindow,
            ErrorKind::OutsideCustomerServiceWindow,
        ),
        (Failure::Undeliverable, ErrorKind::Undeliverable),
    ] {
        mock.fail_next(failure);
        let error = phone.send(&text()).await.unwrap_err();
        assert_eq!(error.api_error().unwrap().kind(), kind);
    }
    // Transient failures are retried by the client and the send goes through.
    for failure in [
        Failure::ThroughputLimit,
        Failure::ServerError,
        Failure::ServiceUnavailable,
    ] {
        mock.clear_requests();
        mock.fail_next(failure);
        phone.send(&text()).await.unwrap();
        assert_eq!(mock.requests().len(), 2);
    }
    // A gateway's 502 on a send: the message may have gone out, so it is not resent.
    mock.clear_requests();
    mock.fail_next(Failure::BadGateway);
    assert!(matches!(
        phone.send(&text()).await.unwrap_err(),
        Error::OutcomeUnknown(sehat_whatsapp::error::Unanswered::Gateway { status: 502, .. })
    ));
    assert_eq!(mock.requests().len(), 1);
    mock.fail_next(Failure::Api {
        status: 400,
        code: 368,
        message: "(#368) Temporarily blocked for policies violations".into(),
    });
    assert_eq!(
        phone
            .send(&text())
            .await
            .unwrap_err()
            .api_error()
            .unwrap()
            .kind(),
        ErrorKind::Policy
    );
}

#[tokio::test]
async fn a_slow_answer_makes_a_send_unknown() {
    let mock = MockGraphApi::start().await.unwrap();
    let client = mock
        .client_builder()
        .timeout(Duration::from_millis(100))
        .build()
        .unwrap();
    let phone = client.phone(PhoneNumberId::new(MockGraphApi::PHONE_NUMBER_ID));
    mock.fail_next(Failure::Slow(Duration::from_millis(500)));
    let error = phone.send(&text()).await.unwrap_err();
    assert!(matches!(error, Error::OutcomeUnknown(_)), "{error}");
    // Never re-sent: one request only.
    assert_eq!(mock.requests().len(), 1);
}

type Received = Arc<Mutex<Vec<(Bytes, Option<String>)>>>;

async fn callback() -> (String, Received) {
    let received: Received = Arc::default();
    let store = received.clone();
    let app = Router::new().route(
        "/webhook",
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
    let url = format!("http://{}/webhook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, received)
}

async fn wait_for(received: &Received, count: usize) -> Vec<(Bytes, Option<String>)> {
    for _ in 0..200 {
        if received.lock().unwrap().len() >= count {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    received.lock().unwrap().clone()
}

#[tokio::test]
async fn posts_signed_status_webhooks_in_order() {
    let (url, received) = callback().await;
    let mock = MockGraphApi::start()
        .await
        .unwrap()
        .with_status_webhooks(url, "rahasia-aplikasi");
    let phone = phone(&mock);
    let template = TemplateMessage::new("hello_world", Language::new("en_US"));
    let message = Message::new(WaId::parse("6281234567890").unwrap(), template)
        .unwrap()
        .callback_data("reminder-42")
        .unwrap();
    let wamid = phone
        .send(&message)
        .await
        .unwrap()
        .message_id()
        .unwrap()
        .clone();
    let posted = wait_for(&received, 3).await;
    assert_eq!(posted.len(), 3);
    let verifier = WebhookVerifier::new(["rahasia-aplikasi"]);
    let mut kinds = Vec::new();
    for (body, signature) in &posted {
        let payload = verifier
            .verify_and_parse(body, signature.as_deref())
            .unwrap();
        let events: Vec<Event<'_>> = payload.events().collect();
        assert_eq!(events.len(), 1);
        let Event::Status(status) = &events[0] else {
            panic!("not a status: {body:?}")
        };
        assert_eq!(status.status.id.as_ref(), Some(&wamid));
        assert_eq!(
            status.status.recipient_id.as_ref().unwrap().as_str(),
            "6281234567890"
        );
        kinds.push(status.status.status.clone().unwrap());
        let raw: serde_json::Value = serde_json::from_slice(body).unwrap();
        let value = &raw["entry"][0]["changes"][0]["value"];
        assert_eq!(raw["object"], "whatsapp_business_account");
        assert_eq!(
            value["metadata"]["phone_number_id"],
            MockGraphApi::PHONE_NUMBER_ID
        );
        assert_eq!(
            value["statuses"][0]["biz_opaque_callback_data"],
            "reminder-42"
        );
        assert!(value["statuses"][0]["timestamp"].is_string());
    }
    assert_eq!(
        kinds,
        [StatusKind::Sent, StatusKind::Delivered, StatusKind::Read]
    );
    // A wrong secret fails.
    assert!(
        WebhookVerifier::new(["other"])
            .verify_and_parse(&posted[0].0, posted[0].1.as_deref())
            .is_err()
    );
    let raw: serde_json::Value = serde_json::from_slice(&posted[0].0).unwrap();
    assert_eq!(
        raw["entry"][0]["changes"][0]["value"]["statuses"][0]["pricing"]["category"],
        "utility"
    );
    assert_eq!(mock.posted_webhooks().len(), 3);
    assert!(
        mock.posted_webhooks()
            .iter()
            .all(|(_, _, status)| *status == 200)
    );
}

#[tokio::test]
async fn a_failed_delivery_is_reported_by_webhook() {
    let (url, received) = callback().await;
    let mock = MockGraphApi::start()
        .await
        .unwrap()
        .with_status_webhooks(url, "s");
    mock.fail_next(Failure::DeliveryFailed(131026));
    let to = BusinessScopedUserId::parse("ID.1349120865530274").unwrap();
    phone(&mock)
        .send(&Message::new(to, Text::new("Halo")).unwrap())
        .await
        .unwrap();
    let posted = wait_for(&received, 2).await;
    assert_eq!(posted.len(), 2);
    let payload = WebhookVerifier::new(["s"])
        .verify_and_parse(&posted[1].0, posted[1].1.as_deref())
        .unwrap();
    let events: Vec<Event<'_>> = payload.events().collect();
    let Event::Status(status) = &events[0] else {
        panic!()
    };
    assert_eq!(status.status.status, Some(StatusKind::Failed));
    // A business-scoped recipient: wa_id is empty, read as absent.
    assert!(status.status.recipient_id.is_none());
    assert_eq!(
        status.status.recipient_user_id.as_ref().unwrap().as_str(),
        "ID.1349120865530274"
    );
    let raw: serde_json::Value = serde_json::from_slice(&posted[1].0).unwrap();
    assert_eq!(
        raw["entry"][0]["changes"][0]["value"]["statuses"][0]["errors"][0]["code"],
        131026
    );
}

#[tokio::test]
async fn send_checked_stops_a_mismatched_template_before_the_network() {
    let mock = MockGraphApi::start().await.unwrap();
    mock.add_template(json!({
        "name": "pengingat_imunisasi", "language": "id", "status": "APPROVED", "category": "UTILITY",
        "parameter_format": "NAMED",
        "components": [
            {"type": "HEADER", "format": "IMAGE"},
            {"type": "BODY", "text": "Halo, jadwal imunisasi {{nama_anak}} pada {{tanggal}}."},
            {"type": "BUTTONS", "buttons": [{"type": "QUICK_REPLY", "text": "Hadir"}, {"type": "URL", "text": "Jadwal", "url": "https://example.org/jadwal/{{1}}"}]}
        ]
    }));
    let client = mock.client().unwrap();
    let template = client
        .waba(WabaId::new(MockGraphApi::WABA_ID))
        .template_by_name("pengingat_imunisasi", "id")
        .await
        .unwrap()
        .unwrap();
    let phone = phone(&mock);
    let to = WaId::parse("6281234567890").unwrap();
    let image = sehat_whatsapp::message::Parameter::image(sehat_whatsapp::message::Media::link(
        "https://example.org/kartu.png",
    ));
    let full = TemplateMessage::new("pengingat_imunisasi", Language::new("id"))
        .header(image.clone())
        .named_body([("nama_anak", "Budi"), ("tanggal", "6 Desember")])
        .button(sehat_whatsapp::message::ButtonParam::url(1, "budi-42"));
    mock.clear_requests();
    phone
        .send_checked(&Message::new(to.clone(), full).unwrap(), &template)
        .await
        .unwrap();
    assert_eq!(mock.requests().len(), 1);
    // Each mismatch is caught locally: no request.
    let cases = [
        TemplateMessage::new("pengingat_imunisasi", Language::new("id"))
            .named_body([("nama_anak", "Budi"), ("tanggal", "6 Desember")])
            .button(sehat_whatsapp::message::ButtonParam::url(1, "x")),
        TemplateMessage::new("pengingat_imunisasi", Language::new("id"))
            .header(sehat_whatsapp::message::Parameter::text("Budi"))
            .named_body([("nama_anak", "Budi"), ("tanggal", "6 Desember")])
            .button(sehat_whatsapp::message::ButtonParam::url(1, "x")),
        TemplateMessage::new("pengingat_imunisasi", Language::new("id"))
            .header(image.clone())
            .named_body([("nama_anak", "Budi"), ("tanggal", "6 Desember")]),
        TemplateMessage::new("pengingat_imunisasi", Language::new("id"))
            .header(image.clone())
            .named_body([
                ("nama_anak", "Budi"),
                ("tanggal", "6 Desember"),
                ("jam", "9"),
            ])
            .button(sehat_whatsapp::message::ButtonParam::url(1, "x")),
        TemplateMessage::new("pengingat_imunisasi", Language::new("en"))
            .header(image)
            .named_body([("nama_anak", "Budi"), ("tanggal", "6 Desember")])
            .button(sehat_whatsapp::message::ButtonParam::url(1, "x")),
    ];
    mock.clear_requests();
    for case in cases {
        let error = phone
            .send_checked(&Message::new(to.clone(), case).unwrap(), &template)
            .await
            .unwrap_err();
        assert!(matches!(error, Error::Template(_)), "{error}");
    }
    let error = phone
        .send_checked(&Message::new(to, Text::new("x")).unwrap(), &template)
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Template(_)), "{error}");
    assert!(mock.requests().is_empty());
}
