//! Storage: one trait, two backends (SQLite embedded, PostgreSQL for many workers).
//!
//! The [`Store`] trait is batch-oriented: every method that changes several messages does
//! it in one transaction. All times are UTC instants; backends store them as integer
//! microseconds since the Unix epoch ([`to_micros`], [`from_micros`]).
//!
//! # What a backend guarantees
//!
//! - **Idempotent scheduling**: one row per [`MessageKey`]; scheduling a key again
//!   changes nothing, or updates a row that is still `scheduled`.
//! - **Exclusive claims**: a row is held by at most one worker at a time, under a lease.
//! - **Durable before the send**: [`Store::mark_sending`] commits before any request of
//!   those keys leaves; a claim whose lease expires after that becomes `unknown`, never
//!   `scheduled` again ([`Store::recover`]).
//! - **Claim cost independent of history**: the claim reads an index that holds only
//!   `scheduled` rows (ordered by `not_before`), so finished rows never slow it down.
//! - **Nothing raw at rest**: subjects are pseudonyms, numbers are tokens, wamids are MACs.

mod columns;
mod sqlite;

#[cfg(feature = "postgres")]
#[cfg_attr(docsrs, doc(cfg(feature = "postgres")))]
pub mod postgres;

pub use sqlite::SqliteStore;

use std::collections::BTreeMap;
use std::future::Future;
use std::time::Duration;

use time::OffsetDateTime;

use crate::model::{
    ConsentAction, ConsentScope, Evidence, MessageKey, NewMessage, Purpose, ScheduleOutcome,
    SendToken, State, SubjectRef, TimeZoneName, WamidMac,
};

/// A storage backend of the outbox.
///
/// Implemented by [`SqliteStore`] and (feature `postgres`) `postgres::PgStore`.
/// [`Outbox::open`](crate::Outbox::open) picks one by URL. Every method is one transaction
/// (or one statement); a method that fails changed nothing.
///
/// The same assertions run against every backend (the crate's conformance tests).
pub trait Store: Send + Sync + 'static {
    /// Creates or upgrades the schema: versioned migrations recorded in a table,
    /// idempotent, safe when several processes start at once.
    ///
    /// # Errors
    ///
    /// [`StoreError::Migration`] when a migration fails, or the database is newer than this
    /// code; [`StoreError::Backend`] when the database cannot be reached.
    fn migrate(&self) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Schedules messages in one transaction; one outcome per message, in order.
    ///
    /// A new key is inserted as `scheduled`. An existing key with the same content is
    /// [`ScheduleOutcome::Unchanged`]; with other content it is updated when still
    /// `scheduled` ([`ScheduleOutcome::Updated`], attempts and evidence kept) and
    /// otherwise left alone ([`ScheduleOutcome::Refused`] with its state). A key given
    /// twice in one batch is treated as two calls in order.
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the transaction fails (nothing was scheduled).
    fn schedule(
        &self,
        messages: &[NewMessage],
        now: OffsetDateTime,
    ) -> impl Future<Output = Result<Vec<ScheduleOutcome>, StoreError>> + Send;

    /// Ends a `scheduled` message as [`State::Cancelled`] or [`State::Superseded`].
    /// Returns whether a row changed (false: no such key, or no longer scheduled).
    ///
    /// # Errors
    ///
    /// [`StoreError::InvalidArgument`] for another state; [`StoreError`] when the database
    /// fails.
    fn cancel(
        &self,
        key: &MessageKey,
        state: State,
        now: OffsetDateTime,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Moves a `scheduled` message's window. Returns whether a row changed.
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the database fails.
    fn reschedule(
        &self,
        key: &MessageKey,
        not_before: OffsetDateTime,
        not_after: Option<OffsetDateTime>,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Claims up to `limit` due messages (`scheduled`, `not_before <= now`), oldest
    /// `not_before` first, for `worker` until `now + lease`.
    ///
    /// Due messages already past their `not_after` become [`State::Expired`] in the same
    /// transaction and are reported in [`ClaimBatch::expired`] (they count toward
    /// `limit`). Consent is not checked here: the dispatcher checks it right before the
    /// send ([`Store::consents`]).
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the transaction fails (nothing was claimed).
    fn claim(
        &self,
        worker: &str,
        now: OffsetDateTime,
        lease: Duration,
        limit: usize,
    ) -> impl Future<Output = Result<ClaimBatch, StoreError>> + Send;

    /// Gives claimed messages back as `scheduled` with a new `not_before` (quiet hours, a
    /// throttle, per-recipient pacing). Only rows `worker` still holds and has not marked
    /// sending change; returns how many did.
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the transaction fails.
    fn defer(
        &self,
        worker: &str,
        deferrals: &[(MessageKey, OffsetDateTime)],
    ) -> impl Future<Output = Result<u64, StoreError>> + Send;

    /// Records, durably and before any request leaves, that `worker` is about to send
    /// `keys`. Returns the keys it still holds (claimed by it, lease not expired at
    /// `now`): send only those.
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the transaction fails: send nothing.
    fn mark_sending(
        &self,
        worker: &str,
        keys: &[MessageKey],
        now: OffsetDateTime,
    ) -> impl Future<Output = Result<Vec<MessageKey>, StoreError>> + Send;

    /// Records the outcomes of claimed messages in one transaction. Returns how many rows
    /// changed.
    ///
    /// - [`Outcome::Sent`] → `sent` with the wamid's MAC (also from `unknown`: a late
    ///   answer is better knowledge);
    /// - [`Outcome::Failed`] → `failed`, or back to `scheduled` at `retry_at` with
    ///   attempts + 1 (only if it was never marked sending, or the answer proved nothing
    ///   was created);
    /// - [`Outcome::Unknown`] → `unknown`;
    /// - [`Outcome::Suppressed`] / [`Outcome::Cancelled`] / [`Outcome::Superseded`] →
    ///   that state.
    ///
    /// Only rows in `claimed` (or `unknown`, for `Sent` and `Failed`) change.
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the transaction fails.
    fn complete(
        &self,
        completions: &[Completion],
        now: OffsetDateTime,
    ) -> impl Future<Output = Result<u64, StoreError>> + Send;

    /// Takes back claims whose lease expired before `now`: never marked sending → back to
    /// `scheduled` (same `not_before`); marked sending → `unknown` (never sent again).
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the transaction fails.
    fn recover(
        &self,
        now: OffsetDateTime,
    ) -> impl Future<Output = Result<RecoverReport, StoreError>> + Send;

    /// Applies a status webhook to the message sent with this wamid. States only move
    /// forward (`sent` → `delivered` → `read`; `failed` only from `sent`/`unknown`).
    /// Returns the message's key and state after the update when the wamid is known.
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the database fails.
    fn apply_status(
        &self,
        wamid: &WamidMac,
        status: DeliveryStatus,
        at: OffsetDateTime,
    ) -> impl Future<Output = Result<Option<MessageView>, StoreError>> + Send;

    /// The message sent with this wamid, if any.
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the database fails.
    fn find_by_wamid(
        &self,
        wamid: &WamidMac,
    ) -> impl Future<Output = Result<Option<MessageView>, StoreError>> + Send;

    /// One message by key.
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the database fails.
    fn message(
        &self,
        key: &MessageKey,
    ) -> impl Future<Output = Result<Option<MessageView>, StoreError>> + Send;

    /// Records a consent action with its evidence, under the subject's canonical subject
    /// (an alias is resolved first). A record is kept once: `false` when the same action
    /// for the same subject and scope, at the same time, from the same source with the same
    /// reference was recorded already (a webhook delivered twice, a file imported twice),
    /// and nothing was added.
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the database fails.
    fn record_consent(
        &self,
        subject: &SubjectRef,
        scope: ConsentScope,
        action: ConsentAction,
        evidence: &Evidence,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// The latest consent action for each `(subject, purpose)` (records for the purpose
    /// and for all purposes count; the latest `at` wins, then the latest recorded), through
    /// the canonical subject. `None`: no record.
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the database fails.
    fn consents(
        &self,
        queries: &[(SubjectRef, Purpose)],
    ) -> impl Future<Output = Result<Vec<Option<ConsentAction>>, StoreError>> + Send;

    /// Links `alias` (a BSUID's subject) to `canonical` (the number's subject): consent
    /// recorded under either applies to both, and records already under the alias move to
    /// the canonical subject. Linking again is harmless; an alias links to one subject
    /// (the latest link wins).
    ///
    /// # Errors
    ///
    /// [`StoreError::InvalidArgument`] when `alias == canonical`; [`StoreError`] when the
    /// database fails.
    fn link_alias(
        &self,
        alias: &SubjectRef,
        canonical: &SubjectRef,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// The canonical subject of `subject` (itself when it is no alias).
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the database fails.
    fn canonical(
        &self,
        subject: &SubjectRef,
    ) -> impl Future<Output = Result<SubjectRef, StoreError>> + Send;

    /// Reserves send slots atomically across every worker and process: for each request,
    /// `n` consecutive slots `interval` apart on `lane` (a business number id, or a
    /// recipient's subject), starting no earlier than `now`. Returns the first slot's
    /// instant per request; the request's `i`-th message goes at `first + i × interval`.
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the transaction fails.
    fn reserve_slots(
        &self,
        requests: &[SlotRequest],
        now: OffsetDateTime,
    ) -> impl Future<Output = Result<Vec<OffsetDateTime>, StoreError>> + Send;

    /// Holds a whole lane (a business number) until `until`, for every worker (error
    /// 130429 or 131056). A later `until` extends it; an earlier one changes nothing.
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the database fails.
    fn throttle(
        &self,
        lane: &str,
        until: OffsetDateTime,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Until when a lane is throttled (`None`: it is not, or no longer at `now`).
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the database fails.
    fn throttled_until(
        &self,
        lane: &str,
        now: OffsetDateTime,
    ) -> impl Future<Output = Result<Option<OffsetDateTime>, StoreError>> + Send;

    /// Message counts by state and purpose (only non-zero counts), purged rows included.
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the database fails.
    fn counts(&self) -> impl Future<Output = Result<Vec<StateCount>, StoreError>> + Send;

    /// Removes the send tokens and parameters of messages in a final state whose last
    /// change is before `finished_before`; the rows (and so the counts) stay. Returns how
    /// many rows were purged.
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the transaction fails.
    fn purge_tokens(
        &self,
        finished_before: OffsetDateTime,
    ) -> impl Future<Output = Result<u64, StoreError>> + Send;

    /// The earliest `not_before` of a `scheduled` message (`None`: nothing scheduled).
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the database fails.
    fn next_due(&self) -> impl Future<Output = Result<Option<OffsetDateTime>, StoreError>> + Send;
}

/// What one [`Store::claim`] did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ClaimBatch {
    /// Messages now held by the worker.
    pub claimed: Vec<Claimed>,
    /// Due messages past their `not_after`, now `expired`.
    pub expired: Vec<MessageKey>,
}

/// A claimed message: what the dispatcher needs to check and send it.
#[derive(Debug, Clone, PartialEq)]
pub struct Claimed {
    /// The key.
    pub key: MessageKey,
    /// The canonical subject.
    pub subject: SubjectRef,
    /// The number's token.
    pub token: SendToken,
    /// The purpose.
    pub purpose: Purpose,
    /// The template name.
    pub template: String,
    /// The template language.
    pub language: String,
    /// Named template parameters.
    pub params: BTreeMap<String, String>,
    /// The recipient's zone.
    pub timezone: TimeZoneName,
    /// The original `not_before`.
    pub not_before: OffsetDateTime,
    /// The end of the window.
    pub not_after: Option<OffsetDateTime>,
    /// Earlier failed attempts that were retried.
    pub attempts: u32,
}

/// The outcome of a claimed message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completion {
    /// The key.
    pub key: MessageKey,
    /// What happened.
    pub outcome: Outcome,
}

impl Completion {
    /// A completion.
    #[must_use]
    pub fn new(key: MessageKey, outcome: Outcome) -> Completion {
        Completion { key, outcome }
    }
}

/// What happened to a claimed message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The Cloud API accepted it.
    Sent {
        /// The keyed MAC of its wamid.
        wamid: WamidMac,
    },
    /// No message was created.
    Failed {
        /// The Graph error code, when there was one.
        code: Option<i64>,
        /// A short reason (an error-kind name; never personal data).
        reason: String,
        /// Try again at this instant (attempts + 1), or never (`None`).
        retry_at: Option<OffsetDateTime>,
    },
    /// The request may have reached the Cloud API.
    Unknown {
        /// A short reason.
        reason: String,
    },
    /// Not sent for want of consent.
    Suppressed,
    /// Cancelled before the send (the caller's check).
    Cancelled,
    /// Superseded before the send (the caller's check).
    Superseded,
}

/// A status webhook's news about a sent message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryStatus {
    /// Accepted by WhatsApp's servers.
    Sent,
    /// Delivered to the phone.
    Delivered,
    /// Read.
    Read,
    /// Failed after all (with the error code).
    Failed {
        /// The Graph error code.
        code: Option<i64>,
    },
}

/// What [`Store::recover`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecoverReport {
    /// Expired claims never marked sending, scheduled again.
    pub rescheduled: u64,
    /// Expired claims marked sending, now `unknown` (never sent again).
    pub unknown: Vec<MessageKey>,
}

/// One reservation of [`Store::reserve_slots`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlotRequest {
    /// The lane: a business number id, or a recipient's subject.
    pub lane: String,
    /// How many consecutive slots.
    pub n: u32,
    /// The time between two slots.
    pub interval: Duration,
}

/// A stored message, as [`Store::message`] shows it (no token, no parameters).
#[derive(Debug, Clone, PartialEq)]
pub struct MessageView {
    /// The key.
    pub key: MessageKey,
    /// The canonical subject.
    pub subject: SubjectRef,
    /// The purpose.
    pub purpose: Purpose,
    /// The state.
    pub state: State,
    /// The template name.
    pub template: String,
    /// Not before.
    pub not_before: OffsetDateTime,
    /// Not after.
    pub not_after: Option<OffsetDateTime>,
    /// The zone.
    pub timezone: TimeZoneName,
    /// Retried failures.
    pub attempts: u32,
    /// The last error code, when there was one.
    pub error_code: Option<i64>,
    /// Whether the send token was purged.
    pub purged: bool,
}

/// A count of messages in one state and purpose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct StateCount {
    /// The state.
    pub state: State,
    /// The purpose.
    pub purpose: Purpose,
    /// How many.
    pub count: u64,
}

/// A storage operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The database driver failed (connection, SQL, I/O, a lock held too long).
    #[error("{backend} failed while {action}: {source}")]
    Backend {
        /// `sqlite` or `postgres`.
        backend: &'static str,
        /// What the store was doing (`claiming`, `scheduling` …).
        action: &'static str,
        /// The driver's error.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// A migration failed, or the database was migrated by a newer version.
    #[error("migration {version} failed: {reason}")]
    Migration {
        /// The migration's version.
        version: i64,
        /// Why.
        reason: String,
    },
    /// A stored value could not be read back (a damaged or foreign row).
    #[error("stored {field} of message {key:?} is not valid: {reason}")]
    Corrupt {
        /// The message key (or `-` when the row has none).
        key: String,
        /// The column.
        field: &'static str,
        /// Why.
        reason: String,
    },
    /// An argument was not acceptable.
    #[error("invalid argument {argument}: {reason}")]
    InvalidArgument {
        /// The argument.
        argument: &'static str,
        /// Why.
        reason: String,
    },
    /// The database URL was not understood.
    #[error("database URL not understood: {reason} (expected sqlite:PATH or postgres://…)")]
    Url {
        /// Why.
        reason: String,
    },
}

impl StoreError {
    /// A driver error.
    pub fn backend(
        backend: &'static str,
        action: &'static str,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> StoreError {
        StoreError::Backend {
            backend,
            action,
            source: source.into(),
        }
    }
}

/// Microseconds since the Unix epoch (how backends store instants).
#[must_use]
pub fn to_micros(at: OffsetDateTime) -> i64 {
    let micros = at.unix_timestamp_nanos() / 1_000;
    i64::try_from(micros).unwrap_or(if micros < 0 { i64::MIN } else { i64::MAX })
}

/// The instant `micros` microseconds after the Unix epoch (clamped to the representable
/// range).
#[must_use]
pub fn from_micros(micros: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(micros) * 1_000).unwrap_or(if micros < 0 {
        OffsetDateTime::UNIX_EPOCH
    } else {
        time::macros::datetime!(9999-12-31 23:59:59 UTC)
    })
}

/// Microseconds in a duration, saturating.
#[must_use]
pub fn duration_micros(d: Duration) -> i64 {
    i64::try_from(d.as_micros()).unwrap_or(i64::MAX)
}
