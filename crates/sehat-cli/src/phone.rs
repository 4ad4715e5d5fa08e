//! `sehat phone`: normalize phone numbers to E.164 and replace them by pseudonyms.

mod batch;
mod normalize;
mod pseudonymize;

pub(crate) use normalize::normalize;

use clap::Subcommand;
use sehat_pseudonym::{InvalidRegion, Region};

use crate::error::{CliError, Result};

/// The `sehat phone` subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Parse every row's `input` like libphonenumber and append its verdict.
    ///
    /// Reads the column `input` (required) and `default_region` (optional: per-row ISO
    /// region, empty for none; `--region` applies when the column is absent). Writes the
    /// input columns, then e164, is_possible, is_valid, number_type, parse_error, with
    /// libphonenumber's names and conventions: e164 is filled whenever parsing succeeded,
    /// valid or not; booleans are true/false. Rows stay in input order.
    Normalize(normalize::Args),
    /// Replace a column of phone numbers by keyed pseudonyms (pn1.KID.BASE32).
    ///
    /// The column's value is parsed with the strict policy (letters touching digits
    /// refused, 0062/001 62 read as +62, a valid number required); a value that fails goes
    /// to the `<COLUMN>_error` column and is never written out. The keyset comes from
    /// `--keyset FILE` or, without it, from the SEHAT_PSEUDONYM_KEYSET environment
    /// variable (the keyset's JSON text).
    Pseudonymize(pseudonymize::Args),
}

/// Runs one `sehat phone` subcommand.
pub fn run(command: Command) -> Result {
    match command {
        Command::Normalize(args) => normalize::run(&args),
        Command::Pseudonymize(args) => pseudonymize::run(&args),
    }
}

/// Reads a region (ISO 3166-1 alpha-2); empty means none.
///
/// # Errors
///
/// The text is not a region.
pub fn region(text: &str) -> std::result::Result<Option<Region>, InvalidRegion> {
    if text.is_empty() {
        Ok(None)
    } else {
        Region::new(text).map(Some)
    }
}

/// Reads the `--region` option; empty means none.
///
/// # Errors
///
/// The value is not a region, with a message naming the option.
pub fn region_option(value: &str) -> Result<Option<Region>> {
    region(value).map_err(|e| CliError::msg(format!("--region {value:?}: {e}")))
}
