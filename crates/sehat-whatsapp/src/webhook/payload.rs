//! The webhook envelope: `{object, entry: [{id, time, changes: [{field, value}]}]}`. Each
//! change's value is typed by [`ChangeValue`] (the table in `fields`); walking the events
//! is in `event`, which builds on this module and is not imported by it.

use serde::Deserialize;
use serde_json::Value;

use super::fields::ChangeValue;
use super::lenient::{self, Extra};
use super::timestamp::Timestamp;
use crate::ids::WabaId;

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
        // The common case, a well-formed envelope, is read straight from the body; anything
        // else (an error, or a shape it does not take) is read again through a JSON tree,
        // which gives the same payload and says precisely what is wrong.
        if let Some(payload) = direct::payload(body) {
            return Ok(payload);
        }
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

/// The envelope read straight from the body, without a JSON tree: the change values stay
/// slices of the body until their field is known, then are typed from there. Gives up
/// (`None`) on anything the tree-based reading would treat otherwise than by the common
/// path: an error, a member of an unexpected type, an escaped key.
mod direct {
    use std::fmt;

    use serde::de::{Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
    use serde_json::value::RawValue;
    use serde_json::{Map, Value};

    use super::{Change, ChangeValue, Entry, Timestamp, WebhookPayload};
    use crate::ids::WabaId;

    pub(super) fn payload(body: &[u8]) -> Option<WebhookPayload> {
        // Checked once here, the text is not checked again for each slice kept of it.
        let text = std::str::from_utf8(body).ok()?;
        serde_json::from_str::<Root>(text).ok()?.0
    }

    /// Each wrapper holds `None` when its part must be read through the tree.
    struct Root(Option<WebhookPayload>);
    struct Entries(Option<Vec<Entry>>);
    struct EntryObject(Option<Entry>);
    struct Changes(Option<Vec<Change>>);
    struct ChangeObject(Option<Change>);

    impl<'de> Deserialize<'de> for Root {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            struct V;
            impl<'de> Visitor<'de> for V {
                type Value = Root;
                fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    f.write_str("a webhook envelope")
                }
                fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Root, A::Error> {
                    let (mut object, mut entry, mut extra) = (None, None, Map::new());
                    let mut usable = true;
                    while let Some(key) = map.next_key::<&'de str>()? {
                        match key {
                            "object" => match map.next_value::<Value>()? {
                                Value::String(s) => object = Some(s),
                                Value::Null => object = None,
                                _ => usable = false,
                            },
                            "entry" => entry = map.next_value::<Entries>()?.0,
                            _ => {
                                extra.insert(key.to_owned(), map.next_value::<Value>()?);
                            }
                        }
                    }
                    Ok(Root(match entry {
                        Some(entry) if usable => Some(WebhookPayload {
                            object,
                            entry,
                            extra: extra.into(),
                        }),
                        _ => None,
                    }))
                }
            }
            d.deserialize_map(V)
        }
    }

    impl<'de> Deserialize<'de> for Entries {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            struct V;
            impl<'de> Visitor<'de> for V {
                type Value = Entries;
                fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    f.write_str("an array of entries")
                }
                fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Entries, A::Error> {
                    let mut entries = Vec::with_capacity(seq.size_hint().unwrap_or(1));
                    let mut usable = true;
                    while let Some(EntryObject(entry)) = seq.next_element()? {
                        match entry {
                            Some(entry) => entries.push(entry),
                            None => usable = false,
                        }
                    }
                    Ok(Entries(usable.then_some(entries)))
                }
            }
            d.deserialize_seq(V)
        }
    }

    impl<'de> Deserialize<'de> for EntryObject {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            struct V;
            impl<'de> Visitor<'de> for V {
                type Value = EntryObject;
                fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    f.write_str("an entry object")
                }
                fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<EntryObject, A::Error> {
                    let (mut id, mut time, mut changes) = (String::new(), None, Some(Vec::new()));
                    let mut extra = Map::new();
                    let mut usable = true;
                    while let Some(key) = map.next_key::<&'de str>()? {
                        match key {
                            "id" => match map.next_value::<Value>()? {
                                Value::String(s) => id = s,
                                Value::Number(n) => id = n.to_string(),
                                Value::Null => id = String::new(),
                                _ => usable = false,
                            },
                            "time" => match map.next_value::<Value>()? {
                                Value::Null => time = None,
                                other => match Timestamp::deserialize(&other) {
                                    Ok(t) => time = Some(t),
                                    Err(_) => usable = false,
                                },
                            },
                            "changes" => {
                                changes = map
                                    .next_value::<Option<Changes>>()?
                                    .map_or(Some(Vec::new()), |c| c.0)
                            }
                            _ => {
                                extra.insert(key.to_owned(), map.next_value::<Value>()?);
                            }
                        }
                    }
                    Ok(EntryObject(match changes {
                        Some(changes) if usable => Some(Entry {
                            id: WabaId::from(id),
                            time,
                            changes,
                            extra: extra.into(),
                        }),
                        _ => None,
                    }))
                }
            }
            d.deserialize_map(V)
        }
    }

    impl<'de> Deserialize<'de> for Changes {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            struct V;
            impl<'de> Visitor<'de> for V {
                type Value = Changes;
                fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    f.write_str("an array of changes")
                }
                fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Changes, A::Error> {
                    let mut changes = Vec::with_capacity(seq.size_hint().unwrap_or(1));
                    let mut usable = true;
                    while let Some(ChangeObject(change)) = seq.next_element()? {
                        match change {
                            Some(change) => changes.push(change),
                            None => usable = false,
                        }
                    }
                    Ok(Changes(usable.then_some(changes)))
                }
            }
            d.deserialize_seq(V)
        }
    }

    impl<'de> Deserialize<'de> for ChangeObject {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            struct V;
            impl<'de> Visitor<'de> for V {
                type Value = ChangeObject;
                fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    f.write_str("a change object")
                }
                fn visit_map<A: MapAccess<'de>>(
                    self,
                    mut map: A,
                ) -> Result<ChangeObject, A::Error> {
                    let (mut field, mut value) = (String::new(), None::<&'de RawValue>);
                    let mut usable = true;
                    while let Some(key) = map.next_key::<&'de str>()? {
                        match key {
                            "field" => match map.next_value::<Value>()? {
                                Value::String(s) => field = s,
                                Value::Null => field = String::new(),
                                _ => usable = false,
                            },
                            "value" => value = Some(map.next_value()?),
                            // The tree-based reader keeps nothing else of a change either.
                            _ => {
                                map.next_value::<IgnoredAny>()?;
                            }
                        }
                    }
                    if !usable {
                        return Ok(ChangeObject(None));
                    }
                    let value = match value {
                        Some(raw) => ChangeValue::parse_raw(&field, raw),
                        None => Some(ChangeValue::parse(&field, Value::Null)),
                    };
                    Ok(ChangeObject(value.map(|value| Change { field, value })))
                }
            }
            d.deserialize_map(V)
        }
    }
}
