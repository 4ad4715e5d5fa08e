//! `sehat whatsapp inspect`: one JSON line per event, per Graph API error body, or per
//! response; anything else is an error naming the file.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::process::{Command, Output};

use serde_json::Value;

fn data(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/whatsapp")
        .join(name)
        .display()
        .to_string()
}

fn inspect(files: &[String]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sehat"))
        .args(["whatsapp", "inspect"])
        .args(files)
        .output()
        .expect("the sehat binary runs")
}

fn lines(out: &Output) -> Vec<Value> {
    String::from_utf8(out.stdout.clone())
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

#[test]
fn webhook_events_one_line_each() {
    let out = inspect(&[
        data("webhook_message__text.json"),
        data("webhook_message__interactive_button_reply.json"),
        data("webhook_status__delivered_pmp_pricing.json"),
        data("webhook_errors__130429_rate_limit_hit.json"),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines = lines(&out);
    assert_eq!(lines.len(), 4);

    assert_eq!(lines[0]["field"], "messages");
    assert_eq!(lines[0]["kind"], "message");
    assert_eq!(
        lines[0]["id"],
        "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA="
    );
    assert_eq!(lines[0]["type"], "text");
    assert_eq!(lines[0]["waba_id"], "419561257915477");
    assert_eq!(lines[0]["phone_number_id"], "106540352242922");
    assert_eq!(lines[0]["timestamp"], 1_749_416_383);

    assert_eq!(lines[1]["kind"], "message");
    assert_eq!(lines[1]["type"], "interactive");

    assert_eq!(lines[2]["kind"], "status");
    assert_eq!(
        lines[2]["id"],
        "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUFERjg0NDEzNDdFODU3MUMxMAA="
    );
    assert_eq!(lines[2]["type"], "delivered");

    assert_eq!(lines[3]["kind"], "error");
    assert_eq!(lines[3]["field"], "messages");
    assert_eq!(lines[3]["code"], 130_429);

    // Phone numbers never reach the output.
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(!text.contains("16505551234"), "{text}");
}

#[test]
fn graph_error_bodies_give_one_api_error_line() {
    let out = inspect(&[
        data("error__190_invalid_oauth_token.json"),
        data("error__80007_waba_rate_limit.json"),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines = lines(&out);
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["kind"], "api_error");
    assert_eq!(lines[0]["code"], 190);
    assert_eq!(lines[0]["subcode"], 463);
    assert_eq!(lines[0]["error_kind"], "auth");
    assert_eq!(lines[1]["kind"], "api_error");
    assert_eq!(lines[1]["code"], 80007);
    assert_eq!(lines[1]["error_kind"], "waba_rate_limit");
    for line in &lines {
        assert!(
            line["retry"].as_str().is_some_and(|r| !r.is_empty()),
            "{line}"
        );
    }
}

#[test]
fn other_changes_are_named_by_their_field() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("template.json");
    std::fs::write(
        &path,
        br#"{"object":"whatsapp_business_account","entry":[{"id":"1","time":1,"changes":[
            {"field":"message_template_status_update","value":{"event":"APPROVED",
             "message_template_id":123,"message_template_name":"pengingat","message_template_language":"id","reason":"NONE"}},
            {"field":"brand_new_field","value":{"x":1}},
            {"field":"account_alerts","value":"not an object"}]}]}"#,
    )
    .unwrap();
    let out = inspect(&[path.display().to_string()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines = lines(&out);
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0]["field"], "message_template_status_update");
    assert_eq!(lines[0]["kind"], "template_status");
    assert_eq!(lines[0]["id"], "123");
    assert_eq!(lines[0]["type"], "APPROVED");
    assert_eq!(lines[1]["field"], "brand_new_field");
    assert_eq!(lines[1]["kind"], "unknown");
    assert_eq!(lines[2]["field"], "account_alerts");
    assert_eq!(lines[2]["kind"], "malformed");
    assert!(lines[2]["error"].as_str().unwrap().contains("object"));
}

#[test]
fn responses_are_recognised() {
    let out = inspect(&[data("response_send_message__text.json")]);
    assert!(out.status.success());
    let lines = lines(&out);
    assert_eq!(lines[0]["kind"], "response");
    assert_eq!(lines[0]["type"], "send_message");
}

#[test]
fn a_file_that_is_not_a_payload_is_an_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let not_json = dir.path().join("notes.txt");
    std::fs::write(&not_json, "hello").unwrap();
    let other_json = dir.path().join("other.json");
    std::fs::write(&other_json, r#"{"name": "not from Meta"}"#).unwrap();
    for bad in [
        not_json,
        other_json,
        PathBuf::from(data("signature_vector__compact_ascii.json")),
    ] {
        let name = bad.display().to_string();
        let out = inspect(&[data("webhook_message__text.json"), name.clone()]);
        assert!(!out.status.success(), "{name}");
        let stderr = String::from_utf8(out.stderr.clone()).unwrap();
        assert!(stderr.contains(&name), "{stderr}");
        // The good file's lines are still written.
        assert_eq!(lines(&out).len(), 1);
    }
    let missing = dir.path().join("missing.json").display().to_string();
    let out = inspect(std::slice::from_ref(&missing));
    assert!(!out.status.success());
    assert!(String::from_utf8(out.stderr).unwrap().contains(&missing));
}
