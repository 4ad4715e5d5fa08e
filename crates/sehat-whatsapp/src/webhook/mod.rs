//! Webhooks: the GET verification handshake, `X-Hub-Signature-256` verification and typed
//! events.
//!
//! Meta calls your callback URL twice over:
//!
//! 1. **GET**, when the URL or verify token is saved: answer with
//!    [`verify_subscription`] (or [`SubscriptionQuery::verify`]): 200 with the challenge as
//!    the plain-text body, or 403. The GET has no signature.
//! 2. **POST**, for every notification: pass the *raw* body and the `X-Hub-Signature-256`
//!    header to [`WebhookVerifier::verify_and_parse`], which checks the HMAC-SHA256 under
//!    your app secret(s) in constant time, failing closed, and only then parses. Walk the
//!    [`WebhookPayload`] with [`events`](WebhookPayload::events): one [`Event`] per
//!    message, status, error, group event and preference change, and one per other change
//!    (templates, account, phone number, Flows, calls, history, unknown fields).
//!
//! Deliveries are at least once and Meta retries for days, so answer 200 fast and skip
//! re-deliveries with a [`Dedupe`] store keyed on [`Event::dedupe_key`].
//!
//! Users are [`UserRef`]s: a phone number ([`WaId`](crate::ids::WaId), masked in logs) and a
//! business-scoped user id, each optional. From 2026 `wa_id` may be the empty string; it is read as absent.
//!
//! The models never reject what Meta sends: unknown fields are kept in `extra` maps,
//! unknown enum values in `Other(String)`, unknown message types in
//! [`MessageContent::Unknown`] and unknown fields in [`ChangeValue::Unknown`], with the raw
//! JSON.
//!
//! # An axum endpoint
//!
//! With the `server` feature (which brings axum and [`server`]), this compiles as a
//! doctest; the same code is in `docs/whatsapp-webhooks.md`.
//!
//! ```
//! # #[cfg(feature = "server")]
//! # mod example {
//! use std::sync::Arc;
//! use std::time::Duration;
//!
//! use axum::body::Bytes;
//! use axum::extract::{Query, State};
//! use axum::http::{HeaderMap, StatusCode};
//! use axum::routing::get;
//! use axum::Router;
//! use sehat_whatsapp::webhook::server::{self, ServerLimits};
//! use sehat_whatsapp::webhook::{
//!     Dedupe, DedupeError, Event, InMemoryDedupe, MessageContent, SubscriptionQuery,
//!     WebhookError, WebhookVerifier,
//! };
//!
//! struct Webhook {
//!     verifier: WebhookVerifier,
//!     verify_token: String,
//!     dedupe: InMemoryDedupe,
//! }
//!
//! /// GET: Meta's verification handshake.
//! async fn handshake(
//!     State(hook): State<Arc<Webhook>>,
//!     Query(query): Query<SubscriptionQuery>,
//! ) -> Result<String, StatusCode> {
//!     query
//!         .verify(&hook.verify_token)
//!         .map(str::to_owned)
//!         .map_err(|_| StatusCode::FORBIDDEN)
//! }
//!
//! /// POST: verify the raw body, then handle each event once.
//! async fn notify(State(hook): State<Arc<Webhook>>, headers: HeaderMap, body: Bytes) -> StatusCode {
//!     let payload = match hook.verifier.verify_and_parse_headers(&headers, &body) {
//!         Ok(payload) => payload,
//!         Err(e) if e.is_signature() => return StatusCode::UNAUTHORIZED,
//!         Err(WebhookError::TooLarge { .. }) => return StatusCode::PAYLOAD_TOO_LARGE,
//!         Err(_) => return StatusCode::BAD_REQUEST,
//!     };
//!     for event in payload.events() {
//!         if let Some(key) = event.dedupe_key() {
//!             if !hook.dedupe.insert(&key) {
//!                 continue; // a re-delivery
//!             }
//!         }
//!         match event {
//!             Event::Message(m) => {
//!                 let from = m.message.sender(); // phone and/or business-scoped id
//!                 if let MessageContent::Text(text) = &m.message.content {
//!                     tracing::info!(user = ?from.best_key(), body = ?text.body, "text");
//!                 }
//!             }
//!             Event::Status(s) => tracing::info!(id = ?s.status.id, status = s.status.status_str()),
//!             Event::UserPreference(p) if p.preference.is_marketing_stop() => {
//!                 tracing::info!(user = ?p.preference.user().best_key(), "marketing opt-out");
//!             }
//!             _ => {}
//!         }
//!     }
//!     StatusCode::OK
//! }
//!
//! /// The router, hardened: the body size and signature header are checked before the body
//! /// is read, and the body and request have timeouts.
//! pub fn router(
//!     app_secrets: Vec<String>,
//!     verify_token: String,
//!     limits: &ServerLimits,
//! ) -> Result<Router, DedupeError> {
//!     let hook = Webhook {
//!         verifier: WebhookVerifier::new(app_secrets).max_body_len(limits.max_body_len),
//!         verify_token,
//!         dedupe: InMemoryDedupe::new(Duration::from_secs(7 * 24 * 3600))?,
//!     };
//!     let app = Router::new()
//!         .route("/webhook", get(handshake).post(notify))
//!         .with_state(Arc::new(hook));
//!     Ok(server::harden(app, limits))
//! }
//!
//! /// Serves until Ctrl-C. Not `axum::serve`, which has no header read timeout and no
//! /// connection limit: idle connections close after 10 s, and the connection cap stays
//! /// below the open-files limit.
//! pub async fn run(
//!     listener: tokio::net::TcpListener,
//!     app_secrets: Vec<String>,
//!     verify_token: String,
//! ) -> Result<(), DedupeError> {
//!     let limits = ServerLimits::default();
//!     let app = router(app_secrets, verify_token, &limits)?;
//!     server::serve(listener, app, limits, async {
//!         let _ = tokio::signal::ctrl_c().await;
//!     })
//!     .await;
//!     Ok(())
//! }
//! # }
//! # #[cfg(feature = "server")]
//! # example::router(vec!["app-secret".into()], "verify-token".into(), &Default::default())?;
//! # Ok::<(), sehat_whatsapp::webhook::DedupeError>(())
//! ```

// The models, one module per topic; `fields` maps each webhook field to its model, and
// `payload` (the envelope) builds on it. `event` walks a payload, `verifier` checks and
// parses one. Imports go one way: topic modules -> fields -> payload -> event.
mod account;
mod calls;
mod coexistence;
mod dedupe;
mod error_entry;
mod event;
mod fields;
mod group;
pub(crate) mod lenient;
mod message;
mod metadata;
mod payload;
mod preference;
#[cfg(feature = "server")]
#[cfg_attr(docsrs, doc(cfg(feature = "server")))]
pub mod server;
mod signature;
mod status;
mod subscription;
mod template;
mod timestamp;
mod user;
mod verifier;

pub use account::{
    AccountAlert, AccountReviewUpdate, AccountUpdate, AlertInfo, BusinessCapabilityUpdate,
    FlowEvent, PhoneNumberNameUpdate, PhoneNumberQualityUpdate, SecurityEvent,
};
pub use calls::{Call, CallsValue};
pub use coexistence::{HistoryChunk, HistoryThread, HistoryValue, StateSyncValue};
pub use dedupe::{
    Dedupe, DedupeClass, DedupeDigest, DedupeError, DedupeHasher, DedupeKey, InMemoryDedupe,
};
pub use error_entry::ErrorEntry;
pub use event::{
    ErrorEvent, Event, Events, GroupUpdate, MessageEvent, Origin, PreferenceEvent, StatusEvent,
};
pub use fields::{ChangeValue, TYPED_FIELDS};
pub use group::{GroupEvent, GroupEventKind, GroupParticipant, GroupsValue};
pub use message::{
    ButtonReply, ContactName, ContactPhone, Context, InboundMessage, InteractiveReply, Location,
    Media, MessageContent, MessagesValue, Order, OrderItem, Reaction, Referral, SharedContact,
    SystemEvent, SystemEventKind, Text,
};
pub use metadata::Metadata;
pub use payload::{Change, Entry, ParseError, WebhookPayload};
pub use preference::{PreferenceValue, UserPreference, UserPreferencesValue};
pub use signature::{AppSecret, SIGNATURE_HEADER, SignatureError, sign_payload, verify_signature};
pub use status::{
    Conversation, Pricing, PricingCategory, PricingModel, PricingType, Status, StatusKind,
};
pub use subscription::{SubscriptionError, SubscriptionQuery, verify_subscription};
pub use template::{
    QualityScore, TemplateCategoryUpdate, TemplateComponentsUpdate, TemplateEvent,
    TemplateQualityUpdate, TemplateStatusUpdate,
};
pub use timestamp::Timestamp;
pub use user::{Contact, Profile, UserRef};
pub use verifier::{WebhookError, WebhookVerifier};
