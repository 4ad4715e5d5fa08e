//! `sehat whatsapp inspect`: one JSON line per webhook event or Graph API error body.

use std::io::Write;
use std::path::{Path, PathBuf};

use sehat_whatsapp::error::ApiError;
use sehat_whatsapp::ids::{BusinessScopedUserId, MessageId};
use sehat_whatsapp::webhook::{ChangeValue, Event, WebhookPayload};
use serde_json::{Map, Value, json};

use crate::error::{CliError, Result};
use crate::io;

/// Arguments of `sehat whatsapp inspect`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Files holding a webhook body (as POSTed by Meta) or a Graph API response or error
    /// body.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Write the lines to this file instead of stdout.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Print message ids and business-scoped user ids in full. They are masked by
    /// default: a message id carries the user's phone number, and a business-scoped id
    /// identifies the user as surely.
    #[arg(long)]
    pub reveal: bool,
}

/// How identifiers are printed.
#[derive(Debug, Clone, Copy)]
struct Ids {
    reveal: bool,
}

impl Ids {
    fn message(self, id: &str) -> String {
        if self.reveal {
            id.to_owned()
        } else {
            MessageId::new(id).to_string()
        }
    }

    fn user(self, id: &str) -> String {
        if self.reveal {
            id.to_owned()
        } else {
            BusinessScopedUserId::new(id).to_string()
        }
    }
}

/// Runs `sehat whatsapp inspect`.
///
/// Every file is inspected; the lines of the good ones are written, and the bad ones are
/// reported together in the error.
pub fn run(args: Args) -> Result {
    let inputs: Vec<&Path> = args.files.iter().map(PathBuf::as_path).collect();
    let mut out = io::Output::create(args.output.as_deref(), &inputs)?;
    let mut failures = Vec::new();
    for path in &args.files {
        match inspect_file(
            path,
            Ids {
                reveal: args.reveal,
            },
        ) {
            Ok(lines) => {
                for line in lines {
                    serde_json::to_writer(&mut out, &line)?;
                    out.write_all(b"\n")?;
                }
            }
            Err(message) => failures.push(message),
        }
    }
    if failures.is_empty() {
        out.commit()
    } else {
        // An output file is not created: a partial one would look complete.
        out.flush()?;
        Err(CliError::msg(failures.join("; ")))
    }
}

/// The lines for one file, or an error message naming it.
fn inspect_file(path: &Path, ids: Ids) -> std::result::Result<Vec<Value>, String> {
    let name = path.display().to_string();
    let bytes = io::read_input(path).map_err(|e| e.to_string())?;
    let value: Value = serde_json::from_slice(&bytes).map_err(|e| {
        format!(
            "{name} is not a payload the WhatsApp Cloud API sends: not JSON (line {}, column {}: {e})",
            e.line(),
            e.column()
        )
    })?;
    let Value::Object(object) = &value else {
        return Err(format!(
            "{name} is not a payload the WhatsApp Cloud API sends: not a JSON object"
        ));
    };
    if object.contains_key("error") {
        let error = ApiError::from_body(&bytes)
            .map_err(|e| format!("{name} is not a payload the WhatsApp Cloud API sends: {e}"))?;
        return Ok(vec![api_error_line(&name, &error)]);
    }
    if object.contains_key("entry") {
        let payload = WebhookPayload::from_value(value)
            .map_err(|e| format!("{name} is not a WhatsApp webhook: {e}"))?;
        return Ok(payload
            .events()
            .map(|e| event_line(&name, &e, ids))
            .collect());
    }
    response_line(&name, object, ids).map(|line| vec![line]).ok_or_else(|| {
        format!(
            "{name} is not a payload the WhatsApp Cloud API sends: neither a webhook (`entry`), an error body (`error`) nor a Graph API response"
        )
    })
}

fn api_error_line(file: &str, error: &ApiError) -> Value {
    json!({
        "file": file,
        "kind": "api_error",
        "code": error.code(),
        "subcode": error.subcode(),
        "error_kind": error.kind().as_str(),
        "retry": error.retry_class().as_str(),
        "details": error.details(),
        "fbtrace_id": error.fbtrace_id(),
    })
}

fn event_line(file: &str, event: &Event<'_>, ids: Ids) -> Value {
    let origin = event.origin();
    let mut line = Map::new();
    line.insert("file".into(), json!(file));
    line.insert("field".into(), json!(event.field()));
    line.insert("kind".into(), json!(event.kind()));
    let id = event.id().map(|id| match event {
        Event::Message(_) | Event::Echo(_) | Event::Status(_) => ids.message(id),
        Event::UserPreference(_) => ids.user(id),
        _ => id.to_owned(),
    });
    line.insert("id".into(), json!(id));
    line.insert("type".into(), json!(event.type_str()));
    line.insert("waba_id".into(), json!(origin.waba_id()));
    line.insert("phone_number_id".into(), json!(origin.phone_number_id()));
    match event {
        Event::Message(m) | Event::Echo(m) => {
            line.insert(
                "timestamp".into(),
                json!(m.message.timestamp.as_ref().and_then(|t| t.unix_seconds())),
            );
            // The sender's phone number is never printed; the business-scoped id only
            // masked unless asked for.
            line.insert(
                "user_id".into(),
                json!(
                    m.message
                        .from_user_id
                        .as_ref()
                        .map(|u| ids.user(u.as_str()))
                ),
            );
        }
        Event::Status(s) => {
            line.insert(
                "timestamp".into(),
                json!(s.status.timestamp.as_ref().and_then(|t| t.unix_seconds())),
            );
            let codes: Vec<_> = s.status.errors.iter().filter_map(|e| e.code).collect();
            if !codes.is_empty() {
                line.insert("error_codes".into(), json!(codes));
            }
        }
        Event::Error(e) => {
            line.insert("code".into(), json!(e.error.code));
            line.insert("title".into(), json!(e.error.title));
            line.insert("details".into(), json!(e.error.details));
        }
        Event::Change(origin) => {
            if let ChangeValue::Malformed { error, .. } = &origin.change.value {
                line.insert("error".into(), json!(error));
            }
        }
        _ => {}
    }
    Value::Object(line)
}

/// A line for a Graph API success body, when the body is one.
fn response_line(file: &str, object: &Map<String, Value>, ids: Ids) -> Option<Value> {
    let (kind, id) = if let Some(Value::Array(messages)) = object.get("messages") {
        (
            "send_message",
            messages
                .first()
                .and_then(|m| m.get("id"))
                .map(|id| match id.as_str() {
                    Some(id) => Value::String(ids.message(id)),
                    None => id.clone(),
                }),
        )
    } else if object.contains_key("url") && object.contains_key("mime_type") {
        ("media", object.get("id").cloned())
    } else if let Some(Value::Array(_)) = object.get("data") {
        ("list", None)
    } else if let Some(Value::Bool(_)) = object.get("success") {
        ("success", None)
    } else if object.get("messaging_product").and_then(Value::as_str) == Some("whatsapp") {
        ("response", object.get("id").cloned())
    } else {
        return None;
    };
    let count = object.get("data").and_then(Value::as_array).map(Vec::len);
    Some(json!({
        "file": file,
        "kind": "response",
        "type": kind,
        "id": id,
        "count": count,
    }))
}
