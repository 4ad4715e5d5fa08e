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
                    "statuses": [status(outcome, kind)]
                },
                "field": "messages"
            }]
        }]
    })
}

/// Posts `sent` then `delivered` and `read` (or `sent` then `failed`) to the callback, when
/// one is configured, one after the other so they arrive in order.
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
            state.lock().posted.push((body, signature, status));
        }
    });
}
