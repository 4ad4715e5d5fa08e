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
    // Message ids are masked: the base64 starts with the sender's number.
    assert_eq!(lines[0]["id"], "wamid.…Q0RgA=");
    assert_eq!(lines[0]["type"], "text");
    assert_eq!(lines[0]["waba_id"], "419561257915477");
    assert_eq!(lines[0]["phone_number_id"], "106540352242922");
    assert_eq!(lines[0]["timestamp"], 1_749_416_383);

    assert_eq!(lines[1]["kind"], "message");
    assert_eq!(lines[1]["type"], "interactive");

    assert_eq!(lines[2]["kind"], "status");
    assert_eq!(lines[2]["id"], "wamid.…MxMAA=");
    assert_eq!(lines[2]["type"], "delivered");

    assert_eq!(lines[3]["kind"], "error");
    assert_eq!(lines[3]["field"], "messages");
    assert_eq!(lines[3]["code"], 130_429);

    // Phone numbers never reach the output, nor do message ids, which carry them in
    // base64 (`MTY1MDM4Nzk0Mzk` is "16503879439").
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(!text.contains("16505551234"), "{text}");
    assert!(!text.contains("MTY1MDM4Nzk0Mzk"), "{text}");
}

#[test]
fn reveal_prints_ids_in_full_and_only_then() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bsuid.json");
    std::fs::write(
        &file,
        r#"{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{
          "messaging_product":"whatsapp",
          "contacts":[{"profile":{"name":"Siti Aminah"},"wa_id":"","user_id":"ID.13491208655302741918"}],
          "messages":[{"from":"","from_user_id":"ID.13491208655302741918","id":"wamid.HBgNNjI4MTIzNDU2Nzg5MBUCABIYFjNFQjBBMUIyQzNENEU1RjZBNwA=",
            "timestamp":"1750000000","type":"text","text":{"body":"anak saya demam"}}]}}]}]}"#,
    )
    .unwrap();
    let files = [
        file.display().to_string(),
        data("response_send_message__text.json"),
    ];
    let masked = inspect(&files);
    assert!(
        masked.status.success(),
        "{}",
        String::from_utf8_lossy(&masked.stderr)
    );
    let text = String::from_utf8(masked.stdout.clone()).unwrap();
    for secret in ["13491208655302741918", "NjI4MTIz", "Siti", "demam"] {
        assert!(!text.contains(secret), "{secret} in {text}");
    }
    let lines_masked = lines(&masked);
    assert_eq!(lines_masked[0]["user_id"], "ID.13****************18");
    assert_eq!(lines_masked[0]["id"], "wamid.…ZBNwA=");
    assert!(
        lines_masked[1]["id"]
            .as_str()
            .unwrap()
            .starts_with("wamid.…")
    );

    let mut args = files.to_vec();
    args.push("--reveal".into());
    let revealed = inspect(&args);
    assert!(revealed.status.success());
    let lines_revealed = lines(&revealed);
    assert_eq!(lines_revealed[0]["user_id"], "ID.13491208655302741918");
    assert_eq!(
        lines_revealed[0]["id"],
        "wamid.HBgNNjI4MTIzNDU2Nzg5MBUCABIYFjNFQjBBMUIyQzNENEU1RjZBNwA="
    );
    let sent = lines_revealed[1]["id"].as_str().unwrap();
    assert!(sent.starts_with("wamid.") && !sent.contains('…'), "{sent}");
    // Names and message text are never printed, revealed or not.
    let text = String::from_utf8(revealed.stdout).unwrap();
    assert!(!text.contains("Siti") && !text.contains("demam"), "{text}");
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
