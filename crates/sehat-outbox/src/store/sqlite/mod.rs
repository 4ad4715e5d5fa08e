//! The SQLite backend: one file, WAL, many processes.
//!
//! Every write is one `BEGIN IMMEDIATE` transaction (writers queue on the file lock with a
//! busy timeout instead of failing), statements are prepared once per connection and
//! cached, and the calls run on tokio's blocking pool so a dispatcher's sends keep going
//! while a transaction waits for the lock.

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, OptionalExtension as _, TransactionBehavior, params};
use time::OffsetDateTime;

use super::columns::{
    Content, StoredContent, corrupt, key_of, purpose_of, state_of, subject_of, write_params_json,
    zone_of,
};
use super::{
    ClaimBatch, Claimed, Completion, DeliveryStatus, MessageView, Outcome, RecoverReport,
    SlotRequest, StateCount, Store, StoreError, duration_micros, from_micros, to_micros,
};
use crate::model::{
    ConsentAction, ConsentScope, Evidence, MessageKey, NewMessage, Purpose, ScheduleOutcome,
    SendToken, State, SubjectRef, WamidMac,
};

/// The versioned migrations, in order.
const MIGRATIONS: &[(i64, &str, &str)] = &[
    (1, "messages", include_str!("migrations/0001_messages.sql")),
    (
        2,
        "consent_once",
        include_str!("migrations/0002_consent_once.sql"),
    ),
];

/// How long a writer waits for another process's transaction before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

const BACKEND: &str = "sqlite";

/// The outbox in one SQLite file.
///
/// Open one per process (or several: they share the file safely); clones share one
/// connection.
///
/// # Examples
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use sehat_outbox::store::{SqliteStore, Store};
///
/// let dir = tempfile::tempdir()?;
/// let store = SqliteStore::open(dir.path().join("outbox.db"))?;
/// store.migrate().await?;
/// assert!(store.counts().await?.is_empty());
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct SqliteStore {
    inner: Arc<Inner>,
}

struct Inner {
    conn: Mutex<Held>,
    path: PathBuf,
}

/// The connection, and the row ids of the messages this store claimed: marking,
/// completing and deferring them update by row id, so they never read the key index
/// (which outgrows the page cache in a large outbox). An id is only a hint: every update
/// also checks the key, and a key without one is looked up.
struct Held {
    db: Connection,
    ids: HashMap<String, i64>,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore")
            .field("path", &self.inner.path)
            .finish_non_exhaustive()
    }
}

/// Creates the database file with mode 0600 when it does not exist yet, so that SQLite
/// (which would create it with the process's umask, usually 0644) opens a private file.
fn create_private(path: &Path) -> Result<(), StoreError> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    match options.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(StoreError::backend(
            BACKEND,
            "creating the database file",
            e,
        )),
    }
}

/// Refuses a database that holds the tables of something else (a register, another
/// program's file given by mistake): migrating would add the outbox's tables to it, and the
/// switch to WAL would change its journal for good. A file with no table (new, or empty) is
/// an outbox to be; a file with tables must carry the outbox's first migration.
fn refuse_foreign(conn: &Connection, deadline: std::time::Instant) -> Result<(), StoreError> {
    const ACTION: &str = "opening the database";
    let tables: i64 = while_busy(deadline, || {
        conn.query_row(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
            [],
            |r| r.get(0),
        )
    })
    .map_err(backend(ACTION))?;
    if tables == 0 {
        return Ok(());
    }
    let (version, name, _) = MIGRATIONS[0];
    // Another program's `schema_migrations` may lack these columns, or the row: that too
    // is foreign. A file still locked at the deadline is an error, not a verdict.
    let ours = match while_busy(deadline, || {
        conn.query_row(
            "SELECT name FROM schema_migrations WHERE version = ?1",
            [version],
            |r| r.get::<_, String>(0),
        )
    }) {
        Ok(found) => found == name,
        Err(e) if e.sqlite_error_code() == Some(rusqlite::ErrorCode::DatabaseBusy) => {
            return Err(StoreError::backend(BACKEND, ACTION, e));
        }
        Err(_) => false,
    };
    if ours {
        return Ok(());
    }
    Err(StoreError::backend(
        BACKEND,
        ACTION,
        format!(
            "the file holds {tables} table(s) of something else and is not an outbox; \
             it was left unchanged (give the outbox a file of its own)"
        ),
    ))
}

/// Runs `attempt` again while SQLite answers "database is locked" and `deadline` is
/// ahead, waiting a little longer each time (1 ms doubling to 50 ms); any other outcome,
/// or the last busy one, is returned.
fn while_busy<T>(
    deadline: std::time::Instant,
    mut attempt: impl FnMut() -> rusqlite::Result<T>,
) -> rusqlite::Result<T> {
    let mut pause = Duration::from_millis(1);
    loop {
        match attempt() {
            Err(e)
                if e.sqlite_error_code() == Some(rusqlite::ErrorCode::DatabaseBusy)
                    && std::time::Instant::now() + pause < deadline =>
            {
                std::thread::sleep(pause);
                pause = (pause * 2).min(Duration::from_millis(50));
            }
            outcome => return outcome,
        }
    }
}

fn backend(action: &'static str) -> impl FnOnce(rusqlite::Error) -> StoreError {
    move |e| StoreError::backend(BACKEND, action, e)
}

impl SqliteStore {
    /// Opens (creating if needed) the database file at `path`, in WAL mode with
    /// `synchronous = FULL` (a commit is on disk before it returns, except a claim's: see
    /// below) and a 30 s busy timeout. Call [`Store::migrate`] before use.
    ///
    /// A claim is durable against a crash of the process when it returns, and against a
    /// power cut with the next durable commit: lost, its rows are simply `scheduled`
    /// again, and none of them can have been sent, because a send needs the durable
    /// [`Store::mark_sending`], which comes after it in the write-ahead log.
    ///
    /// A new file is created with mode 0600 (owner only) on Unix: it holds pseudonyms
    /// and tokens. SQLite gives its `-wal` and `-shm` files the database file's mode.
    ///
    /// # Errors
    ///
    /// [`StoreError::Backend`] when the file cannot be opened or set up, is not an SQLite
    /// database, or is another program's database (tables, but not the outbox's).
    pub fn open(path: impl AsRef<Path>) -> Result<SqliteStore, StoreError> {
        let path = path.as_ref().to_path_buf();
        create_private(&path)?;
        let conn = Connection::open_with_flags(
            &path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(backend("opening the database"))?;
        conn.busy_timeout(BUSY_TIMEOUT)
            .map_err(backend("setting the busy timeout"))?;
        let deadline = std::time::Instant::now() + BUSY_TIMEOUT;
        refuse_foreign(&conn, deadline)?;
        // WAL: readers never block the writer, and one writer at a time across processes.
        // The switch needs the file to itself and SQLite does not always wait for it
        // through the busy timeout (another process may be creating or switching the same
        // new file at that moment), so it is tried again until the same deadline.
        let mode: String = while_busy(deadline, || {
            conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
        })
        .map_err(backend("switching to WAL"))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError::backend(
                BACKEND,
                "switching to WAL",
                format!("the database stayed in journal mode {mode}"),
            ));
        }
        conn.execute_batch(
            "PRAGMA synchronous = FULL; PRAGMA foreign_keys = OFF; PRAGMA temp_store = MEMORY;",
        )
        .map_err(backend("setting pragmas"))?;
        conn.set_prepared_statement_cache_capacity(64);
        Ok(SqliteStore {
            inner: Arc::new(Inner {
                conn: Mutex::new(Held {
                    db: conn,
                    ids: HashMap::new(),
                }),
                path,
            }),
        })
    }

    /// The database file.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    async fn run<T, F>(&self, action: &'static str, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T, StoreError> + Send + 'static,
    {
        self.with_conn(action, move |held| f(&mut held.db)).await
    }

    async fn with_conn<T, F>(&self, action: &'static str, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Held) -> Result<T, StoreError> + Send + 'static,
    {
        let inner = Arc::clone(&self.inner);
        tokio::task::spawn_blocking(move || {
            let mut held = inner
                .conn
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            f(&mut held)
        })
        .await
        .map_err(|e| StoreError::backend(BACKEND, action, e))?
    }

    /// [`SqliteStore::write`] with the claimed rows' ids at hand.
    async fn write_ids<T, F>(&self, action: &'static str, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&rusqlite::Transaction<'_>, &mut HashMap<String, i64>) -> Result<T, StoreError>
            + Send
            + 'static,
    {
        self.with_conn(action, move |held| {
            let Held { db, ids } = held;
            transact(db, action, |tx| f(tx, ids))
        })
        .await
    }

    /// A write transaction that is on disk when it returns (`synchronous = FULL`).
    async fn write<T, F>(&self, action: &'static str, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&rusqlite::Transaction<'_>) -> Result<T, StoreError> + Send + 'static,
    {
        self.run(action, move |conn| transact(conn, action, f))
            .await
    }

    /// A write transaction whose commit skips the WAL's fsync (`synchronous = NORMAL`
    /// for this one commit). It is durable against a crash of the process when it
    /// returns (the WAL frames are in the file), and against a power cut with the next
    /// durable write, whose fsync covers every frame written before it.
    ///
    /// Only for writes whose loss in a power cut is harmless: a claim (its rows stay
    /// `scheduled`; nothing was sent, because sending needs the durable
    /// [`Store::mark_sending`], which comes after it in the WAL).
    async fn write_lazy<T, F>(&self, action: &'static str, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&rusqlite::Transaction<'_>, &mut HashMap<String, i64>) -> Result<T, StoreError>
            + Send
            + 'static,
    {
        self.with_conn(action, move |held| {
            let Held { db, ids } = held;
            db.pragma_update(None, "synchronous", "NORMAL")
                .map_err(backend(action))?;
            let result = transact(db, action, |tx| f(tx, ids));
            // Back to durable commits whatever happened, before anything else runs on
            // this connection (the mutex is still held).
            let restored = db
                .pragma_update(None, "synchronous", "FULL")
                .map_err(backend(action));
            let value = result?;
            restored?;
            Ok(value)
        })
        .await
    }
}

fn transact<T>(
    conn: &mut Connection,
    action: &'static str,
    f: impl FnOnce(&rusqlite::Transaction<'_>) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(backend(action))?;
    let value = f(&tx)?;
    tx.commit().map_err(backend(action))?;
    Ok(value)
}

fn count(n: usize) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}

const VIEW_COLUMNS: &str = "key, subject, purpose, state, template, not_before, not_after, \
                            timezone, attempts, error_code, token IS NULL";

fn view_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<RawView> {
    Ok(RawView {
        key: row.get(0)?,
        subject: row.get(1)?,
        purpose: row.get(2)?,
        state: row.get(3)?,
        template: row.get(4)?,
        not_before: row.get(5)?,
        not_after: row.get(6)?,
        timezone: row.get(7)?,
        attempts: row.get(8)?,
        error_code: row.get(9)?,
        purged: row.get(10)?,
    })
}

struct RawView {
    key: String,
    subject: String,
    purpose: String,
    state: String,
    template: String,
    not_before: i64,
    not_after: Option<i64>,
    timezone: String,
    attempts: i64,
    error_code: Option<i64>,
    purged: bool,
}

impl RawView {
    fn into_view(self) -> Result<MessageView, StoreError> {
        Ok(MessageView {
            subject: subject_of(&self.key, &self.subject)?,
            purpose: purpose_of(&self.key, &self.purpose)?,
            state: state_of(&self.key, &self.state)?,
            template: self.template,
            not_before: from_micros(self.not_before),
            not_after: self.not_after.map(from_micros),
            timezone: zone_of(&self.key, &self.timezone)?,
            attempts: u32::try_from(self.attempts).unwrap_or(u32::MAX),
            error_code: self.error_code,
            purged: self.purged,
            key: key_of(&self.key)?,
        })
    }
}

/// Rows inserted by one multi-row `INSERT` when a batch has that many left.
const INSERT_CHUNK: usize = 32;

/// The placeholders of one message's row in an `INSERT`; `?1` is the time of the batch.
const ROW_PARAMS: usize = 10;

/// Messages to schedule as the rows they become: their text in one buffer, so that a batch
/// reaches the blocking pool as a few copies of bytes instead of clones of every string
/// and parameter map, and the JSON of the parameters is written once, into the buffer.
struct Rows {
    text: String,
    rows: Vec<Row>,
}

/// One message: ranges of [`Rows::text`] and its instants in microseconds.
struct Row {
    key: Range<usize>,
    subject: Range<usize>,
    token: Range<usize>,
    template: Range<usize>,
    language: Range<usize>,
    params: Range<usize>,
    timezone: Range<usize>,
    purpose: &'static str,
    not_before: i64,
    not_after: Option<i64>,
}

impl Rows {
    fn pack(messages: &[NewMessage]) -> Result<Rows, StoreError> {
        let mut text = Vec::with_capacity(messages.len().saturating_mul(256));
        let mut rows = Vec::with_capacity(messages.len());
        let push = |text: &mut Vec<u8>, value: &str| {
            let start = text.len();
            text.extend_from_slice(value.as_bytes());
            start..text.len()
        };
        for m in messages {
            let key = push(&mut text, m.key.as_str());
            let subject = push(&mut text, m.subject.as_str());
            let token = push(&mut text, m.token.as_str());
            let template = push(&mut text, &m.template);
            let language = push(&mut text, &m.language);
            let timezone = push(&mut text, m.timezone.as_str());
            let start = text.len();
            write_params_json(&mut text, &m.params)?;
            rows.push(Row {
                key,
                subject,
                token,
                template,
                language,
                params: start..text.len(),
                timezone,
                purpose: m.purpose.as_str(),
                not_before: to_micros(m.not_before),
                not_after: m.not_after.map(to_micros),
            });
        }
        // Strings and JSON written by serde_json: always UTF-8.
        let text = String::from_utf8(text).map_err(|e| StoreError::InvalidArgument {
            argument: "messages",
            reason: e.to_string(),
        })?;
        Ok(Rows { text, rows })
    }

    fn str(&self, range: &Range<usize>) -> &str {
        self.text.get(range.clone()).unwrap_or_default()
    }

    fn content(&self, row: &Row) -> Content<'_> {
        Content {
            subject: self.str(&row.subject),
            token: self.str(&row.token),
            purpose: row.purpose,
            template: self.str(&row.template),
            language: self.str(&row.language),
            params: self.str(&row.params),
            timezone: self.str(&row.timezone),
            not_before: row.not_before,
            not_after: row.not_after,
        }
    }

    /// Binds `row` to the placeholders `?first` … `?first + 9` (key, subject, token,
    /// purpose, template, language, params, timezone, not_before, not_after).
    fn bind(
        &self,
        stmt: &mut rusqlite::Statement<'_>,
        first: usize,
        row: &Row,
    ) -> rusqlite::Result<()> {
        stmt.raw_bind_parameter(first, self.str(&row.key))?;
        stmt.raw_bind_parameter(first + 1, self.str(&row.subject))?;
        stmt.raw_bind_parameter(first + 2, self.str(&row.token))?;
        stmt.raw_bind_parameter(first + 3, row.purpose)?;
        stmt.raw_bind_parameter(first + 4, self.str(&row.template))?;
        stmt.raw_bind_parameter(first + 5, self.str(&row.language))?;
        stmt.raw_bind_parameter(first + 6, self.str(&row.params))?;
        stmt.raw_bind_parameter(first + 7, self.str(&row.timezone))?;
        stmt.raw_bind_parameter(first + 8, row.not_before)?;
        stmt.raw_bind_parameter(first + 9, row.not_after)
    }
}

/// `INSERT INTO message … VALUES (…), (…) …` for `n` rows, the batch's time in `?1`.
fn insert_sql(n: usize, on_conflict: &str) -> String {
    let mut sql = String::from(
        "INSERT INTO message (key, subject, token, purpose, template, language, params, \
         timezone, not_before, not_after, state, created_at, updated_at) VALUES ",
    );
    for i in 0..n {
        let p = 2 + i * ROW_PARAMS;
        if i > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for j in 0..ROW_PARAMS {
            sql.push_str(&format!("?{}, ", p + j));
        }
        sql.push_str("'scheduled', ?1, ?1)");
    }
    sql.push_str(on_conflict);
    sql
}

/// Schedules packed rows in the open transaction. Runs of [`INSERT_CHUNK`] new keys go in
/// one statement each; a run in which any key exists already (or a key comes twice) fails
/// as a whole on the unique key, which undoes that statement alone, and is then taken row
/// by row: new, unchanged, updated or refused, exactly as one at a time.
fn schedule_rows(
    tx: &rusqlite::Transaction<'_>,
    rows: &Rows,
    now: i64,
) -> Result<Vec<ScheduleOutcome>, StoreError> {
    const A: &str = "scheduling";
    let mut outcomes = Vec::with_capacity(rows.rows.len());
    let mut chunks = rows.rows.chunks_exact(INSERT_CHUNK);
    let mut many = tx
        .prepare_cached(&insert_sql(INSERT_CHUNK, ""))
        .map_err(backend(A))?;
    for chunk in chunks.by_ref() {
        many.raw_bind_parameter(1, now).map_err(backend(A))?;
        for (i, row) in chunk.iter().enumerate() {
            rows.bind(&mut many, 2 + i * ROW_PARAMS, row)
                .map_err(backend(A))?;
        }
        match many.raw_execute() {
            Ok(_) => outcomes.extend(chunk.iter().map(|_| ScheduleOutcome::New)),
            Err(e) if e.sqlite_error_code() == Some(rusqlite::ErrorCode::ConstraintViolation) => {
                for row in chunk {
                    outcomes.push(schedule_one(tx, rows, row, now)?);
                }
            }
            Err(e) => return Err(backend(A)(e)),
        }
    }
    for row in chunks.remainder() {
        outcomes.push(schedule_one(tx, rows, row, now)?);
    }
    Ok(outcomes)
}

/// Schedules one packed row: inserted if its key is new; otherwise left alone when the
/// content is the same, updated while still scheduled, refused past that.
fn schedule_one(
    tx: &rusqlite::Transaction<'_>,
    rows: &Rows,
    row: &Row,
    now: i64,
) -> Result<ScheduleOutcome, StoreError> {
    const A: &str = "scheduling";
    let mut insert = tx
        .prepare_cached(&insert_sql(1, " ON CONFLICT (key) DO NOTHING"))
        .map_err(backend(A))?;
    insert.raw_bind_parameter(1, now).map_err(backend(A))?;
    rows.bind(&mut insert, 2, row).map_err(backend(A))?;
    if insert.raw_execute().map_err(backend(A))? == 1 {
        return Ok(ScheduleOutcome::New);
    }
    let key = rows.str(&row.key);
    let existing = tx
        .prepare_cached(
            "SELECT state, subject, token, purpose, template, language, params, \
             timezone, not_before, not_after FROM message WHERE key = ?1",
        )
        .and_then(|mut s| {
            s.query_row([key], |r| {
                Ok(StoredContent {
                    state: r.get(0)?,
                    subject: r.get(1)?,
                    token: r.get(2)?,
                    purpose: r.get(3)?,
                    template: r.get(4)?,
                    language: r.get(5)?,
                    params: r.get(6)?,
                    timezone: r.get(7)?,
                    not_before: r.get(8)?,
                    not_after: r.get(9)?,
                })
            })
        })
        .map_err(backend(A))?;
    let state = state_of(key, &existing.state)?;
    if existing.same_content(&rows.content(row)) {
        return Ok(ScheduleOutcome::Unchanged);
    }
    if state != State::Scheduled {
        return Ok(ScheduleOutcome::Refused { state });
    }
    let mut update = tx
        .prepare_cached(
            "UPDATE message SET subject = ?3, token = ?4, purpose = ?5, template = ?6, \
             language = ?7, params = ?8, timezone = ?9, not_before = ?10, \
             not_after = ?11, updated_at = ?1 WHERE key = ?2 AND state = 'scheduled'",
        )
        .map_err(backend(A))?;
    update.raw_bind_parameter(1, now).map_err(backend(A))?;
    rows.bind(&mut update, 2, row).map_err(backend(A))?;
    update.raw_execute().map_err(backend(A))?;
    Ok(ScheduleOutcome::Updated)
}

/// The row id of `key`: remembered from this store's claim, else looked up (a claim
/// of another store on the file, or a message completed twice). `None`: no such message.
fn row_id(
    conn: &Connection,
    ids: &HashMap<String, i64>,
    key: &str,
    action: &'static str,
) -> Result<Option<i64>, StoreError> {
    if let Some(id) = ids.get(key) {
        return Ok(Some(*id));
    }
    conn.prepare_cached("SELECT id FROM message WHERE key = ?1")
        .and_then(|mut s| s.query_row([key], |r| r.get(0)).optional())
        .map_err(backend(action))
}

fn canonical_in(conn: &Connection, subject: &str) -> Result<String, StoreError> {
    let found: Option<String> = conn
        .prepare_cached("SELECT canonical FROM subject_alias WHERE alias = ?1")
        .and_then(|mut s| s.query_row([subject], |r| r.get(0)).optional())
        .map_err(backend("resolving an alias"))?;
    Ok(found.unwrap_or_else(|| subject.to_owned()))
}

impl Store for SqliteStore {
    async fn migrate(&self) -> Result<(), StoreError> {
        self.write("migrating", |tx| {
            tx.execute_batch(
                "CREATE TABLE IF NOT EXISTS schema_migrations (
                     version    INTEGER PRIMARY KEY,
                     name       TEXT    NOT NULL,
                     applied_at INTEGER NOT NULL
                 )",
            )
            .map_err(backend("migrating"))?;
            let current: i64 = tx
                .query_row(
                    "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
                    [],
                    |r| r.get(0),
                )
                .map_err(backend("migrating"))?;
            let latest = MIGRATIONS.last().map_or(0, |m| m.0);
            if current > latest {
                return Err(StoreError::Migration {
                    version: current,
                    reason: format!(
                        "the database was migrated by a newer version (schema {current}, this \
                         code knows up to {latest})"
                    ),
                });
            }
            for (version, name, sql) in MIGRATIONS.iter().filter(|m| m.0 > current) {
                tx.execute_batch(sql).map_err(|e| StoreError::Migration {
                    version: *version,
                    reason: e.to_string(),
                })?;
                tx.execute(
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?1, ?2, ?3)",
                    params![version, name, to_micros(OffsetDateTime::now_utc())],
                )
                .map_err(backend("migrating"))?;
            }
            Ok(())
        })
        .await
    }

    async fn schedule(
        &self,
        messages: &[NewMessage],
        now: OffsetDateTime,
    ) -> Result<Vec<ScheduleOutcome>, StoreError> {
        let rows = Rows::pack(messages)?;
        let now = to_micros(now);
        self.write("scheduling", move |tx| schedule_rows(tx, &rows, now))
            .await
    }

    async fn cancel(
        &self,
        key: &MessageKey,
        state: State,
        now: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        if !matches!(state, State::Cancelled | State::Superseded) {
            return Err(StoreError::InvalidArgument {
                argument: "state",
                reason: format!("a message is cancelled or superseded, not {state}"),
            });
        }
        let key = key.clone();
        self.write("cancelling", move |tx| {
            let n = tx
                .prepare_cached(
                    "UPDATE message SET state = ?2, updated_at = ?3 \
                     WHERE key = ?1 AND state = 'scheduled'",
                )
                .and_then(|mut s| s.execute(params![key.as_str(), state.as_str(), to_micros(now)]))
                .map_err(backend("cancelling"))?;
            Ok(n == 1)
        })
        .await
    }

    async fn reschedule(
        &self,
        key: &MessageKey,
        not_before: OffsetDateTime,
        not_after: Option<OffsetDateTime>,
    ) -> Result<bool, StoreError> {
        let key = key.clone();
        self.write("rescheduling", move |tx| {
            let n = tx
                .prepare_cached(
                    "UPDATE message SET not_before = ?2, not_after = ?3 \
                     WHERE key = ?1 AND state = 'scheduled'",
                )
                .and_then(|mut s| {
                    s.execute(params![
                        key.as_str(),
                        to_micros(not_before),
                        not_after.map(to_micros)
                    ])
                })
                .map_err(backend("rescheduling"))?;
            Ok(n == 1)
        })
        .await
    }

    async fn claim(
        &self,
        worker: &str,
        now: OffsetDateTime,
        lease: Duration,
        limit: usize,
    ) -> Result<ClaimBatch, StoreError> {
        let worker = worker.to_owned();
        let now_us = to_micros(now);
        let lease_until = now_us.saturating_add(duration_micros(lease));
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.write_lazy("claiming", move |tx, ids| {
            let mut select = tx
                .prepare_cached(
                    "SELECT id, key, subject, token, purpose, template, language, params, \
                     timezone, not_before, not_after, attempts FROM message \
                     WHERE state = 'scheduled' AND not_before <= ?1 \
                     ORDER BY not_before LIMIT ?2",
                )
                .map_err(backend("claiming"))?;
            let mut claim = tx
                .prepare_cached(
                    "UPDATE message SET state = 'claimed', worker = ?2, lease_until = ?3, \
                     sending_at = NULL, updated_at = ?4 WHERE id = ?1",
                )
                .map_err(backend("claiming"))?;
            let mut expire = tx
                .prepare_cached(
                    "UPDATE message SET state = 'expired', updated_at = ?2 WHERE id = ?1",
                )
                .map_err(backend("claiming"))?;
            let mut batch = ClaimBatch::default();
            let mut rows = select
                .query(params![now_us, limit])
                .map_err(backend("claiming"))?;
            let mut taken = Vec::new();
            while let Some(r) = rows.next().map_err(backend("claiming"))? {
                let id: i64 = r.get(0).map_err(backend("claiming"))?;
                let key = r
                    .get_ref(1)
                    .and_then(|v| Ok(v.as_str()?))
                    .map_err(backend("claiming"))?;
                let not_after: Option<i64> = r.get(10).map_err(backend("claiming"))?;
                if not_after.is_some_and(|na| na < now_us) {
                    batch.expired.push(key_of(key)?);
                    taken.push((id, None));
                    continue;
                }
                let text = |i: usize| -> Result<&str, StoreError> {
                    r.get_ref(i)
                        .and_then(|v| Ok(v.as_str()?))
                        .map_err(backend("claiming"))
                };
                let optional = |i: usize| -> Result<Option<&str>, StoreError> {
                    r.get_ref(i)
                        .and_then(|v| Ok(v.as_str_or_null()?))
                        .map_err(backend("claiming"))
                };
                let token =
                    optional(3)?.ok_or_else(|| corrupt(key, "token", "purged while scheduled"))?;
                let params: BTreeMap<String, String> =
                    serde_json::from_str(optional(7)?.unwrap_or("{}"))
                        .map_err(|e| corrupt(key, "params", e))?;
                let message_key = key_of(key)?;
                let claimed = Claimed {
                    subject: subject_of(key, text(2)?)?,
                    token: SendToken::parse(token).map_err(|e| corrupt(key, "token", e))?,
                    purpose: purpose_of(key, text(4)?)?,
                    template: text(5)?.to_owned(),
                    language: text(6)?.to_owned(),
                    params,
                    timezone: zone_of(key, text(8)?)?,
                    not_before: from_micros(r.get(9).map_err(backend("claiming"))?),
                    not_after: not_after.map(from_micros),
                    attempts: u32::try_from(r.get::<_, i64>(11).map_err(backend("claiming"))?)
                        .unwrap_or(u32::MAX),
                    key: message_key,
                };
                taken.push((id, Some(batch.claimed.len())));
                batch.claimed.push(claimed);
            }
            drop(rows);
            for (id, claimed) in taken {
                match claimed {
                    None => expire.execute(params![id, now_us]),
                    Some(i) => {
                        if let Some(c) = batch.claimed.get(i) {
                            ids.insert(c.key.as_str().to_owned(), id);
                        }
                        claim.execute(params![id, worker, lease_until, now_us])
                    }
                }
                .map_err(backend("claiming"))?;
            }
            Ok(batch)
        })
        .await
    }

    async fn defer(
        &self,
        worker: &str,
        deferrals: &[(MessageKey, OffsetDateTime)],
    ) -> Result<u64, StoreError> {
        if deferrals.is_empty() {
            return Ok(0);
        }
        let worker = worker.to_owned();
        let deferrals = deferrals.to_vec();
        self.write_ids("deferring", move |tx, ids| {
            let mut stmt = tx
                .prepare_cached(
                    "UPDATE message SET state = 'scheduled', not_before = ?2, worker = NULL, \
                     lease_until = NULL WHERE id = ?4 AND +key = ?1 AND state = 'claimed' \
                     AND worker = ?3 AND sending_at IS NULL",
                )
                .map_err(backend("deferring"))?;
            let mut n = 0;
            for (key, until) in &deferrals {
                let Some(id) = row_id(tx, ids, key.as_str(), "deferring")? else {
                    continue;
                };
                n += stmt
                    .execute(params![key.as_str(), to_micros(*until), worker, id])
                    .map_err(backend("deferring"))?;
                ids.remove(key.as_str());
            }
            Ok(count(n))
        })
        .await
    }

    async fn mark_sending(
        &self,
        worker: &str,
        keys: &[MessageKey],
        now: OffsetDateTime,
    ) -> Result<Vec<MessageKey>, StoreError> {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let worker = worker.to_owned();
        let keys = keys.to_vec();
        let now = to_micros(now);
        self.write_ids("marking sends", move |tx, ids| {
            let mut stmt = tx
                .prepare_cached(
                    "UPDATE message SET sending_at = ?3 WHERE id = ?4 AND +key = ?1 \
                     AND state = 'claimed' AND worker = ?2 AND lease_until > ?3 \
                     AND sending_at IS NULL",
                )
                .map_err(backend("marking sends"))?;
            let mut held = Vec::with_capacity(keys.len());
            for key in keys {
                let Some(id) = row_id(tx, ids, key.as_str(), "marking sends")? else {
                    continue;
                };
                if stmt
                    .execute(params![key.as_str(), worker, now, id])
                    .map_err(backend("marking sends"))?
                    == 1
                {
                    held.push(key);
                }
            }
            Ok(held)
        })
        .await
    }

    async fn complete(
        &self,
        completions: &[Completion],
        now: OffsetDateTime,
    ) -> Result<u64, StoreError> {
        if completions.is_empty() {
            return Ok(0);
        }
        let completions = completions.to_vec();
        let now = to_micros(now);
        self.write_ids("completing", move |tx, ids| {
            let mut sent = tx
                .prepare_cached(
                    "UPDATE message SET state = 'sent', wamid_mac = ?2, error_code = NULL, \
                     reason = NULL, lease_until = NULL, updated_at = ?3 \
                     WHERE id = ?4 AND +key = ?1 AND state IN ('claimed', 'unknown')",
                )
                .map_err(backend("completing"))?;
            let mut failed = tx
                .prepare_cached(
                    "UPDATE message SET state = 'failed', error_code = ?2, reason = ?3, \
                     lease_until = NULL, updated_at = ?4 \
                     WHERE id = ?5 AND +key = ?1 AND state IN ('claimed', 'unknown')",
                )
                .map_err(backend("completing"))?;
            let mut retry = tx
                .prepare_cached(
                    "UPDATE message SET state = 'scheduled', not_before = ?5, \
                     attempts = attempts + 1, error_code = ?2, reason = ?3, worker = NULL, \
                     lease_until = NULL, sending_at = NULL, updated_at = ?4 \
                     WHERE id = ?6 AND +key = ?1 AND state IN ('claimed', 'unknown')",
                )
                .map_err(backend("completing"))?;
            let mut unknown = tx
                .prepare_cached(
                    "UPDATE message SET state = 'unknown', reason = ?2, lease_until = NULL, \
                     updated_at = ?3 WHERE id = ?4 AND +key = ?1 AND state = 'claimed'",
                )
                .map_err(backend("completing"))?;
            let mut ended = tx
                .prepare_cached(
                    "UPDATE message SET state = ?2, lease_until = NULL, updated_at = ?3 \
                     WHERE id = ?4 AND +key = ?1 AND state = 'claimed'",
                )
                .map_err(backend("completing"))?;
            let mut n = 0;
            for c in &completions {
                let key = c.key.as_str();
                let Some(id) = row_id(tx, ids, key, "completing")? else {
                    continue;
                };
                n += match &c.outcome {
                    Outcome::Sent { wamid } => sent.execute(params![key, wamid.as_str(), now, id]),
                    Outcome::Failed {
                        code,
                        reason,
                        retry_at: Some(at),
                    } => retry.execute(params![key, code, reason, now, to_micros(*at), id]),
                    Outcome::Failed {
                        code,
                        reason,
                        retry_at: None,
                    } => failed.execute(params![key, code, reason, now, id]),
                    Outcome::Unknown { reason } => unknown.execute(params![key, reason, now, id]),
                    Outcome::Suppressed => {
                        ended.execute(params![key, State::Suppressed.as_str(), now, id])
                    }
                    Outcome::Cancelled => {
                        ended.execute(params![key, State::Cancelled.as_str(), now, id])
                    }
                    Outcome::Superseded => {
                        ended.execute(params![key, State::Superseded.as_str(), now, id])
                    }
                }
                .map_err(backend("completing"))?;
                ids.remove(key);
            }
            Ok(count(n))
        })
        .await
    }

    async fn recover(&self, now: OffsetDateTime) -> Result<RecoverReport, StoreError> {
        let now = to_micros(now);
        self.write("recovering", move |tx| {
            let rescheduled = tx
                .prepare_cached(
                    "UPDATE message SET state = 'scheduled', worker = NULL, lease_until = NULL, \
                     updated_at = ?1 \
                     WHERE state = 'claimed' AND lease_until <= ?1 AND sending_at IS NULL",
                )
                .and_then(|mut s| s.execute([now]))
                .map_err(backend("recovering"))?;
            let unknown = tx
                .prepare_cached(
                    "UPDATE message SET state = 'unknown', reason = 'lease_expired_while_sending', \
                     lease_until = NULL, updated_at = ?1 \
                     WHERE state = 'claimed' AND lease_until <= ?1 RETURNING key",
                )
                .and_then(|mut s| {
                    s.query_map([now], |r| r.get::<_, String>(0))?
                        .collect::<Result<Vec<_>, _>>()
                })
                .map_err(backend("recovering"))?;
            Ok(RecoverReport {
                rescheduled: count(rescheduled),
                unknown: unknown
                    .iter()
                    .map(|k| key_of(k))
                    .collect::<Result<_, _>>()?,
            })
        })
        .await
    }

    async fn apply_status(
        &self,
        wamid: &WamidMac,
        status: DeliveryStatus,
        at: OffsetDateTime,
    ) -> Result<Option<MessageView>, StoreError> {
        let wamid = wamid.clone();
        let at = to_micros(at);
        self.write("applying a status", move |tx| {
            let (target, from, code): (&str, &str, Option<i64>) = match status {
                DeliveryStatus::Sent => ("sent", "'unknown'", None),
                DeliveryStatus::Delivered => ("delivered", "'sent', 'unknown'", None),
                DeliveryStatus::Read => ("read", "'sent', 'unknown', 'delivered'", None),
                DeliveryStatus::Failed { code } => ("failed", "'sent', 'unknown'", code),
            };
            let sql = format!(
                "UPDATE message SET state = ?2, error_code = COALESCE(?3, error_code), \
                 updated_at = ?4 WHERE wamid_mac = ?1 AND state IN ({from})"
            );
            tx.prepare_cached(&sql)
                .and_then(|mut s| s.execute(params![wamid.as_str(), target, code, at]))
                .map_err(backend("applying a status"))?;
            let sql = format!("SELECT {VIEW_COLUMNS} FROM message WHERE wamid_mac = ?1");
            let raw = tx
                .prepare_cached(&sql)
                .and_then(|mut s| s.query_row([wamid.as_str()], view_row).optional())
                .map_err(backend("applying a status"))?;
            raw.map(RawView::into_view).transpose()
        })
        .await
    }

    async fn find_by_wamid(&self, wamid: &WamidMac) -> Result<Option<MessageView>, StoreError> {
        let wamid = wamid.clone();
        self.run("finding a message", move |conn| {
            let sql = format!("SELECT {VIEW_COLUMNS} FROM message WHERE wamid_mac = ?1");
            let raw = conn
                .prepare_cached(&sql)
                .and_then(|mut s| s.query_row([wamid.as_str()], view_row).optional())
                .map_err(backend("finding a message"))?;
            raw.map(RawView::into_view).transpose()
        })
        .await
    }

    async fn message(&self, key: &MessageKey) -> Result<Option<MessageView>, StoreError> {
        let key = key.clone();
        self.run("reading a message", move |conn| {
            let sql = format!("SELECT {VIEW_COLUMNS} FROM message WHERE key = ?1");
            let raw = conn
                .prepare_cached(&sql)
                .and_then(|mut s| s.query_row([key.as_str()], view_row).optional())
                .map_err(backend("reading a message"))?;
            raw.map(RawView::into_view).transpose()
        })
        .await
    }

    async fn record_consent(
        &self,
        subject: &SubjectRef,
        scope: ConsentScope,
        action: ConsentAction,
        evidence: &Evidence,
    ) -> Result<bool, StoreError> {
        let subject = subject.clone();
        let evidence = evidence.clone();
        self.write("recording consent", move |tx| {
            let canonical = canonical_in(tx, subject.as_str())?;
            let added = tx
                .prepare_cached(
                    "INSERT INTO consent (subject, scope, action, at, source, reference, \
                     recorded_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT DO NOTHING",
                )
                .and_then(|mut s| {
                    s.execute(params![
                        canonical,
                        scope.as_str(),
                        action.as_str(),
                        to_micros(evidence.at),
                        evidence.source.as_str(),
                        evidence.reference,
                        to_micros(OffsetDateTime::now_utc())
                    ])
                })
                .map_err(backend("recording consent"))?;
            Ok(added == 1)
        })
        .await
    }

    async fn consents(
        &self,
        queries: &[(SubjectRef, Purpose)],
    ) -> Result<Vec<Option<ConsentAction>>, StoreError> {
        if queries.is_empty() {
            return Ok(Vec::new());
        }
        let mut subjects = String::with_capacity(queries.len() * 48);
        let mut asks = Vec::with_capacity(queries.len());
        for (subject, purpose) in queries {
            let start = subjects.len();
            subjects.push_str(subject.as_str());
            asks.push((start..subjects.len(), purpose.as_str()));
        }
        self.run("reading consent", move |conn| {
            let tx = conn.transaction().map_err(backend("reading consent"))?;
            // The alias is resolved inside the statement: one lookup per message.
            let mut stmt = tx
                .prepare_cached(
                    "SELECT action FROM consent WHERE subject = \
                     COALESCE((SELECT canonical FROM subject_alias WHERE alias = ?1), ?1) \
                     AND scope IN (?2, 'all') ORDER BY at DESC, id DESC LIMIT 1",
                )
                .map_err(backend("reading consent"))?;
            let mut out = Vec::with_capacity(asks.len());
            for (range, purpose) in &asks {
                let subject = subjects.get(range.clone()).unwrap_or_default();
                let action = stmt
                    .query_row(params![subject, purpose], |r| {
                        Ok(r.get_ref(0)?.as_str()?.parse::<ConsentAction>())
                    })
                    .optional()
                    .map_err(backend("reading consent"))?
                    .transpose()
                    .map_err(|e| corrupt("-", "consent.action", e))?;
                out.push(action);
            }
            drop(stmt);
            tx.commit().map_err(backend("reading consent"))?;
            Ok(out)
        })
        .await
    }

    async fn link_alias(
        &self,
        alias: &SubjectRef,
        canonical: &SubjectRef,
    ) -> Result<(), StoreError> {
        if alias == canonical {
            return Err(StoreError::InvalidArgument {
                argument: "alias",
                reason: "a subject cannot be its own alias".into(),
            });
        }
        let alias = alias.clone();
        let canonical = canonical.clone();
        self.write("linking an alias", move |tx| {
            // Link to the target's own canonical subject, so chains never form.
            let target = canonical_in(tx, canonical.as_str())?;
            if target == alias.as_str() {
                return Err(StoreError::InvalidArgument {
                    argument: "alias",
                    reason: "the link would make a cycle".into(),
                });
            }
            tx.prepare_cached(
                "INSERT INTO subject_alias (alias, canonical) VALUES (?1, ?2) \
                 ON CONFLICT (alias) DO UPDATE SET canonical = excluded.canonical",
            )
            .and_then(|mut s| s.execute(params![alias.as_str(), target]))
            .map_err(backend("linking an alias"))?;
            // Aliases of the alias follow it; its consent records move to the canonical.
            tx.prepare_cached("UPDATE subject_alias SET canonical = ?2 WHERE canonical = ?1")
                .and_then(|mut s| s.execute(params![alias.as_str(), target]))
                .map_err(backend("linking an alias"))?;
            // A record the canonical already holds (the same evidence under both) is
            // kept once: the alias's copy goes, then the rest moves (any other conflict
            // fails the link instead of dropping a record).
            tx.prepare_cached(
                "DELETE FROM consent AS a WHERE a.subject = ?1 AND EXISTS (\
                 SELECT 1 FROM consent AS c WHERE c.subject = ?2 AND c.scope = a.scope \
                 AND c.action = a.action AND c.at = a.at AND c.source = a.source \
                 AND IFNULL(c.reference, '') = IFNULL(a.reference, ''))",
            )
            .and_then(|mut s| s.execute(params![alias.as_str(), target]))
            .map_err(backend("linking an alias"))?;
            tx.prepare_cached("UPDATE consent SET subject = ?2 WHERE subject = ?1")
                .and_then(|mut s| s.execute(params![alias.as_str(), target]))
                .map_err(backend("linking an alias"))?;
            Ok(())
        })
        .await
    }

    async fn canonical(&self, subject: &SubjectRef) -> Result<SubjectRef, StoreError> {
        let subject = subject.clone();
        self.run("resolving an alias", move |conn| {
            let text = canonical_in(conn, subject.as_str())?;
            subject_of("-", &text)
        })
        .await
    }

    async fn reserve_slots(
        &self,
        requests: &[SlotRequest],
        now: OffsetDateTime,
    ) -> Result<Vec<OffsetDateTime>, StoreError> {
        if requests.is_empty() {
            return Ok(Vec::new());
        }
        let requests = requests.to_vec();
        let now = to_micros(now);
        self.write("reserving send slots", move |tx| {
            let mut stmt = tx
                .prepare_cached(
                    "INSERT INTO lane (lane, next_slot) VALUES (?1, ?2 + ?3) \
                     ON CONFLICT (lane) DO UPDATE SET next_slot = MAX(next_slot, ?2) + ?3 \
                     RETURNING next_slot - ?3",
                )
                .map_err(backend("reserving send slots"))?;
            let mut out = Vec::with_capacity(requests.len());
            for r in &requests {
                let span = duration_micros(r.interval).saturating_mul(i64::from(r.n));
                let first: i64 = stmt
                    .query_row(params![r.lane, now, span], |row| row.get(0))
                    .map_err(backend("reserving send slots"))?;
                out.push(from_micros(first));
            }
            Ok(out)
        })
        .await
    }

    async fn throttle(&self, lane: &str, until: OffsetDateTime) -> Result<(), StoreError> {
        let lane = lane.to_owned();
        let until = to_micros(until);
        self.write("throttling", move |tx| {
            tx.prepare_cached(
                "INSERT INTO lane (lane, throttled_until) VALUES (?1, ?2) ON CONFLICT (lane) \
                 DO UPDATE SET throttled_until = MAX(throttled_until, ?2)",
            )
            .and_then(|mut s| s.execute(params![lane, until]))
            .map_err(backend("throttling"))?;
            Ok(())
        })
        .await
    }

    async fn throttled_until(
        &self,
        lane: &str,
        now: OffsetDateTime,
    ) -> Result<Option<OffsetDateTime>, StoreError> {
        let lane = lane.to_owned();
        let now = to_micros(now);
        self.run("reading a throttle", move |conn| {
            let until: Option<i64> = conn
                .prepare_cached("SELECT throttled_until FROM lane WHERE lane = ?1")
                .and_then(|mut s| s.query_row([lane], |r| r.get(0)).optional())
                .map_err(backend("reading a throttle"))?;
            Ok(until.filter(|u| *u > now).map(from_micros))
        })
        .await
    }

    async fn counts(&self) -> Result<Vec<StateCount>, StoreError> {
        self.run("counting", |conn| {
            let mut stmt = conn
                .prepare_cached(
                    "SELECT state, purpose, COUNT(*) FROM message GROUP BY state, purpose",
                )
                .map_err(backend("counting"))?;
            let rows = stmt
                .query_map([], |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, i64>(2)?,
                    ))
                })
                .map_err(backend("counting"))?
                .collect::<Result<Vec<_>, _>>()
                .map_err(backend("counting"))?;
            let mut out = rows
                .into_iter()
                .map(|(s, p, n)| {
                    Ok(StateCount {
                        state: state_of("-", &s)?,
                        purpose: purpose_of("-", &p)?,
                        count: u64::try_from(n).unwrap_or(0),
                    })
                })
                .collect::<Result<Vec<_>, StoreError>>()?;
            out.sort();
            Ok(out)
        })
        .await
    }

    async fn purge_tokens(&self, finished_before: OffsetDateTime) -> Result<u64, StoreError> {
        let before = to_micros(finished_before);
        self.write("purging tokens", move |tx| {
            let n = tx
                .prepare_cached(
                    "UPDATE message SET token = NULL, params = NULL \
                     WHERE state NOT IN ('scheduled', 'claimed') AND updated_at < ?1 \
                     AND token IS NOT NULL",
                )
                .and_then(|mut s| s.execute([before]))
                .map_err(backend("purging tokens"))?;
            Ok(count(n))
        })
        .await
    }

    async fn next_due(&self) -> Result<Option<OffsetDateTime>, StoreError> {
        self.run("reading the next due time", |conn| {
            let at: Option<i64> = conn
                .prepare_cached(
                    "SELECT not_before FROM message WHERE state = 'scheduled' \
                     ORDER BY not_before LIMIT 1",
                )
                .and_then(|mut s| s.query_row([], |r| r.get(0)).optional())
                .map_err(backend("reading the next due time"))?;
            Ok(at.map(from_micros))
        })
        .await
    }
}
