//! Inputs the fuzz targets (`fuzz/`, see `docs/reliability.md`) found to break an
//! invariant, kept here so the normal test suite holds the fix.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use sehat_whatsapp::error::{ApiError, ErrorData, ErrorKind};

/// `graph_error_body`: with `details` twice in `error_data`, the object form was refused
/// and the object kept as `ErrorData::Other`, so `details()` was `None`; serialised and
/// read again, the same error had details. A repeated member now keeps its last value,
/// as serde_json does for every other object.
#[test]
fn a_repeated_member_of_error_data_keeps_its_last_value() {
    let body = br#"{"error":{"message":"(#131056) pair rate limit hit","code":131056,
        "error_data":{"messaging_product":"whatsapp","details":"first","details":"last"},
        "fbtrace_id":"Az8"}}"#;
    let error = ApiError::from_body(body).unwrap();
    assert_eq!(error.details(), Some("last"));
    assert_eq!(error.kind(), ErrorKind::PairRateLimit);
    assert!(matches!(
        &error.error_data,
        Some(ErrorData::Object { messaging_product: Some(p), .. }) if p == "whatsapp"
    ));

    let again = serde_json::json!({ "error": &error }).to_string();
    let again = ApiError::from_body(again.as_bytes()).unwrap();
    assert_eq!(again, error);
}

/// The other shapes of `error_data` are kept as they were read.
#[test]
fn error_data_shapes() {
    let read = |data: &str| {
        let body = format!(r#"{{"error":{{"code":100,"error_data":{data}}}}}"#);
        ApiError::from_body(body.as_bytes())
            .unwrap()
            .error_data
            .unwrap()
    };
    assert_eq!(
        read(r#""No such object""#),
        ErrorData::Text("No such object".into())
    );
    assert!(matches!(
        read(r#"{"details":"d","blame_field_specs":[["to"]]}"#),
        ErrorData::Object { details: Some(d), messaging_product: None, extra }
            if d == "d" && extra.contains_key("blame_field_specs")
    ));
    assert!(matches!(
        read(r#"{"details":null,"messaging_product":null}"#),
        ErrorData::Object { details: None, messaging_product: None, extra } if extra.is_empty()
    ));
    assert_eq!(
        read(r#"{"details":42}"#),
        ErrorData::Other(serde_json::json!({"details": 42}))
    );
    assert_eq!(read("[1,2]"), ErrorData::Other(serde_json::json!([1, 2])));
}
