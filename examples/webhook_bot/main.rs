//! A WhatsApp bot for Posyandu health workers (kader), as an axum server.
//!
//! It answers Meta's GET verification handshake, verifies every POST's
//! `X-Hub-Signature-256` before reading it (401 unsigned, 403 wrongly signed), answers 200
//! at once and skips re-delivered messages. It replies in Bahasa Indonesia: a menu as an
//! interactive list (immunization schedule, a child's nutrition status, health
//! campaigns); WHO z-scores with the Permenkes No. 2/2020 categories for a message such
//! as `BB 8.2 TB 71 umur 10 bulan L`; the next vaccines on the Kemenkes schedule for
//! `IMUNISASI lahir 2025-03-10 HB0 BCG bOPV DPT-HB-Hib`; `GRAFIK` with the growth chart
//! (PNG image) of the child whose measurement the sender sent last; and help for anything
//! else. Those rules are the library module `sehat::bot`; this file is the server.
//! Delivery statuses are counted. Logs (tracing, on stderr) name users by keyed
//! pseudonym only, never by phone number or name, and never carry what they wrote.
//!
//! The callback URL is open to anyone, so the bot serves through
//! `sehat_whatsapp::webhook::server`: a connection that has not sent a complete request
//! head within 10 s is closed (half-sent headers, idle keep-alive), a body over 3 MiB
//! (by `Content-Length`) or an unsigned POST is refused before the body is read, a
//! request takes at most 15 s, and at most `--max-connections` connections are open (fewer
//! when `ulimit -n` is low); at the cap, the busiest peer's oldest idle connection is
//! closed to admit a newcomer. `GET /stats` (a fixed set of counters) is served only when
//! `WEBHOOK_BOT_STATS_TOKEN` is set, to requests with `Authorization: Bearer <token>`.
//!
//! ```text
//! # Against the Cloud API (the callback URL to give Meta is https://<host>/webhook):
//! WHATSAPP_APP_SECRET=… WHATSAPP_VERIFY_TOKEN=… WHATSAPP_TOKEN=… WHATSAPP_PHONE_NUMBER_ID=… \
//!     cargo run --example webhook_bot -- --listen 127.0.0.1:8080
//!
//! # Offline: replies go to an in-process mock Graph API, which also sends the status
//! # webhooks back; GET /_mock/requests lists the replies it received.
//! WHATSAPP_APP_SECRET=dev-secret WHATSAPP_VERIFY_TOKEN=dev-token \
//!     cargo run --example webhook_bot -- --mock --listen 127.0.0.1:0
//!
//! # The counters, when WEBHOOK_BOT_STATS_TOKEN=… was set at start:
//! curl -H "Authorization: Bearer $WEBHOOK_BOT_STATS_TOKEN" http://127.0.0.1:8080/stats
//! ```
//!
//! The first line on stdout is `webhook_bot listening on http://<addr>/webhook`; with
//! `--mock`, the second gives the mock's address. Pseudonyms use the keyset in
//! `SEHAT_PSEUDONYM_KEYSET` when it is set, else a key generated for this run.

use std::error::Error;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Json;
use axum::routing::get;
use clap::Parser;
use secrecy::{ExposeSecret, SecretString};
use sehat::bot::{chat, grafik, nutrition};
use sehat::immunization::Schedule;
use sehat::pseudonym::{Bsuid, Domain, KEYSET_ENV, Keyset, PhoneNumber, Pseudonymizer, Subject};
use sehat::whatsapp::ids::{MessageId, PhoneNumberId, Recipient};
use sehat::whatsapp::mask_identifiers;
use sehat::whatsapp::message::{Content, Media, Message, Text};
use sehat::whatsapp::webhook::server::{self, ServerLimits};
use sehat::whatsapp::webhook::{
    Dedupe, Event, InMemoryDedupe, MessageContent, SignatureError, SubscriptionQuery, UserRef,
    WebhookError, WebhookVerifier,
};
use sehat::whatsapp::{Client, PhoneNumberApi};
use sehat_whatsapp_mock::MockGraphApi;
use serde::Serialize;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use time::macros::offset;
use time::{Date, OffsetDateTime};
use tracing::{debug, info, warn};

/// A WhatsApp bot for Posyandu health workers.
#[derive(Debug, Parser)]
struct Args {
    /// The address to listen on (port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// Send replies to an in-process mock Graph API instead of the Cloud API.
    #[arg(long)]
    mock: bool,
    /// The date immunization answers are computed for (default: today in WIB, UTC+7).
    #[arg(long, value_parser = parse_date)]
    today: Option<Date>,
    /// The most connections open at once (lowered to three quarters of `ulimit -n`).
    #[arg(long, default_value_t = ServerLimits::default().max_connections)]
    max_connections: usize,
}

/// What the logs call a sender with neither a parseable number nor a business-scoped id.
const UNIDENTIFIED: &str = "unidentified";

/// The environment variable holding the bearer token of `GET /stats` (unset: no /stats).
const STATS_TOKEN_ENV: &str = "WEBHOOK_BOT_STATS_TOKEN";

/// Counters for `GET /stats`: a fixed set, whatever the webhooks carry.
#[derive(Debug, Default, Clone, Serialize)]
struct Stats {
    /// Messages handled (re-deliveries excluded).
    messages: u64,
    /// Messages and statuses skipped as re-deliveries.
    redeliveries: u64,
    /// Replies the Graph API accepted.
    replies_sent: u64,
    /// Replies that could not be built or sent.
    reply_failures: u64,
    /// POSTs refused for a wrong signature (those without one are refused by the server
    /// layer before their body is read, and not counted).
    refused: u64,
    /// Delivery statuses by kind.
    statuses: StatusCounts,
}

/// Delivery statuses by kind; kinds Meta may add are counted as `other`.
#[derive(Debug, Default, Clone, Serialize)]
struct StatusCounts {
    sent: u64,
    delivered: u64,
    read: u64,
    played: u64,
    failed: u64,
    other: u64,
}

impl StatusCounts {
    fn count(&mut self, kind: &str) {
        let counter = match kind {
            "sent" => &mut self.sent,
            "delivered" => &mut self.delivered,
            "read" => &mut self.read,
            "played" => &mut self.played,
            "failed" => &mut self.failed,
            _ => &mut self.other,
        };
        *counter += 1;
    }
}

struct Bot {
    verifier: WebhookVerifier,
    verify_token: SecretString,
    dedupe: InMemoryDedupe,
    phone: PhoneNumberApi,
    pseudonyms: Pseudonymizer,
    schedule: &'static Schedule,
    today: Option<Date>,
    stats: Mutex<Stats>,
    /// The bearer token of `GET /stats`.
    stats_token: Option<SecretString>,
    /// The mock Graph API in `--mock` mode (kept alive with the bot).
    mock: Option<MockGraphApi>,
    /// The child each sender last talked about, for `GRAFIK`.
    last_child: grafik::LastChild,
}

impl Bot {
    fn stats(&self) -> std::sync::MutexGuard<'_, Stats> {
        self.stats.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn today(&self) -> Date {
        // Indonesia's western time zone (WIB), where most Posyandu are.
        self.today
            .unwrap_or_else(|| OffsetDateTime::now_utc().to_offset(offset!(+7)).date())
    }

    /// The user's pseudonym: what the logs call them.
    fn pseudonym(&self, user: &UserRef) -> String {
        if let Some(wa_id) = &user.phone
            && let Ok(number) = PhoneNumber::from_wa_id(wa_id.as_str())
        {
            return self
                .pseudonyms
                .pseudonymize(&Subject::phone(&number))
                .to_string();
        }
        if let Some(id) = &user.user_id
            && let Ok(bsuid) = Bsuid::new(id.as_str())
        {
            return self
                .pseudonyms
                .pseudonymize(&Subject::bsuid(&bsuid))
                .to_string();
        }
        UNIDENTIFIED.to_owned()
    }
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    let args = Args::parse();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("webhook_bot: error: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("webhook_bot: error: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn run(args: Args) -> Result<(), Box<dyn Error>> {
    let app_secret = SecretString::from(required("WHATSAPP_APP_SECRET")?);
    let verify_token = SecretString::from(required("WHATSAPP_VERIFY_TOKEN")?);
    let stats_token = match std::env::var(STATS_TOKEN_ENV) {
        Ok(token) if token.len() >= 16 => Some(SecretString::from(token)),
        Ok(_) => return Err(format!("{STATS_TOKEN_ENV} must be at least 16 characters").into()),
        Err(_) => None,
    };
    let listener = tokio::net::TcpListener::bind(args.listen).await?;
    let addr = listener.local_addr()?;
    println!("webhook_bot listening on http://{addr}/webhook");

    let (phone, mock) = if args.mock {
        let mock = MockGraphApi::start()
            .await?
            .with_status_webhooks(format!("http://{addr}/webhook"), app_secret.expose_secret());
        println!(
            "mock Graph API on {}; the replies it received: GET http://{addr}/_mock/requests",
            mock.base_url()
        );
        let phone = mock
            .client()?
            .phone(PhoneNumberId::new(MockGraphApi::PHONE_NUMBER_ID));
        (phone, Some(mock))
    } else {
        let token = SecretString::from(required("WHATSAPP_TOKEN")?);
        let id = PhoneNumberId::parse(&required("WHATSAPP_PHONE_NUMBER_ID")?)?;
        let client = Client::builder(token.expose_secret()).build()?;
        (client.phone(id), None)
    };

    let keyset = if std::env::var_os(KEYSET_ENV).is_some() {
        Keyset::from_env()?
    } else {
        warn!("{KEYSET_ENV} is not set: pseudonyms use a key generated for this run");
        Keyset::generate()?
    };
    let limits = {
        let mut limits = ServerLimits::default();
        limits.max_connections = args.max_connections;
        limits
    };
    let bot = Arc::new(Bot {
        verifier: WebhookVerifier::new([app_secret]).max_body_len(limits.max_body_len),
        verify_token,
        // Meta re-delivers for up to 7 days.
        dedupe: InMemoryDedupe::new(Duration::from_secs(7 * 24 * 3600))?,
        phone,
        pseudonyms: keyset.pseudonymizer(&Domain::new("webhook-bot-log")?),
        schedule: Schedule::id_kemenkes()?,
        today: args.today,
        stats: Mutex::default(),
        stats_token,
        mock,
        last_child: grafik::LastChild::default(),
    });

    let mut app = Router::new().route("/webhook", get(handshake).post(notify));
    if bot.stats_token.is_some() {
        app = app.route("/stats", get(stats));
    } else {
        info!("{STATS_TOKEN_ENV} is not set: GET /stats is not served");
    }
    if args.mock {
        app = app.route("/_mock/requests", get(mock_requests));
    }
    let app = server::harden(app.with_state(bot), &limits);
    info!(
        %addr,
        mock = args.mock,
        max_connections = limits.effective_max_connections(),
        "listening"
    );
    server::serve(listener, app, limits, async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await;
    Ok(())
}

fn required(name: &str) -> Result<String, String> {
    match std::env::var(name) {
        Ok(value) if !value.is_empty() => Ok(value),
        _ => Err(format!("{name} is not set")),
    }
}

fn parse_date(text: &str) -> Result<Date, String> {
    sehat::tanggal::parse(text).ok_or_else(|| format!("`{text}` is not a date (YYYY-MM-DD)"))
}

/// GET /webhook: Meta's verification handshake.
async fn handshake(
    State(bot): State<Arc<Bot>>,
    Query(query): Query<SubscriptionQuery>,
) -> Result<String, StatusCode> {
    match query.verify(bot.verify_token.expose_secret()) {
        Ok(challenge) => {
            info!("webhook subscription verified");
            Ok(challenge.to_owned())
        }
        Err(error) => {
            warn!(%error, "webhook subscription refused");
            Err(StatusCode::FORBIDDEN)
        }
    }
}

/// POST /webhook: verify, answer 200 at once, reply in the background.
async fn notify(State(bot): State<Arc<Bot>>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let payload = match bot.verifier.verify_and_parse_headers(&headers, &body) {
        Ok(payload) => payload,
        Err(error) if error.is_signature() => {
            bot.stats().refused += 1;
            warn!(%error, "webhook refused");
            return match error {
                WebhookError::Signature(SignatureError::Missing) => StatusCode::UNAUTHORIZED,
                _ => StatusCode::FORBIDDEN,
            };
        }
        Err(error @ WebhookError::TooLarge { .. }) => {
            warn!(%error, "webhook refused");
            return StatusCode::PAYLOAD_TOO_LARGE;
        }
        Err(error) => {
            warn!(%error, "webhook not understood");
            return StatusCode::BAD_REQUEST;
        }
    };
    for event in payload.events() {
        if let Some(key) = event.dedupe_key()
            && !bot.dedupe.insert(&key)
        {
            bot.stats().redeliveries += 1;
            // No message id in the logs: a wamid carries the user's number in base64.
            info!(kind = event.kind(), "re-delivery skipped");
            continue;
        }
        match event {
            Event::Message(m) => {
                let sender = m.message.sender();
                let user = bot.pseudonym(&sender);
                bot.stats().messages += 1;
                info!(%user, kind = %m.message.kind, "message");
                let to: Recipient = match (sender.phone, sender.user_id) {
                    (Some(phone), _) => phone.into(),
                    (None, Some(id)) => id.into(),
                    (None, None) => {
                        warn!("message without a sender, not answered");
                        continue;
                    }
                };
                // Meta waits for the 200: answer in the background.
                let content = m.message.content.clone();
                tokio::spawn(reply(bot.clone(), user, to, m.message.id.clone(), content));
            }
            Event::Status(s) => {
                let kind = s.status.status_str();
                bot.stats().statuses.count(kind);
                info!(status = %kind, "delivery status");
            }
            Event::Error(e) => warn!(code = e.error.code, "webhook error entry"),
            other => debug!(kind = other.kind(), "event ignored"),
        }
    }
    StatusCode::OK
}

/// Computes the answer to one message and sends it, quoting the message.
async fn reply(
    bot: Arc<Bot>,
    user: String,
    to: Recipient,
    quoting: Option<MessageId>,
    content: MessageContent,
) {
    let text = match &content {
        MessageContent::Text(text) => text.body.as_deref().unwrap_or_default(),
        _ => "",
    };
    if grafik::is_request(text) {
        return send_chart(&bot, &user, to, quoting).await;
    }
    // Senders without a pseudonym share the name `unidentified`: nothing is remembered for
    // them, so that none of them is shown another's child.
    if user != UNIDENTIFIED
        && nutrition::is_measurement(text)
        && let Ok(child) = nutrition::parse(text)
    {
        bot.last_child.remember(&user, child);
    }
    let (intent, answer) = chat::answer(&content, bot.schedule, bot.today());
    let message = match (Message::new(to, answer), quoting) {
        (Ok(message), Some(id)) => message.reply_to(id),
        (Ok(message), None) => message,
        (Err(error), _) => {
            bot.stats().reply_failures += 1;
            warn!(%user, intent = intent.as_str(), %error, "reply not built");
            return;
        }
    };
    match bot.phone.send(&message).await {
        Ok(receipt) => {
            bot.stats().replies_sent += 1;
            info!(%user, intent = intent.as_str(), accepted = receipt.message_id().is_some(), "reply sent");
        }
        Err(error) => {
            bot.stats().reply_failures += 1;
            warn!(%user, intent = intent.as_str(), %error, "reply failed");
        }
    }
}

/// Answers `GRAFIK`: the chart of the child the sender last talked about, uploaded and
/// sent as an image; a text when the bot knows no child of the sender.
async fn send_chart(bot: &Bot, user: &str, to: Recipient, quoting: Option<MessageId>) {
    let content: Result<Content, String> = async {
        let Some(child) = bot.last_child.get(user) else {
            return Ok(Text::new(grafik::NO_CHILD).into());
        };
        let (png, caption) = match grafik::render(&child) {
            Ok(chart) => chart,
            Err(problem) => return Ok(Text::new(problem).into()),
        };
        let media = bot
            .phone
            .upload_media(png, grafik::MIME, "grafik.png")
            .await
            .map_err(|e| e.to_string())?;
        Ok(Content::Image(Media::id(media).caption(caption)))
    }
    .await;
    let message = content.and_then(|content| {
        Message::new(to, content)
            .map(|m| match quoting {
                Some(id) => m.reply_to(id),
                None => m,
            })
            .map_err(|e| e.to_string())
    });
    let message = match message {
        Ok(message) => message,
        Err(error) => {
            bot.stats().reply_failures += 1;
            warn!(%user, intent = "chart", error = %mask_identifiers(&error), "reply not built");
            return;
        }
    };
    match bot.phone.send(&message).await {
        Ok(_) => {
            bot.stats().replies_sent += 1;
            info!(%user, intent = "chart", "reply sent");
        }
        Err(error) => {
            bot.stats().reply_failures += 1;
            warn!(%user, intent = "chart", %error, "reply failed");
        }
    }
}

/// GET /stats: the counters, for a request bearing the token.
async fn stats(State(bot): State<Arc<Bot>>, headers: HeaderMap) -> Result<Json<Stats>, StatusCode> {
    let given = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|value| value.as_bytes().strip_prefix(b"Bearer "));
    let authorized = match (given, &bot.stats_token) {
        // Compared as digests, in constant time, so neither content nor length leaks.
        (Some(given), Some(token)) => bool::from(
            Sha256::digest(given).ct_eq(&Sha256::digest(token.expose_secret().as_bytes())),
        ),
        _ => false,
    };
    if !authorized {
        return Err(StatusCode::UNAUTHORIZED);
    }
    Ok(Json(bot.stats().clone()))
}

/// GET /_mock/requests (`--mock` only): the requests the mock Graph API received, each
/// as `{"method", "path", "content_type", "size", "body"}` (`body` is `null` for a
/// media upload, which is not JSON; `size` is its length in bytes).
async fn mock_requests(State(bot): State<Arc<Bot>>) -> Json<serde_json::Value> {
    let requests = bot
        .mock
        .as_ref()
        .map(MockGraphApi::requests)
        .unwrap_or_default();
    Json(
        requests
            .iter()
            .map(|r| {
                serde_json::json!({
                    "method": r.method,
                    "path": r.path,
                    "content_type": r.content_type,
                    "size": r.body.len(),
                    "body": r.json(),
                })
            })
            .collect(),
    )
}
