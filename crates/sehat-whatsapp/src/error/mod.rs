//! Errors: the Graph API's error object classified by code ([`ApiError`], [`ErrorKind`],
//! [`RetryClass`]) and the client's error type ([`Error`]).

mod api;
#[cfg(feature = "client")]
mod client;

pub use api::{ApiError, ErrorData, ErrorKind, NotAnErrorBody, RetryClass};
#[cfg(feature = "client")]
#[cfg_attr(docsrs, doc(cfg(feature = "client")))]
pub use client::{Error, Unanswered};
#[cfg(feature = "client")]
pub(crate) use client::{decode_error, snippet};
