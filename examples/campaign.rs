//! A breast-cancer awareness campaign ("Pita Pink") to opted-in contacts, with a group for
//! community education — offline, against the in-process mock Graph API.
//!
//! 1. Contacts come from a CSV (`nama,phone,opted_in,simulated_reply`); numbers in any
//!    human format are normalized with sehat-pseudonym (mobile numbers, region ID). Only
//!    contacts with `opted_in = ya` are in the audience; unusable numbers are counted and
//!    named by line, never printed.
//! 2. Users who stopped marketing messages arrive as signed `user_preferences` webhooks
//!    (the `STOP` rows) and are recorded in the outbox's consent registry.
//! 3. The business creates the education group (Groups API); its id arrives in the
//!    signed `group_lifecycle_update` webhook, and the invite link is fetched.
//! 4. The MARKETING template `pita_pink_2026` goes to the audience as a campaign in an
//!    SQLite outbox (sehat-outbox, in `--out`): run again and nobody gets it twice.
//! 5. Those who answer `GABUNG` (the `GABUNG` rows: their replies are simulated as Meta
//!    would post them) get the invite link; when they join, the
//!    `group_participants_update` webhook counts them, and the group gets a welcome.
//!
//! ```text
//! cargo run --example campaign -- --out /tmp/pita-pink
//! ```
//!
//! Stdout is a summary; `--out` receives the outbox `campaign.db` (with its keys in
//! `campaign.db.keys/`) and `contacts_report.csv` (masked numbers only). Nothing is sent
//! to Meta.

use std::collections::{HashMap, HashSet};
use std::error::Error;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use clap::Parser;
use sehat::outbox::campaign::{Campaign, CampaignReport, Member};
use sehat::outbox::dispatch::{Dispatcher, RunMode, StopSignal};
use sehat::outbox::model::{ConsentPolicy, Purpose, State as MessageState};
use sehat::outbox::{Outbox, OutboxKeys};
use sehat::pseudonym::{PhoneNumber, Region};
use sehat::whatsapp::group::{GroupsApi, JoinApprovalMode, NewGroup};
use sehat::whatsapp::ids::{GroupId, PhoneNumberId, WaId};
use sehat::whatsapp::message::{Message, Text};
use sehat::whatsapp::webhook::{Event, GroupEventKind, WebhookPayload, WebhookVerifier};
use sehat_whatsapp_mock::MockGraphApi;
use serde_json::json;
use tokio::sync::mpsc;

const APP_SECRET: &str = "pita-pink-demo-secret";
const TEMPLATE: &str = "pita_pink_2026";

/// The Pita Pink campaign, offline.
#[derive(Debug, Parser)]
struct Args {
    /// The contacts CSV.
    #[arg(long, default_value = "examples/data/campaign_contacts.csv")]
    contacts: PathBuf,
    /// Where the outbox and the report go (created when missing).
    #[arg(long)]
    out: PathBuf,
}

/// What the webhook endpoint hands to the campaign.
#[derive(Debug)]
enum Inbound {
    GroupCreated {
        request_id: String,
        group_id: String,
    },
    Joined(usize),
    Reply {
        from: WaId,
        text: String,
    },
    /// A verified payload with a `user_preferences` change, for the outbox.
    Preference(Box<WebhookPayload>),
    Status,
}

struct Contact {
    line: usize,
    number: PhoneNumber,
    name: String,
    opted_in: bool,
    simulated_reply: String,
}

fn read_contacts(args: &Args) -> Result<(Vec<Contact>, Vec<String>), Box<dyn Error>> {
    let mut reader = csv::Reader::from_path(&args.contacts)
        .map_err(|e| format!("{}: {e}", args.contacts.display()))?;
    let header = reader.headers()?.clone();
    let column = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| format!("{}: no column {name:?}", args.contacts.display()))
    };
    let (name, phone, opted, reply) = (
        column("nama")?,
        column("phone")?,
        column("opted_in")?,
        column("simulated_reply")?,
    );
    let mut contacts = Vec::new();
    let mut rejected = Vec::new();
    let mut seen = HashSet::new();
    for (index, record) in reader.records().enumerate() {
        let line = index + 2;
        let record = record?;
        match PhoneNumber::parse_mobile(&record[phone], Region::ID) {
            Ok(number) if seen.insert(number.expose_wa_id().to_owned()) => contacts.push(Contact {
                line,
                number,
                name: record[name].to_owned(),
                opted_in: record[opted].trim().eq_ignore_ascii_case("ya"),
                simulated_reply: record[reply].trim().to_owned(),
            }),
            Ok(number) => rejected.push(format!("line {line}: {number} is listed twice")),
            Err(e) => rejected.push(format!("line {line}: {e}")),
        }
    }
    Ok((contacts, rejected))
}

/// The callback URL's handler: verify, parse, forward.
async fn webhook(
    State(tx): State<mpsc::UnboundedSender<Inbound>>,
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
        let inbound = match event {
            Event::Group(update) => {
                let group = update.group;
                match (&group.kind, &group.group_id, &group.request_id) {
                    (Some(GroupEventKind::Create), Some(id), Some(request)) => {
                        Inbound::GroupCreated {
                            request_id: request.clone(),
                            group_id: id.clone(),
                        }
                    }
                    (
                        Some(GroupEventKind::ParticipantsAdd | GroupEventKind::AddParticipants),
                        ..,
                    ) => Inbound::Joined(group.added_participants.len()),
                    _ => continue,
                }
            }
            Event::Message(message) => match (&message.message.from, message.message.text()) {
                (Some(from), Some(text)) => Inbound::Reply {
                    from: from.clone(),
                    text: text.to_owned(),
                },
                _ => continue,
            },
            Event::UserPreference(_) => Inbound::Preference(Box::new(payload.clone())),
            Event::Status(_) => Inbound::Status,
            _ => continue,
        };
        let _ = tx.send(inbound);
    }
    StatusCode::OK
}

/// Posts a webhook to our own endpoint, signed as Meta signs them (the simulated user).
async fn simulate(
    http: &reqwest::Client,
    url: &str,
    field: &str,
    value: serde_json::Value,
) -> Result<(), Box<dyn Error>> {
    let body = json!({"object": "whatsapp_business_account", "entry": [{"id": MockGraphApi::WABA_ID, "changes": [{"field": field, "value": value}]}]}).to_string();
    let signature = sehat::whatsapp::webhook::sign_payload(APP_SECRET.as_bytes(), body.as_bytes());
    let status = http
        .post(url)
        .header("content-type", "application/json")
        .header("x-hub-signature-256", signature)
        .body(body)
        .send()
        .await?
        .status();
    if !status.is_success() {
        return Err(format!("the webhook endpoint answered {status}").into());
    }
    Ok(())
}

fn metadata() -> serde_json::Value {
    json!({"display_phone_number": MockGraphApi::DISPLAY_PHONE_NUMBER, "phone_number_id": MockGraphApi::PHONE_NUMBER_ID})
}

/// Waits for the next inbound event that `pick` accepts.
async fn next<T>(
    rx: &mut mpsc::UnboundedReceiver<Inbound>,
    mut pick: impl FnMut(Inbound) -> Option<T>,
) -> Result<T, Box<dyn Error>> {
    loop {
        let event = tokio::time::timeout(Duration::from_secs(10), rx.recv())
            .await
            .map_err(|_| "no webhook arrived within 10 s")?
            .ok_or("the webhook endpoint stopped")?;
        if let Some(found) = pick(event) {
            return Ok(found);
        }
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    match run(args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("campaign: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn run(args: Args) -> Result<(), Box<dyn Error>> {
    std::fs::create_dir_all(&args.out)?;
    let (contacts, rejected) = read_contacts(&args)?;

    // The callback URL, and the mock posting status and group webhooks to it.
    let (tx, mut rx) = mpsc::unbounded_channel();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let callback = format!("http://{}/webhook", listener.local_addr()?);
    let app = Router::new()
        .route("/webhook", post(webhook))
        .with_state(tx);
    tokio::spawn(async move { axum::serve(listener, app).await });
    let mock = MockGraphApi::start()
        .await?
        .with_status_webhooks(&callback, APP_SECRET);
    mock.add_template(json!({
        "name": TEMPLATE, "language": "id", "status": "APPROVED", "category": "MARKETING",
        "components": [
            {"type": "BODY", "text": "Halo {{1}}, Oktober adalah bulan Pita Pink. Periksa payudara sendiri (SADARI) setiap bulan dan datang ke Puskesmas untuk SADANIS gratis. Balas GABUNG untuk bergabung dengan grup edukasi."},
            {"type": "FOOTER", "text": "Balas STOP untuk berhenti"}
        ]
    }));
    let client = mock.client()?;
    let phone = client.phone(PhoneNumberId::new(MockGraphApi::PHONE_NUMBER_ID));
    let http = reqwest::Client::new();

    // The outbox: campaign state, consent and keys, kept in --out.
    let db = args.out.join("campaign.db");
    let keys = OutboxKeys::open_or_create(args.out.join("campaign.db.keys"))?;
    let outbox = Outbox::open(&format!("sqlite:{}", db.display()), keys).await?;

    // Earlier opt-outs arrive as user_preferences webhooks.
    let stops: Vec<&Contact> = contacts
        .iter()
        .filter(|c| c.simulated_reply.eq_ignore_ascii_case("STOP"))
        .collect();
    for contact in &stops {
        let wa = contact.number.expose_wa_id();
        simulate(&http, &callback, "user_preferences", json!({
            "messaging_product": "whatsapp", "metadata": metadata(),
            "contacts": [{"profile": {"name": contact.name}, "wa_id": wa}],
            "user_preferences": [{"wa_id": wa, "detail": "User requested to stop marketing messages", "category": "marketing_messages", "value": "stop", "timestamp": 1_764_115_200}]
        })).await?;
    }
    for _ in &stops {
        let preference = next(&mut rx, |e| match e {
            Inbound::Preference(p) => Some(p),
            _ => None,
        })
        .await?;
        outbox
            .apply_webhook(&preference, time::OffsetDateTime::now_utc())
            .await?;
    }

    // The education group.
    let groups = GroupsApi::new(client.clone(), phone.id().clone());
    let created = groups
        .create(
            &NewGroup::new("Pita Pink Jakarta Timur")?
                .description(
                    "Edukasi deteksi dini kanker payudara: SADARI, SADANIS, jadwal Puskesmas.",
                )?
                .join_approval(JoinApprovalMode::AutoApprove),
        )
        .await?;
    let group = next(&mut rx, |e| match e {
        Inbound::GroupCreated {
            request_id,
            group_id,
        } if request_id == created.request_id => Some(GroupId::new(group_id)),
        _ => None,
    })
    .await?;
    let invite = groups.invite_link(&group).await?.invite_link;

    // The campaign: one message per opted-in contact, keyed by the campaign and the
    // contact's pseudonym; the audience is the opt-in list, a later opt-out still wins.
    let audience: Vec<&Contact> = contacts.iter().filter(|c| c.opted_in).collect();
    let members: Vec<Member> = audience
        .iter()
        .map(|c| {
            Member::new(c.number.clone()).param("1", c.name.split(' ').next().unwrap_or(&c.name))
        })
        .collect();
    let campaign = Campaign::new("pita-pink-2026", TEMPLATE, "id")?;
    // The campaign goes out on a fixed morning, so the rehearsal is the same at any hour
    // of the day (the dispatcher holds messages through the recipients' quiet hours).
    let launch = time::macros::datetime!(2026-10-01 09:00 +07:00);
    let scheduled = campaign.schedule(&outbox, &members, launch).await?;
    let before = Campaign::states(&outbox, &scheduled.keys).await?;
    Dispatcher::new(&outbox, phone.clone())
        .no_pacing()
        .now_at(launch)
        .consent_policy(ConsentPolicy::default().require_opt_in(Purpose::Campaign, false))
        .run(RunMode::UntilIdle, StopSignal::never())
        .await?;
    let after = Campaign::states(&outbox, &scheduled.keys).await?;
    let report = CampaignReport::from_states(&before, &after);

    // Replies: GABUNG gets the invite link; tapping it joins the group.
    let mut outcome_of: HashMap<&str, &'static str> = HashMap::new();
    for ((contact, was), now) in audience.iter().zip(&before).zip(&after) {
        let sent = |s: Option<&(MessageState, Option<i64>)>| {
            matches!(
                s.map(|s| s.0),
                Some(MessageState::Sent | MessageState::Delivered | MessageState::Read)
            )
        };
        let outcome = if sent(was.as_ref()) {
            "done_earlier"
        } else if sent(now.as_ref()) {
            "sent"
        } else {
            now.map_or("not_scheduled", |(state, _)| match state {
                MessageState::Suppressed => "opted_out",
                other => other.as_str(),
            })
        };
        outcome_of.insert(contact.number.expose_wa_id(), outcome);
    }
    let repliers: Vec<&&Contact> = audience
        .iter()
        .filter(|c| c.simulated_reply.eq_ignore_ascii_case("GABUNG"))
        .filter(|c| {
            matches!(
                outcome_of.get(c.number.expose_wa_id()),
                Some(&("sent" | "done_earlier"))
            )
        })
        .collect();
    for (i, contact) in repliers.iter().enumerate() {
        let wa = contact.number.expose_wa_id();
        simulate(&http, &callback, "messages", json!({
            "messaging_product": "whatsapp", "metadata": metadata(),
            "contacts": [{"profile": {"name": contact.name}, "wa_id": wa}],
            "messages": [{"from": wa, "id": format!("wamid.GABUNG{i:06}"), "timestamp": "1764115800", "type": "text", "text": {"body": "gabung"}}]
        })).await?;
    }
    let (mut links_sent, mut joined) = (0, 0);
    let mut invited = HashSet::new();
    while links_sent < repliers.len() || joined < repliers.len() {
        let event = next(&mut rx, Some).await?;
        match event {
            Inbound::Reply { from, text } if text.trim().eq_ignore_ascii_case("GABUNG") => {
                let welcome = Text::new(format!(
                    "Terima kasih! Bergabunglah dengan grup Pita Pink: {invite}"
                ));
                phone.send(&Message::new(from.clone(), welcome)?).await?;
                links_sent += 1;
                invited.insert(from.as_str().to_owned());
                // The user taps the link.
                if mock.join_via_invite_link(&group, from.as_str()).is_none() {
                    return Err("the invite link was not accepted".into());
                }
            }
            Inbound::Joined(n) => joined += n,
            _ => {}
        }
    }
    groups
        .send(&group, Text::new("Selamat datang di grup Pita Pink! Setiap Senin kami berbagi satu tips deteksi dini."))
        .await?;
    let members = groups
        .get(
            &group,
            &[sehat::whatsapp::group::GroupField::TotalParticipantCount],
        )
        .await?;

    // The report, with masked numbers.
    let mut writer = csv::Writer::from_path(args.out.join("contacts_report.csv"))?;
    writer.write_record(["line", "phone", "opted_in", "campaign", "invite_link_sent"])?;
    for contact in &contacts {
        let wa = contact.number.expose_wa_id();
        let campaign = outcome_of.get(wa).copied().unwrap_or("not_opted_in");
        writer.write_record([
            contact.line.to_string(),
            contact.number.to_string(),
            if contact.opted_in { "ya" } else { "tidak" }.to_owned(),
            campaign.to_owned(),
            if invited.contains(wa) { "ya" } else { "tidak" }.to_owned(),
        ])?;
    }
    writer.flush()?;

    println!(
        "contacts: {} ({} unusable)",
        contacts.len() + rejected.len(),
        rejected.len()
    );
    for reason in &rejected {
        println!("  unusable {reason}");
    }
    println!("audience (opted in): {}", audience.len());
    println!("sent: {}", report.sent);
    println!("skipped (done by an earlier run): {}", report.skipped);
    println!("opted out: {}", report.opted_out);
    println!("unknown: {}", report.unknown);
    println!(
        "failed: {}",
        report.failed_total() + report.retry_later_total()
    );
    println!("GABUNG replies: {}", repliers.len());
    println!("invite links sent: {links_sent}");
    println!("joined the group: {joined}");
    println!(
        "group members: {}",
        members.total_participant_count.unwrap_or(0)
    );
    Ok(())
}
