//! Keysets: a primary root key and older keys kept to recognise pseudonyms during rotation.

mod error;
pub(crate) mod ring;

use std::fmt;
use std::path::Path;

use secrecy::SecretString;

pub use error::KeysetError;
use ring::{KeyRing, Purpose};

use crate::{Domain, KeyId, Pseudonym, Pseudonymizer, Subject};

/// The environment variable [`Keyset::from_env`] reads.
pub const KEYSET_ENV: &str = "SEHAT_PSEUDONYM_KEYSET";

/// Root keys for pseudonyms: one primary key that makes new pseudonyms, and older keys
/// kept so that pseudonyms made before a rotation are still recognised.
///
/// Each root key is 32 random bytes held in a [`secrecy::SecretBox`] and zeroed on drop. A
/// keyset is neither `Clone` nor `Serialize`, and its `Debug` shows key ids and dates only;
/// the one way to get the keys out is [`expose_secret_json`](Self::expose_secret_json),
/// which writes the keyset file format (documented in `docs/pseudonym.md`):
///
/// ```json
/// {
///   "format": "sehat-keyset",
///   "version": 1,
///   "purpose": "pseudonym",
///   "primary": "3f9a0c21",
///   "keys": [
///     { "kid": "3f9a0c21", "created": "2026-11-26", "key": "<standard base64 of 32 bytes>" }
///   ]
/// }
/// ```
///
/// A keyset holds no token keys: holding it never lets anyone reverse a pseudonym or a
/// [`Token`](crate::Token).
///
/// # Examples
///
/// ```
/// use sehat_pseudonym::{Domain, Keyset, PhoneNumber, Region, Subject};
///
/// let keyset = Keyset::generate()?;
/// let domain = Domain::new("posyandu-send-log")?;
/// let number = PhoneNumber::parse("0812-3456-7890", Region::ID)?;
/// let pseudonym = keyset.pseudonymize(&domain, &Subject::phone(&number));
/// assert!(pseudonym.to_string().starts_with("pn1."));
/// assert!(keyset.recognizes(&domain, &Subject::phone(&number), &pseudonym));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Keyset {
    ring: KeyRing<32>,
}

impl Keyset {
    /// A new keyset with one random root key (from the operating system, through
    /// `getrandom`), created today.
    ///
    /// # Errors
    ///
    /// [`KeysetError::Random`] when the operating system's random source fails.
    ///
    /// # Examples
    ///
    /// ```
    /// let keyset = sehat_pseudonym::Keyset::generate()?;
    /// assert_eq!(keyset.kids().count(), 1);
    /// # Ok::<(), sehat_pseudonym::KeysetError>(())
    /// ```
    pub fn generate() -> Result<Keyset, KeysetError> {
        KeyRing::generate(Purpose::Pseudonym).map(|ring| Keyset { ring })
    }

    /// Reads a keyset from its JSON text.
    ///
    /// # Errors
    ///
    /// [`KeysetError::Json`] for malformed JSON or missing/unknown fields;
    /// [`KeysetError::Invalid`] naming the field for a bad value (a key that is not base64
    /// of 32 bytes, a bad key id or date); [`KeysetError::WrongPurpose`] for a token
    /// keyset; [`KeysetError::UnsupportedVersion`]; [`KeysetError::DuplicateKid`];
    /// [`KeysetError::PrimaryNotFound`].
    ///
    /// # Examples
    ///
    /// ```
    /// use sehat_pseudonym::{Keyset, KeysetError};
    ///
    /// let json = r#"{"format": "sehat-keyset", "version": 1, "purpose": "pseudonym",
    ///   "primary": "0000002a", "keys": [{"kid": "0000002a", "created": "2026-11-26",
    ///   "key": "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="}]}"#;
    /// let keyset = Keyset::from_json(json)?;
    /// assert_eq!(keyset.primary_kid().to_string(), "0000002a");
    ///
    /// let short_key = json.replace("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=", "AAEC");
    /// assert!(matches!(Keyset::from_json(&short_key), Err(KeysetError::Invalid { .. })));
    /// # Ok::<(), KeysetError>(())
    /// ```
    pub fn from_json(json: &str) -> Result<Keyset, KeysetError> {
        KeyRing::from_json(json, Purpose::Pseudonym).map(|ring| Keyset { ring })
    }

    /// Reads a keyset file. On Unix the file must be private to its owner (mode `0600` or
    /// `0400`, as `sehat keys generate` creates it): a file its group or others can read
    /// or write is refused, as ssh refuses such a private key.
    ///
    /// # Errors
    ///
    /// [`KeysetError::Io`] when the file cannot be read, [`KeysetError::Permissions`]
    /// when its mode lets others in, or any error of [`from_json`](Self::from_json).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// let keyset = sehat_pseudonym::Keyset::from_file("/run/secrets/pseudonym-keyset.json")?;
    /// # Ok::<(), sehat_pseudonym::KeysetError>(())
    /// ```
    pub fn from_file(path: impl AsRef<Path>) -> Result<Keyset, KeysetError> {
        KeyRing::from_file(path.as_ref(), Purpose::Pseudonym).map(|ring| Keyset { ring })
    }

    /// Reads a keyset from the environment variable `SEHAT_PSEUDONYM_KEYSET`
    /// ([`KEYSET_ENV`]), which holds the same JSON text as a keyset file.
    ///
    /// # Errors
    ///
    /// [`KeysetError::EnvVar`] when the variable is unset or not Unicode, or any error of
    /// [`from_json`](Self::from_json).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// let keyset = sehat_pseudonym::Keyset::from_env()?;
    /// # Ok::<(), sehat_pseudonym::KeysetError>(())
    /// ```
    pub fn from_env() -> Result<Keyset, KeysetError> {
        Keyset::from_env_var(KEYSET_ENV)
    }

    /// Reads a keyset from the named environment variable (JSON text).
    ///
    /// # Errors
    ///
    /// As [`from_env`](Self::from_env).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// let keyset = sehat_pseudonym::Keyset::from_env_var("POSYANDU_KEYSET")?;
    /// # Ok::<(), sehat_pseudonym::KeysetError>(())
    /// ```
    pub fn from_env_var(name: &str) -> Result<Keyset, KeysetError> {
        KeyRing::from_env(name, Purpose::Pseudonym).map(|ring| Keyset { ring })
    }

    /// The keyset in its JSON file format, keys included, as a secret string. This is the
    /// only way keys leave a keyset; write it to a file readable by its owner only.
    #[must_use]
    pub fn expose_secret_json(&self) -> SecretString {
        self.ring.expose_secret_json()
    }

    /// Adds a new random root key and makes it the primary; older keys stay for
    /// recognition. Returns the new key's id. Pseudonyms made from now on differ from the
    /// old ones: see the rotation runbook in `docs/pseudonym.md`.
    ///
    /// # Errors
    ///
    /// [`KeysetError::Random`] when the operating system's random source fails.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut keyset = sehat_pseudonym::Keyset::generate()?;
    /// let old = keyset.primary_kid();
    /// let new = keyset.rotate()?;
    /// assert_eq!(keyset.primary_kid(), new);
    /// assert!(keyset.kids().any(|kid| kid == old));
    /// # Ok::<(), sehat_pseudonym::KeysetError>(())
    /// ```
    pub fn rotate(&mut self) -> Result<KeyId, KeysetError> {
        self.ring.rotate()
    }

    /// Removes an old key: its pseudonyms are no longer recognised.
    ///
    /// # Errors
    ///
    /// [`KeysetError::CannotRetirePrimary`] for the primary key,
    /// [`KeysetError::UnknownKid`] for a key the keyset does not hold.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut keyset = sehat_pseudonym::Keyset::generate()?;
    /// let old = keyset.primary_kid();
    /// assert!(keyset.retire(old).is_err());
    /// keyset.rotate()?;
    /// keyset.retire(old)?;
    /// assert_eq!(keyset.kids().count(), 1);
    /// # Ok::<(), sehat_pseudonym::KeysetError>(())
    /// ```
    pub fn retire(&mut self, kid: KeyId) -> Result<(), KeysetError> {
        self.ring.retire(kid)
    }

    /// The id of the primary key, which makes new pseudonyms.
    #[must_use]
    pub fn primary_kid(&self) -> KeyId {
        self.ring.primary_kid()
    }

    /// The ids of all keys, in file order.
    pub fn kids(&self) -> impl Iterator<Item = KeyId> + '_ {
        self.ring.entries().iter().map(|entry| entry.kid)
    }

    /// The creation date (`YYYY-MM-DD`) of a key.
    #[must_use]
    pub fn created(&self, kid: KeyId) -> Option<&str> {
        self.ring.get(kid).map(|entry| &*entry.created)
    }

    /// A pseudonymizer for one domain under the primary key: it derives the domain key
    /// once, so use it for many subjects.
    #[must_use]
    pub fn pseudonymizer(&self, domain: &Domain) -> Pseudonymizer {
        let entry = self.ring.primary();
        Pseudonymizer::new(entry.kid, entry.material.expose(), domain)
    }

    /// A pseudonymizer for one domain under a given key, for example to re-pseudonymise
    /// a dataset made before a rotation.
    ///
    /// # Errors
    ///
    /// [`KeysetError::UnknownKid`] when the keyset has no such key.
    ///
    /// # Examples
    ///
    /// ```
    /// use sehat_pseudonym::{Domain, Keyset};
    ///
    /// let keyset = Keyset::generate()?;
    /// let old = keyset.pseudonymizer_for(keyset.primary_kid(), &Domain::new("analysis")?)?;
    /// assert_eq!(old.kid(), keyset.primary_kid());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn pseudonymizer_for(
        &self,
        kid: KeyId,
        domain: &Domain,
    ) -> Result<Pseudonymizer, KeysetError> {
        let entry = self.ring.get(kid).ok_or(KeysetError::UnknownKid(kid))?;
        Ok(Pseudonymizer::new(
            entry.kid,
            entry.material.expose(),
            domain,
        ))
    }

    /// The pseudonym of a subject in a domain, under the primary key.
    ///
    /// This derives the domain key on every call; for many subjects in one domain, use a
    /// [`pseudonymizer`](Self::pseudonymizer).
    #[must_use]
    pub fn pseudonymize(&self, domain: &Domain, subject: &Subject<'_>) -> Pseudonym {
        self.pseudonymizer(domain).pseudonymize(subject)
    }

    /// Whether `pseudonym` is the subject's pseudonym in the domain under the key it names
    /// (the primary or an older key), compared in constant time. `false` for a key the
    /// keyset no longer holds.
    #[must_use]
    pub fn recognizes(
        &self,
        domain: &Domain,
        subject: &Subject<'_>,
        pseudonym: &Pseudonym,
    ) -> bool {
        self.pseudonymizer_for(pseudonym.kid(), domain)
            .is_ok_and(|p| p.matches(subject, pseudonym))
    }
}

impl fmt::Debug for Keyset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Keyset").field(&self.ring).finish()
    }
}
