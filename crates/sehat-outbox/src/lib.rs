#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod campaign;
pub mod consent;
pub mod dispatch;
mod error;
pub mod input;
mod keys;
pub mod model;
mod outbox;
pub mod quiet;
pub mod store;
pub mod webhook;

pub use error::Error;
pub use keys::{
    KeysError, OutboxKeys, PSEUDONYM_FILE, SEND_DOMAIN, SUBJECT_DOMAIN, TOKEN_FILE, WAMID_DOMAIN,
};
pub use outbox::{AnyStore, Outbox};
