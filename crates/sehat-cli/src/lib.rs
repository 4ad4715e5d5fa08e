#![doc = include_str!("../README.md")]
//!
//! This library holds the `sehat` binary's commands; it is not a stable API. Its one
//! public function, [`main`], runs the binary.
#![forbid(unsafe_code)]

mod anthro;
mod csv_input;
mod error;
mod immunization;
mod io;
mod keys;
mod outbox;
mod phone;
mod whatsapp;

#[doc(hidden)]
pub mod fuzzing;

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

/// Runs the `sehat` binary on the process's arguments.
///
/// Errors print one line to stderr and the process exits with status 1; results go to
/// stdout, or to the file named by `--output`.
#[must_use]
pub fn main() -> ExitCode {
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
