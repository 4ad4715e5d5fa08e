//! The retry policy: which failures the client retries by itself, and how long it waits.
//!
//! Only failures of the `retry_short` class, requests that never left, and a 429 without a
//! Graph error body (a proxy refused the request) are retried inside a call, after the
//! wait the server asks for (`Retry-After` in seconds or as an HTTP date, or
//! `estimated_time_to_regain_access` in the usage headers) plus exponential full jitter,
//! so clients told the same wait do not come back in lockstep. A send whose outcome is
//! unknown — the request left and no answer from Meta came, or a server in between
//! answered 5xx without a Graph error — is never repeated: it is returned as
//! [`crate::Error::OutcomeUnknown`] for the caller to reconcile with status webhooks.

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

    /// The delay before retry number `retry` (0 for the first retry): the server's `hint`
    /// (none is zero) plus a uniform draw from `0..=min(cap, base·2^retry)` (full jitter).
    /// The jitter is added on top of the hint, never swallowed by it, so clients told the
    /// same `Retry-After` spread out instead of retrying together.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use sehat_whatsapp::retry::RetryPolicy;
    /// let wait = RetryPolicy::default().backoff(0, Some(Duration::from_secs(30)));
    /// assert!(wait >= Duration::from_secs(30) && wait <= Duration::from_secs(31));
    /// ```
    #[must_use]
    pub fn backoff(&self, retry: u32, hint: Option<Duration>) -> Duration {
        let ceiling = self
            .base
            .saturating_mul(1u32.checked_shl(retry.min(31)).unwrap_or(u32::MAX))
            .min(self.cap);
        let nanos = u64::try_from(ceiling.as_nanos()).unwrap_or(u64::MAX);
        let jitter = Duration::from_nanos(random_below(nanos.saturating_add(1)));
        hint.unwrap_or(Duration::ZERO).saturating_add(jitter)
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
            // A 429 was refused before any work, so even a send may go again; a 5xx is
            // retried only when the request can be repeated (a send answered 5xx without a
            // Graph error never gets here: its outcome is unknown).
            Error::Http {
                status,
                retry_after,
                ..
            } if *status == 429 || (idempotency == Idempotency::Idempotent && *status >= 500) => {
                *retry_after
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
    fn jitter_is_added_on_top_of_the_server_hint() {
        // Before, the wait was max(jitter, hint): with a 30 s hint and at most 1 s of
        // jitter every client waited exactly 30 s and came back together.
        let policy = RetryPolicy::default();
        let hint = Duration::from_secs(30);
        let waits: Vec<_> = (0..200).map(|_| policy.backoff(0, Some(hint))).collect();
        assert!(
            waits
                .iter()
                .all(|w| *w >= hint && *w <= hint + Duration::from_secs(1))
        );
        let above = waits.iter().filter(|w| **w > hint).count();
        assert!(above > 150, "only {above} of 200 waits were above the hint");
        let later = policy.backoff(3, Some(hint));
        assert!(later >= hint && later <= hint + Duration::from_secs(8));
        assert_eq!(
            policy.backoff(0, Some(Duration::MAX)),
            Duration::MAX,
            "saturates instead of overflowing"
        );
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
            retry_after: None,
        };
        let policy = RetryPolicy::default();
        assert!(policy.decide(&error, 1, Idempotency::Idempotent).is_some());
        assert!(policy.decide(&error, 1, Idempotency::Send).is_none());
    }

    #[test]
    fn a_bodiless_429_is_retried_after_its_retry_after() {
        let policy = RetryPolicy::default();
        let error = Error::Http {
            status: 429,
            body: String::new(),
            retry_after: Some(Duration::from_secs(20)),
        };
        for idempotency in [Idempotency::Send, Idempotency::Idempotent] {
            let wait = policy.decide(&error, 1, idempotency).unwrap();
            assert!(wait >= Duration::from_secs(20), "{wait:?}");
        }
        let long = Error::Http {
            status: 503,
            body: String::new(),
            retry_after: Some(Duration::from_secs(3600)),
        };
        assert!(policy.decide(&long, 1, Idempotency::Idempotent).is_none());
        let not_found = Error::Http {
            status: 404,
            body: String::new(),
            retry_after: None,
        };
        assert!(
            policy
                .decide(&not_found, 1, Idempotency::Idempotent)
                .is_none()
        );
    }
}
