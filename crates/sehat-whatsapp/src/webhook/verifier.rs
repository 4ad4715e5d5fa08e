//! The front door: verify the signature, then parse.

use super::payload::{ParseError, WebhookPayload};
use super::signature::{AppSecret, Keys, SIGNATURE_HEADER, SignatureError};

/// Why a webhook POST was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WebhookError {
    /// The signature check failed (reply 401 or 403; do not process the body).
    #[error(transparent)]
    Signature(#[from] SignatureError),
    /// The body is larger than the verifier accepts.
    #[error("webhook body of {len} bytes exceeds the limit of {max} bytes")]
    TooLarge {
        /// The body's length.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// The signature is valid but the body is not a webhook.
    #[error(transparent)]
    Parse(#[from] ParseError),
}

impl WebhookError {
    /// Whether the request was refused for its signature (as opposed to its body).
    #[must_use]
    pub fn is_signature(&self) -> bool {
        matches!(self, Self::Signature(_))
    }
}

/// Verifies webhook signatures under one or more app secrets, then parses the body.
///
/// Build it once and share it (it is cheap to clone). Several secrets support rotation:
/// a body signed under any of them is accepted. Empty secrets are ignored, and with no
/// usable secret every request is refused.
///
/// # Examples
///
/// ```
/// use sehat_whatsapp::webhook::{sign_payload, Event, WebhookVerifier};
///
/// let verifier = WebhookVerifier::new(["old-app-secret", "new-app-secret"]);
/// let body = br#"{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[
///   {"field":"messages","value":{"statuses":[{"id":"wamid.A","status":"read",
///    "timestamp":"1750000000","recipient_id":"6281234567890"}]}}]}]}"#;
/// let header = sign_payload(b"new-app-secret", body);
///
/// let payload = verifier.verify_and_parse(body, Some(&header))?;
/// for event in payload.events() {
///     if let Event::Status(s) = event {
///         assert_eq!(s.status.status_str(), "read");
///     }
/// }
/// assert!(verifier.verify_and_parse(body, None).is_err());
/// # Ok::<(), sehat_whatsapp::webhook::WebhookError>(())
/// ```
#[derive(Debug, Clone)]
pub struct WebhookVerifier {
    keys: Keys,
    max_body_len: usize,
}

impl WebhookVerifier {
    /// The default body-size limit: 3 MiB (Meta's payloads are a few KiB).
    pub const DEFAULT_MAX_BODY_LEN: usize = 3 * 1024 * 1024;

    /// A verifier accepting signatures under any of `app_secrets`.
    #[must_use]
    pub fn new<I, S>(app_secrets: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<AppSecret>,
    {
        Self {
            keys: Keys::new(app_secrets.into_iter().map(Into::into)),
            max_body_len: Self::DEFAULT_MAX_BODY_LEN,
        }
    }

    /// Sets the largest body accepted, in bytes.
    #[must_use]
    pub fn max_body_len(mut self, max: usize) -> Self {
        self.max_body_len = max;
        self
    }

    /// How many usable app secrets the verifier holds.
    #[must_use]
    pub fn secret_count(&self) -> usize {
        self.keys.len()
    }

    /// Checks the `X-Hub-Signature-256` header value against the raw body.
    ///
    /// # Errors
    ///
    /// See [`SignatureError`].
    ///
    /// # Examples
    ///
    /// ```
    /// use sehat_whatsapp::webhook::{sign_payload, WebhookVerifier};
    ///
    /// let verifier = WebhookVerifier::new(["s"]);
    /// assert!(verifier.verify(b"{}", Some(&sign_payload(b"s", b"{}"))).is_ok());
    /// assert!(verifier.verify(b"{ }", Some(&sign_payload(b"s", b"{}"))).is_err());
    /// ```
    pub fn verify(&self, body: &[u8], signature: Option<&str>) -> Result<(), SignatureError> {
        self.keys.verify(body, signature)
    }

    /// Checks the body size and the signature, then parses the body: the one entry point
    /// for webhook POSTs, so nothing is parsed before it is verified.
    ///
    /// # Errors
    ///
    /// [`WebhookError::TooLarge`], then [`WebhookError::Signature`], then
    /// [`WebhookError::Parse`].
    ///
    /// # Examples
    ///
    /// See [`WebhookVerifier`].
    pub fn verify_and_parse(
        &self,
        body: &[u8],
        signature: Option<&str>,
    ) -> Result<WebhookPayload, WebhookError> {
        if body.len() > self.max_body_len {
            return Err(WebhookError::TooLarge {
                len: body.len(),
                max: self.max_body_len,
            });
        }
        self.verify(body, signature)?;
        Ok(WebhookPayload::from_slice(body)?)
    }

    /// [`verify_and_parse`](Self::verify_and_parse) with the signature read from request
    /// headers (a header that is not visible ASCII counts as malformed).
    ///
    /// # Errors
    ///
    /// As for [`verify_and_parse`](Self::verify_and_parse).
    ///
    /// # Examples
    ///
    /// ```
    /// use http::HeaderMap;
    /// use sehat_whatsapp::webhook::{sign_payload, WebhookVerifier, SIGNATURE_HEADER};
    ///
    /// let body = br#"{"object":"whatsapp_business_account","entry":[]}"#;
    /// let mut headers = HeaderMap::new();
    /// headers.insert(SIGNATURE_HEADER, sign_payload(b"s", body).parse()?);
    /// let payload = WebhookVerifier::new(["s"]).verify_and_parse_headers(&headers, body)?;
    /// assert!(payload.entry.is_empty());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn verify_and_parse_headers(
        &self,
        headers: &http::HeaderMap,
        body: &[u8],
    ) -> Result<WebhookPayload, WebhookError> {
        match headers.get(SIGNATURE_HEADER).map(|v| v.to_str()) {
            Some(Err(_)) => Err(SignatureError::Malformed.into()),
            Some(Ok(value)) => self.verify_and_parse(body, Some(value)),
            None => self.verify_and_parse(body, None),
        }
    }
}
