#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod account;
mod client;
pub mod error;
mod extra;
pub mod group;
pub mod ids;
pub mod limit;
pub mod media;
pub mod message;
#[cfg(feature = "mock")]
#[cfg_attr(docsrs, doc(cfg(feature = "mock")))]
pub mod mock;
mod open_enum;
pub mod pacing;
mod phone;
mod redact;
pub mod retry;
pub mod template;
pub mod usage;
mod waba;
pub mod webhook;

pub use client::{Client, ClientBuilder, DEFAULT_BASE_URL, GraphVersion};
pub use error::Error;
pub use extra::Extra;
pub use phone::{PhoneNumberApi, SendReceipt, SentContact, SentMessage};
pub use redact::mask_identifiers;
pub use waba::WabaApi;
