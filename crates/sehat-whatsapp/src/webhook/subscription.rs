//! The GET verification handshake Meta sends when a callback URL is saved.

use serde::Deserialize;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// The query of the verification GET: `hub.mode`, `hub.verify_token`, `hub.challenge`.
///
/// Deserializes from a query string (for example with axum's `Query`), or parse one with
/// [`from_query`](Self::from_query).
#[derive(Clone, Default, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct SubscriptionQuery {
    /// `hub.mode`: `subscribe`.
    #[serde(rename = "hub.mode", default)]
    pub mode: Option<String>,
    /// `hub.verify_token`: the token you entered in the app dashboard.
    #[serde(rename = "hub.verify_token", default)]
    pub verify_token: Option<String>,
    /// `hub.challenge`: what to echo back.
    #[serde(rename = "hub.challenge", default)]
    pub challenge: Option<String>,
}

crate::redact::masked_debug!(SubscriptionQuery {
    mode: shown,
    verify_token: hidden,
    challenge: shown,
});

impl SubscriptionQuery {
    /// Reads the three parameters from a raw query string (without the `?`); other
    /// parameters are ignored, a repeated one keeps its first value.
    ///
    /// # Examples
    ///
    /// ```
    /// use sehat_whatsapp::webhook::SubscriptionQuery;
    ///
    /// let q = SubscriptionQuery::from_query("hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=s%20t");
    /// assert_eq!(q.mode.as_deref(), Some("subscribe"));
    /// assert_eq!(q.verify_token.as_deref(), Some("s t"));
    /// ```
    #[must_use]
    pub fn from_query(query: &str) -> Self {
        let mut out = Self::default();
        for (key, value) in url::form_urlencoded::parse(query.as_bytes()) {
            let slot = match key.as_ref() {
                "hub.mode" => &mut out.mode,
                "hub.verify_token" => &mut out.verify_token,
                "hub.challenge" => &mut out.challenge,
                _ => continue,
            };
            if slot.is_none() {
                *slot = Some(value.into_owned());
            }
        }
        out
    }

    /// [`verify_subscription`] on this query.
    ///
    /// # Errors
    ///
    /// See [`verify_subscription`].
    ///
    /// # Examples
    ///
    /// ```
    /// use sehat_whatsapp::webhook::SubscriptionQuery;
    ///
    /// let q = SubscriptionQuery::from_query("hub.mode=subscribe&hub.challenge=42&hub.verify_token=t");
    /// assert_eq!(q.verify("t"), Ok("42"));
    /// ```
    pub fn verify(&self, expected_token: &str) -> Result<&str, SubscriptionError> {
        verify_subscription(
            self.mode.as_deref(),
            self.verify_token.as_deref(),
            self.challenge.as_deref(),
            expected_token,
        )
    }
}

/// Why a verification GET was refused (reply 403).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SubscriptionError {
    /// `hub.mode` is missing or not `subscribe`.
    #[error("hub.mode is not `subscribe`")]
    WrongMode,
    /// `hub.verify_token` is missing or does not match.
    #[error("hub.verify_token does not match")]
    TokenMismatch,
    /// `hub.challenge` is missing.
    #[error("hub.challenge is missing")]
    MissingChallenge,
    /// The expected token is empty, so no request can be accepted.
    #[error("no verify token is configured; every handshake is refused")]
    NoExpectedToken,
}

/// Answers Meta's verification GET: checks that `hub.mode` is `subscribe` and that
/// `hub.verify_token` equals `expected_token` (compared in constant time, lengths
/// included: both are hashed with SHA-256 and the digests compared), and returns the
/// challenge to send back as a 200 plain-text body. On error, reply 403.
///
/// The GET carries no signature header; do not require one.
///
/// # Errors
///
/// See [`SubscriptionError`]; an empty `expected_token` refuses every request.
///
/// # Examples
///
/// ```
/// use sehat_whatsapp::webhook::{verify_subscription, SubscriptionError};
///
/// let ok = verify_subscription(Some("subscribe"), Some("posyandu"), Some("1158201444"), "posyandu");
/// assert_eq!(ok, Ok("1158201444"));
/// let bad = verify_subscription(Some("subscribe"), Some("guess"), Some("1"), "posyandu");
/// assert_eq!(bad, Err(SubscriptionError::TokenMismatch));
/// ```
pub fn verify_subscription<'c>(
    mode: Option<&str>,
    verify_token: Option<&str>,
    challenge: Option<&'c str>,
    expected_token: &str,
) -> Result<&'c str, SubscriptionError> {
    if expected_token.is_empty() {
        return Err(SubscriptionError::NoExpectedToken);
    }
    if mode != Some("subscribe") {
        return Err(SubscriptionError::WrongMode);
    }
    let token = verify_token.ok_or(SubscriptionError::TokenMismatch)?;
    if !tokens_match(token, expected_token) {
        return Err(SubscriptionError::TokenMismatch);
    }
    challenge.ok_or(SubscriptionError::MissingChallenge)
}

/// Whether two tokens are equal, in time that does not depend on where they differ nor
/// on whether their lengths match.
///
/// Both are hashed with SHA-256 and the two digests compared with `subtle`'s
/// constant-time equality: comparing the tokens themselves would have to stop (or branch)
/// on a length mismatch, which tells a caller the expected token's length. Hashing takes
/// time proportional to each token's length in 64-byte blocks: for the received token
/// that is what the caller sent, and for the expected token it is the same on every
/// request, so no guess changes it. Equal digests mean equal tokens (a SHA-256 collision
/// is not a practical concern).
fn tokens_match(received: &str, expected: &str) -> bool {
    let received = Sha256::digest(received.as_bytes());
    let expected = Sha256::digest(expected.as_bytes());
    bool::from(received.as_slice().ct_eq(expected.as_slice()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_match_exactly_whatever_their_lengths() {
        assert!(tokens_match("posyandu", "posyandu"));
        assert!(!tokens_match("posyandu", "posyandu2"));
        assert!(!tokens_match("posyandu2", "posyandu"));
        assert!(!tokens_match("", "posyandu"));
        assert!(!tokens_match("Posyandu", "posyandu"));
        let long = "x".repeat(10_000);
        assert!(tokens_match(&long, &long));
        assert!(!tokens_match(&long, &long[1..]));
        assert_eq!(
            verify_subscription(Some("subscribe"), Some("posyandu-"), Some("1"), "posyandu"),
            Err(SubscriptionError::TokenMismatch)
        );
        assert_eq!(
            verify_subscription(Some("subscribe"), Some(""), Some("1"), "posyandu"),
            Err(SubscriptionError::TokenMismatch)
        );
    }
}
