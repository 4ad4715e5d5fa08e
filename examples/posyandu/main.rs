//! A Posyandu reminder day, the crates composed: the main job of the workspace.
//!
//! ```text
//! cargo run --release --example posyandu
//! cargo run --release --example posyandu -- --date 2026-12-03 --register my-register.json --log send-log.jsonl --outbox my-outbox.db
//! ```
//!
//! For every child in the register it computes the latest WHO z-scores and Permenkes
//! categories (sehat-anthro), forecasts immunizations with Indonesia's national schedule
//! `id-kemenkes` (sehat-immunization), selects the families to remind (a dose due or
//! overdue in the next 7 days) and the children to flag for the health worker (stunted or
//! wasted), normalizes and pseudonymizes every parent's number (sehat-pseudonym), sends
//! UTILITY template reminders in Bahasa Indonesia with named parameters through an SQLite
//! outbox (sehat-outbox, `target/posyandu/outbox.db`: run twice for one date and nothing
//! is sent twice; run for a later date and what became due is sent, what was given in
//! between is cancelled), receives the signed status webhooks back, sends each family whose
//! child was weighed on the run date the child's weight-for-age chart (a PNG image with a
//! caption saying naik (N) or tidak naik (T) and what to do, once per child and day; see
//! `charts.rs`), prints a summary and writes JSONL send logs that hold pseudonyms only.
//!
//! With no credentials it talks to sehat-whatsapp's embedded mock Graph API on loopback, so
//! it needs no network. With `WHATSAPP_TOKEN` and `WHATSAPP_PHONE_NUMBER_ID` set it sends
//! through the real Cloud API (and the template `pengingat_imunisasi` must exist in the
//! account); status webhooks then arrive at the webhook server you registered with Meta,
//! not here. The pseudonym keyset comes from `SEHAT_KEYSET` (see sehat-pseudonym) or, if
//! unset, is generated for this run only.

mod charts;
mod growth;
mod messaging;
mod register;
mod reminders;
mod report;

use std::error::Error;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::Parser;
use sehat::pseudonym::{Domain, Keyset, PhoneNumber, Region, Subject};
use time::Date;

use crate::messaging::{Outgoing, Reminder};
use crate::register::Register;

/// A Posyandu reminder day: growth, immunization forecasts and WhatsApp reminders.
#[derive(Debug, Parser)]
struct Args {
    /// The day to run for (YYYY-MM-DD); the register's `posyandu_date` by default.
    #[arg(long, value_parser = parse_date)]
    date: Option<Date>,
    /// The Posyandu register (JSON).
    #[arg(long, default_value = "examples/data/posyandu-register.json")]
    register: PathBuf,
    /// Where to write the JSONL send log (pseudonyms only).
    #[arg(long, default_value = "target/posyandu/send-log.jsonl")]
    log: PathBuf,
    /// Where to write the JSONL log of the growth charts sent (pseudonyms only); by
    /// default `chart-log.jsonl` next to the send log.
    #[arg(long)]
    chart_log: Option<PathBuf>,
    /// The SQLite outbox that remembers every reminder across runs (its keys go in
    /// OUTBOX.keys/).
    #[arg(long, default_value = "target/posyandu/outbox.db")]
    outbox: PathBuf,
    /// How many days ahead a dose counts as due.
    #[arg(long, default_value_t = 7)]
    days: u16,
}

fn parse_date(text: &str) -> Result<Date, String> {
    sehat::tanggal::parse_iso(text).map_err(|e| e.to_string())
}

/// The pseudonym domain of the reminder service's logs.
const DOMAIN: &str = "posyandu-reminders";

#[tokio::main]
async fn main() -> ExitCode {
    match run(Args::parse()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("posyandu: error: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn run(args: Args) -> Result<(), Box<dyn Error>> {
    let started = Instant::now();
    let register = Register::load(&args.register)?;
    let on = args.date.unwrap_or(register.posyandu_date);
    if let Some(child) = register.children.iter().find(|c| c.birth_date > on) {
        return Err(format!("child {} is born after the run date {on}", child.id).into());
    }

    // Growth at the latest weighing, and the children to flag for the health worker.
    let growth: Vec<_> = register.children.iter().map(growth::latest).collect();

    // Immunizations due or overdue in the coming week.
    let due = reminders::due(&register, on, args.days)?;

    // Parents' numbers: normalized, then known only by their pseudonym outside this process.
    let keyset = match std::env::var_os(sehat::pseudonym::KEYSET_ENV) {
        Some(_) => Keyset::from_env()?,
        None => Keyset::generate()?,
    };
    let domain = Domain::new(DOMAIN)?;
    let pseudonymizer = keyset.pseudonymizer(&domain);
    let mut phones = report::PhoneTally::default();
    let mut outgoing = Vec::new();
    let mut skipped = Vec::new();
    for (index, child) in register.children.iter().enumerate() {
        let number = PhoneNumber::parse_mobile(&child.parent_phone, Region::ID);
        phones.count(&number, child.parent_phone.trim().is_empty());
        let doses = &due[index];
        if doses.is_empty() {
            continue;
        }
        match number {
            Ok(number) => {
                let pseudonym = pseudonymizer
                    .pseudonymize(&Subject::phone(&number))
                    .to_string();
                outgoing.push(Outgoing {
                    child_index: index,
                    child_id: child.id.clone(),
                    pseudonym,
                    number,
                    reminder: Reminder::new(child, doses, on, register.posyandu_date),
                });
            }
            Err(error) => skipped.push((index, error)),
        }
    }

    let due_by_child: Vec<(String, Vec<reminders::DueDose>)> = register
        .children
        .iter()
        .zip(&due)
        .map(|(child, doses)| (child.id.clone(), doses.clone()))
        .collect();
    let delivery = messaging::send(&args.outbox, &outgoing, &due_by_child, on).await?;
    let log_lines = report::write_log(&args.log, &register, &outgoing, &skipped, &delivery, on)?;

    // Each child weighed today: the growth chart with naik/tidak naik, to the family.
    let charts = charts::send(&args.outbox, &register, on, &keyset, &domain).await?;
    let chart_log = args.chart_log.clone().unwrap_or_else(|| {
        args.log
            .parent()
            .unwrap_or_else(|| std::path::Path::new(""))
            .join("chart-log.jsonl")
    });
    report::write_chart_log(&chart_log, &charts, on)?;
    report::print_summary(&report::Summary {
        register: &register,
        on,
        days: args.days,
        growth: &growth,
        due: &due,
        phones: &phones,
        outgoing: &outgoing,
        skipped: &skipped,
        delivery: &delivery,
        log: &args.log,
        log_lines,
        charts: &charts,
        chart_log: &chart_log,
        elapsed: started.elapsed(),
    });
    Ok(())
}
