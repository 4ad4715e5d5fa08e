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
//! before, `janji_dokter_2_jam`, unless the patient asked to reschedule. A reminder whose
//! time has passed at `--now` is not sent (`too_late`). Reminders go through the campaign
//! sender, so each is journaled (`reminders.journal` in `--out`) and never sent twice,
//! even across a restart.
//!
//! Patients' button presses arrive as signed `messages` webhooks of type `button` (posted
//! here on the patients' behalf, as Meta would, from the `simulated_reply` column) and
//! update the appointment: `confirmed` or `reschedule_requested`; no answer leaves
//! `no_reply`. Answers are kept in `replies.csv` in `--out`, so a second run remembers them.
//!
//! ```text
//! cargo run --example appointments -- --out /tmp/klinik
//! ```
//!
//! Stdout is a summary; `--out` receives `appointments_status.csv` (numbers masked).

use std::collections::{BTreeMap, HashMap};
use std::error::Error;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use clap::Parser;
use sehat::pseudonym::{PhoneNumber, Region};
use sehat::whatsapp::PhoneNumberApi;
use sehat::whatsapp::campaign::{Campaign, CampaignRecipient, FileJournal, Outcome};
use sehat::whatsapp::ids::{MessageId, PhoneNumberId, WaId};
use sehat::whatsapp::message::{ButtonParam, Language, Message, Parameter, TemplateMessage};
use sehat::whatsapp::mock::MockGraphApi;
use sehat::whatsapp::webhook::{Event, MessageContent, WebhookVerifier};
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
    /// Where the journal and the status file go (created when missing).
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

/// Reminders due at one time: (appointment index, which reminder).
type Due = Vec<(usize, Kind)>;

struct Appointment {
    id: String,
    patient: String,
    number: PhoneNumber,
    doctor: String,
    time: OffsetDateTime,
    simulated_reply: String,
    status: &'static str,
    reminders: BTreeMap<Kind, String>,
    sent: HashMap<Kind, MessageId>,
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
                sent: HashMap::new(),
            }),
            Err(e) => rejected.push(format!("line {line} ({}): {e}", &record[cols[0]])),
        }
    }
    Ok((appointments, rejected))
}

/// A patient pressed a quick-reply button.
#[derive(Debug)]
struct Press {
    payload: String,
    replying_to: Option<MessageId>,
}

async fn webhook(
    State(tx): State<mpsc::UnboundedSender<Press>>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let signature = headers
        .get("x-hub-signature-256")
        .and_then(|v| v.to_str().ok());
    let Ok(payload) = WebhookVerifier::new([APP_SECRET]).verify_and_parse(&body, signature) else {
        return StatusCode::FORBIDDEN;
    };
    for event in payload.events() {
        if let Event::Message(message) = event
            && let MessageContent::Button(button) = &message.message.content
            && let Some(payload) = &button.payload
        {
            let _ = tx.send(Press {
                payload: payload.clone(),
                replying_to: message.message.context.as_ref().and_then(|c| c.id.clone()),
            });
        }
    }
    StatusCode::OK
}

fn template(appointment: &Appointment, kind: Kind) -> TemplateMessage {
    let when = show(appointment.time);
    let first = appointment
        .patient
        .split(' ')
        .next()
        .unwrap_or(&appointment.patient);
    match kind {
        Kind::Day => TemplateMessage::new(TEMPLATE_24H, Language::new("id"))
            .body([
                Parameter::text(first),
                Parameter::text(&appointment.doctor),
                Parameter::text(format!("{when} WIB")),
            ])
            .button(ButtonParam::quick_reply(
                0,
                format!("konfirmasi:{}", appointment.id),
            ))
            .button(ButtonParam::quick_reply(
                1,
                format!("ubah:{}", appointment.id),
            )),
        Kind::TwoHours => TemplateMessage::new(TEMPLATE_2H, Language::new("id")).body([
            Parameter::text(first),
            Parameter::text(&appointment.doctor),
            Parameter::text(format!("{when} WIB")),
        ]),
    }
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

async fn send_batch(
    phone: &PhoneNumberApi,
    args: &Args,
    batch: &[(usize, Kind)],
    appointments: &mut [Appointment],
) -> Result<(), Box<dyn Error>> {
    let mut recipients = Vec::with_capacity(batch.len());
    for &(i, kind) in batch {
        let appointment = &appointments[i];
        let to = WaId::parse(appointment.number.expose_wa_id())?;
        let key = format!(
            "{}:{}",
            appointment.id,
            if kind == Kind::Day { "24h" } else { "2h" }
        );
        recipients.push(CampaignRecipient::with_key(
            key,
            Message::new(to, template(appointment, kind))?,
        ));
    }
    let journal = FileJournal::open(args.out.join("reminders.journal"))?;
    let report = Campaign::new(journal)
        .no_pacing()
        .run(phone, recipients)
        .await?;
    for (&(i, kind), outcome) in batch.iter().zip(&report.outcomes) {
        let label = match &outcome.outcome {
            Outcome::Sent(id) => {
                appointments[i].sent.insert(kind, id.clone());
                "sent".to_owned()
            }
            Outcome::Skipped => "sent_earlier".to_owned(),
            Outcome::Unknown => "unknown".to_owned(),
            Outcome::Failed { reason, .. } | Outcome::RetryLater { reason, .. } => reason.clone(),
            other => format!("{other:?}").to_lowercase(),
        };
        appointments[i].reminders.insert(kind, label);
    }
    Ok(())
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
    let http = reqwest::Client::new();

    // The timeline: every reminder at its time; those already past are too late.
    let mut timeline: BTreeMap<OffsetDateTime, Due> = BTreeMap::new();
    for (i, appointment) in appointments.iter_mut().enumerate() {
        for (kind, before) in [
            (Kind::Day, Span::hours(24)),
            (Kind::TwoHours, Span::hours(2)),
        ] {
            let at = appointment.time - before;
            if at < args.now {
                appointment.reminders.insert(kind, "too_late".to_owned());
            } else {
                timeline.entry(at).or_default().push((i, kind));
            }
        }
    }
    for (at, due) in timeline {
        // Patients who asked to reschedule get no 2 h reminder.
        let (send, skip): (Due, Due) = due.into_iter().partition(|&(i, kind)| {
            kind == Kind::Day || appointments[i].status != "reschedule_requested"
        });
        for (i, kind) in skip {
            appointments[i]
                .reminders
                .insert(kind, "skipped_reschedule".to_owned());
        }
        if send.is_empty() {
            continue;
        }
        println!("{} WIB: {} reminder(s)", show(at), send.len());
        send_batch(&phone, &args, &send, &mut appointments).await?;

        // The patients' answers to the 24 h reminders sent now.
        let mut expected = 0;
        for &(i, kind) in &send {
            let appointment = &appointments[i];
            let (Kind::Day, Some(wamid)) = (kind, appointment.sent.get(&Kind::Day)) else {
                continue;
            };
            let text = match appointment.simulated_reply.as_str() {
                "konfirmasi" => "Konfirmasi",
                "ubah" => "Ubah jadwal",
                _ => continue,
            };
            let wa = appointment.number.expose_wa_id();
            let body = json!({"object": "whatsapp_business_account", "entry": [{"id": MockGraphApi::WABA_ID, "changes": [{"field": "messages", "value": {
                "messaging_product": "whatsapp",
                "metadata": {"display_phone_number": MockGraphApi::DISPLAY_PHONE_NUMBER, "phone_number_id": MockGraphApi::PHONE_NUMBER_ID},
                "contacts": [{"profile": {"name": appointment.patient}, "wa_id": wa}],
                "messages": [{"context": {"from": MockGraphApi::DISPLAY_PHONE_NUMBER, "id": wamid}, "from": wa, "id": format!("wamid.REPLY.{}", appointment.id), "timestamp": (at + Span::minutes(20)).unix_timestamp().to_string(), "type": "button", "button": {"payload": format!("{}:{}", appointment.simulated_reply, appointment.id), "text": text}}]
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
        for _ in 0..expected {
            let press = tokio::time::timeout(Duration::from_secs(10), rx.recv())
                .await
                .map_err(|_| "a reply webhook did not arrive within 10 s")?
                .ok_or("the webhook endpoint stopped")?;
            let Some((action, id)) = press.payload.split_once(':') else {
                return Err(format!("unexpected button payload {:?}", press.payload).into());
            };
            let Some(appointment) = appointments.iter_mut().find(|a| a.id == id) else {
                return Err(format!("a reply names the unknown appointment {id}").into());
            };
            if press.replying_to.as_ref() != appointment.sent.get(&Kind::Day) {
                return Err(format!("the reply for {id} quotes another message").into());
            }
            appointment.status = match action {
                "konfirmasi" => "confirmed",
                "ubah" => "reschedule_requested",
                other => return Err(format!("unexpected button action {other:?}").into()),
            };
            writeln!(replies_log, "{id},{}", appointment.status)?;
            replies_log.sync_data()?;
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
