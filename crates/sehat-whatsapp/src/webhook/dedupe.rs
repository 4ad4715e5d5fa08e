//! Deduplicating webhook re-deliveries: Meta delivers at least once and retries for days.
//!
//! A key names an event by identifiers that must not rest in memory or in a store in
//! clear (a wamid carries the user's phone number in base64), so stores hold a keyed
//! hash of it: a [`DedupeDigest`], HMAC-SHA256 under a [`DedupeHasher`]'s key,
//! truncated to 128 bits.

use std::collections::{HashSet, VecDeque};
use std::fmt;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use hmac::digest::KeyInit;
use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, ExposeSecretMut, SecretBox};
use sha2::{Digest, Sha256};

/// SHA-256's block size: HMAC keys are zero-padded (or first hashed) to this length.
const BLOCK: usize = 64;

/// The class of an event, each held apart in [`InMemoryDedupe`] so that a flood of one
/// (statuses: several per message sent) never pushes out another (incoming messages).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DedupeClass {
    /// An incoming message.
    Message,
    /// A delivery status of a message sent.
    Status,
    /// Any other event (echoes, group events, preferences, keys of your own making).
    Other,
}

impl DedupeClass {
    /// Every class, in the order of [`InMemoryDedupe`]'s stores.
    pub const ALL: [DedupeClass; 3] = [Self::Message, Self::Status, Self::Other];

    /// The class's name: `message`, `status` or `other`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Message => "message",
            Self::Status => "status",
            Self::Other => "other",
        }
    }

    fn index(self) -> usize {
        match self {
            Self::Message => 0,
            Self::Status => 1,
            Self::Other => 2,
        }
    }
}

impl fmt::Display for DedupeClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What identifies one event across re-deliveries; see [`Event::dedupe_key`](super::Event::dedupe_key).
///
/// It holds the identifiers only until a [`DedupeHasher`] turns it into the
/// [`DedupeDigest`] a store keeps; its `Debug` shows the class alone.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct DedupeKey {
    class: DedupeClass,
    /// The identifying parts, each prefixed with its length, so that no two different
    /// keys encode alike.
    material: Vec<u8>,
}

impl DedupeKey {
    fn from_parts(class: DedupeClass, parts: &[&str]) -> Self {
        let mut material = Vec::with_capacity(parts.iter().map(|p| p.len() + 8).sum());
        for part in parts {
            material.extend_from_slice(&(part.len() as u64).to_be_bytes());
            material.extend_from_slice(part.as_bytes());
        }
        Self { class, material }
    }

    /// A key of your own making, in the [`Other`](DedupeClass::Other) class.
    #[must_use]
    pub fn new(key: impl AsRef<str>) -> Self {
        Self::from_parts(DedupeClass::Other, &[key.as_ref()])
    }

    /// The key of an incoming message: its wamid.
    #[must_use]
    pub fn message(wamid: &str) -> Self {
        Self::from_parts(DedupeClass::Message, &[wamid])
    }

    /// The key of a status: the wamid and the status, since one message has several.
    #[must_use]
    pub fn status(wamid: &str, status: &str) -> Self {
        Self::from_parts(DedupeClass::Status, &[wamid, status])
    }

    /// The key's class.
    #[must_use]
    pub fn class(&self) -> DedupeClass {
        self.class
    }
}

impl fmt::Debug for DedupeKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DedupeKey")
            .field("class", &self.class)
            .finish_non_exhaustive()
    }
}

/// Why a [`DedupeHasher`] could not be made.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DedupeError {
    /// The operating system gave no random bytes for a fresh key.
    #[error("no random key for the dedupe store: {0}")]
    Random(getrandom::Error),
    /// A key given for a shared store is too short to keep the hashes unguessable.
    #[error("a dedupe key of {len} bytes is too short: use at least {min} random bytes")]
    KeyTooShort {
        /// The key's length.
        len: usize,
        /// The shortest key accepted.
        min: usize,
    },
}

/// Turns a [`DedupeKey`] into the [`DedupeDigest`] a store keeps: HMAC-SHA256 of the
/// key under a secret key.
///
/// [`random`](Self::random) serves one process ([`InMemoryDedupe`] makes its own). A
/// store shared by several processes (Redis, a database table) needs the same key in each:
/// give it with [`from_key`](Self::from_key), from your secrets like the app secret.
/// The key is held in a `secrecy` type, zeroed when dropped, and never printed.
///
/// # Examples
///
/// A store shared by several processes, here a map standing in for Redis
/// `SET <digest> 1 NX EX <ttl>`:
///
/// ```
/// use std::collections::HashSet;
/// use sehat_whatsapp::webhook::{DedupeHasher, DedupeKey};
///
/// let hasher = DedupeHasher::from_key(b"32 random bytes from your vault!")?;
/// let mut redis = HashSet::new();
/// let key = DedupeKey::message("wamid.HBgNNjI4MTIzNDU2Nzg5MBUCABIYFjNF");
/// let stored = hasher.digest(&key).to_string();
/// assert!(stored.starts_with("message:"));
/// assert!(!stored.contains("HBgN"), "no identifier in clear");
/// assert!(redis.insert(stored.clone()));
/// assert!(!redis.insert(hasher.digest(&key).to_string()), "a re-delivery");
/// # Ok::<(), sehat_whatsapp::webhook::DedupeError>(())
/// ```
pub struct DedupeHasher {
    /// The HMAC key as RFC 2104 pads it to a block (hashed first when longer).
    block: SecretBox<[u8; BLOCK]>,
}

impl DedupeHasher {
    /// The shortest key [`from_key`](Self::from_key) accepts: 16 bytes.
    pub const MIN_KEY_LEN: usize = 16;

    /// A hasher with a fresh random 32-byte key, for a store that lives in one process.
    ///
    /// # Errors
    ///
    /// [`DedupeError::Random`] when the operating system gives no random bytes.
    pub fn random() -> Result<Self, DedupeError> {
        let mut block = SecretBox::new(Box::new([0u8; BLOCK]));
        getrandom::fill(&mut block.expose_secret_mut()[..32]).map_err(DedupeError::Random)?;
        Ok(Self { block })
    }

    /// A hasher with a key you provide, the same in every process that shares a store.
    ///
    /// # Errors
    ///
    /// [`DedupeError::KeyTooShort`] for a key under [`MIN_KEY_LEN`](Self::MIN_KEY_LEN)
    /// bytes.
    pub fn from_key(key: &[u8]) -> Result<Self, DedupeError> {
        if key.len() < Self::MIN_KEY_LEN {
            return Err(DedupeError::KeyTooShort {
                len: key.len(),
                min: Self::MIN_KEY_LEN,
            });
        }
        let mut block = SecretBox::new(Box::new([0u8; BLOCK]));
        let padded = block.expose_secret_mut();
        if key.len() > BLOCK {
            padded[..32].copy_from_slice(&Sha256::digest(key));
        } else {
            padded[..key.len()].copy_from_slice(key);
        }
        Ok(Self { block })
    }

    /// The digest a store keeps for `key`.
    #[must_use]
    pub fn digest(&self, key: &DedupeKey) -> DedupeDigest {
        let mut mac = <Hmac<Sha256> as KeyInit>::new(self.block.expose_secret().into());
        mac.update(key.class.as_str().as_bytes());
        mac.update(&[0]);
        mac.update(&key.material);
        let full = mac.finalize().into_bytes();
        let mut bytes = [0u8; DedupeDigest::LEN];
        bytes.copy_from_slice(&full[..DedupeDigest::LEN]);
        DedupeDigest {
            class: key.class,
            bytes,
        }
    }
}

impl fmt::Debug for DedupeHasher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DedupeHasher { key: [REDACTED] }")
    }
}

/// What a store keeps for one event: its class and a keyed hash of its identifiers.
///
/// It displays as `<class>:<32 hex digits>` (for example `status:9f86d0…`), the text to
/// store in a shared store; nothing in it reveals the event's identifiers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DedupeDigest {
    class: DedupeClass,
    bytes: [u8; Self::LEN],
}

impl DedupeDigest {
    /// The length of the hash: 16 bytes (HMAC-SHA256 truncated to 128 bits, far beyond
    /// any chance of two events colliding).
    pub const LEN: usize = 16;

    /// The event's class.
    #[must_use]
    pub fn class(&self) -> DedupeClass {
        self.class
    }

    /// The hash.
    #[must_use]
    pub fn as_bytes(&self) -> &[u8; Self::LEN] {
        &self.bytes
    }
}

impl fmt::Display for DedupeDigest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}",
            self.class,
            data_encoding::HEXLOWER.encode(&self.bytes)
        )
    }
}

/// A store that remembers which events were already handled.
///
/// Implement it over a shared store (Redis `SET <digest> 1 NX EX ttl`, a table with a
/// unique key) when several processes receive webhooks, storing
/// [`DedupeHasher::digest`] under a key every process shares; [`InMemoryDedupe`] serves
/// one process.
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

/// An in-memory [`Dedupe`] bounded in bytes, which forgets keys after a time to live.
///
/// It holds [`DedupeDigest`]s under a random per-process key, never identifiers. Each
/// [`DedupeClass`] has its own byte budget, so 100,000 statuses never push out a
/// message's key. A key costs at most [`BYTES_PER_KEY`](Self::BYTES_PER_KEY) bytes of
/// table; when a class's budget is full, its oldest eighth of keys is forgotten first.
///
/// A key is remembered for at least the time to live (budget permitting) and forgotten
/// within an eighth of it after that: keys are held in up to nine generations, each
/// spanning at most an eighth of the time to live, and a generation is dropped whole.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use sehat_whatsapp::webhook::{Dedupe, DedupeKey, InMemoryDedupe};
///
/// let dedupe = InMemoryDedupe::new(Duration::from_secs(24 * 3600))?;
/// let key = DedupeKey::message("wamid.A");
/// assert!(dedupe.insert(&key));
/// assert!(!dedupe.insert(&key));
/// # Ok::<(), sehat_whatsapp::webhook::DedupeError>(())
/// ```
pub struct InMemoryDedupe {
    hasher: DedupeHasher,
    ttl: Duration,
    stores: Mutex<[Store; 3]>,
}

impl InMemoryDedupe {
    /// The most table memory one key takes: a 16-byte digest and a control byte, at
    /// the hash table's lowest load (7/8 full, just after doubling), rounded up.
    pub const BYTES_PER_KEY: usize = 40;
    /// The default budget for incoming messages: 8 MiB (209,715 keys).
    pub const DEFAULT_MESSAGE_BYTES: usize = 8 << 20;
    /// The default budget for statuses: 16 MiB (419,430 keys; a message sent has up to
    /// four: sent, delivered, read, failed).
    pub const DEFAULT_STATUS_BYTES: usize = 16 << 20;
    /// The default budget for other events: 2 MiB.
    pub const DEFAULT_OTHER_BYTES: usize = 2 << 20;

    /// A store that remembers keys for `ttl` under a fresh random key, within the default
    /// budgets.
    ///
    /// # Errors
    ///
    /// [`DedupeError::Random`] when the operating system gives no random bytes.
    pub fn new(ttl: Duration) -> Result<Self, DedupeError> {
        Ok(Self::with_hasher(ttl, DedupeHasher::random()?))
    }

    /// A store that remembers keys for `ttl`, hashed with `hasher`, within the default
    /// budgets.
    #[must_use]
    pub fn with_hasher(ttl: Duration, hasher: DedupeHasher) -> Self {
        let budget = |bytes| Store::new(bytes / Self::BYTES_PER_KEY);
        Self {
            hasher,
            ttl,
            stores: Mutex::new([
                budget(Self::DEFAULT_MESSAGE_BYTES),
                budget(Self::DEFAULT_STATUS_BYTES),
                budget(Self::DEFAULT_OTHER_BYTES),
            ]),
        }
    }

    /// Sets the byte budget of one class (at least room for 8 keys). Keys already held
    /// beyond it go at the next insert of that class.
    #[must_use]
    pub fn max_bytes(self, class: DedupeClass, bytes: usize) -> Self {
        {
            let mut stores = self.lock();
            stores[class.index()].max_keys = (bytes / Self::BYTES_PER_KEY).max(GENERATIONS);
        }
        self
    }

    /// [`Dedupe::insert`] at a given instant, for deterministic tests and replays.
    pub fn insert_at(&self, key: &DedupeKey, now: Instant) -> bool {
        let digest = self.hasher.digest(key);
        let mut stores = self.lock();
        stores[key.class.index()].insert(digest.bytes, now, self.ttl)
    }

    /// How many keys are held.
    #[must_use]
    pub fn len(&self) -> usize {
        self.lock().iter().map(|s| s.len).sum()
    }

    /// How many keys of a class are held.
    #[must_use]
    pub fn len_of(&self, class: DedupeClass) -> usize {
        self.lock()[class.index()].len
    }

    /// Whether no key is held.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The memory the tables of a class hold now, in bytes (an estimate from their
    /// capacity; never above the class's budget).
    #[must_use]
    pub fn memory_of(&self, class: DedupeClass) -> usize {
        self.lock()[class.index()].memory()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, [Store; 3]> {
        self.stores.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl fmt::Debug for InMemoryDedupe {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The counts only: the digests are many and say nothing to a reader.
        let stores = self.lock();
        f.debug_struct("InMemoryDedupe")
            .field("ttl", &self.ttl)
            .field("messages", &stores[0].len)
            .field("statuses", &stores[1].len)
            .field("other", &stores[2].len)
            .finish_non_exhaustive()
    }
}

impl Dedupe for InMemoryDedupe {
    fn insert(&self, key: &DedupeKey) -> bool {
        self.insert_at(key, Instant::now())
    }
}

/// Generations a class's budget is split into: the share forgotten at once when full.
const GENERATIONS: usize = 8;

/// The digests of one class, in generations from oldest to newest.
#[derive(Debug)]
struct Store {
    max_keys: usize,
    len: usize,
    generations: VecDeque<Generation>,
}

#[derive(Debug)]
struct Generation {
    started: Instant,
    /// When the newest key of the generation was inserted.
    last: Instant,
    keys: HashSet<[u8; DedupeDigest::LEN]>,
}

impl Store {
    fn new(max_keys: usize) -> Self {
        Self {
            max_keys: max_keys.max(GENERATIONS),
            len: 0,
            generations: VecDeque::new(),
        }
    }

    fn pop_oldest(&mut self) {
        if let Some(old) = self.generations.pop_front() {
            self.len -= old.keys.len();
        }
    }

    fn insert(&mut self, digest: [u8; DedupeDigest::LEN], now: Instant, ttl: Duration) -> bool {
        // A generation whose newest key is older than the time to live goes whole.
        while self
            .generations
            .front()
            .is_some_and(|g| now.saturating_duration_since(g.last) >= ttl)
        {
            self.pop_oldest();
        }
        if self.generations.iter().any(|g| g.keys.contains(&digest)) {
            return false;
        }
        // Full: forget the oldest generation (an eighth of the budget at most).
        while self.len >= self.max_keys {
            self.pop_oldest();
        }
        let per_generation = self.max_keys / GENERATIONS;
        let span = ttl / GENERATIONS as u32;
        let start_new = self.generations.back().is_none_or(|g| {
            g.keys.len() >= per_generation || now.saturating_duration_since(g.started) >= span
        });
        if start_new {
            self.generations.push_back(Generation {
                started: now,
                last: now,
                keys: HashSet::new(),
            });
        }
        if let Some(current) = self.generations.back_mut() {
            current.keys.insert(digest);
            current.last = current.last.max(now);
            self.len += 1;
        }
        true
    }

    fn memory(&self) -> usize {
        // A table of capacity c has about c * 8/7 slots of one digest and one control
        // byte each.
        self.generations
            .iter()
            .map(|g| g.keys.capacity() * 8 / 7 * (DedupeDigest::LEN + 1))
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store(max_bytes: usize) -> InMemoryDedupe {
        InMemoryDedupe::with_hasher(
            Duration::from_secs(3600),
            DedupeHasher::from_key(b"a test key of 32 bytes, not more").unwrap(),
        )
        .max_bytes(DedupeClass::Status, max_bytes)
    }

    #[test]
    fn statuses_never_push_out_a_message() {
        let dedupe = InMemoryDedupe::new(Duration::from_secs(7 * 24 * 3600)).unwrap();
        let t0 = Instant::now();
        let message = DedupeKey::message("wamid.M");
        assert!(dedupe.insert_at(&message, t0));
        for i in 0..105_000 {
            assert!(dedupe.insert_at(&DedupeKey::status(&format!("wamid.S{i}"), "read"), t0));
        }
        assert!(
            !dedupe.insert_at(&message, t0),
            "the message is still known after 105,000 statuses"
        );
        assert_eq!(dedupe.len_of(DedupeClass::Message), 1);
        assert_eq!(dedupe.len_of(DedupeClass::Status), 105_000);
    }

    #[test]
    fn a_class_stays_within_its_byte_budget_and_forgets_its_oldest_first() {
        let budget = 40_000; // 1,000 keys
        let dedupe = store(budget);
        let t0 = Instant::now();
        for i in 0..10_000 {
            assert!(dedupe.insert_at(&DedupeKey::status(&format!("w{i}"), "sent"), t0));
            assert!(dedupe.len_of(DedupeClass::Status) <= 1_000);
            assert!(
                dedupe.memory_of(DedupeClass::Status) <= budget,
                "{} bytes after {i} keys",
                dedupe.memory_of(DedupeClass::Status)
            );
        }
        // At least seven eighths of the budget is kept, and the newest are.
        assert!(dedupe.len_of(DedupeClass::Status) >= 875);
        assert!(!dedupe.insert_at(&DedupeKey::status("w9999", "sent"), t0));
        assert!(!dedupe.insert_at(&DedupeKey::status("w9200", "sent"), t0));
        assert!(dedupe.insert_at(&DedupeKey::status("w0", "sent"), t0));
    }

    #[test]
    fn keys_are_kept_for_the_ttl_and_forgotten_soon_after() {
        let dedupe = store(1 << 20);
        let ttl = Duration::from_secs(3600);
        let t0 = Instant::now();
        let key = DedupeKey::message("wamid.T");
        assert!(dedupe.insert_at(&key, t0));
        // Other keys arrive all along, in many generations.
        for minute in 1..60 {
            let at = t0 + Duration::from_secs(60 * minute);
            assert!(dedupe.insert_at(&DedupeKey::message(&format!("m{minute}")), at));
            assert!(!dedupe.insert_at(&key, at), "forgotten after {minute} min");
        }
        assert!(
            dedupe.insert_at(&key, t0 + ttl + ttl / 8),
            "kept beyond the TTL and an eighth"
        );
    }

    #[test]
    fn digests_keep_classes_and_parts_apart_and_hide_identifiers() {
        let hasher = DedupeHasher::from_key(&[7; 16]).unwrap();
        let other = DedupeHasher::from_key(&[8; 16]).unwrap();
        let digest = |k: &DedupeKey| hasher.digest(k);
        let m = DedupeKey::message("wamid.D");
        assert_ne!(digest(&m), digest(&DedupeKey::new("wamid.D")));
        assert_ne!(digest(&m), digest(&DedupeKey::status("wamid.D", "")));
        assert_ne!(
            digest(&DedupeKey::status("a:b", "c")),
            digest(&DedupeKey::status("a", "b:c"))
        );
        assert_eq!(digest(&m), digest(&DedupeKey::message("wamid.D")));
        assert_ne!(digest(&m), other.digest(&m), "the key matters");
        let text = digest(&m).to_string();
        assert!(
            text.starts_with("message:") && text.len() == 8 + 32,
            "{text}"
        );
        assert!(!format!("{m:?}").contains("wamid"), "{m:?}");
        let store = InMemoryDedupe::with_hasher(Duration::from_secs(60), other);
        assert!(store.insert(&m));
        assert_eq!(
            format!("{store:?}"),
            "InMemoryDedupe { ttl: 60s, messages: 1, statuses: 0, other: 0, .. }"
        );
        assert!(!format!("{hasher:?}").contains('7'));
        assert!(matches!(
            DedupeHasher::from_key(b"short"),
            Err(DedupeError::KeyTooShort { len: 5, min: 16 })
        ));
    }
}
