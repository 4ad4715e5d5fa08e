//! Scheduling input: every refusal names its field, and no number leaks into errors.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use sehat_outbox::OutboxKeys;
use sehat_outbox::input::{ScheduleRequest, prepare, prepare_all};
use sehat_outbox::model::Purpose;
use time::macros::datetime;

fn request(phone: &str) -> ScheduleRequest {
    ScheduleRequest::new(
        "child-1/dtp/1",
        phone,
        Purpose::Reminder,
        "imunisasi_pengingat",
        datetime!(2026-05-04 03:00 UTC),
    )
}

fn field(keys: &OutboxKeys, r: &ScheduleRequest) -> String {
    prepare(keys, r).expect_err("refused").field
}

#[test]
fn every_human_format_of_a_number_gives_one_subject_and_token() {
    let keys = OutboxKeys::generate().expect("keys");
    let formats = [
        "081234567890",
        "0812-3456-7890",
        "+62 812 3456 7890",
        "+6281234567890",
        "6281234567890",
        "(0812) 3456-7890",
        "0062 812 3456 7890",
    ];
    let prepared: Vec<_> = formats
        .iter()
        .map(|f| prepare(&keys, &request(f)).expect(f))
        .collect();
    for p in &prepared {
        assert_eq!(p.subject, prepared[0].subject);
        assert_eq!(p.token, prepared[0].token);
        assert_eq!(p.timezone.as_str(), "Asia/Jakarta");
    }
}

#[test]
fn refusals_name_the_field_and_never_echo_the_number() {
    let keys = OutboxKeys::generate().expect("keys");
    // A landline cannot receive WhatsApp.
    let landline = prepare(&keys, &request("(021) 555 1234")).expect_err("landline");
    assert_eq!(landline.field, "phone");
    assert!(!landline.to_string().contains("555"), "{landline}");
    assert_eq!(field(&keys, &request("12")), "phone");
    assert_eq!(field(&keys, &request("0812 3456 789O")), "phone");
    assert_eq!(field(&keys, &request("")), "phone");
    let mut r = request("081234567890");
    r.key = String::new();
    assert_eq!(field(&keys, &r), "key");
    r.key = "a\nb".into();
    assert_eq!(field(&keys, &r), "key");
    r.key = "x".repeat(201);
    assert_eq!(field(&keys, &r), "key");
    let r = request("081234567890").timezone("Asia/Bandung");
    assert_eq!(field(&keys, &r), "timezone");
    let r = request("081234567890").not_after(datetime!(2026-05-03 00:00 UTC));
    assert_eq!(field(&keys, &r), "not_after");
    let r = request("081234567890").param("nama", "Sari\nDewi");
    assert_eq!(field(&keys, &r), "param.nama");
    let r = request("081234567890").param("Nama Ibu", "Sari");
    assert_eq!(field(&keys, &r), "param.Nama Ibu");
    let r = request("081234567890").param("nama", "  ");
    assert_eq!(field(&keys, &r), "param.nama");
    let mut r = request("081234567890");
    r.template = "Pengingat Imunisasi".into();
    assert_eq!(field(&keys, &r), "template");
    let r = request("081234567890").language("");
    assert_eq!(field(&keys, &r), "language");
}

#[test]
fn control_characters_in_parameters_are_refused_and_never_echoed() {
    let keys = OutboxKeys::generate().expect("keys");
    // A carriage return, an escape sequence or a NUL in a value would reach the
    // recipient's phone as it is.
    for value in ["Sari\rDewi", "Sari\u{1b}[2J", "Sari\u{0}"] {
        let r = request("081234567890").param("nama", value);
        let err = prepare(&keys, &r).expect_err(value);
        assert_eq!(err.field, "param.nama", "{value:?}");
        assert_eq!(err.problem, "has a control character", "{value:?}");
    }
    // A name with an escape sequence (from a CSV header) is named escaped.
    let r = request("081234567890").param("nama\u{1b}[31m", "Sari");
    let err = prepare(&keys, &r).expect_err("name");
    assert_eq!(err.field, "param.nama\\u{1b}[31m");
    assert!(!err.to_string().contains('\u{1b}'), "{err}");
}

#[test]
fn a_bsuid_or_a_wa_id_in_the_phone_field() {
    let keys = OutboxKeys::generate().expect("keys");
    // A BSUID is no number: refused as the phone, without echoing it.
    let bsuid = prepare(&keys, &request("ID.1349120865530274")).expect_err("bsuid");
    assert_eq!(bsuid.field, "phone");
    assert!(!bsuid.to_string().contains("1349120865530274"), "{bsuid}");
    // A 13-digit wa_id (country code, no `+`) is the same person as the local format.
    let wa_id = prepare(&keys, &request("6281234567890")).expect("wa_id");
    let local = prepare(&keys, &request("0812-3456-7890")).expect("local");
    assert_eq!((wa_id.subject, wa_id.token), (local.subject, local.token));
}

#[test]
fn the_three_indonesian_zones_are_accepted() {
    let keys = OutboxKeys::generate().expect("keys");
    for zone in [
        "Asia/Jakarta",
        "Asia/Makassar",
        "Asia/Jayapura",
        " Asia/Pontianak ",
    ] {
        let p = prepare(&keys, &request("081234567890").timezone(zone)).expect(zone);
        assert_eq!(p.timezone.as_str(), zone.trim());
    }
}

#[test]
fn bulk_preparation_keeps_the_order_and_the_errors_in_place() {
    let keys = OutboxKeys::generate().expect("keys");
    let mut requests: Vec<ScheduleRequest> = (0..500)
        .map(|i| {
            let mut r = request(&format!("0812{:08}", 10_000_000 + i));
            r.key = format!("k/{i}");
            r
        })
        .collect();
    requests[250].phone = "021 555 1234".into();
    let out = prepare_all(&keys, &requests);
    assert_eq!(out.len(), 500);
    for (i, r) in out.iter().enumerate() {
        if i == 250 {
            assert_eq!(r.as_ref().expect_err("landline").field, "phone");
        } else {
            assert_eq!(r.as_ref().expect("ok").key.as_str(), format!("k/{i}"));
        }
    }
}

#[test]
fn a_number_in_a_consent_column_is_masked_in_the_error() {
    use sehat_outbox::model::{ConsentAction, ConsentScope};
    // Columns swapped by hand in a spreadsheet: the number lands where the purpose or
    // the action was expected, and the error quotes what it found.
    let scope = "0812-3456-7890".parse::<ConsentScope>().expect_err("scope");
    assert_eq!(
        scope.to_string(),
        "unknown consent scope \"0812-****-**90\""
    );
    let action = "pengingat 6281234567890"
        .parse::<ConsentAction>()
        .expect_err("action");
    assert!(!action.to_string().contains("6281234567890"), "{action}");
    assert!(action.to_string().contains("6281*******90"), "{action}");
}
