//! Who a message is for, as the database sees it: pseudonyms and tokens, never numbers.

use std::fmt;

use sehat_pseudonym::{Pseudonym, Token};

/// The canonical subject of a message or a consent record: the keyed pseudonym
/// (`pn1.<kid>.<base32>`) of the person's E.164 number (or of their BSUID) under the
/// outbox's pseudonym domain [`SUBJECT_DOMAIN`](crate::SUBJECT_DOMAIN).
///
/// Any human format of one number gives the same subject; a BSUID's subject is linked to
/// the number's subject through an alias when a webhook carries both.
///
/// # Examples
///
/// ```
/// use sehat_outbox::model::SubjectRef;
///
/// assert!(SubjectRef::parse("pn1.k1.not-a-pseudonym").is_err());
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SubjectRef(Box<str>);

impl SubjectRef {
    /// The subject of a pseudonym.
    #[must_use]
    pub fn from_pseudonym(pseudonym: &Pseudonym) -> SubjectRef {
        SubjectRef(pseudonym.to_string().into())
    }

    /// Reads a subject's text form (as stored).
    ///
    /// # Errors
    ///
    /// [`SubjectRefError`] when the text is not a pseudonym.
    pub fn parse(text: &str) -> Result<SubjectRef, SubjectRefError> {
        text.parse::<Pseudonym>()
            .map(|p| SubjectRef::from_pseudonym(&p))
            .map_err(|_| SubjectRefError)
    }

    /// The pseudonym text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SubjectRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SubjectRef({})", self.0)
    }
}

impl fmt::Display for SubjectRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A stored text is not a subject pseudonym.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a subject pseudonym (expected pn1.<kid>.<base32>)")]
pub struct SubjectRefError;

/// The reversible AES-SIV token (`tk1.<kid>.<base64url>`) of the number to send to, under
/// the token domain [`SEND_DOMAIN`](crate::SEND_DOMAIN). Only the dispatcher reads
/// the number back, right before the send.
///
/// Its `Debug` shows only the key id.
#[derive(Clone, PartialEq, Eq)]
pub struct SendToken(Box<str>);

impl SendToken {
    /// The send token of a token.
    #[must_use]
    pub fn from_token(token: &Token) -> SendToken {
        SendToken(token.to_string().into())
    }

    /// Reads a token's text form (as stored).
    ///
    /// # Errors
    ///
    /// [`SubjectRefError`] when the text is not a token.
    pub fn parse(text: &str) -> Result<SendToken, SubjectRefError> {
        text.parse::<Token>()
            .map(|t| SendToken::from_token(&t))
            .map_err(|_| SubjectRefError)
    }

    /// The token text (ciphertext: safe to store, not to log in bulk).
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The token, to detokenize.
    ///
    /// # Errors
    ///
    /// [`SubjectRefError`] when the text is not a token (a damaged row).
    pub fn token(&self) -> Result<Token, SubjectRefError> {
        self.0.parse().map_err(|_| SubjectRefError)
    }
}

impl fmt::Debug for SendToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kid = self.0.split('.').nth(1).unwrap_or("?");
        write!(f, "SendToken(tk1.{kid}.…)")
    }
}

/// A keyed MAC of a WhatsApp message id (wamid): how the outbox finds a message again
/// when a status webhook arrives, without storing the id itself. See
/// [`OutboxKeys::wamid_mac`](crate::OutboxKeys::wamid_mac).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct WamidMac(Box<str>);

impl WamidMac {
    /// Wraps a stored MAC text.
    #[must_use]
    pub fn from_stored(text: &str) -> WamidMac {
        WamidMac(text.into())
    }

    /// The MAC's text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for WamidMac {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "WamidMac({})", self.0)
    }
}
