//! Errors: the Graph API's error object classified by code ([`ApiError`], [`ErrorKind`],
//! [`RetryClass`]) and the client's error type ([`Error`]).

mod api;
mod client;

pub use api::{ApiError, ErrorData, ErrorKind, NotAnErrorBody, RetryClass};
pub use client::{Error, Unanswered};
pub(crate) use client::{decode_error, snippet};
