//! `sehat whatsapp send`.

use crate::error::{CliError, Result};

/// Arguments of `sehat whatsapp send`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `sehat whatsapp send`.
pub fn run(_args: Args) -> Result {
    Err(CliError::msg(
        "sehat whatsapp send is not available in this build",
    ))
}
