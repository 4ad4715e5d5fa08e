//! The crate's layers, one way (docs/architecture.md, "Inside sehat-whatsapp"):
//!
//! - the data layer (ids, messages, templates, account and group models, the API error
//!   object, webhooks) names nothing of the client: not its modules, not reqwest, tokio or
//!   governor (`cargo check --no-default-features` in `.ci/run` checks the same by building);
//! - inside `webhook`, imports go one way: topic modules → `fields` → `payload` → `event`,
//!   and `verifier` and `server` on top.
//!
//! The check reads the code (comments aside) of every file.

use std::fs;
use std::path::{Path, PathBuf};

/// What the client layer consists of, as a data-layer file would name it.
const CLIENT: &[&str] = &[
    "crate::client",
    "crate::phone",
    "crate::waba",
    "crate::media",
    "crate::pacing",
    "crate::retry",
    "crate::error::Error",
    "crate::Error",
    "crate::Client",
    "crate::PhoneNumberApi",
    "crate::WabaApi",
    "reqwest::",
    "tokio::",
    "governor::",
];

/// The webhook modules, lowest first: a module may name only those before it.
const WEBHOOK_ORDER: &[&str] = &["fields", "payload", "event", "verifier", "server"];

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

/// The lines of code of a file, numbered, without comments and without its unit tests.
fn code_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines()
        .take_while(|line| !line.starts_with("#[cfg(test)]"))
        .enumerate()
        .map(|(n, line)| (n + 1, line.trim_start()))
        .filter(|(_, line)| !line.starts_with("//"))
}

/// Whether a file (path relative to `src/`) belongs to the data layer. The crate root and
/// the two modules that gate client parts behind the feature are neither; `webhook::server`
/// (feature `server`) sits on top of the data layer and may use tokio.
fn is_data_layer(relative: &str) -> bool {
    let client = [
        "client.rs",
        "phone.rs",
        "waba.rs",
        "media.rs",
        "pacing.rs",
        "retry.rs",
    ];
    let gates = [
        "lib.rs",
        "error/mod.rs",
        "group/mod.rs",
        "webhook/server.rs",
    ];
    !(client.contains(&relative) || gates.contains(&relative) || relative == "error/client.rs")
}

/// Whether `line` names `name` as a whole path (`crate::error::Error`, not `…::ErrorKind`).
fn names(line: &str, name: &str) -> bool {
    line.match_indices(name).any(|(i, _)| {
        name.ends_with("::")
            || !line[i + name.len()..].starts_with(|c: char| c.is_alphanumeric() || c == '_')
    })
}

fn violations(relative: &str, text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let webhook = relative
        .strip_prefix("webhook/")
        .and_then(|f| f.strip_suffix(".rs"))
        .filter(|m| *m != "mod");
    // Everything below the module in the order (topic modules are below all of it).
    let rank = webhook.map(|m| WEBHOOK_ORDER.iter().position(|o| *o == m));
    for (n, line) in code_lines(text) {
        if is_data_layer(relative) {
            for name in CLIENT {
                if names(line, name) {
                    out.push(format!("{relative}:{n}: names {name}"));
                }
            }
        }
        if let Some(rank) = rank {
            let allowed = rank.map_or(0, |r| r);
            for (i, module) in WEBHOOK_ORDER.iter().enumerate() {
                let named = names(line, &format!("super::{module}"))
                    || names(line, &format!("webhook::{module}"));
                if named && i >= allowed && Some(*module) != webhook {
                    out.push(format!("{relative}:{n}: names {module}"));
                }
            }
        }
    }
    out
}

#[test]
fn imports_go_one_way() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    assert!(files.len() > 40, "{} files", files.len());
    let mut found = Vec::new();
    for file in &files {
        let relative = file
            .strip_prefix(&src)
            .unwrap_or(file)
            .to_string_lossy()
            .replace('\\', "/");
        let text = fs::read_to_string(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        found.extend(violations(&relative, &text));
    }
    assert!(
        found.is_empty(),
        "layer rules broken:\n{}",
        found.join("\n")
    );
}

/// The check finds what it is meant to find.
#[test]
fn the_check_sees_a_broken_rule() {
    let upward = "use super::event::Events;\n";
    assert_eq!(violations("webhook/payload.rs", upward).len(), 1);
    assert_eq!(
        violations("webhook/message.rs", "use super::fields::ChangeValue;\n").len(),
        1
    );
    assert!(violations("webhook/event.rs", "use super::payload::Entry;\n").is_empty());
    assert!(violations("webhook/fields.rs", "use super::message::MessagesValue;\n").is_empty());
    assert_eq!(violations("ids.rs", "let c: crate::Client;\n").len(), 1);
    assert!(violations("client.rs", "use crate::retry::RetryPolicy;\n").is_empty());
    assert!(violations("group/model.rs", "use crate::error::ApiError;\n").is_empty());
    assert_eq!(
        violations("group/model.rs", "use crate::error::Error;\n").len(),
        1
    );
    assert!(violations("webhook/payload.rs", "// use super::event::Events;\n").is_empty());
}
