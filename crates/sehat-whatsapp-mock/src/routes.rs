//! The mock's request handling: one entry point that records, authenticates, injects
//! failures and dispatches on the path.

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::{FromRequest, Multipart, Request, State as AxumState};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use super::Failure;
use super::state::{Media, RecordedRequest, State};
use super::webhooks::{self, Outcome};

/// The largest request body the mock reads (Meta's largest media, documents).
const BODY_LIMIT: usize = 100 * 1024 * 1024 + 64 * 1024;

pub(crate) fn router(state: Arc<State>) -> Router {
    Router::new()
        .fallback(handle)
        .layer(axum::extract::DefaultBodyLimit::max(BODY_LIMIT))
        .with_state(state)
}

type Shared = AxumState<Arc<State>>;

pub(super) fn json_response(status: StatusCode, value: &Value) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        value.to_string(),
    )
        .into_response()
}

fn ok(value: Value) -> Response {
    json_response(StatusCode::OK, &value)
}

fn success() -> Response {
    ok(json!({ "success": true }))
}

/// A Graph error body, shaped as Meta sends them.
pub(super) fn graph_error(
    status: u16,
    code: i64,
    message: &str,
    subcode: Option<i64>,
    details: Option<&str>,
) -> Response {
    let mut error = Map::new();
    error.insert("message".into(), message.into());
    error.insert("type".into(), "OAuthException".into());
    error.insert("code".into(), code.into());
    if let Some(subcode) = subcode {
        error.insert("error_subcode".into(), subcode.into());
    }
    if let Some(details) = details {
        error.insert(
            "error_data".into(),
            json!({ "messaging_product": "whatsapp", "details": details }),
        );
    }
    error.insert("fbtrace_id".into(), "AMockTraceId0000000000".into());
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST);
    json_response(status, &json!({ "error": Value::Object(error) }))
}

pub(super) fn invalid(message: &str, details: Option<&str>) -> Response {
    graph_error(400, 100, &format!("(#100) {message}"), None, details)
}

pub(super) fn failure_response(failure: &Failure) -> Option<Response> {
    Some(match failure {
        Failure::ThroughputLimit => graph_error(
            400,
            130429,
            "(#130429) Rate limit hit",
            None,
            Some("Cloud API message throughput has been reached."),
        ),
        Failure::PairRateLimit => graph_error(
            400,
            131056,
            "(#131056) (Business Account, Consumer Account) pair rate limit hit",
            None,
            Some(
                "Message failed to send because there were too many messages sent from this phone number to the same phone number in a short period of time.",
            ),
        ),
        Failure::OutsideCustomerServiceWindow => graph_error(
            400,
            131047,
            "(#131047) Re-engagement message",
            None,
            Some(
                "Message failed to send because more than 24 hours have passed since the customer last replied to this number.",
            ),
        ),
        Failure::Undeliverable => graph_error(
            400,
            131026,
            "(#131026) Message undeliverable",
            None,
            Some("Message Undeliverable."),
        ),
        Failure::ServerError => graph_error(
            500,
            131000,
            "(#131000) Something went wrong",
            None,
            Some("Something went wrong."),
        ),
        Failure::ServiceUnavailable => graph_error(
            503,
            131016,
            "(#131016) Service unavailable",
            None,
            Some("A service is temporarily unavailable."),
        ),
        Failure::BadGateway => (
            StatusCode::BAD_GATEWAY,
            [(header::CONTENT_TYPE, "text/html")],
            "<html><body><h1>502 Bad Gateway</h1></body></html>",
        )
            .into_response(),
        Failure::Api {
            status,
            code,
            message,
        } => graph_error(*status, *code, message, None, None),
        Failure::Slow(_) | Failure::DeliveryFailed(_) => return None,
    })
}

/// Records a request as the tests see it (nothing is copied while recording is off).
pub(super) fn record(state: &State, parts: &Parts, body: &Bytes) {
    if !state.recording() {
        return;
    }
    state.record(RecordedRequest {
        method: parts.method.to_string(),
        path: parts.uri.path().to_owned(),
        query: parts.uri.query().map(str::to_owned),
        content_type: parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
        body: body.clone(),
    });
}

/// Meta's answer to a request without a usable bearer token.
pub(super) fn unauthorized() -> Response {
    graph_error(
        401,
        190,
        "Invalid OAuth access token - Cannot parse access token",
        None,
        None,
    )
}

/// The query string's pairs, decoded.
pub(super) fn query_pairs(uri: &Uri) -> Vec<(String, String)> {
    uri.query()
        .map(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .into_owned()
                .collect()
        })
        .unwrap_or_default()
}

async fn handle(AxumState(state): Shared, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, BODY_LIMIT).await else {
        return invalid("The request body could not be read", None);
    };
    record(&state, &parts, &bytes);
    if !authorized(&parts.headers) {
        return unauthorized();
    }
    let mut delivery_failure = None;
    if let Some(failure) = state.take_failure() {
        match failure {
            Failure::Slow(delay) => tokio::time::sleep(delay).await,
            Failure::DeliveryFailed(code) => delivery_failure = Some(code),
            other => {
                if let Some(response) = failure_response(&other) {
                    return response;
                }
            }
        }
    }
    let query = query_pairs(&parts.uri);
    let segments: Vec<&str> = parts
        .uri
        .path()
        .split('/')
        .filter(|s| !s.is_empty())
        .collect();
    let method = parts.method.clone();
    match segments.as_slice() {
        ["lookaside", id] if method == Method::GET => download(&state, id),
        [version, id] if version.starts_with('v') => node(
            &state,
            &method,
            id,
            &bytes,
            requested_fields(&query).as_deref(),
        ),
        [version, id, edge] if version.starts_with('v') => match *edge {
            "messages" if method == Method::POST => send(&state, id, &bytes, delivery_failure),
            "media" if method == Method::POST => {
                let request = Request::from_parts(parts, Body::from(bytes));
                upload(&state, request).await
            }
            "register" if method == Method::POST => register(&state, &bytes),
            "request_code" if method == Method::POST => {
                let value: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
                match value["code_method"].as_str() {
                    Some("SMS" | "VOICE") => success(),
                    _ => invalid("The parameter code_method is required.", None),
                }
            }
            "verify_code" if method == Method::POST => {
                let value: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
                match value["code"].as_str() {
                    Some("000000") => graph_error(
                        400,
                        136025,
                        "(#136025) Verify code error",
                        None,
                        Some("The code is not valid."),
                    ),
                    Some(code) if !code.is_empty() => success(),
                    _ => invalid("The parameter code is required.", None),
                }
            }
            "deregister" if method == Method::POST => {
                state.lock().registered = false;
                success()
            }
            "whatsapp_business_profile" => {
                profile(&state, &method, &bytes, requested_fields(&query).as_deref())
            }
            "message_templates" => templates(&state, &method, id, &query, &bytes),
            "phone_numbers" if method == Method::GET => ok(json!({
                "data": [select_fields(
                    phone_number(super::MockGraphApi::PHONE_NUMBER_ID),
                    requested_fields(&query).as_deref(),
                    &["id"],
                )],
                "paging": {"cursors": {"before": "QVFIUjBm", "after": "QVFIUjBm"}}
            })),
            "subscribed_apps" => subscribed_apps(&state, &method),
            _ => invalid("Unknown path components", None),
        },
        _ => invalid("Unknown path components", None),
    }
}

pub(super) fn authorized(headers: &HeaderMap) -> bool {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .is_some_and(|token| !token.trim().is_empty())
}

fn phone_number(id: &str) -> Value {
    json!({
        "id": id,
        "display_phone_number": super::MockGraphApi::DISPLAY_PHONE_NUMBER,
        "verified_name": "Posyandu Sehat",
        "quality_rating": "GREEN",
        "code_verification_status": "VERIFIED",
        "name_status": "APPROVED",
        "platform_type": "CLOUD_API",
        "throughput": {"level": "STANDARD"},
        "whatsapp_business_manager_messaging_limit": "TIER_2K",
        "is_official_business_account": false,
        "account_mode": "LIVE"
    })
}

/// The names in a `fields=a,b,c` query, as the Graph API reads them.
fn requested_fields(query: &[(String, String)]) -> Option<Vec<String>> {
    query_value(query, "fields").map(|fields| {
        fields
            .split(',')
            .map(|f| f.trim().to_owned())
            .filter(|f| !f.is_empty())
            .collect()
    })
}

/// Keeps the requested fields of an object, as the Graph API answers a `fields` query
/// (plus the `always` fields it adds itself); names the mock does not model are left out,
/// as a field without a value is. Without a `fields` query, everything.
fn select_fields(value: Value, fields: Option<&[String]>, always: &[&str]) -> Value {
    let (Some(fields), Value::Object(map)) = (fields, &value) else {
        return value;
    };
    Value::Object(
        map.iter()
            .filter(|(key, _)| always.contains(&key.as_str()) || fields.iter().any(|f| f == *key))
            .map(|(key, value)| (key.clone(), value.clone()))
            .collect(),
    )
}

fn node(
    state: &State,
    method: &Method,
    id: &str,
    body: &[u8],
    fields: Option<&[String]>,
) -> Response {
    let mut data = state.lock();
    if let Some(media) = data.media.get(id) {
        return match *method {
            Method::GET => ok(json!({
                "url": format!("{}lookaside/{id}", state.base_url),
                "mime_type": media.mime_type,
                "sha256": data_encoding::HEXLOWER.encode(&Sha256::digest(&media.data)),
                "file_size": media.data.len(),
                "id": id,
                "messaging_product": "whatsapp"
            })),
            Method::DELETE => {
                data.media.remove(id);
                data.deleted.insert(id.to_owned());
                success()
            }
            _ => invalid("Unsupported request", None),
        };
    }
    if let Some(template) = data.templates.iter_mut().find(|t| t["id"] == id) {
        return match *method {
            Method::GET => ok(template.clone()),
            Method::POST => {
                let Ok(Value::Object(edit)) = serde_json::from_slice::<Value>(body) else {
                    return invalid("Invalid parameter", Some("The body must be a JSON object."));
                };
                for key in ["category", "components"] {
                    if let Some(value) = edit.get(key) {
                        template[key] = value.clone();
                    }
                }
                success()
            }
            _ => invalid("Unsupported request", None),
        };
    }
    if *method == Method::GET
        && !data.deleted.contains(id)
        && !id.is_empty()
        && id.bytes().all(|b| b.is_ascii_digit())
    {
        return ok(select_fields(phone_number(id), fields, &["id"]));
    }
    graph_error(
        400,
        100,
        &format!(
            "Unsupported {} request. Object with ID '{id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.",
            method.as_str().to_ascii_lowercase()
        ),
        Some(33),
        None,
    )
}

fn download(state: &State, id: &str) -> Response {
    match state.lock().media.get(id) {
        Some(media) => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, media.mime_type.clone())],
            media.data.clone(),
        )
            .into_response(),
        None => (StatusCode::NOT_FOUND, "URL signature expired").into_response(),
    }
}

fn send(
    state: &Arc<State>,
    phone_id: &str,
    body: &[u8],
    delivery_failure: Option<i64>,
) -> Response {
    let Ok(Value::Object(message)) = serde_json::from_slice::<Value>(body) else {
        return invalid(
            "Invalid parameter",
            Some("The request body is not a JSON object."),
        );
    };
    if message.get("messaging_product").and_then(Value::as_str) != Some("whatsapp") {
        return invalid("The parameter messaging_product is required.", None);
    }
    if message.get("status").and_then(Value::as_str) == Some("read") {
        return match message.get("message_id").and_then(Value::as_str) {
            Some(id) if !id.is_empty() => success(),
            _ => invalid("The parameter message_id is required.", None),
        };
    }
    // `recipient` carries a business-scoped user id in place of `to` (as pywa sends one).
    let field = |name: &str| {
        message
            .get(name)
            .and_then(Value::as_str)
            .filter(|value| !value.is_empty())
    };
    let (to, by_user_id) = match (field("to"), field("recipient")) {
        (Some(to), _) => (to, false),
        (None, Some(user)) => (user, true),
        (None, None) => return invalid("The parameter to is required.", None),
    };
    let kind = message
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or("text");
    if !message
        .get(kind)
        .is_some_and(|v| v.is_object() || v.is_array())
    {
        return graph_error(
            400,
            131008,
            "(#131008) Required parameter is missing",
            None,
            Some(&format!(
                "Parameter '{kind}' is required for a {kind} message."
            )),
        );
    }
    if let Err(refusal) = super::content::check(kind, &message[kind]) {
        return graph_error(
            400,
            refusal.code,
            &refusal.message,
            None,
            Some(&refusal.details),
        );
    }
    let digits: String = to.chars().filter(char::is_ascii_digit).collect();
    let is_phone = !by_user_id
        && to
            .trim_start_matches('+')
            .chars()
            .all(|c| c.is_ascii_digit() || c == ' ' || c == '-');
    let number = state.next_wamid_number();
    let wamid = format!(
        "wamid.HBgN{:012}FQIAERgS{:016X}AA==",
        number,
        number.wrapping_mul(0x9E37_79B9_7F4A_7C15)
    );
    let contact = if is_phone {
        json!({ "input": to, "wa_id": digits })
    } else {
        json!({ "input": to, "user_id": to })
    };
    let mut sent = json!({ "id": wamid });
    if kind == "template" {
        sent["message_status"] = "accepted".into();
    }
    let category = if kind == "template" {
        let name = message["template"]["name"].as_str().unwrap_or("");
        let data = state.lock();
        Some(
            data.templates
                .iter()
                .find(|t| t["name"] == name)
                .and_then(|t| t["category"].as_str())
                .unwrap_or("UTILITY")
                .to_ascii_lowercase(),
        )
    } else {
        None
    };
    let outcome = Outcome {
        wamid: wamid.clone(),
        recipient: if is_phone {
            webhooks::Recipient::Phone(digits)
        } else {
            webhooks::Recipient::User(to.to_owned())
        },
        phone_number_id: phone_id.to_owned(),
        callback_data: message
            .get("biz_opaque_callback_data")
            .and_then(Value::as_str)
            .map(str::to_owned),
        template_category: category,
        failure: delivery_failure,
        reaction: kind == "reaction",
    };
    webhooks::spawn_statuses(state, outcome);
    ok(json!({ "messaging_product": "whatsapp", "contacts": [contact], "messages": [sent] }))
}

async fn upload(state: &State, request: Request) -> Response {
    let mut multipart = match Multipart::from_request(request, &()).await {
        Ok(multipart) => multipart,
        Err(_) => {
            return invalid(
                "Invalid parameter",
                Some("The upload must be multipart/form-data."),
            );
        }
    };
    let mut product = None;
    let mut kind = None;
    let mut file: Option<(Option<String>, Bytes)> = None;
    loop {
        match multipart.next_field().await {
            Ok(Some(field)) => {
                let name = field.name().unwrap_or("").to_owned();
                let mime = field.content_type().map(str::to_owned);
                let Ok(data) = field.bytes().await else {
                    return invalid(
                        "Invalid parameter",
                        Some("A multipart field could not be read."),
                    );
                };
                match name.as_str() {
                    "messaging_product" => {
                        product = Some(String::from_utf8_lossy(&data).into_owned())
                    }
                    "type" => kind = Some(String::from_utf8_lossy(&data).into_owned()),
                    "file" => file = Some((mime, data)),
                    _ => {}
                }
            }
            Ok(None) => break,
            Err(_) => {
                return invalid(
                    "Invalid parameter",
                    Some("The multipart body is malformed."),
                );
            }
        }
    }
    if product.as_deref() != Some("whatsapp") {
        return invalid("The parameter messaging_product is required.", None);
    }
    let Some((file_mime, data)) = file else {
        return invalid("The parameter file is required.", None);
    };
    let Some(mime) = kind.or(file_mime) else {
        return invalid("The parameter type is required.", None);
    };
    if crate::media::MediaKind::for_mime(&mime).is_none() {
        return graph_error(
            400,
            131053,
            "(#131053) Media upload error",
            None,
            Some(&format!("Unsupported file type {mime}.")),
        );
    }
    let id = format!("{}", 2_621_000_000_000_000u64 + state.next_number());
    state.lock().media.insert(
        id.clone(),
        Media {
            mime_type: mime,
            data,
        },
    );
    ok(json!({ "id": id }))
}

fn register(state: &State, body: &[u8]) -> Response {
    let value: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let pin_ok = value["pin"]
        .as_str()
        .is_some_and(|pin| pin.len() == 6 && pin.bytes().all(|b| b.is_ascii_digit()));
    if value["messaging_product"] != "whatsapp" || !pin_ok {
        return graph_error(
            400,
            133005,
            "(#133005) Two step verification PIN Mismatch",
            None,
            Some("The PIN must be six digits."),
        );
    }
    state.lock().registered = true;
    success()
}

fn profile(state: &State, method: &Method, body: &[u8], fields: Option<&[String]>) -> Response {
    let mut data = state.lock();
    match *method {
        Method::GET => ok(json!({
            "data": [select_fields(data.profile.clone(), fields, &["messaging_product"])]
        })),
        Method::POST => {
            let Ok(Value::Object(update)) = serde_json::from_slice::<Value>(body) else {
                return invalid("Invalid parameter", Some("The body must be a JSON object."));
            };
            if update.get("messaging_product").and_then(Value::as_str) != Some("whatsapp") {
                return invalid("The parameter messaging_product is required.", None);
            }
            for (key, value) in update {
                if key != "profile_picture_handle" {
                    data.profile[key] = value;
                }
            }
            success()
        }
        _ => invalid("Unsupported request", None),
    }
}

fn subscribed_apps(state: &State, method: &Method) -> Response {
    let mut data = state.lock();
    match *method {
        Method::GET => {
            let apps = if data.subscribed {
                json!([{ "whatsapp_business_api_data": { "id": "67084549xxxxxxx", "link": "https://www.facebook.com/games/?app_id=67084549xxxxxxx", "name": "Posyandu Reminders" } }])
            } else {
                json!([])
            };
            ok(json!({ "data": apps }))
        }
        Method::POST => {
            data.subscribed = true;
            success()
        }
        Method::DELETE => {
            data.subscribed = false;
            success()
        }
        _ => invalid("Unsupported request", None),
    }
}

fn query_value<'a>(query: &'a [(String, String)], key: &str) -> Option<&'a str> {
    query
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

fn templates(
    state: &State,
    method: &Method,
    waba: &str,
    query: &[(String, String)],
    body: &[u8],
) -> Response {
    match *method {
        Method::GET => {
            let data = state.lock();
            let matches = |t: &&Value| {
                query_value(query, "name")
                    .is_none_or(|n| t["name"].as_str().is_some_and(|name| name.contains(n)))
                    && query_value(query, "status").is_none_or(|s| {
                        t["status"]
                            .as_str()
                            .is_some_and(|v| v.eq_ignore_ascii_case(s))
                    })
                    && query_value(query, "category").is_none_or(|c| {
                        t["category"]
                            .as_str()
                            .is_some_and(|v| v.eq_ignore_ascii_case(c))
                    })
                    && query_value(query, "language").is_none_or(|l| t["language"] == l)
            };
            let found: Vec<&Value> = data.templates.iter().filter(matches).collect();
            let limit = query_value(query, "limit")
                .and_then(|l| l.parse::<usize>().ok())
                .unwrap_or(25)
                .max(1);
            let start = query_value(query, "after")
                .and_then(|a| a.parse::<usize>().ok())
                .unwrap_or(0);
            let page: Vec<Value> = found
                .iter()
                .skip(start)
                .take(limit)
                .map(|t| (*t).clone())
                .collect();
            let end = start + page.len();
            let mut paging =
                json!({ "cursors": { "before": start.to_string(), "after": end.to_string() } });
            if end < found.len() {
                paging["next"] = format!(
                    "{}v26.0/{waba}/message_templates?limit={limit}&after={end}",
                    state.base_url
                )
                .into();
            }
            ok(json!({ "data": page, "paging": paging }))
        }
        Method::POST => {
            let Ok(Value::Object(mut template)) = serde_json::from_slice::<Value>(body) else {
                return invalid("Invalid parameter", Some("The body must be a JSON object."));
            };
            for key in ["name", "language", "category", "components"] {
                if template.get(key).is_none() {
                    return invalid(&format!("The parameter {key} is required."), None);
                }
            }
            let mut data = state.lock();
            let exists = data
                .templates
                .iter()
                .any(|t| t["name"] == template["name"] && t["language"] == template["language"]);
            if exists {
                return graph_error(
                    400,
                    100,
                    "Invalid parameter",
                    Some(2388024),
                    Some("Content in this language already exists."),
                );
            }
            let id = format!("{}", 900_000_000_000u64 + state.next_number());
            template.insert("id".into(), id.clone().into());
            template.insert("status".into(), "APPROVED".into());
            let category = template["category"].clone();
            data.templates.push(Value::Object(template));
            ok(json!({ "id": id, "status": "APPROVED", "category": category }))
        }
        Method::DELETE => {
            let Some(name) = query_value(query, "name") else {
                return invalid("The parameter name is required.", None);
            };
            let hsm_id = query_value(query, "hsm_id");
            let mut data = state.lock();
            let before = data.templates.len();
            let mut removed = Vec::new();
            data.templates.retain(|t| {
                let matches = t["name"] == name && hsm_id.is_none_or(|id| t["id"] == id);
                if matches {
                    removed.push(t["id"].as_str().unwrap_or_default().to_owned());
                }
                !matches
            });
            data.deleted.extend(removed);
            if data.templates.len() == before {
                return graph_error(
                    400,
                    100,
                    "Invalid parameter",
                    Some(2593002),
                    Some("Message template not found."),
                );
            }
            success()
        }
        _ => invalid("Unsupported request", None),
    }
}
