//! The dispatcher: sends what is due, once, within the rules.
//!
//! One loop per process by default; [`Dispatcher::pipelines`] runs more, so that one
//! batch's commits overlap another's requests, and several processes may share one
//! database. Each loop:
//!
//! 1. **recover** claims of dead workers (lease expired): never marked sending → scheduled
//!    again; marked sending → `unknown`, reported, never sent again;
//! 2. **claim** a batch (default 256) of due messages under a lease; expired ones end;
//! 3. per message: **quiet hours** in the recipient's zone (default 21:00–07:00: deferred
//!    to the end, never dropped), a **fleet throttle** on the number (after 130429),
//!    **consent** re-checked now ([`ConsentPolicy`]), the caller's
//!    [`CheckBeforeSend`];
//! 4. **pacing** for the whole fleet: send slots reserved in the database (80/s per
//!    business number, one message per 6 s per recipient by default);
//! 5. **mark sending** (durable) right before the requests leave, `concurrency` at a time;
//! 6. **complete** the batch in one transaction: sent (wamid MAC), failed (or retried
//!    later), unknown (never repeated), suppressed after 131050 (the opt-out recorded).
//!
//! A [`StopSignal`] (wire it to SIGTERM and Ctrl-C) stops it between steps: nothing more is
//! claimed, messages not yet marked sending go back to `scheduled`, in-flight sends
//! finish.

mod classify;
mod stop;
mod transport;

use std::collections::{BTreeSet, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use futures_util::StreamExt as _;
use sehat_pseudonym::Contact;
use sehat_whatsapp::ids::{BusinessScopedUserId, Recipient, WaId};
use sehat_whatsapp::message::{Language, Message, Parameter, TemplateMessage};
use time::OffsetDateTime;

pub use stop::{StopHandle, StopSignal, stop_signal};
pub use transport::{AlwaysSend, CheckBeforeSend, Transport, Verdict};

use crate::model::{
    ConsentAction, ConsentPolicy, ConsentScope, ConsentSource, Evidence, MessageKey, Purpose,
    SubjectRef,
};
use crate::quiet::QuietHours;
use crate::store::{Claimed, Completion, Outcome, SlotRequest, Store};
use crate::{Error, Outbox, OutboxKeys};
use classify::{Failure, classify};

/// Fleet-wide pacing settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pacing {
    /// Messages per second per business number, across every worker (at least 1).
    pub per_second: u32,
    /// The least time between two messages to one person (`None`: no per-person pacing).
    pub per_recipient: Option<Duration>,
}

impl Default for Pacing {
    /// 80 messages/s per number (the Cloud API's default throughput) and one message per
    /// 6 s per person (the pair rate limit).
    fn default() -> Self {
        Pacing {
            per_second: 80,
            per_recipient: Some(Duration::from_secs(6)),
        }
    }
}

/// Something the dispatcher did to one message, for logs, progress and rehearsals.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum DispatchEvent {
    /// The Cloud API accepted the message (announced before the outcome is recorded).
    Sent {
        /// The key.
        key: MessageKey,
        /// The template name.
        template: String,
        /// The purpose.
        purpose: Purpose,
        /// The subject (pseudonym).
        subject: SubjectRef,
    },
    /// The send failed; `retry_at` says when it is tried again (`None`: never).
    Failed {
        /// The key.
        key: MessageKey,
        /// The Graph error code.
        code: Option<i64>,
        /// The reason.
        reason: String,
        /// The next attempt.
        retry_at: Option<OffsetDateTime>,
    },
    /// The send's outcome is unknown; it is never repeated.
    Unknown {
        /// The key.
        key: MessageKey,
        /// Why.
        reason: String,
    },
    /// Not sent for want of consent.
    Suppressed {
        /// The key.
        key: MessageKey,
    },
    /// The caller's check cancelled (or superseded) it.
    Cancelled {
        /// The key.
        key: MessageKey,
    },
    /// Its window passed.
    Expired {
        /// The key.
        key: MessageKey,
    },
    /// Given back until `until` (quiet hours, a throttle, pacing, a stop).
    Deferred {
        /// The key.
        key: MessageKey,
        /// Until when.
        until: OffsetDateTime,
        /// `quiet_hours`, `throttled`, `recipient_pacing`, `check` or `stopping`.
        reason: &'static str,
    },
}

/// What a dispatcher run did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct DispatchReport {
    /// Messages sent.
    pub sent: u64,
    /// Messages failed for good.
    pub failed: u64,
    /// Failed sends that will be tried again.
    pub retried: u64,
    /// Messages whose outcome is unknown (this run's and recovered ones'): reconcile them
    /// with status webhooks; they are never sent again.
    pub unknown: Vec<MessageKey>,
    /// Messages suppressed for want of consent.
    pub suppressed: u64,
    /// Messages cancelled or superseded by the caller's check.
    pub cancelled: u64,
    /// Messages expired.
    pub expired: u64,
    /// Deferrals (quiet hours, throttles, pacing, stopping).
    pub deferred: u64,
    /// Claims of dead workers scheduled again.
    pub recovered: u64,
    /// Why the run stopped early (an error kind such as `auth`), when it did.
    pub stopped: Option<String>,
}

impl DispatchReport {
    /// Adds another run's report to this one: counts add up, unknown keys are appended,
    /// and the first reason to stop is kept.
    ///
    /// # Examples
    ///
    /// ```
    /// use sehat_outbox::dispatch::DispatchReport;
    ///
    /// let mut total = DispatchReport::default();
    /// let mut first = DispatchReport::default();
    /// first.sent = 3;
    /// first.stopped = Some("auth".to_owned());
    /// let mut second = DispatchReport::default();
    /// second.sent = 2;
    /// second.stopped = Some("throughput".to_owned());
    /// total.absorb(first);
    /// total.absorb(second);
    /// assert_eq!(total.sent, 5);
    /// assert_eq!(total.stopped.as_deref(), Some("auth"));
    /// ```
    pub fn absorb(&mut self, other: DispatchReport) {
        self.sent += other.sent;
        self.failed += other.failed;
        self.retried += other.retried;
        self.unknown.extend(other.unknown);
        self.suppressed += other.suppressed;
        self.cancelled += other.cancelled;
        self.expired += other.expired;
        self.deferred += other.deferred;
        self.recovered += other.recovered;
        if self.stopped.is_none() {
            self.stopped = other.stopped;
        }
    }
}

type EventFn = Arc<dyn Fn(&DispatchEvent) + Send + Sync>;

/// What the pipelines of one run share.
struct Shared {
    /// Sends in flight across the pipelines.
    permits: tokio::sync::Semaphore,
    /// A pipeline met an error that stops the run (such as `auth`): the others stop too.
    halted: AtomicBool,
    /// The first pipeline claimed a full batch: more work is due, the idle ones wake up.
    busy: tokio::sync::Notify,
}

/// Whether [`Dispatcher::run`] returns when nothing is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunMode {
    /// Return when a claim finds nothing due.
    UntilIdle,
    /// Keep polling until stopped.
    Forever,
}

/// Sends due messages of one outbox through one business number. See the
/// [module documentation](self).
pub struct Dispatcher<S: Store, T: Transport, H: CheckBeforeSend = AlwaysSend> {
    store: S,
    keys: Arc<OutboxKeys>,
    transport: T,
    hook: H,
    worker: String,
    batch: usize,
    lease: Duration,
    concurrency: usize,
    pipelines: usize,
    pacing: Option<Pacing>,
    quiet: QuietHours,
    policy: ConsentPolicy,
    clock_offset: time::Duration,
    max_attempts: u32,
    poll: Duration,
    events: Option<EventFn>,
}

impl<S: Store, T: Transport, H: CheckBeforeSend> std::fmt::Debug for Dispatcher<S, T, H> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Dispatcher")
            .field("worker", &self.worker)
            .field("batch", &self.batch)
            .field("lease", &self.lease)
            .field("concurrency", &self.concurrency)
            .field("pipelines", &self.pipelines)
            .field("pacing", &self.pacing)
            .field("quiet", &self.quiet)
            .finish_non_exhaustive()
    }
}

impl<S: Store + Clone, T: Transport> Dispatcher<S, T, AlwaysSend> {
    /// A dispatcher for `outbox` sending through `transport`, with the defaults: batches
    /// of 256, 5-minute leases, 32 sends in flight, one pipeline, [`Pacing::default`], quiet hours
    /// 21:00–07:00, [`ConsentPolicy::default`], 5 attempts, a worker name from the host
    /// and process id.
    #[must_use]
    pub fn new(outbox: &Outbox<S>, transport: T) -> Self {
        Dispatcher {
            store: outbox.store().clone(),
            keys: outbox.shared_keys(),
            transport,
            hook: AlwaysSend,
            worker: default_worker(),
            batch: 256,
            lease: Duration::from_secs(300),
            concurrency: 32,
            pipelines: 1,
            pacing: Some(Pacing::default()),
            quiet: QuietHours::default(),
            policy: ConsentPolicy::default(),
            clock_offset: time::Duration::ZERO,
            max_attempts: 5,
            poll: Duration::from_secs(1),
            events: None,
        }
    }
}

fn default_worker() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_owned())
        .unwrap_or_else(|_| "host".into());
    let nonce = OffsetDateTime::now_utc().unix_timestamp_nanos() % 1_000_000;
    format!("{host}:{}:{nonce}", std::process::id())
}

impl<S: Store, T: Transport, H: CheckBeforeSend> Dispatcher<S, T, H> {
    /// With the caller's check before each send.
    #[must_use]
    pub fn check_before_send<H2: CheckBeforeSend>(self, hook: H2) -> Dispatcher<S, T, H2> {
        Dispatcher {
            store: self.store,
            keys: self.keys,
            transport: self.transport,
            hook,
            worker: self.worker,
            batch: self.batch,
            lease: self.lease,
            concurrency: self.concurrency,
            pipelines: self.pipelines,
            pacing: self.pacing,
            quiet: self.quiet,
            policy: self.policy,
            clock_offset: self.clock_offset,
            max_attempts: self.max_attempts,
            poll: self.poll,
            events: self.events,
        }
    }

    /// Names this worker (unique per process; it appears in the database).
    #[must_use]
    pub fn worker(mut self, name: impl Into<String>) -> Self {
        self.worker = name.into();
        self
    }

    /// Claims up to `n` messages at a time (at least 1).
    #[must_use]
    pub fn batch(mut self, n: usize) -> Self {
        self.batch = n.max(1);
        self
    }

    /// Holds claims this long (another worker takes them over after it).
    #[must_use]
    pub fn lease(mut self, lease: Duration) -> Self {
        self.lease = lease.max(Duration::from_millis(1));
        self
    }

    /// Sends at most `n` at once (at least 1).
    #[must_use]
    pub fn concurrency(mut self, n: usize) -> Self {
        self.concurrency = n.max(1);
        self
    }

    /// Runs `n` claim-check-send loops at once (at least 1; default 1), sharing the
    /// [`concurrency`](Self::concurrency) limit: while one batch's requests are out, the
    /// next batch is claimed, checked and marked sending, so the database's commits
    /// overlap the network instead of waiting for it. Each loop holds its own claims;
    /// the guarantees are those of several workers.
    #[must_use]
    pub fn pipelines(mut self, n: usize) -> Self {
        self.pipelines = n.max(1);
        self
    }

    /// Paces with these settings.
    #[must_use]
    pub fn pacing(mut self, pacing: Pacing) -> Self {
        self.pacing = Some(Pacing {
            per_second: pacing.per_second.max(1),
            per_recipient: pacing.per_recipient,
        });
        self
    }

    /// Sends as fast as the concurrency allows (benchmarks, rehearsals).
    #[must_use]
    pub fn no_pacing(mut self) -> Self {
        self.pacing = None;
        self
    }

    /// Quiet hours.
    #[must_use]
    pub fn quiet_hours(mut self, quiet: QuietHours) -> Self {
        self.quiet = quiet;
        self
    }

    /// The consent rules.
    #[must_use]
    pub fn consent_policy(mut self, policy: ConsentPolicy) -> Self {
        self.policy = policy;
        self
    }

    /// Runs as if the clock read `now` at this moment (it keeps ticking from there).
    #[must_use]
    pub fn now_at(mut self, now: OffsetDateTime) -> Self {
        self.clock_offset = now - OffsetDateTime::now_utc();
        self
    }

    /// Gives up on a message after this many retried failures (at least 1).
    #[must_use]
    pub fn max_attempts(mut self, n: u32) -> Self {
        self.max_attempts = n.max(1);
        self
    }

    /// How often an idle [`RunMode::Forever`] run looks for due messages.
    #[must_use]
    pub fn poll_interval(mut self, every: Duration) -> Self {
        self.poll = every.max(Duration::from_millis(10));
        self
    }

    /// Calls `callback` for every message the dispatcher deals with.
    #[must_use]
    pub fn on_event(mut self, callback: impl Fn(&DispatchEvent) + Send + Sync + 'static) -> Self {
        self.events = Some(Arc::new(callback));
        self
    }

    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc() + self.clock_offset
    }

    fn emit(&self, event: DispatchEvent) {
        if let Some(f) = &self.events {
            f(&event);
        }
    }

    /// Runs until idle or stopped (see [`RunMode`]).
    ///
    /// # Errors
    ///
    /// [`Error::Store`] when the database fails: the run stops at once; what was recorded
    /// stays valid (claims not marked sending go back after their lease; run again).
    pub async fn run(&self, mode: RunMode, stop: StopSignal) -> Result<DispatchReport, Error> {
        let shared = Shared {
            permits: tokio::sync::Semaphore::new(self.concurrency),
            halted: AtomicBool::new(false),
            busy: tokio::sync::Notify::new(),
        };
        let loops = (0..self.pipelines).map(|i| self.run_loop(i == 0, mode, stop.clone(), &shared));
        let reports = futures_util::future::try_join_all(loops).await?;
        let mut total = DispatchReport::default();
        for r in reports {
            total.absorb(r);
        }
        Ok(total)
    }

    /// One claim-check-send loop. Only the first polls while idle; the others wait until
    /// it claims a full batch.
    async fn run_loop(
        &self,
        first: bool,
        mode: RunMode,
        mut stop: StopSignal,
        shared: &Shared,
    ) -> Result<DispatchReport, Error> {
        let mut report = DispatchReport::default();
        let mut last_recover = None;
        loop {
            if stop.is_stopped() || shared.halted.load(Ordering::Relaxed) {
                break;
            }
            let now = self.now();
            if last_recover.is_none_or(|t: OffsetDateTime| now - t >= self.lease / 2) {
                let recovered = self.store.recover(now).await?;
                report.recovered += recovered.rescheduled;
                for key in recovered.unknown {
                    self.emit(DispatchEvent::Unknown {
                        key: key.clone(),
                        reason: "lease_expired_while_sending".into(),
                    });
                    report.unknown.push(key);
                }
                last_recover = Some(now);
            }
            let batch = self
                .store
                .claim(&self.worker, now, self.lease, self.batch)
                .await?;
            report.expired += u64::try_from(batch.expired.len()).unwrap_or(0);
            for key in batch.expired {
                self.emit(DispatchEvent::Expired { key });
            }
            if first && batch.claimed.len() >= self.batch {
                shared.busy.notify_waiters();
            }
            if batch.claimed.is_empty() {
                if mode == RunMode::UntilIdle {
                    break;
                }
                if !first {
                    tokio::select! {
                        () = shared.busy.notified() => {}
                        () = stop.stopped() => break,
                    }
                    continue;
                }
                let wait = match self.store.next_due().await? {
                    Some(due) if due > now => Duration::try_from(due - now)
                        .unwrap_or(self.poll)
                        .min(self.poll),
                    _ => self.poll,
                };
                tokio::select! {
                    () = tokio::time::sleep(wait) => {}
                    () = stop.stopped() => break,
                }
                continue;
            }
            self.process(batch.claimed, &mut report, &stop, shared)
                .await?;
            if report.stopped.is_some() {
                shared.halted.store(true, Ordering::Relaxed);
                shared.busy.notify_waiters();
                break;
            }
        }
        Ok(report)
    }

    async fn process(
        &self,
        claimed: Vec<Claimed>,
        report: &mut DispatchReport,
        stop: &StopSignal,
        shared: &Shared,
    ) -> Result<(), Error> {
        let now = self.now();
        let lane = self.transport.business_number().as_str().to_owned();
        let mut deferrals: Vec<(MessageKey, OffsetDateTime, &'static str)> = Vec::new();
        let mut ended: Vec<Completion> = Vec::new();

        // Quiet hours and the fleet throttle.
        let throttled = self.store.throttled_until(&lane, now).await?;
        let mut candidates = Vec::with_capacity(claimed.len());
        for message in claimed {
            if let Some(until) = throttled {
                deferrals.push((message.key, until, "throttled"));
                continue;
            }
            match self.quiet.next_allowed(now, &message.timezone) {
                Ok(Some(until)) => deferrals.push((message.key, until, "quiet_hours")),
                Ok(None) => candidates.push(message),
                Err(_) => {
                    ended.push(Completion::new(
                        message.key,
                        Outcome::Failed {
                            code: None,
                            reason: "unknown_timezone".into(),
                            retry_at: None,
                        },
                    ));
                }
            }
        }

        // Consent, re-checked now.
        let queries: Vec<(SubjectRef, Purpose)> = candidates
            .iter()
            .map(|m| (m.subject.clone(), m.purpose))
            .collect();
        let consents = self.store.consents(&queries).await?;
        let mut allowed = Vec::with_capacity(candidates.len());
        for (message, latest) in candidates.into_iter().zip(consents) {
            if self.policy.allows(message.purpose, latest) {
                allowed.push(message);
            } else {
                ended.push(Completion::new(message.key, Outcome::Suppressed));
            }
        }

        // The caller's check.
        let mut checked = Vec::with_capacity(allowed.len());
        for message in allowed {
            match self.hook.check(&message).await {
                Verdict::Send => checked.push(message),
                Verdict::Cancel => ended.push(Completion::new(message.key, Outcome::Cancelled)),
                Verdict::Supersede => {
                    ended.push(Completion::new(message.key, Outcome::Superseded));
                }
                Verdict::Defer(until) => deferrals.push((message.key, until, "check")),
            }
        }

        // The messages themselves: the number read back only now.
        let mut ready: Vec<(Claimed, Message)> = Vec::with_capacity(checked.len());
        for mut claimed in checked {
            match self.build(&mut claimed) {
                Ok(message) => ready.push((claimed, message)),
                Err(reason) => ended.push(Completion::new(
                    claimed.key,
                    Outcome::Failed {
                        code: None,
                        reason: reason.into(),
                        retry_at: None,
                    },
                )),
            }
        }

        // Fleet-wide pacing: slots reserved in the database.
        let mut timed: Vec<(Claimed, Message, OffsetDateTime)> = Vec::with_capacity(ready.len());
        if let (Some(pacing), false) = (self.pacing, ready.is_empty()) {
            let interval = Duration::from_secs(1) / pacing.per_second;
            let mut requests = vec![SlotRequest {
                lane: lane.clone(),
                n: u32::try_from(ready.len()).unwrap_or(u32::MAX),
                interval,
            }];
            if let Some(gap) = pacing.per_recipient {
                requests.extend(ready.iter().map(|(c, _)| SlotRequest {
                    lane: c.subject.as_str().to_owned(),
                    n: 1,
                    interval: gap,
                }));
            }
            let slots = self.store.reserve_slots(&requests, now).await?;
            let first = slots.first().copied().unwrap_or(now);
            let horizon = now + self.lease / 4;
            for (i, (claimed, message)) in ready.into_iter().enumerate() {
                let offset = interval * u32::try_from(i).unwrap_or(u32::MAX);
                let mut at = first + offset;
                if let Some(person) = slots.get(i + 1).copied() {
                    if person > horizon {
                        deferrals.push((claimed.key, person, "recipient_pacing"));
                        continue;
                    }
                    at = at.max(person);
                }
                timed.push((claimed, message, at));
            }
            timed.sort_by_key(|t| t.2);
        } else {
            timed.extend(ready.into_iter().map(|(c, m)| (c, m, now)));
        }

        self.give_back(&deferrals, report).await?;
        self.finish(ended, report).await?;

        // Send in waves of about a second of slots, each marked sending just before.
        let mut rest = timed.into_iter().peekable();
        while rest.peek().is_some() {
            let wave_end = rest.peek().map_or(now, |t| t.2) + Duration::from_secs(1);
            let mut wave = Vec::new();
            while let Some(item) = rest.next_if(|t| t.2 < wave_end) {
                wave.push(item);
            }
            if stop.is_stopped()
                || report.stopped.is_some()
                || shared.halted.load(Ordering::Relaxed)
            {
                let back: Vec<_> = wave
                    .into_iter()
                    .chain(rest.by_ref())
                    .map(|(c, _, _)| (c.key, c.not_before, "stopping"))
                    .collect();
                self.give_back(&back, report).await?;
                break;
            }
            self.send_wave(wave, &lane, report, shared).await?;
        }
        Ok(())
    }

    /// The message to send. The language and the parameters move into it: nothing reads
    /// them from the claim afterwards.
    fn build(&self, claimed: &mut Claimed) -> Result<Message, &'static str> {
        let contact = self
            .keys
            .contact_of(&claimed.token)
            .map_err(|_| "token_unreadable")?;
        let recipient = match contact {
            Contact::Phone(number) => Recipient::from(WaId::new(number.expose_wa_id())),
            Contact::Bsuid(id) => Recipient::from(BusinessScopedUserId::new(id.expose())),
            _ => return Err("token_unreadable"),
        };
        let mut template = TemplateMessage::new(
            claimed.template.clone(),
            Language::new(std::mem::take(&mut claimed.language)),
        );
        let params = std::mem::take(&mut claimed.params);
        if !params.is_empty() {
            // Parameters named 1, 2, … are the positional {{1}}, {{2}} … of the template.
            let positional = params.keys().all(|k| k.parse::<u32>().is_ok());
            template = if positional {
                let mut numbered: Vec<(u32, String)> = params
                    .into_iter()
                    .map(|(k, v)| (k.parse::<u32>().unwrap_or(u32::MAX), v))
                    .collect();
                numbered.sort_by_key(|(n, _)| *n);
                template.body(numbered.into_iter().map(|(_, v)| Parameter::text(v)))
            } else {
                template.named_body(params)
            };
        }
        Message::new(recipient, template).map_err(|_| "invalid_message")
    }

    async fn give_back(
        &self,
        deferrals: &[(MessageKey, OffsetDateTime, &'static str)],
        report: &mut DispatchReport,
    ) -> Result<(), Error> {
        if deferrals.is_empty() {
            return Ok(());
        }
        let pairs: Vec<(MessageKey, OffsetDateTime)> =
            deferrals.iter().map(|(k, t, _)| (k.clone(), *t)).collect();
        self.store.defer(&self.worker, &pairs).await?;
        report.deferred += u64::try_from(deferrals.len()).unwrap_or(0);
        for (key, until, reason) in deferrals {
            self.emit(DispatchEvent::Deferred {
                key: key.clone(),
                until: *until,
                reason,
            });
        }
        Ok(())
    }

    async fn finish(
        &self,
        completions: Vec<Completion>,
        report: &mut DispatchReport,
    ) -> Result<(), Error> {
        if completions.is_empty() {
            return Ok(());
        }
        self.store.complete(&completions, self.now()).await?;
        self.report_outcomes(completions, report);
        Ok(())
    }

    /// Counts and announces stored outcomes. Sent messages are counted and announced by
    /// the wave that sent them, before their outcome is stored.
    fn report_outcomes(&self, completions: Vec<Completion>, report: &mut DispatchReport) {
        for c in completions {
            match c.outcome {
                Outcome::Suppressed => {
                    report.suppressed += 1;
                    self.emit(DispatchEvent::Suppressed { key: c.key });
                }
                Outcome::Cancelled | Outcome::Superseded => {
                    report.cancelled += 1;
                    self.emit(DispatchEvent::Cancelled { key: c.key });
                }
                Outcome::Failed {
                    code,
                    reason,
                    retry_at,
                } => {
                    if retry_at.is_some() {
                        report.retried += 1;
                    } else {
                        report.failed += 1;
                    }
                    self.emit(DispatchEvent::Failed {
                        key: c.key,
                        code,
                        reason,
                        retry_at,
                    });
                }
                Outcome::Unknown { reason } => {
                    self.emit(DispatchEvent::Unknown {
                        key: c.key.clone(),
                        reason,
                    });
                    report.unknown.push(c.key);
                }
                Outcome::Sent { .. } => {}
            }
        }
    }

    async fn send_wave(
        &self,
        wave: Vec<(Claimed, Message, OffsetDateTime)>,
        lane: &str,
        report: &mut DispatchReport,
        shared: &Shared,
    ) -> Result<(), Error> {
        let keys: Vec<MessageKey> = wave.iter().map(|(c, _, _)| c.key.clone()).collect();
        let held = self
            .store
            .mark_sending(&self.worker, &keys, self.now())
            .await?;
        // Usually every message of the wave is held: then no set is needed (the keys of a
        // wave are distinct and `held` is a subset of them).
        let held: Option<HashSet<MessageKey>> =
            (held.len() < keys.len()).then(|| held.into_iter().collect());
        drop(keys);
        let offset = self.clock_offset;
        let results: Vec<(
            Claimed,
            Result<sehat_whatsapp::SendReceipt, sehat_whatsapp::Error>,
        )> = futures_util::stream::iter(
            wave.into_iter()
                .filter(|(c, _, _)| held.as_ref().is_none_or(|h| h.contains(&c.key))),
        )
        .map(|(claimed, message, at)| async move {
            let wait = at - (OffsetDateTime::now_utc() + offset);
            if let Ok(wait) = Duration::try_from(wait) {
                tokio::time::sleep(wait).await;
            }
            // The limit on sends in flight holds across the pipelines (the semaphore
            // is never closed, so a permit always comes).
            let _permit = shared.permits.acquire().await.ok();
            let result = self.transport.send(&message).await;
            (claimed, result)
        })
        .buffer_unordered(self.concurrency)
        .collect()
        .await;

        let now = self.now();
        let mut completions = Vec::with_capacity(results.len());
        let mut sent = Vec::new();
        let mut opt_outs = Vec::new();
        let mut number_hold: Option<OffsetDateTime> = None;
        let mut person_holds = Vec::new();
        for (claimed, result) in results {
            let outcome = match result {
                Ok(receipt) => match receipt.message_id() {
                    Some(id) => Outcome::Sent {
                        wamid: self.keys.wamid_mac(id.as_str()),
                    },
                    // Accepted without an id: it may exist; never send it again.
                    None => Outcome::Unknown {
                        reason: "answer_without_message_id".into(),
                    },
                },
                Err(error) => self.failure_outcome(
                    &claimed,
                    classify(&error),
                    now,
                    report,
                    &mut opt_outs,
                    &mut number_hold,
                    &mut person_holds,
                ),
            };
            if matches!(outcome, Outcome::Sent { .. }) {
                report.sent += 1;
                // Kept for the announcement only when someone listens.
                if self.events.is_some() {
                    sent.push((
                        claimed.key.clone(),
                        claimed.template,
                        claimed.purpose,
                        claimed.subject,
                    ));
                }
            }
            completions.push(Completion::new(claimed.key, outcome));
        }
        if let Some(until) = number_hold {
            self.store.throttle(lane, until).await?;
        }
        if !person_holds.is_empty() {
            self.store.reserve_slots(&person_holds, now).await?;
        }
        // One opt-out per subject and purpose: a wave may hold several messages to one
        // person, and the message's own purpose may be one of the marketing ones.
        let opt_outs: BTreeSet<(SubjectRef, Purpose)> = opt_outs
            .into_iter()
            .flat_map(|(subject, purpose)| {
                [purpose, Purpose::Campaign, Purpose::Education].map(|p| (subject.clone(), p))
            })
            .collect();
        let evidence = Evidence::new(ConsentSource::Error131050, now);
        for (subject, scope) in &opt_outs {
            self.store
                .record_consent(
                    subject,
                    ConsentScope::Purpose(*scope),
                    ConsentAction::OptOut,
                    &evidence,
                )
                .await?;
        }
        // Accepted sends are announced before their outcome is recorded, so an observer
        // that writes them down (a rehearsal log) never misses one that a crash right after
        // the commit would otherwise hide.
        for (key, template, purpose, subject) in sent {
            self.emit(DispatchEvent::Sent {
                key,
                template,
                purpose,
                subject,
            });
        }
        self.store.complete(&completions, now).await?;
        self.report_outcomes(completions, report);
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    fn failure_outcome(
        &self,
        claimed: &Claimed,
        failure: Failure,
        now: OffsetDateTime,
        report: &mut DispatchReport,
        opt_outs: &mut Vec<(SubjectRef, Purpose)>,
        number_hold: &mut Option<OffsetDateTime>,
        person_holds: &mut Vec<SlotRequest>,
    ) -> Outcome {
        let retry = |code: Option<i64>, reason: String, at: OffsetDateTime| {
            if claimed.attempts + 1 >= self.max_attempts {
                Outcome::Failed {
                    code,
                    reason,
                    retry_at: None,
                }
            } else {
                Outcome::Failed {
                    code,
                    reason,
                    retry_at: Some(at),
                }
            }
        };
        match failure {
            Failure::OptedOut { .. } => {
                opt_outs.push((claimed.subject.clone(), claimed.purpose));
                Outcome::Suppressed
            }
            Failure::NumberThrottled { code, wait } => {
                let until = now + wait;
                *number_hold = Some(number_hold.map_or(until, |t| t.max(until)));
                // A throttle is the number's state, not the message's fault.
                Outcome::Failed {
                    code: Some(code),
                    reason: "throughput".into(),
                    retry_at: Some(until),
                }
            }
            Failure::PairThrottled { code, wait } => {
                person_holds.push(SlotRequest {
                    lane: claimed.subject.as_str().to_owned(),
                    n: 1,
                    interval: wait,
                });
                Outcome::Failed {
                    code: Some(code),
                    reason: "pair_rate_limit".into(),
                    retry_at: Some(now + wait),
                }
            }
            Failure::Retry {
                code,
                reason,
                after,
            } => retry(code, reason, now + after),
            Failure::Permanent { code, reason } => Outcome::Failed {
                code,
                reason,
                retry_at: None,
            },
            Failure::Stop { code, reason } => {
                report.stopped.get_or_insert_with(|| reason.clone());
                Outcome::Failed {
                    code,
                    reason,
                    retry_at: Some(now + Duration::from_secs(60 * 60)),
                }
            }
            Failure::Unknown { reason } => Outcome::Unknown { reason },
        }
    }
}
