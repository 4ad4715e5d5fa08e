//! Reversible tokens for the messaging side: AES-256-SIV, `tk1.<kid>.<base64url>`.

use std::fmt;
use std::path::Path;
use std::str::FromStr;

use aes_siv::KeyInit;
use aes_siv::siv::Aes256Siv;
use data_encoding::BASE64URL_NOPAD;
use secrecy::SecretString;
use subtle::ConstantTimeEq;

use crate::keyset::ring::{KeyRing, Purpose};
use crate::{Bsuid, Contact, Domain, KeyId, KeysetError, PhoneNumber, Subject};

/// The environment variable [`TokenKeyset::from_env`] reads.
pub const TOKEN_KEYSET_ENV: &str = "SEHAT_TOKEN_KEYSET";
/// The text prefix of a token.
const TEXT_PREFIX: &str = "tk1.";
/// The first associated-data header of every token.
const AD_VERSION: &[u8] = b"tk1";
/// The SIV tag that starts every token's bytes.
const SIV_LEN: usize = 16;
/// Framing: kind byte and a two-byte length.
const FRAME_HEADER: usize = 3;

/// Keys for reversible tokens, held only by the messaging service that must reach people.
///
/// A separate type from [`Keyset`](crate::Keyset), with its own file `purpose`
/// (`"token"`) and 64-byte AES-256-SIV keys, so holding pseudonym keys never lets anyone
/// reverse anything. The file format is the pseudonym keyset's, with `"purpose": "token"`
/// and keys of 64 bytes; the environment variable is `SEHAT_TOKEN_KEYSET`.
///
/// Tokens are deterministic (the same subject, domain and key give the same token, so
/// equal tokens reveal equal subjects) and bound to their domain and key id as
/// associated data.
///
/// # Examples
///
/// ```
/// use sehat_pseudonym::{Contact, Domain, PhoneNumber, Region, Subject, TokenKeyset};
///
/// let keys = TokenKeyset::generate()?;
/// let domain = Domain::new("messaging")?;
/// let number = PhoneNumber::parse("0812-3456-7890", Region::ID)?;
/// let token = keys.tokenize(&domain, &Subject::phone(&number))?;
/// assert!(token.to_string().starts_with("tk1."));
/// assert_eq!(keys.detokenize(&domain, &token)?, Contact::Phone(number));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct TokenKeyset {
    ring: KeyRing<64>,
}

impl TokenKeyset {
    /// A new token keyset with one random 64-byte key.
    ///
    /// # Errors
    ///
    /// [`KeysetError::Random`] when the operating system's random source fails.
    ///
    /// # Examples
    ///
    /// ```
    /// let keys = sehat_pseudonym::TokenKeyset::generate()?;
    /// assert_eq!(keys.kids().count(), 1);
    /// # Ok::<(), sehat_pseudonym::KeysetError>(())
    /// ```
    pub fn generate() -> Result<TokenKeyset, KeysetError> {
        KeyRing::generate(Purpose::Token).map(|ring| TokenKeyset { ring })
    }

    /// Reads a token keyset from its JSON text.
    ///
    /// # Errors
    ///
    /// As [`Keyset::from_json`](crate::Keyset::from_json), with keys of 64 bytes and
    /// [`KeysetError::WrongPurpose`] for a pseudonym keyset.
    ///
    /// # Examples
    ///
    /// ```
    /// use sehat_pseudonym::{Keyset, KeysetError, TokenKeyset};
    /// use secrecy::ExposeSecret;
    ///
    /// let pseudonym_keys = Keyset::generate()?;
    /// let json = pseudonym_keys.expose_secret_json();
    /// assert!(matches!(
    ///     TokenKeyset::from_json(json.expose_secret()),
    ///     Err(KeysetError::WrongPurpose { .. })
    /// ));
    /// # Ok::<(), KeysetError>(())
    /// ```
    pub fn from_json(json: &str) -> Result<TokenKeyset, KeysetError> {
        KeyRing::from_json(json, Purpose::Token).map(|ring| TokenKeyset { ring })
    }

    /// Reads a token keyset file.
    ///
    /// # Errors
    ///
    /// [`KeysetError::Io`], [`KeysetError::Permissions`] when the file's mode lets its
    /// group or others in (Unix; as for [`Keyset::from_file`](crate::Keyset::from_file)),
    /// or any error of [`from_json`](Self::from_json).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// let keys = sehat_pseudonym::TokenKeyset::from_file("/run/secrets/token-keyset.json")?;
    /// # Ok::<(), sehat_pseudonym::KeysetError>(())
    /// ```
    pub fn from_file(path: impl AsRef<Path>) -> Result<TokenKeyset, KeysetError> {
        KeyRing::from_file(path.as_ref(), Purpose::Token).map(|ring| TokenKeyset { ring })
    }

    /// Reads a token keyset from `SEHAT_TOKEN_KEYSET` ([`TOKEN_KEYSET_ENV`]).
    ///
    /// # Errors
    ///
    /// [`KeysetError::EnvVar`], or any error of [`from_json`](Self::from_json).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// let keys = sehat_pseudonym::TokenKeyset::from_env()?;
    /// # Ok::<(), sehat_pseudonym::KeysetError>(())
    /// ```
    pub fn from_env() -> Result<TokenKeyset, KeysetError> {
        KeyRing::from_env(TOKEN_KEYSET_ENV, Purpose::Token).map(|ring| TokenKeyset { ring })
    }

    /// The keyset in its JSON file format, keys included, as a secret string.
    #[must_use]
    pub fn expose_secret_json(&self) -> SecretString {
        self.ring.expose_secret_json()
    }

    /// Adds a new random key and makes it the primary; returns its id.
    ///
    /// # Errors
    ///
    /// [`KeysetError::Random`] when the operating system's random source fails.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut keys = sehat_pseudonym::TokenKeyset::generate()?;
    /// let new = keys.rotate()?;
    /// assert_eq!(keys.primary_kid(), new);
    /// # Ok::<(), sehat_pseudonym::KeysetError>(())
    /// ```
    pub fn rotate(&mut self) -> Result<KeyId, KeysetError> {
        self.ring.rotate()
    }

    /// Removes an old key: its tokens can no longer be reversed.
    ///
    /// # Errors
    ///
    /// [`KeysetError::CannotRetirePrimary`] or [`KeysetError::UnknownKid`].
    ///
    /// # Examples
    ///
    /// ```
    /// let mut keys = sehat_pseudonym::TokenKeyset::generate()?;
    /// let old = keys.primary_kid();
    /// keys.rotate()?;
    /// keys.retire(old)?;
    /// # Ok::<(), sehat_pseudonym::KeysetError>(())
    /// ```
    pub fn retire(&mut self, kid: KeyId) -> Result<(), KeysetError> {
        self.ring.retire(kid)
    }

    /// The id of the primary key, which makes new tokens.
    #[must_use]
    pub fn primary_kid(&self) -> KeyId {
        self.ring.primary_kid()
    }

    /// The ids of all keys, in file order.
    pub fn kids(&self) -> impl Iterator<Item = KeyId> + '_ {
        self.ring.entries().iter().map(|entry| entry.kid)
    }

    /// The token of a subject in a domain under the primary key.
    ///
    /// # Errors
    ///
    /// [`TokenError::Encryption`] if AES-SIV refuses the input. It does so only for more
    /// than 126 associated-data headers or a message near 4 GiB, and a token has three
    /// headers and a short subject, so this does not happen; it is reported rather than
    /// turned into an empty token.
    pub fn tokenize(&self, domain: &Domain, subject: &Subject<'_>) -> Result<Token, TokenError> {
        let entry = self.ring.primary();
        let mut cipher = cipher(entry.material.expose());
        let mut plaintext = Vec::with_capacity(FRAME_HEADER + 24);
        subject.frame_into(&mut plaintext);
        let kid = entry.kid.to_be_bytes();
        let bytes = cipher
            .encrypt([AD_VERSION, domain.as_str().as_bytes(), &kid], &plaintext)
            .map_err(|_| TokenError::Encryption)?;
        Ok(Token {
            kid: entry.kid,
            bytes,
        })
    }

    /// Recovers the subject of a token made in `domain` by a key of this keyset.
    ///
    /// # Errors
    ///
    /// [`TokenError::UnknownKid`] when the keyset has no key with the token's id;
    /// [`TokenError::Authentication`] when the token was not made by that key for that
    /// domain (or was altered); [`TokenError::Payload`] when it authenticates but holds no
    /// well-formed subject.
    ///
    /// # Examples
    ///
    /// ```
    /// use sehat_pseudonym::{Bsuid, Contact, Domain, Subject, TokenError, TokenKeyset};
    ///
    /// let keys = TokenKeyset::generate()?;
    /// let id = Bsuid::new("ID.13491208655302741918")?;
    /// let token = keys.tokenize(&Domain::new("messaging")?, &Subject::bsuid(&id))?;
    /// assert_eq!(keys.detokenize(&Domain::new("messaging")?, &token)?, Contact::Bsuid(id));
    /// assert_eq!(
    ///     keys.detokenize(&Domain::new("analysis")?, &token),
    ///     Err(TokenError::Authentication)
    /// );
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn detokenize(&self, domain: &Domain, token: &Token) -> Result<Contact, TokenError> {
        let entry = self
            .ring
            .get(token.kid)
            .ok_or(TokenError::UnknownKid(token.kid))?;
        let mut cipher = cipher(entry.material.expose());
        let kid = token.kid.to_be_bytes();
        let plaintext = cipher
            .decrypt([AD_VERSION, domain.as_str().as_bytes(), &kid], &token.bytes)
            .map_err(|_| TokenError::Authentication)?;
        let contact = unframe(&plaintext);
        drop(zeroize::Zeroizing::new(plaintext));
        contact
    }
}

fn cipher(key: &[u8; 64]) -> Aes256Siv {
    Aes256Siv::new(key.into())
}

fn unframe(plaintext: &[u8]) -> Result<Contact, TokenError> {
    let [kind, high, low, value @ ..] = plaintext else {
        return Err(TokenError::Payload);
    };
    if usize::from(u16::from_be_bytes([*high, *low])) != value.len() {
        return Err(TokenError::Payload);
    }
    let value = std::str::from_utf8(value).map_err(|_| TokenError::Payload)?;
    match kind {
        1 => PhoneNumber::from_wa_id(value)
            .map(Contact::Phone)
            .map_err(|_| TokenError::Payload),
        2 => Bsuid::new(value)
            .map(Contact::Bsuid)
            .map_err(|_| TokenError::Payload),
        _ => Err(TokenError::Payload),
    }
}

impl fmt::Debug for TokenKeyset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("TokenKeyset").field(&self.ring).finish()
    }
}

/// A reversible token: AES-256-SIV of a framed subject, with the key id.
///
/// Text form `tk1.<kid>.<base64url>` (RFC 4648 URL-safe alphabet, no padding); [`FromStr`]
/// accepts exactly that form. Only a [`TokenKeyset`] holding the key reverses it.
#[derive(Clone)]
pub struct Token {
    kid: KeyId,
    bytes: Vec<u8>,
}

impl Token {
    /// The id of the key that made the token.
    #[must_use]
    pub fn kid(&self) -> KeyId {
        self.kid
    }
}

impl PartialEq for Token {
    fn eq(&self, other: &Self) -> bool {
        self.kid == other.kid && bool::from(self.bytes.ct_eq(&other.bytes))
    }
}

impl Eq for Token {}

impl fmt::Display for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{TEXT_PREFIX}{}.{}",
            self.kid,
            BASE64URL_NOPAD.encode(&self.bytes)
        )
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Token({self})")
    }
}

impl FromStr for Token {
    type Err = TokenError;

    /// Strict: `tk1.`, 8 lower-case hex digits, `.`, and canonical unpadded base64url of
    /// at least 20 bytes (the 16-byte SIV tag and a framed subject).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let rest = s.strip_prefix(TEXT_PREFIX).ok_or(TokenError::Format)?;
        let (kid, body) = rest.split_once('.').ok_or(TokenError::Format)?;
        let kid: KeyId = kid.parse().map_err(|_| TokenError::Format)?;
        let bytes = BASE64URL_NOPAD
            .decode(body.as_bytes())
            .map_err(|_| TokenError::Format)?;
        if bytes.len() < SIV_LEN + FRAME_HEADER + 1 || BASE64URL_NOPAD.encode(&bytes) != body {
            return Err(TokenError::Format);
        }
        Ok(Token { kid, bytes })
    }
}

/// Why a token could not be made, read or reversed. The messages never say more than
/// which step failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TokenError {
    /// The text is not `tk1.<8 hex>.<base64url>` of a plausible length.
    #[error(
        "not a token: expected tk1.<8 lower-case hex>.<unpadded base64url of at least 20 bytes>"
    )]
    Format,
    /// The token keyset holds no key with the token's id.
    #[error("no token key with id {0}")]
    UnknownKid(KeyId),
    /// The token does not authenticate under its key and this domain.
    #[error("the token does not authenticate under its key and this domain")]
    Authentication,
    /// The token authenticates but does not hold a well-formed subject.
    #[error("the token holds no well-formed subject")]
    Payload,
    /// The cipher refused to make a token (see [`TokenKeyset::tokenize`]).
    #[error("the token cipher refused the input")]
    Encryption,
}
