//! What a pseudonym or token stands for: a phone number or a WhatsApp business-scoped id.

use std::fmt;

use crate::PhoneNumber;

/// The kind of identifier a [`Subject`] is. Its number is part of the MAC input, so the
/// same characters as two different kinds never give the same pseudonym.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SubjectKind {
    /// A phone number, as its E.164 digits without the `+` (kind 1).
    Phone,
    /// A WhatsApp business-scoped user id, BSUID (kind 2).
    Bsuid,
}

impl SubjectKind {
    /// The kind's byte in the MAC and token framing.
    #[must_use]
    pub fn code(self) -> u8 {
        match self {
            SubjectKind::Phone => 1,
            SubjectKind::Bsuid => 2,
        }
    }
}

/// The identifier a pseudonym or token is computed over, borrowed from a
/// [`PhoneNumber`] or a [`Bsuid`].
///
/// # Examples
///
/// ```
/// use sehat_pseudonym::{PhoneNumber, Subject, SubjectKind};
///
/// let number = PhoneNumber::from_wa_id("6281234567890")?;
/// let subject = Subject::phone(&number);
/// assert_eq!(subject.kind(), SubjectKind::Phone);
/// assert!(!format!("{subject:?}").contains("34567"));
/// # Ok::<(), sehat_pseudonym::ParseError>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Subject<'a> {
    /// A phone number.
    Phone(&'a PhoneNumber),
    /// A WhatsApp business-scoped user id.
    Bsuid(&'a Bsuid),
}

impl<'a> Subject<'a> {
    /// The subject for a phone number (kind 1: its E.164 digits without `+`).
    #[must_use]
    pub fn phone(number: &'a PhoneNumber) -> Subject<'a> {
        Subject::Phone(number)
    }

    /// The subject for a WhatsApp business-scoped user id (kind 2).
    #[must_use]
    pub fn bsuid(id: &'a Bsuid) -> Subject<'a> {
        Subject::Bsuid(id)
    }

    /// Which kind of identifier this is.
    #[must_use]
    pub fn kind(&self) -> SubjectKind {
        match self {
            Subject::Phone(_) => SubjectKind::Phone,
            Subject::Bsuid(_) => SubjectKind::Bsuid,
        }
    }

    /// The bytes that are framed into the MAC and token input.
    pub(crate) fn value(&self) -> &'a str {
        match self {
            Subject::Phone(number) => number.e164_digits(),
            Subject::Bsuid(id) => &id.0,
        }
    }

    /// Writes `u8(kind) ‖ u16be(len) ‖ value` after whatever `out` holds.
    pub(crate) fn frame_into(&self, out: &mut Vec<u8>) {
        let value = self.value().as_bytes();
        // Values are at most 15 digits or a checked BSUID of at most 128 bytes.
        let len = u16::try_from(value.len()).unwrap_or(u16::MAX);
        out.push(self.kind().code());
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(value);
    }
}

impl fmt::Debug for Subject<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Subject::Phone(number) => write!(f, "Subject::Phone({number})"),
            Subject::Bsuid(id) => write!(f, "Subject::Bsuid({id:?})"),
        }
    }
}

/// The longest BSUID accepted, in bytes.
const MAX_BSUID_LEN: usize = 128;

/// A WhatsApp business-scoped user id (BSUID), such as `US.13491208655302741918`: an ISO
/// alpha-2 code, a dot and ASCII letters and digits. WhatsApp sends it in webhooks
/// (`user_id`) next to, or instead of, the `wa_id`.
///
/// `Debug` and `Display` show only the country part.
///
/// # Examples
///
/// ```
/// use sehat_pseudonym::Bsuid;
///
/// let id = Bsuid::new("ID.13491208655302741918")?;
/// assert_eq!(id.to_string(), "ID.****");
/// assert_eq!(id.expose(), "ID.13491208655302741918");
/// assert!(Bsuid::new("13491208655302741918").is_err());
/// # Ok::<(), sehat_pseudonym::BsuidError>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Bsuid(Box<str>);

impl Bsuid {
    /// Checks and wraps a business-scoped user id.
    ///
    /// # Errors
    ///
    /// [`BsuidError`] when the id is not two upper-case ASCII letters, a dot and 1 to 125
    /// ASCII letters or digits.
    ///
    /// # Examples
    ///
    /// ```
    /// use sehat_pseudonym::Bsuid;
    ///
    /// assert!(Bsuid::new("US.13491208655302741918").is_ok());
    /// assert!(Bsuid::new("US.").is_err());
    /// assert!(Bsuid::new("us.1349").is_err());
    /// ```
    pub fn new(id: &str) -> Result<Bsuid, BsuidError> {
        let bytes = id.as_bytes();
        let ok = bytes.len() >= 4
            && bytes.len() <= MAX_BSUID_LEN
            && bytes[0].is_ascii_uppercase()
            && bytes[1].is_ascii_uppercase()
            && bytes[2] == b'.'
            && bytes[3..].iter().all(u8::is_ascii_alphanumeric);
        if ok {
            Ok(Bsuid(id.into()))
        } else {
            Err(BsuidError { len: bytes.len() })
        }
    }

    /// The full id. This reveals the identifier: keep it out of logs.
    #[must_use]
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Bsuid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.****", self.0.get(..2).unwrap_or("??"))
    }
}

impl fmt::Debug for Bsuid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Bsuid({self})")
    }
}

/// An identifier that is not a business-scoped user id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "not a WhatsApp business-scoped user id (two upper-case letters, '.', then 1-125 letters or digits); got {len} bytes"
)]
pub struct BsuidError {
    len: usize,
}

/// An identifier recovered from a [`Token`](crate::Token): owned, unlike [`Subject`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Contact {
    /// A phone number.
    Phone(PhoneNumber),
    /// A WhatsApp business-scoped user id.
    Bsuid(Bsuid),
}

impl Contact {
    /// The contact as a [`Subject`], to pseudonymize or tokenize it again.
    #[must_use]
    pub fn as_subject(&self) -> Subject<'_> {
        match self {
            Contact::Phone(number) => Subject::Phone(number),
            Contact::Bsuid(id) => Subject::Bsuid(id),
        }
    }
}
