//! Key ids and secret key material.

use std::fmt;
use std::str::FromStr;

use secrecy::{ExposeSecret, ExposeSecretMut, SecretBox};

/// A key id: 32 bits, written as 8 lower-case hex digits (`3f9a0c21`).
///
/// Every pseudonym and token carries the id of the key that made it, so a keyset can
/// route it to the right key during a rotation.
///
/// # Examples
///
/// ```
/// use sehat_pseudonym::KeyId;
///
/// let kid: KeyId = "3f9a0c21".parse()?;
/// assert_eq!(kid.to_string(), "3f9a0c21");
/// assert_eq!(kid.get(), 0x3f9a_0c21);
/// assert!("3F9A0C21".parse::<KeyId>().is_err());
/// # Ok::<(), sehat_pseudonym::KeyIdError>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KeyId(u32);

impl KeyId {
    /// The key id with this value.
    #[must_use]
    pub const fn new(value: u32) -> KeyId {
        KeyId(value)
    }

    /// The 32-bit value.
    #[must_use]
    pub const fn get(self) -> u32 {
        self.0
    }

    pub(crate) fn to_be_bytes(self) -> [u8; 4] {
        self.0.to_be_bytes()
    }
}

impl fmt::Display for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:08x}", self.0)
    }
}

impl fmt::Debug for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KeyId({:08x})", self.0)
    }
}

impl FromStr for KeyId {
    type Err = KeyIdError;

    /// Strict: exactly 8 lower-case hex digits.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let ok = s.len() == 8
            && s.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        if !ok {
            return Err(KeyIdError);
        }
        u32::from_str_radix(s, 16)
            .map(KeyId)
            .map_err(|_| KeyIdError)
    }
}

/// A key id that is not 8 lower-case hex digits.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a key id must be exactly 8 lower-case hex digits")]
pub struct KeyIdError;

/// `N` bytes of secret key material: zeroed on drop, never printed, cloned or serialized.
pub(crate) struct KeyMaterial<const N: usize>(SecretBox<[u8; N]>);

impl<const N: usize> KeyMaterial<N> {
    /// Fresh key material from the operating system's random source.
    pub(crate) fn random() -> Result<KeyMaterial<N>, getrandom::Error> {
        let mut secret = SecretBox::new(Box::new([0u8; N]));
        getrandom::fill(secret.expose_secret_mut())?;
        Ok(KeyMaterial(secret))
    }

    /// Copies key material out of a slice of exactly `N` bytes.
    pub(crate) fn from_slice(bytes: &[u8]) -> Option<KeyMaterial<N>> {
        if bytes.len() != N {
            return None;
        }
        let mut secret = SecretBox::new(Box::new([0u8; N]));
        secret.expose_secret_mut().copy_from_slice(bytes);
        Some(KeyMaterial(secret))
    }

    pub(crate) fn expose(&self) -> &[u8; N] {
        self.0.expose_secret()
    }
}

impl<const N: usize> fmt::Debug for KeyMaterial<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[REDACTED {N}-byte key]")
    }
}
