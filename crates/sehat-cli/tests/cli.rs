//! The binary's frame: help, version, and errors on one line with a non-zero exit.
#![allow(clippy::expect_used)]

mod support;

use support::sehat;

#[test]
fn help_lists_one_group_per_domain_crate() {
    let out = sehat(&["--help"]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    for group in ["anthro", "phone", "keys", "immunization", "whatsapp"] {
        assert!(
            text.lines()
                .any(|line| line.trim_start().starts_with(group)),
            "`sehat --help` does not list `{group}`:\n{text}"
        );
    }
}

#[test]
fn version_prints_the_crate_version() {
    let out = sehat(&["--version"]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text.trim(), format!("sehat {}", env!("CARGO_PKG_VERSION")));
}

#[test]
fn an_unknown_subcommand_fails_with_a_message() {
    let out = sehat(&["no-such-group"]);
    assert!(!out.status.success());
    let text = String::from_utf8(out.stderr).unwrap();
    assert!(text.contains("no-such-group"), "{text}");
}
