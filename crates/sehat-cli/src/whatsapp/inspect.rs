//! `sehat whatsapp inspect`.

use crate::error::{CliError, Result};

/// Arguments of `sehat whatsapp inspect`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `sehat whatsapp inspect`.
pub fn run(_args: Args) -> Result {
    Err(CliError::msg(
        "sehat whatsapp inspect is not available in this build",
    ))
}
