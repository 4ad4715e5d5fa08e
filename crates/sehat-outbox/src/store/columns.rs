//! Reading and writing the columns both backends store the same way: a stored value that
//! does not read back is a [`StoreError::Corrupt`] naming the message and the column.

use std::collections::BTreeMap;

use super::{StoreError, to_micros};
use crate::model::{MessageKey, NewMessage, Purpose, State, SubjectRef, TimeZoneName};

pub(super) fn corrupt(key: &str, field: &'static str, reason: impl ToString) -> StoreError {
    StoreError::Corrupt {
        key: key.to_owned(),
        field,
        reason: reason.to_string(),
    }
}

#[cfg_attr(not(feature = "postgres"), allow(dead_code))]
pub(super) fn params_json(params: &BTreeMap<String, String>) -> Result<String, StoreError> {
    serde_json::to_string(params).map_err(params_error)
}

/// [`params_json`] appended to `out`: the same bytes, without a string of its own.
pub(super) fn write_params_json(
    out: &mut Vec<u8>,
    params: &BTreeMap<String, String>,
) -> Result<(), StoreError> {
    serde_json::to_writer(out, params).map_err(params_error)
}

fn params_error(e: serde_json::Error) -> StoreError {
    StoreError::InvalidArgument {
        argument: "params",
        reason: e.to_string(),
    }
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

/// A stored message's content as scheduling compares it with the same key scheduled again:
/// the columns as stored, so that a value that no longer reads back counts as different.
pub(super) struct StoredContent {
    pub state: String,
    pub subject: String,
    pub token: Option<String>,
    pub purpose: String,
    pub template: String,
    pub language: String,
    pub params: Option<String>,
    pub timezone: String,
    pub not_before: i64,
    pub not_after: Option<i64>,
}

impl StoredContent {
    /// Whether `m`, whose parameters are stored as `params` ([`params_json`]), has this
    /// content (a purged token or parameters never match).
    #[cfg_attr(not(feature = "postgres"), allow(dead_code))]
    pub(super) fn same_as(&self, m: &NewMessage, params: &str) -> bool {
        self.same_content(&Content {
            subject: m.subject.as_str(),
            token: m.token.as_str(),
            purpose: m.purpose.as_str(),
            template: &m.template,
            language: &m.language,
            params,
            timezone: m.timezone.as_str(),
            not_before: to_micros(m.not_before),
            not_after: m.not_after.map(to_micros),
        })
    }

    /// Whether `c` is this content (a purged token or parameters never match).
    pub(super) fn same_content(&self, c: &Content<'_>) -> bool {
        self.subject == c.subject
            && self.token.as_deref() == Some(c.token)
            && self.purpose == c.purpose
            && self.template == c.template
            && self.language == c.language
            && self.params.as_deref() == Some(c.params)
            && self.timezone == c.timezone
            && self.not_before == c.not_before
            && self.not_after == c.not_after
    }
}

/// A message's content as it is stored (text columns borrowed, instants in microseconds).
pub(super) struct Content<'a> {
    pub subject: &'a str,
    pub token: &'a str,
    pub purpose: &'a str,
    pub template: &'a str,
    pub language: &'a str,
    pub params: &'a str,
    pub timezone: &'a str,
    pub not_before: i64,
    pub not_after: Option<i64>,
}
