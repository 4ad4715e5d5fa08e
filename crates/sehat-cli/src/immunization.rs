//! `sehat immunization`.

use clap::Subcommand;

use crate::error::Result;

/// The `sehat immunization` subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {}

/// Runs one `sehat immunization` subcommand.
pub fn run(command: Command) -> Result {
    match command {}
}
