//! `X-Hub-Signature-256`: HMAC-SHA256 of the raw request body under the app secret.

use hmac::digest::KeyInit;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

/// SHA-256's block size: HMAC keys are zero-padded (or first hashed) to this length.
const BLOCK: usize = 64;

/// Computes the `X-Hub-Signature-256` header value (`sha256=<lowercase hex>`) that Meta sends
/// with a webhook body signed under `app_secret`.
///
/// Useful for tests and for the mock Graph API, which signs the webhooks it posts.
///
/// # Examples
///
/// ```
/// let header = sehat_whatsapp::webhook::sign_payload(b"secret", b"{}");
/// assert!(header.starts_with("sha256="));
/// assert_eq!(header.len(), "sha256=".len() + 64);
/// ```
#[must_use]
pub fn sign_payload(app_secret: &[u8], body: &[u8]) -> String {
    // RFC 2104: a key longer than the block is hashed first, a shorter one is zero-padded.
    // Doing that here gives the infallible fixed-size constructor the exact same MAC.
    let mut key = [0u8; BLOCK];
    if app_secret.len() > BLOCK {
        key[..32].copy_from_slice(&Sha256::digest(app_secret));
    } else {
        key[..app_secret.len()].copy_from_slice(app_secret);
    }
    let mut mac = <Hmac<Sha256> as KeyInit>::new(&key.into());
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}
