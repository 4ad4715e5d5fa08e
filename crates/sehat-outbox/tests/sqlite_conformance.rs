//! The storage conformance suite on SQLite, and what only a file path can bring: a file
//! that is not an outbox.

#![allow(clippy::expect_used, clippy::unwrap_used)]

mod support;

use sehat_outbox::store::{SqliteStore, Store as _};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_store_conforms() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = SqliteStore::open(dir.path().join("outbox.db")).expect("open");
    support::conformance::run(store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_outbox_of_schema_1_keeps_each_consent_record_once_after_the_upgrade() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("outbox.db");
    SqliteStore::open(&path)
        .expect("open")
        .migrate()
        .await
        .expect("migrate");
    {
        // Back to schema 1, with the copies it allowed.
        let db = rusqlite::Connection::open(&path).expect("db");
        db.execute_batch(&format!(
            "DROP INDEX consent_once;
             DELETE FROM schema_migrations WHERE version = 2;
             {}",
            support::upgrade::consent_copies("consent")
        ))
        .expect("schema 1 with copies");
    }
    let store = SqliteStore::open(&path).expect("reopen");
    store.migrate().await.expect("upgrade");
    let db = rusqlite::Connection::open(&path).expect("db");
    let kept: Vec<support::upgrade::KeptConsent> = db
        .prepare("SELECT subject, action, reference, recorded_at FROM consent ORDER BY id")
        .expect("prepare")
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows");
    assert_eq!(
        kept,
        support::upgrade::consent_kept(),
        "the first of each set of copies is kept"
    );
    let versions: Vec<i64> = db
        .prepare("SELECT version FROM schema_migrations ORDER BY version")
        .expect("prepare")
        .query_map([], |r| r.get(0))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("versions");
    assert_eq!(versions, [1, 2]);
}

#[test]
fn a_file_that_is_no_database_is_refused_and_left_as_it_was() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("jadwal.csv");
    let text = "key,phone\nchild-1/dtp/1,081234567890\n";
    std::fs::write(&path, text).expect("write");
    let err = SqliteStore::open(&path).expect_err("refused");
    assert!(err.to_string().contains("not a database"), "{err}");
    assert!(!err.to_string().contains("081234567890"), "{err}");
    assert_eq!(std::fs::read_to_string(&path).expect("read"), text);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_programs_database_is_refused_and_left_as_it_was() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("register.db");
    {
        let db = rusqlite::Connection::open(&path).expect("db");
        db.execute_batch(
            "CREATE TABLE child (id INTEGER PRIMARY KEY, name TEXT);
             CREATE TABLE schema_migrations (version TEXT PRIMARY KEY);
             INSERT INTO schema_migrations VALUES ('20240101');",
        )
        .expect("schema");
    }
    let err = SqliteStore::open(&path).expect_err("refused");
    assert!(err.to_string().contains("not an outbox"), "{err}");
    let db = rusqlite::Connection::open(&path).expect("db");
    let journal: String = db
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .expect("journal");
    assert_eq!(journal, "delete", "the journal mode is the program's own");
    let tables: Vec<String> = db
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .expect("prepare")
        .query_map([], |r| r.get(0))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("tables");
    assert_eq!(tables, ["child", "schema_migrations"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_outbox_and_an_empty_file_open_as_outboxes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("outbox.db");
    SqliteStore::open(&path)
        .expect("new")
        .migrate()
        .await
        .expect("migrate");
    let again = SqliteStore::open(&path).expect("reopen");
    again.migrate().await.expect("migrate again");
    assert!(again.counts().await.expect("counts").is_empty());
    let empty = dir.path().join("empty.db");
    std::fs::write(&empty, b"").expect("touch");
    SqliteStore::open(&empty)
        .expect("empty file")
        .migrate()
        .await
        .expect("migrate");
}

#[test]
fn several_openers_of_one_new_file_at_once_all_get_the_outbox() {
    // Two cron jobs starting in the same second on a file that does not exist yet: one
    // creates it and switches it to WAL while the others are opening it. Each must wait
    // its turn, never fail with "database is locked".
    const OPENERS: usize = 6;
    for round in 0..40 {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("outbox.db");
        let start = std::sync::Barrier::new(OPENERS);
        std::thread::scope(|scope| {
            let openers: Vec<_> = (0..OPENERS)
                .map(|_| {
                    scope.spawn(|| {
                        start.wait();
                        let store = SqliteStore::open(&path)?;
                        tokio::runtime::Builder::new_current_thread()
                            .build()
                            .expect("runtime")
                            .block_on(async { store.migrate().await })
                    })
                })
                .collect();
            for opener in openers {
                let opened = opener.join().expect("no panic");
                assert!(opened.is_ok(), "round {round}: {opened:?}");
            }
        });
    }
}
