//! Running the `sehat` binary and reading what it wrote, for the CLI's tests.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::process::{Command, Output};

/// Runs the built `sehat` binary with `args`.
pub fn sehat(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sehat"))
        .args(args)
        .output()
        .expect("the sehat binary runs")
}

/// A CSV file's header and rows.
pub type Table = (Vec<String>, Vec<Vec<String>>);

/// Reads CSV text (a header line, then rows).
pub fn read_csv(text: &[u8]) -> Table {
    let mut reader = csv::Reader::from_reader(text);
    let header = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    let rows = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect();
    (header, rows)
}

/// Asserts that a run succeeded, showing its stderr when it did not.
pub fn assert_ran(out: &Output) {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Asserts that a run failed, and returns its stderr.
pub fn stderr_of_failure(out: &Output) -> String {
    assert!(!out.status.success(), "the run should have failed");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The `key` of every line of a rehearsal log (`--rehearse-log`), in the file's order.
pub fn rehearsal_keys(log: &std::path::Path) -> Vec<String> {
    std::fs::read_to_string(log)
        .unwrap()
        .lines()
        .map(|line| {
            let value: serde_json::Value = serde_json::from_str(line).unwrap();
            value["key"].as_str().unwrap().to_owned()
        })
        .collect()
}

/// Asserts that a rehearsal log holds `count` sends, no key twice.
pub fn assert_sent_once_each(log: &std::path::Path, count: usize) {
    let mut keys = rehearsal_keys(log);
    assert_eq!(keys.len(), count, "one request per message");
    keys.sort_unstable();
    keys.dedup();
    assert_eq!(keys.len(), count, "no message twice");
}

/// Runs `sehat` with `args`, which must fail with `expected` in its stderr; returns the
/// stderr.
pub fn fails_with(args: &[&str], expected: &str) -> String {
    let stderr = stderr_of_failure(&sehat(args));
    assert!(
        stderr.contains(expected),
        "expected {expected:?} in: {stderr}"
    );
    stderr
}
