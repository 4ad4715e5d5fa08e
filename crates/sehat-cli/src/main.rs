//! `sehat`: the sehat crates on the command line.
//!
//! CSV in, CSV out, for researchers and operators: WHO growth z-scores (`sehat anthro`),
//! phone-number normalization and pseudonyms (`sehat phone`, `sehat keys`), immunization
//! forecasts (`sehat immunization`), WhatsApp Cloud API tools (`sehat whatsapp`) and the
//! durable outbox of reminders, consent and campaigns (`sehat outbox`).
//!
//! Errors print one line to stderr and the process exits with status 1; results go to
//! stdout, or to the file named by `--output`.
#![forbid(unsafe_code)]

mod anthro;
mod error;
mod immunization;
mod io;
mod keys;
mod outbox;
mod phone;
mod whatsapp;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Health-messaging building blocks on the command line.
#[derive(Debug, Parser)]
#[command(
    name = "sehat",
    version,
    about,
    propagate_version = true,
    max_term_width = 100
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// WHO growth z-scores (Child Growth Standards 0-5 y, Growth Reference 5-19 y).
    #[command(subcommand)]
    Anthro(anthro::Command),
    /// Phone numbers: normalize to E.164 and pseudonymize.
    #[command(subcommand)]
    Phone(phone::Command),
    /// Pseudonym keysets: generate and inspect.
    #[command(subcommand)]
    Keys(keys::Command),
    /// Immunization evaluation and forecasts (CDC CDSi logic).
    #[command(subcommand)]
    Immunization(immunization::Command),
    /// WhatsApp Cloud API: inspect and verify webhooks, send, run campaigns.
    #[command(subcommand)]
    Whatsapp(whatsapp::Command),
    /// Durable reminders, consent and campaigns on SQLite or PostgreSQL.
    #[command(subcommand)]
    Outbox(outbox::Command),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Anthro(command) => anthro::run(command),
        Command::Phone(command) => phone::run(command),
        Command::Keys(command) => keys::run(command),
        Command::Immunization(command) => immunization::run(command),
        Command::Whatsapp(command) => whatsapp::run(command),
        Command::Outbox(command) => outbox::run(command),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("sehat: error: {error}");
            ExitCode::FAILURE
        }
    }
}
