//! The template model: what `GET /{waba-id}/message_templates` returns and `POST` creates.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::ids::TemplateId;
use crate::message::BuildError;
use crate::open_enum::open_enum;

open_enum!(
    /// A template's review status.
    TemplateStatus {
        /// Approved: can be sent.
        Approved => "APPROVED",
        /// In review.
        Pending => "PENDING",
        /// Rejected.
        Rejected => "REJECTED",
        /// Paused for low quality.
        Paused => "PAUSED",
        /// Disabled.
        Disabled => "DISABLED",
        /// Appeal requested.
        InAppeal => "IN_APPEAL",
        /// Pending deletion.
        PendingDeletion => "PENDING_DELETION",
        /// Deleted.
        Deleted => "DELETED",
        /// Archived.
        Archived => "ARCHIVED",
        /// Locked.
        Locked => "LOCKED",
        /// Limit exceeded.
        LimitExceeded => "LIMIT_EXCEEDED",
    }
);

open_enum!(
    /// A template's category.
    TemplateCategory {
        /// Marketing (campaigns).
        Marketing => "MARKETING",
        /// Utility (reminders, updates).
        Utility => "UTILITY",
        /// Authentication (one-time passwords).
        Authentication => "AUTHENTICATION",
    }
);

open_enum!(
    /// How a template's parameters are written.
    ParameterFormat {
        /// `{{1}}`, `{{2}}`, …
        Positional => "POSITIONAL",
        /// `{{nama_anak}}`, …
        Named => "NAMED",
    }
);

open_enum!(
    /// A template component's type.
    ComponentType {
        /// Header.
        Header => "HEADER",
        /// Body.
        Body => "BODY",
        /// Footer.
        Footer => "FOOTER",
        /// Buttons.
        Buttons => "BUTTONS",
        /// Carousel.
        Carousel => "CAROUSEL",
        /// Limited-time offer.
        LimitedTimeOffer => "LIMITED_TIME_OFFER",
    }
);

/// A message template as Meta stores it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Template {
    /// The template id.
    pub id: TemplateId,
    /// The name.
    pub name: String,
    /// The language code.
    pub language: String,
    /// The review status.
    pub status: TemplateStatus,
    /// The category.
    pub category: TemplateCategory,
    /// Positional or named parameters (positional when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameter_format: Option<ParameterFormat>,
    /// The components.
    #[serde(default)]
    pub components: Vec<ComponentDef>,
    /// The category before Meta recategorized it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_category: Option<String>,
    /// The quality score, `{"score": "GREEN" | …}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quality_score: Option<Value>,
    /// The reason for a rejection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rejected_reason: Option<String>,
    /// Fields not modelled here.
    #[serde(flatten)]
    pub extra: crate::Extra,
}

/// A template component: header, body, footer or buttons.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ComponentDef {
    /// The component type.
    #[serde(rename = "type")]
    pub kind: ComponentType,
    /// The header format: `TEXT`, `IMAGE`, `VIDEO`, `DOCUMENT` or `LOCATION`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
    /// The text, with `{{1}}` or `{{name}}` placeholders.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// Example values (required by review when the text has placeholders).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub example: Option<Value>,
    /// The buttons of a `BUTTONS` component.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub buttons: Vec<ButtonDef>,
    /// Fields not modelled here.
    #[serde(flatten)]
    pub extra: crate::Extra,
}

impl ComponentDef {
    /// A component of this type with this text.
    #[must_use]
    pub fn new(kind: ComponentType, text: Option<String>) -> Self {
        Self {
            kind,
            format: None,
            text,
            example: None,
            buttons: Vec::new(),
            extra: crate::Extra::new(),
        }
    }

    /// A text header.
    #[must_use]
    pub fn text_header(text: impl Into<String>) -> Self {
        let mut header = Self::new(ComponentType::Header, Some(text.into()));
        header.format = Some("TEXT".into());
        header
    }

    /// A body, with examples for its placeholders when it has any.
    #[must_use]
    pub fn body(text: impl Into<String>, example: Option<Value>) -> Self {
        let mut body = Self::new(ComponentType::Body, Some(text.into()));
        body.example = example;
        body
    }

    /// A footer.
    #[must_use]
    pub fn footer(text: impl Into<String>) -> Self {
        Self::new(ComponentType::Footer, Some(text.into()))
    }

    /// A buttons component.
    #[must_use]
    pub fn buttons(buttons: Vec<ButtonDef>) -> Self {
        let mut component = Self::new(ComponentType::Buttons, None);
        component.buttons = buttons;
        component
    }
}

/// A template button definition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ButtonDef {
    /// `QUICK_REPLY`, `URL`, `PHONE_NUMBER`, `COPY_CODE`, `OTP`, `FLOW`, …
    #[serde(rename = "type")]
    pub kind: String,
    /// The label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// The URL of a `URL` button (with `{{1}}` for a dynamic suffix).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The number of a `PHONE_NUMBER` button.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<String>,
    /// Examples.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub example: Option<Value>,
    /// Fields not modelled here.
    #[serde(flatten)]
    pub extra: crate::Extra,
}

impl ButtonDef {
    /// A quick-reply button.
    #[must_use]
    pub fn quick_reply(text: impl Into<String>) -> Self {
        Self {
            kind: "QUICK_REPLY".into(),
            text: Some(text.into()),
            url: None,
            phone_number: None,
            example: None,
            extra: crate::Extra::new(),
        }
    }
}

/// A template to create (`POST /{waba-id}/message_templates`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct NewTemplate {
    /// Lowercase letters, digits and underscores; at most 512 characters.
    pub name: String,
    /// The category.
    pub category: TemplateCategory,
    /// The language code.
    pub language: String,
    /// Positional or named parameters.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parameter_format: Option<ParameterFormat>,
    /// The components.
    pub components: Vec<ComponentDef>,
}

impl NewTemplate {
    /// A template with these components.
    #[must_use]
    pub fn new(
        name: impl Into<String>,
        category: TemplateCategory,
        language: impl Into<String>,
        components: Vec<ComponentDef>,
    ) -> Self {
        Self {
            name: name.into(),
            category,
            language: language.into(),
            parameter_format: None,
            components,
        }
    }

    /// Uses named parameters.
    #[must_use]
    pub fn named_parameters(mut self) -> Self {
        self.parameter_format = Some(ParameterFormat::Named);
        self
    }

    pub(crate) fn validate(&self) -> Result<(), BuildError> {
        let valid_name = !self.name.is_empty()
            && self
                .name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !valid_name {
            return Err(BuildError::Invalid {
                field: "name".into(),
                reason: format!("{:?} must be lowercase letters, digits and _", self.name),
            });
        }
        crate::message::check_len("name", &self.name, 512)?;
        crate::message::check_text("language", &self.language, 16)?;
        let bodies = self
            .components
            .iter()
            .filter(|c| c.kind == ComponentType::Body)
            .count();
        if bodies != 1 {
            return Err(BuildError::Invalid {
                field: "components".into(),
                reason: format!("a template has exactly one BODY, found {bodies}"),
            });
        }
        for (i, component) in self.components.iter().enumerate() {
            let field = format!("components[{i}]");
            match component.kind {
                ComponentType::Body => {
                    crate::message::check_text(
                        &format!("{field}.text"),
                        component.text.as_deref().unwrap_or(""),
                        1024,
                    )?;
                }
                ComponentType::Footer => {
                    crate::message::check_text(
                        &format!("{field}.text"),
                        component.text.as_deref().unwrap_or(""),
                        60,
                    )?;
                }
                ComponentType::Header
                    if component.format.as_deref().unwrap_or("TEXT") == "TEXT" =>
                {
                    crate::message::check_text(
                        &format!("{field}.text"),
                        component.text.as_deref().unwrap_or(""),
                        60,
                    )?;
                }
                ComponentType::Buttons if component.buttons.len() > 10 => {
                    return Err(BuildError::TooMany {
                        field: format!("{field}.buttons"),
                        count: component.buttons.len(),
                        max: 10,
                    });
                }
                _ => {}
            }
        }
        Ok(())
    }
}

/// The answer to a template creation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CreatedTemplate {
    /// The new template's id.
    pub id: TemplateId,
    /// Its status (usually `PENDING`, sometimes `APPROVED` at once).
    pub status: TemplateStatus,
    /// Its category (Meta may have changed it).
    pub category: TemplateCategory,
    /// Fields not modelled here.
    #[serde(flatten)]
    pub extra: crate::Extra,
}

/// An edit of an existing template (`POST /{template-id}`): only the fields set are sent.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
#[non_exhaustive]
pub struct TemplateEdit {
    /// A new category.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub category: Option<TemplateCategory>,
    /// New components.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub components: Option<Vec<ComponentDef>>,
}

/// Filters and paging for listing templates.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TemplateQuery {
    /// Only templates whose name contains this.
    pub name: Option<String>,
    /// Only templates with this status.
    pub status: Option<String>,
    /// Only templates of this category.
    pub category: Option<String>,
    /// Only templates in this language.
    pub language: Option<String>,
    /// Page size.
    pub limit: Option<u32>,
    /// The `after` cursor of the previous page.
    pub after: Option<String>,
}

impl TemplateQuery {
    pub(crate) fn to_query(&self) -> Vec<(&'static str, String)> {
        let mut query = Vec::new();
        let pairs = [
            ("name", &self.name),
            ("status", &self.status),
            ("category", &self.category),
            ("language", &self.language),
            ("after", &self.after),
        ];
        for (key, value) in pairs {
            if let Some(value) = value {
                query.push((key, value.clone()));
            }
        }
        if let Some(limit) = self.limit {
            query.push(("limit", limit.to_string()));
        }
        query
    }
}

/// One page of a Graph API list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Page<T> {
    /// The items.
    #[serde(default = "Vec::new")]
    pub data: Vec<T>,
    /// The cursors.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paging: Option<Paging>,
}

impl<T> Page<T> {
    /// The cursor of the next page, when there is one (Meta sends `next` only then).
    #[must_use]
    pub fn next_cursor(&self) -> Option<&str> {
        let paging = self.paging.as_ref()?;
        paging.next.as_ref()?;
        paging.cursors.as_ref()?.get("after")?.as_str()
    }
}

/// Paging cursors and links.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Paging {
    /// `before` and `after` cursors.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursors: Option<Map<String, Value>>,
    /// The URL of the next page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
    /// The URL of the previous page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous: Option<String>,
}
