//! Sending the reminders through an SQLite outbox (sehat-outbox), and hearing back through
//! signed status webhooks.
//!
//! Every family's reminder is scheduled in `target/posyandu/outbox.db` under a key naming
//! the child and the day to come (`imunisasi/<child>/<date>`), due two days before that
//! day (at once when the dose is overdue) and expiring a week after it; then whatever is due is
//! dispatched. A second run for the same date finds every key already there and sends
//! nothing twice. A run for a later date sends what became due since, and right before
//! each send checks the register again: a reminder whose doses were all given in between
//! is cancelled, and one replaced by this run's reminder for the same child is
//! superseded.
//!
//! Without credentials the run talks to the crate's mock Graph API on loopback, which posts
//! signed status webhooks to a small axum server started here, exactly as Meta would post
//! them to a business's webhook URL. The mock is given a fixed failure plan, so the summary
//! shows what a real day shows: numbers that are not on WhatsApp (131026, reported
//! asynchronously in a `failed` status), a server error the client retries, and one send
//! whose answer never arrives, which is reported as unknown and never sent again.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::error::Error;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use sehat::outbox::dispatch::{
    CheckBeforeSend, DispatchEvent, Dispatcher, Pacing, RunMode, StopSignal, Verdict,
};
use sehat::outbox::model::{MessageKey, NewMessage, Purpose, State as MessageState};
use sehat::outbox::store::{Claimed, Store as _};
use sehat::outbox::webhook::InboxEvent;
use sehat::outbox::{Outbox, OutboxKeys};
use sehat::pseudonym::PhoneNumber;
use sehat::tanggal::hari_tanggal;
use sehat::whatsapp::Client;
use sehat::whatsapp::ids::PhoneNumberId;
use sehat::whatsapp::webhook::{WebhookPayload, WebhookVerifier};
use sehat_whatsapp_mock::{Failure, MockGraphApi};
use serde_json::json;
use time::macros::{offset, time};
use time::{Date, OffsetDateTime};
use tokio::sync::mpsc;

use crate::register::Child;
use crate::reminders::DueDose;

/// The UTILITY template the reminders use (Bahasa Indonesia, named parameters).
pub const TEMPLATE: &str = "pengingat_imunisasi";

/// The template's body as registered with Meta.
const TEMPLATE_BODY: &str = "Halo Bapak/Ibu, {{nama_anak}} dijadwalkan mendapat imunisasi \
{{vaksin}} pada {{tanggal}} di {{posyandu}}. Mohon bawa Buku KIA. Terima kasih.";

/// The app secret the mock signs its status webhooks with (loopback only).
const MOCK_APP_SECRET: &str = "posyandu-example-app-secret";

/// How many days before the day to come a reminder goes out.
const LEAD_DAYS: i64 = 2;

/// What one reminder says.
#[derive(Debug, Clone)]
pub struct Reminder {
    /// The child's first name, as the parent knows the child.
    pub child: String,
    /// The doses due, as the Buku KIA names them.
    pub doses: Vec<String>,
    /// The date to come, written in Bahasa Indonesia.
    pub date: String,
    /// The Posyandu to come to.
    pub posyandu: String,
    /// The day to come (the reminder's window ends with it).
    pub visit: Date,
}

impl Reminder {
    /// The reminder for one child: the doses due, on the register's next Posyandu day
    /// when it is still to come (`session`), else on the earliest recommended date that is
    /// not already past (an overdue dose is due today).
    pub fn new(child: &Child, doses: &[DueDose], on: Date, session: Date) -> Reminder {
        let date = if session >= on {
            session
        } else {
            doses
                .iter()
                .filter_map(|d| d.recommended)
                .min()
                .map_or(on, |d| d.max(on))
        };
        Reminder {
            child: child
                .name
                .split_whitespace()
                .next()
                .unwrap_or(&child.name)
                .to_owned(),
            doses: doses.iter().map(|d| d.label.clone()).collect(),
            date: hari_tanggal(date),
            posyandu: child.posyandu.clone(),
            visit: date,
        }
    }
}

/// One family to remind.
#[derive(Debug)]
pub struct Outgoing {
    /// The child's index in the register.
    pub child_index: usize,
    /// The child's register id.
    pub child_id: String,
    /// The parent's number, normalized; it leaves this process only inside the request to
    /// the Cloud API.
    pub number: PhoneNumber,
    /// The parent's pseudonym: what logs and reports carry instead of the number.
    pub pseudonym: String,
    /// What to say.
    pub reminder: Reminder,
}

/// What became of one family's reminder in this run.
#[derive(Debug, Clone, Default)]
pub struct SendResult {
    /// `accepted` (sent now), `rejected`, `unknown` (the request left, no answer came
    /// back), `scheduled` (due on a later day), `sent_earlier` (by an earlier run) or the
    /// outbox state it ended in (`expired`, `cancelled` …).
    pub outcome: &'static str,
    /// The last status a webhook reported (`sent`, `delivered`, `read`, `failed`).
    pub status: Option<String>,
    /// Why it failed: `131026 Message undeliverable`, or the send error.
    pub failure: Option<String>,
    /// The outbox key.
    pub key: String,
}

/// The day's sends.
#[derive(Debug)]
pub struct Delivery {
    /// Where the reminders went.
    pub endpoint: String,
    /// One result per reminder, in the order of the reminders.
    pub results: Vec<SendResult>,
    /// Status webhooks received (each verified and applied to the outbox).
    pub webhooks: usize,
    /// Reminders of earlier runs cancelled now: their doses were given in between.
    pub cancelled: usize,
    /// Reminders of earlier runs replaced by this run's reminder for the same child.
    pub superseded: usize,
    /// Reminders of earlier runs that became due and were sent now.
    pub earlier_sent: usize,
    /// The outbox file.
    pub outbox: String,
}

impl Delivery {
    /// Reminders the API accepted in this run.
    pub fn accepted(&self) -> usize {
        self.count("accepted")
    }

    /// Reminders with this outcome.
    pub fn count(&self, outcome: &str) -> usize {
        self.results.iter().filter(|r| r.outcome == outcome).count()
    }

    /// Accepted reminders by their last reported status.
    pub fn by_status(&self) -> BTreeMap<String, usize> {
        let mut out = BTreeMap::new();
        for result in self.results.iter().filter(|r| r.outcome == "accepted") {
            let status = result
                .status
                .clone()
                .unwrap_or_else(|| "no status yet".to_owned());
            *out.entry(status).or_default() += 1;
        }
        out
    }

    /// Failures by reason: rejected sends, failed deliveries and unknown outcomes.
    pub fn failures(&self) -> BTreeMap<String, usize> {
        let mut out = BTreeMap::new();
        for result in &self.results {
            if let Some(reason) = &result.failure {
                *out.entry(reason.clone()).or_default() += 1;
            }
        }
        out
    }
}

/// The outbox key of a family's reminder.
fn key_of(item: &Outgoing) -> String {
    format!("imunisasi/{}/{}", item.child_id, item.reminder.visit)
}

/// 08:00 WIB on a day.
fn morning(day: Date) -> OffsetDateTime {
    day.with_time(time!(8:00)).assume_offset(offset!(+7))
}

/// The register's word right before a send: this run's reminders go; an earlier run's
/// reminder goes only if it is still this run's (same key); otherwise it is cancelled when
/// none of its doses is still due (given in between) and superseded when this run has
/// another reminder for the child.
struct StillDue {
    /// This run's keys.
    current: HashSet<String>,
    /// Per child id: the doses due now.
    due_now: HashMap<String, HashSet<String>>,
}

impl CheckBeforeSend for StillDue {
    async fn check(&self, message: &Claimed) -> Verdict {
        if self.current.contains(message.key.as_str()) {
            return Verdict::Send;
        }
        let child = message.key.as_str().split('/').nth(1).unwrap_or_default();
        let due = self.due_now.get(child);
        let doses = message.params.get("vaksin").map_or("", String::as_str);
        let still_due = doses
            .split(", ")
            .any(|dose| due.is_some_and(|d| d.contains(dose)));
        if still_due {
            Verdict::Supersede
        } else {
            Verdict::Cancel
        }
    }
}

/// Schedules every family's reminder in the outbox at `path` and sends what is due on
/// `on`: to the real Cloud API when `WHATSAPP_TOKEN` and `WHATSAPP_PHONE_NUMBER_ID` are
/// set, else to the mock Graph API.
pub async fn send(
    path: &Path,
    outgoing: &[Outgoing],
    due: &[(String, Vec<DueDose>)],
    on: Date,
) -> Result<Delivery, Box<dyn Error>> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
    }
    let keys = OutboxKeys::open_or_create(format!("{}.keys", path.display()))?;
    let outbox = Outbox::open(&format!("sqlite:{}", path.display()), keys).await?;

    // Schedule: one message per family, due two days before the day to come.
    let mut messages = Vec::with_capacity(outgoing.len());
    for item in outgoing {
        let r = &item.reminder;
        let not_before = morning(r.visit - time::Duration::days(LEAD_DAYS));
        let message = NewMessage::new(
            MessageKey::new(&key_of(item))?,
            outbox.keys().subject_of_phone(&item.number),
            outbox.keys().token_of_phone(&item.number)?,
            Purpose::Reminder,
            TEMPLATE,
            "id",
            not_before,
        )
        .not_after(morning(r.visit + time::Duration::days(7)))
        .param("nama_anak", r.child.clone())
        .param("vaksin", r.doses.join(", "))
        .param("tanggal", r.date.clone())
        .param("posyandu", r.posyandu.clone());
        messages.push(message);
    }
    let keys: Vec<MessageKey> = messages.iter().map(|m| m.key.clone()).collect();
    let mut before = Vec::with_capacity(keys.len());
    for key in &keys {
        before.push(outbox.store().message(key).await?.map(|m| m.state));
    }
    outbox
        .store()
        .schedule(&messages, OffsetDateTime::now_utc())
        .await?;

    let hook = StillDue {
        current: keys.iter().map(|k| k.as_str().to_owned()).collect(),
        due_now: due
            .iter()
            .map(|(child, doses)| {
                (
                    child.clone(),
                    doses.iter().map(|d| d.label.clone()).collect(),
                )
            })
            .collect(),
    };
    let now = morning(on) + time::Duration::hours(1);
    let live = (
        std::env::var("WHATSAPP_TOKEN"),
        std::env::var("WHATSAPP_PHONE_NUMBER_ID"),
    );
    let mut delivery = match live {
        (Ok(token), Ok(phone_number_id)) => {
            let phone = Client::builder(token)
                .no_pacing()
                .build()?
                .phone(PhoneNumberId::new(phone_number_id));
            let events = dispatch(&outbox, phone, hook, now, |_| {}).await?;
            let mut delivery = Delivery {
                endpoint: "WhatsApp Cloud API".to_owned(),
                results: Vec::new(),
                webhooks: 0,
                cancelled: 0,
                superseded: 0,
                earlier_sent: 0,
                outbox: path.display().to_string(),
            };
            collect(&mut delivery, &keys, &before, &events, &outbox).await?;
            delivery
        }
        _ => send_to_mock(&outbox, &keys, &before, hook, now, path).await?,
    };
    delivery.outbox = path.display().to_string();
    Ok(delivery)
}

/// Runs the dispatcher until idle and returns what it did, per key.
async fn dispatch<H: CheckBeforeSend>(
    outbox: &Outbox,
    phone: sehat::whatsapp::PhoneNumberApi,
    hook: H,
    now: OffsetDateTime,
    before_start: impl FnOnce(usize),
) -> Result<Vec<DispatchEvent>, Box<dyn Error>> {
    let due_now = outbox
        .store()
        .counts()
        .await?
        .iter()
        .filter(|c| c.state == MessageState::Scheduled)
        .map(|c| c.count)
        .sum::<u64>();
    before_start(usize::try_from(due_now).unwrap_or(usize::MAX));
    let events = Arc::new(Mutex::new(Vec::new()));
    let seen = events.clone();
    Dispatcher::new(outbox, phone)
        .check_before_send(hook)
        // 80 messages/s for the number; no parent gets two messages in one run here.
        .pacing(Pacing {
            per_second: 80,
            per_recipient: None,
        })
        .now_at(now)
        .on_event(move |event| {
            if let Ok(mut events) = seen.lock() {
                events.push(event.clone());
            }
        })
        .run(RunMode::UntilIdle, StopSignal::never())
        .await?;
    let events = events.lock().map(|e| e.clone()).unwrap_or_default();
    Ok(events)
}

/// Turns the dispatcher's events and the outbox's states into one result per family.
async fn collect(
    delivery: &mut Delivery,
    keys: &[MessageKey],
    before: &[Option<MessageState>],
    events: &[DispatchEvent],
    outbox: &Outbox,
) -> Result<(), Box<dyn Error>> {
    let mut now_sent = HashSet::new();
    let mut failures: HashMap<String, String> = HashMap::new();
    let mut unknown = HashSet::new();
    let current: HashSet<&str> = keys.iter().map(MessageKey::as_str).collect();
    for event in events {
        match event {
            DispatchEvent::Sent { key, .. } => {
                if !current.contains(key.as_str()) {
                    delivery.earlier_sent += 1;
                }
                now_sent.insert(key.as_str().to_owned());
            }
            DispatchEvent::Failed {
                key, code, reason, ..
            } => {
                failures.insert(
                    key.as_str().to_owned(),
                    code.map_or_else(|| reason.clone(), |c| format!("{c} {reason}")),
                );
            }
            DispatchEvent::Unknown { key, .. } => {
                unknown.insert(key.as_str().to_owned());
            }
            DispatchEvent::Cancelled { key } if !current.contains(key.as_str()) => {
                match outbox.store().message(key).await?.map(|m| m.state) {
                    Some(MessageState::Superseded) => delivery.superseded += 1,
                    _ => delivery.cancelled += 1,
                }
            }
            _ => {}
        }
    }
    for (key, was) in keys.iter().zip(before) {
        let state = outbox.store().message(key).await?.map(|m| m.state);
        let k = key.as_str();
        let (outcome, failure): (&'static str, Option<String>) = if now_sent.contains(k) {
            ("accepted", None)
        } else if unknown.contains(k) {
            (
                "unknown",
                Some("outcome unknown (timeout), not re-sent".to_owned()),
            )
        } else if let Some(reason) = failures.get(k) {
            ("rejected", Some(reason.clone()))
        } else {
            match (was, state) {
                (Some(MessageState::Sent | MessageState::Delivered | MessageState::Read), _) => {
                    ("sent_earlier", None)
                }
                (_, Some(MessageState::Scheduled)) => ("scheduled", None),
                (_, Some(other)) => (other.as_str(), None),
                (_, None) => ("missing", None),
            }
        };
        delivery.results.push(SendResult {
            outcome,
            status: None,
            failure,
            key: k.to_owned(),
        });
    }
    Ok(())
}

async fn send_to_mock(
    outbox: &Outbox,
    keys: &[MessageKey],
    before: &[Option<MessageState>],
    hook: StillDue,
    now: OffsetDateTime,
    path: &Path,
) -> Result<Delivery, Box<dyn Error>> {
    // The business's webhook endpoint: verifies every POST, then passes it on.
    let (tx, mut rx) = mpsc::unbounded_channel::<WebhookPayload>();
    let verifier = Arc::new(WebhookVerifier::new([MOCK_APP_SECRET]));
    let app = Router::new()
        .route("/webhook", post(receive))
        .with_state((verifier, tx));
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
    let webhook_url = format!("http://{}/webhook", listener.local_addr()?);
    let server = tokio::spawn(async move { axum::serve(listener, app).await });

    let mock = MockGraphApi::start()
        .await?
        .with_status_webhooks(webhook_url, MOCK_APP_SECRET);
    mock.add_template(json!({
        "name": TEMPLATE,
        "language": "id",
        "status": "APPROVED",
        "category": "UTILITY",
        "parameter_format": "NAMED",
        "components": [{
            "type": "BODY",
            "text": TEMPLATE_BODY,
            "example": {"body_text_named_params": [
                {"param_name": "nama_anak", "example": "Siti"},
                {"param_name": "vaksin", "example": "DPT-HB-Hib 2, Polio tetes 3"},
                {"param_name": "tanggal", "example": "Kamis, 26 November 2026"},
                {"param_name": "posyandu", "example": "Posyandu Melati 1"}
            ]}
        }]
    }));
    // A timeout short enough for the mock's one slow answer to time out; the dispatcher
    // paces the number itself.
    let client = mock
        .client_builder()
        .timeout(Duration::from_millis(700))
        .build()?;
    let phone = client.phone(PhoneNumberId::new(MockGraphApi::PHONE_NUMBER_ID));
    let events = dispatch(outbox, phone, hook, now, |due| {
        // The failure plan, one entry per request: what a day of real sends brings.
        for index in 0..due + 1 {
            mock.fail_next(match index % 20 {
                7 => Failure::DeliveryFailed(131_026),
                13 if index < 20 => Failure::ServerError,
                17 if index < 20 => Failure::Slow(Duration::from_millis(1200)),
                _ => Failure::Slow(Duration::ZERO),
            });
        }
    })
    .await?;
    let mut delivery = Delivery {
        endpoint: format!("mock Graph API at {}", mock.addr()),
        results: Vec::new(),
        webhooks: 0,
        cancelled: 0,
        superseded: 0,
        earlier_sent: 0,
        outbox: path.display().to_string(),
    };
    collect(&mut delivery, keys, before, &events, outbox).await?;

    // Hear back: every accepted message ends `read` or `failed`.
    let index: HashMap<String, usize> = delivery
        .results
        .iter()
        .enumerate()
        .map(|(i, r)| (r.key.clone(), i))
        .collect();
    let mut open: HashSet<String> = delivery
        .results
        .iter()
        .filter(|r| r.outcome == "accepted")
        .map(|r| r.key.clone())
        .collect();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while !open.is_empty() {
        let Ok(Some(payload)) = tokio::time::timeout_at(deadline, rx.recv()).await else {
            break;
        };
        delivery.webhooks += 1;
        let report = outbox
            .apply_webhook(&payload, OffsetDateTime::now_utc())
            .await?;
        for event in report.events {
            let InboxEvent::Status { key, state } = event else {
                continue;
            };
            let Some(&i) = index.get(key.as_str()) else {
                continue;
            };
            let result = &mut delivery.results[i];
            result.status = Some(state.as_str().to_owned());
            if state == MessageState::Failed {
                let code = outbox
                    .store()
                    .message(&key)
                    .await?
                    .and_then(|m| m.error_code)
                    .unwrap_or_default();
                result.failure = Some(format!("{code} Message undeliverable"));
            }
            if matches!(state, MessageState::Read | MessageState::Failed) {
                open.remove(key.as_str());
            }
        }
    }
    drop(mock);
    server.abort();
    Ok(delivery)
}

type Shared = (Arc<WebhookVerifier>, mpsc::UnboundedSender<WebhookPayload>);

/// The webhook endpoint: a POST whose signature does not verify is refused.
async fn receive(
    State((verifier, tx)): State<Shared>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    match verifier.verify_and_parse_headers(&headers, &body) {
        Ok(payload) => {
            let _ = tx.send(payload);
            StatusCode::OK
        }
        Err(_) => StatusCode::UNAUTHORIZED,
    }
}
