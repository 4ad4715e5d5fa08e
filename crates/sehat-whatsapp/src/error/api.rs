//! The Graph API error object and its classification.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

/// An error returned by the Graph API: the inner object of `{"error": {...}}`, or one entry
/// of `errors[]` in a webhook (which carries `title` and `href` instead of `type` and
/// `fbtrace_id`).
///
/// Meta's advice is to branch on [`code`](ApiError::code) and
/// [`details`](ApiError::details), not on the HTTP status or the message. [`kind`]
/// and [`retry_class`] follow the crate's table (see `docs/whatsapp.md`). Fields the crate
/// does not model are kept in [`extra`](ApiError::extra).
///
/// `Display` always ends with the `fbtrace_id`, which Meta support asks for.
///
/// [`kind`]: ApiError::kind
/// [`retry_class`]: ApiError::retry_class
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ApiError {
    /// The message, usually `(#CODE) Title`.
    #[serde(default)]
    pub message: String,
    /// The exception type (`OAuthException`, `GraphMethodException`, …).
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub error_type: Option<String>,
    /// The error code: the value to branch on.
    #[serde(deserialize_with = "lenient_i64")]
    pub code: i64,
    /// The subcode (deprecated since v16, still sent for some errors).
    #[serde(
        default,
        deserialize_with = "lenient_opt_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub error_subcode: Option<i64>,
    /// The title (webhook `errors[]` entries).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Additional data: an object with `details` for messaging errors, a plain string for
    /// some management endpoints.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_data: Option<ErrorData>,
    /// A title meant for end users.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_user_title: Option<String>,
    /// A message meant for end users.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_user_msg: Option<String>,
    /// Whether Meta considers the error transient.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_transient: Option<bool>,
    /// The trace id to quote to Meta support.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fbtrace_id: Option<String>,
    /// A link to the error's documentation (webhook `errors[]` entries).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub href: Option<String>,
    /// Every field not modelled above.
    #[serde(flatten)]
    pub extra: crate::Extra,
}

/// The `error_data` of an [`ApiError`].
///
/// Read through a JSON value, so a repeated member keeps its last value, as everywhere
/// else in the crate (a derived untagged enum refused the object form for a repeated
/// `details` and kept the object as [`Other`](ErrorData::Other), losing
/// [`ApiError::details`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
#[non_exhaustive]
pub enum ErrorData {
    /// The usual object form.
    Object {
        /// Always `whatsapp` when present.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        messaging_product: Option<String>,
        /// What exactly was wrong.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        details: Option<String>,
        /// Every other field.
        #[serde(flatten)]
        extra: crate::Extra,
    },
    /// The string form some management endpoints use.
    Text(String),
    /// Any other shape (an object whose `messaging_product` or `details` is not a
    /// string, an array, a number), kept as is.
    Other(Value),
}

impl ErrorData {
    fn from_value(value: Value) -> Self {
        match value {
            Value::String(text) => Self::Text(text),
            Value::Object(mut map) => {
                let string_or_null =
                    |v: Option<&Value>| matches!(v, None | Some(Value::Null | Value::String(_)));
                if !string_or_null(map.get("messaging_product"))
                    || !string_or_null(map.get("details"))
                {
                    return Self::Other(Value::Object(map));
                }
                let mut take = |key: &str| match map.remove(key) {
                    Some(Value::String(s)) => Some(s),
                    _ => None,
                };
                let messaging_product = take("messaging_product");
                let details = take("details");
                Self::Object {
                    messaging_product,
                    details,
                    extra: map.into(),
                }
            }
            other => Self::Other(other),
        }
    }
}

impl<'de> Deserialize<'de> for ErrorData {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Value::deserialize(deserializer).map(Self::from_value)
    }
}

/// A whole error body, `{"error": {...}}`.
#[derive(Deserialize)]
struct Envelope {
    error: ApiError,
}

/// A body that was not a Graph API error body.
#[derive(Debug, thiserror::Error)]
#[error("not a Graph API error body: {0}")]
pub struct NotAnErrorBody(#[from] serde_json::Error);

impl ApiError {
    /// Parses a whole Graph API error body, `{"error": {...}}`.
    ///
    /// # Errors
    ///
    /// [`NotAnErrorBody`] when the bytes are not JSON or have no `error` object with a
    /// `code`; it says where parsing stopped.
    ///
    /// # Examples
    ///
    /// ```
    /// use sehat_whatsapp::error::{ApiError, ErrorKind, RetryClass};
    /// let body = br#"{"error":{"message":"(#131056) (Business Account, Consumer Account) pair rate limit hit","type":"OAuthException","code":131056,"fbtrace_id":"Az8or2yhqkZfEZ-_4Qn_Bam"}}"#;
    /// let error = ApiError::from_body(body)?;
    /// assert_eq!(error.code(), 131056);
    /// assert_eq!(error.kind(), ErrorKind::PairRateLimit);
    /// assert_eq!(error.retry_class(), RetryClass::RetryPair);
    /// assert_eq!(error.kind().as_str(), "pair_rate_limit");
    /// # Ok::<(), sehat_whatsapp::error::NotAnErrorBody>(())
    /// ```
    pub fn from_body(body: &[u8]) -> Result<Self, NotAnErrorBody> {
        Ok(serde_json::from_slice::<Envelope>(body)?.error)
    }

    /// The error code.
    #[must_use]
    pub fn code(&self) -> i64 {
        self.code
    }

    /// The subcode, when sent.
    #[must_use]
    pub fn subcode(&self) -> Option<i64> {
        self.error_subcode
    }

    /// `error_data.details` (or the string form of `error_data`).
    #[must_use]
    pub fn details(&self) -> Option<&str> {
        match self.error_data.as_ref()? {
            ErrorData::Object { details, .. } => details.as_deref(),
            ErrorData::Text(text) => Some(text),
            ErrorData::Other(_) => None,
        }
    }

    /// The `fbtrace_id`, when sent.
    #[must_use]
    pub fn fbtrace_id(&self) -> Option<&str> {
        self.fbtrace_id.as_deref()
    }

    /// What the error means, from its code.
    #[must_use]
    pub fn kind(&self) -> ErrorKind {
        classify(self.code, self.is_transient).0
    }

    /// What to do about it, from its code (and `is_transient` for codes the table does not
    /// list).
    #[must_use]
    pub fn retry_class(&self) -> RetryClass {
        classify(self.code, self.is_transient).1
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Graph API error {}", self.code)?;
        if let Some(subcode) = self.error_subcode {
            write!(f, "/{subcode}")?;
        }
        write!(f, " ({})", self.kind())?;
        if !self.message.is_empty() {
            write!(f, ": {}", self.message)?;
        } else if let Some(title) = &self.title {
            write!(f, ": {title}")?;
        }
        if let Some(details) = self.details() {
            write!(f, " [{details}]")?;
        }
        if let Some(trace) = &self.fbtrace_id {
            write!(f, " (fbtrace_id {trace})")?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

/// What an [`ApiError`] means, following the crate's error table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The token is missing, expired or invalid (0, 190).
    Auth,
    /// The token lacks a permission (10, 200–299, 131005).
    Permission,
    /// The request is malformed or a parameter is wrong (3, 33, 100, 131008, 131009, 131021,
    /// 131051, 131062, 135000).
    InvalidRequest,
    /// The phone number's throughput was exceeded (130429).
    Throughput,
    /// Too many messages to one user (131056).
    PairRateLimit,
    /// The app's call quota is used up (4, 17).
    AppRateLimit,
    /// The WABA's call quota is used up (80007).
    WabaRateLimit,
    /// The spam rate limit was hit (131048).
    SpamRateLimit,
    /// Free-form message outside the 24-hour customer-service window (131047).
    OutsideCustomerServiceWindow,
    /// The message cannot be delivered to this user (131026).
    Undeliverable,
    /// The user's number is part of an experiment (130472).
    RecipientInExperiment,
    /// The recipient is not in the test number's allowed list (131030).
    RecipientNotAllowed,
    /// The user stopped marketing messages (131050).
    RecipientOptedOut,
    /// The per-user marketing limit or the template-classification messaging limit (131049,
    /// 131064).
    MarketingLimit,
    /// Template parameters do not match the template (132000, 132005, 132007, 132008,
    /// 132012).
    TemplateMismatch,
    /// The template does not exist in that language or is not approved (132001).
    TemplateNotFound,
    /// The template is paused for low quality (132015).
    TemplatePaused,
    /// The template is disabled (132016).
    TemplateDisabled,
    /// Marketing templates must go through the Marketing Messages API (131063).
    MarketingApiRequired,
    /// Media could not be downloaded or uploaded (131052, 131053).
    Media,
    /// Blocked for policy reasons (368, 130497).
    Policy,
    /// The account is locked, unapproved or has a payment or eligibility problem (131031,
    /// 131037, 131042, 131044).
    AccountState,
    /// The account is in maintenance mode, for example during a throughput upgrade (131057).
    Maintenance,
    /// Registration or deregistration failed (131045, 133000–133016).
    Registration,
    /// A Flow is blocked or throttled, or a Flow management call failed (132068, 132069,
    /// 139000–139004).
    Flow,
    /// A block-users call failed (139100–139103).
    BlockUsers,
    /// The recipient's identity key changed (137000).
    IdentityMismatch,
    /// A temporary failure on Meta's side (1, 2, 131000, 131016).
    Transient,
    /// A code the table does not list.
    Unknown,
}

impl ErrorKind {
    /// The snake_case name, for logs and JSON.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Auth => "auth",
            Self::Permission => "permission",
            Self::InvalidRequest => "invalid_request",
            Self::Throughput => "throughput",
            Self::PairRateLimit => "pair_rate_limit",
            Self::AppRateLimit => "app_rate_limit",
            Self::WabaRateLimit => "waba_rate_limit",
            Self::SpamRateLimit => "spam_rate_limit",
            Self::OutsideCustomerServiceWindow => "outside_customer_service_window",
            Self::Undeliverable => "undeliverable",
            Self::RecipientInExperiment => "recipient_in_experiment",
            Self::RecipientNotAllowed => "recipient_not_allowed",
            Self::RecipientOptedOut => "recipient_opted_out",
            Self::MarketingLimit => "marketing_limit",
            Self::TemplateMismatch => "template_mismatch",
            Self::TemplateNotFound => "template_not_found",
            Self::TemplatePaused => "template_paused",
            Self::TemplateDisabled => "template_disabled",
            Self::MarketingApiRequired => "marketing_api_required",
            Self::Media => "media",
            Self::Policy => "policy",
            Self::AccountState => "account_state",
            Self::Maintenance => "maintenance",
            Self::Registration => "registration",
            Self::Flow => "flow",
            Self::BlockUsers => "block_users",
            Self::IdentityMismatch => "identity_mismatch",
            Self::Transient => "transient",
            Self::Unknown => "unknown",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What to do about an error: the retry classes of the crate's error table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RetryClass {
    /// Retry automatically with jittered backoff (seconds).
    RetryShort,
    /// Back off for this recipient only (4^n s) and keep sending to others.
    RetryPair,
    /// Re-queue for hours or days; never retry inside the request.
    RetryLong,
    /// The request or its data is wrong: fix it, do not retry as is.
    Fix,
    /// Account, recipient or policy state: alert a human, do not retry.
    Stop,
    /// Refresh or replace the token.
    Auth,
    /// A code the table does not list and that is not marked transient: not retried.
    Unknown,
}

impl RetryClass {
    /// The snake_case name, for logs and JSON.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::RetryShort => "retry_short",
            Self::RetryPair => "retry_pair",
            Self::RetryLong => "retry_long",
            Self::Fix => "fix",
            Self::Stop => "stop",
            Self::Auth => "auth",
            Self::Unknown => "unknown",
        }
    }

    /// Whether the client may retry the request by itself (only [`RetryClass::RetryShort`];
    /// per-recipient and long waits belong to the caller's queue).
    #[must_use]
    pub fn is_retried_in_request(self) -> bool {
        self == Self::RetryShort
    }
}

impl fmt::Display for RetryClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The crate's error table: code (and `is_transient` for unlisted codes) to kind and
/// retry class.
fn classify(code: i64, is_transient: Option<bool>) -> (ErrorKind, RetryClass) {
    use ErrorKind as K;
    use RetryClass as R;
    match code {
        0 | 190 => (K::Auth, R::Auth),
        1 | 2 | 131000 | 131016 => (K::Transient, R::RetryShort),
        3 | 33 | 100 | 131008 | 131009 | 131021 | 131051 | 131062 | 135000 => {
            (K::InvalidRequest, R::Fix)
        }
        4 | 17 => (K::AppRateLimit, R::RetryLong),
        10 | 200..=299 | 131005 => (K::Permission, R::Auth),
        368 | 130497 => (K::Policy, R::Stop),
        80007 => (K::WabaRateLimit, R::RetryLong),
        130429 => (K::Throughput, R::RetryShort),
        130472 => (K::RecipientInExperiment, R::Stop),
        131026 => (K::Undeliverable, R::Stop),
        131030 => (K::RecipientNotAllowed, R::Fix),
        131031 | 131037 | 131042 | 131044 => (K::AccountState, R::Stop),
        131045 => (K::Registration, R::Fix),
        131047 => (K::OutsideCustomerServiceWindow, R::Fix),
        131048 => (K::SpamRateLimit, R::RetryLong),
        131049 | 131064 => (K::MarketingLimit, R::RetryLong),
        131050 => (K::RecipientOptedOut, R::Stop),
        131052 | 131053 => (K::Media, R::RetryShort),
        131056 => (K::PairRateLimit, R::RetryPair),
        131057 => (K::Maintenance, R::RetryShort),
        131063 => (K::MarketingApiRequired, R::Fix),
        132000 | 132005 | 132007 | 132008 | 132012 => (K::TemplateMismatch, R::Fix),
        132001 => (K::TemplateNotFound, R::Fix),
        132015 => (K::TemplatePaused, R::Stop),
        132016 => (K::TemplateDisabled, R::Stop),
        132068 => (K::Flow, R::Stop),
        132069 => (K::Flow, R::RetryLong),
        133016 => (K::Registration, R::RetryLong),
        133000..=133015 => (K::Registration, R::Fix),
        137000 => (K::IdentityMismatch, R::Fix),
        139000..=139004 => (K::Flow, R::Fix),
        139102 => (K::BlockUsers, R::RetryShort),
        139100..=139103 => (K::BlockUsers, R::Fix),
        _ if is_transient == Some(true) => (K::Unknown, R::RetryShort),
        _ => (K::Unknown, R::Unknown),
    }
}

/// Accepts a number or a string holding one (a few endpoints quote numbers).
fn lenient_i64<'de, D: Deserializer<'de>>(deserializer: D) -> Result<i64, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum NumOrStr {
        Num(i64),
        Str(String),
    }
    match NumOrStr::deserialize(deserializer)? {
        NumOrStr::Num(n) => Ok(n),
        NumOrStr::Str(s) => s
            .trim()
            .parse()
            .map_err(|_| serde::de::Error::custom(format!("expected an integer code, got {s:?}"))),
    }
}

fn lenient_opt_i64<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<i64>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum NumOrStr {
        Num(i64),
        Str(String),
    }
    match Option::<NumOrStr>::deserialize(deserializer)? {
        None => Ok(None),
        Some(NumOrStr::Num(n)) => Ok(Some(n)),
        Some(NumOrStr::Str(s)) if s.trim().is_empty() => Ok(None),
        Some(NumOrStr::Str(s)) => s.trim().parse().map(Some).map_err(|_| {
            serde::de::Error::custom(format!("expected an integer subcode, got {s:?}"))
        }),
    }
}
