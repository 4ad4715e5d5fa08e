//! Every public webhook fixture parses into the documented typed events.
//!
//! The fixtures in `tests/data/webhook/` are copies of `shared/data/whatsapp/fixtures/`
//! (see `tests/data/webhook/README.md` for provenance and checksums).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

use sehat_whatsapp::webhook::{
    ChangeValue, Event, InteractiveReply, MessageContent, PricingCategory, PricingModel,
    PricingType, StatusKind, WebhookPayload,
};

fn data_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/webhook")
}

fn load(name: &str) -> WebhookPayload {
    let bytes = std::fs::read(data_dir().join(name)).expect(name);
    WebhookPayload::from_slice(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// The single message event of a fixture.
fn only_message(
    payload: &WebhookPayload,
) -> (sehat_whatsapp::webhook::InboundMessage, Option<String>) {
    let events: Vec<_> = payload.events().collect();
    assert_eq!(events.len(), 1, "{events:?}");
    match events[0] {
        Event::Message(m) => (
            m.message.clone(),
            m.contact.and_then(|c| c.name()).map(str::to_owned),
        ),
        other => panic!("expected a message, got {other:?}"),
    }
}

#[test]
fn every_webhook_fixture_parses_into_typed_events() {
    let mut seen = 0;
    for entry in std::fs::read_dir(data_dir()).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !name.starts_with("webhook_") {
            continue;
        }
        seen += 1;
        let payload = load(&name);
        assert_eq!(payload.object.as_deref(), Some("whatsapp_business_account"));
        let events: Vec<_> = payload.events().collect();
        assert!(!events.is_empty(), "{name}: no events");
        for event in &events {
            assert_eq!(event.field(), "messages", "{name}");
            match event {
                Event::Message(m) => {
                    assert!(
                        !matches!(m.message.content, MessageContent::Unknown { .. }),
                        "{name}: content not typed: {:?}",
                        m.message.content
                    );
                    assert!(m.message.id.is_some(), "{name}");
                    assert!(
                        m.message
                            .timestamp
                            .as_ref()
                            .unwrap()
                            .unix_seconds()
                            .is_some()
                    );
                    assert!(m.contact.is_some(), "{name}: sender contact not found");
                    assert!(name.starts_with("webhook_message__"), "{name}");
                }
                Event::Status(_) => assert!(name.starts_with("webhook_status__"), "{name}"),
                Event::Error(_) => assert!(name.starts_with("webhook_errors__"), "{name}"),
                other => panic!("{name}: unexpected event {other:?}"),
            }
        }
    }
    assert_eq!(seen, 12, "expected the 12 public webhook fixtures");
}

#[test]
fn text() {
    let payload = load("webhook_message__text.json");
    assert_eq!(payload.entry[0].id.as_str(), "419561257915477");
    let (message, name) = only_message(&payload);
    assert_eq!(message.kind, "text");
    assert_eq!(message.text(), Some("Does it come in another color?"));
    assert_eq!(message.from.as_ref().unwrap().as_str(), "16505551234");
    assert_eq!(
        message.id.as_ref().unwrap().as_str(),
        "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA="
    );
    assert_eq!(
        message.timestamp.unwrap().unix_seconds(),
        Some(1_749_416_383)
    );
    assert_eq!(name.as_deref(), Some("Sheena Nelson"));
    let origin = payload.events().next().unwrap().origin();
    assert_eq!(origin.phone_number_id(), Some("106540352242922"));
    assert_eq!(
        origin.metadata().unwrap().display_phone_number.as_deref(),
        Some("15550783881")
    );
}

#[test]
fn text_with_click_to_whatsapp_referral() {
    let (message, _) = only_message(&load("webhook_message__text_ctwa_referral.json"));
    assert_eq!(message.text(), Some("Hello! Can I get more info on this?"));
    let referral = message.referral.unwrap();
    assert_eq!(referral.source_type.as_deref(), Some("ad"));
    assert_eq!(referral.source_id.as_deref(), Some("120226305854810726"));
    assert_eq!(referral.headline.as_deref(), Some("Chat with us"));
    assert!(referral.ctwa_clid.unwrap().starts_with("Aff-n8ZT"));
    // Undocumented-in-the-model fields are kept, not dropped.
    assert_eq!(
        referral.extra["welcome_message"]["text"],
        "Hi there! Let us know how we can help!"
    );
    assert!(referral.extra.contains_key("image_url"));
}

#[test]
fn reaction() {
    let (message, _) = only_message(&load("webhook_message__reaction.json"));
    let MessageContent::Reaction(reaction) = message.content else {
        panic!("{:?}", message.content)
    };
    assert_eq!(reaction.emoji.as_deref(), Some("\u{1f44d}"));
    assert_eq!(
        reaction.message_id.unwrap().as_str(),
        "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI0RTJEOTc2ODVERUY5RDlGNkYA"
    );
}

#[test]
fn image() {
    let (message, _) = only_message(&load("webhook_message__image.json"));
    let MessageContent::Image(image) = &message.content else {
        panic!("{:?}", message.content)
    };
    assert_eq!(image.id.as_ref().unwrap().as_str(), "1003383421387256");
    assert_eq!(image.mime_type.as_deref(), Some("image/jpeg"));
    assert_eq!(
        image.sha256.as_deref(),
        Some("SfInY0gGKTsJlUWbwxC1k+FAD0FZHvzwfpvO0zX0GUI=")
    );
    assert_eq!(message.text(), Some("Taj Mahal"));
}

#[test]
fn location() {
    let (message, _) = only_message(&load("webhook_message__location.json"));
    let MessageContent::Location(location) = message.content else {
        panic!("{:?}", message.content)
    };
    assert_eq!(location.latitude, Some(37.44221496582));
    assert_eq!(location.longitude, Some(-122.16165924072));
    assert_eq!(location.name.as_deref(), Some("Philz Coffee"));
    assert_eq!(
        location.address.as_deref(),
        Some("101 Forest Ave, Palo Alto, CA 94301")
    );
    assert_eq!(location.url.as_deref(), Some("https://philzcoffee.com/"));
}

#[test]
fn contacts() {
    let (message, _) = only_message(&load("webhook_message__contacts.json"));
    let MessageContent::Contacts(cards) = message.content else {
        panic!("{:?}", message.content)
    };
    assert_eq!(cards.len(), 1);
    let name = cards[0].name.as_ref().unwrap();
    assert_eq!(name.formatted_name.as_deref(), Some("Lucía Gómez"));
    assert_eq!(name.first_name.as_deref(), Some("Lucía"));
    assert_eq!(
        cards[0].phones[0].phone.as_deref(),
        Some("+1 (983) 555-2319")
    );
    assert_eq!(
        cards[0].phones[0].wa_id.as_ref().unwrap().as_str(),
        "19835552319"
    );
    assert_eq!(cards[0].phones[0].kind.as_deref(), Some("MOBILE"));
    assert_eq!(cards[0].extra["org"]["company"], "Google");
}

#[test]
fn template_quick_reply_button() {
    let (message, _) = only_message(&load("webhook_message__button.json"));
    let MessageContent::Button(button) = &message.content else {
        panic!("{:?}", message.content)
    };
    assert_eq!(button.payload.as_deref(), Some("Unsubscribe"));
    assert_eq!(button.text.as_deref(), Some("Unsubscribe"));
    let context = message.context.unwrap();
    assert_eq!(context.from.as_deref(), Some("15550783881"));
    assert_eq!(
        context.id.unwrap().as_str(),
        "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBJFNjk2OTMwNEZCQjhGMzUyQUYA"
    );
}

#[test]
fn interactive_list_reply() {
    let (message, _) = only_message(&load("webhook_message__interactive_list_reply.json"));
    let MessageContent::Interactive(reply) = &message.content else {
        panic!("{:?}", message.content)
    };
    let InteractiveReply::ListReply {
        id,
        title,
        description,
    } = reply
    else {
        panic!("{reply:?}")
    };
    assert_eq!(id.as_deref(), Some("priority_express"));
    assert_eq!(title.as_deref(), Some("Priority Mail Express"));
    assert_eq!(description.as_deref(), Some("Next Day to 2 Days"));
    assert_eq!(reply.kind(), "list_reply");
}

#[test]
fn interactive_button_reply() {
    let (message, _) = only_message(&load("webhook_message__interactive_button_reply.json"));
    let MessageContent::Interactive(reply) = &message.content else {
        panic!("{:?}", message.content)
    };
    assert!(matches!(reply, InteractiveReply::ButtonReply { .. }));
    assert_eq!(reply.id(), Some("cancel-button"));
    assert_eq!(reply.title(), Some("Cancel"));
}

#[test]
fn unsupported_message_keeps_its_error() {
    let (message, _) = only_message(&load("webhook_message__unsupported.json"));
    assert!(matches!(message.content, MessageContent::Unsupported));
    assert_eq!(message.kind, "unsupported");
    assert_eq!(message.errors.len(), 1);
    assert_eq!(message.errors[0].code, Some(131_051));
    assert_eq!(
        message.errors[0].title.as_deref(),
        Some("Message type unknown")
    );
    assert_eq!(
        message.errors[0].details.as_deref(),
        Some("Message type is currently not supported.")
    );
}

#[test]
fn delivered_status_with_per_message_pricing_and_bsuid_contact() {
    let payload = load("webhook_status__delivered_pmp_pricing.json");
    let events: Vec<_> = payload.events().collect();
    assert_eq!(events.len(), 1);
    let Event::Status(event) = events[0] else {
        panic!("{:?}", events[0])
    };
    let status = event.status;
    assert_eq!(status.status, Some(StatusKind::Delivered));
    assert_eq!(
        status.timestamp.as_ref().unwrap().unix_seconds(),
        Some(1_750_030_073)
    );
    assert_eq!(
        status.recipient_id.as_ref().unwrap().as_str(),
        "16505551234"
    );
    let pricing = status.pricing.as_ref().unwrap();
    assert_eq!(pricing.billable, Some(true));
    assert_eq!(pricing.pricing_model, Some(PricingModel::Pmp));
    assert_eq!(pricing.kind, Some(PricingType::Regular));
    assert_eq!(pricing.category, Some(PricingCategory::Marketing));
    assert_eq!(events[0].type_str().as_deref(), Some("delivered"));

    let ChangeValue::Messages(value) = &payload.entry[0].changes[0].value else {
        panic!()
    };
    let contact = value.contacts[0].user();
    assert_eq!(contact.phone.as_ref().unwrap().as_str(), "16505551234");
    assert_eq!(
        contact.user_id.as_ref().unwrap().as_str(),
        "user.9373795779eb6441c8adb2eaee5b848e7dd174ddd302d7db62142f4722d574b6"
    );
    assert_eq!(contact.username.as_deref(), Some("@pablomorales"));
    assert_eq!(
        value.contacts[0]
            .profile
            .as_ref()
            .unwrap()
            .country_code
            .as_deref(),
        Some("US")
    );
    assert!(contact.matches(&status.recipient()));
}

#[test]
fn errors_webhook() {
    let payload = load("webhook_errors__130429_rate_limit_hit.json");
    let events: Vec<_> = payload.events().collect();
    assert_eq!(events.len(), 1);
    let Event::Error(event) = events[0] else {
        panic!("{:?}", events[0])
    };
    assert_eq!(event.error.code, Some(130_429));
    assert_eq!(event.error.title.as_deref(), Some("Rate limit hit"));
    assert_eq!(event.error.message.as_deref(), Some("Rate limit hit"));
    assert!(
        event
            .error
            .details
            .as_deref()
            .unwrap()
            .starts_with("Message failed to send because there were too many messages")
    );
    assert_eq!(
        event.error.href.as_deref(),
        Some("/documentation/business-messaging/whatsapp/support/error-codes")
    );
    assert_eq!(events[0].kind(), "error");
    assert_eq!(events[0].type_str().as_deref(), Some("130429"));
}

#[test]
fn graph_error_bodies_are_not_webhooks() {
    for name in [
        "error__190_invalid_oauth_token.json",
        "error__80007_waba_rate_limit.json",
    ] {
        let bytes = std::fs::read(data_dir().join(name)).unwrap();
        let err = WebhookPayload::from_slice(&bytes).unwrap_err();
        assert!(
            err.to_string().contains("Graph API error body"),
            "{name}: {err}"
        );
    }
}

/// The 16 incoming-webhook examples of Meta's OpenAPI spec (`POST /whatsapp/webhooks`),
/// extracted to `tests/data/webhook/spec/`.
#[test]
fn every_spec_webhook_example_parses_into_typed_events() {
    use sehat_whatsapp::webhook::{GroupEventKind, SystemEventKind};

    let dir = data_dir().join("spec");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let payload = WebhookPayload::from_slice(&std::fs::read(&path).unwrap())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        seen += 1;
        let events: Vec<_> = payload.events().collect();
        assert_eq!(events.len(), 1, "{name}");
        match events[0] {
            Event::Message(m) => {
                assert!(
                    !matches!(m.message.content, MessageContent::Unknown { .. }),
                    "{name}: {:?}",
                    m.message.content
                );
                assert!(m.message.id.is_some(), "{name}");
            }
            Event::Group(g) => {
                assert!(
                    !matches!(g.group.kind, Some(GroupEventKind::Other(_)) | None),
                    "{name}"
                );
                assert!(g.group.group_id.is_some(), "{name}");
            }
            other => panic!("{name}: unexpected {other:?}"),
        }
    }
    assert_eq!(seen, 16);

    let order =
        WebhookPayload::from_slice(&std::fs::read(dir.join("order.json")).unwrap()).unwrap();
    let Some(Event::Message(m)) = order.events().next() else {
        panic!()
    };
    let MessageContent::Order(o) = &m.message.content else {
        panic!()
    };
    assert_eq!(o.catalog_id.as_deref(), Some("194836987003835"));
    assert_eq!(o.product_items.len(), 2);
    assert_eq!(o.product_items[0].quantity, Some(2.0));
    assert_eq!(o.product_items[0].item_price, Some(30.0));

    let system =
        WebhookPayload::from_slice(&std::fs::read(dir.join("system.json")).unwrap()).unwrap();
    let Some(Event::Message(m)) = system.events().next() else {
        panic!()
    };
    let MessageContent::System(s) = &m.message.content else {
        panic!()
    };
    assert_eq!(s.kind, Some(SystemEventKind::UserChangedNumber));
    assert_eq!(s.wa_id.as_ref().unwrap().as_str(), "12195555358");

    // The spec writes participants' numbers as JSON numbers: read as text, not rejected.
    let removed = WebhookPayload::from_slice(
        &std::fs::read(dir.join("group_remove_participants.json")).unwrap(),
    )
    .unwrap();
    let Some(Event::Group(g)) = removed.events().next() else {
        panic!()
    };
    assert_eq!(g.origin.field(), "group_participants_update");
    let numbers: Vec<_> = g
        .group
        .removed_participants
        .iter()
        .map(|p| p.wa_id.as_ref().unwrap().as_str().to_owned())
        .collect();
    assert_eq!(numbers, ["16505551234", "16505551235"]);

    let inquiry = WebhookPayload::from_slice(
        &std::fs::read(dir.join("text_message_with_context_product_inquiry.json")).unwrap(),
    )
    .unwrap();
    let Some(Event::Message(m)) = inquiry.events().next() else {
        panic!()
    };
    let product = m
        .message
        .context
        .as_ref()
        .unwrap()
        .referred_product
        .as_ref()
        .unwrap();
    assert_eq!(product["product_retailer_id"], "di9ozbzfi4");
}
