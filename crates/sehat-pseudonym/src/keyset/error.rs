//! What can go wrong loading, saving or using a keyset.

use std::path::PathBuf;

use crate::KeyId;

/// Why a keyset could not be loaded, generated or changed.
///
/// Messages name the file, the field (`keys[1].key`) and what was wrong, never a key's
/// value: JSON syntax errors report only their line and column.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum KeysetError {
    /// The keyset file could not be read or written.
    #[error("keyset file {}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// The text is not well-formed JSON for a keyset (wrong syntax, a missing or unknown
    /// field, a value of the wrong type).
    #[error("keyset JSON is malformed ({category}) at line {line}, column {column}")]
    Json {
        /// `syntax`, `data` (a field missing, unknown or of the wrong type) or `eof`.
        category: &'static str,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
    },
    /// A field holds a value that is not allowed.
    #[error("keyset field `{field}`: {problem}")]
    Invalid {
        /// The field, as a path: `keys[1].key`.
        field: String,
        /// What was wrong.
        problem: &'static str,
    },
    /// The keyset is for the other purpose: a token keyset loaded as a pseudonym keyset,
    /// or the other way round.
    #[error("keyset is for {found}s, expected a keyset for {expected}s")]
    WrongPurpose {
        /// The purpose the caller asked for.
        expected: &'static str,
        /// The purpose the keyset names.
        found: &'static str,
    },
    /// The keyset's format version is not one this crate reads.
    #[error("keyset format version {found} is not supported (this crate reads version 1)")]
    UnsupportedVersion {
        /// The version found.
        found: u64,
    },
    /// Two keys have the same id.
    #[error("keyset has two keys with id {0}")]
    DuplicateKid(KeyId),
    /// The primary key id names no key of the keyset.
    #[error("keyset's primary key {0} is not among its keys")]
    PrimaryNotFound(KeyId),
    /// No key of the keyset has this id.
    #[error("no key with id {0} in the keyset")]
    UnknownKid(KeyId),
    /// The primary key cannot be retired; rotate first.
    #[error("key {0} is the primary key; rotate to a new key before retiring it")]
    CannotRetirePrimary(KeyId),
    /// The environment variable that should hold the keyset is unset or not Unicode.
    #[error("environment variable {name}: {problem}")]
    EnvVar {
        /// The variable's name.
        name: String,
        /// What was wrong.
        problem: &'static str,
    },
    /// The operating system's random source failed while generating a key.
    #[error("cannot generate a key: the random source failed: {0}")]
    Random(getrandom::Error),
    /// The keyset file is open to its group or to others (any of the mode bits `0o077`
    /// is set), so keys that must stay with their owner may already have leaked; it is
    /// refused, as ssh refuses such a private key. Checked on Unix only.
    #[error(
        "keyset file {} has mode {mode:04o}: its group or others can read or change it, \
         and a keyset must be private to its owner; run `chmod 600 {}` (and consider \
         rotating the keys if others could read them)",
        path.display(),
        path.display()
    )]
    Permissions {
        /// The file.
        path: PathBuf,
        /// Its permission bits (`0o644`).
        mode: u32,
    },
}

impl KeysetError {
    pub(crate) fn invalid(field: impl Into<String>, problem: &'static str) -> KeysetError {
        KeysetError::Invalid {
            field: field.into(),
            problem,
        }
    }

    pub(crate) fn json(error: &serde_json::Error) -> KeysetError {
        let category = match error.classify() {
            serde_json::error::Category::Io => "io",
            serde_json::error::Category::Syntax => "syntax",
            serde_json::error::Category::Data => {
                "data: a field is missing, unknown or of the wrong type"
            }
            serde_json::error::Category::Eof => "unexpected end of input",
        };
        KeysetError::Json {
            category,
            line: error.line(),
            column: error.column(),
        }
    }
}
