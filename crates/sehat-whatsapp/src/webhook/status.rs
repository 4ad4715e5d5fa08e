//! Message statuses: `value.statuses[]` in the `messages` field.

use serde::Deserialize;

use super::error_entry::ErrorEntry;
use super::lenient::{self, Extra, Fallback, open_enum};
use super::timestamp::Timestamp;
use super::user::{self, UserRef};
use crate::ids::{BusinessScopedUserId, MessageId, WaId};

open_enum! {
    /// What happened to a message the business sent.
    pub enum StatusKind {
        /// Sent to WhatsApp's servers.
        Sent => "sent",
        /// Delivered to the recipient's device (may be skipped when read at once).
        Delivered => "delivered",
        /// Read by the recipient.
        Read => "read",
        /// A voice message was played.
        Played => "played",
        /// Not delivered; see the status's `errors`.
        Failed => "failed",
        /// A message was deleted.
        Deleted => "deleted",
        /// A message is waiting to be sent.
        Pending => "pending",
    }
}

open_enum! {
    /// The pricing model of a status's `pricing` object.
    pub enum PricingModel {
        /// Conversation-based pricing (until mid-2025).
        Cbp => "CBP",
        /// Per-message pricing (since 2025-07-01).
        Pmp => "PMP",
    }
}

open_enum! {
    /// The pricing category of a message.
    pub enum PricingCategory {
        /// A marketing template.
        Marketing => "marketing",
        /// A marketing template sent through the Marketing Messages API.
        MarketingLite => "marketing_lite",
        /// A utility template.
        Utility => "utility",
        /// An authentication template.
        Authentication => "authentication",
        /// An authentication template to an international number.
        AuthenticationInternational => "authentication-international",
        /// A message inside the customer-service window.
        Service => "service",
        /// A message in a free-entry-point window (click-to-WhatsApp ads).
        ReferralConversion => "referral_conversion",
    }
}

open_enum! {
    /// The pricing type of a message (per-message pricing).
    pub enum PricingType {
        /// Charged.
        Regular => "regular",
        /// Free: inside the customer-service window.
        FreeCustomerService => "free_customer_service",
        /// Free: inside a free-entry-point window.
        FreeEntryPoint => "free_entry_point",
    }
}

/// `statuses[].pricing`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct Pricing {
    /// Whether the message is billable.
    #[serde(deserialize_with = "lenient::boolean")]
    pub billable: Option<bool>,
    /// `CBP` or `PMP`.
    pub pricing_model: Option<PricingModel>,
    /// The pricing category.
    pub category: Option<PricingCategory>,
    /// The pricing type (per-message pricing).
    #[serde(rename = "type")]
    pub kind: Option<PricingType>,
    /// Fields this version does not model.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `statuses[].conversation` (conversation-based pricing).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct Conversation {
    /// The conversation id.
    #[serde(deserialize_with = "lenient::string")]
    pub id: Option<String>,
    /// When the conversation expires.
    pub expiration_timestamp: Option<Timestamp>,
    /// `origin.type`: what opened the conversation (`marketing`, `utility`, `service`, …).
    #[serde(deserialize_with = "origin_type")]
    pub origin: Option<String>,
    /// Fields this version does not model.
    #[serde(flatten)]
    pub extra: Extra,
}

fn origin_type<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    #[derive(Deserialize)]
    struct Origin {
        #[serde(rename = "type", default, deserialize_with = "lenient::string")]
        kind: Option<String>,
    }
    Ok(Option::<Origin>::deserialize(d)?.and_then(|o| o.kind))
}

/// One status of a message the business sent (`value.statuses[]`).
///
/// Deliveries are at least once: dedupe on `(id, status)` (see
/// [`DedupeKey`](super::DedupeKey)).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct Status {
    /// The message id (wamid) the status is about.
    #[serde(deserialize_with = "lenient::id")]
    pub id: Option<MessageId>,
    /// What happened.
    pub status: Option<StatusKind>,
    /// When it happened.
    pub timestamp: Option<Timestamp>,
    /// The recipient's phone number; absent when empty.
    #[serde(deserialize_with = "user::wa_id")]
    pub recipient_id: Option<WaId>,
    /// The recipient's business-scoped user id.
    #[serde(deserialize_with = "lenient::bsuid")]
    pub recipient_user_id: Option<BusinessScopedUserId>,
    /// The recipient's parent business-scoped user id.
    #[serde(deserialize_with = "lenient::bsuid")]
    pub parent_recipient_user_id: Option<BusinessScopedUserId>,
    /// `individual` or `group`.
    #[serde(deserialize_with = "lenient::string")]
    pub recipient_type: Option<String>,
    /// The group, for a message sent to a group.
    #[serde(deserialize_with = "lenient::non_empty")]
    pub group_id: Option<String>,
    /// In a group: the participant the status is about (phone number).
    #[serde(deserialize_with = "user::wa_id")]
    pub recipient_participant_id: Option<WaId>,
    /// In a group: the participant's business-scoped user id.
    #[serde(deserialize_with = "lenient::bsuid")]
    pub recipient_participant_user_id: Option<BusinessScopedUserId>,
    /// The string the business attached when sending.
    #[serde(deserialize_with = "lenient::string")]
    pub biz_opaque_callback_data: Option<String>,
    /// The conversation (conversation-based pricing).
    pub conversation: Option<Conversation>,
    /// Pricing.
    pub pricing: Option<Pricing>,
    /// Why the message failed (for `failed`).
    #[serde(deserialize_with = "lenient::items")]
    pub errors: Vec<ErrorEntry>,
    /// Fields this version does not model.
    #[serde(flatten)]
    pub extra: Extra,
}

impl Status {
    /// The recipient as a [`UserRef`].
    #[must_use]
    pub fn recipient(&self) -> UserRef {
        let mut user = UserRef::new(self.recipient_id.clone(), self.recipient_user_id.clone());
        user.parent_user_id = self.parent_recipient_user_id.clone();
        user
    }

    /// The status as Meta spells it (`sent`, `delivered`, `read`, `played`, `failed`, …),
    /// or `""` when the status had none.
    #[must_use]
    pub fn status_str(&self) -> &str {
        self.status.as_ref().map_or("", StatusKind::as_str)
    }
}

impl Status {
    /// Types an owned object member by member: a member of an unexpected type stays in
    /// `extra` and the others are still read.
    fn from_map(mut map: Extra) -> Self {
        use lenient::{take_non_empty, take_string, take_typed};
        Self {
            id: take_non_empty(&mut map, "id").map(MessageId::from),
            status: take_string(&mut map, "status").map(|s| StatusKind::parse(&s)),
            timestamp: take_typed(&mut map, "timestamp"),
            recipient_id: take_non_empty(&mut map, "recipient_id").map(WaId::new),
            recipient_user_id: take_non_empty(&mut map, "recipient_user_id")
                .map(BusinessScopedUserId::new),
            parent_recipient_user_id: take_non_empty(&mut map, "parent_recipient_user_id")
                .map(BusinessScopedUserId::new),
            recipient_type: take_string(&mut map, "recipient_type"),
            group_id: take_non_empty(&mut map, "group_id"),
            recipient_participant_id: take_non_empty(&mut map, "recipient_participant_id")
                .map(WaId::new),
            recipient_participant_user_id: take_non_empty(
                &mut map,
                "recipient_participant_user_id",
            )
            .map(BusinessScopedUserId::new),
            biz_opaque_callback_data: take_string(&mut map, "biz_opaque_callback_data"),
            conversation: take_typed(&mut map, "conversation"),
            pricing: take_typed(&mut map, "pricing"),
            errors: lenient::take_items(&mut map, "errors"),
            extra: map,
        }
    }
}

impl Fallback for Status {
    fn from_owned(value: serde_json::Value) -> Self {
        match value {
            serde_json::Value::Object(map) => Self::from_map(map.into()),
            other => lenient::item(other),
        }
    }

    fn fallback(raw: Extra) -> Self {
        Self {
            id: lenient::member(&raw, "id")
                .filter(|s| !s.is_empty())
                .map(MessageId::from),
            status: lenient::member(&raw, "status").map(|s| StatusKind::parse(&s)),
            extra: raw,
            ..Self::default()
        }
    }
}
