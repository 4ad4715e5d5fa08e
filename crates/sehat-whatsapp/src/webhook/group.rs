//! Group webhooks: `group_lifecycle_update`, `group_participants_update`,
//! `group_settings_update` and `group_status_update` (`value.groups[]`).
//!
//! Group message statuses arrive in the `messages` field as ordinary
//! [`Status`](super::Status) entries with `recipient_type: "group"` and the participant in
//! `recipient_participant_id`.

use serde::Deserialize;

use super::error_entry::ErrorEntry;
use super::lenient::{self, Extra, Fallback, open_enum};
use super::metadata::Metadata;
use super::timestamp::Timestamp;
use super::user::{self, UserRef};
use crate::ids::{BusinessScopedUserId, WaId};

open_enum! {
    /// What happened to a group (`groups[].type`).
    pub enum GroupEventKind {
        /// A group was created (or creating it failed; see `errors`).
        Create => "group_create",
        /// A group was deleted.
        Delete => "group_delete",
        /// Settings (subject, description, picture) were updated.
        SettingsUpdate => "group_settings_update",
        /// Participants joined (invite link or approved request).
        ParticipantsAdd => "group_participants_add",
        /// Participants were removed or left.
        ParticipantsRemove => "group_participants_remove",
        /// A user asked to join a group that needs approval.
        JoinRequestCreated => "group_join_request_created",
        /// A user withdrew their join request.
        JoinRequestRevoked => "group_join_request_revoked",
        /// The group was suspended.
        Suspend => "group_suspend",
        /// The suspension was lifted.
        SuspendCleared => "group_suspend_cleared",
        /// Participants were added (the OpenAPI spec's spelling).
        AddParticipants => "group_add_participants",
        /// Participants were removed (the OpenAPI spec's spelling).
        RemoveParticipants => "group_remove_participants",
    }
}

/// A participant in a group webhook's `added_participants`, `removed_participants` or
/// `failed_participants`.
#[derive(Clone, Default, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct GroupParticipant {
    /// What the business sent to name the participant (phone number or user id).
    #[serde(deserialize_with = "lenient::string")]
    pub input: Option<String>,
    /// The participant's phone number; absent when empty.
    #[serde(deserialize_with = "user::wa_id")]
    pub wa_id: Option<WaId>,
    /// The participant's business-scoped user id.
    #[serde(deserialize_with = "lenient::bsuid")]
    pub user_id: Option<BusinessScopedUserId>,
    /// Why it failed, for `failed_participants`.
    #[serde(deserialize_with = "lenient::items")]
    pub errors: Vec<ErrorEntry>,
    /// Fields this version does not model.
    #[serde(flatten)]
    pub extra: Extra,
}

crate::redact::masked_debug!(GroupParticipant {
    input: number,
    wa_id: shown,
    user_id: shown,
    errors: shown,
    extra: shown,
});

impl GroupParticipant {
    /// The participant as a [`UserRef`].
    #[must_use]
    pub fn user(&self) -> UserRef {
        UserRef::new(self.wa_id.clone(), self.user_id.clone())
    }
}

impl Fallback for GroupParticipant {
    fn fallback(raw: Extra) -> Self {
        Self {
            input: lenient::member(&raw, "input"),
            extra: raw,
            ..Self::default()
        }
    }
}

/// One group event (`value.groups[]`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct GroupEvent {
    /// When it happened.
    pub timestamp: Option<Timestamp>,
    /// The group id.
    #[serde(deserialize_with = "lenient::non_empty")]
    pub group_id: Option<String>,
    /// What happened.
    #[serde(rename = "type")]
    pub kind: Option<GroupEventKind>,
    /// The id of the API request that caused it, for the business's own changes.
    #[serde(deserialize_with = "lenient::string")]
    pub request_id: Option<String>,
    /// The group subject.
    #[serde(deserialize_with = "lenient::string")]
    pub subject: Option<String>,
    /// The group description.
    #[serde(deserialize_with = "lenient::string")]
    pub description: Option<String>,
    /// The invite link, for created groups.
    #[serde(deserialize_with = "lenient::string")]
    pub invite_link: Option<String>,
    /// `approval_required` or `auto_approve`.
    #[serde(deserialize_with = "lenient::string")]
    pub join_approval_mode: Option<String>,
    /// Why participants changed (`invite_link`, `admin_approval`, …).
    #[serde(deserialize_with = "lenient::string")]
    pub reason: Option<String>,
    /// Who started the change (`business`, `participant`).
    #[serde(deserialize_with = "lenient::string")]
    pub initiated_by: Option<String>,
    /// The join request, for join-request events.
    #[serde(deserialize_with = "lenient::string")]
    pub join_request_id: Option<String>,
    /// The requester's phone number, for join-request events.
    #[serde(deserialize_with = "user::wa_id")]
    pub wa_id: Option<WaId>,
    /// The requester's business-scoped user id, for join-request events.
    #[serde(deserialize_with = "lenient::bsuid")]
    pub user_id: Option<BusinessScopedUserId>,
    /// Participants who joined.
    #[serde(deserialize_with = "lenient::items")]
    pub added_participants: Vec<GroupParticipant>,
    /// Participants who were removed or left.
    #[serde(deserialize_with = "lenient::items")]
    pub removed_participants: Vec<GroupParticipant>,
    /// Participants the change failed for.
    #[serde(deserialize_with = "lenient::items")]
    pub failed_participants: Vec<GroupParticipant>,
    /// Why the whole change failed.
    #[serde(deserialize_with = "lenient::items")]
    pub errors: Vec<ErrorEntry>,
    /// Fields this version does not model (`profile_picture`, `group_subject`,
    /// `group_description`, suspension details, …).
    #[serde(flatten)]
    pub extra: Extra,
}

impl GroupEvent {
    /// The event type as Meta spells it, or `""` when there was none.
    #[must_use]
    pub fn kind_str(&self) -> &str {
        self.kind.as_ref().map_or("", GroupEventKind::as_str)
    }

    /// Whether the change failed as a whole (it has `errors`).
    #[must_use]
    pub fn is_failure(&self) -> bool {
        !self.errors.is_empty()
    }
}

impl Fallback for GroupEvent {
    fn fallback(raw: Extra) -> Self {
        Self {
            group_id: lenient::member(&raw, "group_id"),
            kind: lenient::member(&raw, "type").map(|s| GroupEventKind::parse(&s)),
            extra: raw,
            ..Self::default()
        }
    }
}

/// The value of a group change.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct GroupsValue {
    /// Always `whatsapp`.
    #[serde(deserialize_with = "lenient::string")]
    pub messaging_product: Option<String>,
    /// The business phone number.
    pub metadata: Option<Metadata>,
    /// The group events.
    #[serde(deserialize_with = "lenient::items")]
    pub groups: Vec<GroupEvent>,
    /// Fields this version does not model.
    #[serde(flatten)]
    pub extra: Extra,
}
