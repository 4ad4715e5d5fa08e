//! `sehat whatsapp mock serve`: the mock Graph API as a server for bots in any language.
//!
//! The first tests drive it with plain HTTP and the `sehat` binary itself; the last runs a
//! real third-party client against it, pywa (Python), in a virtual environment that
//! `tests/pywa/venv.py` creates under the target directory and reuses while
//! `tests/pywa/requirements.txt` is unchanged.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use sehat_whatsapp::webhook::WebhookVerifier;
use serde_json::Value;

const PHONE_NUMBER_ID: &str = "106540352242922";
const APP_SECRET: &str = "rahasia-uji";

/// A running `sehat whatsapp mock serve`, killed if a test fails before stopping it.
struct Served {
    child: Child,
    url: String,
    stderr: std::process::ChildStderr,
}

impl Served {
    fn start(args: &[&str]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_sehat"))
            .args(["whatsapp", "mock", "serve"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the sehat binary runs");
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut url = String::new();
        stdout.read_line(&mut url).unwrap();
        let stderr = child.stderr.take().unwrap();
        assert!(
            url.starts_with("http://127.0.0.1:") && url.ends_with("/\n"),
            "first line of stdout: {url:?}"
        );
        Self {
            child,
            url: url.trim_end().to_owned(),
            stderr,
        }
    }

    fn port(&self) -> u16 {
        self.url
            .trim_start_matches("http://127.0.0.1:")
            .trim_end_matches('/')
            .parse()
            .unwrap()
    }

    /// Sends `signal` (TERM or INT) and returns the exit status and everything on stderr.
    fn stop(mut self, signal: &str) -> (ExitStatus, String) {
        let killed = Command::new("kill")
            .args([format!("-{signal}"), self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(killed.success());
        let status = wait(&mut self.child, Duration::from_secs(10)).expect("stops within 10 s");
        let mut stderr = String::new();
        self.stderr.read_to_string(&mut stderr).unwrap();
        (status, stderr)
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Waits for `child` at most `limit`.
fn wait(child: &mut Child, limit: Duration) -> Option<ExitStatus> {
    let start = Instant::now();
    while start.elapsed() < limit {
        if let Some(status) = child.try_wait().unwrap() {
            return Some(status);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    None
}

/// A loopback port that was free a moment ago.
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// One HTTP/1.1 request read from `stream`: its headers (lowercase names) and body.
fn read_request(stream: &mut std::net::TcpStream) -> (Vec<(String, String)>, Vec<u8>) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut line = String::new();
    reader.read_line(&mut line).unwrap();
    let mut headers = Vec::new();
    loop {
        line.clear();
        reader.read_line(&mut line).unwrap();
        let trimmed = line.trim_end();
        if trimmed.is_empty() {
            break;
        }
        let (name, value) = trimmed.split_once(':').unwrap();
        headers.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
    }
    let length = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .map_or(0, |(_, v)| v.parse().unwrap());
    let mut body = vec![0; length];
    reader.read_exact(&mut body).unwrap();
    (headers, body)
}

/// A webhook request as received: its `X-Hub-Signature-256` header and its body.
type Posted = (Option<String>, Vec<u8>);

/// A webhook callback on loopback: each request's signature header and body, as they come.
fn webhook_receiver() -> (String, mpsc::Receiver<Posted>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/webhook", listener.local_addr().unwrap());
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let (headers, body) = read_request(&mut stream);
            let signature = headers
                .into_iter()
                .find(|(n, _)| n == "x-hub-signature-256")
                .map(|(_, v)| v);
            let _ = stream
                .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok");
            if tx.send((signature, body)).is_err() {
                return;
            }
        }
    });
    (url, rx)
}

#[test]
fn serve_prints_its_url_sends_signed_webhooks_and_stops_on_sigterm() {
    let (hook, received) = webhook_receiver();
    let served = Served::start(&["--webhook-url", &hook, "--app-secret", APP_SECRET]);
    // The binary's own client, pointed at the served mock.
    let sent = Command::new(env!("CARGO_BIN_EXE_sehat"))
        .args(["whatsapp", "send-template", "--to", "+62 812-3456-7890"])
        .args([
            "--template",
            "hello_world",
            "--language",
            "en_US",
            "--reveal",
        ])
        .args([
            "--phone-number-id",
            PHONE_NUMBER_ID,
            "--base-url",
            &served.url,
        ])
        .env("WHATSAPP_TOKEN", "any-token")
        .output()
        .unwrap();
    support::assert_ran(&sent);
    let line: Value = serde_json::from_slice(&sent.stdout).unwrap();
    let wamid = line["message_id"].as_str().unwrap().to_owned();
    assert!(wamid.starts_with("wamid."), "{line}");
    assert_eq!(line["message_status"], "accepted");
    assert_eq!(line["wa_id"], "6281234567890");
    let verifier = WebhookVerifier::new([APP_SECRET]);
    let mut kinds = Vec::new();
    for _ in 0..3 {
        let (signature, body) = received.recv_timeout(Duration::from_secs(10)).unwrap();
        verifier.verify(&body, signature.as_deref()).unwrap();
        assert!(
            WebhookVerifier::new(["another-secret"])
                .verify(&body, signature.as_deref())
                .is_err()
        );
        let payload: Value = serde_json::from_slice(&body).unwrap();
        let status = &payload["entry"][0]["changes"][0]["value"]["statuses"][0];
        assert_eq!(status["id"], wamid.as_str());
        assert_eq!(status["recipient_id"], "6281234567890");
        kinds.push(status["status"].as_str().unwrap().to_owned());
    }
    assert_eq!(kinds, ["sent", "delivered", "read"]);
    let (status, stderr) = served.stop("TERM");
    assert!(status.success(), "{status}: {stderr}");
    assert!(stderr.contains("stopped (SIGTERM)"), "{stderr}");
    assert!(stderr.contains(PHONE_NUMBER_ID), "{stderr}");
    assert!(
        !stderr.contains(APP_SECRET),
        "the secret was printed: {stderr}"
    );
}

#[test]
fn serve_listens_on_the_port_given_and_ctrl_c_stops_it() {
    let port = free_port();
    let served = Served::start(&["--port", &port.to_string()]);
    assert_eq!(served.url, format!("http://127.0.0.1:{port}/"));
    assert_eq!(served.port(), port);
    // A second server cannot take the same port, and says which.
    let taken = support::sehat(&["whatsapp", "mock", "serve", "--port", &port.to_string()]);
    let error = support::stderr_of_failure(&taken);
    assert!(error.contains(&format!("127.0.0.1:{port}")), "{error}");
    assert!(taken.stdout.is_empty());
    // An unauthenticated request is answered as Meta answers it.
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .write_all(b"GET /v26.0/106540352242922 HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n")
        .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 401"), "{answer}");
    assert!(answer.contains("\"code\":190"), "{answer}");
    let (status, stderr) = served.stop("INT");
    assert!(status.success(), "{status}: {stderr}");
    assert!(stderr.contains("stopped (SIGINT)"), "{stderr}");
}

/// Reads `stream` until the server closes it or `deadline` passes; true when closed.
fn closed_by(mut stream: &std::net::TcpStream, deadline: Instant) -> bool {
    let mut buffer = [0u8; 1024];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return false;
        }
        stream.set_read_timeout(Some(left)).unwrap();
        match stream.read(&mut buffer) {
            Ok(0) => return true,
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => return true,
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                return false;
            }
            Err(e) => panic!("reading an idle connection: {e}"),
        }
    }
}

#[test]
fn an_idle_connection_flood_neither_locks_a_client_out_nor_stays_open() {
    // A client opens ten times the connection cap and sends nothing: the oldest idle
    // connections make room, a request on a new connection is answered at once, and
    // every idle connection is closed within the 10 s header timeout.
    const CAP: usize = 100;
    const HEADER_TIMEOUT: Duration = Duration::from_secs(10);
    const SLACK: Duration = Duration::from_secs(10);
    // Half of what a server here could hold, itself below three quarters of this
    // process's `ulimit -n`: room for the flood and the test's own files.
    let mut limits = sehat_whatsapp_mock::ServerLimits::default();
    limits.max_connections = 2_000;
    let flood = limits.effective_max_connections() / 2;
    assert!(
        flood > 2 * CAP,
        "`ulimit -n` leaves room for {flood} idle connections only"
    );
    let served = Served::start(&["--max-connections", &CAP.to_string()]);
    let port = served.port();
    let idle: Vec<std::net::TcpStream> = (0..flood)
        .map(|_| std::net::TcpStream::connect(("127.0.0.1", port)).unwrap())
        .collect();
    let all_open = Instant::now();

    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    stream
        .write_all(b"GET /v26.0/106540352242922 HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n")
        .unwrap();
    let mut answer = String::new();
    stream
        .read_to_string(&mut answer)
        .expect("answered within 5 s while the flood is held open");
    assert!(answer.starts_with("HTTP/1.1 401"), "{answer}");

    let deadline = all_open + HEADER_TIMEOUT + SLACK;
    let still_open = idle
        .iter()
        .filter(|stream| !closed_by(stream, deadline))
        .count();
    assert_eq!(still_open, 0, "of {flood} idle connections");
    let (status, stderr) = served.stop("TERM");
    assert!(status.success(), "{status}: {stderr}");
}

#[test]
fn serve_refuses_a_webhook_url_without_a_secret_or_a_bad_url() {
    let out = support::sehat(&[
        "whatsapp",
        "mock",
        "serve",
        "--webhook-url",
        "http://127.0.0.1:9/",
    ]);
    let error = support::stderr_of_failure(&out);
    assert!(error.contains("--app-secret"), "{error}");
    let out = support::sehat(&[
        "whatsapp",
        "mock",
        "serve",
        "--webhook-url",
        "127.0.0.1:9/hook",
        "--app-secret",
        "s",
    ]);
    let error = support::stderr_of_failure(&out);
    assert!(error.contains("--webhook-url"), "{error}");
    let out = Command::new(env!("CARGO_BIN_EXE_sehat"))
        .args(["whatsapp", "mock", "serve", "--webhook-url", "http://h/"])
        .args(["--app-secret-env", "SEHAT_TEST_UNSET_SECRET_VARIABLE"])
        .env_remove("SEHAT_TEST_UNSET_SECRET_VARIABLE")
        .output()
        .unwrap();
    let error = support::stderr_of_failure(&out);
    assert!(
        error.contains("SEHAT_TEST_UNSET_SECRET_VARIABLE is not set"),
        "{error}"
    );
}

/// Whether a missing Python or an unreachable package index must fail the pywa test
/// rather than skip it: in CI (`CI` set) or with `SEHAT_REQUIRE_PYWA=1`.
fn pywa_required() -> bool {
    let set =
        |name: &str| std::env::var(name).is_ok_and(|v| !v.is_empty() && v != "0" && v != "false");
    set("CI") || set("SEHAT_REQUIRE_PYWA")
}

/// Skips the pywa test with a notice nobody can miss, or fails it where it must run.
fn skip_pywa(why: &str) {
    assert!(
        !pywa_required(),
        "the pywa test must run here (CI or SEHAT_REQUIRE_PYWA=1 is set), but {why}"
    );
    // Written to the process's stderr itself, not through `eprintln!`, which the test
    // harness captures and hides for a test that passes.
    let banner = format!(
        "\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n\
         !!! pywa test NOT RUN: {why}\n\
         !!! (set SEHAT_REQUIRE_PYWA=1 to make this a failure)\n\
         !!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n"
    );
    let _ = std::io::stderr().write_all(banner.as_bytes());
}

fn pywa_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/pywa")
}

/// The pinned pywa version, from the requirements file.
fn pinned_pywa() -> String {
    let requirements = std::fs::read_to_string(pywa_dir().join("requirements.txt")).unwrap();
    requirements
        .lines()
        .find_map(|l| l.strip_prefix("pywa=="))
        .expect("requirements.txt pins pywa==VERSION")
        .trim()
        .to_owned()
}

/// The virtual environment's python, created on first use; `None` when the test is skipped.
fn pywa_python() -> Option<PathBuf> {
    let venv = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("pywa-{}", pinned_pywa()));
    let python3 = match Command::new("python3").arg("--version").output() {
        Ok(out) if out.status.success() => "python3",
        _ => {
            skip_pywa("python3 is not installed");
            return None;
        }
    };
    let out = Command::new(python3)
        .arg(pywa_dir().join("venv.py"))
        .arg(&venv)
        .arg(pywa_dir().join("requirements.txt"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    match out.status.code() {
        Some(0) => Some(PathBuf::from(String::from_utf8(out.stdout).unwrap().trim())),
        Some(77) => {
            skip_pywa(&format!("PyPI is unreachable: {}", stderr.trim()));
            None
        }
        _ => panic!("the pywa virtual environment could not be made: {stderr}"),
    }
}

#[test]
fn pywa_drives_the_served_mock() {
    let Some(python) = pywa_python() else { return };
    let hook_port = free_port();
    let hook = format!("http://127.0.0.1:{hook_port}/");
    let served = Served::start(&["--webhook-url", &hook, "--app-secret", APP_SECRET]);
    let dir = tempfile::tempdir().unwrap();
    let (out_path, err_path) = (dir.path().join("out"), dir.path().join("err"));
    let mut bot = Command::new(&python)
        .arg(pywa_dir().join("bot.py"))
        .args(["--base-url", &served.url, "--phone-id", PHONE_NUMBER_ID])
        .args(["--to", "6281234567890", "--app-secret", APP_SECRET])
        .args(["--webhook-port", &hook_port.to_string()])
        .stdout(std::fs::File::create(&out_path).unwrap())
        .stderr(std::fs::File::create(&err_path).unwrap())
        .spawn()
        .unwrap();
    let status = wait(&mut bot, Duration::from_secs(120));
    if status.is_none() {
        let _ = bot.kill();
        let _ = bot.wait();
    }
    let stdout = std::fs::read_to_string(&out_path).unwrap();
    let stderr = std::fs::read_to_string(&err_path).unwrap();
    eprintln!("pywa against the mock:\n{stdout}{stderr}");
    let status = status.expect("the pywa bot finishes within 120 s");
    assert!(
        status.success(),
        "pywa bot failed ({status}):\n{stdout}\n{stderr}"
    );
    let lines: Vec<Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines[0]["pywa"], pinned_pywa().as_str(), "{}", lines[0]);
    let calls: Vec<(&str, &str)> = lines[1..lines.len() - 1]
        .iter()
        .map(|l| (l["call"].as_str().unwrap(), l["type"].as_str().unwrap()))
        .collect();
    assert_eq!(
        calls,
        [
            ("send_message(text)", "SentMessage"),
            ("send_message(buttons)", "SentMessage"),
            ("send_image(link)", "SentMediaMessage"),
            ("send_location", "SentMessage"),
            ("send_reaction", "SentReaction"),
            ("send_template(named params)", "SentTemplate"),
            ("mark_message_as_read", "SuccessResult"),
            ("upload_media", "Media"),
            ("get_media_url", "MediaURL"),
            ("get_media_bytes", "bytes"),
            ("send_image(uploaded media)", "SentMediaMessage"),
            ("get_business_profile", "BusinessProfile"),
            ("get_business_phone_number", "BusinessPhoneNumber"),
            ("webhooks(MessageStatusHandler)", "MessageStatus"),
        ]
    );
    let webhooks = &lines[lines.len() - 2];
    // Seven messages: sent, delivered and read for each but the reaction, which is only sent.
    assert_eq!(webhooks["statuses"], 19, "{webhooks}");
    assert_eq!(webhooks["sent"], 7, "{webhooks}");
    assert_eq!(webhooks["signatures_checked"], 19, "{webhooks}");
    assert_eq!(lines[lines.len() - 1]["ok"], true);
    let (status, stderr) = served.stop("TERM");
    assert!(status.success(), "{status}: {stderr}");
}
