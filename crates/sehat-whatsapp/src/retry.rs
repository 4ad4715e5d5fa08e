//! The retry policy: which failures the client retries by itself, and how long it waits.
//!
//! Only failures of the `retry_short` class (and requests that never left) are retried
//! inside a call, with exponential backoff and full jitter, never sooner than Meta asks
//! (`Retry-After`, or `estimated_time_to_regain_access` in the usage headers). A send whose
//! outcome is unknown — the request left and no answer came — is never repeated: it is
//! returned as [`crate::Error::OutcomeUnknown`] for the caller to
//! reconcile with status webhooks.

use std::time::Duration;

use crate::error::{Error, RetryClass};

/// How the client retries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    max_attempts: u32,
    base: Duration,
    cap: Duration,
}

impl Default for RetryPolicy {
    /// Four attempts in all, 1 s base, 64 s cap.
    fn default() -> Self {
        Self {
            max_attempts: 4,
            base: Duration::from_secs(1),
            cap: Duration::from_secs(64),
        }
    }
}

/// Whether a request may be repeated without risk of doing its work twice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Idempotency {
    /// GET, DELETE and settings updates: repeat after any transient failure.
    Idempotent,
    /// A send: repeat only when it certainly did not happen.
    Send,
}

impl RetryPolicy {
    /// No retries at all.
    #[must_use]
    pub fn none() -> Self {
        Self {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// Sets the number of attempts in all (1 means no retry).
    #[must_use]
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// Sets the base delay (the first backoff is drawn from `0..=base`).
    #[must_use]
    pub fn base_delay(mut self, base: Duration) -> Self {
        self.base = base;
        self
    }

    /// Sets the longest backoff; a wait Meta asks for that is longer is not waited for in
    /// the call but returned in the error.
    #[must_use]
    pub fn max_delay(mut self, cap: Duration) -> Self {
        self.cap = cap;
        self
    }

    /// The number of attempts in all.
    #[must_use]
    pub fn attempts(&self) -> u32 {
        self.max_attempts
    }

    /// The delay before retry number `retry` (0 for the first retry): a uniform draw from
    /// `0..=min(cap, base·2^retry)` (full jitter), and never less than `hint`.
    #[must_use]
    pub fn backoff(&self, retry: u32, hint: Option<Duration>) -> Duration {
        let ceiling = self
            .base
            .saturating_mul(1u32.checked_shl(retry.min(31)).unwrap_or(u32::MAX))
            .min(self.cap);
        let nanos = u64::try_from(ceiling.as_nanos()).unwrap_or(u64::MAX);
        let jittered = Duration::from_nanos(random_below(nanos.saturating_add(1)));
        jittered.max(hint.unwrap_or(Duration::ZERO))
    }

    /// Whether `error`, after `attempt` attempts, is retried, and after how long.
    pub(crate) fn decide(
        &self,
        error: &Error,
        attempt: u32,
        idempotency: Idempotency,
    ) -> Option<Duration> {
        if attempt >= self.max_attempts {
            return None;
        }
        let hint = match error {
            Error::Api {
                error, retry_after, ..
            } => {
                if error.retry_class() != RetryClass::RetryShort {
                    return None;
                }
                // Code 1 (API Unknown) is retried once only.
                if error.code() == 1 && attempt >= 2 {
                    return None;
                }
                *retry_after
            }
            Error::NotSent(_) => None,
            Error::OutcomeUnknown(_) if idempotency == Idempotency::Idempotent => None,
            Error::Http { status, .. }
                if idempotency == Idempotency::Idempotent && (*status >= 500 || *status == 429) =>
            {
                None
            }
            _ => return None,
        };
        if hint.is_some_and(|wait| wait > self.cap) {
            return None;
        }
        Some(self.backoff(attempt - 1, hint))
    }
}

/// The wait before the `n`th retry (0 for the first) to one recipient after a pair rate
/// limit (131056): 4^n seconds (1, 4, 16, 64 …), capped at one hour. The client does not
/// wait for this itself: it is for the caller's queue, which keeps sending to others.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use sehat_whatsapp::retry::pair_backoff;
/// assert_eq!(pair_backoff(0), Duration::from_secs(1));
/// assert_eq!(pair_backoff(3), Duration::from_secs(64));
/// assert_eq!(pair_backoff(40), Duration::from_secs(3600));
/// ```
#[must_use]
pub fn pair_backoff(n: u32) -> Duration {
    let seconds = 4u64.checked_pow(n).unwrap_or(u64::MAX).min(3600);
    Duration::from_secs(seconds)
}

/// A uniform draw from `0..bound` (bound ≥ 1), from the OS's generator; if that fails,
/// from the clock's nanoseconds (jitter needs spread, not secrecy).
fn random_below(bound: u64) -> u64 {
    let raw = getrandom::u64().unwrap_or_else(|_| {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        u64::from(nanos).wrapping_mul(0x9E37_79B9_7F4A_7C15)
    });
    if bound <= 1 { 0 } else { raw % bound }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ApiError;

    fn api(code: i64, retry_after: Option<Duration>) -> Error {
        let body = format!(
            r#"{{"error":{{"message":"m","type":"OAuthException","code":{code},"fbtrace_id":"t"}}}}"#
        );
        Error::Api {
            status: 400,
            error: Box::new(ApiError::from_body(body.as_bytes()).unwrap()),
            retry_after,
        }
    }

    #[test]
    fn backoff_is_within_the_exponential_ceiling() {
        let policy = RetryPolicy::default();
        for retry in 0..8 {
            let ceiling = Duration::from_secs(1 << retry).min(Duration::from_secs(64));
            for _ in 0..50 {
                assert!(policy.backoff(retry, None) <= ceiling);
            }
        }
        assert!(policy.backoff(0, Some(Duration::from_secs(5))) >= Duration::from_secs(5));
    }

    #[test]
    fn only_short_class_is_retried() {
        let policy = RetryPolicy::default();
        assert!(
            policy
                .decide(&api(130429, None), 1, Idempotency::Send)
                .is_some()
        );
        assert!(
            policy
                .decide(&api(131000, None), 1, Idempotency::Send)
                .is_some()
        );
        assert!(
            policy
                .decide(&api(131056, None), 1, Idempotency::Send)
                .is_none()
        );
        assert!(
            policy
                .decide(&api(131047, None), 1, Idempotency::Send)
                .is_none()
        );
        assert!(
            policy
                .decide(&api(80007, None), 1, Idempotency::Idempotent)
                .is_none()
        );
        assert!(
            policy
                .decide(&api(130429, None), 4, Idempotency::Send)
                .is_none()
        );
        assert!(policy.decide(&api(1, None), 1, Idempotency::Send).is_some());
        assert!(policy.decide(&api(1, None), 2, Idempotency::Send).is_none());
        assert!(
            RetryPolicy::none()
                .decide(&api(130429, None), 1, Idempotency::Send)
                .is_none()
        );
    }

    #[test]
    fn a_wait_longer_than_the_cap_is_left_to_the_caller() {
        let policy = RetryPolicy::default();
        assert!(
            policy
                .decide(
                    &api(130429, Some(Duration::from_secs(3600))),
                    1,
                    Idempotency::Send
                )
                .is_none()
        );
        let wait = policy.decide(
            &api(130429, Some(Duration::from_secs(30))),
            1,
            Idempotency::Send,
        );
        assert!(wait.unwrap() >= Duration::from_secs(30));
    }

    #[test]
    fn plain_server_errors_are_retried_only_when_idempotent() {
        let error = Error::Http {
            status: 502,
            body: String::new(),
        };
        let policy = RetryPolicy::default();
        assert!(policy.decide(&error, 1, Idempotency::Idempotent).is_some());
        assert!(policy.decide(&error, 1, Idempotency::Send).is_none());
    }
}
