//! Pseudonymisation domains: the name that separates one use of pseudonyms from another.

use std::fmt;
use std::str::FromStr;

/// The longest domain name accepted, in bytes.
const MAX_LEN: usize = 64;

/// A pseudonymisation domain: the name of one context in which pseudonyms are used
/// (`posyandu-send-log`, `stunting-analysis-2026`, `messaging`).
///
/// Each domain gets its own key, derived from the root key, so pseudonyms from two domains
/// cannot be linked without the root key, and a service can be given one domain's
/// pseudonyms without being able to compute another's. A name is 1 to 64 characters of
/// `a-z`, `0-9`, `.`, `_` and `-`, starting with a letter or digit: the bytes of the name
/// are the HKDF `info`, so `Analysis` and `analysis` must not both exist.
///
/// # Examples
///
/// ```
/// use sehat_pseudonym::Domain;
///
/// let domain = Domain::new("posyandu-send-log")?;
/// assert_eq!(domain.as_str(), "posyandu-send-log");
/// assert!(Domain::new("Posyandu").is_err());
/// # Ok::<(), sehat_pseudonym::DomainError>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Domain(Box<str>);

impl Domain {
    /// A domain with the given name.
    ///
    /// # Errors
    ///
    /// [`DomainError`] when the name is empty, longer than 64 bytes, or has a character
    /// other than `a-z`, `0-9`, `.`, `_`, `-` (or does not start with a letter or digit).
    ///
    /// # Examples
    ///
    /// ```
    /// use sehat_pseudonym::Domain;
    ///
    /// assert!(Domain::new("analysis").is_ok());
    /// assert!(Domain::new("").is_err());
    /// assert!(Domain::new("-analysis").is_err());
    /// ```
    pub fn new(name: &str) -> Result<Domain, DomainError> {
        let problem = if name.is_empty() {
            Some("it is empty")
        } else if name.len() > MAX_LEN {
            Some("it is longer than 64 bytes")
        } else if !name.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'_' | b'-')
        }) {
            Some("only a-z, 0-9, '.', '_' and '-' are allowed")
        } else if !name
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        {
            Some("it must start with a letter or a digit")
        } else {
            None
        };
        match problem {
            Some(problem) => Err(DomainError { problem }),
            None => Ok(Domain(name.into())),
        }
    }

    /// The domain's name.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Domain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Domain({})", self.0)
    }
}

impl fmt::Display for Domain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for Domain {
    type Err = DomainError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Domain::new(s)
    }
}

/// A domain name that is not allowed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid pseudonymisation domain name: {problem}")]
pub struct DomainError {
    problem: &'static str,
}
