#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod domain;
mod key;
mod keyset;
mod phone;
mod pseudonym;
mod region;
mod subject;
mod token;

pub use domain::{Domain, DomainError};
pub use key::{KeyId, KeyIdError};
pub use keyset::{KEYSET_ENV, Keyset, KeysetError};
pub use phone::{NumberType, ParseError, PhoneNumber};
pub use pseudonym::{PSEUDONYM_LEN, Pseudonym, PseudonymParseError, Pseudonymizer};
pub use region::{InvalidRegion, Region};
pub use subject::{Bsuid, BsuidError, Contact, Subject, SubjectKind};
pub use token::{TOKEN_KEYSET_ENV, Token, TokenError, TokenKeyset};
