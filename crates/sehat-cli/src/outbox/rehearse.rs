//! The rehearsal log of `sehat outbox dispatch --rehearse`: one JSON line per request the
//! embedded mock Graph API accepted, appended and written through before the outcome is
//! recorded in the outbox.

use std::fs::{File, OpenOptions};
use std::io::Write as _;
use std::os::unix::fs::OpenOptionsExt as _;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::error::{CliError, Result};
use crate::io::same_file;

/// The files of an SQLite database at `path`: the database and the journals SQLite keeps
/// beside it.
pub fn sqlite_files(path: &Path) -> Vec<PathBuf> {
    let mut files = vec![path.to_path_buf()];
    for suffix in ["-wal", "-shm", "-journal"] {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        files.push(PathBuf::from(name));
    }
    files
}

/// An append-only JSON-lines file shared by every dispatcher process of a rehearsal.
#[derive(Debug)]
pub struct RehearseLog {
    file: Mutex<File>,
}

impl RehearseLog {
    /// Opens (or creates, mode 0600) the log for appending.
    ///
    /// `others` are the files the command reads or keeps (its input, the database and
    /// its journals, the keys directory): a log that is one of them, or lies in the keys
    /// directory, is refused before anything is appended, as lines appended to a
    /// database or keyset would corrupt it.
    pub fn open(path: &Path, others: &[PathBuf]) -> Result<RehearseLog> {
        let inside = path.parent().filter(|p| !p.as_os_str().is_empty());
        let inside = inside.unwrap_or(Path::new("."));
        if let Some(other) = others
            .iter()
            .find(|other| same_file(path, other) || (other.is_dir() && same_file(inside, other)))
        {
            return Err(CliError::msg(format!(
                "refusing to append the rehearsal log to {}: it is (or is in) {}, which this \
                 command reads or keeps; name another file",
                path.display(),
                other.display()
            )));
        }
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .mode(0o600)
            .open(path)
            .map_err(|e| {
                CliError::msg(format!("cannot open rehearsal log {}: {e}", path.display()))
            })?;
        Ok(RehearseLog {
            file: Mutex::new(file),
        })
    }

    /// Appends one accepted send: its key, template and recipient's pseudonym. The line
    /// goes out in one `write` to a file opened with `O_APPEND`, so lines of processes
    /// writing at once never interleave, and it is in the file before this returns.
    pub fn accepted(&self, key: &str, template: &str, subject: &str) -> std::io::Result<()> {
        self.append(&serde_json::json!({
            "key": key,
            "template": template,
            "subject": subject,
        }))
    }

    /// Appends one accepted campaign send: its key, template and masked recipient.
    pub fn accepted_recipient(
        &self,
        key: &str,
        template: &str,
        recipient: &str,
    ) -> std::io::Result<()> {
        self.append(&serde_json::json!({
            "key": key,
            "template": template,
            "recipient": recipient,
        }))
    }

    fn append(&self, value: &serde_json::Value) -> std::io::Result<()> {
        let mut line = value.to_string();
        line.push('\n');
        let mut file = self
            .file
            .lock()
            .map_err(|_| std::io::Error::other("rehearsal log lock poisoned"))?;
        file.write_all(line.as_bytes())?;
        file.flush()
    }
}
