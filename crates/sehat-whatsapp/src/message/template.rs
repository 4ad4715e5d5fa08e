//! Template messages (`type: "template"`): header, body and button parameters, positional
//! or named.

use std::collections::HashSet;

use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};

use super::{BuildError, Location, Media, check_len, check_text};

/// The longest template name, in characters.
pub const MAX_TEMPLATE_NAME: usize = 512;
/// The longest text header parameter, in characters.
pub const MAX_HEADER_PARAMETER: usize = 60;
/// The longest body text parameter, in characters (Meta's limit for the whole body).
pub const MAX_BODY_PARAMETER: usize = 32768;
/// Templates have at most ten buttons, so indices run 0 to 9.
pub const MAX_BUTTON_INDEX: u8 = 9;

/// A template's language: `{"code": "id"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Language {
    code: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    policy: Option<&'static str>,
}

impl Language {
    /// Bahasa Indonesia (`id`).
    pub const INDONESIAN: &'static str = "id";

    /// A language by code (`id`, `en`, `en_US`, …).
    #[must_use]
    pub fn new(code: impl Into<String>) -> Self {
        Self {
            code: code.into(),
            policy: None,
        }
    }

    /// Sets `policy: deterministic` (the only policy Meta documents).
    #[must_use]
    pub fn deterministic(mut self) -> Self {
        self.policy = Some("deterministic");
        self
    }

    /// The language code.
    #[must_use]
    pub fn code(&self) -> &str {
        &self.code
    }
}

/// A template message: the template's name and language and the parameters of its
/// components.
///
/// ```
/// use sehat_whatsapp::message::{Language, Parameter, TemplateMessage};
///
/// let reminder = TemplateMessage::new("pengingat_imunisasi", Language::new("id"))
///     .named_body([("nama_anak", "Budi"), ("tanggal", "Sabtu, 6 Desember")]);
/// let json = serde_json::to_value(&reminder)?;
/// assert_eq!(json["components"][0]["parameters"][0]["parameter_name"], "nama_anak");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TemplateMessage {
    name: String,
    language: Language,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    components: Vec<TemplateComponent>,
}

impl TemplateMessage {
    /// A message for the template `name` in `language`, without parameters yet.
    #[must_use]
    pub fn new(name: impl Into<String>, language: Language) -> Self {
        Self {
            name: name.into(),
            language,
            components: Vec::new(),
        }
    }

    /// The template name.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The language.
    #[must_use]
    pub fn language(&self) -> &Language {
        &self.language
    }

    /// The components with parameters.
    #[must_use]
    pub fn components(&self) -> &[TemplateComponent] {
        &self.components
    }

    /// Sets the header parameter (text, image, video, document or location).
    #[must_use]
    pub fn header(mut self, parameter: Parameter) -> Self {
        self.components
            .push(TemplateComponent::Header(vec![parameter]));
        self
    }

    /// Sets the body parameters, in order (`{{1}}`, `{{2}}`, …) or named.
    #[must_use]
    pub fn body(mut self, parameters: impl IntoIterator<Item = Parameter>) -> Self {
        self.components
            .push(TemplateComponent::Body(parameters.into_iter().collect()));
        self
    }

    /// Sets named text body parameters (`{{nama_anak}}`), for templates created with
    /// `parameter_format: NAMED`.
    #[must_use]
    pub fn named_body<N, V>(self, parameters: impl IntoIterator<Item = (N, V)>) -> Self
    where
        N: Into<String>,
        V: Into<String>,
    {
        self.body(
            parameters
                .into_iter()
                .map(|(name, value)| Parameter::text(value).named(name)),
        )
    }

    /// Adds the parameters of one button.
    #[must_use]
    pub fn button(mut self, button: ButtonParam) -> Self {
        self.components.push(TemplateComponent::Button(button));
        self
    }

    pub(crate) fn validate(&self) -> Result<(), BuildError> {
        check_text("template.name", &self.name, MAX_TEMPLATE_NAME)?;
        check_text("template.language.code", &self.language.code, 32)?;
        let mut header = false;
        let mut body = false;
        let mut buttons = HashSet::new();
        for (i, component) in self.components.iter().enumerate() {
            let field = format!("template.components[{i}]");
            match component {
                TemplateComponent::Header(parameters) => {
                    if std::mem::replace(&mut header, true) {
                        return Err(duplicate(&field, "header"));
                    }
                    if parameters.len() != 1 {
                        return Err(BuildError::Invalid {
                            field: format!("{field}.parameters"),
                            reason: format!(
                                "a header takes one parameter, not {}",
                                parameters.len()
                            ),
                        });
                    }
                    check_parameters(&field, parameters, MAX_HEADER_PARAMETER)?;
                }
                TemplateComponent::Body(parameters) => {
                    if std::mem::replace(&mut body, true) {
                        return Err(duplicate(&field, "body"));
                    }
                    check_parameters(&field, parameters, MAX_BODY_PARAMETER)?;
                }
                TemplateComponent::Button(button) => {
                    if button.index > MAX_BUTTON_INDEX {
                        return Err(BuildError::Invalid {
                            field: format!("{field}.index"),
                            reason: format!("{} is over {MAX_BUTTON_INDEX}", button.index),
                        });
                    }
                    if !buttons.insert(button.index) {
                        return Err(BuildError::DuplicateId {
                            field: "template.components[].index".into(),
                            id: button.index.to_string(),
                        });
                    }
                    button.validate(&field)?;
                }
            }
        }
        Ok(())
    }
}

fn duplicate(field: &str, what: &str) -> BuildError {
    BuildError::Invalid {
        field: field.to_owned(),
        reason: format!("a second {what} component"),
    }
}

fn check_parameters(
    field: &str,
    parameters: &[Parameter],
    max_text: usize,
) -> Result<(), BuildError> {
    let named = parameters.iter().filter(|p| p.name.is_some()).count();
    if named != 0 && named != parameters.len() {
        return Err(BuildError::Invalid {
            field: format!("{field}.parameters"),
            reason: "mixes named and positional parameters".into(),
        });
    }
    let mut names = HashSet::new();
    for (i, parameter) in parameters.iter().enumerate() {
        let field = format!("{field}.parameters[{i}]");
        if let Some(name) = &parameter.name {
            check_parameter_name(&format!("{field}.parameter_name"), name)?;
            if !names.insert(name.as_str()) {
                return Err(BuildError::DuplicateId {
                    field: format!("{field}.parameter_name"),
                    id: name.clone(),
                });
            }
        }
        parameter.value.validate(&field, max_text)?;
    }
    Ok(())
}

/// Meta's rule for named parameters: lowercase letters, digits and underscores, starting
/// with a letter.
fn check_parameter_name(field: &str, name: &str) -> Result<(), BuildError> {
    let mut chars = name.chars();
    let valid = chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if valid {
        Ok(())
    } else {
        Err(BuildError::Invalid {
            field: field.to_owned(),
            reason: format!(
                "{name:?} is not a parameter name (lowercase letters, digits and _, starting with a letter)"
            ),
        })
    }
}

/// A component of a template message with its parameters.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum TemplateComponent {
    /// The header's one parameter.
    Header(Vec<Parameter>),
    /// The body's parameters.
    Body(Vec<Parameter>),
    /// One button's parameters.
    Button(ButtonParam),
}

impl Serialize for TemplateComponent {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        match self {
            Self::Header(parameters) => {
                map.serialize_entry("type", "header")?;
                map.serialize_entry("parameters", parameters)?;
            }
            Self::Body(parameters) => {
                map.serialize_entry("type", "body")?;
                map.serialize_entry("parameters", parameters)?;
            }
            Self::Button(button) => {
                map.serialize_entry("type", "button")?;
                map.serialize_entry("sub_type", button.sub_type.as_str())?;
                // The spec types `index` as a string; Meta accepts both.
                map.serialize_entry("index", &button.index.to_string())?;
                map.serialize_entry("parameters", &button.parameters)?;
            }
        }
        map.end()
    }
}

/// A header or body parameter, positional or named.
#[derive(Debug, Clone, PartialEq)]
pub struct Parameter {
    name: Option<String>,
    value: ParameterValue,
}

impl Parameter {
    /// A parameter with this value.
    #[must_use]
    pub fn new(value: ParameterValue) -> Self {
        Self { name: None, value }
    }

    /// A text parameter.
    #[must_use]
    pub fn text(text: impl Into<String>) -> Self {
        Self::new(ParameterValue::Text(text.into()))
    }

    /// A currency parameter.
    #[must_use]
    pub fn currency(currency: Currency) -> Self {
        Self::new(ParameterValue::Currency(currency))
    }

    /// A date-time parameter.
    #[must_use]
    pub fn date_time(date_time: DateTime) -> Self {
        Self::new(ParameterValue::DateTime(date_time))
    }

    /// An image header.
    #[must_use]
    pub fn image(media: Media) -> Self {
        Self::new(ParameterValue::Image(media))
    }

    /// A video header.
    #[must_use]
    pub fn video(media: Media) -> Self {
        Self::new(ParameterValue::Video(media))
    }

    /// A document header.
    #[must_use]
    pub fn document(media: Media) -> Self {
        Self::new(ParameterValue::Document(media))
    }

    /// A location header.
    #[must_use]
    pub fn location(location: Location) -> Self {
        Self::new(ParameterValue::Location(location))
    }

    /// Names the parameter (`parameter_name`), for templates with named parameters.
    #[must_use]
    pub fn named(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// The name, for a named parameter.
    #[must_use]
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// The value.
    #[must_use]
    pub fn value(&self) -> &ParameterValue {
        &self.value
    }
}

impl Serialize for Parameter {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        let kind = self.value.type_name();
        map.serialize_entry("type", kind)?;
        if let Some(name) = &self.name {
            map.serialize_entry("parameter_name", name)?;
        }
        match &self.value {
            ParameterValue::Text(text) => map.serialize_entry(kind, text)?,
            ParameterValue::Currency(currency) => map.serialize_entry(kind, currency)?,
            ParameterValue::DateTime(date_time) => map.serialize_entry(kind, date_time)?,
            ParameterValue::Image(media)
            | ParameterValue::Video(media)
            | ParameterValue::Document(media) => map.serialize_entry(kind, media)?,
            ParameterValue::Location(location) => map.serialize_entry(kind, location)?,
        }
        map.end()
    }
}

/// The value of a header or body parameter.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ParameterValue {
    /// Text.
    Text(String),
    /// An amount of money.
    Currency(Currency),
    /// A date and time.
    DateTime(DateTime),
    /// An image (header only).
    Image(Media),
    /// A video (header only).
    Video(Media),
    /// A document (header only).
    Document(Media),
    /// A location (header only).
    Location(Location),
}

impl ParameterValue {
    /// The parameter's `type`.
    #[must_use]
    pub fn type_name(&self) -> &'static str {
        match self {
            Self::Text(_) => "text",
            Self::Currency(_) => "currency",
            Self::DateTime(_) => "date_time",
            Self::Image(_) => "image",
            Self::Video(_) => "video",
            Self::Document(_) => "document",
            Self::Location(_) => "location",
        }
    }

    fn validate(&self, field: &str, max_text: usize) -> Result<(), BuildError> {
        match self {
            Self::Text(text) => check_text(&format!("{field}.text"), text, max_text),
            Self::Currency(currency) => {
                check_text(
                    &format!("{field}.currency.fallback_value"),
                    &currency.fallback_value,
                    max_text,
                )?;
                let code = &currency.code;
                if code.len() != 3 || !code.chars().all(|c| c.is_ascii_uppercase()) {
                    return Err(BuildError::Invalid {
                        field: format!("{field}.currency.code"),
                        reason: format!("{code:?} is not an ISO 4217 code"),
                    });
                }
                Ok(())
            }
            Self::DateTime(date_time) => check_text(
                &format!("{field}.date_time.fallback_value"),
                &date_time.fallback_value,
                max_text,
            ),
            Self::Image(media) => media.validate(&format!("{field}.image"), false, false),
            Self::Video(media) => media.validate(&format!("{field}.video"), false, false),
            Self::Document(media) => media.validate(&format!("{field}.document"), false, true),
            Self::Location(location) => location.validate(&format!("{field}.location")),
        }
    }
}

/// A currency parameter: `amount_1000` is the amount times 1000.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Currency {
    /// The text shown when the amount cannot be localized.
    pub fallback_value: String,
    /// The ISO 4217 code (`IDR`).
    pub code: String,
    /// The amount times 1000.
    pub amount_1000: i64,
}

impl Currency {
    /// An amount in `code` (ISO 4217), given times 1000, with its fallback text.
    #[must_use]
    pub fn new(
        fallback_value: impl Into<String>,
        code: impl Into<String>,
        amount_1000: i64,
    ) -> Self {
        Self {
            fallback_value: fallback_value.into(),
            code: code.into(),
            amount_1000,
        }
    }
}

/// A date-time parameter. Meta shows `fallback_value`; the other fields are accepted for
/// compatibility.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[non_exhaustive]
pub struct DateTime {
    /// The text shown.
    pub fallback_value: String,
    /// Day of the week, 1 (Monday) to 7.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub day_of_week: Option<u8>,
    /// Year.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub year: Option<i32>,
    /// Month, 1 to 12.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub month: Option<u8>,
    /// Day of the month.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub day_of_month: Option<u8>,
    /// Hour, 0 to 23.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hour: Option<u8>,
    /// Minute.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub minute: Option<u8>,
    /// `GREGORIAN` or `SOLAR_HIJRI`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub calendar: Option<String>,
}

impl DateTime {
    /// A date-time shown as `fallback_value`.
    #[must_use]
    pub fn new(fallback_value: impl Into<String>) -> Self {
        Self {
            fallback_value: fallback_value.into(),
            ..Self::default()
        }
    }
}

/// The `sub_type` of a template button.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ButtonSubType {
    /// A quick-reply button (payload comes back in a `button` webhook message).
    QuickReply,
    /// A URL button with a dynamic suffix (also the copy-code button of authentication
    /// templates).
    Url,
    /// A copy-code (coupon) button.
    CopyCode,
    /// A Flow button.
    Flow,
    /// A catalog button.
    Catalog,
    /// A multi-product button.
    Mpm,
}

impl ButtonSubType {
    /// The wire name.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::QuickReply => "quick_reply",
            Self::Url => "url",
            Self::CopyCode => "copy_code",
            Self::Flow => "flow",
            Self::Catalog => "catalog",
            Self::Mpm => "mpm",
        }
    }
}

/// The parameters of one template button.
#[derive(Debug, Clone, PartialEq)]
pub struct ButtonParam {
    sub_type: ButtonSubType,
    index: u8,
    parameters: Vec<ButtonParameter>,
}

impl ButtonParam {
    /// A quick-reply button's payload.
    #[must_use]
    pub fn quick_reply(index: u8, payload: impl Into<String>) -> Self {
        Self::new(
            ButtonSubType::QuickReply,
            index,
            ButtonParameter::Payload(payload.into()),
        )
    }

    /// A URL button's dynamic suffix.
    #[must_use]
    pub fn url(index: u8, suffix: impl Into<String>) -> Self {
        Self::new(
            ButtonSubType::Url,
            index,
            ButtonParameter::Text(suffix.into()),
        )
    }

    /// A copy-code button's coupon code.
    #[must_use]
    pub fn copy_code(index: u8, coupon_code: impl Into<String>) -> Self {
        Self::new(
            ButtonSubType::CopyCode,
            index,
            ButtonParameter::CouponCode(coupon_code.into()),
        )
    }

    /// The one-time password of an authentication template's copy-code or one-tap button
    /// (sent as a `url` button with the code as text).
    #[must_use]
    pub fn one_time_password(index: u8, code: impl Into<String>) -> Self {
        Self::url(index, code)
    }

    /// A Flow button: the token and optional initial data.
    #[must_use]
    pub fn flow(index: u8, flow_token: impl Into<String>, data: Option<serde_json::Value>) -> Self {
        let mut action = serde_json::Map::new();
        action.insert("flow_token".into(), flow_token.into().into());
        if let Some(data) = data {
            action.insert("flow_action_data".into(), data);
        }
        Self::new(
            ButtonSubType::Flow,
            index,
            ButtonParameter::Action(action.into()),
        )
    }

    /// A catalog button with the product shown as thumbnail.
    #[must_use]
    pub fn catalog(index: u8, thumbnail_product_retailer_id: impl Into<String>) -> Self {
        let action = serde_json::json!({ "thumbnail_product_retailer_id": thumbnail_product_retailer_id.into() });
        Self::new(
            ButtonSubType::Catalog,
            index,
            ButtonParameter::Action(action),
        )
    }

    /// Any button: its sub-type, index and parameter.
    #[must_use]
    pub fn new(sub_type: ButtonSubType, index: u8, parameter: ButtonParameter) -> Self {
        Self {
            sub_type,
            index,
            parameters: vec![parameter],
        }
    }

    /// The sub-type.
    #[must_use]
    pub fn sub_type(&self) -> ButtonSubType {
        self.sub_type
    }

    /// The button's index in the template.
    #[must_use]
    pub fn index(&self) -> u8 {
        self.index
    }

    fn validate(&self, field: &str) -> Result<(), BuildError> {
        for (i, parameter) in self.parameters.iter().enumerate() {
            let field = format!("{field}.parameters[{i}]");
            match parameter {
                ButtonParameter::Payload(text) => {
                    check_len(&format!("{field}.payload"), text, 1000)?
                }
                ButtonParameter::Text(text) => check_text(&format!("{field}.text"), text, 2000)?,
                ButtonParameter::CouponCode(code) => {
                    check_text(&format!("{field}.coupon_code"), code, 15)?;
                }
                ButtonParameter::Action(action) => {
                    if !action.is_object() {
                        return Err(BuildError::Invalid {
                            field: format!("{field}.action"),
                            reason: "must be a JSON object".into(),
                        });
                    }
                }
            }
        }
        Ok(())
    }
}

/// A button parameter.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ButtonParameter {
    /// `{"type":"payload","payload":…}` (quick reply).
    Payload(String),
    /// `{"type":"text","text":…}` (URL suffix, one-time password).
    Text(String),
    /// `{"type":"coupon_code","coupon_code":…}`.
    CouponCode(String),
    /// `{"type":"action","action":{…}}` (Flow, catalog, multi-product).
    Action(serde_json::Value),
}

impl Serialize for ButtonParameter {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(2))?;
        match self {
            Self::Payload(text) => {
                map.serialize_entry("type", "payload")?;
                map.serialize_entry("payload", text)?;
            }
            Self::Text(text) => {
                map.serialize_entry("type", "text")?;
                map.serialize_entry("text", text)?;
            }
            Self::CouponCode(code) => {
                map.serialize_entry("type", "coupon_code")?;
                map.serialize_entry("coupon_code", code)?;
            }
            Self::Action(action) => {
                map.serialize_entry("type", "action")?;
                map.serialize_entry("action", action)?;
            }
        }
        map.end()
    }
}
