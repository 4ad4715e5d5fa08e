//! The sehat crates, composed.
//!
//! This package hosts the workspace's examples and cross-crate benchmarks, and re-exports
//! the four domain crates and the outbox under short names:
//!
//! | module | crate | what it is |
//! |---|---|---|
//! | [`whatsapp`] | `sehat-whatsapp` | WhatsApp Business Platform Cloud API client and webhooks |
//! | [`immunization`] | `sehat-immunization` | CDSi immunization evaluator and forecaster |
//! | [`anthro`] | `sehat-anthro` | WHO growth z-scores and classifications |
//! | [`pseudonym`] | `sehat-pseudonym` | E.164 phone numbers and keyed pseudonyms |
//! | [`outbox`] | `sehat-outbox` | durable reminders, consent and campaigns on SQLite or PostgreSQL |
//!
//! and holds what the examples share, so each example is a thin program over it:
//!
//! | module | what it is |
//! |---|---|
//! | [`tanggal`] | dates as Indonesians write and read them |
//! | [`bot`] | the WhatsApp bot's rules: nutrition status, immunization schedule, growth chart, menu |
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub use sehat_anthro as anthro;
pub use sehat_immunization as immunization;
pub use sehat_outbox as outbox;
pub use sehat_pseudonym as pseudonym;
pub use sehat_whatsapp as whatsapp;

pub mod bot;
pub mod tanggal;
