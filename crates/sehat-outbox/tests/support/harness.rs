//! A mock Graph API, an SQLite outbox and helpers around them.

use std::sync::{Arc, Mutex};
use std::time::Instant;

use sehat_outbox::dispatch::{DispatchReport, Dispatcher, RunMode, StopSignal, Transport};
use sehat_outbox::input::ScheduleRequest;
use sehat_outbox::model::{MessageKey, Purpose, State};
use sehat_outbox::store::{MessageView, SqliteStore, Store};
use sehat_outbox::{Outbox, OutboxKeys};
use sehat_whatsapp::PhoneNumberApi;
use sehat_whatsapp::ids::PhoneNumberId;
use sehat_whatsapp::message::Message;
use sehat_whatsapp_mock::MockGraphApi;
use serde_json::Value;
use time::OffsetDateTime;
use time::macros::datetime;

/// 10:00 in Jakarta, 11:00 in Makassar, 12:00 in Jayapura: outside quiet hours everywhere.
pub const DAY: OffsetDateTime = datetime!(2026-05-04 03:00 UTC);

/// The business number of the tests.
pub const NUMBER_ID: &str = "106540352242922";

pub struct Harness {
    pub mock: MockGraphApi,
    pub phone: PhoneNumberApi,
    pub outbox: Outbox<SqliteStore>,
    pub dir: tempfile::TempDir,
}

impl Harness {
    pub async fn new() -> Harness {
        let dir = tempfile::tempdir().expect("tempdir");
        let mock = MockGraphApi::start().await.expect("mock");
        let phone = mock
            .client()
            .expect("client")
            .phone(PhoneNumberId::new(NUMBER_ID));
        let store = SqliteStore::open(dir.path().join("outbox.db")).expect("open");
        let keys = OutboxKeys::open_or_create(dir.path().join("keys")).expect("keys");
        let outbox = Outbox::with_store(store, keys).await.expect("migrate");
        Harness {
            mock,
            phone,
            outbox,
            dir,
        }
    }

    /// Another outbox on the same file and keys (a second process, as far as SQLite is
    /// concerned: its own connection).
    pub fn second_store(&self) -> SqliteStore {
        SqliteStore::open(self.dir.path().join("outbox.db")).expect("open again")
    }

    /// The same outbox opened again (own connection, keys read from the same directory).
    pub async fn second_outbox(&self) -> Outbox<SqliteStore> {
        let keys = OutboxKeys::open_or_create(self.dir.path().join("keys")).expect("keys");
        Outbox::with_store(self.second_store(), keys)
            .await
            .expect("second outbox")
    }

    pub fn dispatcher(&self, now: OffsetDateTime) -> Dispatcher<SqliteStore, PhoneNumberApi> {
        Dispatcher::new(&self.outbox, self.phone.clone())
            .no_pacing()
            .now_at(now)
            .worker("test-worker")
    }

    /// One run of [`Harness::dispatcher`] at `now` until nothing is due.
    pub async fn dispatch(&self, now: OffsetDateTime) -> DispatchReport {
        self.dispatcher(now)
            .run(RunMode::UntilIdle, never())
            .await
            .expect("dispatch")
    }

    pub async fn schedule(&self, requests: &[ScheduleRequest]) {
        let out = self.outbox.schedule(requests, DAY).await.expect("schedule");
        for (i, r) in out.iter().enumerate() {
            assert!(r.is_ok(), "request {i} refused: {r:?}");
        }
    }

    /// The stored message of `key` (it must exist).
    pub async fn view(&self, key: &str) -> MessageView {
        self.outbox
            .store()
            .message(&MessageKey::new(key).expect("key"))
            .await
            .expect("read")
            .expect("exists")
    }

    pub async fn state(&self, key: &str) -> State {
        self.view(key).await.state
    }

    /// The `(to, template name)` of every message request the mock received.
    pub fn sent(&self) -> Vec<(String, String)> {
        self.mock
            .requests()
            .iter()
            .filter(|r| r.path.ends_with("/messages"))
            .map(|r| {
                let json = r.json();
                (
                    json["to"].as_str().unwrap_or_default().to_owned(),
                    json["template"]["name"]
                        .as_str()
                        .unwrap_or_default()
                        .to_owned(),
                )
            })
            .collect()
    }

    pub fn bodies(&self) -> Vec<Value> {
        self.mock
            .requests()
            .iter()
            .filter(|r| r.path.ends_with("/messages"))
            .map(|r| r.json())
            .collect()
    }
}

/// A reminder request due at `DAY`.
pub fn reminder(key: &str, phone: &str) -> ScheduleRequest {
    ScheduleRequest::new(key, phone, Purpose::Reminder, "imunisasi_pengingat", DAY)
        .param("nama", "Sari")
}

/// A transport that records when each send left.
#[derive(Clone)]
pub struct Timed {
    pub inner: PhoneNumberApi,
    pub times: Arc<Mutex<Vec<Instant>>>,
}

impl Transport for Timed {
    fn business_number(&self) -> &PhoneNumberId {
        self.inner.id()
    }

    async fn send(
        &self,
        message: &Message,
    ) -> Result<sehat_whatsapp::SendReceipt, sehat_whatsapp::Error> {
        self.times
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(Instant::now());
        self.inner.send_unpaced(message).await
    }
}

pub fn never() -> StopSignal {
    StopSignal::never()
}
