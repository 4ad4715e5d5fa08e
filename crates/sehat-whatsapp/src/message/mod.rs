//! Outgoing messages: what `POST /{phone-number-id}/messages` accepts.
//!
//! A [`Message`] is a [`Recipient`] plus a [`Content`], with an optional reply context and
//! `biz_opaque_callback_data`. Content builders take plain setters; [`Message::new`] checks
//! the whole message against Meta's limits (button count, title lengths, list rows, body
//! length …) and returns a [`BuildError`] naming the offending field, so a message that
//! exists is one Meta's validation will not reject for shape.
//!
//! ```
//! use sehat_whatsapp::ids::WaId;
//! use sehat_whatsapp::message::{Content, Interactive, Message, ReplyButton};
//!
//! let to = WaId::parse("+62 812 3456 7890")?;
//! let ask = Interactive::buttons(
//!     "Jadwal imunisasi Budi: Sabtu 09.00. Bisa hadir?",
//!     [ReplyButton::new("ya", "Ya, hadir"), ReplyButton::new("ubah", "Ganti jadwal")],
//! );
//! let message = Message::new(to, Content::Interactive(ask))?;
//! assert_eq!(message.to_json()["interactive"]["action"]["buttons"][1]["reply"]["id"], "ubah");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod build_error;
mod contacts;
mod content;
mod interactive;
mod template;

use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};

pub use build_error::BuildError;
pub(crate) use build_error::{check_len, check_text};
pub use contacts::{
    Contact, ContactAddress, ContactEmail, ContactName, ContactOrg, ContactPhone, ContactUrl,
};
pub use content::{Content, Location, Media, MediaSource, Reaction, Text};
pub use interactive::{
    CtaUrl, FlowAction, FlowMessage, Interactive, InteractiveHeader, ListRow, ListSection,
    ReplyButton,
};
pub use template::{
    ButtonParam, ButtonParameter, ButtonSubType, Currency, DateTime, Language, Parameter,
    ParameterValue, TemplateComponent, TemplateMessage,
};

use crate::ids::{MessageId, Recipient};

/// The longest `biz_opaque_callback_data` Meta accepts, in characters.
pub const MAX_CALLBACK_DATA: usize = 512;

/// A message ready to send: a recipient, content, and the optional reply context and
/// callback data.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    to: Recipient,
    content: Content,
    reply_to: Option<MessageId>,
    callback_data: Option<String>,
}

impl Message {
    /// Checks `content` against Meta's limits and builds the message.
    ///
    /// # Errors
    ///
    /// A [`BuildError`] naming the first field that breaks a limit.
    ///
    /// # Examples
    ///
    /// ```
    /// use sehat_whatsapp::ids::WaId;
    /// use sehat_whatsapp::message::{BuildError, Content, Message, Text};
    ///
    /// let to = WaId::parse("6281234567890")?;
    /// assert!(Message::new(to.clone(), Text::new("Halo!")).is_ok());
    /// let err = Message::new(to, Text::new("x".repeat(5000))).unwrap_err();
    /// assert!(matches!(err, BuildError::TooLong { max: 4096, .. }));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(to: impl Into<Recipient>, content: impl Into<Content>) -> Result<Self, BuildError> {
        let content = content.into();
        content.validate()?;
        Ok(Self {
            to: to.into(),
            content,
            reply_to: None,
            callback_data: None,
        })
    }

    /// Quotes an earlier message (`context.message_id`).
    #[must_use]
    pub fn reply_to(mut self, message: MessageId) -> Self {
        self.reply_to = Some(message);
        self
    }

    /// Sets `biz_opaque_callback_data`, an id of yours that status webhooks echo back.
    ///
    /// # Errors
    ///
    /// [`BuildError::TooLong`] over 512 characters.
    ///
    /// # Examples
    ///
    /// ```
    /// use sehat_whatsapp::ids::WaId;
    /// use sehat_whatsapp::message::{Message, Text};
    /// let message = Message::new(WaId::parse("6281234567890")?, Text::new("Halo"))?
    ///     .callback_data("reminder:42")?;
    /// assert_eq!(message.to_json()["biz_opaque_callback_data"], "reminder:42");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn callback_data(mut self, data: impl Into<String>) -> Result<Self, BuildError> {
        let data = data.into();
        check_len("biz_opaque_callback_data", &data, MAX_CALLBACK_DATA)?;
        self.callback_data = Some(data);
        Ok(self)
    }

    /// The recipient.
    #[must_use]
    pub fn recipient(&self) -> &Recipient {
        &self.to
    }

    /// The content.
    #[must_use]
    pub fn content(&self) -> &Content {
        &self.content
    }

    /// The request body as JSON.
    #[must_use]
    pub fn to_json(&self) -> serde_json::Value {
        // Serializing plain data into a Value cannot fail: every map key is a string.
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }
}

impl Serialize for Message {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Context<'a> {
            message_id: &'a MessageId,
        }
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("messaging_product", "whatsapp")?;
        map.serialize_entry("recipient_type", self.to.recipient_type())?;
        map.serialize_entry("to", self.to.to_field())?;
        if let Some(message_id) = &self.reply_to {
            map.serialize_entry("context", &Context { message_id })?;
        }
        if let Some(data) = &self.callback_data {
            map.serialize_entry("biz_opaque_callback_data", data)?;
        }
        self.content.serialize_fields(&mut map)?;
        map.end()
    }
}

/// `{"status":"read","message_id":…}`, optionally with the typing indicator.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ReadReceipt<'a> {
    pub messaging_product: &'static str,
    pub status: &'static str,
    pub message_id: &'a MessageId,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub typing_indicator: Option<TypingIndicator>,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct TypingIndicator {
    #[serde(rename = "type")]
    pub kind: &'static str,
}

impl<'a> ReadReceipt<'a> {
    pub(crate) fn new(message_id: &'a MessageId, typing: bool) -> Self {
        Self {
            messaging_product: "whatsapp",
            status: "read",
            message_id,
            typing_indicator: typing.then_some(TypingIndicator { kind: "text" }),
        }
    }
}
