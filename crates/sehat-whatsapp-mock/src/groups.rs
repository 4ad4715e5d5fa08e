//! The mock's Groups API: `/{phone-number-id}/groups`, `/{group-id}` and its
//! `invite_link`, `join_requests` and `participants` edges, answering as Meta's spec
//! does, and posting signed `group_lifecycle_update` and `group_participants_update`
//! webhooks when a callback is configured.

use std::collections::BTreeMap;
use std::sync::{Arc, LazyLock, Mutex, PoisonError, Weak};

use axum::Router;
use axum::extract::Request;
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use bytes::Bytes;
use secrecy::ExposeSecret;
use serde_json::{Value, json};

use super::routes;
use super::state::State;
use super::{Failure, MockGraphApi};
use crate::ids::GroupId;

/// A group as the mock keeps it.
#[derive(Debug, Clone, Default)]
struct Group {
    phone_number_id: String,
    subject: String,
    description: String,
    approval_required: bool,
    created: i64,
    participants: Vec<String>,
    invite_link: Option<String>,
    join_requests: Vec<(String, String, i64)>,
}

#[derive(Debug, Default)]
struct Groups {
    groups: BTreeMap<String, Group>,
    requests: BTreeMap<String, String>,
    next: u64,
}

type Registry = Mutex<Vec<(Weak<State>, Arc<Mutex<Groups>>)>>;

/// The groups of each running mock, found from its state.
static REGISTRY: LazyLock<Registry> = LazyLock::new(|| Mutex::new(Vec::new()));

fn groups_of(state: &Arc<State>) -> Arc<Mutex<Groups>> {
    let mut registry = REGISTRY.lock().unwrap_or_else(PoisonError::into_inner);
    registry.retain(|(weak, _)| weak.strong_count() > 0);
    if let Some((_, groups)) = registry
        .iter()
        .find(|(weak, _)| weak.upgrade().is_some_and(|s| Arc::ptr_eq(&s, state)))
    {
        return groups.clone();
    }
    let groups = Arc::new(Mutex::new(Groups::default()));
    registry.push((Arc::downgrade(state), groups.clone()));
    groups
}

/// Serves the groups endpoints in front of `router`.
pub(crate) fn wrap(router: Router, state: Arc<State>) -> Router {
    let groups = groups_of(&state);
    router.layer(axum::middleware::from_fn(
        move |request: Request, next: Next| {
            let state = state.clone();
            let groups = groups.clone();
            async move { intercept(state, groups, request, next).await }
        },
    ))
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

fn error(status: u16, code: i64, message: &str, subcode: Option<i64>) -> Response {
    routes::graph_error(status, code, message, subcode, None)
}

fn invalid(message: &str) -> Response {
    routes::invalid(message, None)
}

fn missing(id: &str, method: &Method) -> Response {
    error(
        400,
        100,
        &format!(
            "Unsupported {} request. Object with ID '{id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.",
            method.as_str().to_ascii_lowercase()
        ),
        Some(33),
    )
}

/// Which groups route a path is, if any.
enum Route {
    Collection(String),
    Node(String),
    Edge(String, &'static str),
}

fn route(path: &str, groups: &Groups) -> Option<Route> {
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    match segments.as_slice() {
        [version, phone, "groups"] if version.starts_with('v') => {
            Some(Route::Collection((*phone).to_owned()))
        }
        [version, id] if version.starts_with('v') && groups.groups.contains_key(*id) => {
            Some(Route::Node((*id).to_owned()))
        }
        [version, id, edge] if version.starts_with('v') => {
            let edge = match *edge {
                "invite_link" => "invite_link",
                "join_requests" => "join_requests",
                "participants" => "participants",
                _ => return None,
            };
            Some(Route::Edge((*id).to_owned(), edge))
        }
        _ => None,
    }
}

async fn intercept(
    state: Arc<State>,
    groups: Arc<Mutex<Groups>>,
    request: Request,
    next: Next,
) -> Response {
    let matched = {
        let groups = groups.lock().unwrap_or_else(PoisonError::into_inner);
        route(request.uri().path(), &groups)
    };
    let Some(matched) = matched else {
        return next.run(request).await;
    };
    let (parts, body) = request.into_parts();
    let Ok(body) = axum::body::to_bytes(body, 1024 * 1024).await else {
        return invalid("The request body could not be read");
    };
    routes::record(&state, &parts, &body);
    if !routes::authorized(&parts.headers) {
        return routes::unauthorized();
    }
    if let Some(failure) = state.take_failure() {
        match failure {
            Failure::Slow(delay) => tokio::time::sleep(delay).await,
            // The failures any Graph request can meet, answered as for the other routes.
            Failure::Api { .. }
            | Failure::ServerError
            | Failure::ServiceUnavailable
            | Failure::ThroughputLimit => {
                if let Some(response) = routes::failure_response(&failure) {
                    return response;
                }
            }
            other => {
                tracing::debug!(?other, "failure not applicable to a groups request");
            }
        }
    }
    let json: Value = if body.is_empty() {
        Value::Null
    } else {
        match serde_json::from_slice(&body) {
            Ok(value) => value,
            Err(_) => return invalid("The request body is not JSON."),
        }
    };
    let query = routes::query_pairs(&parts.uri);
    let method = parts.method;
    let mut webhook = None;
    let response = {
        let mut groups = groups.lock().unwrap_or_else(PoisonError::into_inner);
        match matched {
            Route::Collection(phone) => {
                collection(&mut groups, &method, &phone, &json, &query, &mut webhook)
            }
            Route::Node(id) => node(&mut groups, &method, &id, &json, &query),
            Route::Edge(id, edge) => match groups.groups.get_mut(&id) {
                None => missing(&id, &method),
                Some(group) => edge_call(group, &id, edge, &method, &json, &mut webhook),
            },
        }
    };
    if let Some(payload) = webhook {
        post_webhook(&state, payload);
    }
    response
}

fn needs_product(json: &Value) -> Option<Response> {
    (json["messaging_product"] != "whatsapp")
        .then(|| invalid("The parameter messaging_product is required."))
}

fn collection(
    groups: &mut Groups,
    method: &Method,
    phone: &str,
    json: &Value,
    query: &[(String, String)],
    webhook: &mut Option<Value>,
) -> Response {
    match *method {
        Method::POST => {
            if let Some(response) = needs_product(json) {
                return response;
            }
            let Some(subject) = json["subject"]
                .as_str()
                .map(str::trim)
                .filter(|s| !s.is_empty())
            else {
                return invalid("The parameter subject is required.");
            };
            if subject.chars().count() > 128 {
                return invalid("Param subject must be at most 128 characters long.");
            }
            let description = json["description"].as_str().unwrap_or("");
            if description.chars().count() > 2048 {
                return invalid("Param description must be at most 2048 characters long.");
            }
            let approval_required = match json["join_approval_mode"].as_str() {
                None | Some("auto_approve") => false,
                Some("approval_required") => true,
                Some(_) => {
                    return invalid(
                        "Param join_approval_mode must be one of {approval_required, auto_approve}.",
                    );
                }
            };
            groups.next += 1;
            let n = groups.next;
            let id = group_id_for(phone, n);
            let request_id = format!(
                "{:032X}",
                u128::from(n).wrapping_mul(0x9E37_79B9_7F4A_7C15_F39C_C060_5CED_C835)
            );
            let group = Group {
                phone_number_id: phone.to_owned(),
                subject: subject.to_owned(),
                description: description.to_owned(),
                approval_required,
                created: now(),
                invite_link: Some(format!("https://chat.whatsapp.com/MOCK{n:08}A")),
                ..Group::default()
            };
            *webhook = Some(group_webhook(
                phone,
                "group_lifecycle_update",
                json!({
                    "timestamp": group.created.to_string(),
                    "group_id": id,
                    "type": "group_create",
                    "request_id": request_id,
                    "subject": group.subject,
                    "description": group.description,
                    "invite_link": group.invite_link,
                    "join_approval_mode": if approval_required { "approval_required" } else { "auto_approve" }
                }),
            ));
            groups.groups.insert(id.clone(), group);
            groups.requests.insert(request_id.clone(), id);
            routes::json_response(
                StatusCode::OK,
                &json!({ "messaging_product": "whatsapp", "request_id": request_id }),
            )
        }
        Method::GET => {
            let limit = query
                .iter()
                .find(|(k, _)| k == "limit")
                .and_then(|(_, v)| v.parse::<usize>().ok())
                .unwrap_or(25);
            if !(1..=1024).contains(&limit) {
                return invalid("Param limit must be between 1 and 1024.");
            }
            let start = query
                .iter()
                .find(|(k, _)| k == "after")
                .and_then(|(_, v)| v.parse::<usize>().ok())
                .unwrap_or(0);
            let mine: Vec<(&String, &Group)> = groups
                .groups
                .iter()
                .filter(|(_, g)| g.phone_number_id == phone)
                .collect();
            let page: Vec<Value> = mine
                .iter()
                .skip(start)
                .take(limit)
                .map(|(id, g)| json!({ "id": id, "subject": g.subject, "created_at": g.created.to_string() }))
                .collect();
            let end = start + page.len();
            let mut paging =
                json!({ "cursors": { "before": start.to_string(), "after": end.to_string() } });
            if end < mine.len() {
                paging["next"] = format!("{phone}/groups?limit={limit}&after={end}").into();
            }
            routes::json_response(
                StatusCode::OK,
                &json!({ "data": { "groups": page }, "paging": paging }),
            )
        }
        _ => invalid("Unsupported request"),
    }
}

/// A group id shaped like Meta's: base64 of `capi_group:{phone}:{n}`, URL-safe and
/// unpadded so that it is a path segment.
fn group_id_for(phone: &str, n: u64) -> String {
    data_encoding::BASE64URL_NOPAD
        .encode(format!("capi_group:{phone}:{:018}", 120_363_000_000_000_000u64 + n).as_bytes())
}

fn node(
    groups: &mut Groups,
    method: &Method,
    id: &str,
    json: &Value,
    query: &[(String, String)],
) -> Response {
    match *method {
        Method::GET => {
            let Some(group) = groups.groups.get(id) else {
                return missing(id, method);
            };
            let all = json!({
                "id": id,
                "messaging_product": "whatsapp",
                "subject": group.subject,
                "description": group.description,
                "join_approval_mode": if group.approval_required { "approval_required" } else { "auto_approve" },
                "suspended": false,
                "creation_timestamp": group.created,
                "participants": group.participants.iter().map(|p| json!({ "wa_id": p })).collect::<Vec<_>>(),
                "total_participant_count": group.participants.len(),
            });
            let fields: Option<Vec<String>> = query
                .iter()
                .find(|(k, _)| k == "fields")
                .map(|(_, v)| v.split(',').map(|f| f.trim().to_owned()).collect());
            let answer = match fields {
                None => all,
                Some(fields) => {
                    let mut picked = json!({ "id": id });
                    for field in fields {
                        if let Some(value) = all.get(&field) {
                            picked[field] = value.clone();
                        }
                    }
                    picked
                }
            };
            routes::json_response(StatusCode::OK, &answer)
        }
        Method::POST => {
            if let Some(response) = needs_product(json) {
                return response;
            }
            let Some(group) = groups.groups.get_mut(id) else {
                return missing(id, method);
            };
            if let Some(subject) = json["subject"].as_str() {
                let subject = subject.trim();
                if subject.is_empty() || subject.chars().count() > 128 {
                    return invalid("Param subject must be 1 to 128 characters long.");
                }
                group.subject = subject.to_owned();
            }
            if let Some(description) = json["description"].as_str() {
                if description.chars().count() > 2048 {
                    return invalid("Param description must be at most 2048 characters long.");
                }
                group.description = description.to_owned();
            }
            routes::json_response(StatusCode::OK, &json!({ "success": true }))
        }
        Method::DELETE => {
            groups.groups.remove(id);
            groups.requests.retain(|_, g| g != id);
            routes::json_response(StatusCode::OK, &json!({ "success": true }))
        }
        _ => invalid("Unsupported request"),
    }
}

fn edge_call(
    group: &mut Group,
    id: &str,
    edge: &str,
    method: &Method,
    json: &Value,
    webhook: &mut Option<Value>,
) -> Response {
    if *method != Method::GET
        && let Some(response) = needs_product(json)
    {
        return response;
    }
    match (edge, method.clone()) {
        ("invite_link", Method::POST) => {
            let link = format!(
                "https://chat.whatsapp.com/MOCK{:08}R{}",
                group.created.rem_euclid(100_000_000),
                group.participants.len()
                    + group.join_requests.len()
                    + usize::from(group.invite_link.is_some()) * 7
            );
            group.invite_link = Some(link.clone());
            routes::json_response(
                StatusCode::OK,
                &json!({ "messaging_product": "whatsapp", "invite_link": link }),
            )
        }
        ("invite_link", Method::DELETE) => {
            group.invite_link = None;
            routes::json_response(
                StatusCode::OK,
                &json!({ "messaging_product": "whatsapp", "success": "true" }),
            )
        }
        ("join_requests", Method::GET) => {
            let data: Vec<Value> = group
                .join_requests
                .iter()
                .map(|(rid, wa, ts)| json!({ "join_request_id": rid, "wa_id": wa, "creation_timestamp": ts }))
                .collect();
            routes::json_response(
                StatusCode::OK,
                &json!({ "data": data, "paging": { "cursors": { "before": "0", "after": "0" } } }),
            )
        }
        ("join_requests", Method::POST | Method::DELETE) => {
            let Some(ids) = json["join_requests"].as_array().filter(|a| !a.is_empty()) else {
                return invalid("The parameter join_requests is required.");
            };
            let approve = *method == Method::POST;
            let mut done = Vec::new();
            let mut failed = Vec::new();
            let mut added = Vec::new();
            for rid in ids {
                let rid = rid.as_str().unwrap_or("");
                match group.join_requests.iter().position(|(r, _, _)| r == rid) {
                    Some(at) => {
                        let (_, wa, _) = group.join_requests.remove(at);
                        if approve {
                            added.push(json!({ "input": wa, "wa_id": wa }));
                            group.participants.push(wa);
                        }
                        done.push(Value::from(rid));
                    }
                    None => failed.push(json!({
                        "join_request_id": rid,
                        "errors": [{ "code": 131009, "message": "(#131009) Parameter value is not valid", "error_data": { "details": "The join request does not exist." } }]
                    })),
                }
            }
            if !added.is_empty() {
                *webhook = Some(group_webhook(
                    &group.phone_number_id,
                    "group_participants_update",
                    json!({ "timestamp": now().to_string(), "group_id": id, "type": "group_participants_add", "reason": "invite_link", "added_participants": added }),
                ));
            }
            let key = if approve {
                "approved_join_requests"
            } else {
                "rejected_join_requests"
            };
            let mut answer =
                json!({ "messaging_product": "whatsapp", "failed_join_requests": failed });
            answer[key] = Value::Array(done);
            routes::json_response(StatusCode::OK, &answer)
        }
        ("participants", Method::POST | Method::DELETE) => {
            let Some(list) = json["participants"].as_array().filter(|a| !a.is_empty()) else {
                return invalid("The parameter participants is required.");
            };
            if list.len() > 8 {
                return invalid("Param participants must have at most 8 items.");
            }
            let mut users = Vec::new();
            for item in list {
                let Some(user) = item["user"].as_str().filter(|u| !u.is_empty()) else {
                    return invalid("Each participant needs a user.");
                };
                users.push(user.trim_start_matches('+').to_owned());
            }
            let adding = *method == Method::POST;
            let mut changed = Vec::new();
            for user in users {
                let present = group.participants.contains(&user);
                if adding && !present {
                    group.participants.push(user.clone());
                } else if !adding && present {
                    group.participants.retain(|p| p != &user);
                }
                changed.push(json!({ "input": user, "wa_id": user }));
            }
            let (kind, key) = if adding {
                ("group_participants_add", "added_participants")
            } else {
                ("group_participants_remove", "removed_participants")
            };
            let mut event = json!({ "timestamp": now().to_string(), "group_id": id, "type": kind });
            event[key] = Value::Array(changed);
            *webhook = Some(group_webhook(
                &group.phone_number_id,
                "group_participants_update",
                event,
            ));
            routes::json_response(
                StatusCode::OK,
                &json!({ "messaging_product": "whatsapp", "success": true }),
            )
        }
        _ => invalid("Unsupported request"),
    }
}

fn group_webhook(phone: &str, field: &str, group: Value) -> Value {
    json!({
        "object": "whatsapp_business_account",
        "entry": [{
            "id": MockGraphApi::WABA_ID,
            "changes": [{
                "value": {
                    "messaging_product": "whatsapp",
                    "metadata": {
                        "display_phone_number": MockGraphApi::DISPLAY_PHONE_NUMBER,
                        "phone_number_id": phone
                    },
                    "groups": [group]
                },
                "field": field
            }]
        }]
    })
}

/// Posts a signed webhook to the callback, when one is configured.
fn post_webhook(state: &Arc<State>, payload: Value) {
    let Some((url, secret)) = state
        .webhooks
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clone()
    else {
        return;
    };
    let state = state.clone();
    tokio::spawn(async move {
        let body = Bytes::from(payload.to_string());
        let signature = crate::webhook::sign_payload(secret.expose_secret().as_bytes(), &body);
        let status = match state
            .http
            .post(&url)
            .header("content-type", "application/json")
            .header("x-hub-signature-256", &signature)
            .body(body.clone())
            .send()
            .await
        {
            Ok(response) => response.status().as_u16(),
            Err(error) => {
                tracing::warn!(%error, "mock could not post a group webhook");
                0
            }
        };
        if state.recording() {
            state.lock().posted.push((body, signature, status));
        }
    });
}

impl MockGraphApi {
    /// The group a creation request made (what the `group_create` webhook tells), by the
    /// request id [`GroupsApi::create`](sehat_whatsapp::group::GroupsApi::create) returned.
    #[must_use]
    pub fn group_for_request(&self, request_id: &str) -> Option<GroupId> {
        let groups = groups_of(&self.state);
        let groups = groups.lock().unwrap_or_else(PoisonError::into_inner);
        groups.requests.get(request_id).map(GroupId::new)
    }

    /// The members of a group (full numbers: the mock's data is synthetic).
    #[must_use]
    pub fn group_members(&self, group: &GroupId) -> Vec<String> {
        let groups = groups_of(&self.state);
        let groups = groups.lock().unwrap_or_else(PoisonError::into_inner);
        groups
            .groups
            .get(group.as_str())
            .map(|g| g.participants.clone())
            .unwrap_or_default()
    }

    /// Simulates a user opening the invite link: a join request when the group needs
    /// approval (returned, and announced by a `group_join_request_created` webhook), else
    /// an immediate join (`group_participants_add`). `None` when the group does not exist
    /// or has no invite link.
    #[must_use]
    pub fn join_via_invite_link(&self, group: &GroupId, wa_id: &str) -> Option<String> {
        let groups = groups_of(&self.state);
        let (payload, request) = {
            let mut groups = groups.lock().unwrap_or_else(PoisonError::into_inner);
            groups.next += 1;
            let n = groups.next;
            let entry = groups.groups.get_mut(group.as_str())?;
            entry.invite_link.as_ref()?;
            let ts = now();
            if entry.approval_required {
                let rid = data_encoding::BASE64URL_NOPAD.encode(format!("{wa_id}:{n}").as_bytes());
                entry
                    .join_requests
                    .push((rid.clone(), wa_id.to_owned(), ts));
                let payload = group_webhook(
                    &entry.phone_number_id,
                    "group_participants_update",
                    json!({ "timestamp": ts.to_string(), "group_id": group.as_str(), "type": "group_join_request_created", "join_request_id": rid, "wa_id": wa_id }),
                );
                (payload, rid)
            } else {
                entry.participants.push(wa_id.to_owned());
                let payload = group_webhook(
                    &entry.phone_number_id,
                    "group_participants_update",
                    json!({ "timestamp": ts.to_string(), "group_id": group.as_str(), "type": "group_participants_add", "reason": "invite_link", "added_participants": [{ "input": wa_id, "wa_id": wa_id }] }),
                );
                (payload, String::new())
            }
        };
        post_webhook(&self.state, payload);
        Some(request)
    }
}
