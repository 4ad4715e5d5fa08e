//! The workspace's crate layers and publishing rules (docs/architecture.md), checked on
//! what `cargo metadata` reports, so a manifest that breaks a rule fails `cargo test`.
//!
//! - Domain crates (sehat-whatsapp, sehat-immunization, sehat-anthro, sehat-pseudonym)
//!   never depend on each other, on sehat-outbox or on sehat-cli, in any kind of
//!   dependency; test-support crates only as dev-dependencies.
//! - sehat-outbox depends only on domain crates, and on test support as dev-dependencies.
//! - Test-support crates (sehat-test-pg, sehat-whatsapp-mock) depend only on domain crates
//!   and on each other, and are only dev-dependencies of other crates, except that
//!   sehat-cli may depend on sehat-whatsapp-mock for its rehearsals.
//! - Nothing depends on sehat-cli or on the root `sehat` package.
//! - Every workspace crate has a layer here, so a new crate is placed on purpose.
//!
//! Publishing: the root package and sehat-test-pg are `publish = false`, every other crate
//! is published with `[package.metadata.docs.rs] all-features = true`; a published crate
//! depends (outside dev-dependencies) only on published workspace crates, and each such
//! path dependency carries a version, as `cargo package` needs.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;

use serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Layer {
    Domain,
    Outbox,
    TestSupport,
    Cli,
    Root,
}

/// The layer of a workspace crate, or `None` for a crate nobody has placed yet.
fn layer(name: &str) -> Option<Layer> {
    match name {
        "sehat-whatsapp" | "sehat-immunization" | "sehat-anthro" | "sehat-pseudonym" => {
            Some(Layer::Domain)
        }
        "sehat-outbox" => Some(Layer::Outbox),
        "sehat-test-pg" | "sehat-whatsapp-mock" => Some(Layer::TestSupport),
        "sehat-cli" => Some(Layer::Cli),
        "sehat" => Some(Layer::Root),
        _ => None,
    }
}

/// Whether a crate must be published (`Some(true)`), must not be (`Some(false)`), or
/// either: the mock must be published exactly when the published CLI depends on it for
/// its rehearsals, which the check on published dependencies below enforces.
fn publish_rule(name: &str) -> Option<bool> {
    match name {
        "sehat" | "sehat-test-pg" => Some(false),
        "sehat-whatsapp-mock" => None,
        _ => Some(true),
    }
}

/// Whether `from` may depend on the workspace crate `to` with a dependency of `kind`
/// (`None` for a normal dependency, `"dev"` or `"build"`); `Err` says which rule forbids it.
fn allowed(from: &str, to: &str, kind: Option<&str>) -> Result<(), String> {
    let (Some(from_layer), Some(to_layer)) = (layer(from), layer(to)) else {
        return Err(format!(
            "{from} -> {to}: a crate without a layer (add it to tests/crate_layers.rs and \
             docs/architecture.md)"
        ));
    };
    let dev = kind == Some("dev");
    let refuse = |rule: &str| {
        Err(format!(
            "{from} -> {to} ({}): {rule}",
            kind.unwrap_or("normal")
        ))
    };
    // The one normal dependency on test support outside test support itself.
    let dev_or_rehearsal = dev || (from == "sehat-cli" && to == "sehat-whatsapp-mock");
    match to_layer {
        Layer::Root => return refuse("nothing depends on the root package"),
        Layer::Cli => return refuse("nothing depends on the command-line crate"),
        Layer::TestSupport if !dev_or_rehearsal && from_layer != Layer::TestSupport => {
            return refuse(
                "test-support crates are dev-dependencies only (the CLI's rehearsal use of \
                 the mock aside)",
            );
        }
        _ => {}
    }
    match (from_layer, to_layer) {
        (Layer::Domain, Layer::TestSupport) => Ok(()),
        (Layer::Domain, _) => refuse("a domain crate depends on no other sehat crate"),
        (Layer::Outbox, Layer::Domain | Layer::TestSupport) => Ok(()),
        (Layer::Outbox, _) => refuse("sehat-outbox depends only on domain crates"),
        (Layer::TestSupport, Layer::Domain | Layer::TestSupport) => Ok(()),
        (Layer::TestSupport, _) => refuse("test support depends only on domain crates"),
        (Layer::Cli | Layer::Root, _) => Ok(()),
    }
}

fn metadata() -> Value {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(cargo)
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo metadata runs");
    assert!(
        output.status.success(),
        "cargo metadata failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("cargo metadata prints JSON")
}

fn packages(metadata: &Value) -> Vec<&Value> {
    metadata["packages"]
        .as_array()
        .expect("packages")
        .iter()
        .collect()
}

fn is_published(package: &Value) -> bool {
    // `publish = false` is reported as an empty list of registries.
    package["publish"]
        .as_array()
        .is_none_or(|registries| !registries.is_empty())
}

#[test]
fn workspace_crates_depend_only_along_the_layers() {
    let metadata = metadata();
    let packages = packages(&metadata);
    let names: Vec<&str> = packages
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"sehat-whatsapp") && names.contains(&"sehat-outbox"));
    let mut broken = Vec::new();
    for package in &packages {
        let from = package["name"].as_str().unwrap();
        if layer(from).is_none() {
            broken.push(format!("{from}: a crate without a layer"));
        }
        for dependency in package["dependencies"].as_array().unwrap() {
            let to = dependency["name"].as_str().unwrap();
            if !names.contains(&to) {
                continue;
            }
            if let Err(rule) = allowed(from, to, dependency["kind"].as_str()) {
                broken.push(rule);
            }
        }
    }
    assert!(
        broken.is_empty(),
        "layering rules broken:\n{}",
        broken.join("\n")
    );
}

#[test]
fn published_crates_can_be_packaged_alone() {
    let metadata = metadata();
    let packages = packages(&metadata);
    let published: Vec<&str> = packages
        .iter()
        .filter(|p| is_published(p))
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    let mut broken = Vec::new();
    for package in &packages {
        let name = package["name"].as_str().unwrap();
        let publish = is_published(package);
        if publish_rule(name).is_some_and(|rule| rule != publish) {
            broken.push(format!(
                "{name}: {}",
                if publish {
                    "must be `publish = false`"
                } else {
                    "is meant for crates.io but is `publish = false`"
                }
            ));
        }
        if !publish {
            continue;
        }
        if package["metadata"]["docs"]["rs"]["all-features"] != Value::Bool(true) {
            broken.push(format!(
                "{name}: [package.metadata.docs.rs] needs all-features = true"
            ));
        }
        for dependency in package["dependencies"].as_array().unwrap() {
            let to = dependency["name"].as_str().unwrap();
            if dependency["path"].is_null() {
                continue;
            }
            // `cargo package` drops a dev-dependency given by path alone, so only the
            // others need a published crate and a version.
            if dependency["kind"].as_str() == Some("dev") {
                continue;
            }
            if !published.contains(&to) {
                broken.push(format!(
                    "{name} -> {to}: a published crate needs it published"
                ));
                continue;
            }
            if dependency["req"].as_str() == Some("*") {
                broken.push(format!("{name} -> {to}: a path dependency needs a version"));
            }
        }
    }
    assert!(
        broken.is_empty(),
        "publishing rules broken:\n{}",
        broken.join("\n")
    );
}

/// The rules themselves refuse what docs/architecture.md forbids.
#[test]
fn the_rules_refuse_the_forbidden_edges() {
    let refused = [
        ("sehat-whatsapp", "sehat-pseudonym", None),
        ("sehat-anthro", "sehat-immunization", Some("dev")),
        ("sehat-pseudonym", "sehat-outbox", None),
        ("sehat-immunization", "sehat-cli", Some("build")),
        ("sehat-outbox", "sehat-cli", None),
        ("sehat-outbox", "sehat-test-pg", None),
        ("sehat-outbox", "sehat-whatsapp-mock", None),
        ("sehat-whatsapp", "sehat-whatsapp-mock", None),
        ("sehat-whatsapp-mock", "sehat-outbox", None),
        ("sehat-cli", "sehat-test-pg", None),
        ("sehat", "sehat-whatsapp-mock", None),
        ("sehat-cli", "sehat", None),
        ("sehat-outbox", "sehat-new", None),
    ];
    for (from, to, kind) in refused {
        assert!(
            allowed(from, to, kind).is_err(),
            "{from} -> {to} ({kind:?})"
        );
    }
    let accepted = [
        ("sehat-outbox", "sehat-whatsapp", None),
        ("sehat-outbox", "sehat-test-pg", Some("dev")),
        ("sehat-whatsapp", "sehat-whatsapp-mock", Some("dev")),
        ("sehat-whatsapp-mock", "sehat-whatsapp", None),
        ("sehat-cli", "sehat-whatsapp-mock", None),
        ("sehat-cli", "sehat-outbox", None),
        ("sehat", "sehat-whatsapp-mock", Some("dev")),
    ];
    for (from, to, kind) in accepted {
        assert_eq!(allowed(from, to, kind), Ok(()), "{from} -> {to} ({kind:?})");
    }
}
