#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]
// Without the client, the request bodies and checks the data layer defines for it go unused.
#![cfg_attr(not(feature = "client"), allow(dead_code))]

// The data layer: what Meta sends and receives, as types. It imports nothing of the
// client below, and builds without reqwest or tokio (`--no-default-features`), so a
// webhook receiver carries no HTTP client.
pub mod account;
pub mod error;
mod extra;
pub mod group;
pub mod ids;
pub mod limit;
pub mod message;
mod open_enum;
mod redact;
pub mod template;
pub mod usage;
pub mod webhook;

// The client layer (feature `client`, on by default): the Cloud API over HTTP. It builds on
// the data layer; nothing there imports it.
#[cfg(feature = "client")]
mod client;
#[cfg(feature = "client")]
#[cfg_attr(docsrs, doc(cfg(feature = "client")))]
pub mod media;
#[cfg(feature = "client")]
#[cfg_attr(docsrs, doc(cfg(feature = "client")))]
pub mod pacing;
#[cfg(feature = "client")]
mod phone;
#[cfg(feature = "client")]
#[cfg_attr(docsrs, doc(cfg(feature = "client")))]
pub mod retry;
#[cfg(feature = "client")]
mod waba;

#[cfg(feature = "client")]
#[cfg_attr(docsrs, doc(cfg(feature = "client")))]
pub use client::{Client, ClientBuilder, DEFAULT_BASE_URL, GraphVersion};
#[cfg(feature = "client")]
#[cfg_attr(docsrs, doc(cfg(feature = "client")))]
pub use error::Error;
pub use extra::Extra;
#[cfg(feature = "client")]
#[cfg_attr(docsrs, doc(cfg(feature = "client")))]
pub use phone::{PhoneNumberApi, SendReceipt, SentContact, SentMessage};
pub use redact::mask_identifiers;
#[cfg(feature = "client")]
#[cfg_attr(docsrs, doc(cfg(feature = "client")))]
pub use waba::WabaApi;
