//! Deduplicating webhook re-deliveries: Meta delivers at least once and retries for days.

use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// What identifies one event across re-deliveries; see [`Event::dedupe_key`](super::Event::dedupe_key).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DedupeKey(String);

impl DedupeKey {
    /// A key of your own making.
    #[must_use]
    pub fn new(key: impl Into<String>) -> Self {
        Self(key.into())
    }

    /// The key of an incoming message: its wamid.
    #[must_use]
    pub fn message(wamid: &str) -> Self {
        Self(format!("message:{wamid}"))
    }

    /// The key of a status: the wamid and the status, since one message has several.
    #[must_use]
    pub fn status(wamid: &str, status: &str) -> Self {
        Self(format!("status:{wamid}:{status}"))
    }

    /// The key as text, for storing it in a shared store (Redis, a database table).
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A store that remembers which events were already handled.
///
/// Implement it over a shared store (Redis `SET key 1 NX EX ttl`, a table with a unique
/// key) when several processes receive webhooks; [`InMemoryDedupe`] serves one process.
pub trait Dedupe: Send + Sync {
    /// Records `key` and returns `true` the first time it is seen (within the store's
    /// retention), `false` for a re-delivery.
    fn insert(&self, key: &DedupeKey) -> bool;
}

impl<T: Dedupe + ?Sized> Dedupe for std::sync::Arc<T> {
    fn insert(&self, key: &DedupeKey) -> bool {
        (**self).insert(key)
    }
}

/// An in-memory [`Dedupe`] that forgets keys after a time to live, holding at most a set
/// number of keys (the oldest go first).
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use sehat_whatsapp::webhook::{Dedupe, DedupeKey, InMemoryDedupe};
///
/// let dedupe = InMemoryDedupe::new(Duration::from_secs(24 * 3600));
/// let key = DedupeKey::message("wamid.A");
/// assert!(dedupe.insert(&key));
/// assert!(!dedupe.insert(&key));
/// ```
#[derive(Debug)]
pub struct InMemoryDedupe {
    ttl: Duration,
    capacity: usize,
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    /// When each key was first seen.
    seen: HashMap<DedupeKey, Instant>,
    /// Keys in insertion order, for expiry.
    order: VecDeque<(Instant, DedupeKey)>,
}

impl InMemoryDedupe {
    /// The default maximum number of keys held.
    pub const DEFAULT_CAPACITY: usize = 100_000;

    /// A store that remembers keys for `ttl`, holding at most
    /// [`DEFAULT_CAPACITY`](Self::DEFAULT_CAPACITY) keys.
    #[must_use]
    pub fn new(ttl: Duration) -> Self {
        Self::with_capacity(ttl, Self::DEFAULT_CAPACITY)
    }

    /// A store that remembers keys for `ttl`, holding at most `capacity` keys (at least 1).
    #[must_use]
    pub fn with_capacity(ttl: Duration, capacity: usize) -> Self {
        Self {
            ttl,
            capacity: capacity.max(1),
            state: Mutex::new(State::default()),
        }
    }

    /// [`Dedupe::insert`] at a given instant, for deterministic tests and replays.
    pub fn insert_at(&self, key: &DedupeKey, now: Instant) -> bool {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        // Forget expired keys, oldest first.
        while let Some((seen_at, _)) = state.order.front() {
            if now.saturating_duration_since(*seen_at) < self.ttl {
                break;
            }
            if let Some((seen_at, old)) = state.order.pop_front()
                && state.seen.get(&old) == Some(&seen_at)
            {
                state.seen.remove(&old);
            }
        }
        if state.seen.contains_key(key) {
            return false;
        }
        while state.seen.len() >= self.capacity {
            match state.order.pop_front() {
                Some((_, old)) => {
                    state.seen.remove(&old);
                }
                None => break,
            }
        }
        state.seen.insert(key.clone(), now);
        state.order.push_back((now, key.clone()));
        true
    }

    /// How many keys are held.
    #[must_use]
    pub fn len(&self) -> usize {
        self.state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .seen
            .len()
    }

    /// Whether no key is held.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Dedupe for InMemoryDedupe {
    fn insert(&self, key: &DedupeKey) -> bool {
        self.insert_at(key, Instant::now())
    }
}
