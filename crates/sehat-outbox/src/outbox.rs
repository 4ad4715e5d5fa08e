//! The outbox: a store and its keys.

use std::sync::Arc;

use time::OffsetDateTime;

use crate::input::{InputError, ScheduleRequest};
use crate::model::{NewMessage, ScheduleOutcome};
use crate::store::{SqliteStore, Store, StoreError};
use crate::{Error, OutboxKeys};

/// Any backend, chosen by URL at run time ([`Outbox::open`]).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum AnyStore {
    /// An SQLite file.
    Sqlite(SqliteStore),
    /// A PostgreSQL database.
    #[cfg(feature = "postgres")]
    #[cfg_attr(docsrs, doc(cfg(feature = "postgres")))]
    Postgres(crate::store::postgres::PgStore),
}

impl AnyStore {
    /// Opens the backend a URL names: `sqlite:PATH` (`sqlite://PATH` too) or
    /// `postgres://…` / `postgresql://…` (feature `postgres`). Does not migrate.
    ///
    /// # Errors
    ///
    /// [`StoreError::Url`] for another scheme or an empty path; [`StoreError::Backend`]
    /// when the database cannot be opened or reached.
    pub async fn open(url: &str) -> Result<AnyStore, StoreError> {
        if let Some(path) = url.strip_prefix("sqlite:") {
            let path = path.strip_prefix("//").unwrap_or(path);
            if path.is_empty() {
                return Err(StoreError::Url {
                    reason: "sqlite: needs a file path".into(),
                });
            }
            return SqliteStore::open(path).map(AnyStore::Sqlite);
        }
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            #[cfg(feature = "postgres")]
            {
                return crate::store::postgres::PgStore::connect(url)
                    .await
                    .map(AnyStore::Postgres);
            }
            #[cfg(not(feature = "postgres"))]
            return Err(StoreError::Url {
                reason: "this build has no PostgreSQL backend (cargo feature `postgres`)".into(),
            });
        }
        let scheme = url.split(':').next().unwrap_or_default();
        Err(StoreError::Url {
            reason: format!(
                "unknown scheme {:?}",
                scheme.chars().take(20).collect::<String>()
            ),
        })
    }
}

macro_rules! delegate {
    ($self:ident, $s:ident => $call:expr) => {
        match $self {
            AnyStore::Sqlite($s) => $call.await,
            #[cfg(feature = "postgres")]
            AnyStore::Postgres($s) => $call.await,
        }
    };
}

impl Store for AnyStore {
    async fn migrate(&self) -> Result<(), StoreError> {
        delegate!(self, s => s.migrate())
    }
    async fn schedule(
        &self,
        messages: &[NewMessage],
        now: OffsetDateTime,
    ) -> Result<Vec<ScheduleOutcome>, StoreError> {
        delegate!(self, s => s.schedule(messages, now))
    }
    async fn cancel(
        &self,
        key: &crate::model::MessageKey,
        state: crate::model::State,
        now: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        delegate!(self, s => s.cancel(key, state, now))
    }
    async fn reschedule(
        &self,
        key: &crate::model::MessageKey,
        not_before: OffsetDateTime,
        not_after: Option<OffsetDateTime>,
    ) -> Result<bool, StoreError> {
        delegate!(self, s => s.reschedule(key, not_before, not_after))
    }
    async fn claim(
        &self,
        worker: &str,
        now: OffsetDateTime,
        lease: std::time::Duration,
        limit: usize,
    ) -> Result<crate::store::ClaimBatch, StoreError> {
        delegate!(self, s => s.claim(worker, now, lease, limit))
    }
    async fn defer(
        &self,
        worker: &str,
        deferrals: &[(crate::model::MessageKey, OffsetDateTime)],
    ) -> Result<u64, StoreError> {
        delegate!(self, s => s.defer(worker, deferrals))
    }
    async fn mark_sending(
        &self,
        worker: &str,
        keys: &[crate::model::MessageKey],
        now: OffsetDateTime,
    ) -> Result<Vec<crate::model::MessageKey>, StoreError> {
        delegate!(self, s => s.mark_sending(worker, keys, now))
    }
    async fn complete(
        &self,
        completions: &[crate::store::Completion],
        now: OffsetDateTime,
    ) -> Result<u64, StoreError> {
        delegate!(self, s => s.complete(completions, now))
    }
    async fn recover(
        &self,
        now: OffsetDateTime,
    ) -> Result<crate::store::RecoverReport, StoreError> {
        delegate!(self, s => s.recover(now))
    }
    async fn apply_status(
        &self,
        wamid: &crate::model::WamidMac,
        status: crate::store::DeliveryStatus,
        at: OffsetDateTime,
    ) -> Result<Option<crate::store::MessageView>, StoreError> {
        delegate!(self, s => s.apply_status(wamid, status, at))
    }
    async fn find_by_wamid(
        &self,
        wamid: &crate::model::WamidMac,
    ) -> Result<Option<crate::store::MessageView>, StoreError> {
        delegate!(self, s => s.find_by_wamid(wamid))
    }
    async fn message(
        &self,
        key: &crate::model::MessageKey,
    ) -> Result<Option<crate::store::MessageView>, StoreError> {
        delegate!(self, s => s.message(key))
    }
    async fn record_consent(
        &self,
        subject: &crate::model::SubjectRef,
        scope: crate::model::ConsentScope,
        action: crate::model::ConsentAction,
        evidence: &crate::model::Evidence,
    ) -> Result<bool, StoreError> {
        delegate!(self, s => s.record_consent(subject, scope, action, evidence))
    }
    async fn consents(
        &self,
        queries: &[(crate::model::SubjectRef, crate::model::Purpose)],
    ) -> Result<Vec<Option<crate::model::ConsentAction>>, StoreError> {
        delegate!(self, s => s.consents(queries))
    }
    async fn link_alias(
        &self,
        alias: &crate::model::SubjectRef,
        canonical: &crate::model::SubjectRef,
    ) -> Result<(), StoreError> {
        delegate!(self, s => s.link_alias(alias, canonical))
    }
    async fn canonical(
        &self,
        subject: &crate::model::SubjectRef,
    ) -> Result<crate::model::SubjectRef, StoreError> {
        delegate!(self, s => s.canonical(subject))
    }
    async fn reserve_slots(
        &self,
        requests: &[crate::store::SlotRequest],
        now: OffsetDateTime,
    ) -> Result<Vec<OffsetDateTime>, StoreError> {
        delegate!(self, s => s.reserve_slots(requests, now))
    }
    async fn throttle(&self, lane: &str, until: OffsetDateTime) -> Result<(), StoreError> {
        delegate!(self, s => s.throttle(lane, until))
    }
    async fn throttled_until(
        &self,
        lane: &str,
        now: OffsetDateTime,
    ) -> Result<Option<OffsetDateTime>, StoreError> {
        delegate!(self, s => s.throttled_until(lane, now))
    }
    async fn counts(&self) -> Result<Vec<crate::store::StateCount>, StoreError> {
        delegate!(self, s => s.counts())
    }
    async fn purge_tokens(&self, finished_before: OffsetDateTime) -> Result<u64, StoreError> {
        delegate!(self, s => s.purge_tokens(finished_before))
    }
    async fn next_due(&self) -> Result<Option<OffsetDateTime>, StoreError> {
        delegate!(self, s => s.next_due())
    }
}

/// An outbox: a [`Store`] and the [`OutboxKeys`] that turn phone numbers into subjects and
/// tokens. Cheap to clone (shared store and keys).
///
/// # Examples
///
/// See the [crate documentation](crate).
#[derive(Debug)]
pub struct Outbox<S: Store = AnyStore> {
    store: S,
    keys: Arc<OutboxKeys>,
}

impl<S: Store + Clone> Clone for Outbox<S> {
    fn clone(&self) -> Self {
        Outbox {
            store: self.store.clone(),
            keys: Arc::clone(&self.keys),
        }
    }
}

impl Outbox<AnyStore> {
    /// Opens the outbox a URL names (`sqlite:PATH` or `postgres://…`) and brings its schema
    /// up to date.
    ///
    /// # Errors
    ///
    /// [`Error::Store`] when the URL is not understood, the database cannot be reached or a
    /// migration fails.
    pub async fn open(url: &str, keys: OutboxKeys) -> Result<Outbox<AnyStore>, Error> {
        let store = AnyStore::open(url).await?;
        Outbox::with_store(store, keys).await
    }
}

impl<S: Store> Outbox<S> {
    /// An outbox on a store of your own; migrates it.
    ///
    /// # Errors
    ///
    /// [`Error::Store`] when a migration fails.
    pub async fn with_store(store: S, keys: OutboxKeys) -> Result<Outbox<S>, Error> {
        store.migrate().await?;
        Ok(Outbox {
            store,
            keys: Arc::new(keys),
        })
    }

    /// The store.
    #[must_use]
    pub fn store(&self) -> &S {
        &self.store
    }

    /// The keys.
    #[must_use]
    pub fn keys(&self) -> &OutboxKeys {
        &self.keys
    }

    /// The keys, shared.
    #[must_use]
    pub fn shared_keys(&self) -> Arc<OutboxKeys> {
        Arc::clone(&self.keys)
    }

    /// Checks requests and turns them into messages, in parallel: numbers parsed (any
    /// human format, default region `ID`, WhatsApp-capable mobile), pseudonymized and
    /// tokenized. One result per request, in order; nothing is stored.
    #[must_use]
    pub fn prepare(&self, requests: &[ScheduleRequest]) -> Vec<Result<NewMessage, InputError>> {
        crate::input::prepare_all(&self.keys, requests)
    }

    /// Prepares and schedules requests: the valid ones in one transaction. One result per
    /// request, in order.
    ///
    /// # Errors
    ///
    /// [`Error::Store`] when the transaction fails (nothing was scheduled).
    pub async fn schedule(
        &self,
        requests: &[ScheduleRequest],
        now: OffsetDateTime,
    ) -> Result<Vec<Result<ScheduleOutcome, InputError>>, Error> {
        // The valid messages move into their own list (no copies); `refused` keeps each
        // request's place: `None` for a valid one.
        let prepared = self.prepare(requests);
        let mut valid: Vec<NewMessage> = Vec::with_capacity(prepared.len());
        let mut refused: Vec<Option<InputError>> = Vec::with_capacity(prepared.len());
        for result in prepared {
            match result {
                Ok(message) => {
                    valid.push(message);
                    refused.push(None);
                }
                Err(e) => refused.push(Some(e)),
            }
        }
        let mut outcomes = self.store.schedule(&valid, now).await?.into_iter();
        Ok(refused
            .into_iter()
            .map(|r| match r {
                None => outcomes
                    .next()
                    .ok_or_else(|| InputError::internal("outcome missing")),
                Some(e) => Err(e),
            })
            .collect())
    }
}
