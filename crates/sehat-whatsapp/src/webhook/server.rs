//! Serving a webhook endpoint on the open internet (feature `server`).
//!
//! A callback URL must be reachable by Meta, so anyone can open connections to it.
//! `axum::serve` has no header or body read timeout and accepts connections until the
//! process runs out of file descriptors: one client holding idle sockets open then locks
//! everyone out, and unsigned multi-megabyte bodies are buffered in full before the
//! signature is looked at. [`harden`] and [`serve`] close those doors:
//!
//! | threat | defence | default |
//! | --- | --- | --- |
//! | half-sent headers, idle keep-alive connections | hyper's header read timeout, which also runs between requests | 10 s |
//! | a body sent slowly | a timeout between body frames, and one on the whole request (408) | 10 s, 15 s |
//! | a large body | `Content-Length` over the limit: 413 before a byte of the body is read; a chunked body is cut at the limit | 3 MiB |
//! | an unsigned POST | 401 before the body is read | |
//! | many bodies at once | a byte budget for bodies being read; beyond it, 503 with `Retry-After` (Meta retries) | 32 MiB |
//! | many connections | a cap kept below the open-files limit; at the cap, the oldest idle connection of the peer holding the most is closed for the newcomer | 1,024 |
//! | large headers | the connection's read buffer is capped | 32 KiB |
//!
//! Why a cap that closes idle connections rather than one that refuses newcomers: a
//! client that opens connections and sends nothing keeps a refusing server full for as
//! long as it likes, and the legitimate request is the one refused. Closing the oldest
//! idle connection of the peer holding the most means the flooding peer's own
//! connections go first; a connection with a request in progress is never closed, and a
//! newcomer is refused only when every connection has one. There is no fixed per-address
//! cap: behind a reverse proxy every connection comes from one address, and Meta itself
//! sends from a few.
//!
//! The cap is [`ServerLimits::max_connections`], lowered to three quarters of the
//! process's open-files soft limit (`ulimit -n`, read from `/proc/self/limits` on Linux),
//! so that listening, logging and outgoing requests always have descriptors left. On
//! other systems keep the cap below `ulimit -n` yourself.
//!
//! # Examples
//!
//! ```
//! use axum::routing::get;
//! use axum::Router;
//! use sehat_whatsapp::webhook::server::{self, ServerLimits};
//!
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! let limits = ServerLimits::default();
//! let app = server::harden(Router::new().route("/webhook", get(|| async { "ok" })), &limits);
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
//! let url = format!("http://{}/webhook", listener.local_addr()?);
//! let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
//! let running = tokio::spawn(server::serve(listener, app, limits, async {
//!     let _ = stopped.await;
//! }));
//!
//! let http = reqwest::Client::builder().no_proxy().build()?;
//! assert_eq!(http.get(&url).send().await?.text().await?, "ok");
//! // An unsigned POST is refused before its body is read.
//! assert_eq!(http.post(&url).body("{}").send().await?.status(), 401);
//!
//! let _ = stop.send(());
//! running.await?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! # }).unwrap();
//! ```

use std::cmp::Reverse;
use std::collections::HashMap;
use std::future::Future;
use std::net::IpAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::{Service, service_fn};
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::{Notify, Semaphore, watch};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::{RequestBodyTimeoutLayer, TimeoutLayer};
use tracing::{debug, warn};

use super::signature::SIGNATURE_HEADER;
use super::verifier::WebhookVerifier;

/// The limits [`harden`] and [`serve`] enforce. Start from [`Default`] and change fields.
///
/// # Examples
///
/// ```
/// use sehat_whatsapp::webhook::server::ServerLimits;
///
/// let mut limits = ServerLimits::default();
/// limits.max_connections = 256;
/// assert!(limits.effective_max_connections() <= 256);
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ServerLimits {
    /// How long a connection may take to send a request's headers, counted from when it
    /// opens or its previous response was sent: idle connections close after it too.
    pub header_read_timeout: Duration,
    /// The longest wait for the next piece of a request body.
    pub body_read_timeout: Duration,
    /// The longest a whole request may take, body and handler (then 408).
    pub request_timeout: Duration,
    /// The largest request body, in bytes (then 413).
    pub max_body_len: usize,
    /// How many bytes of request bodies may be read at once, all connections together
    /// (then 503 with `Retry-After`); at least [`max_body_len`](Self::max_body_len).
    pub body_budget: usize,
    /// The largest request head (request line and headers), in bytes; at least 8 KiB.
    pub max_header_bytes: usize,
    /// The most connections open at once, before the open-files limit lowers it (see
    /// [`effective_max_connections`](Self::effective_max_connections)).
    pub max_connections: usize,
    /// At shutdown, how long requests in progress may take to finish.
    pub shutdown_grace: Duration,
}

impl Default for ServerLimits {
    fn default() -> Self {
        Self {
            header_read_timeout: Duration::from_secs(10),
            body_read_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(15),
            max_body_len: WebhookVerifier::DEFAULT_MAX_BODY_LEN,
            body_budget: 32 << 20,
            max_header_bytes: 32 << 10,
            max_connections: 1024,
            shutdown_grace: Duration::from_secs(10),
        }
    }
}

impl ServerLimits {
    /// The connection cap [`serve`] applies: [`max_connections`](Self::max_connections),
    /// lowered to three quarters of the open-files soft limit where it can be read
    /// (Linux), and at least 1.
    #[must_use]
    pub fn effective_max_connections(&self) -> usize {
        let cap = match open_files_soft_limit() {
            Some(soft) => {
                let room = usize::try_from(soft - soft / 4).unwrap_or(usize::MAX);
                self.max_connections.min(room)
            }
            None => self.max_connections,
        };
        cap.max(1)
    }
}

/// The process's open-files soft limit, on Linux; `None` elsewhere or when unlimited.
fn open_files_soft_limit() -> Option<u64> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
    line["Max open files".len()..]
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// Wraps a webhook router in the request limits: body size and signature header
/// screened before the body is read, the body byte budget, and the body and request
/// timeouts.
///
/// Every POST must carry `X-Hub-Signature-256` (the body is still verified by
/// [`WebhookVerifier`]): give it the webhook's router, not one with other POST routes.
pub fn harden<S>(router: Router<S>, limits: &ServerLimits) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
{
    let screen = Arc::new(Screen {
        max_body_len: limits.max_body_len,
        budget: Arc::new(Semaphore::new(
            limits
                .body_budget
                .max(limits.max_body_len)
                .min(Semaphore::MAX_PERMITS),
        )),
    });
    router
        .layer(DefaultBodyLimit::max(limits.max_body_len))
        .layer(RequestBodyLimitLayer::new(limits.max_body_len))
        .layer(RequestBodyTimeoutLayer::new(limits.body_read_timeout))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            limits.request_timeout,
        ))
        .layer(middleware::from_fn_with_state(screen, screen_request))
}

/// What [`screen_request`] checks against.
struct Screen {
    max_body_len: usize,
    /// Bytes of bodies that may be read at once.
    budget: Arc<Semaphore>,
}

/// Refuses, before the body is read, what would be refused after it.
async fn screen_request(
    State(screen): State<Arc<Screen>>,
    request: Request,
    next: Next,
) -> Response {
    let declared = declared_length(request.headers());
    if declared.is_some_and(|len| len > screen.max_body_len as u64) {
        return refusal(StatusCode::PAYLOAD_TOO_LARGE, "request body too large\n");
    }
    if request.method() == Method::POST && !request.headers().contains_key(SIGNATURE_HEADER) {
        return refusal(StatusCode::UNAUTHORIZED, "missing X-Hub-Signature-256\n");
    }
    // A chunked body may take up to the limit.
    let cost = match declared {
        Some(len) => len as usize,
        None if request.headers().contains_key(header::TRANSFER_ENCODING) => screen.max_body_len,
        None => 0,
    };
    let _permit = if cost > 0 {
        let permits = u32::try_from(cost).unwrap_or(u32::MAX);
        match screen.budget.clone().try_acquire_many_owned(permits) {
            Ok(permit) => Some(permit),
            Err(_) => {
                let mut busy = refusal(StatusCode::SERVICE_UNAVAILABLE, "busy, retry later\n");
                busy.headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
                return busy;
            }
        }
    } else {
        None
    };
    next.run(request).await
}

fn declared_length(headers: &HeaderMap) -> Option<u64> {
    headers
        .get(header::CONTENT_LENGTH)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()
}

/// A short plain-text refusal that also closes the connection, so the unread body is
/// never drained.
fn refusal(status: StatusCode, text: &'static str) -> Response {
    let mut response = (status, text).into_response();
    response
        .headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    response
}

/// Serves `router` on `listener` over HTTP/1.1 until `shutdown` completes, within the
/// connection limits (see the [module](self)); then lets requests in progress finish,
/// for at most [`ServerLimits::shutdown_grace`].
///
/// Accept errors (the process out of file descriptors, a connection reset while
/// queued) pause the loop for 50 ms instead of ending it. HTTP/2 is not offered: put a
/// reverse proxy in front for TLS and HTTP/2, as Meta requires HTTPS.
pub async fn serve<F>(listener: TcpListener, router: Router, limits: ServerLimits, shutdown: F)
where
    F: Future<Output = ()> + Send,
{
    let cap = limits.effective_max_connections();
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        .max_buf_size(limits.max_header_bytes.max(8 << 10))
        .keep_alive(true);
    let http = Arc::new(http);
    let registry = Arc::new(Mutex::new(Registry::default()));
    let live = Arc::new(AtomicUsize::new(0));
    let (stop, stopping) = watch::channel(false);
    debug!(cap, "serving");

    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    warn!(%error, "accept failed, pausing");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let admitted = lock(&registry).admit(peer.ip(), cap);
        let Some((id, tracked)) = admitted else {
            // Every connection has a request in progress: refuse at once.
            drop(stream);
            continue;
        };
        let _ = stream.set_nodelay(true);
        let task = Connection {
            id,
            tracked,
            registry: Arc::clone(&registry),
            live: Arc::clone(&live),
        };
        live.fetch_add(1, Ordering::SeqCst);
        let tower = TowerToHyperService::new(router.clone());
        let http = Arc::clone(&http);
        let stopping = stopping.clone();
        let grace = limits.shutdown_grace;
        tokio::spawn(async move {
            task.run(&http, TokioIo::new(stream), tower, stopping, grace)
                .await;
        });
    }
    drop(listener);
    let _ = stop.send(true);
    let deadline = Instant::now() + limits.shutdown_grace;
    while live.load(Ordering::SeqCst) > 0 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn lock(registry: &Mutex<Registry>) -> std::sync::MutexGuard<'_, Registry> {
    registry.lock().unwrap_or_else(PoisonError::into_inner)
}

/// One accepted connection's task.
struct Connection {
    id: u64,
    tracked: Arc<Tracked>,
    registry: Arc<Mutex<Registry>>,
    live: Arc<AtomicUsize>,
}

impl Connection {
    async fn run(
        self,
        http: &http1::Builder,
        io: TokioIo<tokio::net::TcpStream>,
        tower: TowerToHyperService<Router>,
        mut stopping: watch::Receiver<bool>,
        grace: Duration,
    ) {
        let tracked = Arc::clone(&self.tracked);
        let service = service_fn(move |request: hyper::Request<Incoming>| {
            let busy = Busy::start(&tracked);
            let response = tower.call(request);
            async move {
                let response = response.await;
                drop(busy);
                response
            }
        });
        let connection = http.serve_connection(io, service);
        let mut connection = std::pin::pin!(connection);
        tokio::select! {
            result = connection.as_mut() => {
                if let Err(error) = result {
                    debug!(%error, "connection closed");
                }
            }
            () = self.tracked.evict.notified() => {
                // Idle: dropping the connection closes it now. A request that began
                // meanwhile is answered first.
                if self.tracked.in_flight.load(Ordering::SeqCst) > 0 {
                    connection.as_mut().graceful_shutdown();
                    let _ = tokio::time::timeout(grace, connection).await;
                }
            }
            () = async { drop(stopping.wait_for(|stop| *stop).await) } => {
                connection.as_mut().graceful_shutdown();
                let _ = tokio::time::timeout(grace, connection).await;
            }
        }
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        lock(&self.registry).remove(self.id);
        self.live.fetch_sub(1, Ordering::SeqCst);
    }
}

/// What the accept loop knows of a connection.
#[derive(Debug, Default)]
struct Tracked {
    /// Requests being handled (zero: the connection is idle or reading headers).
    in_flight: AtomicUsize,
    /// Told when the connection is chosen to make room.
    evict: Notify,
}

/// Marks a request in progress while it lives.
struct Busy(Arc<Tracked>);

impl Busy {
    fn start(tracked: &Arc<Tracked>) -> Self {
        tracked.in_flight.fetch_add(1, Ordering::SeqCst);
        Self(Arc::clone(tracked))
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

/// The open connections, by id (ids grow: a smaller id is an older connection).
#[derive(Debug, Default)]
struct Registry {
    next_id: u64,
    connections: HashMap<u64, (IpAddr, Arc<Tracked>)>,
    per_peer: HashMap<IpAddr, usize>,
    /// Connections closed or refused to make room since the last warning.
    pressed: u64,
    last_warning: Option<Instant>,
}

impl Registry {
    /// Admits a connection from `peer`, making room under `cap` if needed; `None` when
    /// every connection has a request in progress.
    fn admit(&mut self, peer: IpAddr, cap: usize) -> Option<(u64, Arc<Tracked>)> {
        if self.connections.len() >= cap {
            self.pressed += 1;
            if self
                .last_warning
                .is_none_or(|at| at.elapsed() >= Duration::from_secs(10))
            {
                warn!(
                    cap,
                    closed_or_refused = self.pressed,
                    "connection cap reached: closing idle connections of the busiest peers"
                );
                self.pressed = 0;
                self.last_warning = Some(Instant::now());
            }
            let victim = self.victim()?;
            if let Some(tracked) = self.remove(victim) {
                tracked.evict.notify_one();
            }
        }
        let id = self.next_id;
        self.next_id += 1;
        let tracked = Arc::new(Tracked::default());
        self.connections.insert(id, (peer, Arc::clone(&tracked)));
        *self.per_peer.entry(peer).or_default() += 1;
        Some((id, tracked))
    }

    /// The connection to close for a newcomer: the oldest idle one of the peer holding
    /// the most connections.
    fn victim(&self) -> Option<u64> {
        self.connections
            .iter()
            .filter(|(_, (_, tracked))| tracked.in_flight.load(Ordering::SeqCst) == 0)
            .max_by_key(|(id, (peer, _))| {
                (self.per_peer.get(peer).copied().unwrap_or(0), Reverse(**id))
            })
            .map(|(id, _)| *id)
    }

    fn remove(&mut self, id: u64) -> Option<Arc<Tracked>> {
        let (peer, tracked) = self.connections.remove(&id)?;
        if let Some(count) = self.per_peer.get_mut(&peer) {
            *count -= 1;
            if *count == 0 {
                self.per_peer.remove(&peer);
            }
        }
        Some(tracked)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(last: u8) -> IpAddr {
        IpAddr::from([127, 0, 0, last])
    }

    #[test]
    fn at_the_cap_the_busiest_peer_loses_its_oldest_idle_connection() {
        let mut registry = Registry::default();
        let (a0, _) = registry.admit(ip(1), 4).unwrap();
        let (b0, _) = registry.admit(ip(2), 4).unwrap();
        let (a1, busy) = registry.admit(ip(1), 4).unwrap();
        let (a2, _) = registry.admit(ip(1), 4).unwrap();
        let _request = Busy::start(&busy);
        // Full: peer 1 holds three, its oldest (a0) goes.
        let (b1, _) = registry.admit(ip(2), 4).unwrap();
        assert!(!registry.connections.contains_key(&a0));
        assert_eq!(registry.per_peer[&ip(1)], 2);
        // Peers 1 and 2 hold two each; a1 is busy, so the oldest idle of the two is b0
        // (older than a2).
        let _ = registry.admit(ip(3), 4).unwrap();
        assert!(!registry.connections.contains_key(&b0));
        assert!(registry.connections.contains_key(&a1));
        assert!(registry.connections.contains_key(&a2));
        assert!(registry.connections.contains_key(&b1));
        assert_eq!(registry.connections.len(), 4);
    }

    #[test]
    fn a_newcomer_is_refused_only_when_every_connection_is_busy() {
        let mut registry = Registry::default();
        let (_, first) = registry.admit(ip(1), 2).unwrap();
        let (_, second) = registry.admit(ip(1), 2).unwrap();
        let requests = (Busy::start(&first), Busy::start(&second));
        assert!(registry.admit(ip(2), 2).is_none());
        drop(requests);
        assert!(registry.admit(ip(2), 2).is_some());
        assert_eq!(registry.connections.len(), 2);
    }

    #[test]
    fn the_cap_stays_below_the_open_files_limit() {
        let limits = ServerLimits {
            max_connections: usize::MAX,
            ..ServerLimits::default()
        };
        let cap = limits.effective_max_connections();
        if let Some(soft) = open_files_soft_limit() {
            assert!((cap as u64) < soft, "{cap} of {soft}");
        }
        assert!(cap >= 1);
    }
}
