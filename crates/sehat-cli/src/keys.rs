//! `sehat keys`.

use clap::Subcommand;

use crate::error::Result;

/// The `sehat keys` subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {}

/// Runs one `sehat keys` subcommand.
pub fn run(command: Command) -> Result {
    match command {}
}
