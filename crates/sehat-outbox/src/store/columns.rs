//! Reading and writing the columns both backends store the same way: a stored value that
//! does not read back is a [`StoreError::Corrupt`] naming the message and the column.

use std::collections::BTreeMap;

use super::StoreError;
use crate::model::{MessageKey, Purpose, State, SubjectRef, TimeZoneName};

pub(super) fn corrupt(key: &str, field: &'static str, reason: impl ToString) -> StoreError {
    StoreError::Corrupt {
        key: key.to_owned(),
        field,
        reason: reason.to_string(),
    }
}

pub(super) fn params_json(params: &BTreeMap<String, String>) -> Result<String, StoreError> {
    serde_json::to_string(params).map_err(|e| StoreError::InvalidArgument {
        argument: "params",
        reason: e.to_string(),
    })
}

pub(super) fn key_of(text: &str) -> Result<MessageKey, StoreError> {
    MessageKey::new(text).map_err(|e| corrupt(text, "key", e))
}

pub(super) fn state_of(key: &str, text: &str) -> Result<State, StoreError> {
    text.parse().map_err(|e| corrupt(key, "state", e))
}

pub(super) fn purpose_of(key: &str, text: &str) -> Result<Purpose, StoreError> {
    text.parse().map_err(|e| corrupt(key, "purpose", e))
}

pub(super) fn zone_of(key: &str, text: &str) -> Result<TimeZoneName, StoreError> {
    TimeZoneName::new(text).map_err(|e| corrupt(key, "timezone", e))
}

pub(super) fn subject_of(key: &str, text: &str) -> Result<SubjectRef, StoreError> {
    SubjectRef::parse(text).map_err(|e| corrupt(key, "subject", e))
}
