//! `sehat phone`.

use clap::Subcommand;

use crate::error::Result;

/// The `sehat phone` subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {}

/// Runs one `sehat phone` subcommand.
pub fn run(command: Command) -> Result {
    match command {}
}
