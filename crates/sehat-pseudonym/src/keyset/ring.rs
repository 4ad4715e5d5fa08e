//! The keyset file format and the key ring shared by pseudonym and token keysets.
//!
//! ```json
//! {
//!   "format": "sehat-keyset",
//!   "version": 1,
//!   "purpose": "pseudonym",
//!   "primary": "3f9a0c21",
//!   "keys": [
//!     { "kid": "3f9a0c21", "created": "2026-11-26", "key": "<standard base64, 32 bytes>" }
//!   ]
//! }
//! ```

use std::io::Read;
use std::path::Path;

use data_encoding::BASE64;
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use zeroize::Zeroize;

use super::KeysetError;
use crate::KeyId;
use crate::key::KeyMaterial;

const FORMAT: &str = "sehat-keyset";
const VERSION: u64 = 1;

/// What a keyset is for; the two never mix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Purpose {
    Pseudonym,
    Token,
}

impl Purpose {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Purpose::Pseudonym => "pseudonym",
            Purpose::Token => "token",
        }
    }
}

/// One key: its id, creation date and secret.
pub(crate) struct Entry<const N: usize> {
    pub(crate) kid: KeyId,
    pub(crate) created: Box<str>,
    pub(crate) material: KeyMaterial<N>,
}

/// A primary key and older keys, all of `N` bytes, for one purpose.
pub(crate) struct KeyRing<const N: usize> {
    purpose: Purpose,
    primary: KeyId,
    entries: Vec<Entry<N>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawKeyset {
    format: String,
    version: u64,
    purpose: String,
    primary: String,
    keys: Vec<RawKey>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawKey {
    kid: String,
    created: String,
    key: String,
}

impl Drop for RawKey {
    fn drop(&mut self) {
        self.key.zeroize();
    }
}

#[derive(Serialize)]
struct OutKeyset {
    format: &'static str,
    version: u64,
    purpose: &'static str,
    primary: String,
    keys: Vec<OutKey>,
}

#[derive(Serialize)]
struct OutKey {
    kid: String,
    created: String,
    key: String,
}

impl Drop for OutKey {
    fn drop(&mut self) {
        self.key.zeroize();
    }
}

fn today() -> String {
    let date = time::OffsetDateTime::now_utc().date();
    format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

fn is_iso_date(text: &str) -> bool {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    text.len() == 10 && time::Date::parse(text, &format).is_ok()
}

impl<const N: usize> KeyRing<N> {
    /// A ring with one fresh primary key.
    pub(crate) fn generate(purpose: Purpose) -> Result<KeyRing<N>, KeysetError> {
        let mut ring = KeyRing {
            purpose,
            primary: KeyId::new(0),
            entries: Vec::new(),
        };
        ring.rotate()?;
        Ok(ring)
    }

    /// Adds a fresh key and makes it primary; returns its id.
    pub(crate) fn rotate(&mut self) -> Result<KeyId, KeysetError> {
        let material = KeyMaterial::<N>::random().map_err(KeysetError::Random)?;
        let kid = loop {
            let candidate = KeyId::new(getrandom::u32().map_err(KeysetError::Random)?);
            if self.get(candidate).is_none() {
                break candidate;
            }
        };
        self.entries.push(Entry {
            kid,
            created: today().into(),
            material,
        });
        self.primary = kid;
        Ok(kid)
    }

    /// Removes a key that is not the primary.
    pub(crate) fn retire(&mut self, kid: KeyId) -> Result<(), KeysetError> {
        if kid == self.primary {
            return Err(KeysetError::CannotRetirePrimary(kid));
        }
        let before = self.entries.len();
        self.entries.retain(|entry| entry.kid != kid);
        if self.entries.len() == before {
            return Err(KeysetError::UnknownKid(kid));
        }
        Ok(())
    }

    pub(crate) fn primary(&self) -> &Entry<N> {
        // The primary is checked to exist at every construction and change.
        self.get(self.primary).unwrap_or_else(|| &self.entries[0])
    }

    pub(crate) fn primary_kid(&self) -> KeyId {
        self.primary
    }

    pub(crate) fn get(&self, kid: KeyId) -> Option<&Entry<N>> {
        self.entries.iter().find(|entry| entry.kid == kid)
    }

    pub(crate) fn entries(&self) -> &[Entry<N>] {
        &self.entries
    }

    /// Reads the JSON format, checking every field.
    pub(crate) fn from_json(json: &str, purpose: Purpose) -> Result<KeyRing<N>, KeysetError> {
        let raw: RawKeyset = serde_json::from_str(json).map_err(|e| KeysetError::json(&e))?;
        if raw.format != FORMAT {
            return Err(KeysetError::invalid("format", "must be \"sehat-keyset\""));
        }
        if raw.version != VERSION {
            return Err(KeysetError::UnsupportedVersion { found: raw.version });
        }
        let found = match raw.purpose.as_str() {
            "pseudonym" => Purpose::Pseudonym,
            "token" => Purpose::Token,
            _ => {
                return Err(KeysetError::invalid(
                    "purpose",
                    "must be \"pseudonym\" or \"token\"",
                ));
            }
        };
        if found != purpose {
            return Err(KeysetError::WrongPurpose {
                expected: purpose.as_str(),
                found: found.as_str(),
            });
        }
        let primary: KeyId = raw.primary.parse().map_err(|_| {
            KeysetError::invalid("primary", "must be a key id of 8 lower-case hex digits")
        })?;
        if raw.keys.is_empty() {
            return Err(KeysetError::invalid(
                "keys",
                "a keyset needs at least one key",
            ));
        }
        let mut entries: Vec<Entry<N>> = Vec::with_capacity(raw.keys.len());
        for (index, key) in raw.keys.iter().enumerate() {
            let kid: KeyId = key.kid.parse().map_err(|_| {
                KeysetError::invalid(
                    format!("keys[{index}].kid"),
                    "must be 8 lower-case hex digits",
                )
            })?;
            if entries.iter().any(|entry| entry.kid == kid) {
                return Err(KeysetError::DuplicateKid(kid));
            }
            if !is_iso_date(&key.created) {
                return Err(KeysetError::invalid(
                    format!("keys[{index}].created"),
                    "must be a date written YYYY-MM-DD",
                ));
            }
            let mut bytes = BASE64.decode(key.key.as_bytes()).map_err(|_| {
                KeysetError::invalid(
                    format!("keys[{index}].key"),
                    "must be standard base64 with padding",
                )
            })?;
            let material = KeyMaterial::<N>::from_slice(&bytes);
            bytes.zeroize();
            let material = material.ok_or_else(|| {
                KeysetError::invalid(
                    format!("keys[{index}].key"),
                    if N == 32 {
                        "must decode to exactly 32 bytes"
                    } else {
                        "must decode to exactly 64 bytes"
                    },
                )
            })?;
            entries.push(Entry {
                kid,
                created: key.created.as_str().into(),
                material,
            });
        }
        if !entries.iter().any(|entry| entry.kid == primary) {
            return Err(KeysetError::PrimaryNotFound(primary));
        }
        Ok(KeyRing {
            purpose,
            primary,
            entries,
        })
    }

    /// Writes the JSON format, keys included.
    pub(crate) fn expose_secret_json(&self) -> SecretString {
        let out = OutKeyset {
            format: FORMAT,
            version: VERSION,
            purpose: self.purpose.as_str(),
            primary: self.primary.to_string(),
            keys: self
                .entries
                .iter()
                .map(|entry| OutKey {
                    kid: entry.kid.to_string(),
                    created: entry.created.to_string(),
                    key: BASE64.encode(entry.material.expose()),
                })
                .collect(),
        };
        let mut json = serde_json::to_string_pretty(&out).unwrap_or_default();
        json.push('\n');
        SecretString::from(json)
    }

    pub(crate) fn from_file(path: &Path, purpose: Purpose) -> Result<KeyRing<N>, KeysetError> {
        let io = |source| KeysetError::Io {
            path: path.to_owned(),
            source,
        };
        let mut file = std::fs::File::open(path).map_err(io)?;
        // Checked on the open file, so the file read is the file checked.
        check_private(&file, path)?;
        let mut text = zeroize::Zeroizing::new(String::new());
        file.read_to_string(&mut text).map_err(io)?;
        KeyRing::from_json(&text, purpose)
    }

    pub(crate) fn from_env(name: &str, purpose: Purpose) -> Result<KeyRing<N>, KeysetError> {
        let mut text = std::env::var(name).map_err(|error| KeysetError::EnvVar {
            name: name.to_owned(),
            problem: match error {
                std::env::VarError::NotPresent => "it is not set",
                std::env::VarError::NotUnicode(_) => "it is not valid Unicode",
            },
        })?;
        let ring = KeyRing::from_json(&text, purpose);
        text.zeroize();
        ring
    }
}

/// Refuses a keyset file that its group or others may read or write (mode `0o077` bits),
/// as ssh does for private keys.
#[cfg(unix)]
fn check_private(file: &std::fs::File, path: &Path) -> Result<(), KeysetError> {
    use std::os::unix::fs::PermissionsExt;
    let metadata = file.metadata().map_err(|source| KeysetError::Io {
        path: path.to_owned(),
        source,
    })?;
    let mode = metadata.permissions().mode() & 0o7777;
    if mode & 0o077 != 0 {
        return Err(KeysetError::Permissions {
            path: path.to_owned(),
            mode,
        });
    }
    Ok(())
}

/// Other systems have no mode bits to check.
#[cfg(not(unix))]
fn check_private(_file: &std::fs::File, _path: &Path) -> Result<(), KeysetError> {
    Ok(())
}

impl<const N: usize> std::fmt::Debug for KeyRing<N> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut list = f.debug_list();
        for entry in &self.entries {
            list.entry(&format_args!(
                "{}{} created {} {:?}",
                entry.kid,
                if entry.kid == self.primary {
                    " (primary)"
                } else {
                    ""
                },
                entry.created,
                entry.material
            ));
        }
        list.finish()
    }
}
