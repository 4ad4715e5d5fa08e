//! `sehat outbox`: durable reminders, consent and campaigns on SQLite or PostgreSQL.
//!
//! Every command names the outbox with `--db URL` (`sqlite:PATH` or `postgres://…`) and
//! its keys with `--keys DIR`: the directory of the pseudonym and token keysets, created
//! on first use (mode 0700, keysets 0600). Without `--keys`, `SEHAT_OUTBOX_KEYS` names it;
//! without either, an SQLite outbox keeps its keys in `<database>.keys/` beside the file,
//! and a PostgreSQL outbox is an error (its keys must not sit where the database is).

pub(crate) mod consent;
mod dispatch;
pub(crate) mod rehearse;
pub(crate) mod schedule;
pub(crate) mod sender;
mod status;
pub(crate) mod table;
pub(crate) mod when;

use std::path::PathBuf;

use clap::Subcommand;
use sehat_outbox::{Outbox, OutboxKeys};

use crate::error::{CliError, Result};

/// The environment variable naming the keys directory.
pub const KEYS_ENV: &str = "SEHAT_OUTBOX_KEYS";

/// The `sehat outbox` subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Schedule messages from a CSV file (idempotent by key).
    Schedule(schedule::Args),
    /// Record opt-ins and opt-outs from a CSV file.
    Consent(consent::Args),
    /// Send what is due (live, or rehearsed against the embedded mock Graph API).
    Dispatch(dispatch::Args),
    /// Print message counts by state and purpose as JSON.
    Status(status::StatusArgs),
    /// Remove the send tokens and parameters of finished messages (counts stay).
    Purge(status::PurgeArgs),
}

/// Runs one `sehat outbox` subcommand.
pub fn run(command: Command) -> Result {
    match command {
        Command::Schedule(args) => schedule::run(args),
        Command::Consent(args) => consent::run(args),
        Command::Dispatch(args) => dispatch::run(args),
        Command::Status(args) => status::run_status(args),
        Command::Purge(args) => status::run_purge(args),
    }
}

/// The outbox a command works on.
#[derive(Debug, Clone, clap::Args)]
pub struct Target {
    /// The outbox database: sqlite:PATH (created if missing) or postgres://USER@HOST/DB.
    #[arg(long, value_name = "URL")]
    db: String,
    /// The directory of the outbox's keysets (created with mode 0700 on first use).
    /// Default: $SEHAT_OUTBOX_KEYS, else DATABASE.keys/ beside an SQLite file.
    #[arg(long, value_name = "DIR")]
    keys: Option<PathBuf>,
}

impl Target {
    /// The SQLite file the URL names, if it names one.
    fn sqlite_path(&self) -> Option<&str> {
        let path = self.db.strip_prefix("sqlite:")?;
        Some(path.strip_prefix("//").unwrap_or(path))
    }

    /// The keys directory: `--keys`, else `$SEHAT_OUTBOX_KEYS`, else beside an SQLite file.
    pub fn keys_dir(&self) -> Result<PathBuf> {
        if let Some(dir) = &self.keys {
            return Ok(dir.clone());
        }
        if let Some(dir) = std::env::var_os(KEYS_ENV).filter(|d| !d.is_empty()) {
            return Ok(PathBuf::from(dir));
        }
        match self.sqlite_path() {
            Some(path) if !path.is_empty() => Ok(PathBuf::from(format!("{path}.keys"))),
            Some(_) => Err(CliError::msg(
                "--db sqlite: needs a file path (sqlite:PATH)",
            )),
            None if self.db.starts_with("postgres://") || self.db.starts_with("postgresql://") => {
                Err(CliError::msg(format!(
                    "a PostgreSQL outbox needs --keys DIR (or ${KEYS_ENV}): the directory of its \
                     pseudonym and token keys, kept apart from the database"
                )))
            }
            None => Err(CliError::msg(
                "--db: expected sqlite:PATH or a postgres:// URL",
            )),
        }
    }

    /// Refuses an SQLite path that cannot be the database file: a directory, or a file
    /// in a directory that does not exist. Checked before anything is created, as the
    /// keys directory beside the file would otherwise create the missing directory.
    fn check_sqlite_path(&self) -> Result {
        let Some(path) = self.sqlite_path().map(std::path::Path::new) else {
            return Ok(());
        };
        if path.is_dir() {
            return Err(CliError::msg(format!(
                "--db {}: {} is a directory; name the database file in it (sqlite:DIR/outbox.db)",
                self.db,
                path.display()
            )));
        }
        // The database's directory must exist; the file itself is created.
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty())
            && !parent.is_dir()
        {
            return Err(CliError::msg(format!(
                "--db {}: the directory {} does not exist",
                self.db,
                parent.display()
            )));
        }
        Ok(())
    }

    /// Opens (or creates) the keys.
    pub fn keys(&self) -> Result<OutboxKeys> {
        self.check_sqlite_path()?;
        let dir = self.keys_dir()?;
        OutboxKeys::open_or_create(&dir).map_err(CliError::from)
    }

    /// Opens the outbox and brings its schema up to date.
    pub async fn open(&self, keys: OutboxKeys) -> Result<Outbox> {
        self.check_sqlite_path()?;
        Outbox::open(&self.db, keys).await.map_err(CliError::from)
    }
}

/// A runtime for one command.
pub fn runtime() -> Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?)
}
