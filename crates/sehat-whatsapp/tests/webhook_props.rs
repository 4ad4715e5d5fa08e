//! Property tests: parsing never panics on arbitrary bytes or JSON, and unknown fields and
//! types are kept rather than rejected.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use proptest::prelude::*;
use serde_json::{Map, Value, json};

use sehat_whatsapp::webhook::{
    ChangeValue, MessageContent, TYPED_FIELDS, WebhookPayload, WebhookVerifier, sign_payload,
};

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        "[a-z0-9_.]{0,12}".prop_map(Value::String),
        Just(Value::String(String::new())),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::btree_map(member_name(), inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// Member names that hit the modelled ones often.
fn member_name() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "id",
            "from",
            "to",
            "type",
            "text",
            "body",
            "timestamp",
            "status",
            "statuses",
            "messages",
            "errors",
            "contacts",
            "wa_id",
            "user_id",
            "from_user_id",
            "metadata",
            "pricing",
            "conversation",
            "code",
            "error_data",
            "details",
            "interactive",
            "button_reply",
            "nfm_reply",
            "groups",
            "group_id",
            "user_preferences",
            "value",
            "event",
            "message_template_id",
            "alert_info",
            "image",
            "location",
            "latitude",
            "system",
            "context",
            "referral",
            "history",
            "threads",
            "calls",
            "message_echoes",
        ])
        .prop_map(str::to_owned),
        "[a-z_]{1,10}",
    ]
}

fn field_name() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(TYPED_FIELDS.to_vec()).prop_map(str::to_owned),
        "[a-z_]{0,12}",
    ]
}

/// Walks every event and its accessors, as a handler would.
fn walk(payload: &WebhookPayload) -> usize {
    let mut n = 0;
    for event in payload.events() {
        let _ = (
            event.kind(),
            event.id(),
            event.type_str(),
            event.dedupe_key(),
        );
        let _ = format!("{event:?}");
        n += 1;
    }
    n
}

proptest! {
    #![proptest_config(ProptestConfig {
        failure_persistence: None,
        ..ProptestConfig::with_cases(256)
    })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        if let Ok(payload) = WebhookPayload::from_slice(&bytes) {
            walk(&payload);
        }
    }

    #[test]
    fn arbitrary_json_never_panics(value in json_value()) {
        if let Ok(payload) = WebhookPayload::from_value(value) {
            walk(&payload);
        }
    }

    #[test]
    fn arbitrary_change_values_never_panic_and_are_never_rejected(
        field in field_name(),
        value in json_value(),
    ) {
        let body = json!({"object": "whatsapp_business_account",
                          "entry": [{"id": "1", "changes": [{"field": field, "value": value}]}]});
        let payload = WebhookPayload::from_value(body).unwrap();
        prop_assert_eq!(payload.entry[0].changes.len(), 1);
        prop_assert!(walk(&payload) >= 1);
    }

    #[test]
    fn arbitrary_messages_keep_their_id_and_type(
        members in prop::collection::btree_map(member_name(), json_value(), 0..8),
        kind in "[a-z_]{1,12}",
    ) {
        let mut message: Map<String, Value> = members.into_iter().collect();
        message.insert("id".into(), json!("wamid.P"));
        message.insert("type".into(), json!(kind));
        let body = json!({"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": [
            {"field": "messages", "value": {"messages": [Value::Object(message)]}}]}]});
        let payload = WebhookPayload::from_value(body).unwrap();
        let ChangeValue::Messages(v) = &payload.entry[0].changes[0].value else {
            panic!("not typed as messages")
        };
        prop_assert_eq!(v.messages.len(), 1);
        prop_assert_eq!(v.messages[0].id.as_ref().map(|id| id.as_str()), Some("wamid.P"));
        prop_assert_eq!(&v.messages[0].kind, &kind);
    }

    #[test]
    fn unknown_members_and_types_are_kept(
        extra_key in "x_[a-z]{1,8}",
        extra_value in json_value(),
        kind in "zz_[a-z]{1,8}",
        content in json_value(),
    ) {
        let mut message = json!({"from": "6281234567890", "id": "wamid.K", "timestamp": "1", "type": kind});
        message[&kind] = content.clone();
        message[&extra_key] = extra_value.clone();
        let body = json!({"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": [
            {"field": "messages", "value": {"messages": [message]}}]}]});
        let payload = WebhookPayload::from_value(body).unwrap();
        let ChangeValue::Messages(v) = &payload.entry[0].changes[0].value else { panic!() };
        let m = &v.messages[0];
        prop_assert_eq!(m.extra.get(&extra_key), Some(&extra_value));
        match &m.content {
            MessageContent::Unknown { kind: k, raw } => {
                prop_assert_eq!(k, &kind);
                prop_assert_eq!(raw, &content);
            }
            other => prop_assert!(false, "unknown type not kept: {:?}", other),
        }
    }

    #[test]
    fn verification_never_panics_and_only_accepts_the_signature(
        body in prop::collection::vec(any::<u8>(), 0..256),
        header in ".{0,80}",
    ) {
        let verifier = WebhookVerifier::new(["s3cret"]);
        let good = sign_payload(b"s3cret", &body);
        prop_assert!(verifier.verify(&body, Some(&good)).is_ok());
        if !header.trim().eq_ignore_ascii_case(&good) {
            prop_assert!(verifier.verify(&body, Some(&header)).is_err());
        }
        let _ = verifier.verify_and_parse(&body, Some(&good));
    }
}

/// The case the property above found: a type that names a member of the message's
/// envelope does not take that member away as its content.
#[test]
fn a_type_named_like_an_envelope_member_keeps_the_member() {
    for kind in ["id", "from", "timestamp", "context", "errors"] {
        let message = json!({"id": "wamid.P", "from": "6281234567890", "timestamp": "1",
                             "type": kind});
        let body = json!({"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": [
            {"field": "messages", "value": {"messages": [message]}}]}]});
        let payload = WebhookPayload::from_value(body).unwrap();
        let ChangeValue::Messages(v) = &payload.entry[0].changes[0].value else {
            panic!("not typed as messages")
        };
        let m = &v.messages[0];
        assert_eq!(
            m.id.as_ref().map(|id| id.as_str()),
            Some("wamid.P"),
            "{kind}"
        );
        assert!(m.from.is_some(), "{kind}");
        assert!(m.timestamp.is_some(), "{kind}");
        assert_eq!(m.kind, kind);
    }
}
