//! `sehat whatsapp`.

mod campaign;
mod inspect;
mod mock;
mod send;
mod verify;

use clap::Subcommand;

use crate::error::Result;

/// The `sehat whatsapp` subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print one JSON line per event in webhook bodies or Graph API error bodies.
    Inspect(inspect::Args),
    /// Check a webhook body's X-Hub-Signature-256 header against the app secret.
    Verify(verify::Args),
    /// Send one template message through the Cloud API (token from the environment).
    SendTemplate(send::Args),
    /// Send one template to every row of an audience CSV, resumably (journal), live or
    /// rehearsed against the embedded mock Graph API.
    Campaign(campaign::Args),
    /// The mock Graph API as a server on loopback, to test a bot in any language offline.
    #[command(subcommand)]
    Mock(mock::Command),
}

/// Runs one `sehat whatsapp` subcommand.
pub fn run(command: Command) -> Result {
    match command {
        Command::Inspect(args) => inspect::run(args),
        Command::Verify(args) => verify::run(args),
        Command::SendTemplate(args) => send::run(args),
        Command::Campaign(args) => campaign::run(args),
        Command::Mock(command) => mock::run(command),
    }
}
