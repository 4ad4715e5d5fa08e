//! `calls`: calling events (connect, terminate) and call statuses.

use serde::Deserialize;

use super::error_entry::ErrorEntry;
use super::lenient::{self, Extra, Fallback};
use super::metadata::Metadata;
use super::status::Status;
use super::timestamp::Timestamp;
use super::user::{self, Contact};
use crate::ids::WaId;

/// The value of a `calls` change.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct CallsValue {
    /// Always `whatsapp`.
    #[serde(deserialize_with = "lenient::string")]
    pub messaging_product: Option<String>,
    /// The business phone number.
    pub metadata: Option<Metadata>,
    /// The users on the calls.
    #[serde(deserialize_with = "lenient::items")]
    pub contacts: Vec<Contact>,
    /// The calls.
    #[serde(deserialize_with = "lenient::items")]
    pub calls: Vec<Call>,
    /// Call statuses (`RINGING`, `ACCEPTED`, `REJECTED`).
    #[serde(deserialize_with = "lenient::items")]
    pub statuses: Vec<Status>,
    /// Errors.
    #[serde(deserialize_with = "lenient::items")]
    pub errors: Vec<ErrorEntry>,
    /// Fields this version does not model.
    #[serde(flatten)]
    pub extra: Extra,
}

/// One call event.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct Call {
    /// The call id.
    #[serde(deserialize_with = "lenient::string")]
    pub id: Option<String>,
    /// The caller's phone number.
    #[serde(deserialize_with = "user::wa_id")]
    pub from: Option<WaId>,
    /// The callee's phone number.
    #[serde(deserialize_with = "user::wa_id")]
    pub to: Option<WaId>,
    /// `connect` or `terminate`.
    #[serde(deserialize_with = "lenient::string")]
    pub event: Option<String>,
    /// `USER_INITIATED` or `BUSINESS_INITIATED`.
    #[serde(deserialize_with = "lenient::string")]
    pub direction: Option<String>,
    /// When it happened.
    pub timestamp: Option<Timestamp>,
    /// The call's final status, on `terminate`.
    #[serde(deserialize_with = "lenient::string")]
    pub status: Option<String>,
    /// Fields this version does not model (`session`, times, duration, …).
    #[serde(flatten)]
    pub extra: Extra,
}

impl Fallback for Call {
    fn fallback(raw: Extra) -> Self {
        Self {
            id: lenient::member(&raw, "id"),
            event: lenient::member(&raw, "event"),
            extra: raw,
            ..Self::default()
        }
    }
}
