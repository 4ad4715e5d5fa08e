//! The keyset file format: round trips through files and the environment, and every
//! malformed file gives an error that names its field.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use secrecy::ExposeSecret;
use sehat_pseudonym::{Domain, KeyId, Keyset, KeysetError, PhoneNumber, Subject, TokenKeyset};

const VALID: &str = r#"{"format": "sehat-keyset", "version": 1, "purpose": "pseudonym", "primary": "0000002a",
  "keys": [{"kid": "0000002a", "created": "2026-11-26", "key": "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="}]}"#;

/// Writes a keyset file readable by its owner only, as `sehat keys generate` does.
fn write_private(path: &std::path::Path, text: &str) {
    std::fs::write(path, text).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
}

#[test]
fn generated_keysets_round_trip_through_a_file() {
    let mut keyset = Keyset::generate().unwrap();
    let old = keyset.primary_kid();
    keyset.rotate().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("keyset.json");
    write_private(&path, keyset.expose_secret_json().expose_secret());
    let loaded = Keyset::from_file(&path).unwrap();
    assert_eq!(loaded.primary_kid(), keyset.primary_kid());
    assert_eq!(
        loaded.kids().collect::<Vec<_>>(),
        keyset.kids().collect::<Vec<_>>()
    );
    assert!(loaded.created(old).is_some_and(|date| date.len() == 10));

    let domain = Domain::new("analysis").unwrap();
    let number = PhoneNumber::from_wa_id("6281234567890").unwrap();
    let subject = Subject::phone(&number);
    assert_eq!(
        keyset.pseudonymize(&domain, &subject),
        loaded.pseudonymize(&domain, &subject)
    );
    // A pseudonym made before the rotation is still recognised, and differs from the new one.
    let before = keyset
        .pseudonymizer_for(old, &domain)
        .unwrap()
        .pseudonymize(&subject);
    assert!(loaded.recognizes(&domain, &subject, &before));
    assert_ne!(before, loaded.pseudonymize(&domain, &subject));
}

#[test]
fn an_unset_environment_variable_is_a_typed_error() {
    // Loading from a set variable is tested through the `sehat` binary, which can be
    // given an environment; this crate forbids the `unsafe` that `set_var` needs.
    let error = Keyset::from_env_var("SEHAT_TEST_KEYSET_UNSET_VARIABLE").unwrap_err();
    assert!(matches!(error, KeysetError::EnvVar { .. }));
    assert!(
        error
            .to_string()
            .contains("SEHAT_TEST_KEYSET_UNSET_VARIABLE")
    );
}

fn field_error(json: &str) -> String {
    match Keyset::from_json(json) {
        Err(KeysetError::Invalid { field, .. }) => field,
        other => panic!("expected an Invalid error, got {other:?}"),
    }
}

#[test]
fn malformed_files_name_the_field() {
    assert_eq!(
        field_error(&VALID.replace("\"0000002a\", \"created\"", "\"2A\", \"created\"")),
        "keys[0].kid"
    );
    assert_eq!(
        field_error(&VALID.replace("2026-11-26", "26/11/2026")),
        "keys[0].created"
    );
    assert_eq!(
        field_error(&VALID.replace("2026-11-26", "2026-02-30")),
        "keys[0].created"
    );
    assert_eq!(field_error(&VALID.replace("Hh8=", "Hh8")), "keys[0].key");
    assert_eq!(
        field_error(&VALID.replace("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=", "AAAA")),
        "keys[0].key"
    );
    assert_eq!(
        field_error(&VALID.replace("\"primary\": \"0000002a\"", "\"primary\": \"x\"")),
        "primary"
    );
    assert_eq!(
        field_error(&VALID.replace("sehat-keyset", "tink")),
        "format"
    );
    assert_eq!(
        field_error(&VALID.replace("\"purpose\": \"pseudonym\"", "\"purpose\": \"mac\"")),
        "purpose"
    );
}

#[test]
fn structural_errors_are_typed() {
    assert!(matches!(
        Keyset::from_json("{"),
        Err(KeysetError::Json { line: 1, .. })
    ));
    assert!(matches!(
        Keyset::from_json(&VALID.replace("\"version\": 1", "\"version\": 1, \"extra\": 2")),
        Err(KeysetError::Json { .. })
    ));
    assert!(matches!(
        Keyset::from_json(&VALID.replace("\"version\": 1", "\"version\": 2")),
        Err(KeysetError::UnsupportedVersion { found: 2 })
    ));
    assert!(matches!(
        Keyset::from_json(&VALID.replace("\"primary\": \"0000002a\"", "\"primary\": \"0000002b\"")),
        Err(KeysetError::PrimaryNotFound(kid)) if kid == KeyId::new(0x2b)
    ));
    let two = VALID.replace(
        "\"keys\": [{\"kid\": \"0000002a\", \"created\": \"2026-11-26\", \"key\": \"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\"}]",
        "\"keys\": [{\"kid\": \"0000002a\", \"created\": \"2026-11-26\", \"key\": \"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\"}, {\"kid\": \"0000002a\", \"created\": \"2026-11-26\", \"key\": \"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\"}]",
    );
    assert!(matches!(
        Keyset::from_json(&two),
        Err(KeysetError::DuplicateKid(_))
    ));
    assert!(matches!(
        TokenKeyset::from_json(VALID),
        Err(KeysetError::WrongPurpose { .. })
    ));
    assert!(matches!(
        Keyset::from_file("/nonexistent/sehat/keyset.json"),
        Err(KeysetError::Io { .. })
    ));
}

#[cfg(unix)]
#[test]
fn a_keyset_file_open_to_group_or_others_is_refused() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("keyset.json");
    let token_path = dir.path().join("token-keyset.json");
    write_private(&path, VALID);
    let tokens = TokenKeyset::generate().unwrap();
    write_private(&token_path, tokens.expose_secret_json().expose_secret());
    for mode in [
        0o666,
        0o644,
        0o640,
        0o604,
        0o660,
        0o620,
        0o602,
        0o601,
        0o610,
        0o700 | 0o044,
    ] {
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
        std::fs::set_permissions(&token_path, std::fs::Permissions::from_mode(mode)).unwrap();
        let error = Keyset::from_file(&path).unwrap_err();
        assert!(
            matches!(error, KeysetError::Permissions { mode: m, .. } if m == mode),
            "{mode:o}: {error}"
        );
        let text = error.to_string();
        assert!(text.contains(&path.display().to_string()), "{text}");
        assert!(text.contains(&format!("{mode:04o}")), "{text}");
        assert!(
            text.contains(&format!("chmod 600 {}", path.display())),
            "{text}"
        );
        assert!(
            matches!(
                TokenKeyset::from_file(&token_path),
                Err(KeysetError::Permissions { .. })
            ),
            "{mode:o}"
        );
    }
    // Owner-only modes are accepted.
    for mode in [0o600, 0o400, 0o700] {
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
        std::fs::set_permissions(&token_path, std::fs::Permissions::from_mode(mode)).unwrap();
        assert!(Keyset::from_file(&path).is_ok(), "{mode:o}");
        assert!(TokenKeyset::from_file(&token_path).is_ok(), "{mode:o}");
    }
}

#[cfg(unix)]
#[test]
fn a_symlink_is_judged_by_the_file_it_points_to() {
    // A link's own mode is always 0777; what the keys are exposed by is the target's.
    // Secret mounts (Kubernetes, Docker) are links of this kind.
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let open = dir.path().join("open.json");
    let private = dir.path().join("private.json");
    write_private(&open, VALID);
    std::fs::set_permissions(&open, std::fs::Permissions::from_mode(0o644)).unwrap();
    write_private(&private, VALID);
    let to_open = dir.path().join("to-open.json");
    let to_private = dir.path().join("to-private.json");
    std::os::unix::fs::symlink(&open, &to_open).unwrap();
    std::os::unix::fs::symlink(&private, &to_private).unwrap();

    let error = Keyset::from_file(&to_open).unwrap_err();
    assert!(
        matches!(&error, KeysetError::Permissions { mode: 0o644, path } if *path == to_open),
        "{error}"
    );
    assert!(matches!(
        TokenKeyset::from_file(&to_open),
        Err(KeysetError::Permissions { mode: 0o644, .. })
    ));
    assert_eq!(
        Keyset::from_file(&to_private)
            .unwrap()
            .primary_kid()
            .to_string(),
        "0000002a"
    );
    // A link to a link to the open file is refused the same way.
    let twice = dir.path().join("twice.json");
    std::os::unix::fs::symlink(&to_open, &twice).unwrap();
    assert!(matches!(
        Keyset::from_file(&twice),
        Err(KeysetError::Permissions { mode: 0o644, .. })
    ));
}
