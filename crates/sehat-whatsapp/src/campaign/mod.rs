//! The campaign sender: one template to a large audience, never lost or duplicated across
//! a crash.
//!
//! A [`Campaign`] sends each [`CampaignRecipient`]'s message once, in parallel, through a
//! [`SendMessage`] (a [`PhoneNumberApi`] in production). Every step
//! goes to a [`Journal`] first — by default a [`FileJournal`], an append-only file synced
//! before a step counts as done:
//!
//! 1. `planned` for each recipient on the first run;
//! 2. `sending`, durable **before** the request leaves;
//! 3. `sent` (with the message id), `failed` (with the reason and whether to retry) or
//!    `unknown`, durable before the send is reported.
//!
//! Run the campaign again with the same journal and it skips everyone with a final
//! outcome, reports those with `sending` but no outcome as [`Outcome::Unknown`] (the
//! request may have reached Meta: they are never sent again; reconcile them with status
//! webhooks), and sends to the rest.
//!
//! Before each send the campaign checks the [`OptOutStore`] (fed by `user_preferences`
//! webhooks through [`apply_preference`], and by error 131050), the business's
//! [`MessagingLimit`] (unique users per moving 24 h) and waits for the [`Pacer`] (per
//! number and per recipient). Failures are classified by the crate's error table:
//! undeliverable and opted-out users are final, marketing and rate limits are retried by
//! a later run, and a paused, disabled or missing template (or a token or account
//! problem) stops the campaign.
//!
//! ```
//! # #[cfg(feature = "mock")]
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use sehat_whatsapp::campaign::{Campaign, CampaignRecipient, FileJournal};
//! use sehat_whatsapp::ids::{PhoneNumberId, WaId};
//! use sehat_whatsapp::message::{Language, Message, TemplateMessage};
//! # let mock = sehat_whatsapp::mock::MockGraphApi::start().await?;
//! # let client = mock.client()?;
//!
//! let phone = client.phone(PhoneNumberId::new("106540352242922"));
//! let mut audience = Vec::new();
//! for (number, name) in [("6281234567890", "Sari"), ("6281298765432", "Dewi")] {
//!     let template = TemplateMessage::new("pita_pink_2026", Language::new("id"))
//!         .named_body([("nama", name)]);
//!     audience.push(CampaignRecipient::new(Message::new(WaId::parse(number)?, template)?));
//! }
//! let dir = tempfile::tempdir()?;
//! let journal = FileJournal::open(dir.path().join("pita-pink.journal"))?;
//! let report = Campaign::new(journal).no_pacing().run(&phone, audience.clone()).await?;
//! assert_eq!(report.sent, 2);
//!
//! // Run again: nobody is sent twice.
//! let journal = FileJournal::open(dir.path().join("pita-pink.journal"))?;
//! let again = Campaign::new(journal).no_pacing().run(&phone, audience).await?;
//! assert_eq!((again.sent, again.skipped), (0, 2));
//! # Ok(()) }
//! # #[cfg(not(feature = "mock"))] fn main() {}
//! ```

mod journal;
mod limit;
mod opt_out;

use std::collections::{BTreeMap, HashMap};
use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use futures_util::StreamExt;
use sha2::{Digest, Sha256};

pub use journal::{FileJournal, Journal, JournalError, JournalEvent, JournalRecord, MemoryJournal};
pub use limit::{MessagingLimit, WINDOW_MS};
pub use opt_out::{FileOptOuts, MemoryOptOuts, OptOutStore, apply_preference};

use journal::{Committer, Replayed, now_ms};
use limit::ReachWindow;

use crate::error::{Error, ErrorKind};
use crate::ids::{MessageId, PhoneNumberId, Recipient};
use crate::message::Message;
use crate::pacing::{Pacer, Pacing};
use crate::{PhoneNumberApi, SendReceipt};

/// What a campaign sends through: one business phone number.
///
/// Implemented by [`PhoneNumberApi`] (with [`send_unpaced`](PhoneNumberApi::send_unpaced):
/// the campaign paces itself).
pub trait SendMessage: Sync {
    /// The sending number (the pacer's key).
    fn phone_number_id(&self) -> &PhoneNumberId;

    /// Sends one message, without pacing.
    fn send_message(
        &self,
        message: &Message,
    ) -> impl Future<Output = Result<SendReceipt, Error>> + Send;
}

impl SendMessage for PhoneNumberApi {
    fn phone_number_id(&self) -> &PhoneNumberId {
        self.id()
    }

    fn send_message(
        &self,
        message: &Message,
    ) -> impl Future<Output = Result<SendReceipt, Error>> + Send {
        self.send_unpaced(message)
    }
}

/// One recipient of a campaign: a key for the journal and the message.
#[derive(Debug, Clone, PartialEq)]
pub struct CampaignRecipient {
    key: String,
    message: Message,
}

impl CampaignRecipient {
    /// A recipient keyed by [`recipient_key`] (a digest of the number, so the journal
    /// holds no phone number).
    #[must_use]
    pub fn new(message: Message) -> Self {
        Self {
            key: recipient_key(message.recipient()),
            message,
        }
    }

    /// A recipient with a key of your own (a pseudonym, a row id); keys must be unique
    /// within the campaign and stable across runs.
    #[must_use]
    pub fn with_key(key: impl Into<String>, message: Message) -> Self {
        Self {
            key: key.into(),
            message,
        }
    }

    /// The journal key.
    #[must_use]
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The message.
    #[must_use]
    pub fn message(&self) -> &Message {
        &self.message
    }
}

/// The default journal key of a recipient: the first 16 bytes of SHA-256 over the `to`
/// value, in hex.
///
/// ```
/// use sehat_whatsapp::campaign::recipient_key;
/// use sehat_whatsapp::ids::{Recipient, WaId};
/// let key = recipient_key(&Recipient::from(WaId::parse("+62 812-3456-7890")?));
/// assert_eq!(key.len(), 32);
/// assert!(!key.contains("6281234567890"));
/// # Ok::<(), sehat_whatsapp::ids::IdError>(())
/// ```
#[must_use]
pub fn recipient_key(recipient: &Recipient) -> String {
    let digest = Sha256::digest(recipient.to_field().as_bytes());
    hex::encode(&digest[..16])
}

/// What happened to one recipient in this run.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Outcome {
    /// Meta accepted the message.
    Sent(MessageId),
    /// The user stopped marketing messages (known before the send, or error 131050).
    OptedOut,
    /// No message was created, for good (undeliverable, invalid …).
    Failed {
        /// The reason ([`ErrorKind`] name or `invalid_message`).
        reason: String,
        /// The Graph error code, when there was one.
        code: Option<i64>,
    },
    /// No message was created; a later run tries again (marketing limit, rate limits, the
    /// messaging limit, a stopped campaign, a request that never left).
    RetryLater {
        /// The reason.
        reason: String,
        /// The Graph error code, when there was one.
        code: Option<i64>,
    },
    /// The request may have reached Meta; it is never repeated.
    Unknown,
    /// An earlier run finished this recipient; nothing was sent now.
    Skipped,
    /// The campaign stopped before this recipient's turn.
    NotAttempted,
}

/// One recipient's outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RecipientOutcome {
    /// The position in the audience.
    pub index: usize,
    /// The journal key.
    pub key: String,
    /// What happened.
    pub outcome: Outcome,
}

/// Counts so far, passed to the progress callback after each recipient.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Progress {
    /// Recipients dealt with (including skipped ones).
    pub done: usize,
    /// The audience size.
    pub total: usize,
    /// Messages sent in this run.
    pub sent: usize,
    /// Recipients that failed or were deferred.
    pub failed: usize,
}

/// The summary of a run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct CampaignReport {
    /// Messages sent in this run.
    pub sent: usize,
    /// Final failures by reason.
    pub failed: BTreeMap<String, usize>,
    /// Deferred recipients by reason (a later run tries them again).
    pub retry_later: BTreeMap<String, usize>,
    /// Opted-out recipients.
    pub opted_out: usize,
    /// Recipients whose send may or may not have happened (this run's and earlier runs').
    pub unknown: usize,
    /// Recipients finished by an earlier run.
    pub skipped: usize,
    /// Recipients not attempted because the campaign stopped.
    pub not_attempted: usize,
    /// Why the campaign stopped early, when it did (an [`ErrorKind`] name).
    pub stopped: Option<String>,
    /// Every recipient's outcome, in audience order.
    pub outcomes: Vec<RecipientOutcome>,
}

impl CampaignReport {
    /// The number of final failures.
    #[must_use]
    pub fn failed_total(&self) -> usize {
        self.failed.values().sum()
    }

    /// The number of deferred recipients.
    #[must_use]
    pub fn retry_later_total(&self) -> usize {
        self.retry_later.values().sum()
    }

    fn count(&mut self, outcome: &Outcome) {
        match outcome {
            Outcome::Sent(_) => self.sent += 1,
            Outcome::OptedOut => self.opted_out += 1,
            Outcome::Failed { reason, .. } => *self.failed.entry(reason.clone()).or_default() += 1,
            Outcome::RetryLater { reason, .. } => {
                *self.retry_later.entry(reason.clone()).or_default() += 1;
            }
            Outcome::Unknown => self.unknown += 1,
            Outcome::Skipped => self.skipped += 1,
            Outcome::NotAttempted => self.not_attempted += 1,
        }
    }
}

/// A campaign could not run.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CampaignError {
    /// The journal failed; the campaign stopped (what is journaled stays valid: run again).
    #[error(transparent)]
    Journal(#[from] JournalError),
    /// Two recipients share a key (the same number twice in the audience).
    #[error("audience rows {first} and {second} have the same recipient key {key}")]
    DuplicateRecipient {
        /// The first row (0-based position in the audience).
        first: usize,
        /// The second row.
        second: usize,
        /// The key.
        key: String,
    },
    /// A recipient key is empty.
    #[error("audience row {index} has an empty recipient key")]
    EmptyKey {
        /// The row (0-based).
        index: usize,
    },
}

type ProgressFn = Box<dyn Fn(&Progress) + Send + Sync>;

/// A campaign: its journal and its rules. See the [module documentation](self).
pub struct Campaign {
    journal: Box<dyn Journal>,
    opt_outs: Arc<dyn OptOutStore>,
    limit: MessagingLimit,
    pacer: Option<Arc<Pacer>>,
    concurrency: usize,
    progress: Option<ProgressFn>,
}

impl std::fmt::Debug for Campaign {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Campaign")
            .field("limit", &self.limit)
            .field("pacing", &self.pacer.as_ref().map(|p| p.pacing()))
            .field("concurrency", &self.concurrency)
            .finish_non_exhaustive()
    }
}

/// How a send failure is handled.
struct Classified {
    outcome: Outcome,
    event: JournalEvent,
    stop: Option<String>,
    opted_out: bool,
}

fn classify(error: &Error) -> Classified {
    let retry = |reason: String, code: Option<i64>| Classified {
        outcome: Outcome::RetryLater {
            reason: reason.clone(),
            code,
        },
        event: JournalEvent::Failed {
            reason,
            code,
            retry: true,
        },
        stop: None,
        opted_out: false,
    };
    let fail = |reason: String, code: Option<i64>| Classified {
        outcome: Outcome::Failed {
            reason: reason.clone(),
            code,
        },
        event: JournalEvent::Failed {
            reason,
            code,
            retry: false,
        },
        stop: None,
        opted_out: false,
    };
    match error {
        Error::Api { error, .. } => {
            let kind = error.kind();
            let code = Some(error.code());
            let reason = kind.as_str().to_owned();
            match kind {
                ErrorKind::RecipientOptedOut => Classified {
                    outcome: Outcome::OptedOut,
                    event: JournalEvent::Failed {
                        reason: "opted_out".into(),
                        code,
                        retry: false,
                    },
                    stop: None,
                    opted_out: true,
                },
                ErrorKind::MarketingLimit
                | ErrorKind::Throughput
                | ErrorKind::PairRateLimit
                | ErrorKind::AppRateLimit
                | ErrorKind::WabaRateLimit
                | ErrorKind::SpamRateLimit
                | ErrorKind::Maintenance
                | ErrorKind::Transient => retry(reason, code),
                ErrorKind::TemplatePaused
                | ErrorKind::TemplateDisabled
                | ErrorKind::TemplateNotFound
                | ErrorKind::TemplateMismatch
                | ErrorKind::MarketingApiRequired
                | ErrorKind::Auth
                | ErrorKind::Permission
                | ErrorKind::AccountState
                | ErrorKind::Policy => {
                    let mut classified = retry(reason.clone(), code);
                    classified.stop = Some(reason);
                    classified
                }
                _ => fail(reason, code),
            }
        }
        Error::OutcomeUnknown(_) | Error::Decode { .. } => Classified {
            outcome: Outcome::Unknown,
            event: JournalEvent::Unknown,
            stop: None,
            opted_out: false,
        },
        Error::NotSent(_) => retry("not_sent".into(), None),
        Error::Http { status, .. } => retry(format!("http_{status}"), None),
        Error::Build(_) | Error::Template(_) => fail("invalid_message".into(), None),
        _ => fail("error".into(), None),
    }
}

impl Campaign {
    /// A campaign recording to `journal`, with no opt-outs known yet, no messaging limit,
    /// [`Pacing::default`] (80 messages/s, one message per 6 s per recipient) and 32 sends
    /// in flight.
    #[must_use]
    pub fn new(journal: impl Journal) -> Self {
        Self {
            journal: Box::new(journal),
            opt_outs: Arc::new(MemoryOptOuts::new()),
            limit: MessagingLimit::Unlimited,
            pacer: Some(Arc::new(Pacer::new(Pacing::default()))),
            concurrency: 32,
            progress: None,
        }
    }

    /// Checks and updates this opt-out store (131050 answers are recorded in it).
    #[must_use]
    pub fn opt_outs(mut self, store: Arc<dyn OptOutStore>) -> Self {
        self.opt_outs = store;
        self
    }

    /// Holds the business's messaging limit: recipients beyond it are deferred
    /// (`messaging_limit`). Reaches recorded in the journal in the last 24 h count.
    #[must_use]
    pub fn messaging_limit(mut self, limit: MessagingLimit) -> Self {
        self.limit = limit;
        self
    }

    /// Paces sends with these settings (a pacer of the campaign's own).
    #[must_use]
    pub fn pacing(mut self, pacing: Pacing) -> Self {
        self.pacer = Some(Arc::new(Pacer::new(pacing)));
        self
    }

    /// Paces sends with a pacer shared with other senders of the same number (other
    /// campaigns, a bot's replies through [`Pacer::acquire`]), so together they keep the
    /// number's throughput and each recipient's pace.
    #[must_use]
    pub fn shared_pacer(mut self, pacer: Arc<Pacer>) -> Self {
        self.pacer = Some(pacer);
        self
    }

    /// Sends as fast as the concurrency allows (benchmarks, rehearsals).
    #[must_use]
    pub fn no_pacing(mut self) -> Self {
        self.pacer = None;
        self
    }

    /// How many sends may be in flight at once (at least 1).
    #[must_use]
    pub fn concurrency(mut self, sends: usize) -> Self {
        self.concurrency = sends.max(1);
        self
    }

    /// Calls `callback` after each recipient.
    #[must_use]
    pub fn on_progress(mut self, callback: impl Fn(&Progress) + Send + Sync + 'static) -> Self {
        self.progress = Some(Box::new(callback));
        self
    }

    /// Runs the campaign over `audience` (resuming from the journal).
    ///
    /// # Errors
    ///
    /// [`CampaignError::Journal`] when the journal fails (the campaign stops at once; run
    /// it again to resume), [`CampaignError::DuplicateRecipient`] or
    /// [`CampaignError::EmptyKey`] for a bad audience (before anything is sent). Send
    /// failures are not errors: they are outcomes in the report.
    ///
    /// # Examples
    ///
    /// See the [module documentation](self).
    pub async fn run<S: SendMessage>(
        mut self,
        sender: &S,
        audience: Vec<CampaignRecipient>,
    ) -> Result<CampaignReport, CampaignError> {
        let mut seen: HashMap<&str, usize> = HashMap::with_capacity(audience.len());
        for (index, recipient) in audience.iter().enumerate() {
            if recipient.key.is_empty() {
                return Err(CampaignError::EmptyKey { index });
            }
            if let Some(first) = seen.insert(recipient.key.as_str(), index) {
                return Err(CampaignError::DuplicateRecipient {
                    first,
                    second: index,
                    key: recipient.key.clone(),
                });
            }
        }
        drop(seen);

        let replayed = Replayed::from_records(self.journal.replay()?);
        let now = now_ms();
        let mut window = ReachWindow::new(self.limit);
        for record in replayed.last.values() {
            if matches!(
                record.event,
                JournalEvent::Sent { .. } | JournalEvent::Unknown | JournalEvent::Sending
            ) {
                window.seed(&record.key, record.at_ms, now);
            }
        }
        window.finish_seeding(now);

        let committer = Committer::start(self.journal);
        let total = audience.len();
        let mut outcomes: Vec<Option<Outcome>> = vec![None; total];
        let mut to_send = Vec::new();
        let mut planned = Vec::new();
        let mut unknown = Vec::new();
        for (index, recipient) in audience.iter().enumerate() {
            match replayed.last.get(&recipient.key).map(|r| &r.event) {
                None => {
                    planned.push(JournalRecord::now(&recipient.key, JournalEvent::Planned));
                    to_send.push(index);
                }
                Some(JournalEvent::Planned | JournalEvent::Failed { retry: true, .. }) => {
                    to_send.push(index);
                }
                Some(JournalEvent::Sending) => {
                    unknown.push(JournalRecord::now(&recipient.key, JournalEvent::Unknown));
                    outcomes[index] = Some(Outcome::Unknown);
                }
                Some(JournalEvent::Unknown) => outcomes[index] = Some(Outcome::Unknown),
                Some(_) => outcomes[index] = Some(Outcome::Skipped),
            }
        }
        planned.extend(unknown);
        if !planned.is_empty() {
            committer.commit(planned).await?;
        }

        let mut report = CampaignReport::default();
        let mut progress = Progress {
            total,
            ..Progress::default()
        };
        for outcome in outcomes.iter().flatten() {
            progress.done += 1;
            report.count(outcome);
        }
        if let Some(callback) = &self.progress {
            callback(&progress);
        }

        let shared = Shared {
            committer,
            opt_outs: self.opt_outs.clone(),
            window: Mutex::new(window),
            pacer: self.pacer.take(),
            stopped: AtomicBool::new(false),
            stop_reason: Mutex::new(None),
        };
        let progress = Mutex::new(progress);
        let callback = self.progress.take();
        let mut results = futures_util::stream::iter(to_send)
            .map(|index| {
                let shared = &shared;
                let recipient = &audience[index];
                async move { (index, shared.send_one(sender, recipient).await) }
            })
            .buffer_unordered(self.concurrency);
        while let Some((index, result)) = results.next().await {
            let outcome = result?;
            if let Ok(mut progress) = progress.lock() {
                progress.done += 1;
                match &outcome {
                    Outcome::Sent(_) => progress.sent += 1,
                    Outcome::Failed { .. } | Outcome::RetryLater { .. } | Outcome::OptedOut => {
                        progress.failed += 1;
                    }
                    _ => {}
                }
                if let Some(callback) = &callback {
                    callback(&progress);
                }
            }
            report.count(&outcome);
            outcomes[index] = Some(outcome);
        }
        drop(results);
        report.stopped = shared.stop_reason.lock().ok().and_then(|r| r.clone());
        report.outcomes = audience
            .iter()
            .zip(outcomes)
            .enumerate()
            .map(|(index, (recipient, outcome))| RecipientOutcome {
                index,
                key: recipient.key.clone(),
                outcome: outcome.unwrap_or(Outcome::NotAttempted),
            })
            .collect();
        Ok(report)
    }
}

struct Shared {
    committer: Committer,
    opt_outs: Arc<dyn OptOutStore>,
    window: Mutex<ReachWindow>,
    pacer: Option<Arc<Pacer>>,
    stopped: AtomicBool,
    stop_reason: Mutex<Option<String>>,
}

impl Shared {
    async fn send_one<S: SendMessage>(
        &self,
        sender: &S,
        recipient: &CampaignRecipient,
    ) -> Result<Outcome, JournalError> {
        if self.stopped.load(Ordering::Acquire) {
            return Ok(Outcome::NotAttempted);
        }
        let to = recipient.message.recipient();
        let key = recipient.key.as_str();
        if self.opt_outs.is_opted_out(opt_out::user_key(to)) {
            self.committer
                .commit(vec![JournalRecord::now(
                    key,
                    JournalEvent::Failed {
                        reason: "opted_out".into(),
                        code: None,
                        retry: false,
                    },
                )])
                .await?;
            return Ok(Outcome::OptedOut);
        }
        let reached_at = now_ms();
        let admitted = self
            .window
            .lock()
            .map(|mut w| w.admit(key, reached_at))
            .unwrap_or(false);
        if !admitted {
            let reason = "messaging_limit".to_owned();
            self.committer
                .commit(vec![JournalRecord::now(
                    key,
                    JournalEvent::Failed {
                        reason: reason.clone(),
                        code: None,
                        retry: true,
                    },
                )])
                .await?;
            return Ok(Outcome::RetryLater { reason, code: None });
        }
        // The slot first, then `sending`, then the request: a crash leaves as unknown only
        // the requests actually on their way, not every send waiting for a slot.
        if let Some(pacer) = &self.pacer {
            pacer.acquire(sender.phone_number_id(), to).await;
            if self.stopped.load(Ordering::Acquire) {
                if let Ok(mut window) = self.window.lock() {
                    window.release(key, reached_at);
                }
                return Ok(Outcome::NotAttempted);
            }
        }
        self.committer
            .commit(vec![JournalRecord::now(key, JournalEvent::Sending)])
            .await?;
        let result = sender.send_message(&recipient.message).await;
        let (outcome, event) = match result {
            Ok(receipt) => match receipt.message_id() {
                Some(id) => (
                    Outcome::Sent(id.clone()),
                    JournalEvent::Sent { id: id.clone() },
                ),
                None => (Outcome::Unknown, JournalEvent::Unknown),
            },
            Err(error) => {
                let classified = classify(&error);
                tracing::debug!(key, %error, "campaign send failed");
                if classified.opted_out
                    && let Err(error) = self.opt_outs.set_opted_out(opt_out::user_key(to), true)
                {
                    tracing::warn!(key, %error, "could not record an opt-out");
                }
                if let Some(reason) = classified.stop
                    && !self.stopped.swap(true, Ordering::AcqRel)
                {
                    tracing::warn!(reason, "campaign stopped");
                    if let Ok(mut stop) = self.stop_reason.lock() {
                        *stop = Some(reason);
                    }
                }
                if !matches!(classified.outcome, Outcome::Unknown)
                    && let Ok(mut window) = self.window.lock()
                {
                    window.release(key, reached_at);
                }
                (classified.outcome, classified.event)
            }
        };
        self.committer
            .commit(vec![JournalRecord::now(key, event)])
            .await?;
        Ok(outcome)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ApiError;

    fn api(code: i64) -> Error {
        let body = format!(r#"{{"error":{{"message":"x","code":{code}}}}}"#);
        Error::Api {
            status: 400,
            error: Box::new(ApiError::from_body(body.as_bytes()).unwrap()),
            retry_after: None,
        }
    }

    #[test]
    fn failures_follow_the_error_table() {
        let c = classify(&api(131050));
        assert!(c.opted_out);
        assert_eq!(c.outcome, Outcome::OptedOut);
        let c = classify(&api(131026));
        assert_eq!(
            c.outcome,
            Outcome::Failed {
                reason: "undeliverable".into(),
                code: Some(131026)
            }
        );
        let c = classify(&api(131049));
        assert_eq!(
            c.outcome,
            Outcome::RetryLater {
                reason: "marketing_limit".into(),
                code: Some(131049)
            }
        );
        assert!(c.stop.is_none());
        let c = classify(&api(132015));
        assert_eq!(c.stop.as_deref(), Some("template_paused"));
        assert!(matches!(c.event, JournalEvent::Failed { retry: true, .. }));
        let c = classify(&api(190));
        assert_eq!(c.stop.as_deref(), Some("auth"));
    }
}
