//! Runs the workspace's examples as a user would, from their built binaries.
//!
//! `cargo test` builds every example before it runs the tests; the binaries sit in
//! `target/<profile>/examples/`, next to this test's own `deps/` folder.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::io::Read;
use std::path::PathBuf;
use std::process::{Command, ExitStatus, Stdio};
use std::thread;
use std::time::{Duration, Instant};

/// The path of a built example.
pub fn example_path(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary has a path");
    let profile_dir = exe
        .parent()
        .and_then(|deps| deps.parent())
        .expect("target/<profile>");
    let path = profile_dir.join("examples").join(name);
    assert!(
        path.exists(),
        "example `{name}` is not built at {}: run the tests with `cargo test` (which builds examples)",
        path.display()
    );
    path
}

/// Runs an example from the workspace root and returns its stdout; fails on a non-zero exit.
pub fn run_example(name: &str, args: &[&str]) -> String {
    let (status, stdout, stderr) = run_example_status(name, args);
    assert!(
        status.success(),
        "example {name} failed: {status}\nstdout:\n{stdout}\nstderr:\n{stderr}"
    );
    stdout
}

/// Runs an example from the workspace root and returns its exit status, stdout and stderr.
pub fn run_example_status(name: &str, args: &[&str]) -> (ExitStatus, String, String) {
    run_example_env(name, args, &[])
}

/// Runs an example with extra environment variables.
pub fn run_example_env(
    name: &str,
    args: &[&str],
    env: &[(&str, &str)],
) -> (ExitStatus, String, String) {
    let mut command = Command::new(example_path(name));
    command.args(args).current_dir(env!("CARGO_MANIFEST_DIR"));
    command
        .env_remove("WHATSAPP_TOKEN")
        .env_remove("WHATSAPP_PHONE_NUMBER_ID");
    for (key, value) in env {
        command.env(key, value);
    }
    let output = command.output().expect("the example runs");
    (
        output.status,
        String::from_utf8(output.stdout).expect("UTF-8 stdout"),
        String::from_utf8(output.stderr).expect("UTF-8 stderr"),
    )
}

/// Runs `command`, which is expected to stop by itself (an example refusing to start),
/// and returns its exit status, stdout and stderr. If it still runs after `limit`, it is
/// killed and the test fails with `running`, which says what it should have refused.
pub fn exit_within(
    command: &mut Command,
    limit: Duration,
    running: &str,
) -> (ExitStatus, String, String) {
    let mut process = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the example starts");
    let deadline = Instant::now() + limit;
    let status = loop {
        if let Some(status) = process.try_wait().expect("the example's status") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = process.kill();
            let _ = process.wait();
            panic!("the example kept running {running}");
        }
        thread::sleep(Duration::from_millis(25));
    };
    let read = |pipe: &mut dyn Read| {
        let mut text = String::new();
        pipe.read_to_string(&mut text).expect("UTF-8 output");
        text
    };
    let stdout = read(process.stdout.as_mut().expect("piped stdout"));
    let stderr = read(process.stderr.as_mut().expect("piped stderr"));
    (status, stdout, stderr)
}

/// The value of a `key: value` line of an example's summary.
pub fn value(out: &str, key: &str) -> String {
    out.lines()
        .find_map(|l| l.strip_prefix(&format!("{key}: ")))
        .unwrap_or_else(|| panic!("no `{key}` line in:\n{out}"))
        .to_owned()
}
