//! The one error type of the binary: a message printed on one line.

use std::fmt;

/// An error the binary reports on one line of stderr before exiting non-zero.
///
/// Any `std::error::Error` converts into it with `?`; the message then holds the error and
/// its chain of sources, joined by `: `.
#[derive(Debug)]
pub struct CliError(String);

impl CliError {
    /// An error with the given message.
    pub fn msg(message: impl Into<String>) -> Self {
        Self(message.into())
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<E: std::error::Error> From<E> for CliError {
    fn from(error: E) -> Self {
        let mut message = error.to_string();
        let mut source = error.source();
        while let Some(cause) = source {
            let text = cause.to_string();
            if !message.contains(&text) {
                message.push_str(": ");
                message.push_str(&text);
            }
            source = cause.source();
        }
        Self(message)
    }
}

/// The result of a subcommand.
pub type Result<T = ()> = std::result::Result<T, CliError>;
