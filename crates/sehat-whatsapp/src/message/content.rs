//! The content of a message: one variant per `type`.

use serde::Serialize;
use serde::ser::SerializeMap;

use super::{BuildError, Contact, Interactive, TemplateMessage, check_len, check_text};
use crate::ids::{MediaId, MessageId};

/// The longest text body, in characters.
pub const MAX_TEXT_BODY: usize = 4096;
/// The longest media caption, in characters.
pub const MAX_CAPTION: usize = 1024;

/// What a message carries, one variant per `type` of `POST /messages`.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Content {
    /// `text`.
    Text(Text),
    /// `image` (JPEG or PNG, 5 MB), with an optional caption.
    Image(Media),
    /// `audio` (AAC, AMR, MP3, M4A, OGG/Opus; 16 MB); no caption.
    Audio(Media),
    /// `video` (MP4 or 3GP; 16 MB), with an optional caption.
    Video(Media),
    /// `document` (100 MB), with an optional caption and file name.
    Document(Media),
    /// `sticker` (WebP); no caption.
    Sticker(Media),
    /// `location`.
    Location(Location),
    /// `contacts`: one or more contact cards.
    Contacts(Vec<Contact>),
    /// `reaction`: an emoji on an earlier message (an empty emoji removes it).
    Reaction(Reaction),
    /// `interactive`: reply buttons, a list, a CTA URL, a location request or a Flow.
    Interactive(Interactive),
    /// `template`.
    Template(TemplateMessage),
}

impl Content {
    /// The value of `type`.
    #[must_use]
    pub fn type_name(&self) -> &'static str {
        match self {
            Self::Text(_) => "text",
            Self::Image(_) => "image",
            Self::Audio(_) => "audio",
            Self::Video(_) => "video",
            Self::Document(_) => "document",
            Self::Sticker(_) => "sticker",
            Self::Location(_) => "location",
            Self::Contacts(_) => "contacts",
            Self::Reaction(_) => "reaction",
            Self::Interactive(_) => "interactive",
            Self::Template(_) => "template",
        }
    }

    pub(crate) fn validate(&self) -> Result<(), BuildError> {
        match self {
            Self::Text(text) => text.validate(),
            Self::Image(media) => media.validate("image", true, false),
            Self::Video(media) => media.validate("video", true, false),
            Self::Document(media) => media.validate("document", true, true),
            Self::Audio(media) => media.validate("audio", false, false),
            Self::Sticker(media) => media.validate("sticker", false, false),
            Self::Location(location) => location.validate("location"),
            Self::Contacts(contacts) => {
                if contacts.is_empty() {
                    return Err(BuildError::Empty {
                        field: "contacts".into(),
                    });
                }
                contacts
                    .iter()
                    .enumerate()
                    .try_for_each(|(i, contact)| contact.validate(&format!("contacts[{i}]")))
            }
            Self::Reaction(reaction) => {
                if reaction.message_id.as_str().is_empty() {
                    return Err(BuildError::Empty {
                        field: "reaction.message_id".into(),
                    });
                }
                Ok(())
            }
            Self::Interactive(interactive) => interactive.validate(),
            Self::Template(template) => template.validate(),
        }
    }

    pub(crate) fn serialize_fields<M: SerializeMap>(&self, map: &mut M) -> Result<(), M::Error> {
        let name = self.type_name();
        map.serialize_entry("type", name)?;
        match self {
            Self::Text(text) => map.serialize_entry(name, text),
            Self::Image(media)
            | Self::Audio(media)
            | Self::Video(media)
            | Self::Document(media)
            | Self::Sticker(media) => map.serialize_entry(name, media),
            Self::Location(location) => map.serialize_entry(name, location),
            Self::Contacts(contacts) => map.serialize_entry(name, contacts),
            Self::Reaction(reaction) => map.serialize_entry(name, reaction),
            Self::Interactive(interactive) => map.serialize_entry(name, interactive),
            Self::Template(template) => map.serialize_entry(name, template),
        }
    }
}

/// A text message.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Text {
    body: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    preview_url: Option<bool>,
}

impl Text {
    /// A text with this body (at most 4096 characters).
    #[must_use]
    pub fn new(body: impl Into<String>) -> Self {
        Self {
            body: body.into(),
            preview_url: None,
        }
    }

    /// Whether WhatsApp shows a preview of the first URL in the body.
    #[must_use]
    pub fn preview_url(mut self, preview: bool) -> Self {
        self.preview_url = Some(preview);
        self
    }

    fn validate(&self) -> Result<(), BuildError> {
        check_text("text.body", &self.body, MAX_TEXT_BODY)
    }
}

impl From<Text> for Content {
    fn from(text: Text) -> Self {
        Self::Text(text)
    }
}

/// Where media comes from: an uploaded media id or a public HTTP(S) link.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum MediaSource {
    /// An id from [`upload`](crate::PhoneNumberApi::upload_media).
    Id(MediaId),
    /// A public `http` or `https` URL WhatsApp downloads.
    Link(String),
}

/// A media object: `{id}` or `{link}`, with the caption and file name where allowed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Media {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<MediaId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    link: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    caption: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    filename: Option<String>,
}

impl Media {
    /// Media by uploaded id.
    #[must_use]
    pub fn id(id: MediaId) -> Self {
        Self::from_source(MediaSource::Id(id))
    }

    /// Media by public link (checked to be an absolute `http`/`https` URL when the message
    /// is built).
    #[must_use]
    pub fn link(url: impl Into<String>) -> Self {
        Self::from_source(MediaSource::Link(url.into()))
    }

    /// Media from either source.
    #[must_use]
    pub fn from_source(source: MediaSource) -> Self {
        let (id, link) = match source {
            MediaSource::Id(id) => (Some(id), None),
            MediaSource::Link(link) => (None, Some(link)),
        };
        Self {
            id,
            link,
            caption: None,
            filename: None,
        }
    }

    /// A caption (images, videos and documents; at most 1024 characters).
    #[must_use]
    pub fn caption(mut self, caption: impl Into<String>) -> Self {
        self.caption = Some(caption.into());
        self
    }

    /// The file name shown for a document.
    #[must_use]
    pub fn filename(mut self, filename: impl Into<String>) -> Self {
        self.filename = Some(filename.into());
        self
    }

    pub(crate) fn validate(
        &self,
        field: &str,
        caption_allowed: bool,
        filename_allowed: bool,
    ) -> Result<(), BuildError> {
        if let Some(link) = &self.link {
            check_link(&format!("{field}.link"), link)?;
        }
        if let Some(id) = &self.id
            && id.as_str().is_empty()
        {
            return Err(BuildError::Empty {
                field: format!("{field}.id"),
            });
        }
        match (&self.caption, caption_allowed) {
            (Some(_), false) => {
                return Err(BuildError::Invalid {
                    field: format!("{field}.caption"),
                    reason: format!("{field} messages take no caption"),
                });
            }
            (Some(caption), true) => check_len(&format!("{field}.caption"), caption, MAX_CAPTION)?,
            (None, _) => {}
        }
        if self.filename.is_some() && !filename_allowed {
            return Err(BuildError::Invalid {
                field: format!("{field}.filename"),
                reason: "only documents take a file name".into(),
            });
        }
        Ok(())
    }
}

/// Checks a link is an absolute `http` or `https` URL.
pub(crate) fn check_link(field: &str, link: &str) -> Result<(), BuildError> {
    match url::Url::parse(link) {
        Ok(url) if matches!(url.scheme(), "http" | "https") => Ok(()),
        Ok(url) => Err(BuildError::Invalid {
            field: field.to_owned(),
            reason: format!("scheme {:?} is not http or https", url.scheme()),
        }),
        Err(error) => Err(BuildError::Invalid {
            field: field.to_owned(),
            reason: format!("not an absolute URL: {error}"),
        }),
    }
}

/// A location pin.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Location {
    latitude: f64,
    longitude: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    address: Option<String>,
}

impl Location {
    /// A pin at these coordinates (degrees).
    #[must_use]
    pub fn new(latitude: f64, longitude: f64) -> Self {
        Self {
            latitude,
            longitude,
            name: None,
            address: None,
        }
    }

    /// The place's name.
    #[must_use]
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// The place's address.
    #[must_use]
    pub fn address(mut self, address: impl Into<String>) -> Self {
        self.address = Some(address.into());
        self
    }

    pub(crate) fn validate(&self, field: &str) -> Result<(), BuildError> {
        if !(-90.0..=90.0).contains(&self.latitude) {
            return Err(BuildError::Invalid {
                field: format!("{field}.latitude"),
                reason: format!("{} is not within -90..=90", self.latitude),
            });
        }
        if !(-180.0..=180.0).contains(&self.longitude) {
            return Err(BuildError::Invalid {
                field: format!("{field}.longitude"),
                reason: format!("{} is not within -180..=180", self.longitude),
            });
        }
        Ok(())
    }
}

impl From<Location> for Content {
    fn from(location: Location) -> Self {
        Self::Location(location)
    }
}

/// A reaction to an earlier message.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reaction {
    message_id: MessageId,
    emoji: String,
}

impl Reaction {
    /// Reacts to `message_id` with `emoji`.
    #[must_use]
    pub fn new(message_id: MessageId, emoji: impl Into<String>) -> Self {
        Self {
            message_id,
            emoji: emoji.into(),
        }
    }

    /// Removes an earlier reaction (an empty emoji).
    #[must_use]
    pub fn remove(message_id: MessageId) -> Self {
        Self::new(message_id, "")
    }
}

impl From<Reaction> for Content {
    fn from(reaction: Reaction) -> Self {
        Self::Reaction(reaction)
    }
}

impl From<Interactive> for Content {
    fn from(interactive: Interactive) -> Self {
        Self::Interactive(interactive)
    }
}

impl From<TemplateMessage> for Content {
    fn from(template: TemplateMessage) -> Self {
        Self::Template(template)
    }
}
