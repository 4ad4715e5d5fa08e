//! Opt-outs: who stopped marketing messages, fed by `user_preferences` webhooks and by
//! error 131050.

use std::collections::HashSet;
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, RwLock};

use crate::ids::Recipient;
use crate::webhook::{PreferenceValue, UserPreference};

/// Who must not receive marketing messages. Users are keyed by what goes in `to`: the phone
/// number's digits or the business-scoped user id.
pub trait OptOutStore: Send + Sync {
    /// Whether `user` stopped marketing messages.
    fn is_opted_out(&self, user: &str) -> bool;

    /// Records that `user` stopped (`true`) or resumed (`false`) marketing messages.
    ///
    /// # Errors
    ///
    /// When a persistent store cannot write the change.
    fn set_opted_out(&self, user: &str, opted_out: bool) -> std::io::Result<()>;
}

/// Applies a `user_preferences` webhook entry to a store: a marketing `stop` opts the user
/// out (by phone number and by user id, whichever Meta sent), a `resume` opts them back in.
/// Returns whether anything was recorded.
///
/// # Errors
///
/// When the store cannot write the change.
///
/// # Examples
///
/// ```
/// use sehat_whatsapp::campaign::{MemoryOptOuts, OptOutStore, apply_preference};
/// use sehat_whatsapp::webhook::UserPreference;
/// let stop: UserPreference = serde_json::from_str(
///     r#"{"wa_id":"6281234567890","category":"marketing_messages","value":"stop"}"#)?;
/// let store = MemoryOptOuts::new();
/// assert!(apply_preference(&store, &stop)?);
/// assert!(store.is_opted_out("6281234567890"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn apply_preference(
    store: &dyn OptOutStore,
    preference: &UserPreference,
) -> std::io::Result<bool> {
    if preference
        .category
        .as_deref()
        .is_some_and(|c| c != "marketing_messages")
    {
        return Ok(false);
    }
    let opted_out = match &preference.value {
        Some(PreferenceValue::Stop) => true,
        Some(PreferenceValue::Resume) => false,
        _ => return Ok(false),
    };
    let mut recorded = false;
    if let Some(number) = preference.wa_id.as_ref().filter(|n| !n.is_empty()) {
        store.set_opted_out(number.as_str(), opted_out)?;
        recorded = true;
    }
    if let Some(user) = &preference.user_id {
        store.set_opted_out(user.as_str(), opted_out)?;
        recorded = true;
    }
    Ok(recorded)
}

/// The key of a recipient in an [`OptOutStore`].
pub(crate) fn user_key(recipient: &Recipient) -> &str {
    recipient.to_field()
}

/// An opt-out store in memory.
#[derive(Debug, Default)]
pub struct MemoryOptOuts {
    users: RwLock<HashSet<String>>,
}

impl MemoryOptOuts {
    /// An empty store.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// How many users are opted out.
    #[must_use]
    pub fn len(&self) -> usize {
        self.users.read().map(|u| u.len()).unwrap_or(0)
    }

    /// Whether nobody is opted out.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl OptOutStore for MemoryOptOuts {
    fn is_opted_out(&self, user: &str) -> bool {
        self.users
            .read()
            .map(|u| u.contains(user))
            .unwrap_or_else(|p| p.into_inner().contains(user))
    }

    fn set_opted_out(&self, user: &str, opted_out: bool) -> std::io::Result<()> {
        let mut users = self
            .users
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if opted_out {
            users.insert(user.to_owned());
        } else {
            users.remove(user);
        }
        Ok(())
    }
}

/// An opt-out store kept in a file: one `stop USER` or `resume USER` line per change,
/// synced before [`set_opted_out`](OptOutStore::set_opted_out) returns, replayed on open.
///
/// ```
/// use sehat_whatsapp::campaign::{FileOptOuts, OptOutStore};
/// let dir = tempfile::tempdir()?;
/// let path = dir.path().join("opt-outs.txt");
/// FileOptOuts::open(&path)?.set_opted_out("6281234567890", true)?;
/// assert!(FileOptOuts::open(&path)?.is_opted_out("6281234567890"));
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug)]
pub struct FileOptOuts {
    path: PathBuf,
    memory: MemoryOptOuts,
    file: Mutex<File>,
}

impl FileOptOuts {
    /// Opens (or creates) the file and loads it.
    ///
    /// # Errors
    ///
    /// When the file cannot be opened or read, or a line is neither `stop USER` nor
    /// `resume USER` (the error names the line).
    ///
    /// # Examples
    ///
    /// See [`FileOptOuts`].
    pub fn open(path: impl AsRef<Path>) -> std::io::Result<Self> {
        let path = path.as_ref().to_path_buf();
        let file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(&path)?;
        let memory = MemoryOptOuts::new();
        for (index, line) in BufReader::new(&file).lines().enumerate() {
            let line = line?;
            let line = line.trim();
            if line.is_empty() {
                continue;
            }
            match line.split_once(' ') {
                Some(("stop", user)) if !user.trim().is_empty() => {
                    memory.set_opted_out(user.trim(), true)?;
                }
                Some(("resume", user)) if !user.trim().is_empty() => {
                    memory.set_opted_out(user.trim(), false)?;
                }
                _ => {
                    return Err(std::io::Error::new(
                        std::io::ErrorKind::InvalidData,
                        format!(
                            "{}, line {}: expected `stop USER` or `resume USER`",
                            path.display(),
                            index + 1
                        ),
                    ));
                }
            }
        }
        Ok(Self {
            path,
            memory,
            file: Mutex::new(file),
        })
    }

    /// The file's path.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl OptOutStore for FileOptOuts {
    fn is_opted_out(&self, user: &str) -> bool {
        self.memory.is_opted_out(user)
    }

    fn set_opted_out(&self, user: &str, opted_out: bool) -> std::io::Result<()> {
        if user.is_empty() || user.chars().any(char::is_whitespace) {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "an opt-out user key must be non-empty and without whitespace",
            ));
        }
        let mut file = self
            .file
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let verb = if opted_out { "stop" } else { "resume" };
        writeln!(file, "{verb} {user}")?;
        file.sync_data()?;
        self.memory.set_opted_out(user, opted_out)
    }
}
