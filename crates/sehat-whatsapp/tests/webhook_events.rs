//! Typed events for every field, message type and status the reference lists, built from
//! the documented shapes (Meta's webhook reference pages), plus the forward-compatibility
//! rules: unknown fields and types are kept, an empty `wa_id` is absent.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use sehat_whatsapp::webhook::{
    ChangeValue, Dedupe, DedupeClass, DedupeKey, Event, GroupEventKind, InMemoryDedupe,
    InteractiveReply, MessageContent, ParseError, PreferenceValue, QualityScore, StatusKind,
    SubscriptionError, SubscriptionQuery, SystemEventKind, TemplateEvent, WebhookPayload,
    verify_subscription,
};

fn envelope(field: &str, value: Value) -> WebhookPayload {
    let body = json!({
        "object": "whatsapp_business_account",
        "entry": [{"id": "102290129340398", "time": 1_739_321_024,
                   "changes": [{"field": field, "value": value}]}]
    });
    WebhookPayload::from_slice(&serde_json::to_vec(&body).unwrap()).unwrap()
}

fn messages(messages: Value) -> WebhookPayload {
    envelope(
        "messages",
        json!({
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "15550783881", "phone_number_id": "106540352242922"},
            "contacts": [{"profile": {"name": "Ibu Sari"}, "wa_id": "6281234567890"}],
            "messages": messages
        }),
    )
}

fn one_message(message: Value) -> sehat_whatsapp::webhook::InboundMessage {
    let payload = messages(json!([message]));
    let events: Vec<_> = payload.events().collect();
    assert_eq!(events.len(), 1);
    let Event::Message(m) = events[0] else {
        panic!("{:?}", events[0])
    };
    m.message.clone()
}

fn msg(kind: &str, content: Value) -> Value {
    let mut m =
        json!({"from": "6281234567890", "id": "wamid.X", "timestamp": "1750000000", "type": kind});
    m[kind] = content;
    m
}

fn value_of(payload: &WebhookPayload) -> &ChangeValue {
    &payload.entry[0].changes[0].value
}

#[test]
fn media_types() {
    let audio = one_message(msg(
        "audio",
        json!({"id": "111", "mime_type": "audio/ogg; codecs=opus", "voice": true}),
    ));
    let MessageContent::Audio(a) = &audio.content else {
        panic!("{:?}", audio.content)
    };
    assert_eq!(a.voice, Some(true));
    assert_eq!(a.id.as_ref().unwrap().as_str(), "111");

    let sticker = one_message(msg(
        "sticker",
        json!({"id": "222", "mime_type": "image/webp", "animated": false}),
    ));
    let MessageContent::Sticker(s) = &sticker.content else {
        panic!()
    };
    assert_eq!(s.animated, Some(false));

    let doc = one_message(msg(
        "document",
        json!({"id": "333", "filename": "kartu.pdf", "caption": "KMS", "mime_type": "application/pdf"}),
    ));
    let MessageContent::Document(d) = &doc.content else {
        panic!()
    };
    assert_eq!(d.filename.as_deref(), Some("kartu.pdf"));
    assert_eq!(doc.text(), Some("KMS"));

    let video = one_message(msg("video", json!({"id": "444", "mime_type": "video/mp4"})));
    assert!(matches!(video.content, MessageContent::Video(_)));
}

#[test]
fn interactive_flow_reply_order_system_and_welcome() {
    let flow = one_message(msg(
        "interactive",
        json!({
            "type": "nfm_reply",
            "nfm_reply": {"name": "flow", "body": "Sent", "response_json": "{\"flow_token\":\"t\",\"tanggal\":\"2026-12-01\"}"}
        }),
    ));
    let MessageContent::Interactive(InteractiveReply::FlowReply {
        name,
        body,
        response_json,
    }) = &flow.content
    else {
        panic!("{:?}", flow.content)
    };
    assert_eq!(name.as_deref(), Some("flow"));
    assert_eq!(body.as_deref(), Some("Sent"));
    let parsed: Value = serde_json::from_str(response_json.as_deref().unwrap()).unwrap();
    assert_eq!(parsed["tanggal"], "2026-12-01");

    let unknown_interactive = one_message(msg(
        "interactive",
        json!({"type": "carousel_reply", "carousel_reply": {"id": "c1"}}),
    ));
    let MessageContent::Interactive(InteractiveReply::Unknown { kind, raw }) =
        &unknown_interactive.content
    else {
        panic!()
    };
    assert_eq!(kind, "carousel_reply");
    assert_eq!(raw["carousel_reply"]["id"], "c1");

    let order = one_message(msg(
        "order",
        json!({
            "catalog_id": "9876", "text": "pesan",
            "product_items": [{"product_retailer_id": "vit-a", "quantity": 2, "item_price": 15000.5, "currency": "IDR"}]
        }),
    ));
    let MessageContent::Order(o) = &order.content else {
        panic!()
    };
    assert_eq!(o.catalog_id.as_deref(), Some("9876"));
    assert_eq!(o.product_items[0].quantity, Some(2.0));
    assert_eq!(o.product_items[0].item_price, Some(15000.5));

    let system = one_message(json!({
        "from": "", "from_user_id": "ID.1111", "id": "wamid.S", "timestamp": "1750000000", "type": "system",
        "system": {"body": "User changed", "type": "user_changed_user_id", "user_id": "ID.2222"}
    }));
    let MessageContent::System(s) = &system.content else {
        panic!()
    };
    assert_eq!(s.kind, Some(SystemEventKind::UserChangedUserId));
    assert_eq!(s.user_id.as_ref().unwrap().as_str(), "ID.2222");
    assert!(system.from.is_none());

    let changed = one_message(msg(
        "system",
        json!({"body": "changed", "type": "user_changed_number", "new_wa_id": "6289999999999"}),
    ));
    let MessageContent::System(s) = &changed.content else {
        panic!()
    };
    assert_eq!(s.kind, Some(SystemEventKind::UserChangedNumber));
    assert_eq!(s.wa_id.as_ref().unwrap().as_str(), "6289999999999");

    let welcome = one_message(
        json!({"from": "6281234567890", "id": "wamid.W", "timestamp": "1750000000", "type": "request_welcome"}),
    );
    assert!(matches!(welcome.content, MessageContent::RequestWelcome));
}

#[test]
fn business_scoped_user_with_empty_wa_id() {
    let payload = envelope(
        "messages",
        json!({
            "metadata": {"display_phone_number": "15550783881", "phone_number_id": "106540352242922"},
            "contacts": [{"profile": {"name": "Budi", "username": "@budi"}, "wa_id": "", "user_id": "ID.1349120865"}],
            "messages": [{"from": "", "from_user_id": "ID.1349120865", "id": "wamid.B", "timestamp": 1750000000,
                          "type": "text", "text": {"body": "halo"}}],
            "statuses": [{"id": "wamid.C", "status": "read", "timestamp": "1750000001", "recipient_id": "",
                          "recipient_user_id": "ID.1349120865"}]
        }),
    );
    let events: Vec<_> = payload.events().collect();
    let Event::Message(m) = events[0] else {
        panic!()
    };
    assert!(
        m.message.from.is_none(),
        "an empty wa_id is absent, not an empty number"
    );
    let sender = m.message.sender();
    assert_eq!(sender.best_key(), Some("ID.1349120865"));
    let enriched = m.sender();
    assert_eq!(enriched.username.as_deref(), Some("@budi"));
    assert_eq!(m.profile_name(), Some("Budi"));
    assert_eq!(events[0].user().unwrap().best_key(), Some("ID.1349120865"));
    let contact = m.contact.expect("contact matched by user id");
    assert!(contact.wa_id.is_none());
    assert_eq!(contact.user().username.as_deref(), Some("@budi"));
    assert!(contact.user().matches(&sender));
    assert_eq!(
        m.message.timestamp.as_ref().unwrap().unix_seconds(),
        Some(1_750_000_000)
    );

    let Event::Status(s) = events[1] else {
        panic!()
    };
    assert!(s.status.recipient_id.is_none());
    assert!(s.status.recipient().matches(&sender));
}

#[test]
fn statuses_every_kind_with_errors_conversation_and_groups() {
    let payload = envelope(
        "messages",
        json!({
            "metadata": {"display_phone_number": "15550783881", "phone_number_id": "106540352242922"},
            "statuses": [
                {"id": "wamid.1", "status": "sent", "timestamp": "1", "recipient_id": "6281234567890",
                 "biz_opaque_callback_data": "campaign-42",
                 "conversation": {"id": "conv1", "expiration_timestamp": "1750086400", "origin": {"type": "utility"}},
                 "pricing": {"billable": true, "pricing_model": "CBP", "category": "utility"}},
                {"id": "wamid.1", "status": "delivered", "timestamp": "2", "recipient_id": "6281234567890"},
                {"id": "wamid.1", "status": "read", "timestamp": "3", "recipient_id": "6281234567890"},
                {"id": "wamid.2", "status": "played", "timestamp": "4", "recipient_id": "6281234567890"},
                {"id": "wamid.3", "status": "failed", "timestamp": "5", "recipient_id": "6281234567890",
                 "errors": [{"code": 131047, "title": "Re-engagement message", "message": "Re-engagement message",
                             "error_data": {"details": "Message failed to send because more than 24 hours have passed"},
                             "href": "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/"}]},
                {"id": "wamid.4", "status": "delivered", "timestamp": "6", "recipient_type": "group",
                 "group_id": "120363000000000000", "recipient_participant_id": "6281111111111", "recipient_id": ""},
                {"id": "wamid.5", "status": "warming_up", "timestamp": "7", "recipient_id": "6281234567890"}
            ]
        }),
    );
    let statuses: Vec<_> = payload
        .events()
        .map(|e| match e {
            Event::Status(s) => s.status.clone(),
            other => panic!("{other:?}"),
        })
        .collect();
    let kinds: Vec<_> = statuses.iter().map(|s| s.status.clone().unwrap()).collect();
    assert_eq!(
        kinds,
        [
            StatusKind::Sent,
            StatusKind::Delivered,
            StatusKind::Read,
            StatusKind::Played,
            StatusKind::Failed,
            StatusKind::Delivered,
            StatusKind::Other("warming_up".into())
        ]
    );
    assert_eq!(
        statuses[0].biz_opaque_callback_data.as_deref(),
        Some("campaign-42")
    );
    let conversation = statuses[0].conversation.as_ref().unwrap();
    assert_eq!(conversation.origin.as_deref(), Some("utility"));
    assert_eq!(
        conversation
            .expiration_timestamp
            .as_ref()
            .unwrap()
            .unix_seconds(),
        Some(1_750_086_400)
    );
    assert_eq!(statuses[4].errors[0].code, Some(131_047));
    assert!(
        statuses[4].errors[0]
            .details
            .as_deref()
            .unwrap()
            .contains("24 hours")
    );
    assert_eq!(statuses[5].group_id.as_deref(), Some("120363000000000000"));
    assert_eq!(
        statuses[5]
            .recipient_participant_id
            .as_ref()
            .unwrap()
            .as_str(),
        "6281111111111"
    );
    assert_eq!(statuses[6].status_str(), "warming_up");
}

#[test]
fn unknown_fields_and_types_are_kept() {
    // An unknown message type: its object is kept raw.
    let future = one_message(msg("hologram", json!({"frames": 3})));
    let MessageContent::Unknown { kind, raw } = &future.content else {
        panic!()
    };
    assert_eq!(kind, "hologram");
    assert_eq!(raw["frames"], 3);
    assert_eq!(future.kind, "hologram");

    // A known type whose object is not the documented shape: kept raw too.
    let odd = one_message(
        json!({"from": "6281234567890", "id": "wamid.O", "timestamp": "1", "type": "text", "text": "plain"}),
    );
    let MessageContent::Unknown { kind, raw } = &odd.content else {
        panic!("{:?}", odd.content)
    };
    assert_eq!((kind.as_str(), raw), ("text", &json!("plain")));

    // Unknown members at every level are in `extra`.
    let payload = WebhookPayload::from_slice(br#"{"object":"whatsapp_business_account","new_top":1,
        "entry":[{"id":"1","new_entry":2,"changes":[{"field":"messages","value":{
          "new_value":3,"messages":[{"from":"6281234567890","id":"wamid.E","timestamp":"1","type":"text",
          "text":{"body":"x","new_text":4},"new_message":5}]}}]}]}"#).unwrap();
    assert_eq!(payload.extra["new_top"], 1);
    assert_eq!(payload.entry[0].extra["new_entry"], 2);
    let ChangeValue::Messages(value) = value_of(&payload) else {
        panic!()
    };
    assert_eq!(value.extra["new_value"], 3);
    assert_eq!(value.messages[0].extra["new_message"], 5);
    let MessageContent::Text(text) = &value.messages[0].content else {
        panic!()
    };
    assert_eq!(text.extra["new_text"], 4);

    // An unknown field keeps its whole value.
    let unknown = envelope("some_future_field", json!({"a": [1, 2]}));
    let ChangeValue::Unknown(raw) = value_of(&unknown) else {
        panic!()
    };
    assert_eq!(raw["a"], json!([1, 2]));
    let events: Vec<_> = unknown.events().collect();
    assert_eq!(
        (events[0].field(), events[0].kind()),
        ("some_future_field", "unknown")
    );

    // A known field whose value is not an object is malformed, kept raw, not rejected.
    let malformed = envelope("account_alerts", json!("oops"));
    let ChangeValue::Malformed { raw, error } = value_of(&malformed) else {
        panic!()
    };
    assert_eq!(raw, &json!("oops"));
    assert!(error.contains("string"), "{error}");

    // A status item of the wrong shape falls back with its raw members.
    let odd_status = envelope(
        "messages",
        json!({"statuses": [{"id": "wamid.Z", "status": "sent", "timestamp": {"weird": true}}]}),
    );
    let ChangeValue::Messages(v) = value_of(&odd_status) else {
        panic!()
    };
    assert_eq!(v.statuses[0].id.as_ref().unwrap().as_str(), "wamid.Z");
    assert_eq!(v.statuses[0].status, Some(StatusKind::Sent));
    assert_eq!(v.statuses[0].extra["timestamp"]["weird"], true);
}

#[test]
fn template_webhooks() {
    let status = envelope(
        "message_template_status_update",
        json!({
            "event": "REJECTED", "message_template_id": 806_312_974_732_579_u64,
            "message_template_name": "pengingat_imunisasi", "message_template_language": "id",
            "reason": "INVALID_FORMAT", "message_template_category": "UTILITY",
            "rejection_info": {"reason": "x", "recommendation": "y"}
        }),
    );
    let ChangeValue::TemplateStatus(t) = value_of(&status) else {
        panic!()
    };
    assert_eq!(t.event, Some(TemplateEvent::Rejected));
    assert_eq!(
        t.message_template_id.as_ref().unwrap().as_str(),
        "806312974732579"
    );
    assert_eq!(t.reason.as_deref(), Some("INVALID_FORMAT"));
    assert!(t.extra.contains_key("rejection_info"));
    let e = status.events().next().unwrap();
    assert_eq!(
        (e.kind(), e.id(), e.type_str().as_deref()),
        ("template_status", Some("806312974732579"), Some("REJECTED"))
    );

    for field in [
        "message_template_quality_update",
        "message_template_status_update",
    ] {
        // Meta's reference shows quality updates under the status field as well.
        let quality = envelope(
            field,
            json!({
                "previous_quality_score": "GREEN", "new_quality_score": "YELLOW",
                "message_template_id": 806_312_974_732_579_u64, "message_template_name": "welcome_template",
                "message_template_language": "en-US"
            }),
        );
        let ChangeValue::TemplateQuality(q) = value_of(&quality) else {
            panic!("{field}")
        };
        assert_eq!(q.previous_quality_score, Some(QualityScore::Green));
        assert_eq!(q.new_quality_score, Some(QualityScore::Yellow));
    }

    let category = envelope(
        "template_category_update",
        json!({
            "message_template_id": 278_077_987_957_091_u64, "message_template_name": "welcome_template",
            "message_template_language": "en-US", "new_category": "UTILITY", "correct_category": "MARKETING",
            "category_update_timestamp": 1_746_169_200
        }),
    );
    let ChangeValue::TemplateCategory(c) = value_of(&category) else {
        panic!()
    };
    assert_eq!(c.correct_category.as_deref(), Some("MARKETING"));
    assert_eq!(
        c.category_update_timestamp.as_ref().unwrap().unix_seconds(),
        Some(1_746_169_200)
    );

    let components = envelope(
        "message_template_components_update",
        json!({
            "message_template_id": 1, "message_template_name": "n", "message_template_language": "id",
            "message_template_element": "Halo {{1}}", "message_template_buttons": [{"message_template_button_type": "URL"}]
        }),
    );
    let ChangeValue::TemplateComponents(c) = value_of(&components) else {
        panic!()
    };
    assert_eq!(c.message_template_element.as_deref(), Some("Halo {{1}}"));
    assert!(c.message_template_buttons.as_ref().unwrap().is_array());
}

#[test]
fn account_and_phone_number_webhooks() {
    let alert = envelope(
        "account_alerts",
        json!({
            "entity_type": "BUSINESS", "entity_id": "506914307656634",
            "alert_info": {"alert_severity": "WARNING", "alert_status": "ACTIVE",
                           "alert_type": "INCREASED_CAPABILITIES_ELIGIBILITY_DEFERRED", "alert_description": "d"}
        }),
    );
    let ChangeValue::AccountAlert(a) = value_of(&alert) else {
        panic!()
    };
    assert_eq!(
        a.alert_info.as_ref().unwrap().alert_severity.as_deref(),
        Some("WARNING")
    );
    let e = alert.events().next().unwrap();
    assert_eq!(
        (e.kind(), e.id()),
        ("account_alert", Some("506914307656634"))
    );

    let update = envelope(
        "account_update",
        json!({
            "phone_number": "15550783881", "event": "ACCOUNT_VIOLATION",
            "violation_info": {"violation_type": "SCAM"}
        }),
    );
    let ChangeValue::AccountUpdate(u) = value_of(&update) else {
        panic!()
    };
    assert_eq!(u.event.as_deref(), Some("ACCOUNT_VIOLATION"));
    assert_eq!(u.extra["violation_info"]["violation_type"], "SCAM");

    let quality = envelope(
        "phone_number_quality_update",
        json!({
            "display_phone_number": "15550783881", "event": "THROUGHPUT_UPGRADE", "current_limit": "TIER_UNLIMITED",
            "max_daily_conversations_per_business": "TIER_2K"
        }),
    );
    let ChangeValue::PhoneNumberQuality(q) = value_of(&quality) else {
        panic!()
    };
    assert_eq!(q.event.as_deref(), Some("THROUGHPUT_UPGRADE"));
    assert_eq!(
        q.max_daily_conversations_per_business.as_deref(),
        Some("TIER_2K")
    );

    // The reference documents both a number and a tier for the same member.
    for limit in [json!(2000), json!("TIER_UNLIMITED")] {
        let capability = envelope(
            "business_capability_update",
            json!({
                "max_daily_conversations_per_business": limit, "max_phone_numbers_per_waba": 25
            }),
        );
        let ChangeValue::BusinessCapability(c) = value_of(&capability) else {
            panic!()
        };
        assert!(c.max_daily_conversations_per_business.is_some());
        assert_eq!(c.max_phone_numbers_per_waba, Some(25));
    }

    let name = envelope(
        "phone_number_name_update",
        json!({
            "display_phone_number": "15550783881", "decision": "APPROVED", "requested_verified_name": "Posyandu Melati"
        }),
    );
    let ChangeValue::PhoneNumberName(n) = value_of(&name) else {
        panic!()
    };
    assert_eq!(
        n.requested_verified_name.as_deref(),
        Some("Posyandu Melati")
    );

    let security = envelope(
        "security",
        json!({"display_phone_number": "15550783881", "event": "PIN_CHANGED"}),
    );
    assert!(
        matches!(value_of(&security), ChangeValue::Security(s) if s.event.as_deref() == Some("PIN_CHANGED"))
    );

    let review = envelope("account_review_update", json!({"decision": "APPROVED"}));
    assert!(
        matches!(value_of(&review), ChangeValue::AccountReview(r) if r.decision.as_deref() == Some("APPROVED"))
    );

    let flows = envelope(
        "flows",
        json!({
            "event": "FLOW_STATUS_CHANGE", "message": "Flow changed status from DRAFT to PUBLISHED",
            "flow_id": "1097420589034000", "old_status": "DRAFT", "new_status": "PUBLISHED"
        }),
    );
    let ChangeValue::Flows(f) = value_of(&flows) else {
        panic!()
    };
    assert_eq!(f.flow_id.as_ref().unwrap().as_str(), "1097420589034000");
    assert_eq!(f.new_status.as_deref(), Some("PUBLISHED"));
}

#[test]
fn group_webhooks() {
    let meta = json!({"display_phone_number": "15550783881", "phone_number_id": "106540352242922"});
    let created = envelope(
        "group_lifecycle_update",
        json!({
            "messaging_product": "whatsapp", "metadata": meta,
            "groups": [{"timestamp": "1750000000", "group_id": "G1", "type": "group_create", "request_id": "R1",
                        "subject": "Kader Posyandu", "invite_link": "https://chat.whatsapp.com/LINK", "join_approval_mode": "approval_required"}]
        }),
    );
    let events: Vec<_> = created.events().collect();
    let Event::Group(g) = events[0] else {
        panic!("{:?}", events[0])
    };
    assert_eq!(g.group.kind, Some(GroupEventKind::Create));
    assert_eq!(
        g.group.invite_link.as_deref(),
        Some("https://chat.whatsapp.com/LINK")
    );
    assert_eq!(events[0].kind(), "group");
    assert_eq!(events[0].type_str().as_deref(), Some("group_create"));
    assert_eq!(events[0].id(), Some("G1"));
    assert_eq!(
        events[0].origin().phone_number_id(),
        Some("106540352242922")
    );

    // Meta's failure example writes the code as a placeholder string: the item is kept whole.
    let failed = envelope(
        "group_lifecycle_update",
        json!({
            "metadata": meta,
            "groups": [{"timestamp": "1750000000", "type": "group_create", "request_id": "R2", "group_id": "G2",
                        "errors": [{"code": 131_000, "message": "Something went wrong", "title": "t", "error_data": {"details": "d"}}]}]
        }),
    );
    let ChangeValue::Groups(v) = value_of(&failed) else {
        panic!()
    };
    assert!(v.groups[0].is_failure());
    assert_eq!(v.groups[0].errors[0].code, Some(131_000));

    let join = envelope(
        "group_participants_update",
        json!({
            "metadata": meta,
            "groups": [{"timestamp": 1750000000, "group_id": "G1", "type": "group_join_request_created",
                        "join_request_id": "JR1", "wa_id": "6281234567890", "user_id": "ID.77"}]
        }),
    );
    let Event::Group(g) = join.events().next().unwrap() else {
        panic!()
    };
    assert_eq!(g.group.kind, Some(GroupEventKind::JoinRequestCreated));
    assert_eq!(g.group.join_request_id.as_deref(), Some("JR1"));
    assert_eq!(g.group.user_id.as_ref().unwrap().as_str(), "ID.77");

    let removed = envelope(
        "group_participants_update",
        json!({
            "metadata": meta,
            "groups": [{"timestamp": "1", "group_id": "G1", "type": "group_participants_remove", "initiated_by": "participant",
                        "removed_participants": [{"wa_id": "6281234567890"}],
                        "failed_participants": [{"input": "6289999", "errors": [{"code": 131_009, "title": "x"}]}]}]
        }),
    );
    let Event::Group(g) = removed.events().next().unwrap() else {
        panic!()
    };
    assert_eq!(g.group.initiated_by.as_deref(), Some("participant"));
    assert_eq!(
        g.group.removed_participants[0]
            .user()
            .phone
            .unwrap()
            .as_str(),
        "6281234567890"
    );
    assert_eq!(g.group.failed_participants[0].errors[0].code, Some(131_009));

    for (field, kind) in [
        ("group_settings_update", GroupEventKind::SettingsUpdate),
        ("group_status_update", GroupEventKind::Suspend),
    ] {
        let payload = envelope(
            field,
            json!({
                "metadata": meta,
                "groups": [{"timestamp": "1", "group_id": "G1", "type": kind.as_str(), "request_id": "R"}]
            }),
        );
        let Event::Group(g) = payload.events().next().unwrap() else {
            panic!()
        };
        assert_eq!(g.group.kind.as_ref(), Some(&kind));
        assert_eq!(g.origin.field(), field);
    }
}

#[test]
fn user_preferences() {
    let payload = envelope(
        "user_preferences",
        json!({
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "15550783881", "phone_number_id": "106540352242922"},
            "contacts": [{"profile": {"name": "Ibu Sari"}, "wa_id": "6281234567890"}],
            "user_preferences": [
                {"wa_id": "6281234567890", "detail": "User requested to stop marketing messages",
                 "category": "marketing_messages", "value": "stop", "timestamp": 1_731_705_721},
                {"wa_id": "6281234567890", "category": "marketing_messages", "value": "resume", "timestamp": 1_731_705_800}
            ]
        }),
    );
    let prefs: Vec<_> = payload
        .events()
        .map(|e| match e {
            Event::UserPreference(p) => p.preference.clone(),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(prefs[0].value, Some(PreferenceValue::Stop));
    assert!(prefs[0].is_marketing_stop());
    assert_eq!(prefs[0].user().phone.unwrap().as_str(), "6281234567890");
    assert_eq!(prefs[1].value, Some(PreferenceValue::Resume));
    assert!(!prefs[1].is_marketing_stop());
    assert_eq!(
        payload.events().next().unwrap().type_str().as_deref(),
        Some("stop")
    );
}

#[test]
fn echoes_history_and_calls() {
    let echoes = envelope(
        "smb_message_echoes",
        json!({
            "metadata": {"display_phone_number": "15550783881", "phone_number_id": "106540352242922"},
            "message_echoes": [{"from": "15550783881", "to": "6281234567890", "id": "wamid.E1", "timestamp": "1",
                                "type": "text", "text": {"body": "Jadwal posyandu besok"}}]
        }),
    );
    let events: Vec<_> = echoes.events().collect();
    let Event::Echo(e) = events[0] else {
        panic!("{:?}", events[0])
    };
    assert_eq!(e.message.to.as_ref().unwrap().as_str(), "6281234567890");
    assert_eq!(e.message.text(), Some("Jadwal posyandu besok"));
    assert_eq!(events[0].kind(), "message_echo");

    let history = envelope(
        "history",
        json!({
            "metadata": {"display_phone_number": "15550783881", "phone_number_id": "106540352242922"},
            "history": [{"metadata": {"phase": 0, "chunk_order": 1, "progress": 55},
                         "threads": [{"id": "6281234567890", "messages": [
                            {"from": "6281234567890", "id": "wamid.H", "timestamp": "1", "type": "text",
                             "text": {"body": "lama"}, "history_context": {"status": "READ"}}]}]}]
        }),
    );
    let ChangeValue::History(h) = value_of(&history) else {
        panic!()
    };
    assert_eq!(h.history[0].threads[0].messages[0].text(), Some("lama"));
    assert_eq!(
        h.history[0].threads[0].messages[0].extra["history_context"]["status"],
        "READ"
    );

    let calls = envelope(
        "calls",
        json!({
            "metadata": {"display_phone_number": "15550783881", "phone_number_id": "106540352242922"},
            "calls": [{"id": "wacid.1", "from": "6281234567890", "to": "15550783881", "event": "connect",
                       "direction": "USER_INITIATED", "timestamp": "1", "session": {"sdp_type": "offer", "sdp": "v=0"}}]
        }),
    );
    let ChangeValue::Calls(c) = value_of(&calls) else {
        panic!()
    };
    assert_eq!(c.calls[0].event.as_deref(), Some("connect"));
    assert_eq!(c.calls[0].extra["session"]["sdp_type"], "offer");
    let e = calls.events().next().unwrap();
    assert_eq!(
        (e.kind(), e.id(), e.type_str().as_deref()),
        ("calls", Some("wacid.1"), Some("connect"))
    );
}

#[test]
fn envelope_errors_say_where() {
    let cases: [(&[u8], &str); 5] = [
        (b"not json", "line 1"),
        (b"[]", "$"),
        (br#"{"object":"whatsapp_business_account"}"#, "no `entry`"),
        (br#"{"object":"x","entry":[1]}"#, "$.entry[0]"),
        (
            br#"{"object":"x","entry":[{"changes":[{"field":"messages","value":{}}, "bad"]}]}"#,
            "$.entry[0].changes[1]",
        ),
    ];
    for (body, needle) in cases {
        let err = WebhookPayload::from_slice(body).unwrap_err();
        assert!(err.to_string().contains(needle), "{err}");
    }
    assert!(matches!(
        WebhookPayload::from_slice(b"{").unwrap_err(),
        ParseError::Json { line: 1, .. }
    ));
}

#[test]
fn several_entries_and_changes_keep_their_order() {
    let body = json!({"object": "whatsapp_business_account", "entry": [
        {"id": "A", "changes": [
            {"field": "messages", "value": {"messages": [
                {"from": "1", "id": "m1", "timestamp": "1", "type": "text", "text": {"body": "a"}},
                {"from": "1", "id": "m2", "timestamp": "2", "type": "text", "text": {"body": "b"}}],
             "statuses": [{"id": "m0", "status": "read", "timestamp": "3", "recipient_id": "1"}]}},
            {"field": "account_update", "value": {"event": "PARTNER_ADDED"}}]},
        {"id": "B", "changes": [{"field": "security", "value": {"event": "PIN_RESET_REQUEST"}}]}
    ]});
    let payload = WebhookPayload::from_value(body).unwrap();
    let summary: Vec<_> = payload
        .events()
        .map(|e| {
            (
                e.origin().waba_id().to_owned(),
                e.kind(),
                e.id().map(str::to_owned),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("A".into(), "message", Some("m1".into())),
            ("A".into(), "message", Some("m2".into())),
            ("A".into(), "status", Some("m0".into())),
            ("A".into(), "account_update", None),
            ("B".into(), "security", None),
        ]
    );
    assert_eq!(payload.events().len(), 5);
}

#[test]
fn dedupe_on_wamid_and_status() {
    let payload = messages(json!([
        {"from": "6281234567890", "id": "wamid.D", "timestamp": "1", "type": "text", "text": {"body": "x"}}
    ]));
    let dedupe = InMemoryDedupe::new(Duration::from_secs(60)).unwrap();
    let handled = |p: &WebhookPayload| {
        p.events()
            .filter(|e| e.dedupe_key().is_some_and(|k| dedupe.insert(&k)))
            .count()
    };
    assert_eq!(handled(&payload), 1);
    assert_eq!(handled(&payload), 0, "a re-delivery is skipped");

    assert_ne!(
        DedupeKey::status("wamid.D", "sent"),
        DedupeKey::status("wamid.D", "read")
    );
    assert_ne!(
        DedupeKey::message("wamid.D"),
        DedupeKey::status("wamid.D", "")
    );
}

#[test]
fn in_memory_dedupe_expires_and_is_bounded() {
    let dedupe = InMemoryDedupe::new(Duration::from_secs(10))
        .unwrap()
        .max_bytes(DedupeClass::Other, 8 * InMemoryDedupe::BYTES_PER_KEY);
    let t0 = Instant::now();
    let a = DedupeKey::new("a");
    assert!(dedupe.insert_at(&a, t0));
    assert!(!dedupe.insert_at(&a, t0 + Duration::from_secs(9)));
    assert!(
        dedupe.insert_at(&a, t0 + Duration::from_secs(10)),
        "expired after the TTL"
    );
    let later = t0 + Duration::from_secs(11);
    for key in ["b", "c", "d", "e", "f", "g", "h", "i"] {
        assert!(dedupe.insert_at(&DedupeKey::new(key), later));
    }
    assert_eq!(dedupe.len(), 8, "the byte budget bounds the store");
    assert!(
        dedupe.insert_at(&a, later),
        "the oldest was forgotten first"
    );
    assert!(!dedupe.insert_at(&DedupeKey::new("i"), later));
    // Another class has its own budget.
    assert!(dedupe.insert_at(&DedupeKey::message("a"), later));
    assert_eq!(dedupe.len_of(DedupeClass::Message), 1);
}

#[test]
fn subscription_handshake() {
    let q = SubscriptionQuery::from_query(
        "hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=meatyhamhock",
    );
    assert_eq!(q.verify("meatyhamhock"), Ok("1158201444"));
    assert_eq!(q.verify("other"), Err(SubscriptionError::TokenMismatch));
    assert_eq!(q.verify(""), Err(SubscriptionError::NoExpectedToken));
    assert_eq!(
        verify_subscription(Some("unsubscribe"), Some("t"), Some("1"), "t"),
        Err(SubscriptionError::WrongMode)
    );
    assert_eq!(
        verify_subscription(None, Some("t"), Some("1"), "t"),
        Err(SubscriptionError::WrongMode)
    );
    assert_eq!(
        verify_subscription(Some("subscribe"), None, Some("1"), "t"),
        Err(SubscriptionError::TokenMismatch)
    );
    assert_eq!(
        verify_subscription(Some("subscribe"), Some("t"), None, "t"),
        Err(SubscriptionError::MissingChallenge)
    );
    // Deserializes from a query string too (as axum's Query does).
    let q: SubscriptionQuery = serde_json::from_value(
        json!({"hub.mode": "subscribe", "hub.verify_token": "t", "hub.challenge": "9"}),
    )
    .unwrap();
    assert_eq!(q.verify("t"), Ok("9"));
}

#[test]
fn phone_numbers_are_masked_in_debug() {
    let payload = messages(json!([
        {"from": "6281234567890", "id": "wamid.P", "timestamp": "1", "type": "text", "text": {"body": "x"}}
    ]));
    let shown = format!("{:?}", payload.events().next().unwrap());
    assert!(!shown.contains("6281234567890"), "{shown}");
}
