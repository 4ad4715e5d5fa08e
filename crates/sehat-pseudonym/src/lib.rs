#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod phone;
mod region;

pub use phone::{NumberType, ParseError, PhoneNumber};
pub use region::{InvalidRegion, Region};
