//! Keyset files: `Keyset::from_json` (pseudonym keys) and `TokenKeyset::from_json`.
//!
//! Invariants beyond "no panic":
//! - a keyset that loads writes back (`expose_secret_json`) to JSON that loads to the same
//!   keyset and writes back identically, with every key string unchanged (nothing is
//!   silently normalized);
//! - neither an error message nor a keyset's `Debug` contains a key's value.
#![no_main]

use libfuzzer_sys::fuzz_target;
use secrecy::ExposeSecret;
use sehat_pseudonym::{Keyset, TokenKeyset};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let secrets = key_strings(text);

    match Keyset::from_json(text) {
        Ok(keyset) => {
            let written = keyset.expose_secret_json();
            let again = Keyset::from_json(written.expose_secret()).expect("a written keyset loads");
            assert_eq!(again.primary_kid(), keyset.primary_kid());
            assert!(again.kids().eq(keyset.kids()));
            for kid in keyset.kids() {
                assert_eq!(again.created(kid), keyset.created(kid));
            }
            assert_eq!(
                again.expose_secret_json().expose_secret(),
                written.expose_secret()
            );
            assert_same_keys(&secrets, written.expose_secret());
            assert_hidden(&secrets, &format!("{keyset:?}"));
        }
        Err(error) => assert_hidden(&secrets, &format!("{error} {error:?}")),
    }

    match TokenKeyset::from_json(text) {
        Ok(keyset) => {
            let written = keyset.expose_secret_json();
            let again =
                TokenKeyset::from_json(written.expose_secret()).expect("a written keyset loads");
            assert_eq!(again.primary_kid(), keyset.primary_kid());
            assert!(again.kids().eq(keyset.kids()));
            assert_eq!(
                again.expose_secret_json().expose_secret(),
                written.expose_secret()
            );
            assert_same_keys(&secrets, written.expose_secret());
            assert_hidden(&secrets, &format!("{keyset:?}"));
        }
        Err(error) => assert_hidden(&secrets, &format!("{error} {error:?}")),
    }
});

/// Every string value of the input longer than the format's own words (`sehat-keyset`,
/// `pseudonym`), key ids and dates: the values of `key` fields, and any other long string (a
/// key put in the wrong field must not be echoed either).
fn key_strings(text: &str) -> Vec<String> {
    fn walk(value: &serde_json::Value, out: &mut Vec<String>) {
        match value {
            serde_json::Value::String(s) if s.len() > 12 => out.push(s.clone()),
            serde_json::Value::Array(items) => items.iter().for_each(|v| walk(v, out)),
            serde_json::Value::Object(map) => map.values().for_each(|v| walk(v, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    if let Ok(value) = serde_json::from_str::<serde_json::Value>(text) {
        walk(&value, &mut out);
    }
    out
}

fn assert_hidden(secrets: &[String], shown: &str) {
    for secret in secrets {
        assert!(
            !shown.contains(secret.as_str()),
            "a value of the input is shown: {shown:?}"
        );
    }
}

/// The written keyset holds the input's key strings unchanged.
fn assert_same_keys(secrets: &[String], written: &str) {
    let value: serde_json::Value = serde_json::from_str(written).expect("written JSON parses");
    for key in value["keys"].as_array().expect("keys array") {
        let key = key["key"].as_str().expect("key string");
        assert!(
            secrets.iter().any(|s| s == key),
            "a key was rewritten on load (its input form is not kept)"
        );
    }
}
