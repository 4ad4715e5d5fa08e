//! One test per row of the error table (`docs/whatsapp.md`, from the Cloud API reference's
//! section 2): each row's codes map to its kind and retry class, read from a real
//! `{"error": …}` body.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use sehat_whatsapp::error::{ApiError, ErrorKind, RetryClass};

fn parse(code: i64, transient: Option<bool>) -> ApiError {
    let mut inner = serde_json::json!({
        "message": format!("(#{code}) title"),
        "type": "OAuthException",
        "code": code,
        "fbtrace_id": "Ab1"
    });
    if let Some(transient) = transient {
        inner["is_transient"] = transient.into();
    }
    let body = serde_json::to_vec(&serde_json::json!({ "error": inner })).unwrap();
    ApiError::from_body(&body).unwrap()
}

macro_rules! row {
    ($name:ident: [$($code:expr),+] => $kind:ident, $class:ident) => {
        #[test]
        fn $name() {
            for code in [$($code),+] {
                let error = parse(code, None);
                assert_eq!(error.code(), code);
                assert_eq!(error.kind(), ErrorKind::$kind, "kind of {code}");
                assert_eq!(error.retry_class(), RetryClass::$class, "class of {code}");
            }
        }
    };
}

row!(code_0_auth_exception: [0] => Auth, Auth);
row!(code_1_api_unknown: [1] => Transient, RetryShort);
row!(code_2_api_service: [2] => Transient, RetryShort);
row!(code_3_api_method: [3] => InvalidRequest, Fix);
row!(code_4_too_many_calls: [4] => AppRateLimit, RetryLong);
row!(code_10_permission_denied: [10] => Permission, Auth);
row!(code_17_user_request_limit: [17] => AppRateLimit, RetryLong);
row!(code_33_parameter_value_invalid: [33] => InvalidRequest, Fix);
row!(code_100_invalid_parameter: [100] => InvalidRequest, Fix);
row!(code_190_access_token_expired: [190] => Auth, Auth);
row!(code_200_299_api_permission: [200, 250, 299] => Permission, Auth);
row!(code_368_policy_block: [368] => Policy, Stop);
row!(code_80007_waba_rate_limit: [80007] => WabaRateLimit, RetryLong);
row!(code_130429_throughput: [130429] => Throughput, RetryShort);
row!(code_130472_experiment: [130472] => RecipientInExperiment, Stop);
row!(code_130497_country_restricted: [130497] => Policy, Stop);
row!(code_131000_something_went_wrong: [131000] => Transient, RetryShort);
row!(code_131005_access_denied: [131005] => Permission, Auth);
row!(code_131008_required_parameter_missing: [131008] => InvalidRequest, Fix);
row!(code_131009_parameter_value_not_valid: [131009] => InvalidRequest, Fix);
row!(code_131016_service_unavailable: [131016] => Transient, RetryShort);
row!(code_131021_recipient_is_sender: [131021] => InvalidRequest, Fix);
row!(code_131026_undeliverable: [131026] => Undeliverable, Stop);
row!(code_131030_not_in_allowed_list: [131030] => RecipientNotAllowed, Fix);
row!(code_131031_account_locked: [131031] => AccountState, Stop);
row!(code_131037_display_name_not_approved: [131037] => AccountState, Stop);
row!(code_131042_131044_eligibility_payment: [131042, 131044] => AccountState, Stop);
row!(code_131045_incorrect_certificate: [131045] => Registration, Fix);
row!(code_131047_reengagement: [131047] => OutsideCustomerServiceWindow, Fix);
row!(code_131048_spam_rate_limit: [131048] => SpamRateLimit, RetryLong);
row!(code_131049_ecosystem_marketing_limit: [131049] => MarketingLimit, RetryLong);
row!(code_131050_marketing_opt_out: [131050] => RecipientOptedOut, Stop);
row!(code_131051_unsupported_type: [131051] => InvalidRequest, Fix);
row!(code_131052_131053_media: [131052, 131053] => Media, RetryShort);
row!(code_131056_pair_rate_limit: [131056] => PairRateLimit, RetryPair);
row!(code_131057_maintenance: [131057] => Maintenance, RetryShort);
row!(code_131062_bsuid_not_allowed: [131062] => InvalidRequest, Fix);
row!(code_131063_marketing_api_required: [131063] => MarketingApiRequired, Fix);
row!(code_131064_classification_limit: [131064] => MarketingLimit, RetryLong);
row!(code_132000_parameter_count: [132000] => TemplateMismatch, Fix);
row!(code_132001_template_missing: [132001] => TemplateNotFound, Fix);
row!(code_132005_translated_text_too_long: [132005] => TemplateMismatch, Fix);
row!(code_132007_format_character_policy: [132007] => TemplateMismatch, Fix);
row!(code_132008_132012_parameter_mismatch: [132008, 132012] => TemplateMismatch, Fix);
row!(code_132015_template_paused: [132015] => TemplatePaused, Stop);
row!(code_132016_template_disabled: [132016] => TemplateDisabled, Stop);
row!(code_135000_generic_user_error: [135000] => InvalidRequest, Fix);
row!(code_137000_identity_mismatch: [137000] => IdentityMismatch, Fix);
row!(code_139000_139004_flow_management: [139000, 139002, 139004] => Flow, Fix);

#[test]
fn code_132068_132069_flow_blocked_throttled() {
    assert_eq!(parse(132068, None).kind(), ErrorKind::Flow);
    assert_eq!(parse(132068, None).retry_class(), RetryClass::Stop);
    assert_eq!(parse(132069, None).kind(), ErrorKind::Flow);
    assert_eq!(parse(132069, None).retry_class(), RetryClass::RetryLong);
}

#[test]
fn code_133000_133016_registration() {
    for code in [133000, 133005, 133015] {
        assert_eq!(parse(code, None).kind(), ErrorKind::Registration);
        assert_eq!(parse(code, None).retry_class(), RetryClass::Fix);
    }
    assert_eq!(parse(133016, None).kind(), ErrorKind::Registration);
    assert_eq!(parse(133016, None).retry_class(), RetryClass::RetryLong);
}

#[test]
fn code_139100_139103_block_users() {
    for code in [139100, 139101, 139103] {
        assert_eq!(parse(code, None).kind(), ErrorKind::BlockUsers);
        assert_eq!(parse(code, None).retry_class(), RetryClass::Fix);
    }
    assert_eq!(parse(139102, None).retry_class(), RetryClass::RetryShort);
}

#[test]
fn unknown_code_falls_back_to_is_transient() {
    let transient = parse(424242, Some(true));
    assert_eq!(transient.kind(), ErrorKind::Unknown);
    assert_eq!(transient.retry_class(), RetryClass::RetryShort);
    let plain = parse(424242, None);
    assert_eq!(plain.retry_class(), RetryClass::Unknown);
    assert!(!plain.retry_class().is_retried_in_request());
    // A listed code keeps its class whatever is_transient says.
    assert_eq!(
        parse(80007, Some(true)).retry_class(),
        RetryClass::RetryLong
    );
}

#[test]
fn names_are_snake_case_and_display_matches() {
    assert_eq!(
        ErrorKind::OutsideCustomerServiceWindow.as_str(),
        "outside_customer_service_window"
    );
    assert_eq!(ErrorKind::WabaRateLimit.to_string(), "waba_rate_limit");
    assert_eq!(RetryClass::RetryPair.to_string(), "retry_pair");
}

#[test]
fn full_body_keeps_every_field() {
    let body = br#"{"error":{"message":"(#131009) Parameter value is not valid","type":"OAuthException","code":131009,"error_subcode":2494010,"error_data":{"messaging_product":"whatsapp","details":"Button at index 0 of type Url requires a parameter"},"error_user_title":"t","error_user_msg":"m","is_transient":false,"fbtrace_id":"AbCd","new_field":[1]}}"#;
    let error = ApiError::from_body(body).unwrap();
    assert_eq!(error.subcode(), Some(2494010));
    assert_eq!(
        error.details(),
        Some("Button at index 0 of type Url requires a parameter")
    );
    assert_eq!(error.fbtrace_id(), Some("AbCd"));
    assert_eq!(error.error_user_msg.as_deref(), Some("m"));
    assert_eq!(error.extra["new_field"], serde_json::json!([1]));
    let shown = error.to_string();
    assert!(shown.contains("131009/2494010"), "{shown}");
    assert!(shown.ends_with("(fbtrace_id AbCd)"), "{shown}");
}

#[test]
fn string_error_data_and_quoted_codes() {
    let body = br#"{"error":{"message":"Invalid parameter","type":"OAuthException","code":"100","error_subcode":"2388040","error_data":"Message template name already exists","fbtrace_id":"X"}}"#;
    let error = ApiError::from_body(body).unwrap();
    assert_eq!(error.code(), 100);
    assert_eq!(error.subcode(), Some(2388040));
    assert_eq!(
        error.details(),
        Some("Message template name already exists")
    );
}

#[test]
fn webhook_error_entry_parses() {
    let entry = serde_json::json!({"code":130429,"title":"Rate limit hit","message":"Rate limit hit","error_data":{"details":"Message failed to send because there were too many messages sent from this phone number in a short period of time"},"href":"https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/"});
    let error: ApiError = serde_json::from_value(entry).unwrap();
    assert_eq!(error.kind(), ErrorKind::Throughput);
    assert_eq!(error.title.as_deref(), Some("Rate limit hit"));
    assert!(error.href.is_some());
}

#[test]
fn not_an_error_body_is_rejected() {
    assert!(ApiError::from_body(br#"{"success":true}"#).is_err());
    assert!(ApiError::from_body(b"<html>").is_err());
    assert!(ApiError::from_body(br#"{"error":{"message":"no code"}}"#).is_err());
}
