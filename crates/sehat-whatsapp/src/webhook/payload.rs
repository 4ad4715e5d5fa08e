//! The webhook envelope: `{object, entry: [{id, time, changes: [{field, value}]}]}`, and
//! the typed value of each change.

use serde::Deserialize;
use serde_json::{Map, Value};

use super::account::{
    AccountAlert, AccountReviewUpdate, AccountUpdate, BusinessCapabilityUpdate, FlowEvent,
    PhoneNumberNameUpdate, PhoneNumberQualityUpdate, SecurityEvent,
};
use super::error_entry::ErrorEntry;
use super::event::Events;
use super::group::GroupEvent;
use super::lenient::{self, Extra, Fallback};
use super::message::InboundMessage;
use super::preference::UserPreference;
use super::status::Status;
use super::template::{
    TemplateCategoryUpdate, TemplateComponentsUpdate, TemplateQualityUpdate, TemplateStatusUpdate,
};
use super::timestamp::Timestamp;
use super::user::{self, Contact};
use crate::ids::{PhoneNumberId, WaId, WabaId};

/// Why a body could not be read as a webhook. Signature failures are
/// [`SignatureError`](super::SignatureError)s; this is about the JSON.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ParseError {
    /// The body is not JSON.
    #[error("webhook body is not valid JSON at line {line}, column {column}: {message}")]
    Json {
        /// 1-based line of the error.
        line: usize,
        /// 1-based column of the error.
        column: usize,
        /// What serde_json reported.
        message: String,
    },
    /// The body is JSON but not a webhook envelope; `path` says where (`$`, `$.entry[2]`).
    #[error("webhook body is not a WhatsApp webhook at {path}: {reason}")]
    NotAWebhook {
        /// A JSONPath-like location (`$.entry[0].changes[1]`).
        path: String,
        /// What was expected there.
        reason: String,
    },
}

impl ParseError {
    fn shape(path: impl Into<String>, reason: impl Into<String>) -> Self {
        Self::NotAWebhook {
            path: path.into(),
            reason: reason.into(),
        }
    }
}

/// A parsed webhook body.
///
/// Parse it through [`WebhookVerifier::verify_and_parse`](super::WebhookVerifier::verify_and_parse),
/// which checks the signature first; [`from_slice`](Self::from_slice) is for bodies whose
/// signature was already checked (or for tests and tools). Walk it with
/// [`events`](Self::events).
///
/// Only the envelope is strict (an object with an `entry` array of objects whose `changes`
/// are objects); everything inside a change is parsed leniently and never rejected: unknown
/// fields go to `extra` maps, unknown change fields to [`ChangeValue::Unknown`], unknown
/// message types to [`MessageContent::Unknown`](super::MessageContent::Unknown).
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct WebhookPayload {
    /// `whatsapp_business_account` for WhatsApp webhooks.
    pub object: Option<String>,
    /// The entries: one per WhatsApp Business Account.
    pub entry: Vec<Entry>,
    /// Fields this version does not model.
    pub extra: Extra,
}

impl WebhookPayload {
    /// Parses a webhook body without checking its signature.
    ///
    /// # Errors
    ///
    /// [`ParseError::Json`] when the body is not JSON, [`ParseError::NotAWebhook`] when it
    /// is not a webhook envelope (no `entry` array, an entry or change that is not an
    /// object), with the location.
    ///
    /// # Examples
    ///
    /// ```
    /// use sehat_whatsapp::webhook::{Event, WebhookPayload};
    ///
    /// let body = br#"{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[
    ///   {"field":"messages","value":{"messaging_product":"whatsapp",
    ///    "metadata":{"display_phone_number":"15550783881","phone_number_id":"106540352242922"},
    ///    "messages":[{"from":"6281234567890","id":"wamid.A","timestamp":"1750000000",
    ///                 "type":"text","text":{"body":"Halo"}}]}}]}]}"#;
    /// let payload = WebhookPayload::from_slice(body)?;
    /// let texts: Vec<_> = payload
    ///     .events()
    ///     .filter_map(|e| match e {
    ///         Event::Message(m) => m.message.text().map(str::to_owned),
    ///         _ => None,
    ///     })
    ///     .collect();
    /// assert_eq!(texts, ["Halo"]);
    ///
    /// assert!(WebhookPayload::from_slice(b"{\"error\":{}}").is_err());
    /// # Ok::<(), sehat_whatsapp::webhook::ParseError>(())
    /// ```
    pub fn from_slice(body: &[u8]) -> Result<Self, ParseError> {
        let value: Value = serde_json::from_slice(body).map_err(|e| ParseError::Json {
            line: e.line(),
            column: e.column(),
            message: e.to_string(),
        })?;
        Self::from_value(value)
    }

    /// Builds a payload from parsed JSON.
    ///
    /// # Errors
    ///
    /// [`ParseError::NotAWebhook`] as for [`from_slice`](Self::from_slice).
    ///
    /// # Examples
    ///
    /// ```
    /// use sehat_whatsapp::webhook::WebhookPayload;
    ///
    /// let value = serde_json::json!({"object": "whatsapp_business_account", "entry": []});
    /// assert!(WebhookPayload::from_value(value)?.entry.is_empty());
    /// # Ok::<(), sehat_whatsapp::webhook::ParseError>(())
    /// ```
    pub fn from_value(value: Value) -> Result<Self, ParseError> {
        let Value::Object(mut root) = value else {
            return Err(ParseError::shape(
                "$",
                lenient::expected("an object", &value),
            ));
        };
        let entries = match root.remove("entry") {
            Some(Value::Array(entries)) => entries,
            Some(other) => {
                return Err(ParseError::shape(
                    "$.entry",
                    lenient::expected("an array", &other),
                ));
            }
            None if root.contains_key("error") => {
                return Err(ParseError::shape(
                    "$",
                    "this is a Graph API error body (`error`), not a webhook",
                ));
            }
            None => return Err(ParseError::shape("$", "no `entry` array")),
        };
        let object = match root.remove("object") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s),
            Some(other) => {
                return Err(ParseError::shape(
                    "$.object",
                    lenient::expected("a string", &other),
                ));
            }
        };
        let entry = entries
            .into_iter()
            .enumerate()
            .map(|(i, value)| Entry::from_value(value, i))
            .collect::<Result<_, _>>()?;
        Ok(Self {
            object,
            entry,
            extra: root.into(),
        })
    }

    /// The events in the payload, in order: one per message, status and error of each
    /// `messages` change, one per group event and preference change, and one per change
    /// of any other field (or of those fields when it carries no item), so no change is
    /// skipped.
    ///
    /// # Examples
    ///
    /// See [`from_slice`](Self::from_slice).
    #[must_use]
    pub fn events(&self) -> Events<'_> {
        Events::new(self)
    }

    /// Every change of every entry, with its entry.
    pub fn changes(&self) -> impl Iterator<Item = (&Entry, &Change)> {
        self.entry
            .iter()
            .flat_map(|entry| entry.changes.iter().map(move |change| (entry, change)))
    }
}

/// One entry of a webhook: the changes for one WhatsApp Business Account.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Entry {
    /// The WhatsApp Business Account id (empty when Meta sent none).
    pub id: WabaId,
    /// When the webhook was triggered (account webhooks).
    pub time: Option<Timestamp>,
    /// The changes.
    pub changes: Vec<Change>,
    /// Fields this version does not model.
    pub extra: Extra,
}

impl Entry {
    fn from_value(value: Value, index: usize) -> Result<Self, ParseError> {
        let path = format!("$.entry[{index}]");
        let Value::Object(mut raw) = value else {
            return Err(ParseError::shape(
                path,
                lenient::expected("an object", &value),
            ));
        };
        let id = match raw.remove("id") {
            Some(Value::String(s)) => s,
            Some(Value::Number(n)) => n.to_string(),
            Some(Value::Null) | None => String::new(),
            Some(other) => {
                return Err(ParseError::shape(
                    format!("{path}.id"),
                    lenient::expected("a string", &other),
                ));
            }
        };
        let time = match raw.remove("time") {
            None | Some(Value::Null) => None,
            Some(other) => Some(
                Timestamp::deserialize(&other)
                    .map_err(|e| ParseError::shape(format!("{path}.time"), e.to_string()))?,
            ),
        };
        let changes = match raw.remove("changes") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(changes)) => changes
                .into_iter()
                .enumerate()
                .map(|(i, change)| Change::from_value(change, &format!("{path}.changes[{i}]")))
                .collect::<Result<_, _>>()?,
            Some(other) => {
                return Err(ParseError::shape(
                    format!("{path}.changes"),
                    lenient::expected("an array", &other),
                ));
            }
        };
        Ok(Self {
            id: WabaId::from(id),
            time,
            changes,
            extra: raw.into(),
        })
    }
}

/// One change: the subscribed `field` and its typed value.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Change {
    /// The webhook field (`messages`, `message_template_status_update`, …).
    pub field: String,
    /// The value, typed by field.
    pub value: ChangeValue,
}

impl Change {
    fn from_value(value: Value, path: &str) -> Result<Self, ParseError> {
        let Value::Object(mut raw) = value else {
            return Err(ParseError::shape(
                path,
                lenient::expected("an object", &value),
            ));
        };
        let field = match raw.remove("field") {
            Some(Value::String(s)) => s,
            Some(Value::Null) | None => String::new(),
            Some(other) => {
                return Err(ParseError::shape(
                    format!("{path}.field"),
                    lenient::expected("a string", &other),
                ));
            }
        };
        let value = raw.remove("value").unwrap_or(Value::Null);
        Ok(Self {
            value: ChangeValue::parse(&field, value),
            field,
        })
    }

    /// Builds a change from its field and raw value, typing the value by field.
    ///
    /// # Examples
    ///
    /// ```
    /// use sehat_whatsapp::webhook::{Change, ChangeValue};
    ///
    /// let change = Change::new("some_future_field", serde_json::json!({"a": 1}));
    /// assert!(matches!(change.value, ChangeValue::Unknown(_)));
    /// assert_eq!(change.value.kind(), "unknown");
    /// ```
    #[must_use]
    pub fn new(field: impl Into<String>, value: Value) -> Self {
        let field = field.into();
        Self {
            value: ChangeValue::parse(&field, value),
            field,
        }
    }
}

/// The value of a change, typed by its field.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum ChangeValue {
    /// `messages`: messages, statuses and errors.
    Messages(MessagesValue),
    /// `smb_message_echoes`: messages the business sent from the WhatsApp Business app.
    MessageEchoes(MessagesValue),
    /// `history`: chat history of a WhatsApp Business app number being onboarded.
    History(HistoryValue),
    /// `calls`: calling events.
    Calls(CallsValue),
    /// `smb_app_state_sync`: contact changes in the WhatsApp Business app.
    StateSync(StateSyncValue),
    /// `user_preferences`: marketing opt-outs and resumes.
    UserPreferences(UserPreferencesValue),
    /// `group_lifecycle_update`, `group_participants_update`, `group_settings_update`,
    /// `group_status_update`.
    Groups(GroupsValue),
    /// `message_template_status_update`.
    TemplateStatus(TemplateStatusUpdate),
    /// `message_template_quality_update` (also when Meta sends it under the status field).
    TemplateQuality(TemplateQualityUpdate),
    /// `message_template_components_update`.
    TemplateComponents(TemplateComponentsUpdate),
    /// `template_category_update`.
    TemplateCategory(TemplateCategoryUpdate),
    /// `account_update`.
    AccountUpdate(AccountUpdate),
    /// `account_alerts`.
    AccountAlert(AccountAlert),
    /// `account_review_update`.
    AccountReview(AccountReviewUpdate),
    /// `business_capability_update`.
    BusinessCapability(BusinessCapabilityUpdate),
    /// `phone_number_quality_update`.
    PhoneNumberQuality(PhoneNumberQualityUpdate),
    /// `phone_number_name_update`.
    PhoneNumberName(PhoneNumberNameUpdate),
    /// `security`.
    Security(SecurityEvent),
    /// `flows`.
    Flows(FlowEvent),
    /// A field this version does not type: the raw value.
    Unknown(Value),
    /// A typed field whose value was not an object of the documented shape: the raw value
    /// and what did not fit.
    Malformed {
        /// The raw value.
        raw: Value,
        /// What did not fit.
        error: String,
    },
}

/// The webhook fields this version types.
pub const TYPED_FIELDS: &[&str] = &[
    "messages",
    "smb_message_echoes",
    "history",
    "calls",
    "smb_app_state_sync",
    "user_preferences",
    "group_lifecycle_update",
    "group_participants_update",
    "group_settings_update",
    "group_status_update",
    "message_template_status_update",
    "message_template_quality_update",
    "message_template_components_update",
    "template_category_update",
    "account_update",
    "account_alerts",
    "account_review_update",
    "business_capability_update",
    "phone_number_quality_update",
    "phone_number_name_update",
    "security",
    "flows",
];

impl ChangeValue {
    /// Types `value` by `field`; never fails (see [`Unknown`](Self::Unknown) and
    /// [`Malformed`](Self::Malformed)).
    #[must_use]
    pub fn parse(field: &str, value: Value) -> Self {
        fn typed<T: for<'de> Deserialize<'de>>(
            value: Value,
            wrap: fn(T) -> ChangeValue,
        ) -> ChangeValue {
            if !value.is_object() {
                return ChangeValue::Malformed {
                    error: lenient::expected("an object", &value),
                    raw: value,
                };
            }
            match T::deserialize(&value) {
                Ok(parsed) => wrap(parsed),
                Err(e) => ChangeValue::Malformed {
                    raw: value,
                    error: e.to_string(),
                },
            }
        }
        match field {
            "messages" => MessagesValue::from_value(value).map_or_else(
                |(raw, error)| Self::Malformed { raw, error },
                Self::Messages,
            ),
            "smb_message_echoes" => MessagesValue::from_value(value).map_or_else(
                |(raw, error)| Self::Malformed { raw, error },
                Self::MessageEchoes,
            ),
            "history" => typed(value, Self::History),
            "calls" => typed(value, Self::Calls),
            "smb_app_state_sync" => typed(value, Self::StateSync),
            "user_preferences" => typed(value, Self::UserPreferences),
            "group_lifecycle_update"
            | "group_participants_update"
            | "group_settings_update"
            | "group_status_update" => typed(value, Self::Groups),
            // Meta's own docs show quality updates delivered under the status field.
            "message_template_status_update"
                if value.get("new_quality_score").is_some() && value.get("event").is_none() =>
            {
                typed(value, Self::TemplateQuality)
            }
            "message_template_status_update" => typed(value, Self::TemplateStatus),
            "message_template_quality_update" => typed(value, Self::TemplateQuality),
            "message_template_components_update" => typed(value, Self::TemplateComponents),
            "template_category_update" => typed(value, Self::TemplateCategory),
            "account_update" => typed(value, Self::AccountUpdate),
            "account_alerts" => typed(value, Self::AccountAlert),
            "account_review_update" => typed(value, Self::AccountReview),
            "business_capability_update" => typed(value, Self::BusinessCapability),
            "phone_number_quality_update" => typed(value, Self::PhoneNumberQuality),
            "phone_number_name_update" => typed(value, Self::PhoneNumberName),
            "security" => typed(value, Self::Security),
            "flows" => typed(value, Self::Flows),
            _ => Self::Unknown(value),
        }
    }

    /// A short name for the kind of value (`messages`, `template_status`, `group`,
    /// `unknown`, …), used as `kind` by `sehat whatsapp inspect`.
    #[must_use]
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Messages(_) => "messages",
            Self::MessageEchoes(_) => "message_echoes",
            Self::History(_) => "history",
            Self::Calls(_) => "calls",
            Self::StateSync(_) => "state_sync",
            Self::UserPreferences(_) => "user_preferences",
            Self::Groups(_) => "groups",
            Self::TemplateStatus(_) => "template_status",
            Self::TemplateQuality(_) => "template_quality",
            Self::TemplateComponents(_) => "template_components",
            Self::TemplateCategory(_) => "template_category",
            Self::AccountUpdate(_) => "account_update",
            Self::AccountAlert(_) => "account_alert",
            Self::AccountReview(_) => "account_review",
            Self::BusinessCapability(_) => "business_capability",
            Self::PhoneNumberQuality(_) => "phone_number_quality",
            Self::PhoneNumberName(_) => "phone_number_name",
            Self::Security(_) => "security",
            Self::Flows(_) => "flow",
            Self::Unknown(_) => "unknown",
            Self::Malformed { .. } => "malformed",
        }
    }

    /// The id and type that best summarise the change, for one-line reports: a template
    /// id and event, a Flow id and event, an alert's entity and type, …
    #[must_use]
    pub fn summary(&self) -> (Option<&str>, Option<&str>) {
        match self {
            Self::TemplateStatus(v) => (
                v.message_template_id.as_ref().map(AsRef::as_ref),
                v.event.as_ref().map(|e| e.as_str()),
            ),
            Self::TemplateQuality(v) => (
                v.message_template_id.as_ref().map(AsRef::as_ref),
                v.new_quality_score.as_ref().map(|q| q.as_str()),
            ),
            Self::TemplateComponents(v) => {
                (v.message_template_id.as_ref().map(AsRef::as_ref), None)
            }
            Self::TemplateCategory(v) => (
                v.message_template_id.as_ref().map(AsRef::as_ref),
                v.new_category.as_deref(),
            ),
            Self::AccountUpdate(v) => (v.phone_number.as_deref(), v.event.as_deref()),
            Self::AccountAlert(v) => (
                v.entity_id.as_deref(),
                v.alert_info.as_ref().and_then(|a| a.alert_type.as_deref()),
            ),
            Self::AccountReview(v) => (None, v.decision.as_deref()),
            Self::PhoneNumberQuality(v) => (v.display_phone_number.as_deref(), v.event.as_deref()),
            Self::PhoneNumberName(v) => (v.display_phone_number.as_deref(), v.decision.as_deref()),
            Self::Security(v) => (v.display_phone_number.as_deref(), v.event.as_deref()),
            Self::Flows(v) => (v.flow_id.as_ref().map(AsRef::as_ref), v.event.as_deref()),
            Self::Calls(v) => (
                v.calls.first().and_then(|c| c.id.as_deref()),
                v.calls.first().and_then(|c| c.event.as_deref()),
            ),
            Self::History(v) => (
                None,
                v.history
                    .first()
                    .and_then(|h| h.metadata.as_ref())
                    .and_then(|m| m.get("phase"))
                    .and_then(Value::as_str),
            ),
            _ => (None, None),
        }
    }

    /// The metadata of the business phone number, for the values that carry it.
    #[must_use]
    pub fn metadata(&self) -> Option<&Metadata> {
        match self {
            Self::Messages(v) | Self::MessageEchoes(v) => v.metadata.as_ref(),
            Self::History(v) => v.metadata.as_ref(),
            Self::Calls(v) => v.metadata.as_ref(),
            Self::StateSync(v) => v.metadata.as_ref(),
            Self::UserPreferences(v) => v.metadata.as_ref(),
            Self::Groups(v) => v.metadata.as_ref(),
            _ => None,
        }
    }
}

/// `value.metadata`: the business phone number the change is about.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct Metadata {
    /// The number as displayed.
    #[serde(deserialize_with = "lenient::string")]
    pub display_phone_number: Option<String>,
    /// The phone-number id, for `/{phone-number-id}/messages`.
    #[serde(deserialize_with = "lenient::id")]
    pub phone_number_id: Option<PhoneNumberId>,
    /// Fields this version does not model.
    #[serde(flatten)]
    pub extra: Extra,
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

impl MessagesValue {
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
}

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

/// The value of a group change.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct GroupsValue {
    /// Always `whatsapp`.
    #[serde(deserialize_with = "lenient::string")]
    pub messaging_product: Option<String>,
    /// The business phone number.
    pub metadata: Option<Metadata>,
    /// The group events.
    #[serde(deserialize_with = "lenient::items")]
    pub groups: Vec<GroupEvent>,
    /// Fields this version does not model.
    #[serde(flatten)]
    pub extra: Extra,
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
