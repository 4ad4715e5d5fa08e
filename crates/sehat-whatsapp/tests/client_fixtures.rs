//! Every public response and error fixture parses into the client's typed models.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use sehat_whatsapp::SendReceipt;
use sehat_whatsapp::error::{ApiError, ErrorKind, RetryClass};
use sehat_whatsapp::media::MediaInfo;
use sehat_whatsapp::template::{ComponentType, Page, Template, TemplateCategory, TemplateStatus};

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/client");

fn read(name: &str) -> Vec<u8> {
    std::fs::read(format!("{DIR}/{name}")).unwrap()
}

#[test]
fn send_response_parses() {
    let receipt: SendReceipt =
        serde_json::from_slice(&read("response_send_message__text.json")).unwrap();
    assert_eq!(
        receipt.message_id().unwrap().as_str(),
        "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBJCOTY3NDc0NDFDRUI3NTA0Q0UA"
    );
    assert_eq!(receipt.contacts[0].input, "+16505551234");
    assert_eq!(
        receipt.contacts[0].wa_id.as_ref().unwrap().as_str(),
        "16505551234"
    );
    assert!(receipt.contacts[0].user_id.is_none());
}

#[test]
fn send_response_with_bsuid_and_empty_wa_id_parses() {
    let body = br#"{"messaging_product":"whatsapp","contacts":[{"input":"ID.1349120865530274","wa_id":"","user_id":"ID.1349120865530274"}],"messages":[{"id":"wamid.X","message_status":"accepted"}]}"#;
    let receipt: SendReceipt = serde_json::from_slice(body).unwrap();
    assert!(receipt.contacts[0].wa_id.is_none());
    assert_eq!(
        receipt.contacts[0].user_id.as_ref().unwrap().as_str(),
        "ID.1349120865530274"
    );
    assert_eq!(
        receipt.messages[0].message_status.as_deref(),
        Some("accepted")
    );
}

#[test]
fn media_url_parses_with_size_as_string_or_number() {
    let info: MediaInfo =
        serde_json::from_slice(&read("response_media__retrieve_url.json")).unwrap();
    assert_eq!(info.id.as_str(), "2621233374848975");
    assert_eq!(info.file_size, Some(303_833));
    assert_eq!(info.mime_type, "image/jpeg");
    let recorded = br#"{"url":"https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=1","mime_type":"image/jpeg","sha256":"ab","file_size":182859,"id":"1","messaging_product":"whatsapp"}"#;
    let info: MediaInfo = serde_json::from_slice(recorded).unwrap();
    assert_eq!(info.file_size, Some(182_859));
    let bad = br#"{"url":"u","id":"1","file_size":"big"}"#;
    assert!(
        serde_json::from_slice::<MediaInfo>(bad)
            .unwrap_err()
            .to_string()
            .contains("file_size")
    );
}

#[test]
fn template_list_parses() {
    let page: Page<Template> =
        serde_json::from_slice(&read("response_templates__list.json")).unwrap();
    assert_eq!(page.data.len(), 2);
    let hello = &page.data[0];
    assert_eq!(hello.name, "hello_world");
    assert_eq!(hello.status, TemplateStatus::Approved);
    assert_eq!(hello.category, TemplateCategory::Marketing);
    assert_eq!(hello.previous_category.as_deref(), Some("ACCOUNT_UPDATE"));
    assert_eq!(hello.components[0].kind, ComponentType::Header);
    let promo = &page.data[1];
    assert_eq!(promo.components[3].buttons[0].kind, "QUICK_REPLY");
    // No `next`: this is the last page.
    assert_eq!(page.next_cursor(), None);
}

#[test]
fn unknown_template_values_are_kept() {
    let body = br#"{"id":"1","name":"n","language":"id","status":"SOMETHING_NEW","category":"UTILITY","components":[{"type":"CALL_PERMISSION_REQUEST","new":1}]}"#;
    let template: Template = serde_json::from_slice(body).unwrap();
    assert_eq!(
        template.status,
        TemplateStatus::Other("SOMETHING_NEW".into())
    );
    assert_eq!(
        template.components[0].kind,
        ComponentType::Other("CALL_PERMISSION_REQUEST".into())
    );
    assert_eq!(template.components[0].extra["new"], 1);
}

#[test]
fn error_fixtures_parse_and_classify() {
    let auth = ApiError::from_body(&read("error__190_invalid_oauth_token.json")).unwrap();
    assert_eq!((auth.code(), auth.subcode()), (190, Some(463)));
    assert_eq!(auth.kind(), ErrorKind::Auth);
    assert_eq!(auth.retry_class(), RetryClass::Auth);
    assert_eq!(auth.fbtrace_id(), Some("A1B2C3D4E5F6G7H8"));
    let waba = ApiError::from_body(&read("error__80007_waba_rate_limit.json")).unwrap();
    assert_eq!((waba.code(), waba.subcode()), (80007, Some(2446079)));
    assert_eq!(waba.is_transient, Some(true));
    assert_eq!(waba.kind(), ErrorKind::WabaRateLimit);
    assert_eq!(waba.retry_class(), RetryClass::RetryLong);
}

#[test]
fn every_response_and_error_fixture_parses() {
    let mut seen = 0;
    for entry in std::fs::read_dir(DIR).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_owned();
        let body = std::fs::read(&path).unwrap();
        if name.starts_with("error__") {
            ApiError::from_body(&body).unwrap_or_else(|e| panic!("{name}: {e}"));
            seen += 1;
        } else if name.starts_with("response_send_message") {
            serde_json::from_slice::<SendReceipt>(&body).unwrap_or_else(|e| panic!("{name}: {e}"));
            seen += 1;
        } else if name.starts_with("response_media") {
            serde_json::from_slice::<MediaInfo>(&body).unwrap_or_else(|e| panic!("{name}: {e}"));
            seen += 1;
        } else if name.starts_with("response_templates") {
            serde_json::from_slice::<Page<Template>>(&body)
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            seen += 1;
        } else if name.starts_with("response_") {
            panic!("{name}: no model for this response");
        }
    }
    assert_eq!(seen, 5);
}

#[test]
fn receipts_mask_phone_numbers_in_debug() {
    let receipt: SendReceipt =
        serde_json::from_slice(&read("response_send_message__text.json")).unwrap();
    let shown = format!("{receipt:?}");
    assert!(!shown.contains("6505551234"), "{shown}");
    assert!(shown.contains("+165******34"), "{shown}");
}
