//! Error entries in webhooks: `value.errors[]`, `statuses[].errors[]`, `messages[].errors[]`.

use serde::{Deserialize, Deserializer};
use serde_json::Value;

use super::lenient::{self, Extra, Fallback};

/// One asynchronous error reported in a webhook.
///
/// Meta's advice is to branch on [`code`](Self::code) and [`details`](Self::details), never
/// on the title. The codes are those of the Graph API error table (for example 130429 rate
/// limit, 131026 undeliverable, 131047 outside the customer-service window).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct ErrorEntry {
    /// The error code.
    #[serde(deserialize_with = "lenient::int")]
    pub code: Option<i64>,
    /// The error title.
    #[serde(deserialize_with = "lenient::string")]
    pub title: Option<String>,
    /// The error message.
    #[serde(deserialize_with = "lenient::string")]
    pub message: Option<String>,
    /// `error_data.details`: what went wrong, in detail.
    #[serde(rename = "error_data", deserialize_with = "details")]
    pub details: Option<String>,
    /// A link to Meta's error-code documentation.
    #[serde(deserialize_with = "lenient::string")]
    pub href: Option<String>,
    /// Fields this version does not model.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `error_data` is `{"details": "..."}` in webhooks; a bare string is accepted too.
fn details<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Object(map) => match map.get("details") {
            Some(Value::String(s)) => Some(s.clone()),
            Some(Value::Null) | None => None,
            Some(other) => Some(other.to_string()),
        },
        Value::String(s) => Some(s),
        Value::Null => None,
        other => Some(other.to_string()),
    })
}

impl Fallback for ErrorEntry {
    fn fallback(raw: Extra) -> Self {
        Self {
            title: lenient::member(&raw, "title"),
            message: lenient::member(&raw, "message"),
            extra: raw,
            ..Self::default()
        }
    }
}
