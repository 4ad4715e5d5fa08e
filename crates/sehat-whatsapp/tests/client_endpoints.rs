//! One wiremock test per endpoint the client calls, checking the method, path, query,
//! token and body sent and the typed answer; then the retry rules.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::Duration;

use serde_json::json;
use sha2::{Digest, Sha256};
use wiremock::matchers::{
    body_json, body_string_contains, header, header_regex, method, path, query_param,
};
use wiremock::{Mock, MockServer, ResponseTemplate};

use sehat_whatsapp::account::{BusinessProfileUpdate, QualityRating};
use sehat_whatsapp::error::{ErrorKind, RetryClass, Unanswered};
use sehat_whatsapp::ids::{
    BusinessScopedUserId, MediaId, MessageId, PhoneNumberId, TemplateId, WaId, WabaId,
};
use sehat_whatsapp::message::{Language, Message, TemplateMessage, Text};
use sehat_whatsapp::retry::RetryPolicy;
use sehat_whatsapp::template::{
    ComponentDef, NewTemplate, TemplateCategory, TemplateEdit, TemplateQuery,
};
use sehat_whatsapp::{Client, Error, GraphVersion};
use support::{PHONE, client, graph_error, messages_path, sent};

const WABA: &str = "102290129340398";

fn success() -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({"success": true}))
}

fn text_message() -> Message {
    Message::new(WaId::parse("6281234567890").unwrap(), Text::new("Halo")).unwrap()
}

#[tokio::test]
async fn send_posts_the_message_with_the_token() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(messages_path()))
        .and(header("authorization", "Bearer test-token"))
        .and(header("content-type", "application/json"))
        .and(body_json(json!({"messaging_product":"whatsapp","recipient_type":"individual","to":"6281234567890","type":"text","text":{"body":"Halo"},"biz_opaque_callback_data":"r1","context":{"message_id":"wamid.IN"}})))
        .respond_with(sent())
        .expect(1)
        .mount(&server)
        .await;
    let message = text_message()
        .reply_to(MessageId::new("wamid.IN"))
        .callback_data("r1")
        .unwrap();
    let receipt = client(&server)
        .phone(PhoneNumberId::new(PHONE))
        .send(&message)
        .await
        .unwrap();
    assert_eq!(receipt.message_id().unwrap().as_str(), "wamid.OK");
}

#[tokio::test]
async fn send_to_a_business_scoped_user_id() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(messages_path()))
        .and(body_string_contains(r#""to":"ID.1349120865530274""#))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"messaging_product":"whatsapp","contacts":[{"input":"ID.1349120865530274","wa_id":"","user_id":"ID.1349120865530274"}],"messages":[{"id":"wamid.B"}]})))
        .expect(1)
        .mount(&server)
        .await;
    let to = BusinessScopedUserId::parse("ID.1349120865530274").unwrap();
    let template = TemplateMessage::new("pengingat_imunisasi", Language::new("id"))
        .named_body([("nama_anak", "Budi")]);
    let receipt = client(&server)
        .phone(PhoneNumberId::new(PHONE))
        .send(&Message::new(to, template).unwrap())
        .await
        .unwrap();
    assert!(receipt.contacts[0].wa_id.is_none());
    assert_eq!(
        receipt.contacts[0].user_id.as_ref().unwrap().as_str(),
        "ID.1349120865530274"
    );
}

#[tokio::test]
async fn mark_read_and_typing() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(messages_path()))
        .and(body_json(
            json!({"messaging_product":"whatsapp","status":"read","message_id":"wamid.IN"}),
        ))
        .respond_with(success())
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(messages_path()))
        .and(body_json(json!({"messaging_product":"whatsapp","status":"read","message_id":"wamid.IN","typing_indicator":{"type":"text"}})))
        .respond_with(success())
        .expect(1)
        .mount(&server)
        .await;
    let phone = client(&server).phone(PhoneNumberId::new(PHONE));
    phone.mark_read(&MessageId::new("wamid.IN")).await.unwrap();
    phone.typing(&MessageId::new("wamid.IN")).await.unwrap();
}

#[tokio::test]
async fn success_false_is_an_error() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(messages_path()))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"success": false})))
        .mount(&server)
        .await;
    let error = client(&server)
        .phone(PhoneNumberId::new(PHONE))
        .mark_read(&MessageId::new("w"))
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Unsuccessful { .. }), "{error}");
}

#[tokio::test]
async fn upload_media_is_multipart() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(format!("/v26.0/{PHONE}/media")))
        .and(header_regex(
            "content-type",
            "^multipart/form-data; boundary=",
        ))
        .and(body_string_contains(
            "name=\"messaging_product\"\r\n\r\nwhatsapp",
        ))
        .and(body_string_contains("name=\"type\"\r\n\r\napplication/pdf"))
        .and(body_string_contains("filename=\"jadwal.pdf\""))
        .and(body_string_contains("%PDF-1.4 jadwal"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "4490709327384033"})))
        .expect(1)
        .mount(&server)
        .await;
    let phone = client(&server).phone(PhoneNumberId::new(PHONE));
    let id = phone
        .upload_media(&b"%PDF-1.4 jadwal"[..], "application/pdf", "jadwal.pdf")
        .await
        .unwrap();
    assert_eq!(id.as_str(), "4490709327384033");
    // Checked before any request: an unsupported type and an oversized image.
    let error = phone
        .upload_media(&b"x"[..], "application/x-msdownload", "a.exe")
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Build(_)), "{error}");
    let error = phone
        .upload_media(vec![0u8; 5 * 1024 * 1024 + 1], "image/jpeg", "big.jpg")
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Build(_)), "{error}");
}

fn media_info_response(server: &MockServer, data: &[u8], sha: Option<String>) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({
        "url": format!("{}/lookaside/1", server.uri()),
        "mime_type": "image/jpeg",
        "sha256": sha.unwrap_or_else(|| data_encoding::HEXLOWER.encode(&Sha256::digest(data))),
        "file_size": data.len(),
        "id": "1",
        "messaging_product": "whatsapp"
    }))
}

#[tokio::test]
async fn media_info_download_and_delete() {
    let server = MockServer::start().await;
    let data = b"\xFF\xD8\xFF jpeg bytes".to_vec();
    Mock::given(method("GET"))
        .and(path("/v26.0/1"))
        .and(query_param("phone_number_id", PHONE))
        .respond_with(media_info_response(&server, &data, None))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v26.0/1"))
        .respond_with(media_info_response(&server, &data, None))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/lookaside/1"))
        .and(header("authorization", "Bearer test-token"))
        .and(header_regex("user-agent", "^sehat-whatsapp/"))
        .respond_with(ResponseTemplate::new(200).set_body_bytes(data.clone()))
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path("/v26.0/1"))
        .respond_with(success())
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    let info = client
        .media_info(&MediaId::new("1"), Some(&PhoneNumberId::new(PHONE)))
        .await
        .unwrap();
    assert_eq!(info.file_size, Some(data.len() as u64));
    let mut out = Vec::new();
    let (written, _) = client
        .download_media(&MediaId::new("1"), &mut out, 1024)
        .await
        .unwrap();
    assert_eq!(written, data.len() as u64);
    assert_eq!(out, data);
    // Over the caller's limit: refused before streaming.
    let error = client
        .download_media(&MediaId::new("1"), &mut Vec::new(), 4)
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Integrity(_)), "{error}");
    client.delete_media(&MediaId::new("1")).await.unwrap();
}

#[tokio::test]
async fn download_checks_the_checksum() {
    let server = MockServer::start().await;
    let data = b"bytes".to_vec();
    Mock::given(method("GET"))
        .and(path("/v26.0/1"))
        .respond_with(media_info_response(&server, &data, Some("0".repeat(64))))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/lookaside/1"))
        .respond_with(ResponseTemplate::new(200).set_body_bytes(data))
        .mount(&server)
        .await;
    let error = client(&server)
        .download_media(&MediaId::new("1"), &mut Vec::new(), 1024)
        .await
        .unwrap_err();
    assert!(
        matches!(error, Error::Integrity(ref m) if m.contains("SHA-256")),
        "{error}"
    );
}

#[tokio::test]
async fn download_looks_up_an_expired_url_again() {
    let server = MockServer::start().await;
    let data = b"fresh".to_vec();
    Mock::given(method("GET"))
        .and(path("/v26.0/1"))
        .respond_with(media_info_response(&server, &data, None))
        .expect(2)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/lookaside/1"))
        .respond_with(ResponseTemplate::new(404))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/lookaside/1"))
        .respond_with(ResponseTemplate::new(200).set_body_bytes(data.clone()))
        .mount(&server)
        .await;
    let mut out = Vec::new();
    client(&server)
        .download_media(&MediaId::new("1"), &mut out, 1024)
        .await
        .unwrap();
    assert_eq!(out, data);
}

fn template_json(id: &str, name: &str) -> serde_json::Value {
    json!({"id": id, "name": name, "language": "id", "status": "APPROVED", "category": "UTILITY", "parameter_format": "POSITIONAL",
           "components": [{"type": "BODY", "text": "Halo {{1}}"}]})
}

#[tokio::test]
async fn templates_list_with_filters_and_paging() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("/v26.0/{WABA}/message_templates")))
        .and(query_param("status", "APPROVED"))
        .and(query_param("category", "UTILITY"))
        .and(query_param("language", "id"))
        .and(query_param("limit", "1"))
        .and(query_param("after", "CUR1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "data": [template_json("2", "pengingat")],
            "paging": {"cursors": {"before": "CUR1", "after": "CUR2"}, "next": "https://graph.facebook.com/next"}
        })))
        .expect(1)
        .mount(&server)
        .await;
    let query = TemplateQuery {
        status: Some("APPROVED".into()),
        category: Some("UTILITY".into()),
        language: Some("id".into()),
        limit: Some(1),
        after: Some("CUR1".into()),
        ..TemplateQuery::default()
    };
    let page = client(&server)
        .waba(WabaId::new(WABA))
        .templates(&query)
        .await
        .unwrap();
    assert_eq!(page.data[0].name, "pengingat");
    assert_eq!(page.next_cursor(), Some("CUR2"));
}

#[tokio::test]
async fn template_by_name_reads_every_page() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("/v26.0/{WABA}/message_templates")))
        .and(query_param("after", "P2"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"data": [template_json("3", "pengingat")]})),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/v26.0/{WABA}/message_templates")))
        .and(query_param("name", "pengingat"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"data": [template_json("9", "pengingat_lama")], "paging": {"cursors": {"after": "P2"}, "next": "n"}})))
        .with_priority(10)
        .mount(&server)
        .await;
    let found = client(&server)
        .waba(WabaId::new(WABA))
        .template_by_name("pengingat", "id")
        .await
        .unwrap();
    assert_eq!(found.unwrap().id.as_str(), "3");
}

#[tokio::test]
async fn template_get_create_edit_delete() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v26.0/77"))
        .respond_with(ResponseTemplate::new(200).set_body_json(template_json("77", "pengingat")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("/v26.0/{WABA}/message_templates")))
        .and(body_json(json!({"name":"pengingat","category":"UTILITY","language":"id","components":[{"type":"BODY","text":"Halo {{1}}","example":{"body_text":[["Budi"]]}}]})))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id":"78","status":"PENDING","category":"UTILITY"})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v26.0/77"))
        .and(body_json(json!({"category":"UTILITY"})))
        .respond_with(success())
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path(format!("/v26.0/{WABA}/message_templates")))
        .and(query_param("name", "pengingat"))
        .and(query_param("hsm_id", "77"))
        .respond_with(success())
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    let waba = client.waba(WabaId::new(WABA));
    let template = client.template(&TemplateId::new("77")).await.unwrap();
    assert_eq!(template.name, "pengingat");
    let new = NewTemplate::new(
        "pengingat",
        TemplateCategory::Utility,
        "id",
        vec![ComponentDef::body(
            "Halo {{1}}",
            Some(json!({"body_text": [["Budi"]]})),
        )],
    );
    let created = waba.create_template(&new).await.unwrap();
    assert_eq!(created.id.as_str(), "78");
    // Checked locally: a name with capitals never reaches the API.
    let bad = NewTemplate::new(
        "Pengingat",
        TemplateCategory::Utility,
        "id",
        vec![ComponentDef::body("Halo", None)],
    );
    assert!(matches!(
        waba.create_template(&bad).await.unwrap_err(),
        Error::Build(_)
    ));
    let mut edit = TemplateEdit::default();
    edit.category = Some(TemplateCategory::Utility);
    client
        .edit_template(&TemplateId::new("77"), &edit)
        .await
        .unwrap();
    waba.delete_template("pengingat", Some(&TemplateId::new("77")))
        .await
        .unwrap();
}

#[tokio::test]
async fn phone_numbers_list_and_get() {
    let server = MockServer::start().await;
    let number = json!({"id": PHONE, "display_phone_number": "+62 21-5555-0100", "verified_name": "Posyandu", "quality_rating": "GREEN", "throughput": {"level": "STANDARD"}, "new_field": true});
    Mock::given(method("GET"))
        .and(path(format!("/v26.0/{WABA}/phone_numbers")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"data": [number.clone()]})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/v26.0/{PHONE}")))
        .and(wiremock::matchers::query_param_contains(
            "fields",
            "quality_rating",
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(number))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    let list = client
        .waba(WabaId::new(WABA))
        .phone_numbers()
        .await
        .unwrap();
    assert_eq!(list.data[0].id.as_str(), PHONE);
    let details = client
        .phone(PhoneNumberId::new(PHONE))
        .details()
        .await
        .unwrap();
    assert_eq!(details.quality_rating, Some(QualityRating::Green));
    assert_eq!(details.extra["new_field"], true);
}

#[tokio::test]
async fn register_and_deregister() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(format!("/v26.0/{PHONE}/register")))
        .and(body_json(
            json!({"messaging_product":"whatsapp","pin":"123456"}),
        ))
        .respond_with(success())
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("/v26.0/{PHONE}/deregister")))
        .respond_with(success())
        .expect(1)
        .mount(&server)
        .await;
    let phone = client(&server).phone(PhoneNumberId::new(PHONE));
    phone.register("123456").await.unwrap();
    assert!(matches!(
        phone.register("12345").await.unwrap_err(),
        Error::Build(_)
    ));
    phone.deregister().await.unwrap();
}

#[tokio::test]
async fn business_profile_get_and_update() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("/v26.0/{PHONE}/whatsapp_business_profile")))
        .and(wiremock::matchers::query_param_contains("fields", "about"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"data": [{"about": "Posyandu", "vertical": "HEALTH", "websites": ["https://example.org"], "messaging_product": "whatsapp"}]})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("/v26.0/{PHONE}/whatsapp_business_profile")))
        .and(body_json(
            json!({"messaging_product": "whatsapp", "about": "Pengingat imunisasi"}),
        ))
        .respond_with(success())
        .expect(1)
        .mount(&server)
        .await;
    let phone = client(&server).phone(PhoneNumberId::new(PHONE));
    let profile = phone.business_profile().await.unwrap();
    assert_eq!(profile.about.as_deref(), Some("Posyandu"));
    assert_eq!(profile.websites, ["https://example.org"]);
    let mut update = BusinessProfileUpdate::default();
    update.about = Some("Pengingat imunisasi".into());
    phone.update_business_profile(&update).await.unwrap();
    update.about = Some("x".repeat(140));
    assert!(matches!(
        phone.update_business_profile(&update).await.unwrap_err(),
        Error::Build(_)
    ));
}

#[tokio::test]
async fn subscribed_apps_list_subscribe_unsubscribe() {
    let server = MockServer::start().await;
    let apps_path = format!("/v26.0/{WABA}/subscribed_apps");
    Mock::given(method("GET")).and(path(apps_path.clone())).respond_with(ResponseTemplate::new(200).set_body_json(json!({"data": [{"whatsapp_business_api_data": {"id": "670845", "name": "Posyandu", "link": "https://www.facebook.com/games/?app_id=670845"}}]}))).expect(1).mount(&server).await;
    Mock::given(method("POST"))
        .and(path(apps_path.clone()))
        .respond_with(success())
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path(apps_path))
        .respond_with(success())
        .expect(1)
        .mount(&server)
        .await;
    let waba = client(&server).waba(WabaId::new(WABA));
    let apps = waba.subscribed_apps().await.unwrap();
    assert_eq!(apps[0].whatsapp_business_api_data.id.as_str(), "670845");
    waba.subscribe_app().await.unwrap();
    waba.unsubscribe_app().await.unwrap();
}

#[tokio::test]
async fn api_version_is_settable() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(format!("/v23.0/{PHONE}/messages")))
        .respond_with(sent())
        .expect(1)
        .mount(&server)
        .await;
    let client = Client::builder("t")
        .base_url(server.uri())
        .api_version(GraphVersion::V23)
        .no_pacing()
        .build()
        .unwrap();
    client
        .phone(PhoneNumberId::new(PHONE))
        .send(&text_message())
        .await
        .unwrap();
}

#[tokio::test]
async fn throughput_error_is_retried() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(messages_path()))
        .respond_with(graph_error(400, 130429))
        .up_to_n_times(2)
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
        .send(&text_message())
        .await
        .unwrap();
    assert_eq!(receipt.message_id().unwrap().as_str(), "wamid.OK");
    assert_eq!(server.received_requests().await.unwrap().len(), 3);
}

#[tokio::test]
async fn pair_rate_limit_is_returned_not_retried() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(messages_path()))
        .respond_with(graph_error(400, 131056))
        .expect(1)
        .mount(&server)
        .await;
    let error = client(&server)
        .phone(PhoneNumberId::new(PHONE))
        .send(&text_message())
        .await
        .unwrap_err();
    let api = error.api_error().unwrap();
    assert_eq!(api.kind(), ErrorKind::PairRateLimit);
    assert_eq!(api.retry_class(), RetryClass::RetryPair);
    assert!(error.to_string().contains("fbtrace_id Atrace"), "{error}");
}

#[tokio::test]
async fn retries_stop_after_the_policy_attempts() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(messages_path()))
        .respond_with(graph_error(500, 131000))
        .expect(4)
        .mount(&server)
        .await;
    let error = client(&server)
        .phone(PhoneNumberId::new(PHONE))
        .send(&text_message())
        .await
        .unwrap_err();
    assert_eq!(error.api_error().unwrap().code(), 131000);
}

#[tokio::test]
async fn a_long_retry_after_is_left_to_the_caller() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(messages_path()))
        .respond_with(graph_error(429, 130429).insert_header("retry-after", "3600"))
        .expect(1)
        .mount(&server)
        .await;
    let error = client(&server)
        .phone(PhoneNumberId::new(PHONE))
        .send(&text_message())
        .await
        .unwrap_err();
    match error {
        Error::Api {
            retry_after,
            status,
            ..
        } => {
            assert_eq!(retry_after, Some(Duration::from_secs(3600)));
            assert_eq!(status, 429);
        }
        other => panic!("{other}"),
    }
}

#[tokio::test]
async fn a_send_that_times_out_is_unknown_and_not_resent() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(messages_path()))
        .respond_with(sent().set_delay(Duration::from_secs(2)))
        .expect(1)
        .mount(&server)
        .await;
    let client = Client::builder("t")
        .base_url(server.uri())
        .no_pacing()
        .timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    let error = client
        .phone(PhoneNumberId::new(PHONE))
        .send(&text_message())
        .await
        .unwrap_err();
    assert!(matches!(error, Error::OutcomeUnknown(_)), "{error}");
    assert!(!error.is_known_unsent());
}

#[tokio::test]
async fn an_idempotent_call_that_times_out_is_retried() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v26.0/77"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(template_json("77", "p"))
                .set_delay(Duration::from_secs(2)),
        )
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v26.0/77"))
        .respond_with(ResponseTemplate::new(200).set_body_json(template_json("77", "p")))
        .mount(&server)
        .await;
    let client = Client::builder("t")
        .base_url(server.uri())
        .timeout(Duration::from_millis(300))
        .retry(RetryPolicy::default().base_delay(Duration::from_millis(1)))
        .build()
        .unwrap();
    assert_eq!(
        client.template(&TemplateId::new("77")).await.unwrap().name,
        "p"
    );
}

#[tokio::test]
async fn a_refused_connection_is_not_sent() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let client = Client::builder("t")
        .base_url(format!("http://{addr}"))
        .no_pacing()
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let error = client
        .phone(PhoneNumberId::new(PHONE))
        .send(&text_message())
        .await
        .unwrap_err();
    assert!(matches!(error, Error::NotSent(_)), "{error}");
    assert!(error.is_known_unsent());
}

#[tokio::test]
async fn a_non_graph_error_body_is_kept() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(messages_path()))
        .respond_with(ResponseTemplate::new(502).set_body_string("<html>Bad Gateway</html>"))
        .expect(1)
        .mount(&server)
        .await;
    let error = client(&server)
        .phone(PhoneNumberId::new(PHONE))
        .send(&text_message())
        .await
        .unwrap_err();
    // A proxy's 502 on a send: Meta may have sent the message, so the outcome is unknown.
    assert!(
        matches!(
            error,
            Error::OutcomeUnknown(Unanswered::Gateway { status: 502, ref body })
                if body.contains("Bad Gateway")
        ),
        "{error}"
    );
    assert!(!error.is_known_unsent());
}

#[tokio::test]
async fn an_unexpected_success_body_is_a_decode_error() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(messages_path()))
        .respond_with(ResponseTemplate::new(200).set_body_string("{\"messages\": 3}"))
        .mount(&server)
        .await;
    let error = client(&server)
        .phone(PhoneNumberId::new(PHONE))
        .send(&text_message())
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            Error::Decode {
                endpoint: "POST /{phone-number-id}/messages",
                ..
            }
        ),
        "{error}"
    );
}

#[tokio::test]
async fn usage_headers_are_exposed() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("/v26.0/{WABA}/subscribed_apps")))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"data": []}))
                .insert_header(
                    "x-app-usage",
                    r#"{"call_count":42,"total_time":3,"total_cputime":4}"#,
                ),
        )
        .mount(&server)
        .await;
    let client = client(&server);
    client
        .waba(WabaId::new(WABA))
        .subscribed_apps()
        .await
        .unwrap();
    assert_eq!(client.last_usage().unwrap().app_percent, Some(42.0));
}

#[tokio::test]
async fn a_pair_rate_limit_holds_only_that_recipient() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(messages_path()))
        .respond_with(graph_error(400, 131056).insert_header("retry-after", "1"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(messages_path()))
        .respond_with(sent())
        .mount(&server)
        .await;
    let client = Client::builder("t")
        .base_url(server.uri())
        .pacing(sehat_whatsapp::pacing::Pacing::default())
        .build()
        .unwrap();
    let phone = client.phone(PhoneNumberId::new(PHONE));
    let error = phone.send(&text_message()).await.unwrap_err();
    assert_eq!(error.api_error().unwrap().code(), 131056);
    let start = std::time::Instant::now();
    let other = Message::new(WaId::parse("6289999999999").unwrap(), Text::new("Halo")).unwrap();
    phone.send(&other).await.unwrap();
    assert!(
        start.elapsed() < Duration::from_millis(500),
        "{:?}",
        start.elapsed()
    );
    phone.send(&text_message()).await.unwrap();
    assert!(
        start.elapsed() >= Duration::from_millis(900),
        "{:?}",
        start.elapsed()
    );
}

#[tokio::test]
async fn request_and_verify_code() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(format!("/v26.0/{PHONE}/request_code")))
        .and(body_json(json!({"code_method":"SMS","language":"id"})))
        .respond_with(success())
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("/v26.0/{PHONE}/verify_code")))
        .and(body_json(json!({"code":"123456"})))
        .respond_with(success())
        .expect(1)
        .mount(&server)
        .await;
    let phone = client(&server).phone(PhoneNumberId::new(PHONE));
    phone.request_code("SMS", "id").await.unwrap();
    assert!(matches!(
        phone.request_code("FAX", "id").await.unwrap_err(),
        Error::Build(_)
    ));
    phone.verify_code("123456").await.unwrap();
    assert!(matches!(
        phone.verify_code("12a").await.unwrap_err(),
        Error::Build(_)
    ));
}
