//! The mock's state: recorded requests, queued failures, media, templates, profile.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use bytes::Bytes;
use secrecy::SecretString;
use serde_json::{Value, json};

use super::Failure;

/// A request the mock received.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RecordedRequest {
    /// The method.
    pub method: String,
    /// The path, with the version (`/v26.0/106540352242922/messages`).
    pub path: String,
    /// The query string, when there was one.
    pub query: Option<String>,
    /// The `Content-Type` header.
    pub content_type: Option<String>,
    /// The body.
    pub body: Bytes,
}

impl RecordedRequest {
    /// The body as JSON (`Null` when it is not JSON).
    #[must_use]
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }
}

pub(crate) struct Media {
    pub mime_type: String,
    pub data: Bytes,
}

#[derive(Default)]
pub(crate) struct Data {
    pub requests: Vec<RecordedRequest>,
    pub failures: VecDeque<Failure>,
    pub media: HashMap<String, Media>,
    /// Ids of deleted media and templates: unknown objects from then on.
    pub deleted: std::collections::HashSet<String>,
    pub templates: Vec<Value>,
    pub profile: Value,
    pub subscribed: bool,
    pub registered: bool,
    pub posted: Vec<(Bytes, String, u16)>,
}

pub(crate) struct State {
    pub base_url: String,
    pub data: Mutex<Data>,
    recording: AtomicBool,
    next_id: AtomicU64,
    /// Where this instance's message ids start: different per instance, so several mocks
    /// (one per rehearsing process) never hand out the same wamid.
    wamid_base: u64,
    pub webhooks: Mutex<Option<(String, SecretString)>>,
    pub http: reqwest::Client,
}

impl State {
    pub fn new(base_url: String) -> Self {
        let data = Data {
            profile: json!({
                "about": "Pengingat imunisasi Posyandu",
                "address": "Jl. Kesehatan No. 1, Jakarta",
                "description": "Layanan pengingat jadwal imunisasi dan kunjungan Posyandu.",
                "email": "posyandu@example.org",
                "profile_picture_url": "https://pps.whatsapp.net/v/example.jpg",
                "websites": ["https://example.org/"],
                "vertical": "HEALTH",
                "messaging_product": "whatsapp"
            }),
            templates: vec![json!({
                "id": "1192339204654487",
                "name": "hello_world",
                "language": "en_US",
                "status": "APPROVED",
                "category": "UTILITY",
                "components": [
                    {"type": "HEADER", "format": "TEXT", "text": "Hello World"},
                    {"type": "BODY", "text": "Welcome and congratulations!! This message demonstrates your ability to send a message notification from WhatsApp Business Platform’s Cloud API. Thank you for taking the time to test with us."},
                    {"type": "FOOTER", "text": "WhatsApp Business API Team"}
                ]
            })],
            subscribed: true,
            registered: true,
            ..Data::default()
        };
        Self {
            base_url,
            data: Mutex::new(data),
            recording: AtomicBool::new(true),
            next_id: AtomicU64::new(1),
            wamid_base: instance_base(),
            webhooks: Mutex::new(None),
            http: reqwest::Client::new(),
        }
    }

    pub fn lock(&self) -> std::sync::MutexGuard<'_, Data> {
        // A panic while holding the lock cannot leave the data half-updated in a way that
        // matters to a mock; keep serving.
        self.data
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The number behind the next message id (unique across instances).
    pub fn next_wamid_number(&self) -> u64 {
        self.wamid_base + self.next_number()
    }

    pub fn next_number(&self) -> u64 {
        self.next_id.fetch_add(1, Ordering::Relaxed)
    }

    pub fn record(&self, request: RecordedRequest) {
        if self.recording.load(Ordering::Relaxed) {
            self.lock().requests.push(request);
        }
    }

    pub fn recording(&self) -> bool {
        self.recording.load(Ordering::Relaxed)
    }

    pub fn set_recording(&self, on: bool) {
        self.recording.store(on, Ordering::Relaxed);
    }

    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.lock().requests.clone()
    }

    pub fn clear_requests(&self) {
        self.lock().requests.clear();
    }

    pub fn push_failure(&self, failure: Failure) {
        self.lock().failures.push_back(failure);
    }

    pub fn take_failure(&self) -> Option<Failure> {
        self.lock().failures.pop_front()
    }

    pub fn set_webhooks(&self, url: String, secret: SecretString) {
        *self
            .webhooks
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some((url, secret));
    }

    pub fn add_template(&self, mut template: Value) {
        if template.get("id").is_none() {
            template["id"] = Value::String(format!("{}", 900_000_000_000 + self.next_number()));
        }
        self.lock().templates.push(template);
    }

    pub fn add_media(&self, mime_type: &str, data: Bytes) -> String {
        let id = format!("{}", 2_621_000_000_000_000u64 + self.next_number());
        self.lock().media.insert(
            id.clone(),
            Media {
                mime_type: mime_type.to_owned(),
                data,
            },
        );
        id
    }

    pub fn posted_webhooks(&self) -> Vec<(Bytes, String, u16)> {
        self.lock().posted.clone()
    }
}

impl std::fmt::Debug for State {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("State")
            .field("base_url", &self.base_url)
            .field("recording", &self.recording)
            .finish_non_exhaustive()
    }
}

/// A start for message-id numbers that differs between instances and processes: the
/// clock's nanoseconds and the process id, spread over 10^11 in steps of 10^6 (a million
/// messages per instance before two instances could meet).
fn instance_base() -> u64 {
    static INSTANCES: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let mixed = (nanos as u64)
        ^ (u64::from(std::process::id()) << 20)
        ^ INSTANCES
            .fetch_add(1, Ordering::Relaxed)
            .wrapping_mul(0x9E37_79B9_7F4A_7C15);
    (mixed.wrapping_mul(0x2545_F491_4F6C_DD1D) % 100_000) * 1_000_000
}
