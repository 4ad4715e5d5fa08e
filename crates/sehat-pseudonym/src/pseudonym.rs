//! Keyed pseudonyms: `pn1.<kid>.<base32>`.

use std::fmt;
use std::hash::{Hash, Hasher};
use std::str::FromStr;

use hkdf::Hkdf;
use hmac::digest::KeyInit;
use hmac::digest::generic_array::GenericArray;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;
use zeroize::Zeroize;

use crate::{Domain, KeyId, Subject};

/// The HKDF salt of per-domain pseudonym keys.
pub(crate) const HKDF_SALT: &[u8] = b"sehat/pseudonym/v1";
/// The start of every MAC input: the version, then a zero byte.
const MAC_PREFIX: &[u8] = b"pn1\0";
/// The text prefix of a pseudonym.
const TEXT_PREFIX: &str = "pn1.";
/// Bytes kept from the HMAC output: 128 bits.
pub const PSEUDONYM_LEN: usize = 16;
/// Characters of the base32 tag: 128 bits in 26 characters.
const TAG_CHARS: usize = 26;

/// A pseudonym: the first 128 bits of HMAC-SHA256 over a framed [`Subject`], under the
/// per-domain key derived from one root key, with that key's id.
///
/// Its text form is `pn1.<kid>.<tag>`: the version, the key id (8 lower-case hex digits)
/// and 26 lower-case RFC 4648 base32 characters without padding, for example
/// `pn1.3f9a0c21.k5v2…`. [`FromStr`] accepts exactly that form and nothing else.
/// Equality compares in constant time.
///
/// # Examples
///
/// ```
/// use sehat_pseudonym::Pseudonym;
///
/// let text = "pn1.0000002a.mfrggzdfmztwq2lknnwg23tpoa";
/// let pseudonym: Pseudonym = text.parse()?;
/// assert_eq!(pseudonym.to_string(), text);
/// assert_eq!(pseudonym.kid().get(), 42);
/// assert!("pn1.0000002a.MFRGGZDFMZTWQ2LKNNWG23TPOA".parse::<Pseudonym>().is_err());
/// # Ok::<(), sehat_pseudonym::PseudonymParseError>(())
/// ```
#[derive(Clone, Copy)]
pub struct Pseudonym {
    kid: KeyId,
    tag: [u8; PSEUDONYM_LEN],
}

impl Pseudonym {
    /// The id of the root key that made this pseudonym.
    #[must_use]
    pub fn kid(&self) -> KeyId {
        self.kid
    }

    /// The 128-bit tag.
    #[must_use]
    pub fn tag(&self) -> &[u8; PSEUDONYM_LEN] {
        &self.tag
    }
}

impl PartialEq for Pseudonym {
    fn eq(&self, other: &Self) -> bool {
        self.kid == other.kid && bool::from(self.tag.ct_eq(&other.tag))
    }
}

impl Eq for Pseudonym {}

impl Hash for Pseudonym {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.kid.hash(state);
        self.tag.hash(state);
    }
}

fn base32_lower(tag: &[u8; PSEUDONYM_LEN]) -> String {
    let mut text = data_encoding::BASE32_NOPAD.encode(tag);
    text.make_ascii_lowercase();
    text
}

impl fmt::Display for Pseudonym {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{TEXT_PREFIX}{}.{}", self.kid, base32_lower(&self.tag))
    }
}

impl fmt::Debug for Pseudonym {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Pseudonym({self})")
    }
}

impl FromStr for Pseudonym {
    type Err = PseudonymParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let rest = s
            .strip_prefix(TEXT_PREFIX)
            .ok_or(PseudonymParseError::Prefix)?;
        let (kid, tag) = rest.split_once('.').ok_or(PseudonymParseError::KeyId)?;
        let kid: KeyId = kid.parse().map_err(|_| PseudonymParseError::KeyId)?;
        if tag.len() != TAG_CHARS
            || !tag
                .bytes()
                .all(|b| b.is_ascii_lowercase() || (b'2'..=b'7').contains(&b))
        {
            return Err(PseudonymParseError::Tag);
        }
        let upper = tag.to_ascii_uppercase();
        let bytes = data_encoding::BASE32_NOPAD
            .decode(upper.as_bytes())
            .map_err(|_| PseudonymParseError::Tag)?;
        let tag: [u8; PSEUDONYM_LEN] = bytes.try_into().map_err(|_| PseudonymParseError::Tag)?;
        Ok(Pseudonym { kid, tag })
    }
}

/// Text that is not a pseudonym.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PseudonymParseError {
    /// It does not start with `pn1.`.
    #[error("not a pseudonym: it must start with \"pn1.\"")]
    Prefix,
    /// The key id is not 8 lower-case hex digits followed by `.`.
    #[error(
        "not a pseudonym: after \"pn1.\" must come a key id of 8 lower-case hex digits and '.'"
    )]
    KeyId,
    /// The tag is not 26 lower-case base32 characters encoding 128 bits.
    #[error(
        "not a pseudonym: the tag must be 26 lower-case base32 characters (a-z, 2-7) encoding 128 bits"
    )]
    Tag,
}

/// A pseudonym function bound to one domain and one root key: the per-domain key is
/// derived once, so each pseudonym costs one HMAC. Get one from
/// [`Keyset::pseudonymizer`](crate::Keyset::pseudonymizer).
///
/// Key material: the root keys live in the keyset in `secrecy` boxes (zeroized on drop);
/// the per-domain key and its padded block are wiped as soon as the HMAC state is keyed.
/// That state (the SHA-256 states after `key ⊕ ipad` and `key ⊕ opad`, as good as the key
/// for computing pseudonyms) is hmac's `Hmac<Sha256>`: hmac 0.12 and sha2 0.10 / digest
/// 0.10 have no `zeroize` feature (it arrives with hmac 0.13 / digest 0.11), so on drop
/// it is overwritten with the state of an all-zero key, kept from being optimized away by
/// [`std::hint::black_box`] — best effort, not the guarantee `zeroize` gives. Keying a
/// state per call instead would double the cost of a pseudonym (0.12 µs today). The copy
/// each pseudonym makes of the state lives on the stack and is not wiped.
///
/// # Examples
///
/// ```
/// use sehat_pseudonym::{Domain, Keyset, PhoneNumber, Region, Subject};
///
/// let keyset = Keyset::generate()?;
/// let pseudonymizer = keyset.pseudonymizer(&Domain::new("posyandu-send-log")?);
/// let number = PhoneNumber::parse("0812-3456-7890", Region::ID)?;
/// let pseudonym = pseudonymizer.pseudonymize(&Subject::phone(&number));
/// assert_eq!(pseudonym.kid(), keyset.primary_kid());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Pseudonymizer {
    kid: KeyId,
    domain: Domain,
    mac: Hmac<Sha256>,
}

impl Pseudonymizer {
    pub(crate) fn new(kid: KeyId, root: &[u8; 32], domain: &Domain) -> Pseudonymizer {
        let mut key = [0u8; 32];
        // 32 bytes is far below HKDF-SHA256's limit of 255 * 32, so expand cannot fail.
        let _ =
            Hkdf::<Sha256>::new(Some(HKDF_SALT), root).expand(domain.as_str().as_bytes(), &mut key);
        // HMAC pads a 32-byte key with zeros to its 64-byte block, so keying it with the
        // padded block is the same function, through the infallible constructor.
        let mut block = [0u8; 64];
        block[..32].copy_from_slice(&key);
        let mac = <Hmac<Sha256> as KeyInit>::new(GenericArray::from_slice(&block));
        key.zeroize();
        block.zeroize();
        Pseudonymizer {
            kid,
            domain: domain.clone(),
            mac,
        }
    }

    /// The pseudonym of a subject in this domain under this key.
    #[must_use]
    pub fn pseudonymize(&self, subject: &Subject<'_>) -> Pseudonym {
        let value = subject.value().as_bytes();
        let len = u16::try_from(value.len()).unwrap_or(u16::MAX);
        let mut mac = self.mac.clone();
        mac.update(MAC_PREFIX);
        mac.update(&[subject.kind().code()]);
        mac.update(&len.to_be_bytes());
        mac.update(value);
        let full = mac.finalize().into_bytes();
        let mut tag = [0u8; PSEUDONYM_LEN];
        tag.copy_from_slice(&full[..PSEUDONYM_LEN]);
        Pseudonym { kid: self.kid, tag }
    }

    /// Whether `pseudonym` is this subject's pseudonym under this key and domain, compared
    /// in constant time.
    #[must_use]
    pub fn matches(&self, subject: &Subject<'_>, pseudonym: &Pseudonym) -> bool {
        pseudonym.kid == self.kid && self.pseudonymize(subject) == *pseudonym
    }

    /// The key id this pseudonymizer uses.
    #[must_use]
    pub fn kid(&self) -> KeyId {
        self.kid
    }

    /// The domain this pseudonymizer serves.
    #[must_use]
    pub fn domain(&self) -> &Domain {
        &self.domain
    }
}

impl Drop for Pseudonymizer {
    fn drop(&mut self) {
        let blank = [0u8; 64];
        self.mac = <Hmac<Sha256> as KeyInit>::new(GenericArray::from_slice(&blank));
        std::hint::black_box(&self.mac);
    }
}

impl fmt::Debug for Pseudonymizer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pseudonymizer")
            .field("kid", &self.kid)
            .field("domain", &self.domain)
            .field("key", &"[REDACTED]")
            .finish()
    }
}
