//! What the mock checks in the content of a send before it accepts it: the fields Meta's
//! OpenAPI spec (`business-messaging-api_v23.0.yaml`, schemas `TextMessage`,
//! `MediaObject`, `LocationMessage`, `ReactionMessage`, `InteractiveObject`, `BodyObject`,
//! `TemplateObject`, `ContactsMessage`) marks as required, so a bot that forgets one fails
//! against the mock as it would against Meta, with an error of the same shape.

use serde_json::Value;

/// Why a message's content was refused: a Graph error code and its message and details.
pub(crate) struct Refusal {
    pub code: i64,
    pub message: String,
    pub details: String,
}

/// A required parameter is missing: Meta answers `(#100) The parameter … is required.`
fn missing(parameter: &str) -> Refusal {
    Refusal {
        code: 100,
        message: format!("(#100) The parameter {parameter} is required."),
        details: format!("The parameter {parameter} is required."),
    }
}

/// A parameter has a value Meta does not accept: 131009.
fn not_valid(details: String) -> Refusal {
    Refusal {
        code: 131009,
        message: "(#131009) Parameter value is not valid".to_owned(),
        details,
    }
}

fn non_empty_str(value: &Value) -> Option<&str> {
    value.as_str().filter(|s| !s.trim().is_empty())
}

/// A coordinate as a number or a numeric string (the spec types them as strings; clients
/// send numbers), within `limit` degrees of zero.
fn coordinate(value: &Value, limit: f64) -> Option<f64> {
    let number = match value {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse::<f64>().ok(),
        _ => None,
    }?;
    (number.is_finite() && number.abs() <= limit).then_some(number)
}

const MEDIA_KINDS: [&str; 5] = ["image", "audio", "video", "document", "sticker"];

/// Checks the content object of a message of type `kind` (already known to be a JSON object
/// or array).
pub(crate) fn check(kind: &str, content: &Value) -> Result<(), Refusal> {
    match kind {
        "text" => {
            non_empty_str(&content["body"]).ok_or_else(|| missing("text['body']"))?;
        }
        kind if MEDIA_KINDS.contains(&kind) => {
            let id = non_empty_str(&content["id"]);
            let link = non_empty_str(&content["link"]);
            match (id, link) {
                (None, None) => return Err(missing(&format!("{kind}['id'] or {kind}['link']"))),
                (Some(_), Some(_)) => {
                    return Err(not_valid(format!(
                        "Give either {kind}['id'] or {kind}['link'], not both."
                    )));
                }
                (None, Some(link)) => {
                    let rest = link
                        .strip_prefix("https://")
                        .or_else(|| link.strip_prefix("http://"));
                    if rest.is_none_or(|r| r.is_empty() || r.starts_with('/')) {
                        return Err(not_valid(format!(
                            "{kind}['link'] is not a valid http or https URL."
                        )));
                    }
                }
                (Some(_), None) => {}
            }
        }
        "location" => {
            for (field, limit) in [("latitude", 90.0), ("longitude", 180.0)] {
                if content.get(field).is_none_or(Value::is_null) {
                    return Err(missing(&format!("location['{field}']")));
                }
                if coordinate(&content[field], limit).is_none() {
                    return Err(not_valid(format!(
                        "location['{field}'] must be a number from -{limit} to {limit}."
                    )));
                }
            }
        }
        "reaction" => {
            if non_empty_str(&content["message_id"]).is_none() {
                return Err(missing("reaction['message_id']"));
            }
            // An empty emoji removes a reaction; a missing one is an error.
            if !content["emoji"].is_string() {
                return Err(missing("reaction['emoji']"));
            }
        }
        "interactive" => {
            let Some(kind) = non_empty_str(&content["type"]) else {
                return Err(missing("interactive['type']"));
            };
            if !content["action"].is_object() {
                return Err(missing("interactive['action']"));
            }
            if kind != "product" && non_empty_str(&content["body"]["text"]).is_none() {
                return Err(missing("interactive['body']['text']"));
            }
            if kind == "button" {
                let count = content["action"]["buttons"].as_array().map_or(0, Vec::len);
                if !(1..=3).contains(&count) {
                    return Err(not_valid(format!(
                        "interactive['action']['buttons'] must hold 1 to 3 buttons, not {count}."
                    )));
                }
            }
        }
        "template" => {
            if non_empty_str(&content["name"]).is_none() {
                return Err(missing("template['name']"));
            }
            if non_empty_str(&content["language"]["code"]).is_none() {
                return Err(missing("template['language']['code']"));
            }
        }
        "contacts" => {
            content
                .as_array()
                .filter(|cards| !cards.is_empty())
                .ok_or_else(|| missing("contacts"))?;
        }
        _ => {}
    }
    Ok(())
}
