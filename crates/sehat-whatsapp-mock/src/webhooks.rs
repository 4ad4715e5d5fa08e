//! Status webhooks the mock posts, built and signed as Meta does.

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use secrecy::ExposeSecret;
use serde_json::{Value, json};

use super::MockGraphApi;
use super::state::State;

pub(crate) enum Recipient {
    Phone(String),
    User(String),
}

/// What became of an accepted message.
pub(crate) struct Outcome {
    pub wamid: String,
    pub recipient: Recipient,
    pub phone_number_id: String,
    pub callback_data: Option<String>,
    /// The template's category in lowercase, for template messages.
    pub template_category: Option<String>,
    /// A delivery failure to report instead of delivery.
    pub failure: Option<i64>,
    /// A reaction: Meta reports only `sent` for one, never `delivered` or `read`.
    pub reaction: bool,
}

fn now() -> String {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
        .to_string()
}

fn failure_details(code: i64) -> (&'static str, &'static str) {
    match code {
        131026 => ("Message undeliverable", "Message Undeliverable."),
        131047 => (
            "Re-engagement message",
            "Message failed to send because more than 24 hours have passed since the customer last replied to this number.",
        ),
        131049 => (
            "This message was not delivered to maintain healthy ecosystem engagement.",
            "In order to maintain a healthy ecosystem engagement, the message failed to be delivered.",
        ),
        131050 => (
            "Unable to deliver the message. This recipient has chosen to stop receiving marketing messages on WhatsApp from your business",
            "Unable to deliver the message. This recipient has chosen to stop receiving marketing messages on WhatsApp from your business.",
        ),
        _ => ("Message failed", "Message failed to send."),
    }
}

/// One `statuses[]` entry.
fn status(outcome: &Outcome, kind: &str) -> Value {
    let mut status = json!({
        "id": outcome.wamid,
        "status": kind,
        "timestamp": now(),
    });
    match &outcome.recipient {
        Recipient::Phone(number) => status["recipient_id"] = number.clone().into(),
        Recipient::User(user) => {
            status["recipient_id"] = "".into();
            status["recipient_user_id"] = user.clone().into();
        }
    }
    if let Some(data) = &outcome.callback_data {
        status["biz_opaque_callback_data"] = data.clone().into();
    }
    if matches!(kind, "sent" | "delivered") {
        status["pricing"] = match &outcome.template_category {
            Some(category) => json!({
                "billable": true,
                "pricing_model": "PMP",
                "type": "regular",
                "category": category
            }),
            None => json!({
                "billable": false,
                "pricing_model": "PMP",
                "type": "free_customer_service",
                "category": "service"
            }),
        };
    }
    if kind == "failed" {
        let code = outcome.failure.unwrap_or(131000);
        let (title, details) = failure_details(code);
        status["errors"] = json!([{
            "code": code,
            "title": title,
            "message": title,
            "error_data": { "details": details },
            "href": "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/"
        }]);
    }
    status
}

/// The ISO 3166 region a business-scoped user id starts with, for a number's calling code
/// (the regions the mock knows; `XX`, "unknown", for the rest).
fn region_of(wa_id: &str) -> &'static str {
    const CODES: [(&str, &str); 16] = [
        ("1", "US"),
        ("27", "ZA"),
        ("44", "GB"),
        ("49", "DE"),
        ("52", "MX"),
        ("55", "BR"),
        ("60", "MY"),
        ("61", "AU"),
        ("62", "ID"),
        ("63", "PH"),
        ("65", "SG"),
        ("66", "TH"),
        ("84", "VN"),
        ("91", "IN"),
        ("234", "NG"),
        ("880", "BD"),
    ];
    CODES
        .iter()
        .filter(|(code, _)| wa_id.starts_with(code))
        .max_by_key(|(code, _)| code.len())
        .map_or("XX", |(_, region)| region)
}

/// The business-scoped user id the mock gives the owner of a number: the region, a dot and
/// 16 digits from a hash of the number, so the same number always has the same id (the
/// shape of Meta's BSUIDs, `ID.1349872046152373`).
pub(crate) fn user_id_for(wa_id: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(format!("sehat-mock-bsuid:{wa_id}").as_bytes());
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    let number = 1_000_000_000_000_000 + u64::from_be_bytes(first) % 9_000_000_000_000_000;
    format!("{}.{number}", region_of(wa_id))
}

/// The `contacts[]` entry of a status webhook, as Meta sends it since business-scoped user
/// ids: the number and the user id for a number, the user id alone for a user id.
fn contact(recipient: &Recipient) -> Value {
    match recipient {
        Recipient::Phone(number) => json!({ "wa_id": number, "user_id": user_id_for(number) }),
        Recipient::User(user) => json!({ "user_id": user }),
    }
}

/// The whole webhook body for one status.
pub(crate) fn payload(outcome: &Outcome, kind: &str) -> Value {
    json!({
        "object": "whatsapp_business_account",
        "entry": [{
            "id": MockGraphApi::WABA_ID,
            "changes": [{
                "value": {
                    "messaging_product": "whatsapp",
                    "metadata": {
                        "display_phone_number": MockGraphApi::DISPLAY_PHONE_NUMBER,
                        "phone_number_id": outcome.phone_number_id
                    },
                    "contacts": [contact(&outcome.recipient)],
                    "statuses": [status(outcome, kind)]
                },
                "field": "messages"
            }]
        }]
    })
}

/// Posts `sent` then `delivered` and `read` (or `sent` then `failed`; only `sent` for a
/// reaction) to the callback, when one is configured, one after the other so they arrive in
/// order.
pub(crate) fn spawn_statuses(state: &Arc<State>, outcome: Outcome) {
    let Some((url, secret)) = state
        .webhooks
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .clone()
    else {
        return;
    };
    let state = state.clone();
    tokio::spawn(async move {
        let kinds: &[&str] = if outcome.failure.is_some() {
            &["sent", "failed"]
        } else if outcome.reaction {
            // "When sending a reaction message, only a sent message webhook will be
            // triggered; delivered and read message webhooks will not be triggered."
            // (Meta, Cloud API reference, reaction messages.)
            &["sent"]
        } else {
            &["sent", "delivered", "read"]
        };
        for kind in kinds {
            let body = Bytes::from(payload(&outcome, kind).to_string());
            let signature = crate::webhook::sign_payload(secret.expose_secret().as_bytes(), &body);
            let answer = state
                .http
                .post(&url)
                .header("content-type", "application/json")
                .header("x-hub-signature-256", &signature)
                .body(body.clone())
                .send()
                .await;
            let status = match answer {
                Ok(response) => response.status().as_u16(),
                Err(error) => {
                    tracing::warn!(%error, "mock could not post a status webhook");
                    0
                }
            };
            if state.recording() {
                state.lock().posted.push((body, signature, status));
            }
        }
    });
}
