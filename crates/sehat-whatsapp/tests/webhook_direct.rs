//! `WebhookPayload::from_slice` reads the common envelope straight from the body and falls
//! back on a JSON tree for anything else; `from_value` always types from the tree. The two
//! must give the same payload (or the same error) for every body: the test fixtures, and
//! bodies built to leave the common path at each point where it can.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use sehat_whatsapp::webhook::{ParseError, WebhookPayload};

fn json_files(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            json_files(&path, found);
        } else if path.extension().is_some_and(|e| e == "json") {
            found.push(path);
        }
    }
}

/// Through the tree, as before the direct reading existed.
fn through_tree(body: &[u8]) -> Result<WebhookPayload, ParseError> {
    let value: serde_json::Value = serde_json::from_slice(body).map_err(|e| ParseError::Json {
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    })?;
    WebhookPayload::from_value(value)
}

/// What a payload says, as far as its `Debug` and its events show it.
fn describe(payload: &Result<WebhookPayload, ParseError>) -> String {
    match payload {
        Err(e) => format!("error: {e:?}"),
        Ok(p) => {
            let mut out = format!("{p:#?}\n");
            for event in p.events() {
                out.push_str(&format!(
                    "{} {} {:?} {:?} {:?} {:?}\n",
                    event.kind(),
                    event.field(),
                    event.id(),
                    event.type_str(),
                    event
                        .user()
                        .and_then(|u| u.best_key().map(|k| k.to_string())),
                    event.dedupe_key().map(|k| format!("{k:?}")),
                ));
            }
            out
        }
    }
}

fn assert_same(body: &[u8], what: &str) {
    let direct = describe(&WebhookPayload::from_slice(body));
    let tree = describe(&through_tree(body));
    assert_eq!(direct, tree, "{what}");
}

#[test]
fn the_fixtures_read_the_same_both_ways() {
    let mut files = Vec::new();
    json_files(
        Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data")),
        &mut files,
    );
    assert!(files.len() >= 35, "{} files", files.len());
    let mut typed = 0;
    for path in &files {
        let body = std::fs::read(path).unwrap();
        assert_same(&body, &path.display().to_string());
        // Compact, as Meta sends them, too.
        if let Ok(value) = serde_json::from_slice::<serde_json::Value>(&body) {
            assert_same(
                &serde_json::to_vec(&value).unwrap(),
                &path.display().to_string(),
            );
        }
        typed += usize::from(WebhookPayload::from_slice(&body).is_ok());
    }
    assert!(typed >= 25, "{typed}");
}

#[test]
fn bodies_off_the_common_path_read_the_same_both_ways() {
    let message = r#"{"from":"6281234567890","id":"wamid.A","timestamp":"1750000000","type":"text","text":{"body":"Halo"}}"#;
    let contact = r#"{"profile":{"name":"Ibu Sari"},"wa_id":"6281234567890","user_id":"ID.1"}"#;
    let status = r#"{"id":"wamid.B","status":"read","timestamp":"1750000001","recipient_id":"6281234567890"}"#;
    let value = |members: &str| {
        format!(
            r#"{{"object":"whatsapp_business_account","entry":[{{"id":"1","changes":[{{"value":{{{members}}},"field":"messages"}}]}}]}}"#
        )
    };
    let bodies = [
        // The common path.
        value(&format!(
            r#""messaging_product":"whatsapp","metadata":{{"display_phone_number":"1","phone_number_id":"2"}},"contacts":[{contact}],"messages":[{message}],"statuses":[{status}]"#
        )),
        // Members of unexpected types, which the tree keeps in `extra`.
        value(&format!(r#""messaging_product":5,"messages":[{message}]"#)),
        value(&format!(r#""metadata":3,"messages":[{message}]"#)),
        value(r#""messages":"oops""#),
        value(r#""contacts":{"wa_id":"1"}"#),
        value(r#""messages":null,"contacts":null,"metadata":null,"messaging_product":null"#),
        // Items the tree falls back on one by one.
        value(&format!(r#""messages":[{message},3,{{"type":["x"]}},{{"id":5,"type":"text","text":"no"}}]"#)),
        value(&format!(r#""statuses":[{status},{{"id":{{}},"status":7}}],"errors":[1]"#)),
        value(&format!(r#""contacts":[{contact},"x",{{"wa_id":""}}]"#)),
        // Unknown members, duplicate keys, escaped keys and strings.
        value(&format!(r#""new_thing":{{"a":[1,2]}},"messages":[{message}],"messages":[]"#)),
        value(&format!(r#""mess\u0061ges":[{message}]"#)),
        value(r#""messages":[{"from":"62812\u0033","id":"wamid.\"q\"","type":"text","text":{"body":"caf\u00e9 \ud83d\ude00"}}]"#),
        // The envelope: ids as numbers, time, unknown members, odd changes.
        r#"{"object":"whatsapp_business_account","x":1,"entry":[{"id":102290129340398,"time":1750000000,"y":[true],"changes":[{"field":"messages","value":{"messages":[]}},{"field":"flows","value":{"event":"FLOW_STATUS_CHANGE","flow_id":"1"}},{"field":"message_template_status_update","value":{"new_quality_score":"GREEN","message_template_id":12}},{"field":"future_field","value":[1]},{"field":"calls"}]}]}"#.to_owned(),
        r#"{"entry":[{"changes":null},{"id":null,"changes":[{"value":{"a":1}}]}]}"#.to_owned(),
        r#"{"object":null,"entry":[]}"#.to_owned(),
        // Errors: the same error both ways.
        r#"{"object":5,"entry":[]}"#.to_owned(),
        r#"{"entry":[{"id":[1],"changes":[]}]}"#.to_owned(),
        r#"{"entry":[{"id":"1","time":"soon","changes":[]}]}"#.to_owned(),
        r#"{"entry":[{"id":"1","changes":{}}]}"#.to_owned(),
        r#"{"entry":[{"id":"1","changes":[3]}]}"#.to_owned(),
        r#"{"entry":[{"id":"1","changes":[{"field":1,"value":{}}]}]}"#.to_owned(),
        r#"{"entry":[7]}"#.to_owned(),
        r#"{"entry":{}}"#.to_owned(),
        r#"{"error":{"message":"x"}}"#.to_owned(),
        r#"[]"#.to_owned(),
        r#"{"entry":[{"id":"1","changes":[{"field":"messages","value":{"messages":[}]}]}"#.to_owned(),
    ];
    for body in &bodies {
        assert_same(body.as_bytes(), body);
    }
    // Not UTF-8.
    assert_same(b"{\"entry\":[],\"x\":\"\xff\"}", "invalid UTF-8");
    // The common path does type the value (the check above is not vacuous).
    let common = WebhookPayload::from_slice(bodies[0].as_bytes()).unwrap();
    assert_eq!(common.events().len(), 2);
}
