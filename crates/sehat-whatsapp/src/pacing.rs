//! Pacing: per phone number (Meta's throughput, 80 messages/s by default) and per
//! recipient (the pair rate, about one message every 6 s with a small burst).
//!
//! A [`Pacer`] is shared by every clone of a [`Client`](crate::Client) and can be used on
//! its own by a sender that paces itself. [`Pacer::acquire`] waits for the recipient's
//! slot first and then for the number's, so a recipient who already had their burst delays
//! only their own next message: other recipients' sends keep taking the number's slots
//! meanwhile.
//!
//! Meta's own limit signals go to a [`Throttle`]: a throughput error (130429, or 131057
//! during an upgrade) holds the whole number, a pair rate limit (131056) the one
//! recipient. Every client has one, shared by its clones and by its pacer, and every send
//! of the client consults it — paced or not ([`send_unpaced`](crate::PhoneNumberApi::send_unpaced)
//! too, and so a campaign with a pacer of its own) — so once Meta says "slow down" no
//! sender of that number keeps hammering it.
//!
//! Time comes from tokio's clock, so tests can drive the pacer with
//! `tokio::time::pause()`; the token buckets are governor's GCRA.

use std::collections::HashMap;
use std::fmt;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use governor::clock::Clock;
use governor::middleware::NoOpMiddleware;
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};

use crate::ids::{PhoneNumberId, Recipient};

/// The longest a hold lasts, whatever the server asks for: a day, far beyond any
/// rate-limit wait the Graph API documents.
const LONGEST_HOLD: Duration = Duration::from_secs(24 * 60 * 60);

/// The default throughput of a business phone number, in messages per second.
pub const DEFAULT_NUMBER_RATE: u32 = 80;
/// The highest throughput Meta grants a number, in messages per second.
pub const MAX_NUMBER_RATE: u32 = 1000;
/// The default interval between two messages to one recipient.
pub const DEFAULT_RECIPIENT_INTERVAL: Duration = Duration::from_secs(6);
/// The default number of messages one recipient may receive back to back.
pub const DEFAULT_RECIPIENT_BURST: u32 = 3;

/// Pacing settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pacing {
    number_rate: NonZeroU32,
    recipient_interval: Duration,
    recipient_burst: NonZeroU32,
}

/// A pacing setting was out of range.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PacingError {
    /// The number rate must be 1 to 1000 messages per second.
    #[error("number rate {0} is outside 1..=1000 messages per second")]
    NumberRate(u32),
    /// The recipient interval must be positive and the burst at least 1.
    #[error("recipient pacing needs a positive interval and a burst of at least 1")]
    Recipient,
}

impl Default for Pacing {
    fn default() -> Self {
        Self {
            number_rate: NonZeroU32::MIN.saturating_add(DEFAULT_NUMBER_RATE - 1),
            recipient_interval: DEFAULT_RECIPIENT_INTERVAL,
            recipient_burst: NonZeroU32::MIN.saturating_add(DEFAULT_RECIPIENT_BURST - 1),
        }
    }
}

impl Pacing {
    /// Sets the number's throughput (1 to 1000 messages per second; 80 by default, 1000
    /// after Meta's upgrade, 20 for coexistence numbers).
    ///
    /// # Errors
    ///
    /// [`PacingError::NumberRate`] outside 1..=1000.
    ///
    /// # Examples
    ///
    /// ```
    /// use sehat_whatsapp::pacing::Pacing;
    /// let pacing = Pacing::default().number_rate(1000)?;
    /// assert_eq!(pacing.messages_per_second(), 1000);
    /// assert!(Pacing::default().number_rate(1001).is_err());
    /// # Ok::<(), sehat_whatsapp::pacing::PacingError>(())
    /// ```
    pub fn number_rate(mut self, per_second: u32) -> Result<Self, PacingError> {
        if per_second > MAX_NUMBER_RATE {
            return Err(PacingError::NumberRate(per_second));
        }
        self.number_rate =
            NonZeroU32::new(per_second).ok_or(PacingError::NumberRate(per_second))?;
        Ok(self)
    }

    /// Sets the per-recipient pace: one message per `interval`, with up to `burst` back to
    /// back.
    ///
    /// # Errors
    ///
    /// [`PacingError::Recipient`] for a zero interval or burst.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use sehat_whatsapp::pacing::Pacing;
    /// let pacing = Pacing::default().recipient(Duration::from_secs(10), 2)?;
    /// # Ok::<(), sehat_whatsapp::pacing::PacingError>(())
    /// ```
    pub fn recipient(mut self, interval: Duration, burst: u32) -> Result<Self, PacingError> {
        if interval.is_zero() {
            return Err(PacingError::Recipient);
        }
        self.recipient_burst = NonZeroU32::new(burst).ok_or(PacingError::Recipient)?;
        self.recipient_interval = interval;
        Ok(self)
    }

    /// The number's throughput in messages per second.
    #[must_use]
    pub fn messages_per_second(&self) -> u32 {
        self.number_rate.get()
    }
}

/// governor's clock on top of tokio's, so paused-time tests drive it.
#[derive(Debug, Clone)]
struct TokioClock {
    origin: tokio::time::Instant,
}

impl Clock for TokioClock {
    type Instant = Duration;

    fn now(&self) -> Duration {
        tokio::time::Instant::now().saturating_duration_since(self.origin)
    }
}

type Keyed<K> = RateLimiter<K, DefaultKeyedStateStore<K>, TokioClock, NoOpMiddleware<Duration>>;

/// Holds on a number or on one recipient of a number, after Meta's rate-limit signals.
///
/// A [`Client`](crate::Client) has one, shared by its clones and by its [`Pacer`]; every
/// send of the client waits for it, paced or not.
///
/// # Examples
///
/// ```
/// # #[tokio::main(flavor = "current_thread", start_paused = true)]
/// # async fn main() {
/// use std::time::Duration;
/// use sehat_whatsapp::ids::{PhoneNumberId, Recipient, WaId};
/// use sehat_whatsapp::pacing::Throttle;
///
/// let throttle = Throttle::new();
/// let from = PhoneNumberId::new("106540352242922");
/// let to = Recipient::from(WaId::parse("6281234567890").unwrap());
/// throttle.hold_number(&from, Duration::from_secs(2));
/// assert!(throttle.remaining(&from, Some(&to)).is_some());
/// throttle.wait(&from, Some(&to)).await;
/// assert_eq!(throttle.remaining(&from, Some(&to)), None);
/// # }
/// ```
#[derive(Default)]
pub struct Throttle {
    /// Recipients (by number and `to`) and numbers (by number and an empty `to`) held
    /// back until an instant.
    holds: Mutex<HashMap<(PhoneNumberId, String), tokio::time::Instant>>,
}

/// The counts of holds only: a held recipient is keyed by its phone number or
/// business-scoped user id in clear.
impl fmt::Debug for Throttle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let holds = self
            .holds
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let numbers = holds.keys().filter(|(_, to)| to.is_empty()).count();
        f.debug_struct("Throttle")
            .field("numbers_held", &numbers)
            .field("recipients_held", &(holds.len() - numbers))
            .finish()
    }
}

impl Throttle {
    /// A throttle with no holds.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Holds every message from `from` to `to` back for `wait` (after a pair rate limit,
    /// 131056); other recipients are not affected. A longer hold already in place is
    /// kept.
    pub fn hold_recipient(&self, from: &PhoneNumberId, to: &Recipient, wait: Duration) {
        self.hold((from.clone(), to.to_field().to_owned()), wait);
    }

    /// Holds every message from `from` back for `wait` (after a throughput error,
    /// 130429, or during a throughput upgrade, 131057). A longer hold is kept.
    pub fn hold_number(&self, from: &PhoneNumberId, wait: Duration) {
        self.hold((from.clone(), String::new()), wait);
    }

    /// How long a message from `from` (to `to`, when given) is still held back, if it is.
    #[must_use]
    pub fn remaining(&self, from: &PhoneNumberId, to: Option<&Recipient>) -> Option<Duration> {
        let now = tokio::time::Instant::now();
        let holds = self
            .holds
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let number = holds.get(&(from.clone(), String::new()));
        let recipient = to.and_then(|to| holds.get(&(from.clone(), to.to_field().to_owned())));
        number
            .into_iter()
            .chain(recipient)
            .copied()
            .max()
            .filter(|until| *until > now)
            .map(|until| until - now)
    }

    /// Waits until neither the number `from` nor the recipient `to` (when given) is held.
    pub async fn wait(&self, from: &PhoneNumberId, to: Option<&Recipient>) {
        self.wait_key(&(from.clone(), String::new())).await;
        if let Some(to) = to {
            self.wait_key(&(from.clone(), to.to_field().to_owned()))
                .await;
            // A number hold set meanwhile applies too.
            self.wait_key(&(from.clone(), String::new())).await;
        }
    }

    /// Records the hold Meta's answer to a send from `from` to `to` asks for: the
    /// recipient after a pair rate limit (131056; `Retry-After` or the pair interval),
    /// the number after a throughput error (130429, 131057; `Retry-After` or a second).
    pub(crate) fn observe(&self, from: &PhoneNumberId, to: &Recipient, error: &crate::Error) {
        if let crate::Error::Api {
            error, retry_after, ..
        } = error
        {
            match error.code() {
                131056 => {
                    self.hold_recipient(from, to, retry_after.unwrap_or(DEFAULT_RECIPIENT_INTERVAL))
                }
                130429 | 131057 => {
                    self.hold_number(from, retry_after.unwrap_or(Duration::from_secs(1)));
                }
                _ => {}
            }
        }
    }

    fn hold(&self, key: (PhoneNumberId, String), wait: Duration) {
        let now = tokio::time::Instant::now();
        // The wait comes from the server (Retry-After, usage headers): cap it rather than
        // overflow the clock.
        let until = now + wait.min(LONGEST_HOLD);
        let mut holds = self
            .holds
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        holds.retain(|_, until| *until > now);
        let entry = holds.entry(key).or_insert(until);
        *entry = (*entry).max(until);
    }

    async fn wait_key(&self, key: &(PhoneNumberId, String)) {
        loop {
            let until = {
                let holds = self
                    .holds
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                if holds.is_empty() {
                    return;
                }
                match holds.get(key) {
                    Some(until) if *until > tokio::time::Instant::now() => *until,
                    _ => return,
                }
            };
            tokio::time::sleep_until(until).await;
        }
    }
}

/// Shared per-number and per-recipient token buckets, and the [`Throttle`] they obey.
pub struct Pacer {
    pacing: Pacing,
    clock: TokioClock,
    numbers: Keyed<PhoneNumberId>,
    recipients: Keyed<(PhoneNumberId, String)>,
    acquired: AtomicU64,
    throttle: Arc<Throttle>,
}

/// The settings and counters only: the recipients' buckets are keyed by phone number or
/// business-scoped user id in clear.
impl fmt::Debug for Pacer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pacer")
            .field("pacing", &self.pacing)
            .field("acquired", &self.acquired.load(Ordering::Relaxed))
            .field("throttle", &self.throttle)
            .finish_non_exhaustive()
    }
}

impl Pacer {
    /// A pacer with these settings, and a throttle of its own.
    #[must_use]
    pub fn new(pacing: Pacing) -> Self {
        Self::with_throttle(pacing, Arc::new(Throttle::new()))
    }

    /// A pacer with these settings that obeys (and feeds) `throttle`, such as a client's
    /// ([`Client::throttle`](crate::Client::throttle)).
    #[must_use]
    pub fn with_throttle(pacing: Pacing, throttle: Arc<Throttle>) -> Self {
        let clock = TokioClock {
            origin: tokio::time::Instant::now(),
        };
        // A burst of 1/20 s worth of messages: timers wake late (tokio rounds up to the
        // millisecond), and without a little credit each late wake-up would be lost for
        // good, pulling 80/s down to about 77/s. Over any second the number then sends at
        // most rate + burst - 1 messages.
        let burst = NonZeroU32::new(pacing.number_rate.get() / 20).unwrap_or(NonZeroU32::MIN);
        let number_quota = Quota::per_second(pacing.number_rate).allow_burst(burst);
        let recipient_quota = Quota::with_period(pacing.recipient_interval)
            .unwrap_or(Quota::per_second(NonZeroU32::MIN))
            .allow_burst(pacing.recipient_burst);
        Self {
            pacing,
            numbers: RateLimiter::dashmap_with_clock(number_quota, clock.clone()),
            recipients: RateLimiter::dashmap_with_clock(recipient_quota, clock.clone()),
            clock,
            acquired: AtomicU64::new(0),
            throttle,
        }
    }

    /// The throttle this pacer obeys.
    #[must_use]
    pub fn throttle(&self) -> &Arc<Throttle> {
        &self.throttle
    }

    /// The settings.
    #[must_use]
    pub fn pacing(&self) -> Pacing {
        self.pacing
    }

    /// Waits until a message from `from` to `to` may be sent: first the recipient's slot,
    /// then the number's.
    pub async fn acquire(&self, from: &PhoneNumberId, to: &Recipient) {
        let key = (from.clone(), to.to_field().to_owned());
        self.throttle.wait(from, Some(to)).await;
        while let Err(not_until) = self.recipients.check_key(&key) {
            tokio::time::sleep(not_until.wait_time_from(self.clock.now())).await;
        }
        self.acquire_number(from).await;
        // Forget recipients idle long enough to be back at a full burst.
        if self.acquired.fetch_add(1, Ordering::Relaxed) % 4096 == 4095 {
            self.recipients.retain_recent();
            self.numbers.retain_recent();
        }
    }

    /// Waits for the number's next slot only (for sends that are not to one recipient,
    /// such as read receipts, which count against throughput too).
    pub async fn acquire_number(&self, from: &PhoneNumberId) {
        self.throttle.wait(from, None).await;
        while let Err(not_until) = self.numbers.check_key(from) {
            tokio::time::sleep(not_until.wait_time_from(self.clock.now())).await;
        }
    }
}

impl Pacer {
    /// Holds every message from `from` to `to` back for `wait` (after a pair rate limit,
    /// 131056, with [`pair_backoff`](crate::retry::pair_backoff)); other recipients are
    /// not affected. A longer hold already in place is kept. The hold is the throttle's,
    /// so every sender sharing it waits.
    pub fn hold_recipient(&self, from: &PhoneNumberId, to: &Recipient, wait: Duration) {
        self.throttle.hold_recipient(from, to, wait);
    }

    /// Holds every message from `from` back for `wait` (after a throughput error, 130429,
    /// or during a throughput upgrade, 131057).
    pub fn hold_number(&self, from: &PhoneNumberId, wait: Duration) {
        self.throttle.hold_number(from, wait);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::WaId;

    fn to(n: &str) -> Recipient {
        Recipient::Phone(WaId::new(n))
    }

    #[tokio::test(start_paused = true)]
    async fn number_rate_spaces_sends_evenly() {
        let pacer = Pacer::new(Pacing::default());
        let from = PhoneNumberId::new("1");
        let start = tokio::time::Instant::now();
        for i in 0..160 {
            pacer.acquire(&from, &to(&format!("62812000{i:04}"))).await;
        }
        // 160 sends at 80/s with a burst of 4: the first four go at once, the last at
        // 156/80 s; late timer wake-ups do not accumulate.
        let elapsed = start.elapsed();
        assert!(elapsed >= Duration::from_millis(1940), "{elapsed:?}");
        assert!(elapsed <= Duration::from_millis(1965), "{elapsed:?}");
    }

    #[tokio::test(start_paused = true)]
    async fn recipient_burst_then_interval() {
        let pacing = Pacing::default()
            .recipient(Duration::from_secs(6), 3)
            .unwrap();
        let pacer = Pacer::new(pacing);
        let from = PhoneNumberId::new("1");
        let start = tokio::time::Instant::now();
        for _ in 0..3 {
            pacer.acquire(&from, &to("6281234567890")).await;
        }
        assert!(start.elapsed() < Duration::from_millis(100));
        pacer.acquire(&from, &to("6281234567890")).await;
        let elapsed = start.elapsed();
        assert!(
            elapsed >= Duration::from_secs(6) - Duration::from_millis(50),
            "{elapsed:?}"
        );
        assert!(elapsed < Duration::from_secs(7), "{elapsed:?}");
    }

    #[tokio::test(start_paused = true)]
    async fn slow_recipient_delays_only_itself() {
        let pacing = Pacing::default()
            .recipient(Duration::from_secs(6), 1)
            .unwrap();
        let pacer = std::sync::Arc::new(Pacer::new(pacing));
        let from = PhoneNumberId::new("1");
        pacer.acquire(&from, &to("6281111111111")).await;
        let start = tokio::time::Instant::now();
        let slow = {
            let pacer = pacer.clone();
            let from = from.clone();
            tokio::spawn(async move {
                pacer.acquire(&from, &to("6281111111111")).await;
                tokio::time::Instant::now()
            })
        };
        for i in 0..40 {
            pacer.acquire(&from, &to(&format!("62822{i:06}"))).await;
        }
        let others_done = start.elapsed();
        assert!(others_done < Duration::from_secs(1), "{others_done:?}");
        let slow_done = slow.await.unwrap().duration_since(start);
        assert!(slow_done >= Duration::from_millis(5900), "{slow_done:?}");
    }

    #[tokio::test(start_paused = true)]
    async fn a_held_recipient_waits_and_others_do_not() {
        let pacer = Pacer::new(Pacing::default());
        let from = PhoneNumberId::new("1");
        pacer.hold_recipient(&from, &to("6281111111111"), Duration::from_secs(4));
        let start = tokio::time::Instant::now();
        pacer.acquire(&from, &to("6282222222222")).await;
        assert!(start.elapsed() < Duration::from_millis(50));
        pacer.acquire(&from, &to("6281111111111")).await;
        assert!(start.elapsed() >= Duration::from_secs(4));
        pacer.hold_number(&from, Duration::from_secs(2));
        let held = tokio::time::Instant::now();
        pacer.acquire(&from, &to("6283333333333")).await;
        assert!(held.elapsed() >= Duration::from_secs(2));
        // Another number is not held.
        let other = tokio::time::Instant::now();
        pacer.hold_number(&from, Duration::from_secs(60));
        pacer
            .acquire(&PhoneNumberId::new("2"), &to("6283333333333"))
            .await;
        assert!(other.elapsed() < Duration::from_millis(50));
    }

    #[tokio::test(start_paused = true)]
    async fn a_throttle_shared_with_a_pacer_holds_both_sides() {
        let throttle = Arc::new(Throttle::new());
        let pacer = Pacer::with_throttle(Pacing::default(), throttle.clone());
        let from = PhoneNumberId::new("1");
        // A hold set by an unpaced sender slows the paced one ...
        throttle.hold_number(&from, Duration::from_secs(3));
        let start = tokio::time::Instant::now();
        pacer.acquire(&from, &to("6281200000001")).await;
        assert!(start.elapsed() >= Duration::from_secs(3));
        // ... and one set through the pacer slows an unpaced sender.
        pacer.hold_recipient(&from, &to("6281200000002"), Duration::from_secs(5));
        let start = tokio::time::Instant::now();
        throttle.wait(&from, Some(&to("6281200000003"))).await;
        assert_eq!(start.elapsed(), Duration::ZERO);
        assert!(
            throttle
                .remaining(&from, Some(&to("6281200000002")))
                .is_some()
        );
        throttle.wait(&from, Some(&to("6281200000002"))).await;
        assert!(start.elapsed() >= Duration::from_secs(5));
        assert_eq!(throttle.remaining(&from, Some(&to("6281200000002"))), None);
    }

    #[tokio::test(start_paused = true)]
    async fn a_server_wait_beyond_the_clock_is_capped() {
        let pacer = Pacer::new(Pacing::default());
        let from = PhoneNumberId::new("1");
        pacer.hold_number(&from, Duration::MAX);
        let start = tokio::time::Instant::now();
        pacer.acquire(&from, &to("6281200000001")).await;
        assert_eq!(start.elapsed(), LONGEST_HOLD);
    }

    #[test]
    fn settings_are_checked() {
        assert_eq!(
            Pacing::default().number_rate(0),
            Err(PacingError::NumberRate(0))
        );
        assert_eq!(
            Pacing::default()
                .number_rate(20)
                .unwrap()
                .messages_per_second(),
            20
        );
        assert_eq!(
            Pacing::default().recipient(Duration::ZERO, 1),
            Err(PacingError::Recipient)
        );
        assert_eq!(
            Pacing::default().recipient(Duration::from_secs(1), 0),
            Err(PacingError::Recipient)
        );
    }
}
