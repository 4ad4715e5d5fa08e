//! `user_preferences`: users stopping and resuming marketing messages.

use serde::Deserialize;

use super::lenient::{self, Extra, Fallback, open_enum};
use super::metadata::Metadata;
use super::timestamp::Timestamp;
use super::user::{self, Contact, UserRef};
use crate::ids::{BusinessScopedUserId, WaId};

open_enum! {
    /// A user's marketing-message preference.
    pub enum PreferenceValue {
        /// The user stopped marketing messages: sending one fails with 131050.
        Stop => "stop",
        /// The user resumed marketing messages.
        Resume => "resume",
    }
}

/// One preference change (`value.user_preferences[]`).
///
/// Store a `stop` and honour it: a marketing template sent afterwards fails with 131050.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct UserPreference {
    /// The user's phone number; absent when empty.
    #[serde(deserialize_with = "user::wa_id")]
    pub wa_id: Option<WaId>,
    /// The user's business-scoped user id.
    #[serde(deserialize_with = "lenient::bsuid")]
    pub user_id: Option<BusinessScopedUserId>,
    /// A human-readable description.
    #[serde(deserialize_with = "lenient::string")]
    pub detail: Option<String>,
    /// The category (`marketing_messages`).
    #[serde(deserialize_with = "lenient::string")]
    pub category: Option<String>,
    /// `stop` or `resume`.
    pub value: Option<PreferenceValue>,
    /// When the user changed it.
    pub timestamp: Option<Timestamp>,
    /// Fields this version does not model.
    #[serde(flatten)]
    pub extra: Extra,
}

impl UserPreference {
    /// The user as a [`UserRef`].
    #[must_use]
    pub fn user(&self) -> UserRef {
        UserRef::new(self.wa_id.clone(), self.user_id.clone())
    }

    /// Whether this is an opt-out of marketing messages.
    #[must_use]
    pub fn is_marketing_stop(&self) -> bool {
        self.value == Some(PreferenceValue::Stop)
            && self
                .category
                .as_deref()
                .is_none_or(|c| c == "marketing_messages")
    }
}

impl Fallback for UserPreference {
    fn fallback(raw: Extra) -> Self {
        Self {
            wa_id: lenient::member(&raw, "wa_id")
                .filter(|s| !s.is_empty())
                .map(WaId::new),
            value: lenient::member(&raw, "value").map(|s| PreferenceValue::parse(&s)),
            extra: raw,
            ..Self::default()
        }
    }
}

/// The value of a `user_preferences` change.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct UserPreferencesValue {
    /// Always `whatsapp`.
    #[serde(deserialize_with = "lenient::string")]
    pub messaging_product: Option<String>,
    /// The business phone number.
    pub metadata: Option<Metadata>,
    /// The users concerned.
    #[serde(deserialize_with = "lenient::items")]
    pub contacts: Vec<Contact>,
    /// The preference changes.
    #[serde(deserialize_with = "lenient::items")]
    pub user_preferences: Vec<UserPreference>,
    /// Fields this version does not model.
    #[serde(flatten)]
    pub extra: Extra,
}
