//! Every input kept under `tests/data/fuzz/TARGET/` (the fuzz targets' seeds, and any
//! input a fuzz run found a failure with) goes through the same entry point as the
//! fuzz target `TARGET` in `fuzz/`, which checks the reader's promises.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

fn each_input(target: &str, run: fn(&[u8])) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/fuzz")
        .join(target);
    let mut count = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        run(&std::fs::read(&path).unwrap());
        count += 1;
    }
    assert!(count > 0, "no inputs in {}", dir.display());
}

#[test]
fn cli_anthro_csv() {
    each_input("cli_anthro_csv", sehat_cli::fuzzing::anthro_csv);
}

#[test]
fn cli_phone_csv() {
    each_input("cli_phone_csv", sehat_cli::fuzzing::phone_csv);
}

#[test]
fn cli_immunization_json() {
    each_input(
        "cli_immunization_json",
        sehat_cli::fuzzing::immunization_json,
    );
}

#[test]
fn cli_outbox_csv() {
    each_input("cli_outbox_csv", sehat_cli::fuzzing::outbox_csv);
}

#[test]
fn cli_prevalence_csv() {
    each_input("cli_prevalence_csv", sehat_cli::fuzzing::prevalence_csv);
}
