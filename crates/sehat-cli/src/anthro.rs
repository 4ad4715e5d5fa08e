//! `sehat anthro`.

use clap::Subcommand;

use crate::error::Result;

/// The `sehat anthro` subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {}

/// Runs one `sehat anthro` subcommand.
pub fn run(command: Command) -> Result {
    match command {}
}
