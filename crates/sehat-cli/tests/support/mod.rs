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
