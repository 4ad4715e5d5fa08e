//! `sehat phone`: normalize phone numbers to E.164 and replace them by pseudonyms.

mod batch;
mod normalize;
mod pseudonymize;

use clap::Subcommand;

use crate::error::Result;

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
