//! Errors of the local checks messages pass before any request.

/// A message broke one of Meta's limits (or was incomplete), found before any request.
///
/// `field` names the JSON path of the offending value, for example
/// `interactive.action.sections[1].rows[0].title`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// A text is longer than Meta allows (lengths count characters, not bytes).
    #[error("{field} is {len} characters long; the limit is {max}")]
    TooLong {
        /// The JSON path of the text.
        field: String,
        /// Its length in characters.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// A list has more items than Meta allows.
    #[error("{field} has {count} items; the limit is {max}")]
    TooMany {
        /// The JSON path of the list.
        field: String,
        /// How many items it has.
        count: usize,
        /// The limit.
        max: usize,
    },
    /// A required text or list is empty.
    #[error("{field} must not be empty")]
    Empty {
        /// The JSON path of the value.
        field: String,
    },
    /// Two items that must be unique share an id.
    #[error("{field} repeats the id {id:?}")]
    DuplicateId {
        /// The JSON path of the list.
        field: String,
        /// The repeated id.
        id: String,
    },
    /// A value is outside its domain (a latitude over 90, a URL that is not http(s), …).
    #[error("{field}: {reason}")]
    Invalid {
        /// The JSON path of the value.
        field: String,
        /// What is wrong with it.
        reason: String,
    },
}

/// Checks a text against a character limit.
pub(crate) fn check_len(field: &str, text: &str, max: usize) -> Result<(), BuildError> {
    let len = text.chars().count();
    if len > max {
        return Err(BuildError::TooLong {
            field: field.to_owned(),
            len,
            max,
        });
    }
    Ok(())
}

/// Checks a text is non-blank and within a character limit.
pub(crate) fn check_text(field: &str, text: &str, max: usize) -> Result<(), BuildError> {
    if text.trim().is_empty() {
        return Err(BuildError::Empty {
            field: field.to_owned(),
        });
    }
    check_len(field, text, max)
}
