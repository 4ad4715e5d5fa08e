//! `sehat whatsapp verify`: the signature vectors pass; other secrets and bytes fail.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::process::{Command, Output};

use serde_json::Value;

fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/whatsapp")
        .join(name)
}

fn vector(name: &str) -> (String, String, PathBuf) {
    let meta: Value =
        serde_json::from_slice(&std::fs::read(data(&format!("{name}.json"))).unwrap()).unwrap();
    (
        meta["app_secret"].as_str().unwrap().to_owned(),
        meta["x_hub_signature_256"].as_str().unwrap().to_owned(),
        data(meta["body_file"].as_str().unwrap()),
    )
}

fn verify(env: &[(&str, &str)], vars: &[&str], signature: &str, file: &PathBuf) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_sehat"));
    command.args(["whatsapp", "verify"]);
    for var in vars {
        command.args(["--app-secret-env", var]);
    }
    command.args(["--signature", signature]).arg(file);
    for (key, value) in env {
        command.env(key, value);
    }
    command.output().expect("the sehat binary runs")
}

#[test]
fn vectors_verify() {
    for name in [
        "signature_vector__compact_ascii",
        "signature_vector__escaped_unicode",
    ] {
        let (secret, header, body) = vector(name);
        let out = verify(
            &[("WA_APP_SECRET", &secret)],
            &["WA_APP_SECRET"],
            &header,
            &body,
        );
        assert!(
            out.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let line: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(line["signature"], "valid");
        // The secret is never echoed.
        assert!(!String::from_utf8_lossy(&out.stdout).contains(&secret));
    }
}

#[test]
fn rotation_accepts_either_secret() {
    let (secret, header, body) = vector("signature_vector__compact_ascii");
    let out = verify(
        &[("OLD", "previous"), ("NEW", &secret)],
        &["OLD", "NEW"],
        &header,
        &body,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn wrong_secret_or_changed_body_fails_naming_the_file() {
    let (secret, header, body) = vector("signature_vector__escaped_unicode");
    let out = verify(&[("S", "wrong")], &["S"], &header, &body);
    assert!(!out.status.success());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains(&body.display().to_string()), "{stderr}");
    assert!(stderr.contains("does not match"), "{stderr}");

    // Re-serialized JSON is a different body.
    let dir = tempfile::tempdir().unwrap();
    let reserialized = dir.path().join("body.json");
    let value: Value = serde_json::from_slice(&std::fs::read(&body).unwrap()).unwrap();
    std::fs::write(&reserialized, serde_json::to_vec(&value).unwrap()).unwrap();
    let out = verify(&[("S", &secret)], &["S"], &header, &reserialized);
    assert!(!out.status.success());

    let out = verify(&[("S", &secret)], &["S"], "sha256=zz", &body);
    assert!(!out.status.success());
    assert!(
        String::from_utf8(out.stderr)
            .unwrap()
            .contains("64 hex digits")
    );
}

#[test]
fn a_missing_secret_variable_is_an_error() {
    let (_, header, body) = vector("signature_vector__compact_ascii");
    let out = verify(&[], &["SEHAT_TEST_UNSET_VARIABLE"], &header, &body);
    assert!(!out.status.success());
    assert!(
        String::from_utf8(out.stderr)
            .unwrap()
            .contains("SEHAT_TEST_UNSET_VARIABLE")
    );
}
