//! A message to schedule, and what scheduling it did.

use std::collections::BTreeMap;

use time::OffsetDateTime;

use super::{MessageKey, Purpose, SendToken, State, SubjectRef, TimeZoneName};

/// A message to schedule: already pseudonymized and tokenized (see
/// [`Outbox::prepare`](crate::Outbox::prepare) for the way from a phone number typed by a
/// person).
#[derive(Debug, Clone, PartialEq)]
pub struct NewMessage {
    /// The caller's idempotency key.
    pub key: MessageKey,
    /// The canonical subject (pseudonym of the number).
    pub subject: SubjectRef,
    /// The token of the number, for the dispatcher.
    pub token: SendToken,
    /// Why the message is sent.
    pub purpose: Purpose,
    /// The approved template's name.
    pub template: String,
    /// The template's language code (`id`, `en_US` …).
    pub language: String,
    /// Named template parameters (`{{nama}}` → `"Sari"`).
    pub params: BTreeMap<String, String>,
    /// Not sent before this instant.
    pub not_before: OffsetDateTime,
    /// Not sent after this instant: past it the message expires.
    pub not_after: Option<OffsetDateTime>,
    /// The recipient's time zone, for quiet hours.
    pub timezone: TimeZoneName,
}

impl NewMessage {
    /// A message with no parameters, no `not_after` and the default time zone.
    #[must_use]
    pub fn new(
        key: MessageKey,
        subject: SubjectRef,
        token: SendToken,
        purpose: Purpose,
        template: impl Into<String>,
        language: impl Into<String>,
        not_before: OffsetDateTime,
    ) -> NewMessage {
        NewMessage {
            key,
            subject,
            token,
            purpose,
            template: template.into(),
            language: language.into(),
            params: BTreeMap::new(),
            not_before,
            not_after: None,
            timezone: TimeZoneName::default(),
        }
    }

    /// With a named parameter.
    #[must_use]
    pub fn param(mut self, name: impl Into<String>, value: impl Into<String>) -> NewMessage {
        self.params.insert(name.into(), value.into());
        self
    }

    /// With a `not_after`.
    #[must_use]
    pub fn not_after(mut self, at: OffsetDateTime) -> NewMessage {
        self.not_after = Some(at);
        self
    }

    /// With a time zone.
    #[must_use]
    pub fn timezone(mut self, zone: TimeZoneName) -> NewMessage {
        self.timezone = zone;
        self
    }

    /// Whether a stored message has the same content (everything the caller gives).
    #[must_use]
    pub fn same_content(&self, other: &NewMessage) -> bool {
        self == other
    }
}

/// What scheduling one message did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScheduleOutcome {
    /// A new message.
    New,
    /// A still-scheduled message with the same key got the new content.
    Updated,
    /// A message with the same key and the same content exists.
    Unchanged,
    /// A message with the same key is past `scheduled` (claimed, sent, cancelled …); it
    /// was left alone.
    Refused {
        /// The state it is in.
        state: State,
    },
}

impl ScheduleOutcome {
    /// `new`, `updated`, `unchanged` or `refused`.
    #[must_use]
    pub fn as_str(&self) -> &'static str {
        match self {
            ScheduleOutcome::New => "new",
            ScheduleOutcome::Updated => "updated",
            ScheduleOutcome::Unchanged => "unchanged",
            ScheduleOutcome::Refused { .. } => "refused",
        }
    }
}
