//! Walking a payload event by event.

use super::dedupe::DedupeKey;
use super::error_entry::ErrorEntry;
use super::fields::ChangeValue;
use super::group::GroupEvent;
use super::message::InboundMessage;
use super::metadata::Metadata;
use super::payload::{Change, Entry, WebhookPayload};
use super::preference::UserPreference;
use super::status::Status;
use super::user::{Contact, UserRef};

/// Where an event came from: its entry and change.
#[derive(Debug, Clone, Copy)]
pub struct Origin<'a> {
    /// The entry (WhatsApp Business Account).
    pub entry: &'a Entry,
    /// The change.
    pub change: &'a Change,
}

impl<'a> Origin<'a> {
    /// The WhatsApp Business Account id.
    #[must_use]
    pub fn waba_id(&self) -> &'a str {
        self.entry.id.as_str()
    }

    /// The webhook field.
    #[must_use]
    pub fn field(&self) -> &'a str {
        &self.change.field
    }

    /// The business phone number the change is about, when the value carries it.
    #[must_use]
    pub fn metadata(&self) -> Option<&'a Metadata> {
        self.change.value.metadata()
    }

    /// The business phone-number id, when the value carries it.
    #[must_use]
    pub fn phone_number_id(&self) -> Option<&'a str> {
        self.metadata()?.phone_number_id.as_ref().map(AsRef::as_ref)
    }
}

/// A message from a user (or an echo of one the business sent from the app).
#[derive(Debug, Clone, Copy)]
pub struct MessageEvent<'a> {
    /// Where it came from.
    pub origin: Origin<'a>,
    /// The message.
    pub message: &'a InboundMessage,
    /// The sender's entry in `contacts`, when there is one.
    pub contact: Option<&'a Contact>,
}

impl MessageEvent<'_> {
    /// The sender, with what the `contacts` entry adds (username, and an id the message
    /// itself lacks).
    #[must_use]
    pub fn sender(&self) -> UserRef {
        let mut user = self.message.sender();
        if let Some(contact) = self.contact {
            let known = contact.user();
            if known.matches(&user) || user.is_empty() {
                user.phone = user.phone.or(known.phone);
                user.user_id = user.user_id.or(known.user_id);
                user.parent_user_id = user.parent_user_id.or(known.parent_user_id);
                user.username = user.username.or(known.username);
            }
        }
        user
    }

    /// The sender's profile name, from `contacts`.
    #[must_use]
    pub fn profile_name(&self) -> Option<&str> {
        self.contact?.name()
    }
}

/// A status of a message the business sent.
#[derive(Debug, Clone, Copy)]
pub struct StatusEvent<'a> {
    /// Where it came from.
    pub origin: Origin<'a>,
    /// The status.
    pub status: &'a Status,
}

/// An error in `value.errors[]`, not tied to a message.
#[derive(Debug, Clone, Copy)]
pub struct ErrorEvent<'a> {
    /// Where it came from.
    pub origin: Origin<'a>,
    /// The error.
    pub error: &'a ErrorEntry,
}

/// A group lifecycle, participants, settings or status event.
#[derive(Debug, Clone, Copy)]
pub struct GroupUpdate<'a> {
    /// Where it came from.
    pub origin: Origin<'a>,
    /// The event.
    pub group: &'a GroupEvent,
}

/// A user stopped or resumed marketing messages.
#[derive(Debug, Clone, Copy)]
pub struct PreferenceEvent<'a> {
    /// Where it came from.
    pub origin: Origin<'a>,
    /// The change.
    pub preference: &'a UserPreference,
}

/// One event of a webhook payload.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub enum Event<'a> {
    /// A message from a user (`messages[]`).
    Message(MessageEvent<'a>),
    /// An echo of a message the business sent from the WhatsApp Business app
    /// (`smb_message_echoes`).
    Echo(MessageEvent<'a>),
    /// A status of a message the business sent (`statuses[]`).
    Status(StatusEvent<'a>),
    /// An error not tied to a message (`value.errors[]`).
    Error(ErrorEvent<'a>),
    /// A group event (`groups[]`).
    Group(GroupUpdate<'a>),
    /// A marketing preference change (`user_preferences[]`).
    UserPreference(PreferenceEvent<'a>),
    /// Any other change, one event per change: template, account, phone-number, Flow,
    /// call, history and unknown fields, and a change of the fields above that carries no
    /// item. Match on `change.value`.
    Change(Origin<'a>),
}

impl<'a> Event<'a> {
    /// Where the event came from.
    #[must_use]
    pub fn origin(&self) -> Origin<'a> {
        match self {
            Self::Message(e) | Self::Echo(e) => e.origin,
            Self::Status(e) => e.origin,
            Self::Error(e) => e.origin,
            Self::Group(e) => e.origin,
            Self::UserPreference(e) => e.origin,
            Self::Change(origin) => *origin,
        }
    }

    /// The webhook field the event came in.
    #[must_use]
    pub fn field(&self) -> &'a str {
        self.origin().field()
    }

    /// The user the event is about, when there is one: a message's sender, a status's
    /// recipient, a preference's user, a join-request's requester.
    #[must_use]
    pub fn user(&self) -> Option<UserRef> {
        let user = match self {
            Self::Message(e) => e.sender(),
            Self::Echo(e) => UserRef::new(e.message.to.clone(), None),
            Self::Status(e) => e.status.recipient(),
            Self::UserPreference(e) => e.preference.user(),
            Self::Group(e) => UserRef::new(e.group.wa_id.clone(), e.group.user_id.clone()),
            Self::Error(_) | Self::Change(_) => return None,
        };
        (!user.is_empty()).then_some(user)
    }

    /// A short name for the kind of event: `message`, `message_echo`, `status`, `error`,
    /// `group`, `user_preference`, or for other changes the value's
    /// [`kind`](ChangeValue::kind) (`template_status`, `account_alert`, `unknown`, …).
    #[must_use]
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Message(_) => "message",
            Self::Echo(_) => "message_echo",
            Self::Status(_) => "status",
            Self::Error(_) => "error",
            Self::Group(_) => "group",
            Self::UserPreference(_) => "user_preference",
            Self::Change(origin) => origin.change.value.kind(),
        }
    }

    /// The event's id: a message's or status's wamid, a group id, a template id, …
    #[must_use]
    pub fn id(&self) -> Option<&'a str> {
        match self {
            Self::Message(e) | Self::Echo(e) => e.message.id.as_ref().map(AsRef::as_ref),
            Self::Status(e) => e.status.id.as_ref().map(AsRef::as_ref),
            Self::Error(_) => None,
            Self::Group(e) => e.group.group_id.as_deref(),
            Self::UserPreference(e) => e
                .preference
                .user_id
                .as_ref()
                .map(crate::ids::BusinessScopedUserId::as_str),
            Self::Change(origin) => origin.change.value.summary().0,
        }
    }

    /// The event's type: a message's type, a status (`sent` … `failed`), an error's code,
    /// a group event type, a preference (`stop`, `resume`), a template event, …
    #[must_use]
    pub fn type_str(&self) -> Option<std::borrow::Cow<'a, str>> {
        use std::borrow::Cow;
        match self {
            Self::Message(e) | Self::Echo(e) => Some(Cow::Borrowed(e.message.kind.as_str())),
            Self::Status(e) => e.status.status.as_ref().map(|s| Cow::Borrowed(s.as_str())),
            Self::Error(e) => e.error.code.map(|c| Cow::Owned(c.to_string())),
            Self::Group(e) => e.group.kind.as_ref().map(|k| Cow::Borrowed(k.as_str())),
            Self::UserPreference(e) => e
                .preference
                .value
                .as_ref()
                .map(|v| Cow::Borrowed(v.as_str())),
            Self::Change(origin) => origin.change.value.summary().1.map(Cow::Borrowed),
        }
    }

    /// The key to deduplicate re-deliveries on: the wamid for messages and echoes,
    /// `(wamid, status)` for statuses, the group id with type, request and time for group
    /// events, the user with value and time for preferences; `None` for other events.
    #[must_use]
    pub fn dedupe_key(&self) -> Option<DedupeKey> {
        match self {
            Self::Message(e) => e
                .message
                .id
                .as_ref()
                .map(|id| DedupeKey::message(id.as_ref())),
            Self::Echo(e) => e
                .message
                .id
                .as_ref()
                .map(|id| DedupeKey::new(format!("echo:{}", id.as_ref()))),
            Self::Status(e) => e
                .status
                .id
                .as_ref()
                .map(|id| DedupeKey::status(id.as_ref(), e.status.status_str())),
            Self::Group(e) => e.group.group_id.as_deref().map(|id| {
                DedupeKey::new(format!(
                    "group:{id}:{}:{}:{}",
                    e.group.kind_str(),
                    e.group.request_id.as_deref().unwrap_or_default(),
                    e.group.timestamp.as_ref().map_or("", |t| t.as_str()),
                ))
            }),
            Self::UserPreference(e) => e.preference.user().best_key().map(|user| {
                DedupeKey::new(format!(
                    "preference:{user}:{}:{}",
                    e.preference.value.as_ref().map_or("", |v| v.as_str()),
                    e.preference.timestamp.as_ref().map_or("", |t| t.as_str()),
                ))
            }),
            Self::Error(_) | Self::Change(_) => None,
        }
    }
}

impl WebhookPayload {
    /// The events in the payload, in order: one per message, status and error of each
    /// `messages` change, one per group event and preference change, and one per change
    /// of any other field (or of those fields when it carries no item), so no change is
    /// skipped.
    ///
    /// # Examples
    ///
    /// See [`from_slice`](Self::from_slice).
    #[must_use]
    pub fn events(&self) -> Events<'_> {
        Events::new(self)
    }
}

/// The events of a payload, in order; see [`WebhookPayload::events`].
#[derive(Debug)]
pub struct Events<'a> {
    inner: std::vec::IntoIter<Event<'a>>,
}

impl<'a> Events<'a> {
    pub(crate) fn new(payload: &'a WebhookPayload) -> Self {
        let mut events = Vec::new();
        for entry in &payload.entry {
            for change in &entry.changes {
                push_change(&mut events, Origin { entry, change });
            }
        }
        Self {
            inner: events.into_iter(),
        }
    }
}

fn push_change<'a>(events: &mut Vec<Event<'a>>, origin: Origin<'a>) {
    let before = events.len();
    match &origin.change.value {
        ChangeValue::Messages(value) => {
            for message in &value.messages {
                events.push(Event::Message(MessageEvent {
                    origin,
                    message,
                    contact: sender_contact(&value.contacts, message),
                }));
            }
            for message in &value.message_echoes {
                events.push(Event::Echo(MessageEvent {
                    origin,
                    message,
                    contact: None,
                }));
            }
            for status in &value.statuses {
                events.push(Event::Status(StatusEvent { origin, status }));
            }
            for error in &value.errors {
                events.push(Event::Error(ErrorEvent { origin, error }));
            }
        }
        ChangeValue::MessageEchoes(value) => {
            for message in value.message_echoes.iter().chain(&value.messages) {
                events.push(Event::Echo(MessageEvent {
                    origin,
                    message,
                    contact: None,
                }));
            }
            for error in &value.errors {
                events.push(Event::Error(ErrorEvent { origin, error }));
            }
        }
        ChangeValue::Groups(value) => {
            for group in &value.groups {
                events.push(Event::Group(GroupUpdate { origin, group }));
            }
        }
        ChangeValue::UserPreferences(value) => {
            for preference in &value.user_preferences {
                events.push(Event::UserPreference(PreferenceEvent {
                    origin,
                    preference,
                }));
            }
        }
        _ => {}
    }
    // A change with no items (or of any other field) is still one event: nothing is dropped.
    if events.len() == before {
        events.push(Event::Change(origin));
    }
}

/// The contact that sent `message`: the one whose ids match, or the only one.
fn sender_contact<'a>(contacts: &'a [Contact], message: &InboundMessage) -> Option<&'a Contact> {
    let by_id = contacts.iter().find(|c| {
        (message.from.is_some() && c.wa_id == message.from)
            || (message.from_user_id.is_some() && c.user_id == message.from_user_id)
    });
    match (by_id, contacts) {
        (Some(contact), _) => Some(contact),
        (None, [only]) => Some(only),
        _ => None,
    }
}

impl<'a> Iterator for Events<'a> {
    type Item = Event<'a>;

    fn next(&mut self) -> Option<Self::Item> {
        self.inner.next()
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.inner.size_hint()
    }
}

impl ExactSizeIterator for Events<'_> {}
