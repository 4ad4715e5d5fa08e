//! Webhooks: the GET verification handshake, `X-Hub-Signature-256` verification and typed
//! events.

mod signature;

pub use signature::sign_payload;
