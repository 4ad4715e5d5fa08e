//! The campaign journal: an append-only record of every step, durable before the step is
//! reported done.

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::ids::MessageId;

/// One step of one recipient's send.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "e", rename_all = "snake_case")]
#[non_exhaustive]
pub enum JournalEvent {
    /// The recipient is part of the campaign.
    Planned,
    /// The request is about to leave: written (durably) before it does.
    Sending,
    /// Meta accepted the message.
    Sent {
        /// The message id.
        id: MessageId,
    },
    /// No message was created.
    Failed {
        /// Why (an [`ErrorKind`](crate::error::ErrorKind) name, `opted_out`,
        /// `messaging_limit`, `not_sent` …).
        reason: String,
        /// The Graph error code, when Meta answered with one.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        code: Option<i64>,
        /// Whether a later run sends to this recipient again.
        retry: bool,
    },
    /// The request left and no answer came: the message may exist. Never sent again.
    Unknown,
}

/// One journal line: a recipient key, a time and an event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct JournalRecord {
    /// The recipient key ([`CampaignRecipient::key`](super::CampaignRecipient::key)).
    #[serde(rename = "k")]
    pub key: String,
    /// When, in milliseconds since the Unix epoch.
    #[serde(rename = "t")]
    pub at_ms: u64,
    /// What happened.
    #[serde(flatten)]
    pub event: JournalEvent,
}

impl JournalRecord {
    /// A record for `key`, stamped now.
    #[must_use]
    pub fn now(key: impl Into<String>, event: JournalEvent) -> Self {
        Self {
            key: key.into(),
            at_ms: now_ms(),
            event,
        }
    }
}

pub(crate) fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}

/// A journal could not be read or written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum JournalError {
    /// Reading, writing or syncing failed.
    #[error("journal {path}: {operation} failed: {message}")]
    Io {
        /// The journal's path (or a description of the journal).
        path: String,
        /// What was being done (`open`, `append`, `sync` …).
        operation: &'static str,
        /// The I/O error.
        message: String,
    },
    /// A complete line is not a journal record.
    #[error("journal {path}, line {line}: not a journal record: {message}")]
    Corrupt {
        /// The journal's path.
        path: String,
        /// The 1-based line number.
        line: usize,
        /// What is wrong with it.
        message: String,
    },
    /// The journal stopped accepting records (it was closed, or its writer stopped).
    #[error("journal closed: {0}")]
    Closed(String),
}

/// Where a campaign records its progress.
///
/// [`append`](Journal::append) must return only once the records are durable: a campaign
/// reports a send done, and sends the next request after a `sending` record, only then.
/// Records of one recipient are appended in order; records of different recipients are
/// batched (group commit), so one sync covers many sends.
pub trait Journal: Send + 'static {
    /// Every record written so far, in order.
    ///
    /// # Errors
    ///
    /// A [`JournalError`] when the journal cannot be read or a line is corrupt.
    fn replay(&mut self) -> Result<Vec<JournalRecord>, JournalError>;

    /// Appends records durably.
    ///
    /// # Errors
    ///
    /// A [`JournalError`] when they cannot be written or synced; the campaign then stops.
    fn append(&mut self, records: &[JournalRecord]) -> Result<(), JournalError>;
}

impl<J: Journal + ?Sized> Journal for Box<J> {
    fn replay(&mut self) -> Result<Vec<JournalRecord>, JournalError> {
        (**self).replay()
    }

    fn append(&mut self, records: &[JournalRecord]) -> Result<(), JournalError> {
        (**self).append(records)
    }
}

/// The default journal: an append-only file of JSON lines, `fsync`ed after every batch.
///
/// A torn last line (a crash in the middle of a write) is ignored and cut off when the
/// file is opened; a corrupt complete line is an error naming its line number.
///
/// ```
/// use sehat_whatsapp::campaign::{FileJournal, Journal, JournalEvent, JournalRecord};
/// let dir = tempfile::tempdir()?;
/// let path = dir.path().join("campaign.journal");
/// let mut journal = FileJournal::open(&path)?;
/// journal.append(&[JournalRecord::now("r1", JournalEvent::Planned)])?;
/// drop(journal);
/// let mut again = FileJournal::open(&path)?;
/// assert_eq!(again.replay()?.len(), 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct FileJournal {
    path: PathBuf,
    file: File,
    buffer: Vec<u8>,
}

impl FileJournal {
    /// Opens (or creates) the journal at `path`, cutting off a torn last line.
    ///
    /// # Errors
    ///
    /// [`JournalError::Io`] when the file cannot be opened, read or truncated.
    ///
    /// # Examples
    ///
    /// See [`FileJournal`].
    pub fn open(path: impl AsRef<Path>) -> Result<Self, JournalError> {
        let path = path.as_ref().to_path_buf();
        let io = |operation: &'static str| {
            let shown = path.display().to_string();
            move |e: std::io::Error| JournalError::Io {
                path: shown,
                operation,
                message: e.to_string(),
            }
        };
        let file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(&path)
            .map_err(io("open"))?;
        let len = file.metadata().map_err(io("open"))?.len();
        if len > 0 {
            // Find the end of the last complete line.
            let mut reader = BufReader::new(&file);
            reader.seek(SeekFrom::Start(0)).map_err(io("read"))?;
            let mut complete = 0u64;
            let mut line = Vec::new();
            loop {
                line.clear();
                let n = reader.read_until(b'\n', &mut line).map_err(io("read"))?;
                if n == 0 || line.last() != Some(&b'\n') {
                    break;
                }
                complete += n as u64;
            }
            if complete < len {
                file.set_len(complete).map_err(io("truncate"))?;
                file.sync_all().map_err(io("sync"))?;
            }
        }
        Ok(Self {
            path,
            file,
            buffer: Vec::with_capacity(64 * 1024),
        })
    }

    /// The file's path.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn io(&self, operation: &'static str) -> impl Fn(std::io::Error) -> JournalError + '_ {
        move |e| JournalError::Io {
            path: self.path.display().to_string(),
            operation,
            message: e.to_string(),
        }
    }
}

impl Journal for FileJournal {
    fn replay(&mut self) -> Result<Vec<JournalRecord>, JournalError> {
        let mut reader = BufReader::new(&self.file);
        reader.seek(SeekFrom::Start(0)).map_err(self.io("read"))?;
        let mut records = Vec::new();
        for (index, line) in reader.lines().enumerate() {
            let line = line.map_err(self.io("read"))?;
            if line.trim().is_empty() {
                continue;
            }
            let record = serde_json::from_str(&line).map_err(|e| JournalError::Corrupt {
                path: self.path.display().to_string(),
                line: index + 1,
                message: e.to_string(),
            })?;
            records.push(record);
        }
        Ok(records)
    }

    fn append(&mut self, records: &[JournalRecord]) -> Result<(), JournalError> {
        self.buffer.clear();
        for record in records {
            serde_json::to_writer(&mut self.buffer, record).map_err(|e| JournalError::Io {
                path: self.path.display().to_string(),
                operation: "encode",
                message: e.to_string(),
            })?;
            self.buffer.push(b'\n');
        }
        let mut file = &self.file;
        file.write_all(&self.buffer).map_err(self.io("append"))?;
        self.file.sync_data().map_err(self.io("sync"))
    }
}

/// A journal in memory, for tests and dry runs (it does not survive a crash).
#[derive(Debug, Clone, Default)]
pub struct MemoryJournal {
    records: std::sync::Arc<std::sync::Mutex<Vec<JournalRecord>>>,
}

impl MemoryJournal {
    /// An empty journal. Clones share the records.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// A copy of the records.
    #[must_use]
    pub fn records(&self) -> Vec<JournalRecord> {
        self.records
            .lock()
            .map(|r| r.clone())
            .unwrap_or_else(|p| p.into_inner().clone())
    }
}

impl Journal for MemoryJournal {
    fn replay(&mut self) -> Result<Vec<JournalRecord>, JournalError> {
        Ok(self.records())
    }

    fn append(&mut self, records: &[JournalRecord]) -> Result<(), JournalError> {
        let mut all = self
            .records
            .lock()
            .map_err(|_| JournalError::Closed("memory journal poisoned".into()))?;
        all.extend_from_slice(records);
        Ok(())
    }
}

/// What the journal says about one recipient: its last event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Replayed {
    pub last: HashMap<String, JournalRecord>,
}

impl Replayed {
    pub fn from_records(records: Vec<JournalRecord>) -> Self {
        let mut last = HashMap::with_capacity(records.len());
        for record in records {
            last.insert(record.key.clone(), record);
        }
        Self { last }
    }
}

/// A batch of records to commit, and who to tell when it is durable.
type Request = (
    Vec<JournalRecord>,
    tokio::sync::oneshot::Sender<Result<(), JournalError>>,
);

/// Group commit: a thread that owns the journal, writes every batch waiting, syncs once and
/// acknowledges them all.
pub(crate) struct Committer {
    tx: Option<std::sync::mpsc::Sender<Request>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Committer {
    pub fn start(mut journal: Box<dyn Journal>) -> Self {
        let (tx, rx) = std::sync::mpsc::channel::<Request>();
        let thread = std::thread::spawn(move || {
            let mut failed: Option<JournalError> = None;
            while let Ok(first) = rx.recv() {
                let mut batch = vec![first];
                while let Ok(more) = rx.try_recv() {
                    batch.push(more);
                }
                let result = match &failed {
                    Some(error) => Err(error.clone()),
                    None => {
                        let records: Vec<JournalRecord> = batch
                            .iter_mut()
                            .flat_map(|(records, _)| std::mem::take(records))
                            .collect();
                        journal.append(&records)
                    }
                };
                if let Err(error) = &result {
                    failed = Some(error.clone());
                }
                for (_, ack) in batch {
                    let _ = ack.send(result.clone());
                }
            }
        });
        Self {
            tx: Some(tx),
            thread: Some(thread),
        }
    }

    /// Appends records and waits until they are durable.
    pub async fn commit(&self, records: Vec<JournalRecord>) -> Result<(), JournalError> {
        let (ack, done) = tokio::sync::oneshot::channel();
        self.tx
            .as_ref()
            .ok_or_else(|| JournalError::Closed("committer stopped".into()))?
            .send((records, ack))
            .map_err(|_| JournalError::Closed("committer stopped".into()))?;
        done.await
            .map_err(|_| JournalError::Closed("committer stopped".into()))?
    }
}

impl Drop for Committer {
    fn drop(&mut self) {
        self.tx.take();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
