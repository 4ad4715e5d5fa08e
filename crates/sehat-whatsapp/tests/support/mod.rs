//! The wiremock client and Graph API answers the client tests share.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use serde_json::json;
use wiremock::{MockServer, ResponseTemplate};

use sehat_whatsapp::Client;
use sehat_whatsapp::retry::RetryPolicy;

/// The business phone-number id the tests send from.
pub const PHONE: &str = "106540352242922";

/// The path of the send endpoint of [`PHONE`].
pub fn messages_path() -> String {
    format!("/v26.0/{PHONE}/messages")
}

/// A client of `server` with the token `test-token`, no pacing and retries 1 ms apart.
pub fn client(server: &MockServer) -> Client {
    Client::builder("test-token")
        .base_url(server.uri())
        .no_pacing()
        .retry(RetryPolicy::default().base_delay(Duration::from_millis(1)))
        .build()
        .unwrap()
}

/// Meta's answer to a send: one contact and the message id `wamid.OK`.
pub fn sent() -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({"messaging_product":"whatsapp","contacts":[{"input":"6281234567890","wa_id":"6281234567890"}],"messages":[{"id":"wamid.OK"}]}))
}

/// A Graph API error answer with `code`, under HTTP `status`.
pub fn graph_error(status: u16, code: i64) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(json!({"error": {"message": format!("(#{code}) x"), "type": "OAuthException", "code": code, "fbtrace_id": "Atrace"}}))
}
