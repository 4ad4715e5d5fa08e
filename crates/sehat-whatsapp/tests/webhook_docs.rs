//! The axum example in `docs/whatsapp-webhooks.md` is the one compiled as a doctest of
//! `sehat_whatsapp::webhook`: this keeps the two copies identical.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

/// The visible lines of the doc comment's axum example (hidden `# ` lines dropped).
fn doctest_example() -> Vec<String> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let source = std::fs::read_to_string(root.join("src/webhook/mod.rs")).unwrap();
    let doc: Vec<String> = source
        .lines()
        .take_while(|l| l.starts_with("//!"))
        .map(|l| {
            l.strip_prefix("//! ")
                .unwrap_or(l.strip_prefix("//!").unwrap_or(l))
                .to_owned()
        })
        .collect();
    let heading = doc
        .iter()
        .position(|l| l.contains("An axum endpoint"))
        .unwrap();
    let start = heading
        + doc[heading..]
            .iter()
            .position(|l| l.starts_with("```"))
            .unwrap();
    let end = start
        + 1
        + doc[start + 1..]
            .iter()
            .position(|l| l.starts_with("```"))
            .unwrap();
    doc[start + 1..end]
        .iter()
        .filter(|l| !(l.trim_start().starts_with("# ") || l.trim() == "#"))
        .cloned()
        .collect()
}

/// The first `rust` block of the guide.
fn guide_example() -> Vec<String> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let guide = std::fs::read_to_string(root.join("../../docs/whatsapp-webhooks.md")).unwrap();
    let lines: Vec<&str> = guide.lines().collect();
    let start = lines.iter().position(|l| *l == "```rust").unwrap();
    let end = start
        + 1
        + lines[start + 1..]
            .iter()
            .position(|l| l.starts_with("```"))
            .unwrap();
    lines[start + 1..end]
        .iter()
        .map(|l| (*l).to_owned())
        .collect()
}

#[test]
fn guide_and_doctest_show_the_same_axum_example() {
    let doctest = doctest_example();
    assert!(
        doctest
            .iter()
            .any(|l| l.contains("verify_and_parse_headers"))
    );
    assert_eq!(guide_example(), doctest);
}
