//! The client's error type.

use std::time::Duration;

use crate::error::ApiError;

/// Everything a client call can fail with.
///
/// The variants separate what matters for retrying: [`Error::Api`] is an answer from Meta
/// (branch on [`ApiError::kind`] and [`ApiError::retry_class`]); [`Error::NotSent`] means
/// the request never left, so sending again is safe; [`Error::OutcomeUnknown`] means it may
/// have been delivered — no answer came, or a server in between (a proxy's 502 or 504)
/// answered for Meta — so a send must not be repeated blindly.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The Graph API answered with an error body.
    #[error("HTTP {status}: {error}")]
    Api {
        /// The HTTP status (informational: branch on the code).
        status: u16,
        /// The parsed error.
        error: Box<ApiError>,
        /// How long Meta asks to wait (`Retry-After`, or the usage header's
        /// `estimated_time_to_regain_access`), when it says.
        retry_after: Option<Duration>,
    },
    /// The server answered with an error status and a body that is not a Graph error: a
    /// 429 from a proxy on any request (it was refused, not processed), or a 4xx or 5xx
    /// on a request that can be repeated. (A send answered 5xx without a Graph error is
    /// [`Error::OutcomeUnknown`].)
    #[error("HTTP {status} with a body that is not a Graph API error: {body}")]
    Http {
        /// The HTTP status.
        status: u16,
        /// The start of the body (at most 1 KiB), numbers and message ids masked.
        body: String,
        /// How long the server asks to wait (`Retry-After`, in seconds or as an HTTP
        /// date), when it says.
        retry_after: Option<Duration>,
    },
    /// The request could not be sent (connection refused, DNS, TLS): nothing reached Meta.
    #[error("request not sent: {0}")]
    NotSent(#[source] reqwest::Error),
    /// The request left but no answer from Meta came (timeout, connection reset, or a
    /// server in between answering 5xx without a Graph error): the operation may or may
    /// not have happened. Sends are never repeated after this.
    #[error("outcome unknown (the request was sent and no answer from Meta arrived): {0}")]
    OutcomeUnknown(#[source] Unanswered),
    /// A success response did not have the expected shape.
    #[error("unexpected response body from {endpoint}: {reason}; body starts with {body:?}")]
    Decode {
        /// The endpoint, such as `POST /{phone-number-id}/messages`.
        endpoint: &'static str,
        /// The start of the body (at most 1 KiB), numbers and message ids masked.
        body: String,
        /// Where and why parsing failed: the JSON parser's message, which can quote a
        /// value, with numbers and message ids masked the same way.
        reason: String,
    },
    /// A message failed a local check before any request.
    #[error(transparent)]
    Build(#[from] crate::message::BuildError),
    /// A template message does not fit its template.
    #[error(transparent)]
    Template(#[from] crate::template::TemplateCheckError),
    /// Writing a download or reading an upload failed.
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
    /// A downloaded media file did not match the size or checksum the API announced, or
    /// exceeded the size limit.
    #[error("media integrity check failed: {0}")]
    Integrity(String),
    /// The API answered `{"success": false}`.
    #[error("{endpoint} answered success: false")]
    Unsuccessful {
        /// The endpoint.
        endpoint: &'static str,
    },
    /// The configured base URL cannot be used.
    #[error("invalid base URL {url:?}: {reason}")]
    BaseUrl {
        /// The URL given.
        url: String,
        /// Why it cannot be used.
        reason: String,
    },
}

/// Why the outcome of a request is unknown ([`Error::OutcomeUnknown`]).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Unanswered {
    /// The connection failed or timed out after the request left.
    #[error(transparent)]
    Transport(#[from] reqwest::Error),
    /// A server between the client and Meta (a proxy, a load balancer) answered with a
    /// 5xx status and no Graph API error body, such as a 502 or 504 after Meta's answer
    /// was lost: the request may have reached Meta and been carried out.
    #[error("HTTP {status} without a Graph API error body: {body}")]
    Gateway {
        /// The HTTP status.
        status: u16,
        /// The start of the body (at most 1 KiB), numbers and message ids masked.
        body: String,
    },
}

impl Error {
    /// The Graph API error, when the API answered with one.
    #[must_use]
    pub fn api_error(&self) -> Option<&ApiError> {
        match self {
            Self::Api { error, .. } => Some(error),
            _ => None,
        }
    }

    /// Whether a send that failed with this error is known not to have produced a
    /// message, so sending again cannot duplicate it.
    #[must_use]
    pub fn is_known_unsent(&self) -> bool {
        !matches!(self, Self::OutcomeUnknown(_))
    }
}

/// An [`Error::Decode`] for `body` from `endpoint`, with `reason` masked like the body.
pub(crate) fn decode_error(
    endpoint: &'static str,
    body: &[u8],
    reason: impl std::fmt::Display,
) -> Error {
    Error::Decode {
        endpoint,
        body: snippet(body),
        reason: crate::redact::mask_identifiers(&reason.to_string()),
    }
}

/// Truncates a body for an error message, on a character boundary, and masks what could
/// identify a user: a run of seven or more digits (a phone number or `wa_id`) keeps its
/// first four and last two digits, and a message id keeps only its `wamid.` prefix (a
/// wamid carries the recipient's number in base64).
pub(crate) fn snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let mut end = text.len().min(1024);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    crate::redact::mask_identifiers(&text[..end])
}

#[cfg(test)]
mod tests {
    use super::{Error, decode_error, snippet};

    #[test]
    fn decode_errors_mask_what_the_parser_quotes() {
        let body = br#"{"messaging_product":"whatsapp","contacts":[{"wa_id":6281234567890}]}"#;
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct Contact {
            wa_id: String,
        }
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct Answer {
            contacts: Vec<Contact>,
        }
        let source = serde_json::from_slice::<Answer>(body).unwrap_err();
        assert!(source.to_string().contains("6281234567890"), "{source}");
        let error = decode_error("POST /{phone-number-id}/messages", body, source);
        let text = error.to_string();
        assert!(!text.contains("6281234567890"), "{text}");
        assert!(text.contains("6281*******90"), "{text}");
        assert!(matches!(error, Error::Decode { .. }));
    }

    #[test]
    fn snippets_mask_numbers_and_message_ids() {
        let body = br#"{"contacts":[{"input":"+62 812-3456-7890","wa_id":"6281234567890"}],"messages":[{"id":"wamid.HBgNNjI4MTIzNDU2Nzg5MBUCABIYFjNF=="}],"code":131026}"#;
        let text = snippet(body);
        assert!(!text.contains("6281234567890"), "{text}");
        assert!(!text.contains("HBgN"), "{text}");
        assert!(text.contains(r#""wa_id":"6281*******90""#), "{text}");
        assert!(text.contains(r#""id":"wamid.…""#), "{text}");
        assert!(text.contains(r#""input":"+62 81*-****-**90""#), "{text}");
        // Short numbers (codes, counts) stay as they are.
        assert!(text.contains(r#""code":131026"#), "{text}");
    }
}
