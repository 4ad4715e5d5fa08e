//! The crate's layers, one way: `model` imports nothing of the engine or the loaders;
//! `engine` imports only the model; each loader imports only the model, never the engine
//! or the other loader. `date` and `error` sit below all three. The check reads every
//! `crate::…` and `super::…` path in the code (doc comments aside) of each layer's files.

use std::fs;
use std::path::{Path, PathBuf};

/// Which top-level modules (`crate::NAME`) a file of each layer may name.
fn allowed(file: &Path) -> Option<&'static [&'static str]> {
    let s = file.to_string_lossy().replace('\\', "/");
    if s.contains("/src/model/") {
        Some(&["model", "date", "error"])
    } else if s.contains("/src/engine/") {
        Some(&["engine", "model", "date", "error"])
    } else if s.ends_with("/src/loaders/cdsi.rs") {
        Some(&["loaders::cdsi", "model", "date", "error"])
    } else if s.ends_with("/src/loaders/kemenkes.rs") {
        Some(&["loaders::kemenkes", "model", "date", "error"])
    } else if s.ends_with("/src/date.rs") || s.ends_with("/src/error.rs") {
        Some(&[])
    } else {
        None
    }
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Every module path a line of code names after `crate::` (up to two segments).
fn crate_paths(code: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = code;
    while let Some(i) = rest.find("crate::") {
        let after = &rest[i + "crate::".len()..];
        let path: String = after
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
            .collect();
        out.push(path);
        rest = after;
    }
    out
}

/// The violations of the layer rules in `text`, a file of a layer allowing `allow`.
fn violations(text: &str, allow: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let code = line.trim_start();
        if code.starts_with("//") {
            continue;
        }
        for path in crate_paths(code) {
            if !allow
                .iter()
                .any(|a| path == *a || path.starts_with(&format!("{a}::")))
            {
                out.push(format!("line {}: crate::{path}", n + 1));
            }
        }
        for sibling in ["super::super", "super::cdsi", "super::kemenkes"] {
            if code.contains(sibling) {
                out.push(format!("line {}: {sibling}", n + 1));
            }
        }
    }
    out
}

#[test]
fn each_layer_imports_only_the_layers_below_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut checked = 0;
    let mut broken = Vec::new();
    for file in &files {
        let Some(allow) = allowed(file) else {
            continue;
        };
        checked += 1;
        let text = fs::read_to_string(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        for v in violations(&text, allow) {
            broken.push(format!("{}: {v}", file.display()));
        }
    }
    // model (8 files + mod.rs), engine (4 + mod.rs), two loaders, date and error.
    assert!(
        checked >= 17,
        "only {checked} files checked: was src/ reorganized?"
    );
    assert!(
        broken.is_empty(),
        "layer rule broken:\n{}",
        broken.join("\n")
    );
}

#[test]
fn the_check_sees_an_engine_import_in_the_model() {
    let model = allowed(Path::new("/x/src/model/schedule.rs")).unwrap();
    assert_eq!(
        violations("use crate::engine::assessment::Assessment;", model),
        ["line 1: crate::engine::assessment::Assessment"]
    );
    assert_eq!(
        violations("    x: crate::loaders::kemenkes::KemenkesExtras,", model).len(),
        1
    );
    assert!(violations("/// see [`assess`](crate::engine::assess)", model).is_empty());
    assert!(violations("use crate::model::duration::Duration;", model).is_empty());
    let cdsi = allowed(Path::new("/x/src/loaders/cdsi.rs")).unwrap();
    assert_eq!(
        violations("use super::kemenkes::EMBEDDED_TOML;", cdsi).len(),
        1
    );
    assert_eq!(
        violations("use crate::loaders::kemenkes::EMBEDDED_TOML;", cdsi).len(),
        1
    );
    let engine = allowed(Path::new("/x/src/engine/cohort.rs")).unwrap();
    assert_eq!(
        violations("use crate::loaders::cdsi::load;", engine).len(),
        1
    );
    assert_eq!(
        violations("use crate::record::PatientRecord;", engine).len(),
        1
    );
}
