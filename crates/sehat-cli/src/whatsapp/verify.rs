//! `sehat whatsapp verify`.

use crate::error::{CliError, Result};

/// Arguments of `sehat whatsapp verify`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `sehat whatsapp verify`.
pub fn run(_args: Args) -> Result {
    Err(CliError::msg(
        "sehat whatsapp verify is not available in this build",
    ))
}
