//! The outbox's keys: a pseudonym keyset (subjects, wamid MACs) and a token keyset (the
//! numbers to send to), kept in a directory of their own.

use std::fs::{self, File, OpenOptions};
use std::io::Write as _;
use std::os::unix::fs::{DirBuilderExt as _, OpenOptionsExt as _, PermissionsExt as _};
use std::path::{Path, PathBuf};

use secrecy::ExposeSecret as _;
use sehat_pseudonym::{
    Bsuid, Contact, Domain, Keyset, KeysetError, PhoneNumber, Pseudonymizer, Subject, TokenError,
    TokenKeyset,
};
use sha2::{Digest as _, Sha256};

use crate::model::{SendToken, SubjectRef, WamidMac};

/// The pseudonym domain of subjects (numbers and BSUIDs).
pub const SUBJECT_DOMAIN: &str = "outbox-subject";
/// The token domain of the numbers to send to.
pub const SEND_DOMAIN: &str = "outbox-send";
/// The pseudonym domain of wamid MACs.
pub const WAMID_DOMAIN: &str = "outbox-wamid";
/// The pseudonym keyset's file name in the keys directory.
pub const PSEUDONYM_FILE: &str = "pseudonym-keyset.json";
/// The token keyset's file name in the keys directory.
pub const TOKEN_FILE: &str = "token-keyset.json";

/// The keys of one outbox: who is who (pseudonyms) and how to reach them (tokens).
///
/// Keep them away from the database: a copy of the database alone reveals no number.
///
/// # Examples
///
/// ```
/// use sehat_outbox::OutboxKeys;
/// use sehat_pseudonym::{PhoneNumber, Region};
///
/// let dir = tempfile::tempdir()?;
/// let keys = OutboxKeys::open_or_create(dir.path().join("keys"))?;
/// let again = OutboxKeys::open_or_create(dir.path().join("keys"))?;
/// let a = PhoneNumber::parse_mobile("0812-3456-7890", Region::ID)?;
/// let b = PhoneNumber::parse_mobile("+62 812 3456 7890", Region::ID)?;
/// assert_eq!(keys.subject_of_phone(&a), again.subject_of_phone(&b));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct OutboxKeys {
    subjects: Pseudonymizer,
    wamids: Pseudonymizer,
    tokens: TokenKeyset,
    send_domain: Domain,
}

impl std::fmt::Debug for OutboxKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OutboxKeys")
            .field("subject_kid", &self.subjects.kid())
            .field("token_kid", &self.tokens.primary_kid())
            .finish_non_exhaustive()
    }
}

impl OutboxKeys {
    /// Opens the keys in `dir`, creating the directory (mode 0700) and the keyset files
    /// (mode 0600) on first use.
    ///
    /// Creation is atomic: each file is written in full under a temporary name and linked
    /// into place only if no file of that name exists, so two processes starting at once
    /// end up with the same keys. Like `ssh`, it refuses key files (and a directory)
    /// that the group or others may read or write (and a directory they may write to).
    ///
    /// # Errors
    ///
    /// [`KeysError::Io`] when the directory or a file cannot be created or read;
    /// [`KeysError::Permissions`] for a file or directory open to group or others;
    /// [`KeysError::Keyset`] for a damaged keyset file.
    pub fn open_or_create(dir: impl AsRef<Path>) -> Result<OutboxKeys, KeysError> {
        let dir = dir.as_ref();
        match fs::metadata(dir) {
            Ok(meta) if !meta.is_dir() => {
                return Err(KeysError::Io {
                    path: dir.to_path_buf(),
                    source: std::io::Error::other("exists and is not a directory"),
                });
            }
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                fs::DirBuilder::new()
                    .recursive(true)
                    .mode(0o700)
                    .create(dir)
                    .map_err(|source| KeysError::io(dir, source))?;
            }
            Err(source) => return Err(KeysError::io(dir, source)),
        }
        check_mode(dir, 0o022)?;
        let pseudonym_path = dir.join(PSEUDONYM_FILE);
        let token_path = dir.join(TOKEN_FILE);
        ensure_file(&pseudonym_path, || {
            Ok(Keyset::generate()?
                .expose_secret_json()
                .expose_secret()
                .to_owned())
        })?;
        ensure_file(&token_path, || {
            Ok(TokenKeyset::generate()?
                .expose_secret_json()
                .expose_secret()
                .to_owned())
        })?;
        check_mode(&pseudonym_path, 0o077)?;
        check_mode(&token_path, 0o077)?;
        let keyset = Keyset::from_file(&pseudonym_path)?;
        let tokens = TokenKeyset::from_file(&token_path)?;
        OutboxKeys::from_keysets(&keyset, tokens)
    }

    /// Keys from keysets held elsewhere (a secrets manager, the environment).
    ///
    /// # Errors
    ///
    /// Does not fail for well-formed keysets; [`KeysError::Keyset`] is reserved for a
    /// domain the pseudonym crate refuses.
    pub fn from_keysets(keyset: &Keyset, tokens: TokenKeyset) -> Result<OutboxKeys, KeysError> {
        let domain = |name: &str| {
            Domain::new(name).map_err(|e| KeysError::Domain {
                reason: e.to_string(),
            })
        };
        Ok(OutboxKeys {
            subjects: keyset.pseudonymizer(&domain(SUBJECT_DOMAIN)?),
            wamids: keyset.pseudonymizer(&domain(WAMID_DOMAIN)?),
            tokens,
            send_domain: domain(SEND_DOMAIN)?,
        })
    }

    /// Fresh random keys held in memory only (tests, rehearsals).
    ///
    /// # Errors
    ///
    /// [`KeysError::Keyset`] when the operating system's random source fails.
    pub fn generate() -> Result<OutboxKeys, KeysError> {
        OutboxKeys::from_keysets(&Keyset::generate()?, TokenKeyset::generate()?)
    }

    /// The canonical subject of a phone number.
    #[must_use]
    pub fn subject_of_phone(&self, number: &PhoneNumber) -> SubjectRef {
        SubjectRef::from_pseudonym(&self.subjects.pseudonymize(&Subject::phone(number)))
    }

    /// The subject of a BSUID (link it to the number's subject with
    /// [`Store::link_alias`](crate::store::Store::link_alias)).
    #[must_use]
    pub fn subject_of_bsuid(&self, id: &Bsuid) -> SubjectRef {
        SubjectRef::from_pseudonym(&self.subjects.pseudonymize(&Subject::bsuid(id)))
    }

    /// The send token of a number.
    ///
    /// # Errors
    ///
    /// [`KeysError::Token`] if the cipher refuses (it does not for phone numbers).
    pub fn token_of_phone(&self, number: &PhoneNumber) -> Result<SendToken, KeysError> {
        let token = self
            .tokens
            .tokenize(&self.send_domain, &Subject::phone(number))?;
        Ok(SendToken::from_token(&token))
    }

    /// The number (or BSUID) behind a send token.
    ///
    /// # Errors
    ///
    /// [`KeysError::Token`] when the token is damaged or was made with other keys.
    pub fn contact_of(&self, token: &SendToken) -> Result<Contact, KeysError> {
        let token = token
            .token()
            .map_err(|_| KeysError::Token(TokenError::Format))?;
        Ok(self.tokens.detokenize(&self.send_domain, &token)?)
    }

    /// The keyed MAC of a wamid: the pseudonym, in the domain [`WAMID_DOMAIN`], of the
    /// SHA-256 digest of the wamid (framed as a BSUID-shaped value, `WM.<hex>`, so the
    /// keyed pseudonym function applies unchanged to ids of any length).
    #[must_use]
    pub fn wamid_mac(&self, wamid: &str) -> WamidMac {
        let digest = data_encoding::HEXLOWER.encode(&Sha256::digest(wamid.as_bytes()));
        let framed = format!("WM.{digest}");
        match Bsuid::new(&framed) {
            Ok(id) => {
                WamidMac::from_stored(&self.wamids.pseudonymize(&Subject::bsuid(&id)).to_string())
            }
            // `WM.` and 64 hex digits is always a valid BSUID shape.
            Err(_) => WamidMac::from_stored(&framed),
        }
    }
}

fn ensure_file(
    path: &Path,
    make: impl FnOnce() -> Result<String, KeysError>,
) -> Result<(), KeysError> {
    if fs::symlink_metadata(path).is_ok() {
        return Ok(());
    }
    let json = make()?;
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    // A unique temporary name: process id and a per-process counter.
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let random = format!("{}-{n}", std::process::id());
    let temp = dir.join(format!(".{name}.{random}.tmp"));
    let result = (|| {
        let mut file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&temp)?;
        file.write_all(json.as_bytes())?;
        file.sync_all()?;
        drop(file);
        match fs::hard_link(&temp, path) {
            Ok(()) => {}
            // Another process created it first: use theirs.
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(e),
        }
        if let Ok(d) = File::open(dir) {
            let _ = d.sync_all();
        }
        Ok(())
    })();
    let _ = fs::remove_file(&temp);
    result.map_err(|source| KeysError::io(path, source))
}

/// Refuses `path` when any of the `forbidden` permission bits is set.
fn check_mode(path: &Path, forbidden: u32) -> Result<(), KeysError> {
    let meta = fs::metadata(path).map_err(|source| KeysError::io(path, source))?;
    let mode = meta.permissions().mode() & 0o777;
    if mode & forbidden != 0 {
        return Err(KeysError::Permissions {
            path: path.to_path_buf(),
            mode,
        });
    }
    Ok(())
}

/// The outbox's keys could not be opened, created or used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum KeysError {
    /// A file or the directory could not be created or read.
    #[error("outbox keys {}: {source}", path.display())]
    Io {
        /// The path.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// A key file is open to the group or others, or the directory is writable by them.
    #[error(
        "outbox keys {} have mode {mode:04o}: group and others must have no access (chmod go= {})",
        path.display(),
        path.display()
    )]
    Permissions {
        /// The path.
        path: PathBuf,
        /// Its permission bits.
        mode: u32,
    },
    /// A keyset file is damaged or the random source failed.
    #[error(transparent)]
    Keyset(#[from] KeysetError),
    /// A token could not be made or read.
    #[error("send token: {0}")]
    Token(#[from] TokenError),
    /// A key domain was refused.
    #[error("key domain: {reason}")]
    Domain {
        /// Why.
        reason: String,
    },
}

impl KeysError {
    fn io(path: &Path, source: std::io::Error) -> KeysError {
        KeysError::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}
