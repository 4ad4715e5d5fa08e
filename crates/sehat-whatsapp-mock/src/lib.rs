#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod content;
mod groups;
mod routes;
mod state;
#[cfg(test)]
mod tests;
mod webhooks;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use secrecy::SecretString;
use tokio::sync::oneshot;

// The library under the paths the mock's modules name it by.
use sehat_whatsapp::{Client, ClientBuilder, Error, ids, media, retry, webhook};

pub use sehat_whatsapp::webhook::server::ServerLimits;
pub use state::RecordedRequest;

/// A failure to inject into the next request.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Failure {
    /// 130429, the number's throughput was exceeded (HTTP 400).
    ThroughputLimit,
    /// 131056, too many messages to one user (HTTP 400).
    PairRateLimit,
    /// 131047, more than 24 hours since the user last wrote (HTTP 400).
    OutsideCustomerServiceWindow,
    /// 131026, the message cannot be delivered (HTTP 400).
    Undeliverable,
    /// 131000 with HTTP 500.
    ServerError,
    /// 131016 with HTTP 503.
    ServiceUnavailable,
    /// A 502 with an HTML body, as a proxy in front of the API would answer.
    BadGateway,
    /// Answer normally, after this delay (a client timeout shorter than it makes the
    /// outcome unknown).
    Slow(Duration),
    /// Accept the send, then report it `failed` with this code in the status webhook (as
    /// Meta does for 131026, 131047, 131049 …).
    DeliveryFailed(i64),
    /// Any Graph error: HTTP status, code and message.
    Api {
        /// The HTTP status.
        status: u16,
        /// The error code.
        code: i64,
        /// The message.
        message: String,
    },
}

/// The mock Graph API. Dropping it stops the server.
#[derive(Debug)]
pub struct MockGraphApi {
    addr: SocketAddr,
    state: Arc<state::State>,
    shutdown: Option<oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<()>>,
}

impl MockGraphApi {
    /// The WABA id the mock reports (in webhooks and phone-number lists).
    pub const WABA_ID: &'static str = "102290129340398";
    /// The phone-number id the mock reports in webhooks and lists (any id is accepted in
    /// paths).
    pub const PHONE_NUMBER_ID: &'static str = "106540352242922";
    /// The business number the mock displays.
    pub const DISPLAY_PHONE_NUMBER: &'static str = "15550783881";
    /// The token [`client`](Self::client) uses; the mock accepts any non-empty bearer
    /// token.
    pub const TOKEN: &'static str = "mock-token";

    /// Starts the mock on `127.0.0.1` on a free port.
    ///
    /// # Errors
    ///
    /// When the port cannot be bound.
    ///
    /// # Examples
    ///
    /// See the [module documentation](self).
    pub async fn start() -> std::io::Result<Self> {
        Self::start_on_port(0).await
    }

    /// Starts the mock on `127.0.0.1:port`; port 0 picks a free one (read it back with
    /// [`addr`](Self::addr) or [`base_url`](Self::base_url)). This is what
    /// `sehat whatsapp mock serve --port N` runs, so a program in any language can be
    /// tested against a fixed address.
    ///
    /// # Errors
    ///
    /// When the port cannot be bound (in use, or privileged).
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// use sehat_whatsapp_mock::MockGraphApi;
    ///
    /// let mock = MockGraphApi::start_on_port(0).await?;
    /// assert!(mock.addr().ip().is_loopback());
    /// assert_ne!(mock.addr().port(), 0);
    /// mock.stop().await;
    /// # Ok(()) }
    /// ```
    pub async fn start_on_port(port: u16) -> std::io::Result<Self> {
        Self::start_with_limits(port, ServerLimits::default()).await
    }

    /// [`start_on_port`](Self::start_on_port) within `limits`. The mock is served as a
    /// webhook endpoint is (`sehat_whatsapp::webhook::server::serve`): a connection that
    /// sends no request within the header read timeout is closed, and at the connection
    /// cap the oldest idle connection of the peer holding the most makes room for the
    /// newcomer, so a client holding thousands of idle sockets never locks another out.
    /// The request limits of a webhook endpoint (signature, body budget) do not apply.
    ///
    /// # Errors
    ///
    /// When the port cannot be bound.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// use sehat_whatsapp_mock::{MockGraphApi, ServerLimits};
    ///
    /// let mut limits = ServerLimits::default();
    /// limits.max_connections = 64;
    /// let mock = MockGraphApi::start_with_limits(0, limits).await?;
    /// assert_ne!(mock.addr().port(), 0);
    /// mock.stop().await;
    /// # Ok(()) }
    /// ```
    pub async fn start_with_limits(port: u16, limits: ServerLimits) -> std::io::Result<Self> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
        let addr = listener.local_addr()?;
        let state = Arc::new(state::State::new(format!("http://{addr}/")));
        let app = groups::wrap(routes::router(state.clone()), state.clone());
        let (tx, rx) = oneshot::channel::<()>();
        let server = tokio::spawn(webhook::server::serve(listener, app, limits, async {
            let _ = rx.await;
        }));
        Ok(Self {
            addr,
            state,
            shutdown: Some(tx),
            server: Some(server),
        })
    }

    /// Posts signed status webhooks for every accepted message to `callback_url`, signed
    /// with `app_secret` (`X-Hub-Signature-256`).
    #[must_use]
    pub fn with_status_webhooks(
        self,
        callback_url: impl Into<String>,
        app_secret: impl Into<String>,
    ) -> Self {
        self.state
            .set_webhooks(callback_url.into(), SecretString::from(app_secret.into()));
        self
    }

    /// Stops recording requests and posted webhooks (for load tests and long-running
    /// servers, whose memory would otherwise grow with every request).
    #[must_use]
    pub fn without_recording(self) -> Self {
        self.state.set_recording(false);
        self
    }

    /// The base URL to give [`ClientBuilder::base_url`](ClientBuilder::base_url).
    #[must_use]
    pub fn base_url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    /// The address the mock listens on.
    #[must_use]
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// A client for this mock: its base URL, [`TOKEN`](Self::TOKEN), no pacing, and
    /// retries with a 10 ms base delay so tests stay fast.
    ///
    /// # Errors
    ///
    /// As [`ClientBuilder::build`](ClientBuilder::build).
    ///
    /// # Examples
    ///
    /// See the [module documentation](self).
    pub fn client(&self) -> Result<Client, Error> {
        self.client_builder().build()
    }

    /// A client builder preset for this mock, to adjust before building.
    #[must_use]
    pub fn client_builder(&self) -> ClientBuilder {
        Client::builder(Self::TOKEN)
            .base_url(self.base_url())
            .no_pacing()
            .retry(
                retry::RetryPolicy::default()
                    .base_delay(Duration::from_millis(10))
                    .max_delay(Duration::from_millis(200)),
            )
    }

    /// Every request received so far, in order.
    #[must_use]
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.state.requests()
    }

    /// Forgets the recorded requests.
    pub fn clear_requests(&self) {
        self.state.clear_requests();
    }

    /// Makes the next request fail this way (failures queue up, one per request).
    pub fn fail_next(&self, failure: Failure) {
        self.state.push_failure(failure);
    }

    /// Adds a template (the JSON Meta returns for one; an `id` is assigned when missing).
    pub fn add_template(&self, template: serde_json::Value) {
        self.state.add_template(template);
    }

    /// Stores media as if uploaded, and returns its id.
    #[must_use]
    pub fn add_media(&self, mime_type: &str, data: Bytes) -> String {
        self.state.add_media(mime_type, data)
    }

    /// The status webhooks posted so far, as `(body, signature header, HTTP status the
    /// callback answered)`.
    #[must_use]
    pub fn posted_webhooks(&self) -> Vec<(Bytes, String, u16)> {
        self.state.posted_webhooks()
    }

    /// Stops the server.
    pub fn shutdown(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }

    /// Stops accepting connections, lets the requests in flight finish, and returns once
    /// the server has stopped (status webhooks still being posted are not waited for).
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// use sehat_whatsapp_mock::MockGraphApi;
    ///
    /// let mock = MockGraphApi::start().await?;
    /// let addr = mock.addr();
    /// mock.stop().await;
    /// assert!(tokio::net::TcpStream::connect(addr).await.is_err());
    /// # Ok(()) }
    /// ```
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(server) = self.server.take() {
            // The task only ends by returning; a join error would mean it panicked or was
            // cancelled with the runtime, and either way the server is gone.
            let _ = server.await;
        }
    }
}

impl Drop for MockGraphApi {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}
