//! Runs `examples/webhook_bot` in `--mock` mode on a free loopback port and treats it as
//! an attacker would: half-sent headers, oversized unsigned bodies, a flood of idle
//! connections, a flood of statuses, and `/stats` without its token. Every wait is bounded;
//! the durations asserted are generous upper bounds for liveness, not performance.
//!
//! The example runs from its built binary: `cargo test -p sehat` builds it first; with
//! `--test webhook_bot_hostile` alone, build it before (`cargo build -p sehat --examples`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::io::{BufRead, BufReader, Read};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use sehat::whatsapp::webhook::{SIGNATURE_HEADER, sign_payload};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const APP_SECRET: &str = "hostile-app-secret";
const VERIFY_TOKEN: &str = "hostile-verify-token";
const STATS_TOKEN: &str = "hostile-stats-token-0123456789";
/// The server's header read timeout, which also closes idle connections.
const HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// Slack on top of a server timeout before a test calls it missed.
const SLACK: Duration = Duration::from_secs(10);
/// How long a legitimate request may take to be answered, under attack.
const ANSWERED_WITHIN: Duration = Duration::from_secs(5);

/// The running example; killed and reaped when dropped.
struct Bot {
    process: Child,
    addr: SocketAddr,
    http: reqwest::Client,
}

impl Bot {
    fn start(args: &[&str], stats_token: Option<&str>) -> Bot {
        let mut command = Command::new(support::example_path("webhook_bot"));
        command
            .args(["--mock", "--listen", "127.0.0.1:0"])
            .args(args)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .env("WHATSAPP_APP_SECRET", APP_SECRET)
            .env("WHATSAPP_VERIFY_TOKEN", VERIFY_TOKEN)
            .env("RUST_LOG", "warn")
            .env_remove("WEBHOOK_BOT_STATS_TOKEN")
            .env_remove("WHATSAPP_TOKEN")
            .env_remove("WHATSAPP_PHONE_NUMBER_ID")
            .env_remove(sehat::pseudonym::KEYSET_ENV)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if let Some(token) = stats_token {
            command.env("WEBHOOK_BOT_STATS_TOKEN", token);
        }
        let mut process = command.spawn().expect("the example starts");
        // Both pipes are drained for as long as the bot runs, so it never blocks on them.
        let (first_line, address) = mpsc::channel();
        let stdout = process.stdout.take().unwrap();
        thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let _ = first_line.send(line.unwrap_or_default());
            }
        });
        let mut stderr = process.stderr.take().unwrap();
        thread::spawn(move || {
            let mut buffer = [0u8; 8192];
            while let Ok(1..) = stderr.read(&mut buffer) {}
        });
        let line = address
            .recv_timeout(Duration::from_secs(20))
            .unwrap_or_else(|e| {
                let _ = process.kill();
                panic!("no address on stdout: {e}");
            });
        let addr: SocketAddr = line
            .strip_prefix("webhook_bot listening on http://")
            .and_then(|rest| rest.strip_suffix("/webhook"))
            .unwrap_or_else(|| panic!("unexpected first line: {line}"))
            .parse()
            .unwrap();
        assert!(addr.ip().is_loopback(), "{addr}");
        let http = reqwest::Client::builder()
            .no_proxy()
            .timeout(Duration::from_secs(20))
            .build()
            .unwrap();
        Bot {
            process,
            addr,
            http,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Meta's GET handshake on a fresh connection: the challenge, or the failure.
    async fn handshake(&self) -> Result<(u16, String), reqwest::Error> {
        let response = reqwest::Client::builder()
            .no_proxy()
            .timeout(ANSWERED_WITHIN)
            .build()?
            .get(self.url(&format!(
                "/webhook?hub.mode=subscribe&hub.verify_token={VERIFY_TOKEN}&hub.challenge=1158201444"
            )))
            .send()
            .await?;
        Ok((response.status().as_u16(), response.text().await?))
    }

    /// POSTs a body signed with the app secret, as Meta does.
    async fn deliver(&self, body: &str) -> u16 {
        let signature = sign_payload(APP_SECRET.as_bytes(), body.as_bytes());
        self.http
            .post(self.url("/webhook"))
            .header("content-type", "application/json")
            .header(SIGNATURE_HEADER, signature)
            .body(body.to_owned())
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
    }

    async fn stats(&self, token: Option<&str>) -> (u16, String) {
        let mut request = self.http.get(self.url("/stats"));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.unwrap();
        (response.status().as_u16(), response.text().await.unwrap())
    }

    /// The send requests the mock Graph API received.
    async fn replies(&self) -> Vec<Value> {
        let body = self
            .http
            .get(self.url("/_mock/requests"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let requests: Vec<Value> = serde_json::from_str(&body).unwrap();
        requests
            .into_iter()
            .filter(|r| r["method"] == "POST" && r["path"].as_str().unwrap().ends_with("/messages"))
            .collect()
    }

    async fn connect(&self) -> TcpStream {
        tokio::time::timeout(Duration::from_secs(20), TcpStream::connect(self.addr))
            .await
            .expect("connected within 20 s")
            .expect("connected")
    }
}

impl Drop for Bot {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

/// Reads until the server closes the connection; what it sent, and when it closed.
async fn read_until_closed(stream: &mut TcpStream, limit: Duration) -> Option<(Vec<u8>, Instant)> {
    let mut received = Vec::new();
    let mut buffer = [0u8; 4096];
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        match tokio::time::timeout_at(deadline, stream.read(&mut buffer)).await {
            Err(_) => return None,
            Ok(Ok(0) | Err(_)) => return Some((received, Instant::now())),
            Ok(Ok(n)) => received.extend_from_slice(&buffer[..n]),
        }
    }
}

/// Reads the status line of the first response, within `limit`.
async fn status_line(stream: &mut TcpStream, limit: Duration) -> String {
    let mut received = Vec::new();
    let mut buffer = [0u8; 1024];
    let deadline = tokio::time::Instant::now() + limit;
    while !received.windows(2).any(|w| w == b"\r\n") {
        match tokio::time::timeout_at(deadline, stream.read(&mut buffer)).await {
            Ok(Ok(n @ 1..)) => received.extend_from_slice(&buffer[..n]),
            other => panic!(
                "no status line within {limit:?} ({other:?}); got {:?}",
                String::from_utf8_lossy(&received)
            ),
        }
    }
    let text = String::from_utf8_lossy(&received).into_owned();
    text.lines().next().unwrap_or_default().to_owned()
}

/// The process's open-files soft limit (Linux), to size the flood to what fits.
fn open_files_soft_limit() -> Option<usize> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
    line["Max open files".len()..]
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

#[tokio::test]
async fn half_sent_headers_are_closed_within_the_header_timeout() {
    let bot = Bot::start(&[], None);
    let mut stream = bot.connect().await;
    let opened = Instant::now();
    stream
        .write_all(b"POST /webhook HTTP/1.1\r\nHost: bot\r\nContent-Le")
        .await
        .unwrap();
    let (_, closed) = read_until_closed(&mut stream, HEADER_TIMEOUT + SLACK)
        .await
        .expect("half-sent headers held open past the header timeout");
    assert!(closed - opened <= HEADER_TIMEOUT + SLACK);

    // A connection that sends nothing at all is closed the same way.
    let mut silent = bot.connect().await;
    assert!(
        read_until_closed(&mut silent, HEADER_TIMEOUT + SLACK)
            .await
            .is_some(),
        "a silent connection held open"
    );
    // And the bot still answers.
    assert_eq!(bot.handshake().await.unwrap().0, 200);
}

#[tokio::test]
async fn an_oversized_or_unsigned_body_is_refused_before_it_is_sent() {
    let bot = Bot::start(&[], None);
    // 4 MiB announced and none of it sent: the answer comes anyway, so the body was never
    // waited for, let alone buffered.
    for signed in [false, true] {
        let mut stream = bot.connect().await;
        let signature = if signed {
            format!("{SIGNATURE_HEADER}: sha256={}\r\n", "0".repeat(64))
        } else {
            String::new()
        };
        let head = format!(
            "POST /webhook HTTP/1.1\r\nHost: bot\r\nContent-Type: application/json\r\n\
             {signature}Content-Length: {}\r\n\r\n",
            4 << 20
        );
        stream.write_all(head.as_bytes()).await.unwrap();
        let status = status_line(&mut stream, ANSWERED_WITHIN).await;
        assert_eq!(status, "HTTP/1.1 413 Payload Too Large", "signed: {signed}");
        assert!(
            read_until_closed(&mut stream, ANSWERED_WITHIN)
                .await
                .is_some(),
            "the connection is closed, not drained"
        );
    }

    // Within the limit but unsigned: 401, also before the body.
    let mut stream = bot.connect().await;
    let head = format!(
        "POST /webhook HTTP/1.1\r\nHost: bot\r\nContent-Length: {}\r\n\r\n",
        2 << 20
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let status = status_line(&mut stream, ANSWERED_WITHIN).await;
    assert_eq!(status, "HTTP/1.1 401 Unauthorized");

    // A chunked body is cut at the limit, without a Content-Length to screen. The answer
    // is read while the body is still being sent.
    let (mut reader, mut writer) = bot.connect().await.into_split();
    let answer = tokio::spawn(async move {
        let mut received = Vec::new();
        let mut buffer = [0u8; 1024];
        while !received.windows(2).any(|w| w == b"\r\n") {
            match reader.read(&mut buffer).await {
                Ok(n @ 1..) => received.extend_from_slice(&buffer[..n]),
                _ => break,
            }
        }
        String::from_utf8_lossy(&received).into_owned()
    });
    let head = format!(
        "POST /webhook HTTP/1.1\r\nHost: bot\r\nTransfer-Encoding: chunked\r\n\
         {SIGNATURE_HEADER}: sha256={}\r\n\r\n",
        "0".repeat(64)
    );
    let chunk = format!("10000\r\n{}\r\n", " ".repeat(1 << 16));
    let _ = writer.write_all(head.as_bytes()).await;
    // Up to 8 MiB in 64 KiB chunks, until the server stops reading.
    for _ in 0..128 {
        if answer.is_finished() || writer.write_all(chunk.as_bytes()).await.is_err() {
            break;
        }
    }
    let answer = tokio::time::timeout(ANSWERED_WITHIN, answer)
        .await
        .expect("answered")
        .unwrap();
    assert!(
        answer.starts_with("HTTP/1.1 413"),
        "a chunked body over the limit: {answer:?}"
    );

    // The bot still answers.
    assert_eq!(bot.handshake().await.unwrap().0, 200);
}

#[tokio::test]
async fn a_body_that_stops_arriving_is_answered_and_closed() {
    let bot = Bot::start(&[], None);
    let mut stream = bot.connect().await;
    let head = format!(
        "POST /webhook HTTP/1.1\r\nHost: bot\r\n{SIGNATURE_HEADER}: sha256={}\r\n\
         Content-Length: 1000\r\n\r\n{{\"object\":",
        "0".repeat(64)
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    // The body read timeout (10 s) or the request timeout (15 s, 408) ends it.
    let (answer, _) = read_until_closed(&mut stream, Duration::from_secs(15) + SLACK)
        .await
        .expect("a stalled body held open past the request timeout");
    let answer = String::from_utf8_lossy(&answer);
    assert!(
        answer.starts_with("HTTP/1.1 4"),
        "a stalled body is refused: {answer:?}"
    );
}

#[tokio::test]
async fn many_idle_connections_neither_lock_out_a_handshake_nor_stay_open() {
    // A flood above the server's cap that fits this process's open-files limit.
    let cap = 100;
    let flood = open_files_soft_limit().map_or(1_000, |soft| (soft / 2).min(2_000));
    assert!(
        flood > cap,
        "the open-files limit ({flood} × 2) leaves no room"
    );
    let cap_arg = cap.to_string();
    let bot = Bot::start(&["--max-connections", &cap_arg], None);

    let opened = Instant::now();
    let mut idle = Vec::with_capacity(flood);
    for _ in 0..flood {
        idle.push(bot.connect().await);
    }
    let all_open = Instant::now();

    // Meta's handshake, on a new connection, while the flood is held open.
    let answered = Instant::now();
    let handshake = bot.handshake().await;
    assert_eq!(
        handshake.as_ref().map_err(ToString::to_string),
        Ok(&(200, "1158201444".to_owned())),
        "after {:?}",
        answered.elapsed()
    );

    // Every idle connection is closed: the oldest to make room, the rest by the header
    // timeout, counted from when the flood was all open.
    let closes: Vec<_> = idle
        .into_iter()
        .map(|mut stream| {
            tokio::spawn(
                async move { read_until_closed(&mut stream, HEADER_TIMEOUT + SLACK).await },
            )
        })
        .collect();
    let mut still_open = 0;
    let mut last_closed = opened;
    for close in closes {
        match close.await.unwrap() {
            Some((_, at)) => last_closed = last_closed.max(at),
            None => still_open += 1,
        }
    }
    assert_eq!(still_open, 0, "of {flood} idle connections");
    assert!(
        last_closed - all_open <= HEADER_TIMEOUT + SLACK,
        "the last idle connection closed {:?} after the flood",
        last_closed - all_open
    );
    assert_eq!(bot.handshake().await.unwrap().0, 200);
}

/// A `messages` webhook with one text message.
fn message(id: &str) -> String {
    json!({
        "object": "whatsapp_business_account",
        "entry": [{"id": "102290129340398", "changes": [{"field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "15550783881", "phone_number_id": "106540352242922"},
            "contacts": [{"profile": {"name": "Kader"}, "wa_id": "6281234567890"}],
            "messages": [{"from": "6281234567890", "id": id, "timestamp": "1764115200",
                          "type": "text", "text": {"body": "halo"}}]
        }}]}]
    })
    .to_string()
}

/// A `messages` webhook with statuses `first..first + count`, all of `kind`.
fn statuses(first: usize, count: usize, kind: &str) -> String {
    let statuses: Vec<Value> = (first..first + count)
        .map(|i| {
            json!({"id": format!("wamid.status{i}"), "status": kind,
                   "timestamp": "1764115200", "recipient_id": "6281234567890"})
        })
        .collect();
    json!({
        "object": "whatsapp_business_account",
        "entry": [{"id": "102290129340398", "changes": [{"field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "15550783881", "phone_number_id": "106540352242922"},
            "statuses": statuses
        }}]}]
    })
    .to_string()
}

#[tokio::test]
async fn a_message_redelivered_after_105000_statuses_is_answered_once() {
    let bot = Bot::start(&[], Some(STATS_TOKEN));
    assert_eq!(bot.deliver(&message("wamid.once")).await, 200);
    let batch = 1_000;
    for first in (0..105_000).step_by(batch) {
        assert_eq!(bot.deliver(&statuses(first, batch, "read")).await, 200);
    }
    assert_eq!(bot.deliver(&message("wamid.once")).await, 200);

    let (status, body) = bot.stats(Some(STATS_TOKEN)).await;
    assert_eq!(status, 200);
    let stats: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(stats["messages"], 1, "{stats}");
    assert_eq!(stats["redeliveries"], 1, "{stats}");
    // The mock's own status webhooks for the one reply may still be arriving.
    assert!(
        stats["statuses"]["read"].as_u64().unwrap() >= 105_000,
        "{stats}"
    );
    let replies = bot.replies().await;
    assert_eq!(replies.len(), 1, "{replies:#?}");
    assert_eq!(replies[0]["body"]["context"]["message_id"], "wamid.once");
}

#[tokio::test]
async fn stats_need_the_token_and_stay_a_fixed_set_of_counters() {
    let bot = Bot::start(&[], Some(STATS_TOKEN));
    assert_eq!(bot.stats(None).await.0, 401);
    assert_eq!(bot.stats(Some("guess")).await.0, 401);
    assert_eq!(bot.stats(Some(&STATS_TOKEN[..20])).await.0, 401);

    // Status kinds nobody knows are counted together, not each under its own name.
    for (n, kind) in ["sent", "x-1", "x-2", "x-3"].into_iter().enumerate() {
        assert_eq!(bot.deliver(&statuses(n, 1, kind)).await, 200);
    }
    let (status, body) = bot.stats(Some(STATS_TOKEN)).await;
    assert_eq!(status, 200);
    let stats: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        stats["statuses"],
        json!({"sent": 1, "delivered": 0, "read": 0, "played": 0, "failed": 0, "other": 3})
    );
    let mut keys: Vec<&str> = stats
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "messages",
            "redeliveries",
            "refused",
            "replies_sent",
            "reply_failures",
            "statuses"
        ]
    );

    // Without a token configured, there is no /stats at all.
    let closed = Bot::start(&[], None);
    assert_eq!(closed.stats(None).await.0, 404);
    assert_eq!(closed.stats(Some(STATS_TOKEN)).await.0, 404);
}

#[test]
fn a_short_stats_token_is_refused_at_start() {
    let (status, stdout, stderr) = support::exit_within(
        Command::new(support::example_path("webhook_bot"))
            .args(["--mock", "--listen", "127.0.0.1:0"])
            .env("WHATSAPP_APP_SECRET", APP_SECRET)
            .env("WHATSAPP_VERIFY_TOKEN", VERIFY_TOKEN)
            .env("WEBHOOK_BOT_STATS_TOKEN", "short"),
        Duration::from_secs(20),
        "with a 5-character stats token",
    );
    assert!(!status.success());
    assert_eq!(
        stderr.trim(),
        "webhook_bot: error: WEBHOOK_BOT_STATS_TOKEN must be at least 16 characters"
    );
    assert_eq!(stdout, "", "it never listened");
}
