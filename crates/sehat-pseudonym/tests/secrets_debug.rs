//! No secret-bearing type shows its secret in `Debug` (or `Display`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use secrecy::ExposeSecret;
use sehat_pseudonym::{Bsuid, Domain, Keyset, PhoneNumber, Region, Subject, TokenKeyset};

/// The base64 of every key in a keyset's JSON.
fn keys_of(json: &str) -> Vec<String> {
    let value: serde_json::Value = serde_json::from_str(json).unwrap();
    value["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|key| key["key"].as_str().unwrap().to_owned())
        .collect()
}

fn assert_hides_keys(debug: &str, keys: &[String]) {
    for key in keys {
        assert!(!debug.contains(key.as_str()), "{debug}");
        let bytes = data_encoding::BASE64.decode(key.as_bytes()).unwrap();
        let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        assert!(!debug.contains(&hex[..16]), "{debug}");
        let decimal = format!("{:?}", &bytes[..4]);
        assert!(!debug.contains(decimal.trim_matches(['[', ']'])), "{debug}");
    }
}

#[test]
fn keysets_and_pseudonymizers_hide_their_keys() {
    let mut keyset = Keyset::generate().unwrap();
    keyset.rotate().unwrap();
    let keys = keys_of(keyset.expose_secret_json().expose_secret());
    assert_eq!(keys.len(), 2);
    let debug = format!("{keyset:?} {keyset:#?}");
    assert!(debug.contains("REDACTED"), "{debug}");
    assert!(debug.contains(&keyset.primary_kid().to_string()));
    assert_hides_keys(&debug, &keys);

    let pseudonymizer = keyset.pseudonymizer(&Domain::new("analysis").unwrap());
    assert_hides_keys(&format!("{pseudonymizer:?}"), &keys);

    let tokens = TokenKeyset::generate().unwrap();
    let token_keys = keys_of(tokens.expose_secret_json().expose_secret());
    assert_hides_keys(&format!("{tokens:?} {tokens:#?}"), &token_keys);

    let secret = keyset.expose_secret_json();
    assert!(!format!("{secret:?}").contains(&keys[0]));
}

#[test]
fn phone_numbers_and_subjects_are_masked() {
    let number = PhoneNumber::parse("0812-3456-7890", Region::ID).unwrap();
    let id = Bsuid::new("ID.13491208655302741918").unwrap();
    let shown = [
        format!("{number:?}"),
        format!("{number}"),
        format!("{:?}", Subject::phone(&number)),
        format!("{id:?}"),
        format!("{id}"),
        format!("{:?}", Subject::bsuid(&id)),
        format!("{:?}", sehat_pseudonym::Contact::Phone(number.clone())),
    ];
    for text in &shown {
        // The hidden middle of the number and of the id never appear.
        for hidden in [
            "3456",
            "34567",
            "4567",
            "8123456",
            "1349120",
            "8655302741918",
        ] {
            assert!(!text.contains(hidden), "{text}");
        }
    }
    assert_eq!(shown[1], "+62 812-****-**90");
}

#[test]
fn errors_never_carry_the_input() {
    let inputs = [
        "0812 3456 789O",
        "+999 812 3456 7890",
        "6281234567890123456",
        "(021) 555 1234",
    ];
    for input in inputs {
        for error in [
            PhoneNumber::parse_mobile(input, Region::ID).err(),
            PhoneNumber::parse(input, None).err(),
            PhoneNumber::from_wa_id(input).err(),
        ]
        .into_iter()
        .flatten()
        {
            let text = format!("{error} {error:?}");
            assert!(
                !text.contains("3456") && !text.contains("5551234"),
                "{text}"
            );
        }
    }
    let bad_key = r#"{"format": "sehat-keyset", "version": 1, "purpose": "pseudonym", "primary": "0000002a",
        "keys": [{"kid": "0000002a", "created": "2026-11-26", "key": "c2VjcmV0LWJ1dC10b28tc2hvcnQ="}]}"#;
    let error = Keyset::from_json(bad_key).unwrap_err();
    let text = format!("{error} {error:?}");
    assert!(text.contains("keys[0].key"), "{text}");
    assert!(!text.contains("c2VjcmV0"), "{text}");
    let wrong_type = bad_key.replace("\"c2VjcmV0LWJ1dC10b28tc2hvcnQ=\"", "12345678901234567");
    let error = Keyset::from_json(&wrong_type).unwrap_err();
    assert!(!format!("{error} {error:?}").contains("12345678901234567"));
}
