//! The client: configuration, the request loop (retries, error decoding, usage headers) and
//! the handles scoped to a phone number and to a WhatsApp Business Account.

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderValue, Method};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use url::Url;

use crate::error::{ApiError, Error, snippet};
use crate::ids::Recipient;
use crate::ids::{PhoneNumberId, WabaId};
use crate::pacing::{Pacer, Pacing, Throttle};
use crate::retry::{Idempotency, RetryPolicy};
use crate::usage::Usage;

/// The Graph API base URL.
pub const DEFAULT_BASE_URL: &str = "https://graph.facebook.com/";

/// A Graph API version.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum GraphVersion {
    /// v23.0 (2025-05-29, available until 2027-10-08); the version of Meta's OpenAPI spec.
    V23,
    /// v24.0 (2025-10-08, until 2028-02-18).
    V24,
    /// v25.0 (2026-02-18, until 2028-07-29).
    V25,
    /// v26.0 (2026-07-29), the current version and the default.
    #[default]
    V26,
    /// Any other version, written as in paths (`v27.0`).
    Custom(String),
}

impl GraphVersion {
    /// The path segment (`v26.0`).
    #[must_use]
    pub fn as_str(&self) -> &str {
        match self {
            Self::V23 => "v23.0",
            Self::V24 => "v24.0",
            Self::V25 => "v25.0",
            Self::V26 => "v26.0",
            Self::Custom(version) => version,
        }
    }
}

impl fmt::Display for GraphVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Builds a [`Client`].
pub struct ClientBuilder {
    token: SecretString,
    version: GraphVersion,
    base_url: String,
    timeout: Duration,
    connect_timeout: Duration,
    retry: RetryPolicy,
    pacing: Option<Pacing>,
    http: Option<reqwest::Client>,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("token", &"[REDACTED]")
            .field("version", &self.version)
            .field("base_url", &self.base_url)
            .field("retry", &self.retry)
            .field("pacing", &self.pacing)
            .finish_non_exhaustive()
    }
}

impl ClientBuilder {
    /// Uses another Graph API version.
    #[must_use]
    pub fn api_version(mut self, version: GraphVersion) -> Self {
        self.version = version;
        self
    }

    /// Uses another base URL (a proxy, or the mock Graph API).
    #[must_use]
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self
    }

    /// The whole-request timeout (30 s by default). A send that times out after the request
    /// left is reported as [`Error::OutcomeUnknown`].
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The connection timeout (10 s by default).
    #[must_use]
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// The retry policy ([`RetryPolicy::default`] unless set).
    #[must_use]
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Paces sends per number and per recipient ([`Pacing::default`] unless set).
    #[must_use]
    pub fn pacing(mut self, pacing: Pacing) -> Self {
        self.pacing = Some(pacing);
        self
    }

    /// Sends without pacing (for callers that pace themselves, or benchmarks).
    #[must_use]
    pub fn no_pacing(mut self) -> Self {
        self.pacing = None;
        self
    }

    /// Uses this reqwest client (its timeouts then apply instead of this builder's).
    #[must_use]
    pub fn http_client(mut self, http: reqwest::Client) -> Self {
        self.http = Some(http);
        self
    }

    /// Builds the client.
    ///
    /// # Errors
    ///
    /// [`Error::BaseUrl`] when the base URL is not an absolute `http(s)` URL, and
    /// [`Error::NotSent`] when the TLS backend cannot be initialized.
    ///
    /// # Examples
    ///
    /// ```
    /// use sehat_whatsapp::{Client, GraphVersion};
    /// let client = Client::builder("EAAG…token")
    ///     .api_version(GraphVersion::V25)
    ///     .base_url("http://127.0.0.1:9")
    ///     .build()?;
    /// assert_eq!(client.api_version(), &GraphVersion::V25);
    /// assert!(!format!("{client:?}").contains("EAAG"));
    /// # Ok::<(), sehat_whatsapp::Error>(())
    /// ```
    pub fn build(self) -> Result<Client, Error> {
        let mut base = Url::parse(&self.base_url).map_err(|e| Error::BaseUrl {
            url: self.base_url.clone(),
            reason: e.to_string(),
        })?;
        if !matches!(base.scheme(), "http" | "https") || base.cannot_be_a_base() {
            return Err(Error::BaseUrl {
                url: self.base_url,
                reason: "not an http(s) URL".into(),
            });
        }
        base.path_segments_mut()
            .map_err(|()| Error::BaseUrl {
                url: self.base_url.clone(),
                reason: "cannot be a base".into(),
            })?
            .pop_if_empty()
            .push(self.version.as_str());
        let http = match self.http {
            Some(http) => http,
            None => reqwest::Client::builder()
                .timeout(self.timeout)
                .connect_timeout(self.connect_timeout)
                .user_agent(concat!("sehat-whatsapp/", env!("CARGO_PKG_VERSION")))
                .build()
                .map_err(Error::NotSent)?,
        };
        let mut auth = HeaderValue::from_str(&format!("Bearer {}", self.token.expose_secret()))
            .map_err(|_| Error::BaseUrl {
                url: self.base_url.clone(),
                reason: "the token is not a valid header value".into(),
            })?;
        auth.set_sensitive(true);
        let throttle = Arc::new(Throttle::new());
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                auth,
                version: self.version,
                base,
                retry: self.retry,
                pacer: self
                    .pacing
                    .map(|pacing| Pacer::with_throttle(pacing, throttle.clone())),
                throttle,
                usage: Mutex::new(None),
                version_warned: AtomicBool::new(false),
            }),
        })
    }
}

/// A Cloud API client. Cheap to clone: clones share the connection pool, the pacer and the
/// configuration.
///
/// ```no_run
/// # async fn run() -> Result<(), sehat_whatsapp::Error> {
/// use sehat_whatsapp::Client;
/// use sehat_whatsapp::ids::{PhoneNumberId, WaId};
/// use sehat_whatsapp::message::{Message, Text};
///
/// let client = Client::builder(std::env::var("WHATSAPP_TOKEN").unwrap_or_default()).build()?;
/// let phone = client.phone(PhoneNumberId::new("106540352242922"));
/// let to = WaId::parse("6281234567890").map_err(|e| sehat_whatsapp::Error::Build(
///     sehat_whatsapp::message::BuildError::Invalid { field: "to".into(), reason: e.to_string() }))?;
/// phone.send(&Message::new(to, Text::new("Halo"))?).await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) http: reqwest::Client,
    auth: HeaderValue,
    version: GraphVersion,
    base: Url,
    retry: RetryPolicy,
    pub(crate) pacer: Option<Pacer>,
    throttle: Arc<Throttle>,
    usage: Mutex<Option<Usage>>,
    version_warned: AtomicBool,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("token", &"[REDACTED]")
            .field("base", &self.inner.base.as_str())
            .field("retry", &self.inner.retry)
            .field("pacing", &self.inner.pacer.as_ref().map(Pacer::pacing))
            .finish_non_exhaustive()
    }
}

/// A request to one endpoint.
pub(crate) struct Call<'a> {
    pub method: Method,
    pub segments: &'a [&'a str],
    pub query: &'a [(&'a str, String)],
    pub body: Body,
    pub endpoint: &'static str,
    pub idempotency: Idempotency,
}

pub(crate) enum Body {
    None,
    Json(Bytes),
    Multipart(Box<dyn Fn() -> reqwest::multipart::Form + Send + Sync>),
}

impl Body {
    /// `value` as a JSON body; a value that cannot be serialised is a
    /// [`BuildError::Invalid`](crate::message::BuildError::Invalid) naming `field`.
    pub(crate) fn json<T: serde::Serialize + ?Sized>(
        value: &T,
        field: &str,
    ) -> Result<Body, Error> {
        serde_json::to_vec(value)
            .map(|bytes| Body::Json(bytes.into()))
            .map_err(|e| {
                Error::Build(crate::message::BuildError::Invalid {
                    field: field.to_owned(),
                    reason: e.to_string(),
                })
            })
    }
}

/// `{"success": true}`.
#[derive(Deserialize)]
pub(crate) struct Success {
    success: bool,
}

impl Client {
    /// Starts building a client with this access token (a system-user token in
    /// production).
    #[must_use]
    pub fn builder(token: impl Into<String>) -> ClientBuilder {
        ClientBuilder {
            token: SecretString::from(token.into()),
            version: GraphVersion::default(),
            base_url: DEFAULT_BASE_URL.to_owned(),
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            retry: RetryPolicy::default(),
            pacing: Some(Pacing::default()),
            http: None,
        }
    }

    /// The Graph API version in use.
    #[must_use]
    pub fn api_version(&self) -> &GraphVersion {
        &self.inner.version
    }

    /// The pacer, when pacing is on (shared by all clones).
    #[must_use]
    pub fn pacer(&self) -> Option<&Pacer> {
        self.inner.pacer.as_ref()
    }

    /// The throttle every send of this client (and of its clones) obeys, paced or not: it
    /// holds a number after a throughput error (130429) and a recipient after a pair rate
    /// limit (131056). Share it with another sender's [`Pacer`] through
    /// [`Pacer::with_throttle`].
    #[must_use]
    pub fn throttle(&self) -> &Arc<Throttle> {
        &self.inner.throttle
    }

    /// The usage headers of the last response that had any.
    #[must_use]
    pub fn last_usage(&self) -> Option<Usage> {
        self.inner.usage.lock().ok().and_then(|usage| usage.clone())
    }

    /// A handle for one business phone number: sending, media upload, registration and
    /// business profile.
    #[must_use]
    pub fn phone(&self, id: PhoneNumberId) -> crate::PhoneNumberApi {
        crate::PhoneNumberApi::new(self.clone(), id)
    }

    /// A handle for one WhatsApp Business Account: templates, phone numbers and subscribed
    /// apps.
    #[must_use]
    pub fn waba(&self, id: WabaId) -> crate::WabaApi {
        crate::WabaApi::new(self.clone(), id)
    }

    pub(crate) fn url(&self, segments: &[&str]) -> Url {
        let mut url = self.inner.base.clone();
        if let Ok(mut path) = url.path_segments_mut() {
            path.extend(segments);
        }
        url
    }

    pub(crate) fn auth(&self) -> &HeaderValue {
        &self.inner.auth
    }

    /// Runs a call with retries and decodes the JSON answer.
    pub(crate) async fn call<T: DeserializeOwned>(&self, call: Call<'_>) -> Result<T, Error> {
        let body = self.call_raw(&call).await?;
        serde_json::from_slice(&body)
            .map_err(|source| crate::error::decode_error(call.endpoint, &body, source))
    }

    /// Runs a call that answers `{"success": true}`.
    pub(crate) async fn call_success(&self, call: Call<'_>) -> Result<(), Error> {
        let endpoint = call.endpoint;
        let answer: Success = self.call(call).await?;
        if answer.success {
            Ok(())
        } else {
            Err(Error::Unsuccessful { endpoint })
        }
    }

    /// Runs a send of a message from `from` to `to`: as [`call`](Self::call), and each
    /// attempt first waits for the throttle's holds on the number and the recipient, and
    /// feeds Meta's rate-limit answers back into it.
    pub(crate) async fn call_send<T: DeserializeOwned>(
        &self,
        call: Call<'_>,
        from: &PhoneNumberId,
        to: &Recipient,
    ) -> Result<T, Error> {
        let body = self.call_raw_scoped(&call, Some((from, to))).await?;
        serde_json::from_slice(&body)
            .map_err(|source| crate::error::decode_error(call.endpoint, &body, source))
    }

    pub(crate) async fn call_raw(&self, call: &Call<'_>) -> Result<Bytes, Error> {
        self.call_raw_scoped(call, None).await
    }

    async fn call_raw_scoped(
        &self,
        call: &Call<'_>,
        send: Option<(&PhoneNumberId, &Recipient)>,
    ) -> Result<Bytes, Error> {
        let url = self.url(call.segments);
        let mut attempt = 1;
        loop {
            if let Some((from, to)) = send {
                self.inner.throttle.wait(from, Some(to)).await;
            }
            let result = self.attempt(call, &url).await;
            if let (Err(error), Some((from, to))) = (&result, send) {
                self.inner.throttle.observe(from, to, error);
            }
            match result {
                Ok(body) => return Ok(body),
                Err(error) => match self.inner.retry.decide(&error, attempt, call.idempotency) {
                    Some(wait) => {
                        tracing::debug!(endpoint = call.endpoint, attempt, ?wait, %error, "retrying");
                        tokio::time::sleep(wait).await;
                        attempt += 1;
                    }
                    None => return Err(error),
                },
            }
        }
    }

    async fn attempt(&self, call: &Call<'_>, url: &Url) -> Result<Bytes, Error> {
        let mut request = self
            .inner
            .http
            .request(call.method.clone(), url.clone())
            .header(http::header::AUTHORIZATION, self.inner.auth.clone());
        if !call.query.is_empty() {
            request = request.query(call.query);
        }
        request = match &call.body {
            Body::None => request,
            Body::Json(bytes) => request
                .header(http::header::CONTENT_TYPE, "application/json")
                .body(bytes.clone()),
            Body::Multipart(form) => request.multipart(form()),
        };
        let response = request.send().await.map_err(transport_error)?;
        let status = response.status();
        self.observe_headers(response.headers());
        if status.is_success() {
            return response
                .bytes()
                .await
                .map_err(|e| Error::OutcomeUnknown(e.into()));
        }
        let headers = response.headers().clone();
        let body = response
            .bytes()
            .await
            .map_err(|e| Error::OutcomeUnknown(e.into()))?;
        Err(match error_response(status.as_u16(), &headers, &body) {
            // A 5xx without a Graph error comes from a server in between (a proxy's 502 or
            // 504): Meta may have carried the send out and its answer been lost.
            Error::Http { status, body, .. }
                if status >= 500 && call.idempotency == Idempotency::Send =>
            {
                Error::OutcomeUnknown(crate::error::Unanswered::Gateway { status, body })
            }
            other => other,
        })
    }

    fn observe_headers(&self, headers: &http::HeaderMap) {
        if let Some(warning) = headers.get("x-ad-api-version-warning")
            && !self.inner.version_warned.swap(true, Ordering::Relaxed)
        {
            tracing::warn!(
                version = %self.inner.version,
                warning = %String::from_utf8_lossy(warning.as_bytes()),
                "the Graph API version in use is deprecated"
            );
        }
        if headers.contains_key("x-app-usage") || headers.contains_key("x-business-use-case-usage")
        {
            let usage = Usage::from_headers(headers);
            tracing::trace!(?usage, "usage headers");
            if let Ok(mut last) = self.inner.usage.lock() {
                *last = Some(usage);
            }
        }
    }
}

/// Decodes an error answer: a Graph error body when there is one.
pub(crate) fn error_response(status: u16, headers: &http::HeaderMap, body: &[u8]) -> Error {
    match ApiError::from_body(body) {
        Ok(error) => {
            tracing::debug!(
                code = error.code,
                kind = %error.kind(),
                fbtrace_id = error.fbtrace_id.as_deref().unwrap_or(""),
                "Graph API error"
            );
            Error::Api {
                status,
                error: Box::new(error),
                retry_after: Usage::from_headers(headers).wait_hint(),
            }
        }
        Err(_) => Error::Http {
            status,
            body: snippet(body),
            retry_after: Usage::from_headers(headers).wait_hint(),
        },
    }
}

/// A transport failure before any answer: not sent when the connection was never made.
pub(crate) fn transport_error(error: reqwest::Error) -> Error {
    if error.is_connect() || error.is_builder() {
        Error::NotSent(error)
    } else {
        Error::OutcomeUnknown(error.into())
    }
}
