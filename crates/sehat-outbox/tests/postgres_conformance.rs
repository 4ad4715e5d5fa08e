//! The storage conformance suite on PostgreSQL, against a real throwaway server
//! (`sehat-test-pg`).
#![cfg(feature = "postgres")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use sehat_outbox::store::postgres::PgStore;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_store_conforms() {
    let Some(db) = sehat_test_pg::database() else {
        return;
    };
    let store = PgStore::connect(db.url()).await.expect("connect");
    support::conformance::run(store).await;
}
