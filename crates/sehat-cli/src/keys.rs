//! `sehat keys`: generate, inspect and rotate keysets for pseudonyms and tokens.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand, ValueEnum};
use secrecy::{ExposeSecret, SecretString};
use sehat_pseudonym::{KeyId, Keyset, KeysetError, TokenKeyset};

use crate::error::{CliError, Result};
use crate::io::Output;

/// The `sehat keys` subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Write a new keyset with one random key (JSON; file mode 0600, never overwritten).
    Generate(GenerateArgs),
    /// Show a keyset's purpose, key ids, creation dates and primary key (never the keys).
    Show(ShowArgs),
    /// Add a new random primary key to a keyset, keeping the old keys for recognition,
    /// and write the result to a new file.
    Rotate(RotateArgs),
    /// Remove an old (non-primary) key from a keyset and write the result to a new file.
    Retire(RetireArgs),
}

/// What a keyset is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Purpose {
    /// Pseudonyms: HMAC-SHA256 root keys of 32 bytes.
    Pseudonym,
    /// Reversible tokens for the messaging side: AES-256-SIV keys of 64 bytes.
    Token,
}

/// Arguments of `sehat keys generate`.
#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// What the keyset is for.
    #[arg(long, value_enum, default_value_t = Purpose::Pseudonym)]
    purpose: Purpose,
    /// Write to FILE (created with mode 0600; an existing file is an error) instead of
    /// stdout.
    #[arg(long, value_name = "FILE")]
    output: Option<PathBuf>,
}

/// Arguments of `sehat keys show`.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The keyset file.
    #[arg(long, value_name = "FILE")]
    keyset: PathBuf,
}

/// Arguments of `sehat keys rotate`.
#[derive(Debug, Args)]
pub struct RotateArgs {
    /// The keyset file to rotate (left unchanged).
    #[arg(long, value_name = "FILE")]
    keyset: PathBuf,
    /// The new keyset file (mode 0600; an existing file is an error).
    #[arg(long, value_name = "FILE")]
    output: PathBuf,
}

/// Arguments of `sehat keys retire`.
#[derive(Debug, Args)]
pub struct RetireArgs {
    /// The keyset file (left unchanged).
    #[arg(long, value_name = "FILE")]
    keyset: PathBuf,
    /// The key id to remove (8 lower-case hex digits); it must not be the primary.
    #[arg(long, value_name = "KID")]
    kid: String,
    /// The new keyset file (mode 0600; an existing file is an error).
    #[arg(long, value_name = "FILE")]
    output: PathBuf,
}

/// A keyset of either purpose.
enum AnyKeyset {
    Pseudonym(Keyset),
    Token(TokenKeyset),
}

impl AnyKeyset {
    fn load(path: &Path) -> Result<AnyKeyset> {
        match Keyset::from_file(path) {
            Ok(keyset) => Ok(AnyKeyset::Pseudonym(keyset)),
            Err(KeysetError::WrongPurpose { .. }) => {
                Ok(AnyKeyset::Token(TokenKeyset::from_file(path)?))
            }
            Err(error) => Err(error.into()),
        }
    }

    fn json(&self) -> SecretString {
        match self {
            AnyKeyset::Pseudonym(keyset) => keyset.expose_secret_json(),
            AnyKeyset::Token(keyset) => keyset.expose_secret_json(),
        }
    }
}

/// Writes a keyset's JSON to a new file readable by its owner only (never replacing a
/// file, never the keyset it came from), or to stdout.
fn write_secret(json: &SecretString, path: Option<&Path>, inputs: &[&Path]) -> Result {
    let mut out = Output::create_new(path, inputs)?;
    out.write_all(json.expose_secret().as_bytes())?;
    out.commit()
}

/// Runs one `sehat keys` subcommand.
pub fn run(command: Command) -> Result {
    match command {
        Command::Generate(args) => {
            let json = match args.purpose {
                Purpose::Pseudonym => Keyset::generate()?.expose_secret_json(),
                Purpose::Token => TokenKeyset::generate()?.expose_secret_json(),
            };
            write_secret(&json, args.output.as_deref(), &[])
        }
        Command::Show(args) => show(&args.keyset),
        Command::Rotate(args) => {
            let mut keyset = AnyKeyset::load(&args.keyset)?;
            let kid = match &mut keyset {
                AnyKeyset::Pseudonym(keyset) => keyset.rotate()?,
                AnyKeyset::Token(keyset) => keyset.rotate()?,
            };
            write_secret(&keyset.json(), Some(&args.output), &[&args.keyset])?;
            eprintln!("sehat: new primary key {kid}");
            Ok(())
        }
        Command::Retire(args) => {
            let kid: KeyId = args
                .kid
                .parse()
                .map_err(|e| CliError::msg(format!("--kid {:?}: {e}", args.kid)))?;
            let mut keyset = AnyKeyset::load(&args.keyset)?;
            match &mut keyset {
                AnyKeyset::Pseudonym(keyset) => keyset.retire(kid)?,
                AnyKeyset::Token(keyset) => keyset.retire(kid)?,
            }
            write_secret(&keyset.json(), Some(&args.output), &[&args.keyset])
        }
    }
}

fn show(path: &Path) -> Result {
    let mut stdout = std::io::stdout().lock();
    match AnyKeyset::load(path)? {
        AnyKeyset::Pseudonym(keyset) => {
            writeln!(stdout, "purpose: pseudonym")?;
            writeln!(stdout, "primary: {}", keyset.primary_kid())?;
            for kid in keyset.kids() {
                let created = keyset.created(kid).unwrap_or("");
                writeln!(stdout, "key {kid} created {created}")?;
            }
        }
        AnyKeyset::Token(keyset) => {
            writeln!(stdout, "purpose: token")?;
            writeln!(stdout, "primary: {}", keyset.primary_kid())?;
            for kid in keyset.kids() {
                writeln!(stdout, "key {kid}")?;
            }
        }
    }
    stdout.flush()?;
    Ok(())
}
