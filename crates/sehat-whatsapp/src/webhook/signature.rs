//! `X-Hub-Signature-256`: HMAC-SHA256 of the raw request body under the app secret.

use std::fmt;

use data_encoding::{HEXLOWER, HEXLOWER_PERMISSIVE};
use hmac::digest::KeyInit;
use hmac::digest::generic_array::GenericArray;
use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

/// The name of the header that carries the signature.
pub const SIGNATURE_HEADER: &str = "X-Hub-Signature-256";

/// SHA-256's block size: HMAC keys are zero-padded (or first hashed) to this length.
const BLOCK: usize = 64;

/// Length of an HMAC-SHA256 tag.
const TAG_LEN: usize = 32;

/// The HMAC state keyed with `app_secret`, ready to absorb a body.
fn keyed(app_secret: &[u8]) -> Hmac<Sha256> {
    // RFC 2104: a key longer than the block is hashed first, a shorter one is zero-padded.
    // Doing that here gives the infallible fixed-size constructor the exact same MAC. The
    // padded key (and the hash of a long one) are wiped when they go out of scope.
    let mut key = Zeroizing::new([0u8; BLOCK]);
    if app_secret.len() > BLOCK {
        let mut digest = Zeroizing::new([0u8; 32]);
        digest.copy_from_slice(&Sha256::digest(app_secret));
        key[..32].copy_from_slice(digest.as_slice());
    } else {
        key[..app_secret.len()].copy_from_slice(app_secret);
    }
    <Hmac<Sha256> as KeyInit>::new(GenericArray::from_slice(key.as_slice()))
}

/// Computes the `X-Hub-Signature-256` header value (`sha256=<lowercase hex>`) that Meta sends
/// with a webhook body signed under `app_secret`.
///
/// Useful for tests and for the mock Graph API, which signs the webhooks it posts.
///
/// # Examples
///
/// ```
/// let header = sehat_whatsapp::webhook::sign_payload(b"secret", b"{}");
/// assert!(header.starts_with("sha256="));
/// assert_eq!(header.len(), "sha256=".len() + 64);
/// ```
#[must_use]
pub fn sign_payload(app_secret: &[u8], body: &[u8]) -> String {
    let mut mac = keyed(app_secret);
    mac.update(body);
    format!("sha256={}", HEXLOWER.encode(&mac.finalize().into_bytes()))
}

/// A Meta app secret, the key of webhook signatures. `Debug` never shows it.
///
/// # Examples
///
/// ```
/// use sehat_whatsapp::webhook::AppSecret;
///
/// let secret = AppSecret::from("0123456789abcdef");
/// assert_eq!(format!("{secret:?}"), "AppSecret([REDACTED])");
/// ```
#[derive(Clone)]
pub struct AppSecret(SecretString);

impl AppSecret {
    /// Wraps a secret.
    #[must_use]
    pub fn new(secret: SecretString) -> Self {
        Self(secret)
    }

    fn bytes(&self) -> &[u8] {
        self.0.expose_secret().as_bytes()
    }
}

impl fmt::Debug for AppSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AppSecret([REDACTED])")
    }
}

impl From<SecretString> for AppSecret {
    fn from(secret: SecretString) -> Self {
        Self(secret)
    }
}

impl From<String> for AppSecret {
    fn from(secret: String) -> Self {
        Self(SecretString::from(secret))
    }
}

impl From<&str> for AppSecret {
    fn from(secret: &str) -> Self {
        Self(SecretString::from(secret))
    }
}

impl From<&String> for AppSecret {
    fn from(secret: &String) -> Self {
        Self::from(secret.as_str())
    }
}

/// Why a signature was refused. The messages never say how close a signature came.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SignatureError {
    /// The request had no `X-Hub-Signature-256` header.
    #[error("the X-Hub-Signature-256 header is missing")]
    Missing,
    /// The header was not `sha256=` followed by 64 hexadecimal digits.
    #[error("the X-Hub-Signature-256 header is not `sha256=` followed by 64 hex digits")]
    Malformed,
    /// The signature does not match the body under any configured app secret.
    #[error("the X-Hub-Signature-256 signature does not match the body")]
    Mismatch,
    /// No (non-empty) app secret is configured, so no signature can be accepted.
    #[error("no app secret is configured; every signature is refused")]
    NoAppSecret,
}

/// The HMAC states of one or more app secrets, precomputed once.
///
/// What holds key material, and what is wiped:
/// - the app secrets are [`SecretString`]s (zeroized on drop, never in `Debug`);
/// - the padded key built from a secret is wiped as soon as the state is keyed;
/// - the keyed states themselves (the SHA-256 states after `key ⊕ ipad` and
///   `key ⊕ opad`, which are as good as the key for forging a signature) are hmac's
///   `Hmac<Sha256>`, and neither hmac 0.12 nor sha2 0.10 / digest 0.10 offer a `zeroize`
///   feature (it arrives with hmac 0.13 / digest 0.11). On drop they are overwritten with
///   the states of an all-zero key, a store kept from being optimized away by
///   [`std::hint::black_box`] — best effort, not the guarantee `zeroize` gives. The copy
///   each verification makes to absorb a body lives on the stack and is not wiped.
#[derive(Clone)]
pub(crate) struct Keys(Vec<Hmac<Sha256>>);

impl Drop for Keys {
    fn drop(&mut self) {
        let blank = [0u8; BLOCK];
        for state in &mut self.0 {
            *state = <Hmac<Sha256> as KeyInit>::new(GenericArray::from_slice(&blank));
            std::hint::black_box(&*state);
        }
    }
}

impl Keys {
    /// Keys for every non-empty secret; empty secrets are ignored (an empty key would let
    /// anyone sign).
    pub(crate) fn new(secrets: impl IntoIterator<Item = AppSecret>) -> Self {
        Self(
            secrets
                .into_iter()
                .filter(|s| !s.bytes().is_empty())
                .map(|s| keyed(s.bytes()))
                .collect(),
        )
    }

    pub(crate) fn len(&self) -> usize {
        self.0.len()
    }

    /// Checks `header` against `body` under every key, in constant time per key, failing
    /// closed.
    pub(crate) fn verify(&self, body: &[u8], header: Option<&str>) -> Result<(), SignatureError> {
        if self.0.is_empty() {
            return Err(SignatureError::NoAppSecret);
        }
        let header = header.ok_or(SignatureError::Missing)?;
        let tag = parse_header(header)?;
        // Try every key without stopping early, so timing does not tell which key matched.
        let mut matched = false;
        for key in &self.0 {
            let mut mac = key.clone();
            mac.update(body);
            matched |= mac.verify_slice(&tag).is_ok();
        }
        if matched {
            Ok(())
        } else {
            Err(SignatureError::Mismatch)
        }
    }
}

impl fmt::Debug for Keys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} app secret(s) [REDACTED]", self.0.len())
    }
}

/// Reads `sha256=<64 hex digits>` (the prefix and the digits in either case, surrounding
/// blanks ignored).
fn parse_header(header: &str) -> Result<[u8; TAG_LEN], SignatureError> {
    let header = header.trim();
    let (algorithm, digits) = header.split_once('=').ok_or(SignatureError::Malformed)?;
    if !algorithm.trim().eq_ignore_ascii_case("sha256") {
        return Err(SignatureError::Malformed);
    }
    let digits = digits.trim();
    if digits.len() != TAG_LEN * 2 {
        return Err(SignatureError::Malformed);
    }
    // Either case, as the header's prefix. `decode_mut` needs an output of exactly
    // `decode_len` bytes; the length check above makes that 32.
    let mut tag = [0u8; TAG_LEN];
    let len = HEXLOWER_PERMISSIVE
        .decode_len(digits.len())
        .map_err(|_| SignatureError::Malformed)?;
    if len != TAG_LEN {
        return Err(SignatureError::Malformed);
    }
    HEXLOWER_PERMISSIVE
        .decode_mut(digits.as_bytes(), &mut tag)
        .map_err(|_| SignatureError::Malformed)?;
    Ok(tag)
}

/// Checks a webhook body's `X-Hub-Signature-256` header against one or more app secrets.
///
/// The HMAC is computed over `body` exactly as received (never re-serialized JSON) and
/// compared in constant time. It fails closed: a missing or malformed header, or no usable
/// secret, is an error. Pass the old and the new secret while rotating.
///
/// # Errors
///
/// See [`SignatureError`].
///
/// # Examples
///
/// ```
/// use sehat_whatsapp::webhook::{sign_payload, verify_signature, SignatureError};
///
/// let body = br#"{"object":"whatsapp_business_account","entry":[]}"#;
/// let header = sign_payload(b"new-secret", body);
/// verify_signature(["old-secret", "new-secret"], body, Some(&header))?;
/// assert_eq!(
///     verify_signature(["old-secret"], body, Some(&header)),
///     Err(SignatureError::Mismatch)
/// );
/// assert_eq!(verify_signature(["new-secret"], body, None), Err(SignatureError::Missing));
/// # Ok::<(), SignatureError>(())
/// ```
pub fn verify_signature<I, S>(
    app_secrets: I,
    body: &[u8],
    header: Option<&str>,
) -> Result<(), SignatureError>
where
    I: IntoIterator<Item = S>,
    S: Into<AppSecret>,
{
    Keys::new(app_secrets.into_iter().map(Into::into)).verify(body, header)
}
