//! `sehat whatsapp send-template` against the mock Graph API.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::{Command, Output};

use sehat_whatsapp_mock::{Failure, MockGraphApi};

async fn sehat(args: Vec<String>, token: Option<&str>) -> Output {
    let token = token.map(str::to_owned);
    tokio::task::spawn_blocking(move || {
        let mut command = Command::new(env!("CARGO_BIN_EXE_sehat"));
        command
            .args(args)
            .env_remove("WHATSAPP_TOKEN")
            .env_remove("WHATSAPP_PHONE_NUMBER_ID");
        if let Some(token) = token {
            command.env("WHATSAPP_TOKEN", token);
        }
        command.output().unwrap()
    })
    .await
    .unwrap()
}

fn args(mock: &MockGraphApi, extra: &[&str]) -> Vec<String> {
    let mut args: Vec<String> = [
        "whatsapp",
        "send-template",
        "--base-url",
        &mock.base_url(),
        "--phone-number-id",
        MockGraphApi::PHONE_NUMBER_ID,
        "--to",
        "+62 812-3456-7890",
        "--template",
        "pengingat_imunisasi",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    args.extend(extra.iter().map(|s| (*s).to_owned()));
    args
}

#[tokio::test(flavor = "multi_thread")]
async fn sends_a_named_template() {
    let mock = MockGraphApi::start().await.unwrap();
    let out = sehat(
        args(
            &mock,
            &[
                "--named",
                "nama_anak=Budi",
                "--named",
                "tanggal=6 Desember",
                "--callback-data",
                "r-1",
            ],
        ),
        Some("tok"),
    )
    .await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let line: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    // The message id is masked (a wamid carries the number in base64).
    assert!(line["message_id"].as_str().unwrap().starts_with("wamid.…"));
    assert_eq!(line["message_status"], "accepted");
    // The number is masked in the output.
    assert_eq!(line["wa_id"], "6281*******90");
    let requests = mock.requests();
    assert_eq!(requests.len(), 1);
    let body = requests[0].json();
    assert_eq!(body["to"], "6281234567890");
    assert_eq!(body["template"]["language"]["code"], "id");
    assert_eq!(
        body["template"]["components"][0]["parameters"][1]["parameter_name"],
        "tanggal"
    );
    assert_eq!(
        body["template"]["components"][0]["parameters"][1]["text"],
        "6 Desember"
    );
    assert_eq!(body["biz_opaque_callback_data"], "r-1");
}

#[tokio::test(flavor = "multi_thread")]
async fn sends_positional_parameters() {
    let mock = MockGraphApi::start().await.unwrap();
    let out = sehat(
        args(
            &mock,
            &["--param", "Budi", "--param", "Sabtu", "--language", "en_US"],
        ),
        Some("tok"),
    )
    .await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let body = mock.requests()[0].json();
    assert_eq!(
        body["template"]["components"][0]["parameters"][0]["text"],
        "Budi"
    );
    assert!(
        body["template"]["components"][0]["parameters"][0]
            .get("parameter_name")
            .is_none()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn without_a_token_it_names_the_variable() {
    let mock = MockGraphApi::start().await.unwrap();
    let out = sehat(args(&mock, &[]), None).await;
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("$WHATSAPP_TOKEN"));
    assert!(mock.requests().is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn an_api_error_shows_code_kind_and_retry_class() {
    let mock = MockGraphApi::start().await.unwrap();
    mock.fail_next(Failure::PairRateLimit);
    let out = sehat(args(&mock, &[]), Some("tok")).await;
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("131056")
            && stderr.contains("pair_rate_limit")
            && stderr.contains("retry_pair"),
        "{stderr}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_bad_recipient_fails_before_any_request() {
    let mock = MockGraphApi::start().await.unwrap();
    let mut args = args(&mock, &[]);
    let to = args.iter().position(|a| a == "--to").unwrap();
    args[to + 1] = "12".into();
    let out = sehat(args, Some("tok")).await;
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--to"));
    assert!(mock.requests().is_empty());
}

/// Runs send-template with `--to to` and the extra arguments; the body sent, or stderr.
async fn send_to(
    mock: &MockGraphApi,
    to: &str,
    extra: &[&str],
) -> (Option<serde_json::Value>, Option<serde_json::Value>, String) {
    let mut args = args(mock, extra);
    let at = args.iter().position(|a| a == "--to").unwrap();
    args[at + 1] = to.into();
    mock.clear_requests();
    let out = sehat(args, Some("tok")).await;
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    if !out.status.success() {
        assert!(mock.requests().is_empty(), "{stderr}");
        return (None, None, stderr);
    }
    let line: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    (Some(mock.requests()[0].json()), Some(line), stderr)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_national_number_is_read_under_the_region() {
    let mock = MockGraphApi::start().await.unwrap();
    // Before: `0812-3456-7890` went out as the wa_id 081234567890, which nobody has.
    for to in [
        "0812-3456-7890",
        "+62 812-3456-7890",
        "6281234567890",
        "0062 812 3456 7890",
    ] {
        let (body, _, stderr) = send_to(&mock, to, &[]).await;
        assert_eq!(body.expect(&stderr)["to"], "6281234567890", "{to}");
    }
    let (body, _, stderr) = send_to(&mock, "012-345 6789", &["--region", "MY"]).await;
    assert_eq!(body.expect(&stderr)["to"], "60123456789");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_number_that_cannot_be_read_is_refused_before_any_request() {
    let mock = MockGraphApi::start().await.unwrap();
    // Without a region, a national number has no country code.
    let (body, _, stderr) = send_to(&mock, "0812-3456-7890", &["--region", ""]).await;
    assert!(body.is_none());
    assert!(
        stderr.contains("--to") && stderr.contains("country code"),
        "{stderr}"
    );
    // A landline cannot receive WhatsApp messages; a short number is not valid.
    for to in ["(021) 555 1234", "0812 345"] {
        let (body, _, stderr) = send_to(&mock, to, &[]).await;
        assert!(body.is_none(), "{to}");
        assert!(stderr.contains("--to"), "{stderr}");
    }
    let (body, _, stderr) = send_to(&mock, "0812", &["--region", "Indonesia"]).await;
    assert!(body.is_none());
    assert!(stderr.contains("--region"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread")]
async fn reveal_prints_the_ids_in_full() {
    let mock = MockGraphApi::start().await.unwrap();
    let (_, masked, _) = send_to(&mock, "+62 812-3456-7890", &[]).await;
    let masked = masked.unwrap();
    let (_, full, _) = send_to(&mock, "+62 812-3456-7890", &["--reveal"]).await;
    let full = full.unwrap();
    assert_eq!(masked["wa_id"], "6281*******90");
    assert_eq!(full["wa_id"], "6281234567890");
    let masked_id = masked["message_id"].as_str().unwrap();
    let full_id = full["message_id"].as_str().unwrap();
    assert!(masked_id.starts_with("wamid.…"), "{masked_id}");
    assert!(
        full_id.starts_with("wamid.") && !full_id.contains('…'),
        "{full_id}"
    );
    assert!(full_id.len() > masked_id.len());
}
