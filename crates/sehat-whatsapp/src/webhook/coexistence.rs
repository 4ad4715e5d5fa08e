//! The WhatsApp Business app's coexistence fields: `history` (the chat history of a number
//! being onboarded) and `smb_app_state_sync` (contact changes in the app). The third,
//! `smb_message_echoes`, has the shape of `messages` ([`MessagesValue`](super::MessagesValue)).

use serde::Deserialize;
use serde_json::{Map, Value};

use super::error_entry::ErrorEntry;
use super::lenient::{self, Extra, Fallback};
use super::message::InboundMessage;
use super::metadata::Metadata;

/// The value of a `history` change.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct HistoryValue {
    /// Always `whatsapp`.
    #[serde(deserialize_with = "lenient::string")]
    pub messaging_product: Option<String>,
    /// The business phone number.
    pub metadata: Option<Metadata>,
    /// The history chunks.
    #[serde(deserialize_with = "lenient::items")]
    pub history: Vec<HistoryChunk>,
    /// Fields this version does not model.
    #[serde(flatten)]
    pub extra: Extra,
}

/// One chunk of chat history.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct HistoryChunk {
    /// `phase`, `chunk_order`, `progress`.
    pub metadata: Option<Map<String, Value>>,
    /// The chat threads, one per user.
    #[serde(deserialize_with = "lenient::items")]
    pub threads: Vec<HistoryThread>,
    /// Why history could not be shared (the business declined).
    #[serde(deserialize_with = "lenient::items")]
    pub errors: Vec<ErrorEntry>,
    /// Fields this version does not model.
    #[serde(flatten)]
    pub extra: Extra,
}

impl Fallback for HistoryChunk {
    fn fallback(raw: Extra) -> Self {
        Self {
            extra: raw,
            ..Self::default()
        }
    }
}

/// A chat thread in a history chunk.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct HistoryThread {
    /// The user's phone number (thread id).
    #[serde(deserialize_with = "lenient::string")]
    pub id: Option<String>,
    /// The messages, oldest first.
    #[serde(deserialize_with = "lenient::items")]
    pub messages: Vec<InboundMessage>,
    /// Fields this version does not model.
    #[serde(flatten)]
    pub extra: Extra,
}

impl Fallback for HistoryThread {
    fn fallback(raw: Extra) -> Self {
        Self {
            id: lenient::member(&raw, "id"),
            extra: raw,
            ..Self::default()
        }
    }
}

/// The value of a `smb_app_state_sync` change.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct StateSyncValue {
    /// Always `whatsapp`.
    #[serde(deserialize_with = "lenient::string")]
    pub messaging_product: Option<String>,
    /// The business phone number.
    pub metadata: Option<Metadata>,
    /// The changes (`type`, `action`, `contact`, `metadata`), as sent.
    pub state_sync: Vec<Map<String, Value>>,
    /// Fields this version does not model.
    #[serde(flatten)]
    pub extra: Extra,
}
