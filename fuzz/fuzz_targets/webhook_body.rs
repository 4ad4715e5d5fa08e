//! Webhook POST bodies: `WebhookVerifier::verify_and_parse` with a fixed app secret, then a
//! walk over every event. See `webhook_structured` for the structure-aware variant.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../common/webhook.rs"]
mod webhook;

fuzz_target!(|data: &[u8]| webhook::check(data));
