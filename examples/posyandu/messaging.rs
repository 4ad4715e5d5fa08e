//! Sending the reminders through sehat-whatsapp, and hearing back through signed status
//! webhooks.
//!
//! Without credentials the run talks to the crate's mock Graph API on loopback, which posts
//! signed status webhooks to a small axum server started here, exactly as Meta would post
//! them to a business's webhook URL. The mock is given a fixed failure plan, so the summary
//! shows what a real day shows: numbers that are not on WhatsApp (131026, reported
//! asynchronously in a `failed` status), a server error the client retries, and one send
//! whose answer never arrives, which is reported as unknown and never sent again.

use std::collections::{BTreeMap, HashMap};
use std::error::Error;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use sehat::pseudonym::PhoneNumber;
use sehat::whatsapp::ids::{PhoneNumberId, WaId};
use sehat::whatsapp::message::{Language, Message, TemplateMessage};
use sehat::whatsapp::mock::{Failure, MockGraphApi};
use sehat::whatsapp::pacing::Pacing;
use sehat::whatsapp::webhook::{Event, WebhookVerifier};
use sehat::whatsapp::{Client, Error as WhatsAppError};
use serde_json::json;
use time::Date;
use tokio::sync::mpsc;

use crate::register::Child;
use crate::reminders::DueDose;
use crate::tanggal::hari_tanggal;

/// The UTILITY template the reminders use (Bahasa Indonesia, named parameters).
pub const TEMPLATE: &str = "pengingat_imunisasi";

/// The template's body as registered with Meta.
const TEMPLATE_BODY: &str = "Halo Bapak/Ibu, {{nama_anak}} dijadwalkan mendapat imunisasi \
{{vaksin}} pada {{tanggal}} di {{posyandu}}. Mohon bawa Buku KIA. Terima kasih.";

/// The app secret the mock signs its status webhooks with (loopback only).
const MOCK_APP_SECRET: &str = "posyandu-example-app-secret";

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
}

impl Reminder {
    /// The reminder for one child: the doses due, on the earliest recommended date that is
    /// not already past (an overdue dose is due today).
    pub fn new(child: &Child, doses: &[DueDose], on: Date) -> Reminder {
        let date = doses
            .iter()
            .filter_map(|d| d.recommended)
            .min()
            .map_or(on, |d| d.max(on));
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
        }
    }

    fn message(&self, to: WaId, child_id: &str) -> Result<Message, WhatsAppError> {
        let template = TemplateMessage::new(TEMPLATE, Language::new("id")).named_body([
            ("nama_anak", self.child.clone()),
            ("vaksin", self.doses.join(", ")),
            ("tanggal", self.date.clone()),
            ("posyandu", self.posyandu.clone()),
        ]);
        // The child's register id comes back in every status webhook.
        Ok(Message::new(to, template)?.callback_data(child_id)?)
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

/// What became of one reminder.
#[derive(Debug, Clone, Default)]
pub struct SendResult {
    /// The message id, when the API accepted the send.
    pub wamid: Option<String>,
    /// `accepted`, `rejected` or `unknown` (the request left, no answer came back).
    pub outcome: &'static str,
    /// The last status a webhook reported (`sent`, `delivered`, `read`, `failed`).
    pub status: Option<String>,
    /// Why it failed: `131026 Message undeliverable`, or the client error.
    pub failure: Option<String>,
}

/// The day's sends.
#[derive(Debug)]
pub struct Delivery {
    /// Where the reminders went.
    pub endpoint: String,
    /// One result per reminder, in the order of the reminders.
    pub results: Vec<SendResult>,
    /// Status webhooks received (each verified).
    pub webhooks: usize,
}

impl Delivery {
    /// Reminders the API accepted.
    pub fn accepted(&self) -> usize {
        self.results
            .iter()
            .filter(|r| r.outcome == "accepted")
            .count()
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

/// A status webhook, reduced to what the summary needs.
struct StatusUpdate {
    wamid: String,
    status: String,
    failure: Option<String>,
}

/// Sends every reminder: to the real Cloud API when `WHATSAPP_TOKEN` and
/// `WHATSAPP_PHONE_NUMBER_ID` are set, else to the mock Graph API.
pub async fn send(outgoing: &[Outgoing]) -> Result<Delivery, Box<dyn Error>> {
    match (
        std::env::var("WHATSAPP_TOKEN"),
        std::env::var("WHATSAPP_PHONE_NUMBER_ID"),
    ) {
        (Ok(token), Ok(phone_number_id)) => {
            let client = Client::builder(token).build()?;
            let phone = client.phone(PhoneNumberId::new(phone_number_id));
            let results = send_all(&phone, outgoing, |_| {}).await?;
            Ok(Delivery {
                endpoint: "WhatsApp Cloud API".to_owned(),
                results,
                webhooks: 0,
            })
        }
        _ => send_to_mock(outgoing).await,
    }
}

async fn send_to_mock(outgoing: &[Outgoing]) -> Result<Delivery, Box<dyn Error>> {
    // The business's webhook endpoint: verifies every POST, then passes its statuses on.
    let (tx, mut rx) = mpsc::unbounded_channel::<StatusUpdate>();
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
    // Real pacing (80 messages/s for the number, a few seconds between two messages to one
    // parent), and a timeout short enough for the mock's one slow answer to time out.
    let client = mock
        .client_builder()
        .pacing(Pacing::default())
        .timeout(Duration::from_millis(700))
        .build()?;
    let phone = client.phone(PhoneNumberId::new(MockGraphApi::PHONE_NUMBER_ID));
    let mut results = send_all(&phone, outgoing, |index| {
        // The failure plan: what a day of real sends brings.
        match index % 20 {
            7 => mock.fail_next(Failure::DeliveryFailed(131_026)),
            13 if index < 20 => mock.fail_next(Failure::ServerError),
            17 if index < 20 => mock.fail_next(Failure::Slow(Duration::from_millis(1200))),
            _ => {}
        }
    })
    .await?;

    // Hear back: every accepted message ends `read` or `failed`.
    let by_wamid: HashMap<String, usize> = results
        .iter()
        .enumerate()
        .filter_map(|(i, r)| r.wamid.clone().map(|w| (w, i)))
        .collect();
    let mut open = by_wamid.len();
    let mut webhooks = 0;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while open > 0 {
        let Ok(Some(update)) = tokio::time::timeout_at(deadline, rx.recv()).await else {
            break;
        };
        webhooks += 1;
        let Some(&index) = by_wamid.get(&update.wamid) else {
            continue;
        };
        let result = &mut results[index];
        let was_final = matches!(result.status.as_deref(), Some("read" | "failed"));
        result.status = Some(update.status.clone());
        if update.failure.is_some() {
            result.failure = update.failure;
        }
        if !was_final && matches!(update.status.as_str(), "read" | "failed") {
            open -= 1;
        }
    }
    let endpoint = format!("mock Graph API at {}", mock.addr());
    drop(mock);
    server.abort();
    Ok(Delivery {
        endpoint,
        results,
        webhooks,
    })
}

/// Sends the reminders one after the other; `before_send` runs before each.
async fn send_all(
    phone: &sehat::whatsapp::PhoneNumberApi,
    outgoing: &[Outgoing],
    mut before_send: impl FnMut(usize),
) -> Result<Vec<SendResult>, Box<dyn Error>> {
    let mut results = Vec::with_capacity(outgoing.len());
    for (index, item) in outgoing.iter().enumerate() {
        let to = WaId::parse(item.number.expose_wa_id())?;
        let message = item.reminder.message(to, &item.child_id)?;
        before_send(index);
        let result = match phone.send(&message).await {
            Ok(receipt) => SendResult {
                wamid: receipt.message_id().map(|id| id.as_str().to_owned()),
                outcome: "accepted",
                ..SendResult::default()
            },
            Err(error) if !error.is_known_unsent() => SendResult {
                outcome: "unknown",
                failure: Some("outcome unknown (timeout), not re-sent".to_owned()),
                ..SendResult::default()
            },
            Err(error) => SendResult {
                outcome: "rejected",
                failure: Some(match error.api_error() {
                    Some(api) => format!("{} {}", api.code(), api.kind()),
                    None => error.to_string(),
                }),
                ..SendResult::default()
            },
        };
        results.push(result);
    }
    Ok(results)
}

type Shared = (Arc<WebhookVerifier>, mpsc::UnboundedSender<StatusUpdate>);

/// The webhook endpoint: a POST whose signature does not verify is refused.
async fn receive(
    State((verifier, tx)): State<Shared>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let payload = match verifier.verify_and_parse_headers(&headers, &body) {
        Ok(payload) => payload,
        Err(_) => return StatusCode::UNAUTHORIZED,
    };
    for event in payload.events() {
        if let Event::Status(event) = event {
            let status = event.status;
            let (Some(wamid), Some(kind)) = (&status.id, &status.status) else {
                continue;
            };
            let failure = status.errors.first().map(|e| {
                format!(
                    "{} {}",
                    e.code.unwrap_or_default(),
                    e.title.as_deref().unwrap_or("failed")
                )
            });
            let _ = tx.send(StatusUpdate {
                wamid: wamid.as_str().to_owned(),
                status: kind.to_string(),
                failure,
            });
        }
    }
    StatusCode::OK
}
