//! The storage conformance suite on SQLite.

#![allow(clippy::expect_used, clippy::unwrap_used)]

mod support;

use sehat_outbox::store::SqliteStore;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_store_conforms() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = SqliteStore::open(dir.path().join("outbox.db")).expect("open");
    support::conformance::run(store).await;
}
