//! Runs the workspace's examples as a user would, from their built binaries.
//!
//! Cargo gives tests the paths of `[[bin]]` targets (`CARGO_BIN_EXE_*`) but not of
//! examples, so the first call builds the root package's examples with the same `cargo`
//! and profile (`cargo build --package sehat --examples --message-format=json`) and takes
//! each example's path from the `compiler-artifact` messages. The build is a no-op when
//! `cargo test` has just built them; when only a filtered test target was built, the
//! examples are (re)built rather than a stale binary run. See docs/decisions.md.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::io::Read;
use std::path::PathBuf;
use std::process::{Command, ExitStatus, Stdio};
use std::sync::OnceLock;
use std::thread;
use std::time::{Duration, Instant};

/// The root package's examples, built once per test binary: name to executable.
fn built_examples() -> &'static HashMap<String, PathBuf> {
    static BUILT: OnceLock<HashMap<String, PathBuf>> = OnceLock::new();
    BUILT.get_or_init(|| {
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let mut command = Command::new(cargo);
        command
            .args([
                "build",
                "--package",
                "sehat",
                "--examples",
                "--message-format=json-render-diagnostics",
            ])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .stdin(Stdio::null());
        // Cargo runs tests with the variables it gives the package (`CARGO_MANIFEST_DIR`,
        // `CARGO_PKG_NAME`, ...). Some build scripts (ring's) ask to be rerun when one of
        // them changes in cargo's own environment, so passing them on would rebuild those
        // crates here, and again in the next `cargo test`.
        for (key, _) in std::env::vars_os() {
            let Some(key) = key.to_str() else { continue };
            if is_set_by_cargo_for_tests(key) {
                command.env_remove(key);
            }
        }
        if !cfg!(debug_assertions) {
            command.arg("--release");
        }
        let output = command.output().expect("cargo runs");
        let stdout = String::from_utf8(output.stdout).expect("UTF-8 JSON");
        assert!(
            output.status.success(),
            "building the examples failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let mut built = HashMap::new();
        for line in stdout.lines() {
            let Ok(message) = serde_json::from_str::<serde_json::Value>(line) else {
                continue;
            };
            let target = &message["target"];
            let is_example = target["kind"]
                .as_array()
                .is_some_and(|kinds| kinds.iter().any(|k| k == "example"));
            if message["reason"] == "compiler-artifact"
                && is_example
                && let (Some(name), Some(path)) =
                    (target["name"].as_str(), message["executable"].as_str())
            {
                built.insert(name.to_owned(), PathBuf::from(path));
            }
        }
        built
    })
}

/// Whether cargo sets `key` for the package whose tests it runs (rather than the user
/// setting it to configure cargo, as `CARGO_TARGET_DIR` or `CARGO_PROFILE_*`).
fn is_set_by_cargo_for_tests(key: &str) -> bool {
    [
        "CARGO_PKG_",
        "CARGO_MANIFEST_",
        "CARGO_CRATE_",
        "CARGO_BIN_",
    ]
    .iter()
    .any(|prefix| key.starts_with(prefix))
        || matches!(
            key,
            "CARGO_PRIMARY_PACKAGE" | "CARGO_TARGET_TMPDIR" | "CARGO_RUSTC_CURRENT_DIR" | "OUT_DIR"
        )
}

/// The path of a built example.
pub fn example_path(name: &str) -> PathBuf {
    let built = built_examples();
    let path = built.get(name).unwrap_or_else(|| {
        let mut names: Vec<&String> = built.keys().collect();
        names.sort();
        panic!("cargo built no example `{name}` (it built {names:?})")
    });
    assert!(
        path.exists(),
        "{} is missing after the build",
        path.display()
    );
    path.clone()
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
