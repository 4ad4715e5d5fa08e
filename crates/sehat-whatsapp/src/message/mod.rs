//! Outgoing messages.

mod build_error;

pub use build_error::BuildError;
