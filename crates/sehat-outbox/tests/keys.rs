//! The outbox's key directory: created private, refused when it is not.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::os::unix::fs::PermissionsExt as _;

use sehat_outbox::{KeysError, OutboxKeys, PSEUDONYM_FILE, TOKEN_FILE};
use sehat_pseudonym::{Contact, PhoneNumber, Region};

fn mode(path: &std::path::Path) -> u32 {
    std::fs::metadata(path)
        .expect("metadata")
        .permissions()
        .mode()
        & 0o777
}

#[test]
fn keys_are_created_private_and_read_back_the_same() {
    let dir = tempfile::tempdir().expect("tempdir");
    let keys_dir = dir.path().join("outbox.db.keys");
    let keys = OutboxKeys::open_or_create(&keys_dir).expect("create");
    assert_eq!(mode(&keys_dir), 0o700);
    assert_eq!(mode(&keys_dir.join(PSEUDONYM_FILE)), 0o600);
    assert_eq!(mode(&keys_dir.join(TOKEN_FILE)), 0o600);
    let again = OutboxKeys::open_or_create(&keys_dir).expect("open");
    let number = PhoneNumber::parse_mobile("0812-3456-7890", Region::ID).expect("n");
    assert_eq!(
        keys.subject_of_phone(&number),
        again.subject_of_phone(&number)
    );
    let token = keys.token_of_phone(&number).expect("token");
    assert_eq!(
        again.contact_of(&token).expect("detokenize"),
        Contact::Phone(number)
    );
    // Nothing in the directory holds the number.
    for entry in std::fs::read_dir(&keys_dir).expect("dir") {
        let text = std::fs::read_to_string(entry.expect("entry").path()).expect("read");
        assert!(!text.contains("81234567890"));
    }
}

#[test]
fn other_keys_give_other_subjects_and_cannot_read_tokens() {
    let dir = tempfile::tempdir().expect("tempdir");
    let a = OutboxKeys::open_or_create(dir.path().join("a")).expect("a");
    let b = OutboxKeys::open_or_create(dir.path().join("b")).expect("b");
    let number = PhoneNumber::parse_mobile("0812-3456-7890", Region::ID).expect("n");
    assert_ne!(a.subject_of_phone(&number), b.subject_of_phone(&number));
    let token = a.token_of_phone(&number).expect("token");
    assert!(matches!(b.contact_of(&token), Err(KeysError::Token(_))));
    assert_ne!(a.wamid_mac("wamid.X"), b.wamid_mac("wamid.X"));
    assert_eq!(a.wamid_mac("wamid.X"), a.wamid_mac("wamid.X"));
    assert!(!a.wamid_mac("wamid.X").as_str().contains("wamid"));
}

#[test]
fn a_key_file_readable_by_others_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let keys_dir = dir.path().join("keys");
    OutboxKeys::open_or_create(&keys_dir).expect("create");
    let token = keys_dir.join(TOKEN_FILE);
    std::fs::set_permissions(&token, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    match OutboxKeys::open_or_create(&keys_dir) {
        Err(KeysError::Permissions { path, mode }) => {
            assert_eq!(path, token);
            assert_eq!(mode, 0o644);
        }
        other => panic!("expected a permissions error, got {other:?}"),
    }
    let message = OutboxKeys::open_or_create(&keys_dir)
        .expect_err("refused")
        .to_string();
    assert!(
        message.contains("0644") && message.contains("chmod go="),
        "{message}"
    );
}

#[test]
fn a_directory_writable_by_others_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let keys_dir = dir.path().join("keys");
    std::fs::create_dir(&keys_dir).expect("mkdir");
    std::fs::set_permissions(&keys_dir, std::fs::Permissions::from_mode(0o777)).expect("chmod");
    assert!(matches!(
        OutboxKeys::open_or_create(&keys_dir),
        Err(KeysError::Permissions { mode: 0o777, .. })
    ));
}

#[test]
fn a_file_in_place_of_the_directory_is_an_error_naming_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("keys");
    std::fs::write(&path, "not a directory").expect("write");
    let err = OutboxKeys::open_or_create(&path).expect_err("refused");
    assert!(matches!(err, KeysError::Io { .. }));
    assert!(err.to_string().contains("keys"));
}

#[test]
fn a_damaged_keyset_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let keys_dir = dir.path().join("keys");
    OutboxKeys::open_or_create(&keys_dir).expect("create");
    std::fs::write(keys_dir.join(PSEUDONYM_FILE), "{").expect("write");
    assert!(matches!(
        OutboxKeys::open_or_create(&keys_dir),
        Err(KeysError::Keyset(_))
    ));
}

#[test]
fn processes_starting_at_once_agree_on_one_set_of_keys() {
    let number = PhoneNumber::parse_mobile("0812-3456-7890", Region::ID).expect("n");
    for _ in 0..5 {
        let dir = tempfile::tempdir().expect("tempdir");
        let keys_dir = dir.path().join("keys");
        let subjects: Vec<_> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..8)
                .map(|_| {
                    let keys_dir = keys_dir.clone();
                    let number = number.clone();
                    s.spawn(move || {
                        OutboxKeys::open_or_create(&keys_dir)
                            .expect("open")
                            .subject_of_phone(&number)
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("thread"))
                .collect()
        });
        assert!(subjects.windows(2).all(|w| w[0] == w[1]), "{subjects:?}");
        // No temporary files left behind.
        let names: Vec<_> = std::fs::read_dir(&keys_dir)
            .expect("dir")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert_eq!(names.len(), 2, "{names:?}");
    }
}

#[tokio::test]
async fn a_new_sqlite_database_and_its_wal_are_private() {
    use sehat_outbox::store::SqliteStore;
    use sehat_outbox::store::Store as _;
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("outbox.db");
    let store = SqliteStore::open(&path).expect("open");
    store.migrate().await.expect("migrate");
    assert_eq!(mode(&path), 0o600, "database file");
    let wal = dir.path().join("outbox.db-wal");
    if wal.exists() {
        assert_eq!(mode(&wal), 0o600, "write-ahead log");
    }
}
