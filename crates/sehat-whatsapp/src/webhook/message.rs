//! The `messages` field: messages users send to the business (`value.messages[]`, and the
//! echoes and history of the WhatsApp Business app, which share the shape), with the
//! value that carries them and the statuses and errors of the same field
//! ([`MessagesValue`]).

use serde::de::{MapAccess, Visitor};
use serde::{Deserialize, Deserializer};
use serde_json::Value;
use serde_json::value::RawValue;

use super::error_entry::ErrorEntry;
use super::lenient::{self, Extra, Fallback, FieldModel, open_enum};
use super::metadata::Metadata;
use super::status::Status;
use super::timestamp::Timestamp;
use super::user::{self, Contact, UserRef};
use crate::ids::{BusinessScopedUserId, MediaId, MessageId, WaId};

/// One message from a user (`value.messages[]`).
///
/// The fields every message has are typed here; what depends on the message's `type` is in
/// [`content`](Self::content). A type this version does not know, or a known type whose
/// object does not have the documented shape, becomes [`MessageContent::Unknown`] with the
/// raw JSON, so nothing is lost and nothing is rejected.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct InboundMessage {
    /// The message id (wamid).
    pub id: Option<MessageId>,
    /// The sender's phone number; absent when `from` was missing or empty.
    pub from: Option<WaId>,
    /// The sender's business-scoped user id.
    pub from_user_id: Option<BusinessScopedUserId>,
    /// The sender's parent business-scoped user id.
    pub from_parent_user_id: Option<BusinessScopedUserId>,
    /// The recipient, on message echoes (`smb_message_echoes`) and history.
    pub to: Option<WaId>,
    /// The group the message was sent in, for group messages.
    pub group_id: Option<String>,
    /// When the message was sent.
    pub timestamp: Option<Timestamp>,
    /// The message type as Meta spells it (`text`, `image`, `interactive`, …).
    pub kind: String,
    /// The type-specific content.
    pub content: MessageContent,
    /// What the message replies to or was forwarded from.
    pub context: Option<Context>,
    /// The click-to-WhatsApp ad or post the user came from.
    pub referral: Option<Referral>,
    /// Errors attached to the message (for `unsupported` messages).
    pub errors: Vec<ErrorEntry>,
    /// Fields this version does not model.
    pub extra: Extra,
}

impl InboundMessage {
    /// The sender as a [`UserRef`].
    #[must_use]
    pub fn sender(&self) -> UserRef {
        let mut user = UserRef::new(self.from.clone(), self.from_user_id.clone());
        user.parent_user_id = self.from_parent_user_id.clone();
        user
    }

    /// The text a person typed or chose, for the types that carry one: a text body, a
    /// media caption, a quick-reply button's text, an interactive reply's title, or a
    /// reaction's emoji.
    #[must_use]
    pub fn text(&self) -> Option<&str> {
        match &self.content {
            MessageContent::Text(text) => text.body.as_deref(),
            MessageContent::Image(media)
            | MessageContent::Video(media)
            | MessageContent::Document(media)
            | MessageContent::Audio(media)
            | MessageContent::Sticker(media) => media.caption.as_deref(),
            MessageContent::Button(button) => button.text.as_deref(),
            MessageContent::Interactive(reply) => reply.title(),
            MessageContent::Reaction(reaction) => reaction.emoji.as_deref(),
            _ => None,
        }
    }
}

/// The type-specific content of a message.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub enum MessageContent {
    /// `text`.
    Text(Text),
    /// `image`.
    Image(Media),
    /// `audio` (a voice note has `voice: true`).
    Audio(Media),
    /// `video`.
    Video(Media),
    /// `document`.
    Document(Media),
    /// `sticker`.
    Sticker(Media),
    /// `location`.
    Location(Location),
    /// `contacts`: contact cards the user shared.
    Contacts(Vec<SharedContact>),
    /// `reaction`: an emoji on an earlier message (no emoji: the reaction was removed).
    Reaction(Reaction),
    /// `interactive`: a reply to reply buttons, a list, or a Flow.
    Interactive(InteractiveReply),
    /// `button`: a template's quick-reply button.
    Button(ButtonReply),
    /// `order`: a cart sent from a catalog.
    Order(Order),
    /// `system`: the user changed number or id.
    System(SystemEvent),
    /// `request_welcome`: the user opened the chat for the first time.
    RequestWelcome,
    /// `unsupported` or `unknown`: a type the Cloud API does not deliver; see the
    /// message's `errors` (code 131051).
    Unsupported,
    /// A type this version does not know, or a known type whose object did not have the
    /// documented shape: the type and the raw JSON of its object.
    Unknown {
        /// The message type.
        kind: String,
        /// The raw object under the type's key (`null` when there was none).
        raw: Value,
    },
    /// No type at all.
    #[default]
    Empty,
}

/// A text message's content.
#[derive(Clone, Default, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct Text {
    /// The text.
    #[serde(deserialize_with = "lenient::string")]
    pub body: Option<String>,
    /// Fields this version does not model.
    #[serde(flatten)]
    pub extra: Extra,
}

crate::redact::masked_debug!(Text {
    body: hidden,
    extra: shown,
});

/// A media message's content (image, audio, video, document, sticker).
#[derive(Clone, Default, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct Media {
    /// The media id, for `GET /{media-id}` (valid for 7 days).
    #[serde(deserialize_with = "lenient::id")]
    pub id: Option<MediaId>,
    /// The MIME type.
    #[serde(deserialize_with = "lenient::string")]
    pub mime_type: Option<String>,
    /// The SHA-256 of the file (base64).
    #[serde(deserialize_with = "lenient::string")]
    pub sha256: Option<String>,
    /// The caption.
    #[serde(deserialize_with = "lenient::string")]
    pub caption: Option<String>,
    /// The file name (documents).
    #[serde(deserialize_with = "lenient::string")]
    pub filename: Option<String>,
    /// Whether an audio message is a voice note.
    #[serde(deserialize_with = "lenient::boolean")]
    pub voice: Option<bool>,
    /// Whether a sticker is animated.
    #[serde(deserialize_with = "lenient::boolean")]
    pub animated: Option<bool>,
    /// A direct download URL, when Meta includes one.
    #[serde(deserialize_with = "lenient::string")]
    pub url: Option<String>,
    /// Fields this version does not model.
    #[serde(flatten)]
    pub extra: Extra,
}

crate::redact::masked_debug!(Media {
    id: shown,
    mime_type: shown,
    sha256: shown,
    caption: hidden,
    filename: hidden,
    voice: shown,
    animated: shown,
    url: shown,
    extra: shown,
});

/// A location message's content.
#[derive(Clone, Default, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct Location {
    /// Latitude in degrees.
    #[serde(deserialize_with = "lenient::float")]
    pub latitude: Option<f64>,
    /// Longitude in degrees.
    #[serde(deserialize_with = "lenient::float")]
    pub longitude: Option<f64>,
    /// The place's name.
    #[serde(deserialize_with = "lenient::string")]
    pub name: Option<String>,
    /// The place's address.
    #[serde(deserialize_with = "lenient::string")]
    pub address: Option<String>,
    /// A URL for the place.
    #[serde(deserialize_with = "lenient::string")]
    pub url: Option<String>,
    /// Fields this version does not model.
    #[serde(flatten)]
    pub extra: Extra,
}

crate::redact::masked_debug!(Location {
    latitude: hidden,
    longitude: hidden,
    name: hidden,
    address: hidden,
    url: hidden,
    extra: shown,
});

/// A contact card shared in a `contacts` message.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct SharedContact {
    /// The contact's name parts (`formatted_name`, `first_name`, …).
    pub name: Option<ContactName>,
    /// The contact's phone numbers.
    #[serde(deserialize_with = "lenient::items")]
    pub phones: Vec<ContactPhone>,
    /// Fields this version does not model (addresses, emails, org, urls, birthday).
    #[serde(flatten)]
    pub extra: Extra,
}

impl Fallback for SharedContact {
    fn fallback(raw: Extra) -> Self {
        Self {
            extra: raw,
            ..Self::default()
        }
    }
}

/// The name on a shared contact card.
#[derive(Clone, Default, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct ContactName {
    /// The full name as displayed.
    #[serde(deserialize_with = "lenient::string")]
    pub formatted_name: Option<String>,
    /// The first name.
    #[serde(deserialize_with = "lenient::string")]
    pub first_name: Option<String>,
    /// The last name.
    #[serde(deserialize_with = "lenient::string")]
    pub last_name: Option<String>,
    /// Fields this version does not model.
    #[serde(flatten)]
    pub extra: Extra,
}

crate::redact::masked_debug!(ContactName {
    formatted_name: hidden,
    first_name: hidden,
    last_name: hidden,
    extra: shown,
});

/// A phone number on a shared contact card.
#[derive(Clone, Default, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct ContactPhone {
    /// The number as written on the card.
    #[serde(deserialize_with = "lenient::string")]
    pub phone: Option<String>,
    /// The WhatsApp id of the number, when it is on WhatsApp.
    #[serde(deserialize_with = "user::wa_id")]
    pub wa_id: Option<WaId>,
    /// `HOME`, `WORK`, `CELL`, …
    #[serde(rename = "type", deserialize_with = "lenient::string")]
    pub kind: Option<String>,
    /// Fields this version does not model.
    #[serde(flatten)]
    pub extra: Extra,
}

crate::redact::masked_debug!(ContactPhone {
    phone: number,
    wa_id: shown,
    kind: shown,
    extra: shown,
});

impl Fallback for ContactPhone {
    fn fallback(raw: Extra) -> Self {
        Self {
            extra: raw,
            ..Self::default()
        }
    }
}

/// A reaction's content.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct Reaction {
    /// The message reacted to.
    #[serde(deserialize_with = "lenient::id")]
    pub message_id: Option<MessageId>,
    /// The emoji; absent when the user removed their reaction.
    #[serde(deserialize_with = "lenient::non_empty")]
    pub emoji: Option<String>,
    /// Fields this version does not model.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A template quick-reply button press (`type: button`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct ButtonReply {
    /// The payload the business set on the button.
    #[serde(deserialize_with = "lenient::string")]
    pub payload: Option<String>,
    /// The button's text.
    #[serde(deserialize_with = "lenient::string")]
    pub text: Option<String>,
    /// Fields this version does not model.
    #[serde(flatten)]
    pub extra: Extra,
}

/// The user's answer to an interactive message (`type: interactive`).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum InteractiveReply {
    /// A reply button was pressed.
    ButtonReply {
        /// The button id the business set.
        id: Option<String>,
        /// The button title.
        title: Option<String>,
    },
    /// A list row was chosen.
    ListReply {
        /// The row id the business set.
        id: Option<String>,
        /// The row title.
        title: Option<String>,
        /// The row description.
        description: Option<String>,
    },
    /// A Flow was completed (`nfm_reply`).
    FlowReply {
        /// The Flow's name (`flow`, or `address_message` for address messages).
        name: Option<String>,
        /// The text shown in the chat.
        body: Option<String>,
        /// The Flow's response, a JSON document in a string as Meta sends it.
        response_json: Option<String>,
    },
    /// An interactive reply type this version does not know: its type and raw object.
    Unknown {
        /// The interactive type.
        kind: String,
        /// The raw `interactive` object.
        raw: Value,
    },
}

impl InteractiveReply {
    /// The interactive type as Meta spells it.
    #[must_use]
    pub fn kind(&self) -> &str {
        match self {
            Self::ButtonReply { .. } => "button_reply",
            Self::ListReply { .. } => "list_reply",
            Self::FlowReply { .. } => "nfm_reply",
            Self::Unknown { kind, .. } => kind,
        }
    }

    /// The id the business gave the chosen button or row.
    #[must_use]
    pub fn id(&self) -> Option<&str> {
        match self {
            Self::ButtonReply { id, .. } | Self::ListReply { id, .. } => id.as_deref(),
            _ => None,
        }
    }

    /// The title of the chosen button or row, or a Flow reply's body.
    #[must_use]
    pub fn title(&self) -> Option<&str> {
        match self {
            Self::ButtonReply { title, .. } | Self::ListReply { title, .. } => title.as_deref(),
            Self::FlowReply { body, .. } => body.as_deref(),
            Self::Unknown { .. } => None,
        }
    }

    fn from_value(value: Value) -> Self {
        #[derive(Deserialize, Default)]
        #[serde(default)]
        struct Reply {
            #[serde(deserialize_with = "lenient::string")]
            id: Option<String>,
            #[serde(deserialize_with = "lenient::string")]
            title: Option<String>,
            #[serde(deserialize_with = "lenient::string")]
            description: Option<String>,
            #[serde(deserialize_with = "lenient::string")]
            name: Option<String>,
            #[serde(deserialize_with = "lenient::string")]
            body: Option<String>,
            #[serde(deserialize_with = "json_text")]
            response_json: Option<String>,
        }
        let kind = value
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let reply = value.get(&kind).map(Reply::deserialize);
        match (kind.as_str(), reply) {
            ("button_reply", Some(Ok(r))) => Self::ButtonReply {
                id: r.id,
                title: r.title,
            },
            ("list_reply", Some(Ok(r))) => Self::ListReply {
                id: r.id,
                title: r.title,
                description: r.description,
            },
            ("nfm_reply", Some(Ok(r))) => Self::FlowReply {
                name: r.name,
                body: r.body,
                response_json: r.response_json,
            },
            _ => Self::Unknown { kind, raw: value },
        }
    }
}

/// A JSON document Meta sends inside a string; an object is kept as its JSON text.
fn json_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Null => None,
        Value::String(s) => Some(s),
        other => Some(other.to_string()),
    })
}

/// A cart order (`type: order`).
#[derive(Clone, Default, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct Order {
    /// The catalog id.
    #[serde(deserialize_with = "lenient::string")]
    pub catalog_id: Option<String>,
    /// The text the user sent with the order.
    #[serde(deserialize_with = "lenient::string")]
    pub text: Option<String>,
    /// The products ordered.
    #[serde(deserialize_with = "lenient::items")]
    pub product_items: Vec<OrderItem>,
    /// Fields this version does not model.
    #[serde(flatten)]
    pub extra: Extra,
}

crate::redact::masked_debug!(Order {
    catalog_id: shown,
    text: hidden,
    product_items: shown,
    extra: shown,
});

/// One line of an [`Order`].
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct OrderItem {
    /// The product's retailer id.
    #[serde(deserialize_with = "lenient::string")]
    pub product_retailer_id: Option<String>,
    /// How many.
    #[serde(deserialize_with = "lenient::float")]
    pub quantity: Option<f64>,
    /// The unit price.
    #[serde(deserialize_with = "lenient::float")]
    pub item_price: Option<f64>,
    /// The ISO 4217 currency.
    #[serde(deserialize_with = "lenient::string")]
    pub currency: Option<String>,
    /// Fields this version does not model.
    #[serde(flatten)]
    pub extra: Extra,
}

impl Fallback for OrderItem {
    fn fallback(raw: Extra) -> Self {
        Self {
            extra: raw,
            ..Self::default()
        }
    }
}

open_enum! {
    /// What a `system` message reports.
    pub enum SystemEventKind {
        /// The user changed phone number.
        UserChangedNumber => "user_changed_number",
        /// The user's business-scoped user id changed.
        UserChangedUserId => "user_changed_user_id",
        /// The user's identity (security code) changed.
        CustomerIdentityChanged => "customer_identity_changed",
        /// The user changed phone number (older spelling).
        CustomerChangedNumber => "customer_changed_number",
    }
}

/// A `system` message: the user changed number, id or identity.
#[derive(Clone, Default, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct SystemEvent {
    /// A human-readable description.
    #[serde(deserialize_with = "lenient::string")]
    pub body: Option<String>,
    /// What changed.
    #[serde(rename = "type")]
    pub kind: Option<SystemEventKind>,
    /// The user's new phone number (`wa_id`, or `new_wa_id` in older payloads).
    #[serde(alias = "new_wa_id", deserialize_with = "user::wa_id")]
    pub wa_id: Option<WaId>,
    /// The user's new business-scoped user id.
    #[serde(alias = "new_user_id", deserialize_with = "lenient::bsuid")]
    pub user_id: Option<BusinessScopedUserId>,
    /// The user's previous business-scoped user id, when Meta sends it.
    #[serde(deserialize_with = "lenient::bsuid")]
    pub previous_user_id: Option<BusinessScopedUserId>,
    /// The user's identity hash (identity changes).
    #[serde(deserialize_with = "lenient::string")]
    pub identity: Option<String>,
    /// The user (older payloads).
    #[serde(deserialize_with = "lenient::string")]
    pub customer: Option<String>,
    /// Fields this version does not model.
    #[serde(flatten)]
    pub extra: Extra,
}

crate::redact::masked_debug!(SystemEvent {
    body: hidden,
    kind: shown,
    wa_id: shown,
    user_id: shown,
    previous_user_id: shown,
    identity: hidden,
    customer: number,
    extra: shown,
});

/// `messages[].context`: the message this one replies to, or forwarding information.
#[derive(Clone, Default, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct Context {
    /// The sender of the replied-to message (the business's number for replies to it).
    #[serde(deserialize_with = "lenient::non_empty")]
    pub from: Option<String>,
    /// The replied-to message id.
    #[serde(deserialize_with = "lenient::id")]
    pub id: Option<MessageId>,
    /// Whether the message was forwarded.
    #[serde(deserialize_with = "lenient::boolean")]
    pub forwarded: Option<bool>,
    /// Whether the message was forwarded many times.
    #[serde(deserialize_with = "lenient::boolean")]
    pub frequently_forwarded: Option<bool>,
    /// The product the user asked about (`catalog_id`, `product_retailer_id`).
    pub referred_product: Option<Extra>,
    /// Fields this version does not model.
    #[serde(flatten)]
    pub extra: Extra,
}

crate::redact::masked_debug!(Context {
    from: number,
    id: shown,
    forwarded: shown,
    frequently_forwarded: shown,
    referred_product: shown,
    extra: shown,
});

/// `messages[].referral`: the click-to-WhatsApp ad or post the user came from.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct Referral {
    /// The ad or post URL.
    #[serde(deserialize_with = "lenient::string")]
    pub source_url: Option<String>,
    /// The ad or post id.
    #[serde(deserialize_with = "lenient::string")]
    pub source_id: Option<String>,
    /// `ad` or `post`.
    #[serde(deserialize_with = "lenient::string")]
    pub source_type: Option<String>,
    /// The ad's primary text.
    #[serde(deserialize_with = "lenient::string")]
    pub body: Option<String>,
    /// The ad's headline.
    #[serde(deserialize_with = "lenient::string")]
    pub headline: Option<String>,
    /// `image` or `video`.
    #[serde(deserialize_with = "lenient::string")]
    pub media_type: Option<String>,
    /// The click id, for conversion reporting.
    #[serde(deserialize_with = "lenient::string")]
    pub ctwa_clid: Option<String>,
    /// Fields this version does not model (image and video URLs, welcome message, …).
    #[serde(flatten)]
    pub extra: Extra,
}

impl MessageContent {
    /// Builds the content of a message of type `kind` from the object under that key.
    fn from_parts(kind: &str, raw: Option<Value>) -> Self {
        fn typed<T: for<'de> Deserialize<'de>>(
            kind: &str,
            raw: Option<Value>,
            wrap: fn(T) -> MessageContent,
        ) -> MessageContent {
            let value = raw.unwrap_or(Value::Null);
            match T::deserialize(&value) {
                Ok(parsed) if !value.is_null() => wrap(parsed),
                _ => MessageContent::Unknown {
                    kind: kind.to_owned(),
                    raw: value,
                },
            }
        }
        match kind {
            "text" => typed(kind, raw, Self::Text),
            "image" => typed(kind, raw, Self::Image),
            "audio" => typed(kind, raw, Self::Audio),
            "video" => typed(kind, raw, Self::Video),
            "document" => typed(kind, raw, Self::Document),
            "sticker" => typed(kind, raw, Self::Sticker),
            "location" => typed(kind, raw, Self::Location),
            "reaction" => typed(kind, raw, Self::Reaction),
            "button" => typed(kind, raw, Self::Button),
            "order" => typed(kind, raw, Self::Order),
            "system" => typed(kind, raw, Self::System),
            "contacts" => match raw {
                Some(Value::Array(cards)) => {
                    Self::Contacts(cards.into_iter().map(lenient::item).collect())
                }
                other => Self::Unknown {
                    kind: kind.to_owned(),
                    raw: other.unwrap_or(Value::Null),
                },
            },
            "interactive" => match raw {
                Some(value @ Value::Object(_)) => {
                    Self::Interactive(InteractiveReply::from_value(value))
                }
                other => Self::Unknown {
                    kind: kind.to_owned(),
                    raw: other.unwrap_or(Value::Null),
                },
            },
            "request_welcome" => Self::RequestWelcome,
            "unsupported" | "unknown" => Self::Unsupported,
            "" => Self::Empty,
            other => Self::Unknown {
                kind: other.to_owned(),
                raw: raw.unwrap_or(Value::Null),
            },
        }
    }
}

impl InboundMessage {
    /// Builds a message from its JSON object, member by member: a member of an
    /// unexpected type stays in `extra` and the others are still read. Never fails.
    fn from_value(value: Value) -> Self {
        use lenient::{take_non_empty, take_string, take_typed};
        let Value::Object(mut map) = value else {
            let mut raw = Extra::new();
            raw.insert("value".to_owned(), value);
            return Self::fallback(raw);
        };
        let kind = take_string(&mut map, "type").unwrap_or_default();
        // The envelope's members are read first (fields are evaluated in this order), so a
        // type that names one of them ("id", "from" …, never one of Meta's types) cannot
        // take it away as its content. The content object sits under the key named by the
        // type; the rest is kept.
        Self {
            id: take_non_empty(&mut map, "id").map(MessageId::from),
            from: take_non_empty(&mut map, "from").map(WaId::new),
            from_user_id: take_non_empty(&mut map, "from_user_id").map(BusinessScopedUserId::new),
            from_parent_user_id: take_non_empty(&mut map, "from_parent_user_id")
                .map(BusinessScopedUserId::new),
            to: take_non_empty(&mut map, "to").map(WaId::new),
            group_id: take_non_empty(&mut map, "group_id"),
            timestamp: take_typed(&mut map, "timestamp"),
            context: take_typed(&mut map, "context"),
            referral: take_typed(&mut map, "referral"),
            errors: lenient::take_items(&mut map, "errors"),
            content: MessageContent::from_parts(
                &kind,
                if kind.is_empty() {
                    None
                } else {
                    map.remove(&kind)
                },
            ),
            kind,
            extra: map.into(),
        }
    }
}

impl<'de> Deserialize<'de> for InboundMessage {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(d)?;
        if !value.is_object() {
            return Err(serde::de::Error::custom(lenient::expected(
                "a message object",
                &value,
            )));
        }
        Ok(Self::from_value(value))
    }
}

impl Fallback for InboundMessage {
    fn from_owned(value: Value) -> Self {
        Self::from_value(value)
    }

    fn fallback(raw: Extra) -> Self {
        let kind = lenient::member(&raw, "type").unwrap_or_default();
        Self {
            id: lenient::member(&raw, "id")
                .filter(|s| !s.is_empty())
                .map(MessageId::from),
            from: lenient::member(&raw, "from")
                .filter(|s| !s.trim().is_empty())
                .map(WaId::new),
            from_user_id: lenient::member(&raw, "from_user_id")
                .filter(|s| !s.is_empty())
                .map(BusinessScopedUserId::new),
            content: MessageContent::Unknown {
                kind: kind.clone(),
                raw: Value::Object(raw.into_map()),
            },
            kind,
            ..Self::default()
        }
    }
}

/// The value of a `messages` (or `smb_message_echoes`) change.
///
/// The webhook parser builds it member by member: a member of the wrong type is kept in
/// `extra` and the others are still read. Deserializing one directly with serde is
/// stricter: such a member fails the whole value (a number where text is expected is
/// read as text). On well-formed values the two agree (tested).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct MessagesValue {
    /// Always `whatsapp`.
    #[serde(deserialize_with = "lenient::string")]
    pub messaging_product: Option<String>,
    /// The business phone number.
    pub metadata: Option<Metadata>,
    /// The users the messages are from (or the statuses are about).
    #[serde(deserialize_with = "lenient::items")]
    pub contacts: Vec<Contact>,
    /// Incoming messages.
    #[serde(deserialize_with = "lenient::items")]
    pub messages: Vec<InboundMessage>,
    /// Statuses of messages the business sent.
    #[serde(deserialize_with = "lenient::items")]
    pub statuses: Vec<Status>,
    /// Errors not tied to a message (for example 130429).
    #[serde(deserialize_with = "lenient::items")]
    pub errors: Vec<ErrorEntry>,
    /// Echoes of messages the business sent from the WhatsApp Business app.
    #[serde(deserialize_with = "lenient::items")]
    pub message_echoes: Vec<InboundMessage>,
    /// Fields this version does not model.
    #[serde(flatten)]
    pub extra: Extra,
}

impl FieldModel for MessagesValue {
    /// Types an owned value without copying it: the item arrays are moved out and each
    /// item is converted on its own.
    fn from_value(value: Value) -> Result<Self, (Value, String)> {
        let Value::Object(mut map) = value else {
            let error = lenient::expected("an object", &value);
            return Err((value, error));
        };
        let messaging_product = match map.remove("messaging_product") {
            Some(Value::String(s)) => Some(s),
            Some(Value::Null) | None => None,
            Some(other) => {
                map.insert("messaging_product".to_owned(), other);
                None
            }
        };
        let metadata = match map.remove("metadata") {
            Some(Value::Null) | None => None,
            Some(raw) => match Metadata::deserialize(&raw) {
                Ok(metadata) => Some(metadata),
                Err(_) => {
                    map.insert("metadata".to_owned(), raw);
                    None
                }
            },
        };
        Ok(Self {
            messaging_product,
            metadata,
            contacts: lenient::take_items(&mut map, "contacts"),
            messages: lenient::take_items(&mut map, "messages"),
            statuses: lenient::take_items(&mut map, "statuses"),
            errors: lenient::take_items(&mut map, "errors"),
            message_echoes: lenient::take_items(&mut map, "message_echoes"),
            extra: map.into(),
        })
    }

    /// Member by member from the text, in one pass, with `from_value`'s rules; a member
    /// `from_value` would keep in `extra` (one of an unexpected type) or an item it would
    /// fall back on sends the value through the tree instead.
    fn from_raw(raw: &RawValue) -> Option<Self> {
        struct Direct(Option<MessagesValue>);
        impl<'de> Deserialize<'de> for Direct {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                d.deserialize_map(DirectVisitor)
            }
        }
        struct DirectVisitor;
        impl<'de> Visitor<'de> for DirectVisitor {
            type Value = Direct;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a messages value")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Direct, A::Error> {
                let mut value = MessagesValue::default();
                let mut extra = serde_json::Map::new();
                let mut usable = true;
                while let Some(key) = map.next_key::<&'de str>()? {
                    match key {
                        "messaging_product" => match map.next_value::<Value>()? {
                            Value::String(s) => value.messaging_product = Some(s),
                            Value::Null => value.messaging_product = None,
                            _ => usable = false,
                        },
                        // A member or item that does not fit fails the whole reading, and
                        // the value goes through the tree, which keeps it in `extra` or
                        // falls back item by item.
                        "metadata" => value.metadata = map.next_value()?,
                        "contacts" => value.contacts = items(&mut map)?,
                        "messages" => value.messages = items(&mut map)?,
                        "statuses" => value.statuses = items(&mut map)?,
                        "errors" => value.errors = items(&mut map)?,
                        "message_echoes" => value.message_echoes = items(&mut map)?,
                        _ => {
                            extra.insert(key.to_owned(), map.next_value::<Value>()?);
                        }
                    }
                }
                value.extra = extra.into();
                Ok(Direct(usable.then_some(value)))
            }
        }
        /// An item array member, `null` being empty.
        fn items<'de, A: MapAccess<'de>, T: Deserialize<'de>>(
            map: &mut A,
        ) -> Result<Vec<T>, A::Error> {
            Ok(map.next_value::<Option<Vec<T>>>()?.unwrap_or_default())
        }
        serde_json::from_str::<Direct>(raw.get()).ok()?.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json_files(dir: &std::path::Path, found: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                json_files(&path, found);
            } else if path.extension().is_some_and(|e| e == "json") {
                found.push(path);
            }
        }
    }

    /// `MessagesValue` is built two ways: by `from_value` (what the parser uses, member by
    /// member) and by its derived `Deserialize` (for callers who deserialize one
    /// themselves). On every `messages` change of the test payloads, all well formed,
    /// the two give the same value, so a member added to one and not the other is
    /// noticed. On a member of the wrong type they differ by design: see
    /// `wrong_types_are_kept_by_the_parser_and_refused_by_serde`.
    #[test]
    fn derived_deserialize_agrees_with_from_value() {
        let mut files = Vec::new();
        json_files(
            std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/webhook")),
            &mut files,
        );
        let mut compared = 0;
        for path in files {
            let root: Value = serde_json::from_slice(&std::fs::read(&path).unwrap())
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let entries = root["entry"].as_array().into_iter().flatten();
            for change in entries.flat_map(|e| e["changes"].as_array().into_iter().flatten()) {
                if !matches!(
                    change["field"].as_str(),
                    Some("messages" | "smb_message_echoes")
                ) {
                    continue;
                }
                let value = change["value"].clone();
                let derived = MessagesValue::deserialize(&value).unwrap();
                let built = MessagesValue::from_value(value).unwrap();
                assert_eq!(
                    format!("{derived:?}"),
                    format!("{built:?}"),
                    "{}",
                    path.display()
                );
                compared += 1;
            }
        }
        assert!(compared >= 25, "{compared}");
    }

    /// The parser keeps a member of the wrong type in `extra` and reads the rest; the
    /// derived `Deserialize` refuses the whole value (or, for a scalar where text is
    /// expected, reads it as text). This is the documented difference between the two.
    #[test]
    fn wrong_types_are_kept_by_the_parser_and_refused_by_serde() {
        let value = serde_json::json!({"messaging_product": "whatsapp", "messages": "oops"});
        let built = MessagesValue::from_value(value.clone()).unwrap();
        assert!(built.messages.is_empty());
        assert_eq!(built.extra["messages"], "oops");
        assert!(MessagesValue::deserialize(&value).is_err());

        let value = serde_json::json!({"metadata": 3});
        let built = MessagesValue::from_value(value.clone()).unwrap();
        assert!(built.metadata.is_none());
        assert_eq!(built.extra["metadata"], 3);
        assert!(MessagesValue::deserialize(&value).is_err());

        let value = serde_json::json!({"messaging_product": 5});
        let built = MessagesValue::from_value(value.clone()).unwrap();
        assert_eq!(built.messaging_product, None);
        assert_eq!(built.extra["messaging_product"], 5);
        let derived = MessagesValue::deserialize(&value).unwrap();
        assert_eq!(derived.messaging_product.as_deref(), Some("5"));
    }
}
