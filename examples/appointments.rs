//! Doctor-appointment reminders from a clinic list — offline, against the in-process mock
//! Graph API.
//!
//! The clinic list is a CSV (`id,patient,phone,doctor,time,simulated_reply`; times in WIB,
//! UTC+7). Phone numbers in any human format are normalized with sehat-pseudonym (mobile
//! numbers, region ID); an unusable one is reported by line, never printed.
//!
//! Each appointment gets two reminders on a simulated clock starting at `--now`: 24 h
//! before, the UTILITY template `pengingat_janji_dokter` with the quick-reply buttons
//! "Konfirmasi" and "Ubah jadwal" (payloads `konfirmasi:<id>` and `ubah:<id>`); 2 h
//! before, `janji_dokter_2_jam`, unless the patient asked to reschedule. Every reminder is
//! scheduled in an SQLite outbox (sehat-outbox, `reminders.db` in `--out`) with its window:
//! a reminder whose time has passed by more than an hour at `--now` expires (`too_late`);
//! the dispatcher runs at each reminder's time on the simulated clock, holds quiet hours
//! (21:00–07:00 WIB) and never sends a key twice, even across a restart.
//!
//! Patients' button presses arrive as signed `messages` webhooks of type `button` (posted
//! here on the patients' behalf, as Meta would, from the `simulated_reply` column) quoting
//! the reminder they answer. The outbox finds the reminder by its message id and reports
//! the reply: "Konfirmasi" confirms, "Ubah jadwal" asks to reschedule and cancels the 2 h
//! reminder; no answer leaves `no_reply`. Answers are kept in `replies.csv` in `--out`, so
//! a second run remembers them.
//!
//! ```text
//! cargo run --example appointments -- --out /tmp/klinik
//! ```
//!
//! Stdout is a summary; `--out` receives `appointments_status.csv` (numbers masked).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::error::Error;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use clap::Parser;
use sehat::outbox::dispatch::{DispatchEvent, Dispatcher, RunMode, StopSignal, Transport};
use sehat::outbox::model::{MessageKey, NewMessage, Purpose, State as MessageState};
use sehat::outbox::store::Store as _;
use sehat::outbox::webhook::{InboxEvent, ReplyKind};
use sehat::outbox::{Outbox, OutboxKeys};
use sehat::pseudonym::{PhoneNumber, Region};
use sehat::whatsapp::ids::{MessageId, PhoneNumberId};
use sehat::whatsapp::message::Message;
use sehat::whatsapp::webhook::{WebhookPayload, WebhookVerifier};
use sehat::whatsapp::{PhoneNumberApi, SendReceipt};
use sehat_whatsapp_mock::MockGraphApi;
use serde_json::json;
use time::macros::{format_description, offset};
use time::{Duration as Span, OffsetDateTime, PrimitiveDateTime};
use tokio::sync::mpsc;

const APP_SECRET: &str = "klinik-demo-secret";
const TEMPLATE_24H: &str = "pengingat_janji_dokter";
const TEMPLATE_2H: &str = "janji_dokter_2_jam";

/// Appointment reminders, offline.
#[derive(Debug, Parser)]
struct Args {
    /// The clinic list.
    #[arg(long, default_value = "examples/data/appointments.csv")]
    clinic: PathBuf,
    /// Where the outbox and the status file go (created when missing).
    #[arg(long)]
    out: PathBuf,
    /// The simulated clock's start, in WIB (`YYYY-MM-DD HH:MM`).
    #[arg(long, default_value = "2026-12-01 07:00", value_parser = parse_wib)]
    now: OffsetDateTime,
}

fn parse_wib(text: &str) -> Result<OffsetDateTime, String> {
    PrimitiveDateTime::parse(
        text.trim(),
        format_description!("[year]-[month]-[day] [hour]:[minute]"),
    )
    .map(|t| t.assume_offset(offset!(+7)))
    .map_err(|e| format!("{text:?}: expected YYYY-MM-DD HH:MM ({e})"))
}

fn show(time: OffsetDateTime) -> String {
    time.format(format_description!("[year]-[month]-[day] [hour]:[minute]"))
        .unwrap_or_default()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Kind {
    Day,
    TwoHours,
}

struct Appointment {
    id: String,
    patient: String,
    number: PhoneNumber,
    doctor: String,
    time: OffsetDateTime,
    simulated_reply: String,
    status: &'static str,
    reminders: BTreeMap<Kind, String>,
}

fn read_clinic(args: &Args) -> Result<(Vec<Appointment>, Vec<String>), Box<dyn Error>> {
    let mut reader = csv::Reader::from_path(&args.clinic)
        .map_err(|e| format!("{}: {e}", args.clinic.display()))?;
    let header = reader.headers()?.clone();
    let column = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| format!("{}: no column {name:?}", args.clinic.display()))
    };
    let cols = [
        column("id")?,
        column("patient")?,
        column("phone")?,
        column("doctor")?,
        column("time")?,
        column("simulated_reply")?,
    ];
    let mut appointments = Vec::new();
    let mut rejected = Vec::new();
    for (index, record) in reader.records().enumerate() {
        let line = index + 2;
        let record = record?;
        let time = parse_wib(&record[cols[4]])
            .map_err(|e| format!("{}, line {line}, column time: {e}", args.clinic.display()))?;
        match PhoneNumber::parse_mobile(&record[cols[2]], Region::ID) {
            Ok(number) => appointments.push(Appointment {
                id: record[cols[0]].to_owned(),
                patient: record[cols[1]].to_owned(),
                number,
                doctor: record[cols[3]].to_owned(),
                time,
                simulated_reply: record[cols[5]].trim().to_ascii_lowercase(),
                status: "no_reply",
                reminders: BTreeMap::new(),
            }),
            Err(e) => rejected.push(format!("line {line} ({}): {e}", &record[cols[0]])),
        }
    }
    Ok((appointments, rejected))
}

/// The callback URL's handler: verify, parse, pass on.
async fn webhook(
    State(tx): State<mpsc::UnboundedSender<WebhookPayload>>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let signature = headers
        .get("x-hub-signature-256")
        .and_then(|v| v.to_str().ok());
    let Ok(payload) = WebhookVerifier::new([APP_SECRET]).verify_and_parse(&body, signature) else {
        return StatusCode::FORBIDDEN;
    };
    let _ = tx.send(payload);
    StatusCode::OK
}

/// The mock number, remembering the message id of every accepted send by recipient and
/// template (the simulated patients quote it when they answer).
#[derive(Clone)]
struct Recording {
    phone: PhoneNumberApi,
    sent: Arc<Mutex<HashMap<(String, String), MessageId>>>,
}

impl Transport for Recording {
    fn business_number(&self) -> &PhoneNumberId {
        self.phone.id()
    }

    async fn send(&self, message: &Message) -> Result<SendReceipt, sehat::whatsapp::Error> {
        let receipt = self.phone.send_unpaced(message).await?;
        let body = serde_json::to_value(message).unwrap_or_default();
        let to = body["to"].as_str().unwrap_or_default().to_owned();
        let template = body["template"]["name"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        if let (Some(id), Ok(mut sent)) = (receipt.message_id(), self.sent.lock()) {
            sent.insert((to, template), id.clone());
        }
        Ok(receipt)
    }
}

fn key_of(appointment: &Appointment, kind: Kind) -> String {
    format!(
        "{}/{}",
        appointment.id,
        if kind == Kind::Day { "24h" } else { "2h" }
    )
}

/// One reminder as an outbox message: due at its time, expiring an hour later (24 h) or
/// at the appointment (2 h).
fn message(
    outbox: &Outbox,
    appointment: &Appointment,
    kind: Kind,
) -> Result<NewMessage, Box<dyn Error>> {
    let first = appointment
        .patient
        .split(' ')
        .next()
        .unwrap_or(&appointment.patient);
    let (template, before, window) = match kind {
        Kind::Day => (TEMPLATE_24H, Span::hours(24), Span::hours(1)),
        Kind::TwoHours => (TEMPLATE_2H, Span::hours(2), Span::hours(2)),
    };
    let at = appointment.time - before;
    Ok(NewMessage::new(
        MessageKey::new(&key_of(appointment, kind))?,
        outbox.keys().subject_of_phone(&appointment.number),
        outbox.keys().token_of_phone(&appointment.number)?,
        Purpose::Appointment,
        template,
        "id",
        at,
    )
    .not_after(at + window)
    .param("1", first)
    .param("2", appointment.doctor.clone())
    .param("3", format!("{} WIB", show(appointment.time))))
}

#[tokio::main]
async fn main() -> ExitCode {
    match run(Args::parse()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("appointments: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn run(args: Args) -> Result<(), Box<dyn Error>> {
    std::fs::create_dir_all(&args.out)?;
    let (mut appointments, rejected) = read_clinic(&args)?;
    // Answers from earlier runs (one `id,status` line each), so a restart keeps them.
    let replies_path = args.out.join("replies.csv");
    if let Ok(text) = std::fs::read_to_string(&replies_path) {
        for (index, line) in text.lines().enumerate() {
            let (id, status) = line.split_once(',').ok_or_else(|| {
                format!(
                    "{}, line {}: expected id,status",
                    replies_path.display(),
                    index + 1
                )
            })?;
            let status = match status {
                "confirmed" => "confirmed",
                "reschedule_requested" => "reschedule_requested",
                other => {
                    return Err(format!(
                        "{}, line {}: unknown status {other:?}",
                        replies_path.display(),
                        index + 1
                    )
                    .into());
                }
            };
            if let Some(appointment) = appointments.iter_mut().find(|a| a.id == id) {
                appointment.status = status;
            }
        }
    }
    let mut replies_log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&replies_path)?;

    let (tx, mut rx) = mpsc::unbounded_channel();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let callback = format!("http://{}/webhook", listener.local_addr()?);
    let app = Router::new()
        .route("/webhook", post(webhook))
        .with_state(tx);
    tokio::spawn(async move { axum::serve(listener, app).await });
    let mock = MockGraphApi::start().await?;
    for (name, body, buttons) in [
        (
            TEMPLATE_24H,
            "Halo {{1}}, besok Anda punya janji temu dengan {{2}} pada {{3}}. Mohon konfirmasi kehadiran Anda.",
            true,
        ),
        (
            TEMPLATE_2H,
            "Halo {{1}}, janji temu Anda dengan {{2}} pukul {{3}}, dua jam lagi. Sampai jumpa di klinik.",
            false,
        ),
    ] {
        let mut components = vec![json!({"type": "BODY", "text": body})];
        if buttons {
            components.push(json!({"type": "BUTTONS", "buttons": [
                {"type": "QUICK_REPLY", "text": "Konfirmasi"},
                {"type": "QUICK_REPLY", "text": "Ubah jadwal"}
            ]}));
        }
        mock.add_template(json!({"name": name, "language": "id", "status": "APPROVED", "category": "UTILITY", "components": components}));
    }
    let phone = mock
        .client()?
        .phone(PhoneNumberId::new(MockGraphApi::PHONE_NUMBER_ID));
    let transport = Recording {
        phone,
        sent: Arc::new(Mutex::new(HashMap::new())),
    };
    let http = reqwest::Client::new();

    // Every reminder in the outbox, at its time; a second run finds them all there.
    let db = args.out.join("reminders.db");
    let keys = OutboxKeys::open_or_create(args.out.join("reminders.db.keys"))?;
    let outbox = Outbox::open(&format!("sqlite:{}", db.display()), keys).await?;
    let mut messages = Vec::new();
    let mut before: HashMap<String, Option<MessageState>> = HashMap::new();
    let mut times = BTreeSet::new();
    for appointment in &appointments {
        for kind in [Kind::Day, Kind::TwoHours] {
            let message = message(&outbox, appointment, kind)?;
            let state = outbox.store().message(&message.key).await?.map(|m| m.state);
            before.insert(message.key.as_str().to_owned(), state);
            if message.not_before >= args.now {
                times.insert(message.not_before);
            }
            messages.push(message);
        }
    }
    outbox.store().schedule(&messages, args.now).await?;
    let index: HashMap<String, (usize, Kind)> = appointments
        .iter()
        .enumerate()
        .flat_map(|(i, a)| [Kind::Day, Kind::TwoHours].map(|k| (key_of(a, k), (i, k))))
        .collect();

    // The simulated clock: the dispatcher runs at --now and at each reminder's time.
    let mut sent_now: BTreeMap<String, OffsetDateTime> = BTreeMap::new();
    for at in std::iter::once(args.now).chain(times.into_iter().filter(|t| *t > args.now)) {
        let events = Arc::new(Mutex::new(Vec::new()));
        let seen = events.clone();
        Dispatcher::new(&outbox, transport.clone())
            .no_pacing()
            .now_at(at)
            .on_event(move |event| {
                if let (DispatchEvent::Sent { key, .. }, Ok(mut seen)) = (event, seen.lock()) {
                    seen.push(key.as_str().to_owned());
                }
            })
            .run(RunMode::UntilIdle, StopSignal::never())
            .await?;
        let sent: Vec<String> = events.lock().map(|e| e.clone()).unwrap_or_default();
        if sent.is_empty() {
            continue;
        }
        println!(
            "{} WIB: {} reminder(s)",
            show(at.to_offset(offset!(+7))),
            sent.len()
        );

        // The patients' answers to the 24 h reminders sent now, quoting them.
        let mut expected = 0;
        for key in &sent {
            sent_now.insert(key.clone(), at);
            let Some(&(i, Kind::Day)) = index.get(key) else {
                continue;
            };
            let appointment = &appointments[i];
            let text = match appointment.simulated_reply.as_str() {
                "konfirmasi" => "Konfirmasi",
                "ubah" => "Ubah jadwal",
                _ => continue,
            };
            let wa = appointment.number.expose_wa_id();
            let quoted = transport
                .sent
                .lock()
                .ok()
                .and_then(|s| s.get(&(wa.to_owned(), TEMPLATE_24H.to_owned())).cloned())
                .ok_or("the reminder's message id is not known")?;
            let body = json!({"object": "whatsapp_business_account", "entry": [{"id": MockGraphApi::WABA_ID, "changes": [{"field": "messages", "value": {
                "messaging_product": "whatsapp",
                "metadata": {"display_phone_number": MockGraphApi::DISPLAY_PHONE_NUMBER, "phone_number_id": MockGraphApi::PHONE_NUMBER_ID},
                "contacts": [{"profile": {"name": appointment.patient}, "wa_id": wa}],
                "messages": [{"context": {"from": MockGraphApi::DISPLAY_PHONE_NUMBER, "id": quoted}, "from": wa, "id": format!("wamid.REPLY.{}", appointment.id), "timestamp": (at + Span::minutes(20)).unix_timestamp().to_string(), "type": "button", "button": {"payload": text, "text": text}}]
            }}]}]}).to_string();
            let signature =
                sehat::whatsapp::webhook::sign_payload(APP_SECRET.as_bytes(), body.as_bytes());
            http.post(&callback)
                .header("content-type", "application/json")
                .header("x-hub-signature-256", signature)
                .body(body)
                .send()
                .await?
                .error_for_status()?;
            expected += 1;
        }
        let mut answered = 0;
        while answered < expected {
            let payload = tokio::time::timeout(Duration::from_secs(10), rx.recv())
                .await
                .map_err(|_| "a reply webhook did not arrive within 10 s")?
                .ok_or("the webhook endpoint stopped")?;
            let report = outbox.apply_webhook(&payload, at).await?;
            for event in report.events {
                let InboxEvent::Reply { key, reply, .. } = event else {
                    continue;
                };
                answered += 1;
                let key = key.ok_or("a reply quotes no reminder of the outbox")?;
                let &(i, _) = index
                    .get(key.as_str())
                    .ok_or_else(|| format!("a reply names the unknown reminder {key}"))?;
                let appointment = &mut appointments[i];
                appointment.status = match reply {
                    ReplyKind::Confirm => "confirmed",
                    ReplyKind::Reschedule => {
                        // No 2 h reminder for an appointment that will move.
                        let two_hours = MessageKey::new(&key_of(appointment, Kind::TwoHours))?;
                        outbox
                            .store()
                            .cancel(&two_hours, MessageState::Cancelled, at)
                            .await?;
                        "reschedule_requested"
                    }
                    _ => continue,
                };
                writeln!(replies_log, "{},{}", appointment.id, appointment.status)?;
                replies_log.sync_data()?;
            }
        }
    }

    // What became of every reminder.
    for appointment in &mut appointments {
        for kind in [Kind::Day, Kind::TwoHours] {
            let k = key_of(appointment, kind);
            let state = outbox
                .store()
                .message(&MessageKey::new(&k)?)
                .await?
                .map(|m| m.state);
            let label = if sent_now.contains_key(&k) {
                "sent"
            } else {
                match (before.get(&k).copied().flatten(), state) {
                    (
                        Some(MessageState::Sent | MessageState::Delivered | MessageState::Read),
                        _,
                    ) => "sent_earlier",
                    (_, Some(MessageState::Expired)) => "too_late",
                    (_, Some(MessageState::Cancelled)) => "skipped_reschedule",
                    (_, Some(other)) => other.as_str(),
                    (_, None) => "missing",
                }
            };
            appointment.reminders.insert(kind, label.to_owned());
        }
    }

    let mut writer = csv::Writer::from_path(args.out.join("appointments_status.csv"))?;
    writer.write_record([
        "id",
        "patient",
        "phone",
        "doctor",
        "time",
        "reminder_24h",
        "reminder_2h",
        "status",
    ])?;
    let label = |a: &Appointment, kind: Kind| a.reminders.get(&kind).cloned().unwrap_or_default();
    for a in &appointments {
        writer.write_record([
            a.id.clone(),
            a.patient.clone(),
            a.number.to_string(),
            a.doctor.clone(),
            show(a.time),
            label(a, Kind::Day),
            label(a, Kind::TwoHours),
            a.status.to_owned(),
        ])?;
    }
    writer.flush()?;

    let count = |f: &dyn Fn(&Appointment) -> bool| appointments.iter().filter(|a| f(a)).count();
    println!(
        "appointments: {} ({} unusable)",
        appointments.len() + rejected.len(),
        rejected.len()
    );
    for reason in &rejected {
        println!("  unusable {reason}");
    }
    println!(
        "24h reminders sent: {}",
        count(&|a| label(a, Kind::Day) == "sent")
    );
    println!(
        "24h reminders too late: {}",
        count(&|a| label(a, Kind::Day) == "too_late")
    );
    println!(
        "2h reminders sent: {}",
        count(&|a| label(a, Kind::TwoHours) == "sent")
    );
    println!(
        "2h reminders skipped (reschedule): {}",
        count(&|a| label(a, Kind::TwoHours) == "skipped_reschedule")
    );
    println!("confirmed: {}", count(&|a| a.status == "confirmed"));
    println!(
        "reschedule requested: {}",
        count(&|a| a.status == "reschedule_requested")
    );
    println!("no reply: {}", count(&|a| a.status == "no_reply"));
    Ok(())
}
