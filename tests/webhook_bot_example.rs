//! Runs `examples/webhook_bot` in `--mock` mode on a free loopback port and drives it with
//! webhooks signed as Meta signs them; checks its answers through the requests the mock
//! Graph API received, and that no phone number reaches its output or logs.
//!
//! The example runs from its built binary: `cargo test -p sehat` builds it first; with
//! `--test webhook_bot_example` alone, build it before (`cargo build -p sehat --examples`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use sehat::anthro::classification::{BeratBadanMenurutUmur, StatusGizi, TinggiBadanMenurutUmur};
use sehat::anthro::{Child as Measured, Sex, ZScore, zscores};
use sehat::immunization::{Schedule, SeriesStatus, assess};
use sehat::whatsapp::webhook::{SIGNATURE_HEADER, sign_payload};
use serde_json::{Value, json};
use time::macros::date;

const APP_SECRET: &str = "test-app-secret";
const VERIFY_TOKEN: &str = "test-verify-token";
/// The bearer token of `GET /stats`.
const STATS_TOKEN: &str = "test-stats-token-0123456789";
/// The health worker's WhatsApp number: it must never appear in the bot's output.
const WA_ID: &str = "6281234567890";
/// A message id shaped like Meta's: it carries the sender's number in base64, so it must
/// stay out of the logs as the number does.
const WAMID_WITH_NUMBER: &str =
    "wamid.HBgNNjI4MTIzNDU2Nzg5MBUCABIYFjNFQjBDMTY0RkE0QjdFRTk4QTVBMDEA";
const NAME: &str = "Bu Sri Wahyuni";
const TODAY: &str = "2026-11-26";
/// The longest any single wait may take.
const TIMEOUT: Duration = Duration::from_secs(20);

/// The running example; killed and reaped when dropped.
struct Bot {
    process: Child,
    base: String,
    output: Arc<Mutex<String>>,
    http: reqwest::Client,
}

impl Bot {
    fn start() -> Bot {
        let mut process = Command::new(support::example_path("webhook_bot"))
            .args(["--mock", "--listen", "127.0.0.1:0", "--today", TODAY])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .env("WHATSAPP_APP_SECRET", APP_SECRET)
            .env("WHATSAPP_VERIFY_TOKEN", VERIFY_TOKEN)
            .env("WEBHOOK_BOT_STATS_TOKEN", STATS_TOKEN)
            .env("RUST_LOG", "debug")
            .env_remove("WHATSAPP_TOKEN")
            .env_remove("WHATSAPP_PHONE_NUMBER_ID")
            .env_remove(sehat::pseudonym::KEYSET_ENV)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the example starts");
        let output = Arc::new(Mutex::new(String::new()));
        let (first_line, address) = mpsc::channel();
        let stdout = process.stdout.take().unwrap();
        let collected = output.clone();
        thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let line = line.unwrap_or_default();
                let _ = first_line.send(line.clone());
                collected.lock().unwrap().push_str(&(line + "\n"));
            }
        });
        let mut stderr = process.stderr.take().unwrap();
        let collected = output.clone();
        thread::spawn(move || {
            let mut buffer = [0u8; 4096];
            while let Ok(n @ 1..) = stderr.read(&mut buffer) {
                collected
                    .lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&buffer[..n]));
            }
        });
        let line = address.recv_timeout(TIMEOUT).unwrap_or_else(|e| {
            let _ = process.kill();
            panic!("no address on stdout: {e}");
        });
        let url = line
            .strip_prefix("webhook_bot listening on ")
            .and_then(|rest| rest.strip_suffix("/webhook"))
            .unwrap_or_else(|| panic!("unexpected first line: {line}"))
            .to_owned();
        assert!(url.starts_with("http://127.0.0.1:"), "{url}");
        let http = reqwest::Client::builder()
            .no_proxy()
            .timeout(TIMEOUT)
            .build()
            .unwrap();
        Bot {
            process,
            base: url,
            output,
            http,
        }
    }

    async fn get(&self, path_and_query: &str) -> (u16, String) {
        let response = self
            .http
            .get(format!("{}{path_and_query}", self.base))
            .send()
            .await
            .unwrap();
        (response.status().as_u16(), response.text().await.unwrap())
    }

    /// POSTs a body with the given signature header (none when `None`).
    async fn post(&self, body: &str, signature: Option<&str>) -> u16 {
        let mut request = self
            .http
            .post(format!("{}/webhook", self.base))
            .header("content-type", "application/json")
            .body(body.to_owned());
        if let Some(signature) = signature {
            request = request.header(SIGNATURE_HEADER, signature);
        }
        request.send().await.unwrap().status().as_u16()
    }

    /// POSTs a body signed with the app secret, as Meta does.
    async fn deliver(&self, body: &str) -> u16 {
        let signature = sign_payload(APP_SECRET.as_bytes(), body.as_bytes());
        self.post(body, Some(&signature)).await
    }

    /// The send requests the mock Graph API received, once there are at least `count`.
    async fn replies(&self, count: usize) -> Vec<Value> {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let (status, body) = self.get("/_mock/requests").await;
            assert_eq!(status, 200);
            let requests: Vec<Value> = serde_json::from_str(&body).unwrap();
            let sends: Vec<Value> = requests
                .into_iter()
                .filter(|r| {
                    r["method"] == "POST" && r["path"].as_str().unwrap().ends_with("/messages")
                })
                .map(|r| r["body"].clone())
                .collect();
            if sends.len() >= count {
                return sends;
            }
            assert!(
                Instant::now() < deadline,
                "{} of {count} replies after {TIMEOUT:?}:\n{}",
                sends.len(),
                self.output()
            );
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    /// `GET /stats` with the bearer token, once `ready` holds (bounded by the timeout).
    async fn stats_when(&self, ready: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let response = self
                .http
                .get(format!("{}/stats", self.base))
                .bearer_auth(STATS_TOKEN)
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 200);
            let body = response.text().await.unwrap();
            let stats: Value = serde_json::from_str(&body).unwrap();
            if ready(&stats) {
                return stats;
            }
            assert!(Instant::now() < deadline, "stats never ready: {stats}");
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    fn output(&self) -> String {
        self.output.lock().unwrap().clone()
    }

    /// Stdout and stderr so far, once `ready` holds (bounded by the timeout): the logs
    /// arrive through a pipe, a little after the events they record.
    async fn output_when(&self, ready: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let output = self.output();
            if ready(&output) {
                return output;
            }
            assert!(Instant::now() < deadline, "output never ready:\n{output}");
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }
}

impl Drop for Bot {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

/// A `messages` webhook with one inbound message, shaped like Meta's
/// (`/work/shared/data/whatsapp/fixtures/webhook_message__text.json`).
fn inbound(id: &str, message: Value) -> String {
    let mut message = message;
    message["from"] = WA_ID.into();
    message["id"] = id.into();
    message["timestamp"] = "1764115200".into();
    json!({
        "object": "whatsapp_business_account",
        "entry": [{
            "id": "102290129340398",
            "changes": [{
                "value": {
                    "messaging_product": "whatsapp",
                    "metadata": {
                        "display_phone_number": "15550783881",
                        "phone_number_id": "106540352242922"
                    },
                    "contacts": [{ "profile": { "name": NAME }, "wa_id": WA_ID }],
                    "messages": [message]
                },
                "field": "messages"
            }]
        }]
    })
    .to_string()
}

fn text(id: &str, body: &str) -> String {
    inbound(id, json!({ "type": "text", "text": { "body": body } }))
}

fn list_reply(id: &str, row: &str, title: &str) -> String {
    inbound(
        id,
        json!({
            "type": "interactive",
            "context": { "from": "15550783881", "id": "wamid.menu" },
            "interactive": { "type": "list_reply", "list_reply": { "id": row, "title": title } }
        }),
    )
}

/// `BB/U: z = -0,96 → berat badan normal`, from `sehat-anthro` directly.
fn expected_line(name: &str, z: ZScore, label: &str) -> String {
    let value = format!("{:.2}", z.z_rounded).replace('.', ",");
    format!("{name}: z = {value} → {label}")
}

#[tokio::test]
async fn handshake_echoes_the_challenge_and_refuses_a_wrong_token() {
    let bot = Bot::start();
    let ok = format!(
        "/webhook?hub.mode=subscribe&hub.verify_token={VERIFY_TOKEN}&hub.challenge=1158201444"
    );
    assert_eq!(bot.get(&ok).await, (200, "1158201444".to_owned()));
    let wrong = "/webhook?hub.mode=subscribe&hub.verify_token=guess&hub.challenge=1158201444";
    assert_eq!(bot.get(wrong).await.0, 403);
    let wrong_mode =
        format!("/webhook?hub.mode=unsubscribe&hub.verify_token={VERIFY_TOKEN}&hub.challenge=1");
    assert_eq!(bot.get(&wrong_mode).await.0, 403);
}

#[tokio::test]
async fn unsigned_or_wrongly_signed_posts_are_refused_and_not_answered() {
    let bot = Bot::start();
    let body = text("wamid.refused", "halo");
    assert_eq!(bot.post(&body, None).await, 401);
    let forged = sign_payload(b"another-secret", body.as_bytes());
    assert_eq!(bot.post(&body, Some(&forged)).await, 403);
    assert_eq!(bot.post(&body, Some("sha256=nothex")).await, 403);
    // A body changed after signing.
    let signed = sign_payload(APP_SECRET.as_bytes(), body.as_bytes());
    let tampered = body.replace("halo", "menu");
    assert_eq!(bot.post(&tampered, Some(&signed)).await, 403);

    // A correctly signed one goes through; it is the only one answered.
    assert_eq!(bot.deliver(&text("wamid.accepted", "halo")).await, 200);
    let replies = bot.replies(1).await;
    assert_eq!(replies.len(), 1);
    assert_eq!(replies[0]["context"]["message_id"], "wamid.accepted");
    // The unsigned one was refused before its body was read, ahead of the bot's counters.
    let stats = bot.stats_when(|s| s["refused"] == 3).await;
    assert_eq!(stats["messages"], 1);
}

#[tokio::test]
async fn nutrition_answer_has_the_who_zscores_once_per_message_and_no_phone_number_in_logs() {
    let bot = Bot::start();
    let body = text(WAMID_WITH_NUMBER, "BB 8.2 TB 71 umur 10 bulan L");
    assert_eq!(bot.deliver(&body).await, 200);
    let replies = bot.replies(1).await;
    let reply = &replies[0];
    assert_eq!(reply["to"], WA_ID);
    assert_eq!(reply["type"], "text");
    assert_eq!(reply["context"]["message_id"], WAMID_WITH_NUMBER);
    let answer = reply["text"]["body"].as_str().unwrap();

    // The same child computed here: a standing height under 24 months, which WHO
    // converts to a length.
    let z = zscores(
        &Measured::new(Sex::Male)
            .age_months(10.0)
            .weight_kg(8.2)
            .height_cm(71.0),
    );
    let (waz, haz, whz, bmi) = (
        z.weight_for_age.unwrap(),
        z.length_for_age.unwrap(),
        z.weight_for_length.unwrap(),
        z.bmi_for_age.unwrap(),
    );
    for line in [
        expected_line(
            "BB/U",
            waz,
            BeratBadanMenurutUmur::from_z(waz.z_rounded)
                .unwrap()
                .label_id(),
        ),
        expected_line(
            "PB/U",
            haz,
            TinggiBadanMenurutUmur::from_z(haz.z_rounded)
                .unwrap()
                .label_id(),
        ),
        expected_line(
            "BB/PB",
            whz,
            StatusGizi::from_z(whz.z_rounded).unwrap().label_id(),
        ),
        expected_line(
            "IMT/U",
            bmi,
            StatusGizi::from_z(bmi.z_rounded).unwrap().label_id(),
        ),
    ] {
        assert!(
            answer.lines().any(|l| l == line),
            "no `{line}` in:\n{answer}"
        );
    }
    let length = format!("{:.1}", z.clenhei_cm.unwrap()).replace('.', ",");
    assert!(answer.contains(&format!("PB {length} cm")), "{answer}");

    // The same message delivered again (Meta retries) is not answered again; a new one is.
    assert_eq!(bot.deliver(&body).await, 200);
    let girl = text("wamid.gizi2", "bb 12,5 pb 86 umur 2 tahun 1 bulan p");
    assert_eq!(bot.deliver(&girl).await, 200);
    let replies = bot.replies(2).await;
    assert_eq!(replies.len(), 2, "{replies:#?}");
    assert_eq!(replies[1]["context"]["message_id"], "wamid.gizi2");
    let z = zscores(
        &Measured::new(Sex::Female)
            .age_months(25.0)
            .weight_kg(12.5)
            .length_cm(86.0),
    );
    let haz = z.length_for_age.unwrap();
    let line = expected_line(
        "TB/U",
        haz,
        TinggiBadanMenurutUmur::from_z(haz.z_rounded)
            .unwrap()
            .label_id(),
    );
    let answer = replies[1]["text"]["body"].as_str().unwrap();
    assert!(answer.contains(&line), "no `{line}` in:\n{answer}");

    // Each reply's statuses come back from the mock as signed webhooks and are counted.
    let stats = bot
        .stats_when(|s| s["statuses"]["read"] == 2 && s["replies_sent"] == 2)
        .await;
    assert_eq!(stats["messages"], 2);
    assert_eq!(stats["redeliveries"], 1);
    assert_eq!(stats["statuses"]["sent"], 2);
    assert_eq!(stats["statuses"]["delivered"], 2);
    let replies = bot.replies(2).await;
    assert_eq!(
        replies.len(),
        2,
        "a status webhook was answered: {replies:#?}"
    );

    // The logs name the health worker by pseudonym only.
    let output = bot
        .output_when(|o| o.matches("reply sent").count() == 2)
        .await;
    assert!(output.contains("user=pn1."), "{output}");
    for secret in [
        WA_ID,
        &WA_ID[2..],
        "812-3456-7890",
        NAME,
        APP_SECRET,
        "BB 8.2",
        WAMID_WITH_NUMBER,
        "NjI4MTIzNDU2Nzg5MB",
    ] {
        assert!(
            !output.contains(secret),
            "`{secret}` in the output:\n{output}"
        );
    }
}

#[tokio::test]
async fn menu_lists_answers_and_next_vaccines() {
    let bot = Bot::start();

    // A greeting gets the menu, an interactive list of the three services.
    assert_eq!(bot.deliver(&text("wamid.m1", "Halo")).await, 200);
    let menu = &bot.replies(1).await[0];
    assert_eq!(menu["type"], "interactive");
    assert_eq!(menu["interactive"]["type"], "list");
    let rows: Vec<&str> = menu["interactive"]["action"]["sections"][0]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["title"].as_str().unwrap())
        .collect();
    assert_eq!(
        rows,
        ["Jadwal imunisasi", "Status gizi anak", "Kampanye kesehatan"]
    );

    // Choosing "Kampanye kesehatan" gets the list of campaigns; choosing one, its text.
    assert_eq!(
        bot.deliver(&list_reply("wamid.m2", "kampanye", "Kampanye kesehatan"))
            .await,
        200
    );
    let campaigns = bot.replies(2).await[1].clone();
    assert_eq!(campaigns["interactive"]["type"], "list");
    let first = &campaigns["interactive"]["action"]["sections"][0]["rows"][0];
    let (id, title) = (
        first["id"].as_str().unwrap(),
        first["title"].as_str().unwrap(),
    );
    assert_eq!(bot.deliver(&list_reply("wamid.m3", id, title)).await, 200);
    let campaign = bot.replies(3).await[2].clone();
    assert!(
        campaign["text"]["body"].as_str().unwrap().contains(title),
        "{campaign}"
    );

    // Choosing "Jadwal imunisasi" explains how to ask, including the assumption on dates.
    assert_eq!(
        bot.deliver(&list_reply("wamid.m4", "imunisasi", "Jadwal imunisasi"))
            .await,
        200
    );
    let how = bot.replies(4).await[3]["text"]["body"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(how.contains("IMUNISASI lahir"), "{how}");
    assert!(how.contains("umur yang dianjurkan"), "{how}");

    // The next vaccines, with dates given: what sehat-immunization forecasts, in order.
    let question = "IMUNISASI lahir 2025-03-10 HB0 2025-03-10 BCG 2025-04-02 bOPV 2025-04-02 DPT-HB-Hib 2025-05-12";
    assert_eq!(bot.deliver(&text("wamid.m5", question)).await, 200);
    let answer = bot.replies(5).await[4]["text"]["body"]
        .as_str()
        .unwrap()
        .to_owned();
    let schedule = Schedule::id_kemenkes().unwrap();
    let child =
        sehat::immunization::Patient::new(date!(2025 - 03 - 10), sehat::immunization::Sex::Unknown)
            .dose(date!(2025 - 03 - 10), "HB0")
            .dose(date!(2025 - 04 - 02), "BCG")
            .dose(date!(2025 - 04 - 02), "bOPV")
            .dose(date!(2025 - 05 - 12), "DPT-HB-Hib");
    let expected = assess(&child, schedule, date!(2026 - 11 - 26)).unwrap();
    let mut next: Vec<_> = expected
        .groups
        .iter()
        .filter(|g| g.status == SeriesStatus::NotComplete && g.recommended_date.is_some())
        .collect();
    next.sort_by_key(|g| g.recommended_date);
    assert!(!next.is_empty());
    let mut previous = 0;
    for group in next {
        let label = group.dose_label.as_deref().unwrap();
        let (at, line) = answer
            .match_indices(&format!("• {label}: dianjurkan"))
            .next()
            .and_then(|(at, _)| Some((at, answer[at..].lines().next()?)))
            .unwrap_or_else(|| panic!("no line for `{label}` in:\n{answer}"));
        assert!(at > previous, "`{label}` out of date order in:\n{answer}");
        previous = at;
        let overdue = group.is_overdue_on(date!(2026 - 11 - 26));
        assert_eq!(line.contains("TERLAMBAT"), overdue, "{line}");
    }
    for group in expected
        .groups
        .iter()
        .filter(|g| g.status == SeriesStatus::Complete)
    {
        assert!(
            answer.contains(&group.group),
            "{} not listed as complete:\n{answer}",
            group.group
        );
    }
    assert!(answer.contains("Lengkap: HB0, BCG"), "{answer}");

    // Without dates, doses are taken as given at their recommended age, and marked so.
    let question = "imunisasi lahir 10-03-2025 HB0 BCG bOPV DPT-HB-Hib";
    assert_eq!(bot.deliver(&text("wamid.m6", question)).await, 200);
    let answer = bot.replies(6).await[5]["text"]["body"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(answer.contains("HB0 10 Maret 2025*"), "{answer}");
    assert!(answer.contains("diasumsikan"), "{answer}");

    // Anything else gets the help text; an unknown vaccine is named.
    assert_eq!(
        bot.deliver(&text("wamid.m7", "berapa harga vaksin?")).await,
        200
    );
    let help = bot.replies(7).await[6]["text"]["body"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(help.contains("BB 8,2 TB 71 umur 10 bulan L"), "{help}");
    assert_eq!(
        bot.deliver(&text("wamid.m8", "imunisasi lahir 2025-03-10 XYZ"))
            .await,
        200
    );
    let unknown = bot.replies(8).await[7]["text"]["body"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(unknown.contains("\"XYZ\" tidak saya kenal"), "{unknown}");

    // A measurement typed loosely reads the same as the canonical one.
    let typed = [
        ("wamid.m9", "BB 8.2 TB 71 umur 10 bulan L"),
        ("wamid.m10", "bb:8,2kg, tb 71cm, usia 10bln laki-laki"),
    ];
    let mut replies = Vec::new();
    for (n, (id, body)) in typed.into_iter().enumerate() {
        assert_eq!(bot.deliver(&text(id, body)).await, 200);
        replies = bot.replies(9 + n).await;
    }
    let (canonical, loose) = (&replies[8]["text"]["body"], &replies[9]["text"]["body"]);
    assert!(
        canonical.as_str().unwrap().contains("BB/U: z = "),
        "{canonical}"
    );
    assert_eq!(canonical, loose);
}

#[tokio::test]
async fn a_user_known_only_by_a_business_scoped_id_is_answered_by_that_id() {
    let bot = Bot::start();
    let user_id = "ID.1349120865530274191";
    let mut body: Value = serde_json::from_str(&text("wamid.bsuid", "menu")).unwrap();
    let value = &mut body["entry"][0]["changes"][0]["value"];
    value["contacts"] = json!([{ "profile": { "name": NAME }, "wa_id": "", "user_id": user_id }]);
    let message = &mut value["messages"][0];
    message["from"] = "".into();
    message["from_user_id"] = user_id.into();
    assert_eq!(bot.deliver(&body.to_string()).await, 200);
    let reply = &bot.replies(1).await[0];
    assert_eq!(reply["to"], user_id);
    assert_eq!(reply["interactive"]["type"], "list");
    // The bot's own logs name the user by pseudonym. (sehat-whatsapp's debug log of the
    // send carries the recipient id itself.)
    let output = bot.output_when(|o| o.contains("reply sent")).await;
    let own: Vec<&str> = output
        .lines()
        .filter(|l| l.contains(" webhook_bot:"))
        .collect();
    assert!(
        own.iter()
            .any(|l| l.contains("reply sent") && l.contains("user=pn1.")),
        "{output}"
    );
    assert!(own.iter().all(|l| !l.contains(&user_id[3..])), "{output}");
}

#[tokio::test]
async fn grafik_answers_with_the_chart_of_the_child_last_talked_about() {
    let bot = Bot::start();
    // No child talked about yet: a polite text saying how to send one.
    assert_eq!(bot.deliver(&text("wamid.g1", "GRAFIK")).await, 200);
    let replies = bot.replies(1).await;
    assert_eq!(replies[0]["type"], "text", "{}", replies[0]);
    let body = replies[0]["text"]["body"].as_str().unwrap();
    assert!(body.contains("belum tahu anak"), "{body}");

    // A measurement, then ` grafik ` (any case, spaces around): the chart as an image.
    assert_eq!(
        bot.deliver(&text("wamid.g2", "BB 8.2 TB 71 umur 10 bulan L"))
            .await,
        200
    );
    assert_eq!(bot.replies(2).await[1]["type"], "text");
    assert_eq!(bot.deliver(&text("wamid.g3", "  grafik \n")).await, 200);
    let replies = bot.replies(3).await;
    let image = &replies[2];
    assert_eq!(image["to"], WA_ID);
    assert_eq!(image["type"], "image", "{image}");
    assert_eq!(image["context"]["message_id"], "wamid.g3");
    let caption = image["image"]["caption"].as_str().unwrap();
    assert!(caption.contains("berat badan"), "{caption}");
    assert!(caption.contains("umur 10 bulan"), "{caption}");
    let media_id = image["image"]["id"].as_str().unwrap();

    // The upload: one multipart POST to /media, of at most 100 KB.
    let (_, body) = bot.get("/_mock/requests").await;
    let requests: Vec<Value> = serde_json::from_str(&body).unwrap();
    let uploads: Vec<&Value> = requests
        .iter()
        .filter(|r| r["method"] == "POST" && r["path"].as_str().unwrap().ends_with("/media"))
        .collect();
    assert_eq!(uploads.len(), 1, "{requests:?}");
    let upload = uploads[0];
    assert!(
        upload["content_type"]
            .as_str()
            .unwrap()
            .starts_with("multipart/form-data"),
        "{upload}"
    );
    assert!(upload["size"].as_u64().unwrap() <= 100 * 1024, "{upload}");

    // What the mock stored under the id the image message names: a PNG of at most 100 KB.
    let output = bot.output();
    let mock_base = output
        .lines()
        .find_map(|l| l.strip_prefix("mock Graph API on "))
        .and_then(|rest| rest.split(';').next())
        .unwrap()
        .trim_end_matches('/')
        .to_owned();
    let version = upload["path"].as_str().unwrap().split('/').nth(1).unwrap();
    let info: Value = bot
        .http
        .get(format!("{mock_base}/{version}/{media_id}"))
        .bearer_auth("mock-token")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(info["mime_type"], "image/png", "{info}");
    let size = info["file_size"].as_u64().unwrap();
    assert!((1_000..=100 * 1024).contains(&size), "{info}");

    // Another sender asking GRAFIK is not shown this sender's child.
    let other = "6285712345678";
    let body = text("wamid.g4", "GRAFIK").replace(WA_ID, other);
    assert_eq!(bot.deliver(&body).await, 200);
    let replies = bot.replies(4).await;
    assert_eq!(replies[3]["to"], other);
    assert_eq!(replies[3]["type"], "text", "{}", replies[3]);
    assert!(
        replies[3]["text"]["body"]
            .as_str()
            .unwrap()
            .contains("belum tahu anak")
    );

    // The logs name the senders by pseudonym only.
    let output = bot
        .output_when(|o| o.matches("reply sent").count() == 4)
        .await;
    assert!(!output.contains(&WA_ID[2..]), "{output}");
    assert!(!output.contains(&other[2..]), "{output}");
}

#[test]
fn refuses_to_start_without_its_secrets() {
    let (status, _, stderr) = support::exit_within(
        Command::new(support::example_path("webhook_bot"))
            .args(["--mock", "--listen", "127.0.0.1:0"])
            .env_remove("WHATSAPP_APP_SECRET")
            .env("WHATSAPP_VERIFY_TOKEN", VERIFY_TOKEN),
        TIMEOUT,
        "without WHATSAPP_APP_SECRET",
    );
    assert!(!status.success());
    assert_eq!(
        stderr.trim(),
        "webhook_bot: error: WHATSAPP_APP_SECRET is not set"
    );
}
