//! A message's lifecycle.

use std::fmt;
use std::str::FromStr;

/// Where a message is in its lifecycle.
///
/// ```text
/// scheduled ──claim──▶ claimed ──▶ sent ──▶ delivered ──▶ read
///   │   ▲                 │   ├──▶ failed
///   │   └──defer/retry────┘   └──▶ unknown (never sent again)
///   └──▶ cancelled | superseded | expired | suppressed
/// ```
///
/// # Examples
///
/// ```
/// use sehat_outbox::model::State;
///
/// assert_eq!("delivered".parse::<State>()?, State::Delivered);
/// assert!(State::Unknown.is_final());
/// assert!(!State::Scheduled.is_final());
/// # Ok::<(), sehat_outbox::model::StateError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum State {
    /// Waiting for its time (`not_before`).
    Scheduled,
    /// Taken by a dispatcher under a lease.
    Claimed,
    /// Accepted by the Cloud API (a message id came back).
    Sent,
    /// Refused for good, or failed after it was sent (a `failed` status).
    Failed,
    /// The request may or may not have reached the Cloud API; never sent again.
    Unknown,
    /// Delivered to the phone.
    Delivered,
    /// Read by the person.
    Read,
    /// Cancelled by the caller (a dose given, an appointment confirmed elsewhere).
    Cancelled,
    /// Replaced by another message.
    Superseded,
    /// Its window (`not_after`) passed before it could be sent.
    Expired,
    /// Not sent for want of consent.
    Suppressed,
}

impl State {
    /// Every state, in lifecycle order.
    pub const ALL: [State; 11] = [
        State::Scheduled,
        State::Claimed,
        State::Sent,
        State::Failed,
        State::Unknown,
        State::Delivered,
        State::Read,
        State::Cancelled,
        State::Superseded,
        State::Expired,
        State::Suppressed,
    ];

    /// The lower-case text form.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            State::Scheduled => "scheduled",
            State::Claimed => "claimed",
            State::Sent => "sent",
            State::Failed => "failed",
            State::Unknown => "unknown",
            State::Delivered => "delivered",
            State::Read => "read",
            State::Cancelled => "cancelled",
            State::Superseded => "superseded",
            State::Expired => "expired",
            State::Suppressed => "suppressed",
        }
    }

    /// Whether the message will never be sent (again): everything but `scheduled` and
    /// `claimed`. `sent` and `delivered` still move forward with status webhooks.
    #[must_use]
    pub fn is_final(self) -> bool {
        !matches!(self, State::Scheduled | State::Claimed)
    }

    /// Whether a request for the message reached (or may have reached) the Cloud API.
    #[must_use]
    pub fn was_attempted(self) -> bool {
        matches!(
            self,
            State::Sent | State::Unknown | State::Delivered | State::Read
        )
    }
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for State {
    type Err = StateError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        State::ALL
            .into_iter()
            .find(|p| p.as_str() == s)
            .ok_or_else(|| StateError {
                found: s.chars().take(40).collect(),
            })
    }
}

/// A state's text was not one of the lower-case state names.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown message state {found:?}")]
pub struct StateError {
    /// The text found (at most 40 characters of it).
    pub found: String,
}
