//! Who a webhook is about: a phone number, a business-scoped user id, or both.

use serde::Deserialize;

use crate::ids::{BusinessScopedUserId, WaId};

use super::lenient::{self, Extra, Fallback};

/// Deserializes an optional [`WaId`], treating the empty string as absent.
pub(crate) fn wa_id<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<WaId>, D::Error> {
    Ok(lenient::non_empty(d)?.map(WaId::new))
}

/// A reference to a WhatsApp user: the phone number and the business-scoped user id
/// (BSUID), each optional.
///
/// Since 2026 a user may be known by a BSUID alone (`wa_id` is then the empty string, which
/// this type reads as absent, never as an empty number), and a user who changes phone number
/// gets a new BSUID. Key your records on [`best_key`](Self::best_key) and match with
/// [`matches`](Self::matches), which compares whichever identifiers both sides have.
///
/// # Examples
///
/// ```
/// use sehat_whatsapp::ids::{BusinessScopedUserId, WaId};
/// use sehat_whatsapp::webhook::UserRef;
///
/// let by_phone = UserRef::from_phone(WaId::new("6281234567890"));
/// let mut both = UserRef::from_user_id(BusinessScopedUserId::new("ID.1234567890abcdef"));
/// both.phone = Some(WaId::new("6281234567890"));
/// assert!(both.matches(&by_phone));
/// assert_eq!(both.best_key(), Some("ID.1234567890abcdef"));
/// ```
#[derive(Clone, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct UserRef {
    /// The phone number (`wa_id`, `from`, `recipient_id`), when Meta shares it.
    pub phone: Option<WaId>,
    /// The business-scoped user id (`user_id`, `from_user_id`, `recipient_user_id`).
    pub user_id: Option<BusinessScopedUserId>,
    /// The parent business-scoped user id, for businesses in a portfolio.
    pub parent_user_id: Option<BusinessScopedUserId>,
    /// The user's WhatsApp username, when they set one and Meta shares it.
    pub username: Option<String>,
}

crate::redact::masked_debug!(UserRef {
    phone: shown,
    user_id: shown,
    parent_user_id: shown,
    username: hidden,
});

impl UserRef {
    /// A user known by phone number only.
    #[must_use]
    pub fn from_phone(phone: WaId) -> Self {
        Self {
            phone: Some(phone),
            ..Self::default()
        }
    }

    /// A user known by business-scoped user id only.
    #[must_use]
    pub fn from_user_id(user_id: BusinessScopedUserId) -> Self {
        Self {
            user_id: Some(user_id),
            ..Self::default()
        }
    }

    /// The most stable identifier: the business-scoped user id when present, else the
    /// phone number's digits.
    #[must_use]
    pub fn best_key(&self) -> Option<&str> {
        self.user_id
            .as_ref()
            .map(BusinessScopedUserId::as_str)
            .or_else(|| self.phone.as_ref().map(WaId::as_str))
    }

    /// Whether neither identifier is known.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.phone.is_none() && self.user_id.is_none()
    }

    /// Whether both references name the same user: true when they share an identifier that
    /// both carry (phone number or business-scoped user id) and no identifier both carry
    /// differs.
    #[must_use]
    pub fn matches(&self, other: &UserRef) -> bool {
        let mut shared = false;
        if let (Some(a), Some(b)) = (&self.user_id, &other.user_id) {
            if a != b {
                return false;
            }
            shared = true;
        }
        if let (Some(a), Some(b)) = (&self.phone, &other.phone) {
            if a != b {
                return false;
            }
            shared = true;
        }
        shared
    }

    pub(crate) fn new(phone: Option<WaId>, user_id: Option<BusinessScopedUserId>) -> Self {
        Self {
            phone,
            user_id,
            ..Self::default()
        }
    }
}

/// The user profile in `contacts[].profile`.
#[derive(Clone, Default, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct Profile {
    /// The user's profile name.
    #[serde(deserialize_with = "lenient::string")]
    pub name: Option<String>,
    /// The user's WhatsApp username (from 2026).
    #[serde(deserialize_with = "lenient::non_empty")]
    pub username: Option<String>,
    /// The ISO 3166 country code of the user's number (with business-scoped ids).
    #[serde(deserialize_with = "lenient::non_empty")]
    pub country_code: Option<String>,
    /// Fields this version does not model.
    #[serde(flatten)]
    pub extra: Extra,
}

crate::redact::masked_debug!(Profile {
    name: hidden,
    username: hidden,
    country_code: shown,
    extra: shown,
});

/// An entry of `value.contacts[]`: who sent the messages (or received the message a status
/// is about) in the same change.
#[derive(Clone, Default, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct Contact {
    /// The user's profile.
    pub profile: Option<Profile>,
    /// The user's phone number; absent when `wa_id` was missing or empty.
    #[serde(deserialize_with = "wa_id")]
    pub wa_id: Option<WaId>,
    /// The business-scoped user id.
    #[serde(deserialize_with = "lenient::bsuid")]
    pub user_id: Option<BusinessScopedUserId>,
    /// The parent business-scoped user id.
    #[serde(deserialize_with = "lenient::bsuid")]
    pub parent_user_id: Option<BusinessScopedUserId>,
    /// A hash of the user's identity key, when the identity-change check is on.
    #[serde(deserialize_with = "lenient::string")]
    pub identity_key_hash: Option<String>,
    /// Fields this version does not model.
    #[serde(flatten)]
    pub extra: Extra,
}

crate::redact::masked_debug!(Contact {
    profile: shown,
    wa_id: shown,
    user_id: shown,
    parent_user_id: shown,
    identity_key_hash: hidden,
    extra: shown,
});

impl Contact {
    /// The contact as a [`UserRef`], username included.
    #[must_use]
    pub fn user(&self) -> UserRef {
        UserRef {
            phone: self.wa_id.clone(),
            user_id: self.user_id.clone(),
            parent_user_id: self.parent_user_id.clone(),
            username: self.profile.as_ref().and_then(|p| p.username.clone()),
        }
    }

    /// The profile name, when present.
    #[must_use]
    pub fn name(&self) -> Option<&str> {
        self.profile.as_ref()?.name.as_deref()
    }
}

impl Fallback for Contact {
    fn from_owned(value: serde_json::Value) -> Self {
        use lenient::{take_non_empty, take_string, take_typed};
        let serde_json::Value::Object(mut map) = value else {
            return lenient::item(value);
        };
        Self {
            profile: take_typed(&mut map, "profile"),
            wa_id: take_non_empty(&mut map, "wa_id").map(WaId::new),
            user_id: take_non_empty(&mut map, "user_id").map(BusinessScopedUserId::new),
            parent_user_id: take_non_empty(&mut map, "parent_user_id")
                .map(BusinessScopedUserId::new),
            identity_key_hash: take_string(&mut map, "identity_key_hash"),
            extra: map.into(),
        }
    }

    fn fallback(raw: Extra) -> Self {
        Self {
            wa_id: lenient::member(&raw, "wa_id")
                .filter(|s| !s.is_empty())
                .map(WaId::new),
            user_id: lenient::member(&raw, "user_id")
                .filter(|s| !s.is_empty())
                .map(BusinessScopedUserId::new),
            extra: raw,
            ..Self::default()
        }
    }
}
