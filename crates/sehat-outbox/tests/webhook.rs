//! Webhook intake after real sends: statuses, 131050 in a status, replies.

#![allow(clippy::expect_used, clippy::unwrap_used)]

mod support;

use std::sync::{Arc, Mutex};

use sehat_outbox::dispatch::{Dispatcher, RunMode, Transport};
use sehat_outbox::model::{ConsentAction, ConsentPolicy, MessageKey, Purpose, State};
use sehat_outbox::webhook::{InboxEvent, ReplyKind};
use sehat_pseudonym::{PhoneNumber, Region};
use sehat_whatsapp::PhoneNumberApi;
use sehat_whatsapp::ids::PhoneNumberId;
use sehat_whatsapp::message::Message;
use sehat_whatsapp::webhook::WebhookPayload;
use serde_json::json;
use support::harness::{DAY, Harness, NUMBER_ID, never, reminder};

/// Keeps the wamid of every accepted send, in order.
#[derive(Clone)]
struct Wamids {
    inner: PhoneNumberApi,
    ids: Arc<Mutex<Vec<String>>>,
}

impl Transport for Wamids {
    fn business_number(&self) -> &PhoneNumberId {
        self.inner.id()
    }

    async fn send(
        &self,
        message: &Message,
    ) -> Result<sehat_whatsapp::SendReceipt, sehat_whatsapp::Error> {
        let receipt = self.inner.send_unpaced(message).await?;
        if let Some(id) = receipt.message_id() {
            self.ids.lock().expect("lock").push(id.as_str().to_owned());
        }
        Ok(receipt)
    }
}

fn payload(value: serde_json::Value) -> WebhookPayload {
    let body = json!({"object": "whatsapp_business_account", "entry": [{"id": "102290129340398", "changes": [{"field": "messages", "value": value}]}]});
    WebhookPayload::from_slice(body.to_string().as_bytes()).expect("payload")
}

fn statuses(list: serde_json::Value) -> WebhookPayload {
    payload(json!({
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550783881", "phone_number_id": NUMBER_ID},
        "statuses": list
    }))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn statuses_move_messages_forward_and_replies_reach_the_caller() {
    let h = Harness::new().await;
    h.schedule(&[
        reminder("w/1", "0812-8888-0001"),
        reminder("w/2", "0812-8888-0002"),
    ])
    .await;
    let ids = Arc::new(Mutex::new(Vec::new()));
    let transport = Wamids {
        inner: h.phone.clone(),
        ids: Arc::clone(&ids),
    };
    let report = Dispatcher::new(&h.outbox, transport)
        .no_pacing()
        .concurrency(1)
        .now_at(DAY)
        .run(RunMode::UntilIdle, never())
        .await
        .expect("dispatch");
    assert_eq!(report.sent, 2);
    let ids = ids.lock().expect("lock").clone();
    assert_eq!(ids.len(), 2);
    // Which wamid belongs to which key: the store finds them by MAC.
    let store = h.outbox.store();
    use sehat_outbox::store::Store as _;
    let first = store
        .find_by_wamid(&h.outbox.keys().wamid_mac(&ids[0]))
        .await
        .expect("find")
        .expect("known");
    let (one, two) = if first.key.as_str() == "w/1" {
        (&ids[0], &ids[1])
    } else {
        (&ids[1], &ids[0])
    };
    let t = DAY.unix_timestamp();
    let r = h
        .outbox
        .apply_webhook(
            &statuses(json!([
                {"id": one, "status": "delivered", "timestamp": (t + 5).to_string(), "recipient_id": "6281288880001"},
                {"id": one, "status": "read", "timestamp": (t + 9).to_string(), "recipient_id": "6281288880001"},
                {"id": one, "status": "delivered", "timestamp": (t + 10).to_string(), "recipient_id": "6281288880001"},
                {"id": two, "status": "failed", "timestamp": (t + 5).to_string(), "recipient_id": "6281288880002",
                 "errors": [{"code": 131050, "title": "User stopped marketing messages"}]},
                {"id": "wamid.unknown", "status": "read", "timestamp": (t + 5).to_string(), "recipient_id": "6281288880003"}
            ])),
            DAY,
        )
        .await
        .expect("apply");
    assert_eq!(h.state("w/1").await, State::Read);
    assert_eq!(h.state("w/2").await, State::Failed);
    assert_eq!(r.unmatched_statuses, 1);
    let policy = ConsentPolicy::default();
    let two_number = PhoneNumber::parse_mobile("0812-8888-0002", Region::ID).expect("n");
    assert!(
        !h.outbox
            .consent_allows(&two_number, Purpose::Reminder, &policy)
            .await
            .expect("c")
    );
    assert!(r.events.iter().any(|e| matches!(
        e,
        InboxEvent::Consent {
            action: ConsentAction::OptOut,
            ..
        }
    )));

    // "Konfirmasi" on the first reminder's quick-reply button names its key.
    let reply = payload(json!({
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550783881", "phone_number_id": NUMBER_ID},
        "contacts": [{"profile": {"name": "Ibu"}, "wa_id": "6281288880001"}],
        "messages": [{"from": "6281288880001", "id": "wamid.reply1", "timestamp": (t + 20).to_string(),
            "type": "button", "context": {"from": "15550783881", "id": one},
            "button": {"payload": "KONFIRMASI", "text": "Konfirmasi"}},
            {"from": "6281288880001", "id": "wamid.reply2", "timestamp": (t + 30).to_string(),
            "type": "interactive", "interactive": {"type": "button_reply", "button_reply": {"id": "ubah", "title": "Ubah jadwal"}}}]
    }));
    let r = h.outbox.apply_webhook(&reply, DAY).await.expect("apply");
    let subject = h
        .outbox
        .keys()
        .subject_of_phone(&PhoneNumber::parse_mobile("0812-8888-0001", Region::ID).expect("n"));
    match &r.events[..] {
        [
            InboxEvent::Reply {
                key: Some(k),
                subject: s1,
                reply: ReplyKind::Confirm,
                ..
            },
            InboxEvent::Reply {
                key: None,
                subject: s2,
                reply: ReplyKind::Reschedule,
                ..
            },
        ] => {
            assert_eq!(k, &MessageKey::new("w/1").expect("key"));
            assert_eq!((s1, s2), (&subject, &subject));
        }
        other => panic!("unexpected events {other:?}"),
    }
}
