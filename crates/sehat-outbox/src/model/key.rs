//! The caller's idempotency key.

use std::fmt;
use std::str::FromStr;

/// The longest key accepted, in bytes.
pub const MAX_KEY_LEN: usize = 200;

/// The caller's idempotency key of one message: scheduling the same key twice never sends
/// twice.
///
/// For an immunization reminder a good key names the child, the vaccine group, the dose and
/// the window (`child-123/dtp/2/2026-05`): stable across runs, and without a phone number
/// (keys are stored and logged as they are). 1 to [`MAX_KEY_LEN`] bytes of printable text,
/// no control characters.
///
/// # Examples
///
/// ```
/// use sehat_outbox::model::MessageKey;
///
/// let key = MessageKey::new("child-123/dtp/2/2026-05")?;
/// assert_eq!(key.as_str(), "child-123/dtp/2/2026-05");
/// assert!(MessageKey::new("").is_err());
/// assert!(MessageKey::new("line\nbreak").is_err());
/// # Ok::<(), sehat_outbox::model::MessageKeyError>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MessageKey(Box<str>);

impl MessageKey {
    /// Checks and wraps a key.
    ///
    /// # Errors
    ///
    /// [`MessageKeyError`] when the key is empty, longer than [`MAX_KEY_LEN`] bytes or holds
    /// a control character.
    pub fn new(key: &str) -> Result<MessageKey, MessageKeyError> {
        if key.is_empty() {
            return Err(MessageKeyError::Empty);
        }
        if key.len() > MAX_KEY_LEN {
            return Err(MessageKeyError::TooLong { len: key.len() });
        }
        if let Some(position) = key.chars().position(char::is_control) {
            return Err(MessageKeyError::Control { position });
        }
        Ok(MessageKey(key.into()))
    }

    /// The key's text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for MessageKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "MessageKey({:?})", &*self.0)
    }
}

impl fmt::Display for MessageKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for MessageKey {
    type Err = MessageKeyError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        MessageKey::new(s)
    }
}

impl AsRef<str> for MessageKey {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// A message key was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MessageKeyError {
    /// The key is empty.
    #[error("the message key is empty")]
    Empty,
    /// The key is too long.
    #[error("the message key is {len} bytes long; at most {MAX_KEY_LEN} are allowed")]
    TooLong {
        /// Its length in bytes.
        len: usize,
    },
    /// The key holds a control character (a line break, a tab …).
    #[error("the message key has a control character at character {position}")]
    Control {
        /// The character position (0-based).
        position: usize,
    },
}
