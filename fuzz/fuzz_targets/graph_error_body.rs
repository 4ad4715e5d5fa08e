//! Graph API error bodies, `{"error": {...}}`: `ApiError::from_body`, its classification
//! and its `Display`.
//!
//! Invariants beyond "no panic":
//! - a parsed error serializes and parses back to the same code, subcode, message, details,
//!   trace id, kind and retry class;
//! - `kind` and `retry_class` depend on the code (and `is_transient`) only;
//! - `Display` names the code and ends with the `fbtrace_id` when there is one.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sehat_whatsapp::error::ApiError;

fuzz_target!(|data: &[u8]| {
    let Ok(error) = ApiError::from_body(data) else {
        return;
    };
    let kind = error.kind();
    let retry = error.retry_class();
    let _ = (kind.as_str(), retry.as_str(), retry.is_retried_in_request());

    let shown = error.to_string();
    assert!(
        shown.starts_with(&format!("Graph API error {}", error.code())),
        "Display does not start with the code: {shown:?}"
    );
    if let Some(trace) = error.fbtrace_id() {
        assert!(
            shown.ends_with(&format!("(fbtrace_id {trace})")),
            "Display does not end with the trace id: {shown:?}"
        );
    }
    let _ = format!("{error:?}");

    let body = serde_json::json!({ "error": error }).to_string();
    let again = ApiError::from_body(body.as_bytes()).expect("a serialized error parses");
    assert_eq!(again.code(), error.code());
    assert_eq!(again.subcode(), error.subcode());
    assert_eq!(again.message, error.message);
    assert_eq!(again.title, error.title);
    assert_eq!(again.details(), error.details());
    assert_eq!(again.fbtrace_id(), error.fbtrace_id());
    assert_eq!(again.is_transient, error.is_transient);
    assert_eq!(again.kind(), kind);
    assert_eq!(again.retry_class(), retry);
    assert_eq!(again.to_string(), shown);
});
