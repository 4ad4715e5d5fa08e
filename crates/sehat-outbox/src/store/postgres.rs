//! The PostgreSQL backend: many dispatcher processes on many machines, one database.
//!
//! # How it stays correct with many workers
//!
//! - **Claims** take due rows with `FOR UPDATE SKIP LOCKED` (workers never wait for each
//!   other and never take the same row) and move them to `claimed` under a lease in the
//!   same statement; the message row itself is also locked `SKIP LOCKED`, so a claim
//!   never waits for a scheduler or canceller holding that row, and no deadlock can form.
//! - **Leases** are recorded per claimed batch in `outbox_lease`; [`Store::recover`]
//!   reads only expired leases and gives their rows back (`scheduled`), or, when they were
//!   marked sending, ends them as `unknown`: never sent twice.
//! - **Pacing** is one row per lane (`outbox_lane`), advanced by an atomic
//!   `INSERT … ON CONFLICT DO UPDATE … RETURNING`: every worker of the fleet gets distinct
//!   slots.
//!
//! # Why claims do not slow down as history grows
//!
//! The queue of due work is its own narrow table, `outbox_due (not_before, id)`, holding
//! one row per `scheduled` message; a claim deletes its rows there, and finished messages
//! live on only in `outbox_message`, which no claim scans. Deleted queue rows leave dead
//! index entries until vacuum, and a claim that always started at the front of the index
//! would step over all of them (the cause of the classic slowdown of `SKIP LOCKED` queues),
//! so each store claims from a cursor: the position after its last claimed row. The
//! cursor goes back to the front when a claim from it finds less than it asked for, and
//! at least once a second, so rows scheduled behind it are never stranded.
//! `docs/outbox.md` has the measurements.

mod pool;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use time::OffsetDateTime;
use tokio_postgres::Row;
use tokio_postgres::types::ToSql;

use self::pool::{Conn, Pool};
use super::columns::{
    StoredContent, corrupt, key_of, params_json, purpose_of, state_of, subject_of, zone_of,
};
use super::{
    ClaimBatch, Claimed, Completion, DeliveryStatus, MessageView, Outcome, RecoverReport,
    SlotRequest, StateCount, Store, StoreError, duration_micros, from_micros, to_micros,
};
use crate::model::{
    ConsentAction, ConsentScope, Evidence, MessageKey, NewMessage, Purpose, ScheduleOutcome,
    SendToken, State, SubjectRef, WamidMac,
};

const BACKEND: &str = "postgres";

/// The versioned migrations, in order.
const MIGRATIONS: &[(i64, &str, &str)] = &[
    (
        1,
        "outbox",
        include_str!("postgres/migrations/0001_outbox.sql"),
    ),
    (
        2,
        "consent_once",
        include_str!("postgres/migrations/0002_consent_once.sql"),
    ),
];

/// The advisory lock that serializes migrations of one database across processes.
const MIGRATION_LOCK: i64 = 0x5e4a_7007_b0c5_0001;
/// The advisory lock that serializes alias links (so no cycle can form between two).
const ALIAS_LOCK: i64 = 0x5e4a_7007_b0c5_0002;

/// How many connections one store opens at most, by default.
pub const DEFAULT_POOL_SIZE: usize = 4;

/// How long a claim cursor is trusted before claims start from the front again.
const CURSOR_AGE: Duration = Duration::from_secs(1);

/// The outbox in a PostgreSQL database, shared by any number of processes.
///
/// Open one per process; clones share its connections (at most
/// [`DEFAULT_POOL_SIZE`] unless [`PgStore::connect_with_pool_size`] says otherwise).
/// Connections are plain TCP or Unix-socket connections (no TLS): keep the database on a
/// trusted network, or reach it through a local TLS tunnel.
///
/// # Examples
///
/// ```no_run
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use sehat_outbox::store::{Store, postgres::PgStore};
///
/// let store = PgStore::connect("postgres://outbox@127.0.0.1/outbox").await?;
/// store.migrate().await?;
/// println!("{:?}", store.counts().await?);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct PgStore {
    inner: Arc<Inner>,
}

struct Inner {
    pool: Pool,
    cursor: Mutex<Cursor>,
    /// The row ids of the messages this store claimed: marking and completing them join on
    /// the primary key instead of descending the (much larger) key index. An id is only a
    /// hint: every update also checks the key, and a key without one is looked up.
    ids: Mutex<HashMap<String, i64>>,
    target: String,
}

/// More remembered ids than this (claims never completed, such as those of a run stopped
/// by a database error) and the map starts again: the ids are hints.
const MAX_REMEMBERED_IDS: usize = 1 << 20;

/// Where this store's next claim starts (`None`: at the front).
struct Cursor {
    after: Option<(i64, i64)>,
    set_at: Instant,
}

impl fmt::Debug for PgStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PgStore")
            .field("database", &self.inner.target)
            .finish_non_exhaustive()
    }
}

/// The driver's error with the server's message (its `Display` alone says "db error").
fn describe(e: &tokio_postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!("{} (SQLSTATE {})", db.message(), db.code().code()),
        None => match std::error::Error::source(e) {
            Some(source) => format!("{e}: {source}"),
            None => e.to_string(),
        },
    }
}

fn backend(action: &'static str) -> impl FnOnce(tokio_postgres::Error) -> StoreError {
    move |e| StoreError::backend(BACKEND, action, describe(&e))
}

fn get<'a, T: tokio_postgres::types::FromSql<'a>>(
    row: &'a Row,
    index: usize,
    action: &'static str,
) -> Result<T, StoreError> {
    row.try_get(index).map_err(backend(action))
}

/// Splits `items` into consecutive runs in which no key repeats, so that one set-based
/// statement per run behaves like the calls one after the other.
fn runs_of_unique_keys<T>(items: &[T], key: impl Fn(&T) -> &str) -> Vec<&[T]> {
    let mut runs = Vec::new();
    let mut start = 0;
    let mut seen = HashSet::new();
    for (i, item) in items.iter().enumerate() {
        if !seen.insert(key(item)) {
            runs.push(&items[start..i]);
            start = i;
            seen.clear();
            seen.insert(key(item));
        }
    }
    if start < items.len() {
        runs.push(&items[start..]);
    }
    runs
}

fn view_of(row: &Row) -> Result<MessageView, StoreError> {
    const A: &str = "reading a message";
    let key: String = get(row, 0, A)?;
    Ok(MessageView {
        subject: subject_of(&key, &get::<String>(row, 1, A)?)?,
        purpose: purpose_of(&key, &get::<String>(row, 2, A)?)?,
        state: state_of(&key, &get::<String>(row, 3, A)?)?,
        template: get(row, 4, A)?,
        not_before: from_micros(get(row, 5, A)?),
        not_after: get::<Option<i64>>(row, 6, A)?.map(from_micros),
        timezone: zone_of(&key, &get::<String>(row, 7, A)?)?,
        attempts: u32::try_from(get::<i32>(row, 8, A)?).unwrap_or(0),
        error_code: get(row, 9, A)?,
        purged: get(row, 10, A)?,
        key: key_of(&key)?,
    })
}

impl PgStore {
    /// Connects to the database at `url` (`postgres://` or `postgresql://`, or a
    /// `key=value` connection string) with at most [`DEFAULT_POOL_SIZE`] connections. Call
    /// [`Store::migrate`] before use.
    ///
    /// # Errors
    ///
    /// [`StoreError::Url`] when the URL is not understood; [`StoreError::Backend`] when
    /// the server cannot be reached.
    pub async fn connect(url: &str) -> Result<PgStore, StoreError> {
        PgStore::connect_with_pool_size(url, DEFAULT_POOL_SIZE).await
    }

    /// [`PgStore::connect`] with at most `pool_size` connections (at least 1).
    ///
    /// # Errors
    ///
    /// As [`PgStore::connect`].
    pub async fn connect_with_pool_size(
        url: &str,
        pool_size: usize,
    ) -> Result<PgStore, StoreError> {
        let mut config: tokio_postgres::Config = url.parse().map_err(|e| StoreError::Url {
            reason: format!("not a PostgreSQL connection URL: {}", describe(&e)),
        })?;
        if config.get_application_name().is_none() {
            config.application_name("sehat-outbox");
        }
        let target = describe_target(&config);
        let store = PgStore {
            inner: Arc::new(Inner {
                pool: Pool::new(config, pool_size),
                cursor: Mutex::new(Cursor {
                    after: None,
                    set_at: Instant::now(),
                }),
                ids: Mutex::new(HashMap::new()),
                target,
            }),
        };
        // Fail now, not at the first call, when the server cannot be reached.
        drop(store.inner.pool.get("connecting").await?);
        Ok(store)
    }

    async fn conn(&self, action: &'static str) -> Result<pool::Pooled<'_>, StoreError> {
        self.inner.pool.get(action).await
    }

    fn cursor(&self) -> Option<(i64, i64)> {
        let mut cursor = self
            .inner
            .cursor
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if cursor.set_at.elapsed() > CURSOR_AGE {
            cursor.after = None;
            cursor.set_at = Instant::now();
        }
        cursor.after
    }

    fn set_cursor(&self, after: Option<(i64, i64)>) {
        let mut cursor = self
            .inner
            .cursor
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if after.is_none() || cursor.after.is_none() {
            cursor.set_at = Instant::now();
        }
        cursor.after = after;
    }

    fn remembered_ids(&self) -> std::sync::MutexGuard<'_, HashMap<String, i64>> {
        self.inner
            .ids
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The row ids of `keys`, in order: remembered from this store's claims, else looked
    /// up (`None`: no such message).
    async fn row_ids(
        &self,
        conn: &mut Conn,
        keys: &[&str],
        action: &'static str,
    ) -> Result<Vec<Option<i64>>, StoreError> {
        let mut ids: Vec<Option<i64>> = {
            let known = self.remembered_ids();
            keys.iter().map(|k| known.get(*k).copied()).collect()
        };
        let missing: Vec<&str> = keys
            .iter()
            .zip(&ids)
            .filter_map(|(k, id)| id.is_none().then_some(*k))
            .collect();
        if !missing.is_empty() {
            let rows = query(conn, IDS_OF_KEYS, &[&missing], action).await?;
            let mut found = HashMap::with_capacity(rows.len());
            for row in &rows {
                found.insert(get::<String>(row, 0, action)?, get::<i64>(row, 1, action)?);
            }
            for (key, id) in keys.iter().zip(ids.iter_mut()) {
                if id.is_none() {
                    *id = found.get(*key).copied();
                }
            }
        }
        Ok(ids)
    }
}

/// `host:port/dbname` (never the user's password).
fn describe_target(config: &tokio_postgres::Config) -> String {
    let host = config
        .get_hosts()
        .first()
        .map(|h| match h {
            tokio_postgres::config::Host::Tcp(name) => name.clone(),
            tokio_postgres::config::Host::Unix(path) => path.display().to_string(),
        })
        .unwrap_or_else(|| "localhost".to_owned());
    let port = config.get_ports().first().copied().unwrap_or(5432);
    format!("{host}:{port}/{}", config.get_dbname().unwrap_or("-"))
}

// New messages by `COPY … (FORMAT binary)`, with ids taken from the identity's sequence
// beforehand so that the due queue can be copied too (`COPY` writes the given ids into the
// identity column). The sequence is named as a constant: looked up per row with
// `pg_get_serial_sequence`, taking 10,000 ids cost 53 ms instead of 7 ms.
const NEXT_IDS: &str = "\
SELECT nextval('outbox_message_id_seq'::regclass) FROM generate_series(1, $1::bigint)";

const COPY_MESSAGES: &str = "\
COPY outbox_message (id, key, subject, token, purpose, template, language, params, timezone,
                     not_before, not_after, state, created_at, updated_at)
FROM STDIN (FORMAT binary)";

const COPY_DUE: &str = "COPY outbox_due (not_before, id) FROM STDIN (FORMAT binary)";

const SCHEDULE_INSERT: &str = "\
WITH ins AS (
    INSERT INTO outbox_message (key, subject, token, purpose, template, language, params,
                                timezone, not_before, not_after, state, created_at, updated_at)
    SELECT k, s, t, p, tp, l, pa, tz, nb, na, 'scheduled', $11::bigint, $11::bigint
    FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
                $7::text[], $8::text[], $9::bigint[], $10::bigint[])
         AS u(k, s, t, p, tp, l, pa, tz, nb, na)
    ON CONFLICT (key) DO NOTHING
    RETURNING id, key, not_before
), due AS (
    INSERT INTO outbox_due (not_before, id) SELECT not_before, id FROM ins
)
SELECT key FROM ins";

const SCHEDULE_SELECT: &str = "\
SELECT id, key, state, subject, token, purpose, template, language, params, timezone,
       not_before, not_after
FROM outbox_message WHERE key = ANY($1) FOR UPDATE";

const SCHEDULE_UPDATE: &str = "\
WITH u AS (
    SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[],
                         $6::text[], $7::text[], $8::text[], $9::bigint[], $10::bigint[])
         AS u(id, s, t, p, tp, l, pa, tz, nb, na)
), old AS (
    SELECT m.id, m.not_before FROM outbox_message m JOIN u ON m.id = u.id
    WHERE m.state = 'scheduled'
), del AS (
    DELETE FROM outbox_due d USING old, u
    WHERE d.not_before = old.not_before AND d.id = old.id AND u.id = old.id
      AND u.nb <> old.not_before
), upd AS (
    UPDATE outbox_message m
    SET subject = u.s, token = u.t, purpose = u.p, template = u.tp, language = u.l,
        params = u.pa, timezone = u.tz, not_before = u.nb, not_after = u.na,
        updated_at = $11::bigint
    FROM u, old WHERE m.id = u.id AND old.id = u.id
    RETURNING m.id
)
INSERT INTO outbox_due (not_before, id)
SELECT u.nb, u.id FROM u JOIN old ON old.id = u.id WHERE u.nb <> old.not_before";

const CANCEL: &str = "\
WITH m AS (
    UPDATE outbox_message SET state = $2::text, updated_at = $3::bigint
    WHERE key = $1::text AND state = 'scheduled'
    RETURNING id, not_before
), d AS (
    DELETE FROM outbox_due d USING m WHERE d.not_before = m.not_before AND d.id = m.id
)
SELECT count(*) FROM m";

const RESCHEDULE: &str = "\
WITH old AS (
    SELECT id, not_before FROM outbox_message
    WHERE key = $1::text AND state = 'scheduled' FOR UPDATE
), upd AS (
    UPDATE outbox_message m SET not_before = $2::bigint, not_after = $3::bigint
    FROM old WHERE m.id = old.id
    RETURNING m.id
), del AS (
    DELETE FROM outbox_due d USING old
    WHERE d.not_before = old.not_before AND d.id = old.id AND old.not_before <> $2::bigint
), ins AS (
    INSERT INTO outbox_due (not_before, id)
    SELECT $2::bigint, id FROM old WHERE old.not_before <> $2::bigint
)
SELECT count(*) FROM upd";

const CLAIM: &str = "\
WITH picked AS (
    SELECT not_before, id FROM outbox_due
    WHERE not_before <= $1::bigint AND (not_before, id) > ($2::bigint, $3::bigint)
    ORDER BY not_before, id
    LIMIT $4::bigint
    FOR UPDATE SKIP LOCKED
), locked AS (
    SELECT m.id, p.not_before FROM picked p JOIN outbox_message m ON m.id = p.id
    WHERE m.state = 'scheduled'
    FOR UPDATE OF m SKIP LOCKED
), gone AS (
    DELETE FROM outbox_due d USING locked l
    WHERE d.not_before = l.not_before AND d.id = l.id
    RETURNING d.id
), lease AS (
    SELECT nextval('outbox_lease_id') AS lease_id
), moved AS (
    UPDATE outbox_message m
    SET state = CASE WHEN m.not_after < $1 THEN 'expired' ELSE 'claimed' END,
        worker = CASE WHEN m.not_after < $1 THEN NULL ELSE $5::text END,
        lease_id = CASE WHEN m.not_after < $1 THEN NULL ELSE lease.lease_id END,
        lease_until = CASE WHEN m.not_after < $1 THEN NULL ELSE $6::bigint END,
        sending_at = NULL,
        updated_at = $1
    FROM gone, lease
    WHERE m.id = gone.id
    RETURNING m.id, m.key, m.state, m.subject, m.token, m.purpose, m.template, m.language,
              m.params, m.timezone, m.not_before, m.not_after, m.attempts, lease.lease_id
), held AS (
    INSERT INTO outbox_lease (id, worker, lease_until, ids)
    SELECT lease_id, $5::text, $6::bigint, array_agg(id) FROM moved WHERE state = 'claimed'
    GROUP BY lease_id
)
SELECT id, key, state, subject, token, purpose, template, language, params, timezone,
       not_before, not_after, attempts
FROM moved ORDER BY not_before, id";

const DEFER: &str = "\
WITH u AS (
    SELECT * FROM unnest($2::text[], $3::bigint[]) AS u(key, nb)
), moved AS (
    UPDATE outbox_message m
    SET state = 'scheduled', not_before = u.nb, worker = NULL, lease_id = NULL,
        lease_until = NULL
    FROM u
    WHERE m.key = u.key AND m.state = 'claimed' AND m.worker = $1 AND m.sending_at IS NULL
    RETURNING m.id, m.not_before
), due AS (
    INSERT INTO outbox_due (not_before, id) SELECT not_before, id FROM moved
)
SELECT count(*) FROM moved";

// Marking and completing find rows by id, remembered from the claim (`PgStore::row_ids`).
// The key is checked too, with `IS NOT DISTINCT FROM`, which no index serves: with `=`
// the planner may descend the key index instead, the larger of the two.
const IDS_OF_KEYS: &str = "SELECT key, id FROM outbox_message WHERE key = ANY($1::text[])";

const MARK_SENDING: &str = "\
UPDATE outbox_message m SET sending_at = $3::bigint
FROM unnest($4::bigint[], $2::text[]) AS u(id, key)
WHERE m.id = u.id AND m.key IS NOT DISTINCT FROM u.key
  AND m.state = 'claimed' AND m.worker = $1::text
  AND m.lease_until > $3::bigint
  AND m.sending_at IS NULL
RETURNING m.key";

const COMPLETE: &str = "\
WITH u AS (
    SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[],
                         $6::bigint[], $8::bigint[])
         AS u(key, kind, wamid, code, reason, retry_at, id)
), moved AS (
    UPDATE outbox_message m
    SET state = CASE u.kind WHEN 'retry' THEN 'scheduled' ELSE u.kind END,
        wamid_mac = CASE WHEN u.kind = 'sent' THEN u.wamid ELSE m.wamid_mac END,
        error_code = CASE WHEN u.kind = 'sent' THEN NULL
                          WHEN u.kind IN ('failed', 'retry') THEN u.code
                          ELSE m.error_code END,
        reason = CASE WHEN u.kind = 'sent' THEN NULL
                      WHEN u.kind IN ('failed', 'retry', 'unknown') THEN u.reason
                      ELSE m.reason END,
        not_before = CASE WHEN u.kind = 'retry' THEN u.retry_at ELSE m.not_before END,
        attempts = m.attempts + CASE WHEN u.kind = 'retry' THEN 1 ELSE 0 END,
        worker = CASE WHEN u.kind = 'retry' THEN NULL ELSE m.worker END,
        lease_id = CASE WHEN u.kind = 'retry' THEN NULL ELSE m.lease_id END,
        sending_at = CASE WHEN u.kind = 'retry' THEN NULL ELSE m.sending_at END,
        lease_until = NULL,
        updated_at = $7::bigint
    FROM u
    WHERE m.id = u.id AND m.key IS NOT DISTINCT FROM u.key
      AND (m.state = 'claimed'
           OR (m.state = 'unknown' AND u.kind IN ('sent', 'failed', 'retry')))
    RETURNING m.id, m.state, m.not_before, m.wamid_mac, u.kind
), due AS (
    INSERT INTO outbox_due (not_before, id)
    SELECT not_before, id FROM moved WHERE state = 'scheduled'
), wamid AS (
    INSERT INTO outbox_wamid (wamid_mac, id)
    SELECT wamid_mac, id FROM moved WHERE kind = 'sent'
    ON CONFLICT (wamid_mac) DO NOTHING
)
SELECT count(*) FROM moved";

const RECOVER: &str = "\
WITH expired AS (
    DELETE FROM outbox_lease WHERE lease_until <= $1::bigint RETURNING id, ids
), held AS (
    SELECT m.id, m.sending_at IS NULL AS fresh
    FROM expired e
    CROSS JOIN LATERAL unnest(e.ids) AS x(id)
    JOIN outbox_message m ON m.id = x.id
    WHERE m.lease_id = e.id AND m.state = 'claimed' AND m.lease_until <= $1
    FOR UPDATE OF m
), moved AS (
    UPDATE outbox_message m
    SET state = CASE WHEN h.fresh THEN 'scheduled' ELSE 'unknown' END,
        reason = CASE WHEN h.fresh THEN m.reason ELSE 'lease_expired_while_sending' END,
        worker = CASE WHEN h.fresh THEN NULL ELSE m.worker END,
        lease_id = NULL,
        lease_until = NULL,
        updated_at = $1
    FROM held h WHERE m.id = h.id
    RETURNING m.id, m.key, m.state, m.not_before
), due AS (
    INSERT INTO outbox_due (not_before, id)
    SELECT not_before, id FROM moved WHERE state = 'scheduled'
)
SELECT key, state FROM moved ORDER BY id";

const APPLY_STATUS: &str = "\
UPDATE outbox_message m
SET state = $2::text, error_code = COALESCE($3::bigint, m.error_code), updated_at = $4::bigint
FROM outbox_wamid w
WHERE w.wamid_mac = $1::text AND m.id = w.id AND m.state = ANY($5::text[])";

const BY_WAMID: &str = "\
SELECT m.key, m.subject, m.purpose, m.state, m.template, m.not_before, m.not_after,
       m.timezone, m.attempts, m.error_code, m.token IS NULL
FROM outbox_wamid w JOIN outbox_message m ON m.id = w.id WHERE w.wamid_mac = $1";

const BY_KEY: &str = "\
SELECT m.key, m.subject, m.purpose, m.state, m.template, m.not_before, m.not_after,
       m.timezone, m.attempts, m.error_code, m.token IS NULL
FROM outbox_message m WHERE m.key = $1";

const CANONICAL: &str =
    "SELECT COALESCE((SELECT canonical FROM outbox_alias WHERE alias = $1::text), $1::text)";

const RECORD_CONSENT: &str = "\
INSERT INTO outbox_consent (subject, scope, action, at, source, reference, recorded_at)
VALUES (COALESCE((SELECT canonical FROM outbox_alias WHERE alias = $1::text), $1::text),
        $2::text, $3::text, $4::bigint, $5::text, $6::text, $7::bigint)
ON CONFLICT DO NOTHING
RETURNING id";

const MERGE_CONSENT: &str = "\
WITH copies AS (
    DELETE FROM outbox_consent a USING outbox_consent c
    WHERE a.subject = $1::text AND c.subject = $2::text AND a.scope = c.scope
      AND a.action = c.action AND a.at = c.at AND a.source = c.source
      AND COALESCE(a.reference, '') = COALESCE(c.reference, '')
    RETURNING a.id
)
UPDATE outbox_consent SET subject = $2::text
WHERE subject = $1::text AND id NOT IN (SELECT id FROM copies)";

const CONSENTS: &str = "\
SELECT (SELECT c.action FROM outbox_consent c
        WHERE c.subject = COALESCE(a.canonical, q.subject) AND c.scope IN (q.purpose, 'all')
        ORDER BY c.at DESC, c.id DESC LIMIT 1)
FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS q(subject, purpose, ord)
LEFT JOIN outbox_alias a ON a.alias = q.subject
ORDER BY q.ord";

const RESERVE: &str = "\
INSERT INTO outbox_lane (lane, next_slot)
SELECT l, $1::bigint + s FROM unnest($2::text[], $3::bigint[]) AS u(l, s)
ON CONFLICT (lane) DO UPDATE
SET next_slot = GREATEST(outbox_lane.next_slot, $1::bigint) + (EXCLUDED.next_slot - $1::bigint)
RETURNING lane, next_slot";

const THROTTLE: &str = "\
INSERT INTO outbox_lane (lane, throttled_until) VALUES ($1::text, $2::bigint)
ON CONFLICT (lane) DO UPDATE
SET throttled_until = GREATEST(outbox_lane.throttled_until, EXCLUDED.throttled_until)";

const THROTTLED_UNTIL: &str = "SELECT throttled_until FROM outbox_lane WHERE lane = $1";

const COUNTS: &str = "SELECT state, purpose, count(*) FROM outbox_message GROUP BY state, purpose";

const PURGE: &str = "\
UPDATE outbox_message SET token = NULL, params = NULL
WHERE state NOT IN ('scheduled', 'claimed') AND updated_at < $1 AND token IS NOT NULL";

const NEXT_DUE: &str = "SELECT min(not_before) FROM outbox_due";

/// Runs a prepared statement that returns rows.
async fn query(
    conn: &mut Conn,
    sql: &'static str,
    params: &[&(dyn ToSql + Sync)],
    action: &'static str,
) -> Result<Vec<Row>, StoreError> {
    let statement = conn.statement(sql, action).await?;
    conn.client
        .query(&statement, params)
        .await
        .map_err(backend(action))
}

/// Runs a prepared statement that returns one `count(*)`.
async fn query_count(
    conn: &mut Conn,
    sql: &'static str,
    params: &[&(dyn ToSql + Sync)],
    action: &'static str,
) -> Result<u64, StoreError> {
    let rows = query(conn, sql, params, action).await?;
    let n: i64 = match rows.first() {
        Some(row) => get(row, 0, action)?,
        None => 0,
    };
    Ok(u64::try_from(n).unwrap_or(0))
}

/// The columns of a batch of new messages, as the array parameters of one statement
/// (borrowed from the messages; only the parameters' JSON is written here).
#[derive(Default)]
struct Columns<'a> {
    ids: Vec<i64>,
    keys: Vec<&'a str>,
    subjects: Vec<&'a str>,
    tokens: Vec<&'a str>,
    purposes: Vec<&'static str>,
    templates: Vec<&'a str>,
    languages: Vec<&'a str>,
    params: Vec<String>,
    zones: Vec<&'a str>,
    not_before: Vec<i64>,
    not_after: Vec<Option<i64>>,
}

impl<'a> Columns<'a> {
    fn push(&mut self, m: &'a NewMessage, params: String) {
        self.keys.push(m.key.as_str());
        self.subjects.push(m.subject.as_str());
        self.tokens.push(m.token.as_str());
        self.purposes.push(m.purpose.as_str());
        self.templates.push(&m.template);
        self.languages.push(&m.language);
        self.params.push(params);
        self.zones.push(m.timezone.as_str());
        self.not_before.push(to_micros(m.not_before));
        self.not_after.push(m.not_after.map(to_micros));
    }

    /// The ten message columns, then `now`: the parameters of the insert and the update.
    fn with_now<'b>(&'b self, now: &'b i64) -> [&'b (dyn ToSql + Sync); 11] {
        [
            &self.keys,
            &self.subjects,
            &self.tokens,
            &self.purposes,
            &self.templates,
            &self.languages,
            &self.params,
            &self.zones,
            &self.not_before,
            &self.not_after,
            now,
        ]
    }
}

/// `n` ids from the identity's sequence, for [`copy_new`].
async fn next_ids(tx: &tokio_postgres::Transaction<'_>, n: usize) -> Result<Vec<i64>, StoreError> {
    const A: &str = "scheduling";
    let count = i64::try_from(n).map_err(|_| StoreError::InvalidArgument {
        argument: "messages",
        reason: format!("{n} messages in one call"),
    })?;
    let rows = tx.query(NEXT_IDS, &[&count]).await.map_err(backend(A))?;
    if rows.len() != n {
        return Err(StoreError::backend(
            "postgres",
            A,
            format!("asked for {n} ids, the server gave {}", rows.len()),
        ));
    }
    rows.iter().map(|row| get(row, 0, A)).collect()
}

/// Copies a run of new messages (one id of [`next_ids`] each) and their due-queue rows
/// in. Fails with a unique violation, having stored nothing the caller keeps, when a key
/// exists.
async fn copy_new(
    tx: &tokio_postgres::Transaction<'_>,
    columns: &Columns<'_>,
    ids: &[i64],
    now: i64,
) -> Result<(), tokio_postgres::Error> {
    use tokio_postgres::binary_copy::BinaryCopyInWriter;
    use tokio_postgres::types::Type;

    let sink = tx.copy_in(COPY_MESSAGES).await?;
    let types = [
        Type::INT8,
        Type::TEXT,
        Type::TEXT,
        Type::TEXT,
        Type::TEXT,
        Type::TEXT,
        Type::TEXT,
        Type::TEXT,
        Type::TEXT,
        Type::INT8,
        Type::INT8,
        Type::TEXT,
        Type::INT8,
        Type::INT8,
    ];
    let writer = BinaryCopyInWriter::new(sink, &types);
    let mut writer = std::pin::pin!(writer);
    for (i, id) in ids.iter().enumerate() {
        writer
            .as_mut()
            .write(&[
                id,
                &columns.keys[i],
                &columns.subjects[i],
                &columns.tokens[i],
                &columns.purposes[i],
                &columns.templates[i],
                &columns.languages[i],
                &columns.params[i],
                &columns.zones[i],
                &columns.not_before[i],
                &columns.not_after[i],
                &"scheduled",
                &now,
                &now,
            ])
            .await?;
    }
    writer.finish().await?;
    let sink = tx.copy_in(COPY_DUE).await?;
    let writer = BinaryCopyInWriter::new(sink, &[Type::INT8, Type::INT8]);
    let mut writer = std::pin::pin!(writer);
    for (id, not_before) in ids.iter().zip(&columns.not_before) {
        writer.as_mut().write(&[not_before, id]).await?;
    }
    writer.finish().await?;
    Ok(())
}

/// Schedules one run of messages whose keys are all different.
///
/// The usual run is all new keys (a day's reminders, a campaign's list): it is copied in,
/// in a savepoint, without the `ON CONFLICT` look-ups and without sending the keys back.
/// The first existing key fails that copy as a whole (rolled back to the savepoint), and
/// the run is then stored by the statements that compare each message with what is on
/// file.
async fn schedule_run(
    tx: &mut tokio_postgres::Transaction<'_>,
    messages: &[NewMessage],
    now: i64,
) -> Result<Vec<ScheduleOutcome>, StoreError> {
    const A: &str = "scheduling";
    let mut columns = Columns::default();
    for m in messages {
        columns.push(m, params_json(&m.params)?);
    }
    let attempt = tx.savepoint("schedule_new").await.map_err(backend(A))?;
    let ids = next_ids(&attempt, messages.len()).await?;
    match copy_new(&attempt, &columns, &ids, now).await {
        Ok(()) => {
            attempt.commit().await.map_err(backend(A))?;
            return Ok(vec![ScheduleOutcome::New; messages.len()]);
        }
        Err(e) if e.code() == Some(&tokio_postgres::error::SqlState::UNIQUE_VIOLATION) => {
            attempt.rollback().await.map_err(backend(A))?;
        }
        Err(e) => return Err(backend(A)(e)),
    }
    let inserted = tx
        .query(SCHEDULE_INSERT, &columns.with_now(&now))
        .await
        .map_err(backend(A))?;
    let mut new_keys = HashSet::with_capacity(inserted.len());
    for row in &inserted {
        new_keys.insert(get::<String>(row, 0, A)?);
    }
    let mut outcomes = vec![ScheduleOutcome::New; messages.len()];
    if new_keys.len() == messages.len() {
        return Ok(outcomes);
    }
    let others: Vec<&str> = messages
        .iter()
        .map(|m| m.key.as_str())
        .filter(|k| !new_keys.contains(*k))
        .collect();
    let rows = tx
        .query(SCHEDULE_SELECT, &[&others])
        .await
        .map_err(backend(A))?;
    let mut existing = HashMap::with_capacity(rows.len());
    for row in &rows {
        let key: String = get(row, 1, A)?;
        let id: i64 = get(row, 0, A)?;
        existing.insert(
            key,
            (
                id,
                StoredContent {
                    state: get(row, 2, A)?,
                    subject: get(row, 3, A)?,
                    token: get(row, 4, A)?,
                    purpose: get(row, 5, A)?,
                    template: get(row, 6, A)?,
                    language: get(row, 7, A)?,
                    params: get(row, 8, A)?,
                    timezone: get(row, 9, A)?,
                    not_before: get(row, 10, A)?,
                    not_after: get(row, 11, A)?,
                },
            ),
        );
    }
    let mut updates = Columns::default();
    for (i, m) in messages.iter().enumerate() {
        if new_keys.contains(m.key.as_str()) {
            continue;
        }
        let Some((id, old)) = existing.get(m.key.as_str()) else {
            return Err(StoreError::backend(
                BACKEND,
                A,
                format!("message {:?} neither inserted nor found", m.key.as_str()),
            ));
        };
        let state = state_of(m.key.as_str(), &old.state)?;
        let params = &columns.params[i];
        outcomes[i] = if old.same_as(m, params) {
            ScheduleOutcome::Unchanged
        } else if state == State::Scheduled {
            updates.ids.push(*id);
            updates.push(m, params.clone());
            ScheduleOutcome::Updated
        } else {
            ScheduleOutcome::Refused { state }
        };
    }
    if !updates.ids.is_empty() {
        // The update's first parameter is the rows' ids, in place of their keys.
        let mut params = updates.with_now(&now);
        params[0] = &updates.ids;
        tx.execute(SCHEDULE_UPDATE, &params)
            .await
            .map_err(backend(A))?;
    }
    Ok(outcomes)
}

/// One claim statement from `after` (or the front).
async fn claim_from(
    tx: &tokio_postgres::Transaction<'_>,
    statement: &tokio_postgres::Statement,
    worker: &str,
    now: i64,
    lease_until: i64,
    limit: usize,
    after: Option<(i64, i64)>,
) -> Result<Vec<Row>, StoreError> {
    let (after_nb, after_id) = after.unwrap_or((i64::MIN, i64::MIN));
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    tx.query(
        statement,
        &[&now, &after_nb, &after_id, &limit, &worker, &lease_until],
    )
    .await
    .map_err(backend("claiming"))
}

/// Adds a claimed row to `batch`: to its messages (`true`), or to its expired keys.
fn claimed_of(row: &Row, batch: &mut ClaimBatch) -> Result<bool, StoreError> {
    const A: &str = "claiming";
    let key: String = get(row, 1, A)?;
    let state: String = get(row, 2, A)?;
    if state == "expired" {
        batch.expired.push(key_of(&key)?);
        return Ok(false);
    }
    let token: Option<String> = get(row, 4, A)?;
    let token = token.ok_or_else(|| corrupt(&key, "token", "purged while scheduled"))?;
    let params: Option<String> = get(row, 8, A)?;
    let params: BTreeMap<String, String> = serde_json::from_str(params.as_deref().unwrap_or("{}"))
        .map_err(|e| corrupt(&key, "params", e))?;
    batch.claimed.push(Claimed {
        subject: subject_of(&key, &get::<String>(row, 3, A)?)?,
        token: SendToken::parse(&token).map_err(|e| corrupt(&key, "token", e))?,
        purpose: purpose_of(&key, &get::<String>(row, 5, A)?)?,
        template: get(row, 6, A)?,
        language: get(row, 7, A)?,
        params,
        timezone: zone_of(&key, &get::<String>(row, 9, A)?)?,
        not_before: from_micros(get(row, 10, A)?),
        not_after: get::<Option<i64>>(row, 11, A)?.map(from_micros),
        attempts: u32::try_from(get::<i32>(row, 12, A)?).unwrap_or(0),
        key: key_of(&key)?,
    });
    Ok(true)
}

/// The completion's columns: kind, wamid, code, reason, retry time.
fn completion_columns(
    c: &Completion,
) -> (
    &'static str,
    Option<&str>,
    Option<i64>,
    Option<&str>,
    Option<i64>,
) {
    match &c.outcome {
        Outcome::Sent { wamid } => ("sent", Some(wamid.as_str()), None, None, None),
        Outcome::Failed {
            code,
            reason,
            retry_at: Some(at),
        } => ("retry", None, *code, Some(reason), Some(to_micros(*at))),
        Outcome::Failed {
            code,
            reason,
            retry_at: None,
        } => ("failed", None, *code, Some(reason), None),
        Outcome::Unknown { reason } => ("unknown", None, None, Some(reason), None),
        Outcome::Suppressed => ("suppressed", None, None, None, None),
        Outcome::Cancelled => ("cancelled", None, None, None, None),
        Outcome::Superseded => ("superseded", None, None, None, None),
    }
}

impl Store for PgStore {
    async fn migrate(&self) -> Result<(), StoreError> {
        const A: &str = "migrating";
        let mut pooled = self.conn(A).await?;
        let conn = pooled.conn()?;
        let tx = conn.client.transaction().await.map_err(backend(A))?;
        // One migrating process at a time per database; the others wait here and then
        // find the work done.
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
            .await
            .map_err(backend(A))?;
        tx.batch_execute(
            "CREATE TABLE IF NOT EXISTS outbox_schema_migrations (
                 version    bigint PRIMARY KEY,
                 name       text   NOT NULL,
                 applied_at bigint NOT NULL
             )",
        )
        .await
        .map_err(backend(A))?;
        let row = tx
            .query_one(
                "SELECT COALESCE(MAX(version), 0) FROM outbox_schema_migrations",
                &[],
            )
            .await
            .map_err(backend(A))?;
        let current: i64 = get(&row, 0, A)?;
        let latest = MIGRATIONS.last().map_or(0, |m| m.0);
        if current > latest {
            return Err(StoreError::Migration {
                version: current,
                reason: format!(
                    "the database was migrated by a newer version (schema {current}, this code \
                     knows up to {latest})"
                ),
            });
        }
        for (version, name, sql) in MIGRATIONS.iter().filter(|m| m.0 > current) {
            tx.batch_execute(sql)
                .await
                .map_err(|e| StoreError::Migration {
                    version: *version,
                    reason: describe(&e),
                })?;
            tx.execute(
                "INSERT INTO outbox_schema_migrations (version, name, applied_at) \
                 VALUES ($1, $2, $3)",
                &[version, name, &to_micros(OffsetDateTime::now_utc())],
            )
            .await
            .map_err(backend(A))?;
        }
        tx.commit().await.map_err(backend(A))
    }

    async fn schedule(
        &self,
        messages: &[NewMessage],
        now: OffsetDateTime,
    ) -> Result<Vec<ScheduleOutcome>, StoreError> {
        const A: &str = "scheduling";
        if messages.is_empty() {
            return Ok(Vec::new());
        }
        let now = to_micros(now);
        let mut pooled = self.conn(A).await?;
        let conn = pooled.conn()?;
        let mut tx = conn.client.transaction().await.map_err(backend(A))?;
        let mut outcomes = Vec::with_capacity(messages.len());
        for run in runs_of_unique_keys(messages, |m| m.key.as_str()) {
            outcomes.extend(schedule_run(&mut tx, run, now).await?);
        }
        tx.commit().await.map_err(backend(A))?;
        Ok(outcomes)
    }

    async fn cancel(
        &self,
        key: &MessageKey,
        state: State,
        now: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        const A: &str = "cancelling";
        if !matches!(state, State::Cancelled | State::Superseded) {
            return Err(StoreError::InvalidArgument {
                argument: "state",
                reason: format!("a message is cancelled or superseded, not {state}"),
            });
        }
        let mut pooled = self.conn(A).await?;
        let n = query_count(
            pooled.conn()?,
            CANCEL,
            &[&key.as_str(), &state.as_str(), &to_micros(now)],
            A,
        )
        .await?;
        Ok(n == 1)
    }

    async fn reschedule(
        &self,
        key: &MessageKey,
        not_before: OffsetDateTime,
        not_after: Option<OffsetDateTime>,
    ) -> Result<bool, StoreError> {
        const A: &str = "rescheduling";
        let mut pooled = self.conn(A).await?;
        let n = query_count(
            pooled.conn()?,
            RESCHEDULE,
            &[
                &key.as_str(),
                &to_micros(not_before),
                &not_after.map(to_micros),
            ],
            A,
        )
        .await?;
        Ok(n == 1)
    }

    async fn claim(
        &self,
        worker: &str,
        now: OffsetDateTime,
        lease: Duration,
        limit: usize,
    ) -> Result<ClaimBatch, StoreError> {
        const A: &str = "claiming";
        let mut batch = ClaimBatch::default();
        if limit == 0 {
            return Ok(batch);
        }
        let now = to_micros(now);
        let lease_until = now.saturating_add(duration_micros(lease));
        let mut pooled = self.conn(A).await?;
        let conn = pooled.conn()?;
        let statement = conn.statement(CLAIM, A).await?;
        let tx = conn.client.transaction().await.map_err(backend(A))?;
        // The claim's commit does not wait for the WAL flush: lost in a server crash, its
        // rows are simply `scheduled` again, and nothing of it can have been sent, because
        // sending needs the durable `mark_sending`, whose flush covers this commit too.
        tx.batch_execute("SET LOCAL synchronous_commit = off")
            .await
            .map_err(backend(A))?;
        let after = self.cursor();
        let mut rows = claim_from(&tx, &statement, worker, now, lease_until, limit, after).await?;
        if after.is_some() && rows.len() < limit {
            // The cursor reached the end of what is due: look again from the front, for
            // rows scheduled (or given back) behind it.
            let more = claim_from(
                &tx,
                &statement,
                worker,
                now,
                lease_until,
                limit - rows.len(),
                None,
            )
            .await?;
            rows.extend(more);
        }
        tx.commit().await.map_err(backend(A))?;
        let mut last: Option<(i64, i64)> = None;
        let mut claimed_ids = Vec::with_capacity(rows.len());
        for row in &rows {
            let position = (get::<i64>(row, 10, A)?, get::<i64>(row, 0, A)?);
            last = last.max(Some(position));
            if claimed_of(row, &mut batch)? {
                claimed_ids.push(position.1);
            }
        }
        {
            let mut ids = self.remembered_ids();
            if ids.len() + claimed_ids.len() > MAX_REMEMBERED_IDS {
                ids.clear();
            }
            for (claimed, id) in batch.claimed.iter().zip(claimed_ids) {
                ids.insert(claimed.key.as_str().to_owned(), id);
            }
        }
        // A short claim drained the queue up to `now`: start from the front next time.
        self.set_cursor(if rows.len() < limit { None } else { last });
        Ok(batch)
    }

    async fn defer(
        &self,
        worker: &str,
        deferrals: &[(MessageKey, OffsetDateTime)],
    ) -> Result<u64, StoreError> {
        const A: &str = "deferring";
        if deferrals.is_empty() {
            return Ok(0);
        }
        let mut pooled = self.conn(A).await?;
        let conn = pooled.conn()?;
        let mut n = 0;
        for run in runs_of_unique_keys(deferrals, |d| d.0.as_str()) {
            let keys: Vec<&str> = run.iter().map(|d| d.0.as_str()).collect();
            let until: Vec<i64> = run.iter().map(|d| to_micros(d.1)).collect();
            n += query_count(conn, DEFER, &[&worker, &keys, &until], A).await?;
        }
        let mut remembered = self.remembered_ids();
        for (key, _) in deferrals {
            remembered.remove(key.as_str());
        }
        Ok(n)
    }

    async fn mark_sending(
        &self,
        worker: &str,
        keys: &[MessageKey],
        now: OffsetDateTime,
    ) -> Result<Vec<MessageKey>, StoreError> {
        const A: &str = "marking sends";
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let texts: Vec<&str> = keys.iter().map(MessageKey::as_str).collect();
        let mut pooled = self.conn(A).await?;
        let conn = pooled.conn()?;
        let ids = self.row_ids(conn, &texts, A).await?;
        let rows = query(
            conn,
            MARK_SENDING,
            &[&worker, &texts, &to_micros(now), &ids],
            A,
        )
        .await?;
        let mut held = HashSet::with_capacity(rows.len());
        for row in &rows {
            held.insert(get::<String>(row, 0, A)?);
        }
        let mut out = Vec::with_capacity(held.len());
        for key in keys {
            if held.remove(key.as_str()) {
                out.push(key.clone());
            }
        }
        Ok(out)
    }

    async fn complete(
        &self,
        completions: &[Completion],
        now: OffsetDateTime,
    ) -> Result<u64, StoreError> {
        const A: &str = "completing";
        if completions.is_empty() {
            return Ok(0);
        }
        let now = to_micros(now);
        let mut pooled = self.conn(A).await?;
        let conn = pooled.conn()?;
        let runs = runs_of_unique_keys(completions, |c| c.key.as_str());
        let texts: Vec<&str> = completions.iter().map(|c| c.key.as_str()).collect();
        let mut ids = self.row_ids(conn, &texts, A).await?.into_iter();
        let statement = conn.statement(COMPLETE, A).await?;
        let tx = conn.client.transaction().await.map_err(backend(A))?;
        let mut n = 0;
        for run in runs {
            let run_ids: Vec<Option<i64>> = ids.by_ref().take(run.len()).collect();
            let mut keys = Vec::with_capacity(run.len());
            let mut kinds = Vec::with_capacity(run.len());
            let mut wamids = Vec::with_capacity(run.len());
            let mut codes = Vec::with_capacity(run.len());
            let mut reasons = Vec::with_capacity(run.len());
            let mut retry = Vec::with_capacity(run.len());
            for c in run {
                let (kind, wamid, code, reason, at) = completion_columns(c);
                keys.push(c.key.as_str());
                kinds.push(kind);
                wamids.push(wamid);
                codes.push(code);
                reasons.push(reason);
                retry.push(at);
            }
            let rows = tx
                .query(
                    &statement,
                    &[
                        &keys, &kinds, &wamids, &codes, &reasons, &retry, &now, &run_ids,
                    ],
                )
                .await
                .map_err(backend(A))?;
            let changed: i64 = match rows.first() {
                Some(row) => get(row, 0, A)?,
                None => 0,
            };
            n += u64::try_from(changed).unwrap_or(0);
        }
        tx.commit().await.map_err(backend(A))?;
        let mut remembered = self.remembered_ids();
        for key in texts {
            remembered.remove(key);
        }
        Ok(n)
    }

    async fn recover(&self, now: OffsetDateTime) -> Result<RecoverReport, StoreError> {
        const A: &str = "recovering";
        let mut pooled = self.conn(A).await?;
        let rows = query(pooled.conn()?, RECOVER, &[&to_micros(now)], A).await?;
        let mut report = RecoverReport::default();
        for row in &rows {
            let key: String = get(row, 0, A)?;
            let state: String = get(row, 1, A)?;
            if state == "scheduled" {
                report.rescheduled += 1;
            } else {
                report.unknown.push(key_of(&key)?);
            }
        }
        if report.rescheduled > 0 {
            // Given-back rows may lie behind this store's cursor.
            self.set_cursor(None);
        }
        Ok(report)
    }

    async fn apply_status(
        &self,
        wamid: &WamidMac,
        status: DeliveryStatus,
        at: OffsetDateTime,
    ) -> Result<Option<MessageView>, StoreError> {
        const A: &str = "applying a status";
        let (target, from, code): (&str, &[&str], Option<i64>) = match status {
            DeliveryStatus::Sent => ("sent", &["unknown"], None),
            DeliveryStatus::Delivered => ("delivered", &["sent", "unknown"], None),
            DeliveryStatus::Read => ("read", &["sent", "unknown", "delivered"], None),
            DeliveryStatus::Failed { code } => ("failed", &["sent", "unknown"], code),
        };
        let mut pooled = self.conn(A).await?;
        let conn = pooled.conn()?;
        query(
            conn,
            APPLY_STATUS,
            &[&wamid.as_str(), &target, &code, &to_micros(at), &from],
            A,
        )
        .await?;
        let rows = query(conn, BY_WAMID, &[&wamid.as_str()], A).await?;
        rows.first().map(view_of).transpose()
    }

    async fn find_by_wamid(&self, wamid: &WamidMac) -> Result<Option<MessageView>, StoreError> {
        const A: &str = "finding a message";
        let mut pooled = self.conn(A).await?;
        let rows = query(pooled.conn()?, BY_WAMID, &[&wamid.as_str()], A).await?;
        rows.first().map(view_of).transpose()
    }

    async fn message(&self, key: &MessageKey) -> Result<Option<MessageView>, StoreError> {
        const A: &str = "reading a message";
        let mut pooled = self.conn(A).await?;
        let rows = query(pooled.conn()?, BY_KEY, &[&key.as_str()], A).await?;
        rows.first().map(view_of).transpose()
    }

    async fn record_consent(
        &self,
        subject: &SubjectRef,
        scope: ConsentScope,
        action: ConsentAction,
        evidence: &Evidence,
    ) -> Result<bool, StoreError> {
        const A: &str = "recording consent";
        let mut pooled = self.conn(A).await?;
        let rows = query(
            pooled.conn()?,
            RECORD_CONSENT,
            &[
                &subject.as_str(),
                &scope.as_str(),
                &action.as_str(),
                &to_micros(evidence.at),
                &evidence.source.as_str(),
                &evidence.reference,
                &to_micros(OffsetDateTime::now_utc()),
            ],
            A,
        )
        .await?;
        Ok(!rows.is_empty())
    }

    async fn consents(
        &self,
        queries: &[(SubjectRef, Purpose)],
    ) -> Result<Vec<Option<ConsentAction>>, StoreError> {
        const A: &str = "reading consent";
        if queries.is_empty() {
            return Ok(Vec::new());
        }
        let subjects: Vec<&str> = queries.iter().map(|q| q.0.as_str()).collect();
        let purposes: Vec<&str> = queries.iter().map(|q| q.1.as_str()).collect();
        let mut pooled = self.conn(A).await?;
        let rows = query(pooled.conn()?, CONSENTS, &[&subjects, &purposes], A).await?;
        if rows.len() != queries.len() {
            return Err(StoreError::backend(
                BACKEND,
                A,
                format!("{} answers to {} questions", rows.len(), queries.len()),
            ));
        }
        rows.iter()
            .map(|row| {
                get::<Option<String>>(row, 0, A)?
                    .map(|a| {
                        a.parse::<ConsentAction>()
                            .map_err(|e| corrupt("-", "consent.action", e))
                    })
                    .transpose()
            })
            .collect()
    }

    async fn link_alias(
        &self,
        alias: &SubjectRef,
        canonical: &SubjectRef,
    ) -> Result<(), StoreError> {
        const A: &str = "linking an alias";
        if alias == canonical {
            return Err(StoreError::InvalidArgument {
                argument: "alias",
                reason: "a subject cannot be its own alias".into(),
            });
        }
        let mut pooled = self.conn(A).await?;
        let conn = pooled.conn()?;
        let tx = conn.client.transaction().await.map_err(backend(A))?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&ALIAS_LOCK])
            .await
            .map_err(backend(A))?;
        // Link to the target's own canonical subject, so chains never form.
        let row = tx
            .query_one(CANONICAL, &[&canonical.as_str()])
            .await
            .map_err(backend(A))?;
        let target: String = get(&row, 0, A)?;
        if target == alias.as_str() {
            return Err(StoreError::InvalidArgument {
                argument: "alias",
                reason: "the link would make a cycle".into(),
            });
        }
        tx.execute(
            "INSERT INTO outbox_alias (alias, canonical) VALUES ($1, $2) \
             ON CONFLICT (alias) DO UPDATE SET canonical = EXCLUDED.canonical",
            &[&alias.as_str(), &target],
        )
        .await
        .map_err(backend(A))?;
        // Aliases of the alias follow it; its consent records move to the canonical.
        tx.execute(
            "UPDATE outbox_alias SET canonical = $2 WHERE canonical = $1",
            &[&alias.as_str(), &target],
        )
        .await
        .map_err(backend(A))?;
        // A record the canonical already holds (the same evidence under both) is kept once.
        tx.execute(MERGE_CONSENT, &[&alias.as_str(), &target])
            .await
            .map_err(backend(A))?;
        tx.commit().await.map_err(backend(A))
    }

    async fn canonical(&self, subject: &SubjectRef) -> Result<SubjectRef, StoreError> {
        const A: &str = "resolving an alias";
        let mut pooled = self.conn(A).await?;
        let rows = query(pooled.conn()?, CANONICAL, &[&subject.as_str()], A).await?;
        let text: String = match rows.first() {
            Some(row) => get(row, 0, A)?,
            None => subject.as_str().to_owned(),
        };
        subject_of("-", &text)
    }

    async fn reserve_slots(
        &self,
        requests: &[SlotRequest],
        now: OffsetDateTime,
    ) -> Result<Vec<OffsetDateTime>, StoreError> {
        const A: &str = "reserving send slots";
        if requests.is_empty() {
            return Ok(Vec::new());
        }
        // One update per lane with the whole span its requests need, lanes in a fixed
        // order (so two reservations never wait for each other in a circle).
        let mut spans: BTreeMap<&str, i64> = BTreeMap::new();
        for r in requests {
            let span = duration_micros(r.interval).saturating_mul(i64::from(r.n));
            let total = spans.entry(r.lane.as_str()).or_insert(0);
            *total = total.saturating_add(span);
        }
        let lanes: Vec<&str> = spans.keys().copied().collect();
        let totals: Vec<i64> = spans.values().copied().collect();
        let now = to_micros(now);
        let mut pooled = self.conn(A).await?;
        let rows = query(pooled.conn()?, RESERVE, &[&now, &lanes, &totals], A).await?;
        let mut next: HashMap<String, i64> = HashMap::with_capacity(rows.len());
        for row in &rows {
            let lane: String = get(row, 0, A)?;
            let end: i64 = get(row, 1, A)?;
            let total = spans.get(lane.as_str()).copied().unwrap_or(0);
            next.insert(lane, end.saturating_sub(total));
        }
        let mut out = Vec::with_capacity(requests.len());
        for r in requests {
            let first = next.get_mut(&r.lane).ok_or_else(|| {
                StoreError::backend(BACKEND, A, "a lane was not reserved".to_owned())
            })?;
            out.push(from_micros(*first));
            *first =
                first.saturating_add(duration_micros(r.interval).saturating_mul(i64::from(r.n)));
        }
        Ok(out)
    }

    async fn throttle(&self, lane: &str, until: OffsetDateTime) -> Result<(), StoreError> {
        const A: &str = "throttling";
        let mut pooled = self.conn(A).await?;
        query(pooled.conn()?, THROTTLE, &[&lane, &to_micros(until)], A).await?;
        Ok(())
    }

    async fn throttled_until(
        &self,
        lane: &str,
        now: OffsetDateTime,
    ) -> Result<Option<OffsetDateTime>, StoreError> {
        const A: &str = "reading a throttle";
        let mut pooled = self.conn(A).await?;
        let rows = query(pooled.conn()?, THROTTLED_UNTIL, &[&lane], A).await?;
        let until: Option<i64> = match rows.first() {
            Some(row) => Some(get(row, 0, A)?),
            None => None,
        };
        let now = to_micros(now);
        Ok(until.filter(|u| *u > now).map(from_micros))
    }

    async fn counts(&self) -> Result<Vec<StateCount>, StoreError> {
        const A: &str = "counting";
        let mut pooled = self.conn(A).await?;
        let rows = query(pooled.conn()?, COUNTS, &[], A).await?;
        let mut out = rows
            .iter()
            .map(|row| {
                Ok(StateCount {
                    state: state_of("-", &get::<String>(row, 0, A)?)?,
                    purpose: purpose_of("-", &get::<String>(row, 1, A)?)?,
                    count: u64::try_from(get::<i64>(row, 2, A)?).unwrap_or(0),
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        out.sort();
        Ok(out)
    }

    async fn purge_tokens(&self, finished_before: OffsetDateTime) -> Result<u64, StoreError> {
        const A: &str = "purging tokens";
        let mut pooled = self.conn(A).await?;
        let conn = pooled.conn()?;
        let statement = conn.statement(PURGE, A).await?;
        conn.client
            .execute(&statement, &[&to_micros(finished_before)])
            .await
            .map_err(backend(A))
    }

    async fn next_due(&self) -> Result<Option<OffsetDateTime>, StoreError> {
        const A: &str = "reading the next due time";
        let mut pooled = self.conn(A).await?;
        let rows = query(pooled.conn()?, NEXT_DUE, &[], A).await?;
        let at: Option<i64> = match rows.first() {
            Some(row) => get(row, 0, A)?,
            None => None,
        };
        Ok(at.map(from_micros))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_split_where_a_key_repeats() {
        let items = ["a", "b", "a", "c", "c", "d"];
        let runs = runs_of_unique_keys(&items, |s| s);
        assert_eq!(
            runs,
            vec![&["a", "b"][..], &["a", "c"][..], &["c", "d"][..]]
        );
        let empty: [&str; 0] = [];
        assert!(runs_of_unique_keys(&empty, |s| s).is_empty());
    }

    #[test]
    fn the_target_never_shows_a_password() {
        let config: tokio_postgres::Config = "postgres://outbox:s3cret@db.internal:6543/outbox"
            .parse()
            .expect("a valid URL");
        let shown = describe_target(&config);
        assert_eq!(shown, "db.internal:6543/outbox");
        assert!(!shown.contains("s3cret"));
    }
}
