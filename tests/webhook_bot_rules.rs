//! The webhook bot's reply rules: the unit tests inside its modules, run by
//! `cargo test` (an example's own `#[test]`s run only with `--example`).

// The bot's `main` uses parts of these modules that the tests do not.
#![allow(dead_code)]

#[path = "../examples/webhook_bot/nutrition.rs"]
mod nutrition;
#[path = "../examples/common/tanggal.rs"]
mod tanggal;
#[path = "../examples/webhook_bot/vaccines.rs"]
mod vaccines;
