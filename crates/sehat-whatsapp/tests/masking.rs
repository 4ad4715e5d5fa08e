//! Personal data never appears in `Debug` or `Display`: every webhook fixture is parsed,
//! and no identifier, name, number or message text it carries shows in the debug form of
//! the payload or of any of its events.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::time::Duration;

use sehat_whatsapp::ids::{BusinessScopedUserId, MessageId, PhoneNumberId, Recipient, WaId};
use sehat_whatsapp::pacing::{Pacer, Pacing};
use sehat_whatsapp::webhook::{SubscriptionQuery, WebhookPayload};
use serde_json::Value;

/// Keys whose string values are personal data in Meta's webhooks.
const PERSONAL: &[&str] = &[
    "wa_id",
    "from",
    "recipient_id",
    "user_id",
    "from_user_id",
    "recipient_user_id",
    "parent_user_id",
    "username",
    "first_name",
    "last_name",
    "formatted_name",
    "phone",
    "customer",
    "identity",
    "identity_key_hash",
    "input",
    "caption",
    "address",
];

/// Collects the personal values of `value`: strings under [`PERSONAL`] keys, message ids,
/// a profile's or location's `name`, and a text or system message's `body`.
fn personal(value: &Value, parent: &str, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                if let Value::String(text) = child {
                    let named = key == "name" && matches!(parent, "profile" | "location");
                    let body = key == "body" && matches!(parent, "text" | "system");
                    if PERSONAL.contains(&key.as_str())
                        || named
                        || body
                        || text.starts_with("wamid.")
                    {
                        out.push(text.clone());
                    }
                } else if let Value::Number(n) = child
                    && matches!(key.as_str(), "latitude" | "longitude")
                {
                    out.push(n.to_string());
                }
                personal(child, key, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|item| personal(item, parent, out)),
        _ => {}
    }
}

fn fixtures() -> Vec<std::path::PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/webhook");
    let mut files = Vec::new();
    for dir in [root.clone(), root.join("spec")] {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "json") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

#[test]
fn webhook_debug_output_holds_no_personal_data() {
    let mut checked = 0;
    let mut secrets_seen = 0;
    for path in fixtures() {
        let bytes = std::fs::read(&path).unwrap();
        let value: Value = serde_json::from_slice(&bytes).unwrap();
        if value.get("entry").is_none() {
            continue;
        }
        let payload = WebhookPayload::from_slice(&bytes).unwrap();
        let mut secrets = Vec::new();
        personal(&value, "", &mut secrets);
        // Short values (a one-letter name, "1") would match anywhere; the fixtures' own
        // are all longer.
        secrets.retain(|s| s.chars().count() >= 5);
        // The business's own number (a reply's `context.from`) is no one's personal data.
        let business = value["entry"][0]["changes"][0]["value"]["metadata"]["display_phone_number"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        secrets.retain(|s| *s != business);
        secrets_seen += secrets.len();
        let mut texts = vec![format!("{payload:?}"), format!("{payload:#?}")];
        texts.extend(payload.events().map(|event| format!("{event:?}")));
        for text in &texts {
            for secret in &secrets {
                assert!(
                    !text.contains(secret.as_str()),
                    "{}: {secret:?} appears in Debug output:\n{text}",
                    path.display()
                );
            }
        }
        checked += 1;
    }
    // The test must see real fixtures and real personal data to mean anything.
    assert!(checked >= 20, "only {checked} webhook fixtures");
    assert!(secrets_seen >= 60, "only {secrets_seen} personal values");
}

#[test]
fn the_listed_fields_are_masked_and_still_readable() {
    let body = br#"{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{
        "messaging_product":"whatsapp",
        "contacts":[{"profile":{"name":"Siti Aminah","username":"siti.aminah"},"wa_id":"6281234567890","user_id":"ID.13491208655302741918"}],
        "messages":[
          {"from":"6281234567890","id":"wamid.HBgNNjI4MTIzNDU2Nzg5MBUCABIYFjNFQjBBMUIyQzNENEU1RjZBNwA=","timestamp":"1750000000","type":"contacts",
           "contacts":[{"name":{"formatted_name":"Dewi Lestari"},"phones":[{"phone":"+62 813-9876-5432","wa_id":"6281398765432"}]}]},
          {"from":"6281234567890","id":"wamid.B","timestamp":"1750000001","type":"system",
           "system":{"body":"Siti Aminah changed from 6281234567890 to 6285711112222","type":"customer_changed_number","customer":"6285711112222","wa_id":"6285711112222"}},
          {"from":"6281234567890","id":"wamid.C","timestamp":"1750000002","type":"text","text":{"body":"anak saya demam 39"},
           "context":{"from":"6281234567890","id":"wamid.HBgNNjI4MTIzNDU2Nzg5MBUCABIYFjNFQjBBMUIyQzNENEU1RjZBNwA="},
           "unmodelled":{"ktp":"3171234567890001"}}
        ]}}]}]}"#;
    let payload = WebhookPayload::from_slice(body).unwrap();
    let text = format!("{payload:?}");
    for secret in [
        "Siti",
        "siti.aminah",
        "6281234567890",
        "13491208655302741918",
        "NjI4MTIz",
        "Dewi",
        "813-9876-5432",
        "6285711112222",
        "demam",
        "3171234567890001",
    ] {
        assert!(!text.contains(secret), "{secret} in {text}");
    }
    assert!(text.contains("6281*******90"), "{text}");
    assert!(
        text.contains(r#"phone: Some("+62 81*-****-**32")"#),
        "{text}"
    );
    assert!(text.contains("Some(<redacted>)"), "{text}");
    assert!(text.contains(r#""ktp": <string of 16 bytes>"#), "{text}");
    // The values stay readable through the fields.
    let value = &payload.entry[0].changes[0].value;
    let debug_value = format!("{value:?}");
    assert!(!debug_value.contains("Siti"));
    let messages = payload.events().count();
    assert_eq!(messages, 3);
}

#[test]
fn ids_and_the_verify_token_are_masked() {
    let id = MessageId::new("wamid.HBgNNjI4MTIzNDU2Nzg5MBUCABIYFjNFQjBBMUIyQzNENEU1RjZBNwA=");
    let user = BusinessScopedUserId::new("ID.13491208655302741918");
    let phone = WaId::parse("+62 812-3456-7890").unwrap();
    for text in [
        id.to_string(),
        format!("{id:?}"),
        user.to_string(),
        format!("{user:?}"),
        phone.to_string(),
        format!("{phone:?}"),
        format!("{:?}", Recipient::from(user.clone())),
        format!("{:?}", Recipient::from(phone.clone())),
    ] {
        for secret in ["NjI4MTIz", "13491208655302741918", "6281234567890"] {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
    }
    assert!(id.as_str().contains("NjI4MTIz"));
    assert_eq!(user.as_str(), "ID.13491208655302741918");
    assert_eq!(phone.as_str(), "6281234567890");

    let query = SubscriptionQuery::from_query(
        "hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=posyandu-rahasia-2026",
    );
    let text = format!("{query:?}");
    assert!(!text.contains("rahasia"), "{text}");
    assert!(text.contains("1158201444"), "{text}");
    assert_eq!(query.verify("posyandu-rahasia-2026"), Ok("1158201444"));
}

#[tokio::test]
async fn the_pacer_and_throttle_show_counts_not_recipients() {
    // Both key their state by the recipient's `to` field: the number or id in clear.
    let from = PhoneNumberId::new("106540352242922");
    let phone = Recipient::from(WaId::parse("6281234567890").unwrap());
    let user = Recipient::from(BusinessScopedUserId::new("ID.13491208655302741918"));
    let pacer = Pacer::new(Pacing::default());
    for to in [&phone, &user] {
        pacer.acquire(&from, to).await;
        pacer
            .throttle()
            .hold_recipient(&from, to, Duration::from_secs(30));
    }
    pacer.throttle().hold_number(&from, Duration::from_secs(1));
    for text in [
        format!("{pacer:?}"),
        format!("{pacer:#?}"),
        format!("{:?}", pacer.throttle()),
    ] {
        for secret in ["6281234567890", "13491208655302741918"] {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
    }
    assert_eq!(
        format!("{:?}", pacer.throttle()),
        "Throttle { numbers_held: 1, recipients_held: 2 }"
    );
}
