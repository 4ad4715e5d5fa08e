//! `sehat keys`: generate, show, rotate and retire keysets.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use support::{assert_ran, sehat, stderr_of_failure};

use secrecy::ExposeSecret;
use sehat_pseudonym::{Keyset, TokenKeyset};

#[test]
fn generate_show_rotate_retire() {
    let dir = tempfile::tempdir().unwrap();
    let first = dir.path().join("k1.json");
    let first_s = first.to_str().unwrap();
    assert!(
        sehat(&["keys", "generate", "--output", first_s])
            .status
            .success()
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&first).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // Never overwrites a keyset.
    let again = sehat(&["keys", "generate", "--output", first_s]);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("k1.json"));

    let keyset = Keyset::from_file(&first).unwrap();
    let old = keyset.primary_kid().to_string();
    let json = keyset.expose_secret_json();
    let key_value: serde_json::Value = serde_json::from_str(json.expose_secret()).unwrap();
    let key = key_value["keys"][0]["key"].as_str().unwrap().to_owned();

    let shown = sehat(&["keys", "show", "--keyset", first_s]);
    let text = String::from_utf8(shown.stdout).unwrap();
    assert!(
        text.contains("purpose: pseudonym") && text.contains(&format!("primary: {old}")),
        "{text}"
    );
    assert!(!text.contains(&key));

    let second = dir.path().join("k2.json");
    let out = sehat(&[
        "keys",
        "rotate",
        "--keyset",
        first_s,
        "--output",
        second.to_str().unwrap(),
    ]);
    assert_ran(&out);
    let rotated = Keyset::from_file(&second).unwrap();
    assert_ne!(rotated.primary_kid().to_string(), old);
    assert_eq!(rotated.kids().count(), 2);

    let third = dir.path().join("k3.json");
    let out = sehat(&[
        "keys",
        "retire",
        "--keyset",
        second.to_str().unwrap(),
        "--kid",
        &old,
        "--output",
        third.to_str().unwrap(),
    ]);
    assert_ran(&out);
    let retired = Keyset::from_file(&third).unwrap();
    assert_eq!(retired.kids().collect::<Vec<_>>(), [rotated.primary_kid()]);

    let primary = rotated.primary_kid().to_string();
    let fourth = dir.path().join("k4.json");
    let out = sehat(&[
        "keys",
        "retire",
        "--keyset",
        third.to_str().unwrap(),
        "--kid",
        &primary,
        "--output",
        fourth.to_str().unwrap(),
    ]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("primary"));
}

#[test]
fn token_keysets_are_their_own_kind() {
    let out = sehat(&["keys", "generate", "--purpose", "token"]);
    assert!(out.status.success());
    let json = String::from_utf8(out.stdout).unwrap();
    assert!(TokenKeyset::from_json(&json).is_ok());
    assert!(Keyset::from_json(&json).is_err());
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tokens.json");
    std::fs::write(&path, &json).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let shown =
        String::from_utf8(sehat(&["keys", "show", "--keyset", path.to_str().unwrap()]).stdout)
            .unwrap();
    assert!(shown.contains("purpose: token"), "{shown}");
    // A token keyset cannot make pseudonyms.
    let input = dir.path().join("in.csv");
    std::fs::write(&input, "phone\n081234567890\n").unwrap();
    let out = sehat(&[
        "phone",
        "pseudonymize",
        "--keyset",
        path.to_str().unwrap(),
        "--domain",
        "a",
        "--column",
        "phone",
        input.to_str().unwrap(),
    ]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("token"));
}

#[test]
fn a_malformed_keyset_names_the_file_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.json");
    std::fs::write(&path, r#"{"format": "sehat-keyset", "version": 1, "purpose": "pseudonym", "primary": "0000002a", "keys": [{"kid": "0000002a", "created": "2026-11-26", "key": "c2hvcnQ="}]}"#).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let out = sehat(&["keys", "show", "--keyset", path.to_str().unwrap()]);
    let stderr = stderr_of_failure(&out);
    assert!(
        stderr.contains("keys[0].key") && !stderr.contains("c2hvcnQ"),
        "{stderr}"
    );
}

#[cfg(unix)]
#[test]
fn a_keyset_readable_by_others_is_refused_with_the_fix() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("k.json");
    let path_s = path.to_str().unwrap();
    assert_ran(&sehat(&["keys", "generate", "--output", path_s]));
    let rotated = dir.path().join("k2.json");
    assert_ran(&sehat(&[
        "keys",
        "rotate",
        "--keyset",
        path_s,
        "--output",
        rotated.to_str().unwrap(),
    ]));
    let mode = std::fs::metadata(&rotated).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    // Before: a keyset with mode 0666 was read without a word.
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o666)).unwrap();
    let stderr = stderr_of_failure(&sehat(&["keys", "show", "--keyset", path_s]));
    assert!(
        stderr.contains(path_s)
            && stderr.contains("0666")
            && stderr.contains(&format!("chmod 600 {path_s}")),
        "{stderr}"
    );
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    assert_ran(&sehat(&["keys", "show", "--keyset", path_s]));
}
