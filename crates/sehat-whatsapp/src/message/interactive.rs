//! Interactive messages: reply buttons, lists, CTA URL, location request and Flows.

use std::collections::HashSet;

use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};

use super::content::check_link;
use super::{BuildError, Media, check_len, check_text};
use crate::ids::FlowId;

/// Reply buttons per message.
pub const MAX_BUTTONS: usize = 3;
/// Characters in a reply button title.
pub const MAX_BUTTON_TITLE: usize = 20;
/// Characters in a button or row id.
pub const MAX_BUTTON_ID: usize = 256;
/// Characters in a list row id.
pub const MAX_ROW_ID: usize = 200;
/// Characters in an interactive body.
pub const MAX_BODY: usize = 1024;
/// Characters in a text header or a footer.
pub const MAX_HEADER_TEXT: usize = 60;
/// Characters in a footer.
pub const MAX_FOOTER: usize = 60;
/// Sections in a list.
pub const MAX_SECTIONS: usize = 10;
/// Rows in a list, all sections together.
pub const MAX_ROWS: usize = 10;
/// Characters in a row title or a section title.
pub const MAX_ROW_TITLE: usize = 24;
/// Characters in a row description.
pub const MAX_ROW_DESCRIPTION: usize = 72;
/// Characters in a list's button label or a CTA's display text.
pub const MAX_ACTION_LABEL: usize = 20;
/// Characters in a Flow's CTA button.
pub const MAX_FLOW_CTA: usize = 30;

/// An interactive message.
#[derive(Debug, Clone, PartialEq)]
pub struct Interactive {
    header: Option<InteractiveHeader>,
    body: Option<String>,
    footer: Option<String>,
    action: Action,
}

#[derive(Debug, Clone, PartialEq)]
enum Action {
    Buttons(Vec<ReplyButton>),
    List {
        button: String,
        sections: Vec<ListSection>,
    },
    CtaUrl(CtaUrl),
    LocationRequest,
    Flow(FlowMessage),
}

impl Interactive {
    /// Up to three reply buttons under `body`.
    #[must_use]
    pub fn buttons(
        body: impl Into<String>,
        buttons: impl IntoIterator<Item = ReplyButton>,
    ) -> Self {
        Self::with_action(
            Some(body.into()),
            Action::Buttons(buttons.into_iter().collect()),
        )
    }

    /// A list: `button` opens it; at most ten sections and ten rows in all.
    #[must_use]
    pub fn list(
        body: impl Into<String>,
        button: impl Into<String>,
        sections: impl IntoIterator<Item = ListSection>,
    ) -> Self {
        Self::with_action(
            Some(body.into()),
            Action::List {
                button: button.into(),
                sections: sections.into_iter().collect(),
            },
        )
    }

    /// A call-to-action button that opens a URL.
    #[must_use]
    pub fn cta_url(body: impl Into<String>, cta: CtaUrl) -> Self {
        Self::with_action(Some(body.into()), Action::CtaUrl(cta))
    }

    /// Asks the user to share their location (the answer is a `location` message).
    #[must_use]
    pub fn location_request(body: impl Into<String>) -> Self {
        Self::with_action(Some(body.into()), Action::LocationRequest)
    }

    /// Opens a WhatsApp Flow (the answer is an `nfm_reply`).
    #[must_use]
    pub fn flow(body: impl Into<String>, flow: FlowMessage) -> Self {
        Self::with_action(Some(body.into()), Action::Flow(flow))
    }

    fn with_action(body: Option<String>, action: Action) -> Self {
        Self {
            header: None,
            body,
            footer: None,
            action,
        }
    }

    /// A header (text for lists; text or media for buttons, CTA URL and Flows).
    #[must_use]
    pub fn header(mut self, header: InteractiveHeader) -> Self {
        self.header = Some(header);
        self
    }

    /// A footer (at most 60 characters).
    #[must_use]
    pub fn footer(mut self, footer: impl Into<String>) -> Self {
        self.footer = Some(footer.into());
        self
    }

    fn type_name(&self) -> &'static str {
        match self.action {
            Action::Buttons(_) => "button",
            Action::List { .. } => "list",
            Action::CtaUrl(_) => "cta_url",
            Action::LocationRequest => "location_request_message",
            Action::Flow(_) => "flow",
        }
    }

    pub(crate) fn validate(&self) -> Result<(), BuildError> {
        const P: &str = "interactive";
        match &self.body {
            Some(body) => check_text(&format!("{P}.body.text"), body, MAX_BODY)?,
            None => {
                return Err(BuildError::Empty {
                    field: format!("{P}.body.text"),
                });
            }
        }
        if let Some(footer) = &self.footer {
            check_text(&format!("{P}.footer.text"), footer, MAX_FOOTER)?;
        }
        if let Some(header) = &self.header {
            header.validate(&format!("{P}.header"))?;
            if matches!(self.action, Action::List { .. } | Action::LocationRequest)
                && !matches!(header, InteractiveHeader::Text(_))
            {
                return Err(BuildError::Invalid {
                    field: format!("{P}.header"),
                    reason: format!("a {} message takes only a text header", self.type_name()),
                });
            }
        }
        let action = format!("{P}.action");
        match &self.action {
            Action::Buttons(buttons) => {
                if buttons.is_empty() {
                    return Err(BuildError::Empty {
                        field: format!("{action}.buttons"),
                    });
                }
                if buttons.len() > MAX_BUTTONS {
                    return Err(BuildError::TooMany {
                        field: format!("{action}.buttons"),
                        count: buttons.len(),
                        max: MAX_BUTTONS,
                    });
                }
                let mut ids = HashSet::new();
                for (i, button) in buttons.iter().enumerate() {
                    let field = format!("{action}.buttons[{i}].reply");
                    check_text(&format!("{field}.id"), &button.id, MAX_BUTTON_ID)?;
                    check_text(&format!("{field}.title"), &button.title, MAX_BUTTON_TITLE)?;
                    if !ids.insert(button.id.as_str()) {
                        return Err(BuildError::DuplicateId {
                            field: format!("{action}.buttons"),
                            id: button.id.clone(),
                        });
                    }
                }
            }
            Action::List { button, sections } => {
                check_text(&format!("{action}.button"), button, MAX_ACTION_LABEL)?;
                if sections.is_empty() {
                    return Err(BuildError::Empty {
                        field: format!("{action}.sections"),
                    });
                }
                if sections.len() > MAX_SECTIONS {
                    return Err(BuildError::TooMany {
                        field: format!("{action}.sections"),
                        count: sections.len(),
                        max: MAX_SECTIONS,
                    });
                }
                let rows: usize = sections.iter().map(|s| s.rows.len()).sum();
                if rows > MAX_ROWS {
                    return Err(BuildError::TooMany {
                        field: format!("{action}.sections[].rows"),
                        count: rows,
                        max: MAX_ROWS,
                    });
                }
                let mut ids = HashSet::new();
                for (s, section) in sections.iter().enumerate() {
                    let field = format!("{action}.sections[{s}]");
                    match &section.title {
                        Some(title) => check_text(&format!("{field}.title"), title, MAX_ROW_TITLE)?,
                        None if sections.len() > 1 => {
                            return Err(BuildError::Empty {
                                field: format!("{field}.title"),
                            });
                        }
                        None => {}
                    }
                    if section.rows.is_empty() {
                        return Err(BuildError::Empty {
                            field: format!("{field}.rows"),
                        });
                    }
                    for (r, row) in section.rows.iter().enumerate() {
                        let field = format!("{field}.rows[{r}]");
                        check_text(&format!("{field}.id"), &row.id, MAX_ROW_ID)?;
                        check_text(&format!("{field}.title"), &row.title, MAX_ROW_TITLE)?;
                        if let Some(description) = &row.description {
                            check_len(
                                &format!("{field}.description"),
                                description,
                                MAX_ROW_DESCRIPTION,
                            )?;
                        }
                        if !ids.insert(row.id.as_str()) {
                            return Err(BuildError::DuplicateId {
                                field: format!("{action}.sections[].rows"),
                                id: row.id.clone(),
                            });
                        }
                    }
                }
            }
            Action::CtaUrl(cta) => {
                let field = format!("{action}.parameters");
                check_text(
                    &format!("{field}.display_text"),
                    &cta.display_text,
                    MAX_ACTION_LABEL,
                )?;
                check_link(&format!("{field}.url"), &cta.url)?;
            }
            Action::LocationRequest => {}
            Action::Flow(flow) => flow.validate(&format!("{action}.parameters"))?,
        }
        Ok(())
    }
}

impl Serialize for Interactive {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct TextObj<'a> {
            text: &'a str,
        }
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("type", self.type_name())?;
        if let Some(header) = &self.header {
            map.serialize_entry("header", header)?;
        }
        if let Some(body) = &self.body {
            map.serialize_entry("body", &TextObj { text: body })?;
        }
        if let Some(footer) = &self.footer {
            map.serialize_entry("footer", &TextObj { text: footer })?;
        }
        map.serialize_entry("action", &ActionWire(&self.action))?;
        map.end()
    }
}

struct ActionWire<'a>(&'a Action);

impl Serialize for ActionWire<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Button<'a> {
            #[serde(rename = "type")]
            kind: &'static str,
            reply: &'a ReplyButton,
        }
        let mut map = serializer.serialize_map(None)?;
        match self.0 {
            Action::Buttons(buttons) => {
                let wire: Vec<Button<'_>> = buttons
                    .iter()
                    .map(|reply| Button {
                        kind: "reply",
                        reply,
                    })
                    .collect();
                map.serialize_entry("buttons", &wire)?;
            }
            Action::List { button, sections } => {
                map.serialize_entry("button", button)?;
                map.serialize_entry("sections", sections)?;
            }
            Action::CtaUrl(cta) => {
                map.serialize_entry("name", "cta_url")?;
                map.serialize_entry("parameters", cta)?;
            }
            Action::LocationRequest => map.serialize_entry("name", "send_location")?,
            Action::Flow(flow) => {
                map.serialize_entry("name", "flow")?;
                map.serialize_entry("parameters", flow)?;
            }
        }
        map.end()
    }
}

/// The header of an interactive message.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum InteractiveHeader {
    /// A text header (at most 60 characters).
    Text(String),
    /// An image header.
    Image(Media),
    /// A video header.
    Video(Media),
    /// A document header.
    Document(Media),
}

impl InteractiveHeader {
    fn validate(&self, field: &str) -> Result<(), BuildError> {
        match self {
            Self::Text(text) => check_text(&format!("{field}.text"), text, MAX_HEADER_TEXT),
            Self::Image(media) => media.validate(&format!("{field}.image"), false, false),
            Self::Video(media) => media.validate(&format!("{field}.video"), false, false),
            Self::Document(media) => media.validate(&format!("{field}.document"), false, true),
        }
    }
}

impl Serialize for InteractiveHeader {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(2))?;
        match self {
            Self::Text(text) => {
                map.serialize_entry("type", "text")?;
                map.serialize_entry("text", text)?;
            }
            Self::Image(media) => {
                map.serialize_entry("type", "image")?;
                map.serialize_entry("image", media)?;
            }
            Self::Video(media) => {
                map.serialize_entry("type", "video")?;
                map.serialize_entry("video", media)?;
            }
            Self::Document(media) => {
                map.serialize_entry("type", "document")?;
                map.serialize_entry("document", media)?;
            }
        }
        map.end()
    }
}

/// A reply button: the `id` comes back in the `button_reply` webhook.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReplyButton {
    id: String,
    title: String,
}

impl ReplyButton {
    /// A button with this id (at most 256 characters) and title (at most 20).
    #[must_use]
    pub fn new(id: impl Into<String>, title: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            title: title.into(),
        }
    }
}

/// A section of a list message.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ListSection {
    #[serde(skip_serializing_if = "Option::is_none")]
    title: Option<String>,
    rows: Vec<ListRow>,
}

impl ListSection {
    /// A section with a title (required when the list has more than one section).
    #[must_use]
    pub fn new(title: impl Into<String>, rows: impl IntoIterator<Item = ListRow>) -> Self {
        Self {
            title: Some(title.into()),
            rows: rows.into_iter().collect(),
        }
    }

    /// A section without a title (only for a list with one section).
    #[must_use]
    pub fn untitled(rows: impl IntoIterator<Item = ListRow>) -> Self {
        Self {
            title: None,
            rows: rows.into_iter().collect(),
        }
    }
}

/// A row of a list message: the `id` comes back in the `list_reply` webhook.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ListRow {
    id: String,
    title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
}

impl ListRow {
    /// A row with this id (at most 200 characters) and title (at most 24).
    #[must_use]
    pub fn new(id: impl Into<String>, title: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            title: title.into(),
            description: None,
        }
    }

    /// A description under the title (at most 72 characters).
    #[must_use]
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }
}

/// The parameters of a CTA URL button.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CtaUrl {
    display_text: String,
    url: String,
}

impl CtaUrl {
    /// A button labelled `display_text` (at most 20 characters) that opens `url`.
    #[must_use]
    pub fn new(display_text: impl Into<String>, url: impl Into<String>) -> Self {
        Self {
            display_text: display_text.into(),
            url: url.into(),
        }
    }
}

/// What a Flow opens with: a screen (`navigate`) or a call to your endpoint
/// (`data_exchange`).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum FlowAction {
    /// Open `screen` with `data`.
    Navigate {
        /// The screen id.
        screen: String,
        /// Initial data for the screen.
        data: Option<serde_json::Value>,
    },
    /// Ask the Flow endpoint for the first screen.
    DataExchange,
}

/// The parameters of a Flow message (`flow_message_version` 3).
#[derive(Debug, Clone, PartialEq)]
pub struct FlowMessage {
    flow: FlowRef,
    flow_token: String,
    flow_cta: String,
    action: FlowAction,
    draft: bool,
}

#[derive(Debug, Clone, PartialEq)]
enum FlowRef {
    Id(FlowId),
    Name(String),
}

impl FlowMessage {
    /// A Flow by id; `flow_token` identifies this session to your endpoint, `cta` labels the
    /// button (at most 30 characters).
    #[must_use]
    pub fn by_id(flow: FlowId, flow_token: impl Into<String>, cta: impl Into<String>) -> Self {
        Self::new(FlowRef::Id(flow), flow_token.into(), cta.into())
    }

    /// A Flow by name.
    #[must_use]
    pub fn by_name(
        name: impl Into<String>,
        flow_token: impl Into<String>,
        cta: impl Into<String>,
    ) -> Self {
        Self::new(FlowRef::Name(name.into()), flow_token.into(), cta.into())
    }

    fn new(flow: FlowRef, flow_token: String, flow_cta: String) -> Self {
        Self {
            flow,
            flow_token,
            flow_cta,
            action: FlowAction::DataExchange,
            draft: false,
        }
    }

    /// Opens a screen directly (`flow_action: navigate`).
    #[must_use]
    pub fn navigate(mut self, screen: impl Into<String>, data: Option<serde_json::Value>) -> Self {
        self.action = FlowAction::Navigate {
            screen: screen.into(),
            data,
        };
        self
    }

    /// Sends the draft version of the Flow (`mode: draft`), for testing.
    #[must_use]
    pub fn draft(mut self) -> Self {
        self.draft = true;
        self
    }

    fn validate(&self, field: &str) -> Result<(), BuildError> {
        check_text(&format!("{field}.flow_token"), &self.flow_token, 4096)?;
        check_text(&format!("{field}.flow_cta"), &self.flow_cta, MAX_FLOW_CTA)?;
        match &self.flow {
            FlowRef::Id(id) => check_text(&format!("{field}.flow_id"), id.as_str(), 256)?,
            FlowRef::Name(name) => check_text(&format!("{field}.flow_name"), name, 256)?,
        }
        if let FlowAction::Navigate { screen, data } = &self.action {
            check_text(&format!("{field}.flow_action_payload.screen"), screen, 256)?;
            if let Some(data) = data
                && !data.is_object()
            {
                return Err(BuildError::Invalid {
                    field: format!("{field}.flow_action_payload.data"),
                    reason: "must be a JSON object".into(),
                });
            }
        }
        Ok(())
    }
}

impl Serialize for FlowMessage {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Payload<'a> {
            screen: &'a str,
            #[serde(skip_serializing_if = "Option::is_none")]
            data: Option<&'a serde_json::Value>,
        }
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("flow_message_version", "3")?;
        map.serialize_entry("flow_token", &self.flow_token)?;
        match &self.flow {
            FlowRef::Id(id) => map.serialize_entry("flow_id", id)?,
            FlowRef::Name(name) => map.serialize_entry("flow_name", name)?,
        }
        map.serialize_entry("flow_cta", &self.flow_cta)?;
        match &self.action {
            FlowAction::Navigate { screen, data } => {
                map.serialize_entry("flow_action", "navigate")?;
                map.serialize_entry(
                    "flow_action_payload",
                    &Payload {
                        screen,
                        data: data.as_ref(),
                    },
                )?;
            }
            FlowAction::DataExchange => map.serialize_entry("flow_action", "data_exchange")?,
        }
        if self.draft {
            map.serialize_entry("mode", "draft")?;
        }
        map.end()
    }
}
