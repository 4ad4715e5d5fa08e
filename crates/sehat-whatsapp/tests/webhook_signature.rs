//! `X-Hub-Signature-256`: the generated test vectors pass, and everything else fails closed.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

use sehat_whatsapp::webhook::{
    SignatureError, WebhookError, WebhookVerifier, sign_payload, verify_signature,
};

struct Vector {
    name: &'static str,
    body: Vec<u8>,
    secret: String,
    header: String,
}

fn vectors() -> Vec<Vector> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/webhook");
    [
        "signature_vector__compact_ascii",
        "signature_vector__escaped_unicode",
    ]
    .into_iter()
    .map(|name| {
        let meta: serde_json::Value =
            serde_json::from_slice(&std::fs::read(dir.join(format!("{name}.json"))).unwrap())
                .unwrap();
        let body = std::fs::read(dir.join(meta["body_file"].as_str().unwrap())).unwrap();
        Vector {
            name,
            body,
            secret: meta["app_secret"].as_str().unwrap().to_owned(),
            header: meta["x_hub_signature_256"].as_str().unwrap().to_owned(),
        }
    })
    .collect()
}

#[test]
fn vectors_pass() {
    for v in vectors() {
        assert!(
            !v.body.ends_with(b"\n"),
            "{}: body has a trailing newline",
            v.name
        );
        assert_eq!(
            sign_payload(v.secret.as_bytes(), &v.body),
            v.header,
            "{}",
            v.name
        );
        verify_signature([v.secret.as_str()], &v.body, Some(&v.header))
            .unwrap_or_else(|e| panic!("{}: {e}", v.name));
        let payload = WebhookVerifier::new([v.secret.as_str()])
            .verify_and_parse(&v.body, Some(&v.header))
            .unwrap_or_else(|e| panic!("{}: {e}", v.name));
        assert_eq!(payload.events().count(), 1, "{}", v.name);
    }
}

#[test]
fn reserialized_json_fails() {
    for v in vectors() {
        let value: serde_json::Value = serde_json::from_slice(&v.body).unwrap();
        let reserialized = serde_json::to_vec(&value).unwrap();
        if v.name.ends_with("escaped_unicode") {
            assert_ne!(
                reserialized, v.body,
                "the escape must not survive re-serialization"
            );
        }
        if reserialized != v.body {
            assert_eq!(
                verify_signature([v.secret.as_str()], &reserialized, Some(&v.header)),
                Err(SignatureError::Mismatch),
                "{}",
                v.name
            );
        }
        // A trailing newline is enough to break it.
        let mut with_newline = v.body.clone();
        with_newline.push(b'\n');
        assert_eq!(
            verify_signature([v.secret.as_str()], &with_newline, Some(&v.header)),
            Err(SignatureError::Mismatch)
        );
    }
}

#[test]
fn wrong_secret_missing_and_malformed_headers_fail() {
    for v in vectors() {
        let verifier = WebhookVerifier::new([v.secret.as_str()]);
        assert_eq!(
            verify_signature(["another_secret"], &v.body, Some(&v.header)),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(verifier.verify(&v.body, None), Err(SignatureError::Missing));
        let hex = v.header.strip_prefix("sha256=").unwrap();
        for bad in [
            hex.to_owned(),                    // no prefix
            format!("sha1={hex}"),             // wrong algorithm
            format!("sha256={}", &hex[..63]),  // short
            format!("sha256={hex}0"),          // long
            format!("sha256={}g", &hex[..63]), // not hex
            String::new(),
            "sha256=".to_owned(),
        ] {
            assert_eq!(
                verifier.verify(&v.body, Some(&bad)),
                Err(SignatureError::Malformed),
                "{bad:?}"
            );
        }
        // One flipped digit is a mismatch, not a near miss.
        let mut flipped: Vec<char> = hex.chars().collect();
        flipped[10] = if flipped[10] == '0' { '1' } else { '0' };
        let flipped: String = flipped.into_iter().collect();
        assert_eq!(
            verifier.verify(&v.body, Some(&format!("sha256={flipped}"))),
            Err(SignatureError::Mismatch)
        );
        // Case and surrounding blanks do not matter.
        let upper = format!("  SHA256={}  ", hex.to_uppercase());
        assert_eq!(verifier.verify(&v.body, Some(&upper)), Ok(()));
    }
}

#[test]
fn rotation_accepts_any_configured_secret() {
    let v = &vectors()[0];
    let verifier = WebhookVerifier::new(["previous_secret", v.secret.as_str()]);
    assert_eq!(verifier.secret_count(), 2);
    assert!(verifier.verify(&v.body, Some(&v.header)).is_ok());
    let with_old = sign_payload(b"previous_secret", &v.body);
    assert!(verifier.verify(&v.body, Some(&with_old)).is_ok());
    let with_other = sign_payload(b"unrelated", &v.body);
    assert_eq!(
        verifier.verify(&v.body, Some(&with_other)),
        Err(SignatureError::Mismatch)
    );
}

#[test]
fn no_usable_secret_refuses_everything() {
    let v = &vectors()[0];
    let none: [&str; 0] = [];
    assert_eq!(
        WebhookVerifier::new(none).verify(&v.body, Some(&v.header)),
        Err(SignatureError::NoAppSecret)
    );
    // An empty secret would let anyone sign: it is ignored.
    let empty_signed = sign_payload(b"", &v.body);
    assert_eq!(
        WebhookVerifier::new([""]).verify(&v.body, Some(&empty_signed)),
        Err(SignatureError::NoAppSecret)
    );
}

#[test]
fn long_secrets_are_hashed_as_hmac_requires() {
    // RFC 4231 test case 6: a 131-byte key, hashed before use.
    let key = [0xaa_u8; 131];
    let data = b"Test Using Larger Than Block-Size Key - Hash Key First";
    assert_eq!(
        sign_payload(&key, data),
        "sha256=60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
    );
    // RFC 4231 test case 2.
    assert_eq!(
        sign_payload(b"Jefe", b"what do ya want for nothing?"),
        "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    );
}

#[test]
fn front_door_checks_size_then_signature_then_body() {
    let verifier = WebhookVerifier::new(["s"]).max_body_len(16);
    let big = vec![b' '; 17];
    assert!(matches!(
        verifier.verify_and_parse(&big, Some(&sign_payload(b"s", &big))),
        Err(WebhookError::TooLarge { len: 17, max: 16 })
    ));
    let body = b"[1]";
    let err = verifier
        .verify_and_parse(body, Some("sha256=00"))
        .unwrap_err();
    assert!(err.is_signature());
    let err = verifier
        .verify_and_parse(body, Some(&sign_payload(b"s", body)))
        .unwrap_err();
    assert!(matches!(err, WebhookError::Parse(_)), "{err}");
    assert!(err.to_string().contains("$"), "{err}");
}

#[test]
fn secrets_never_print() {
    let verifier = WebhookVerifier::new(["very-secret-value"]);
    let shown = format!("{verifier:?}");
    assert!(!shown.contains("very-secret-value"), "{shown}");
}
