//! The request and response bodies of the Groups API.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::ApiError;
use crate::ids::{GroupId, WaId};
use crate::message::BuildError;
use crate::template::Paging;

/// The longest group subject Meta accepts, in characters.
pub const MAX_SUBJECT: usize = 128;
/// The longest group description Meta accepts, in characters.
pub const MAX_DESCRIPTION: usize = 2048;
/// The most participants one add or remove call may name.
pub const MAX_PARTICIPANTS_PER_CALL: usize = 8;

/// Whether people who open the invite link join at once or ask first.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum JoinApprovalMode {
    /// Anyone with the link joins (Meta's default).
    AutoApprove,
    /// A join request must be approved first.
    ApprovalRequired,
    /// A value this version does not know.
    #[serde(untagged)]
    Other(String),
}

/// A group to create (`POST /{phone-number-id}/groups`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewGroup {
    messaging_product: &'static str,
    subject: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    join_approval_mode: Option<JoinApprovalMode>,
}

impl NewGroup {
    /// A group with this subject (trimmed, 1 to 128 characters).
    ///
    /// # Errors
    ///
    /// [`BuildError::Empty`] or [`BuildError::TooLong`] for `subject`.
    ///
    /// # Examples
    ///
    /// ```
    /// use sehat_whatsapp::group::{JoinApprovalMode, NewGroup};
    /// let group = NewGroup::new("Pita Pink Jakarta Timur")?
    ///     .description("Edukasi deteksi dini kanker payudara")?
    ///     .join_approval(JoinApprovalMode::ApprovalRequired);
    /// assert!(NewGroup::new("   ").is_err());
    /// # Ok::<(), sehat_whatsapp::message::BuildError>(())
    /// ```
    pub fn new(subject: impl Into<String>) -> Result<Self, BuildError> {
        let subject = subject.into().trim().to_owned();
        crate::message::check_text("subject", &subject, MAX_SUBJECT)?;
        Ok(Self {
            messaging_product: "whatsapp",
            subject,
            description: None,
            join_approval_mode: None,
        })
    }

    /// Sets the description (at most 2048 characters).
    ///
    /// # Errors
    ///
    /// [`BuildError::TooLong`] for `description`.
    ///
    /// # Examples
    ///
    /// See [`NewGroup::new`].
    pub fn description(mut self, description: impl Into<String>) -> Result<Self, BuildError> {
        let description = description.into();
        crate::message::check_len("description", &description, MAX_DESCRIPTION)?;
        self.description = Some(description);
        Ok(self)
    }

    /// Sets the join approval mode.
    #[must_use]
    pub fn join_approval(mut self, mode: JoinApprovalMode) -> Self {
        self.join_approval_mode = Some(mode);
        self
    }

    /// The subject, trimmed.
    #[must_use]
    pub fn subject(&self) -> &str {
        &self.subject
    }
}

/// A settings update (`POST /{group-id}`): subject and description.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GroupUpdate {
    messaging_product: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    subject: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
}

impl Default for GroupUpdate {
    fn default() -> Self {
        Self {
            messaging_product: "whatsapp",
            subject: None,
            description: None,
        }
    }
}

impl GroupUpdate {
    /// An update that changes nothing yet.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// A new subject (trimmed, 1 to 128 characters).
    ///
    /// # Errors
    ///
    /// [`BuildError::Empty`] or [`BuildError::TooLong`] for `subject`.
    ///
    /// # Examples
    ///
    /// ```
    /// use sehat_whatsapp::group::GroupUpdate;
    /// let update = GroupUpdate::new().subject("Pita Pink 2026")?;
    /// assert!(GroupUpdate::new().subject("x".repeat(129)).is_err());
    /// # Ok::<(), sehat_whatsapp::message::BuildError>(())
    /// ```
    pub fn subject(mut self, subject: impl Into<String>) -> Result<Self, BuildError> {
        let subject = subject.into().trim().to_owned();
        crate::message::check_text("subject", &subject, MAX_SUBJECT)?;
        self.subject = Some(subject);
        Ok(self)
    }

    /// A new description (at most 2048 characters).
    ///
    /// # Errors
    ///
    /// [`BuildError::TooLong`] for `description`.
    ///
    /// # Examples
    ///
    /// ```
    /// use sehat_whatsapp::group::GroupUpdate;
    /// let update = GroupUpdate::new().description("Jadwal SADANIS bulan ini")?;
    /// # Ok::<(), sehat_whatsapp::message::BuildError>(())
    /// ```
    pub fn description(mut self, description: impl Into<String>) -> Result<Self, BuildError> {
        let description = description.into();
        crate::message::check_len("description", &description, MAX_DESCRIPTION)?;
        self.description = Some(description);
        Ok(self)
    }

    /// Whether the update changes nothing.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.subject.is_none() && self.description.is_none()
    }
}

/// The answer to a create: the group arrives later, in a `group_lifecycle_update`
/// webhook (`group_create`) carrying this request id, the group id and its invite link.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct GroupCreated {
    /// The creation request's id.
    pub request_id: String,
    /// Fields not modelled here.
    #[serde(flatten)]
    pub extra: crate::Extra,
}

/// One group in a list of active groups.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct GroupSummary {
    /// The group id.
    pub id: GroupId,
    /// The subject.
    #[serde(default)]
    pub subject: Option<String>,
    /// When it was created, as Meta writes it.
    #[serde(default, deserialize_with = "string_or_number")]
    pub created_at: Option<String>,
    /// Fields not modelled here.
    #[serde(flatten)]
    pub extra: crate::Extra,
}

/// A page of active groups (`GET /{phone-number-id}/groups`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct GroupPage {
    /// The groups.
    pub groups: Vec<GroupSummary>,
    /// The cursors.
    pub paging: Option<Paging>,
}

impl GroupPage {
    /// The cursor of the next page, when Meta says there is one.
    #[must_use]
    pub fn next_cursor(&self) -> Option<&str> {
        let paging = self.paging.as_ref()?;
        paging.next.as_ref()?;
        paging.cursors.as_ref()?.get("after")?.as_str()
    }
}

#[derive(Deserialize)]
pub(crate) struct GroupListBody {
    #[serde(default)]
    pub data: GroupListData,
    #[serde(default)]
    pub paging: Option<Paging>,
}

#[derive(Default, Deserialize)]
pub(crate) struct GroupListData {
    #[serde(default)]
    pub groups: Vec<GroupSummary>,
}

/// A group member as `GET /{group-id}` lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct GroupMember {
    /// The member's WhatsApp id (masked in `Debug`).
    #[serde(default, deserialize_with = "crate::ids::empty_as_none")]
    pub wa_id: Option<WaId>,
    /// Fields not modelled here.
    #[serde(flatten)]
    pub extra: crate::Extra,
}

/// A group's metadata (`GET /{group-id}`, Meta's `GroupInfo`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct GroupInfo {
    /// The group id.
    pub id: GroupId,
    /// The subject.
    #[serde(default)]
    pub subject: Option<String>,
    /// The description.
    #[serde(default)]
    pub description: Option<String>,
    /// The join approval mode.
    #[serde(default)]
    pub join_approval_mode: Option<JoinApprovalMode>,
    /// Whether WhatsApp suspended the group.
    #[serde(default)]
    pub suspended: Option<bool>,
    /// When the group was created (Unix seconds).
    #[serde(default)]
    pub creation_timestamp: Option<i64>,
    /// The members (when asked for with `fields=participants`).
    #[serde(default)]
    pub participants: Vec<GroupMember>,
    /// How many members, not counting the business.
    #[serde(default)]
    pub total_participant_count: Option<u64>,
    /// Fields not modelled here.
    #[serde(flatten)]
    pub extra: crate::Extra,
}

/// The fields `GET /{group-id}` can return.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum GroupField {
    /// `subject`.
    Subject,
    /// `description`.
    Description,
    /// `participants`.
    Participants,
    /// `join_approval_mode`.
    JoinApprovalMode,
    /// `suspended`.
    Suspended,
    /// `creation_timestamp`.
    CreationTimestamp,
    /// `total_participant_count`.
    TotalParticipantCount,
}

impl GroupField {
    /// Every field.
    pub const ALL: [Self; 7] = [
        Self::Subject,
        Self::Description,
        Self::Participants,
        Self::JoinApprovalMode,
        Self::Suspended,
        Self::CreationTimestamp,
        Self::TotalParticipantCount,
    ];

    /// The name in `fields=`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Subject => "subject",
            Self::Description => "description",
            Self::Participants => "participants",
            Self::JoinApprovalMode => "join_approval_mode",
            Self::Suspended => "suspended",
            Self::CreationTimestamp => "creation_timestamp",
            Self::TotalParticipantCount => "total_participant_count",
        }
    }
}

/// A group's invite link (`POST /{group-id}/invite_link`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct InviteLink {
    /// The link, `https://chat.whatsapp.com/…`.
    pub invite_link: String,
    /// Fields not modelled here.
    #[serde(flatten)]
    pub extra: crate::Extra,
}

/// An open join request (`GET /{group-id}/join_requests`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct JoinRequest {
    /// The request id, to approve or reject.
    pub join_request_id: String,
    /// Who asked (masked in `Debug`).
    #[serde(default, deserialize_with = "crate::ids::empty_as_none")]
    pub wa_id: Option<WaId>,
    /// When they asked (Unix seconds).
    #[serde(default)]
    pub creation_timestamp: Option<i64>,
    /// Fields not modelled here.
    #[serde(flatten)]
    pub extra: crate::Extra,
}

/// A join request that could not be approved or rejected.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct FailedJoinRequest {
    /// The request id.
    pub join_request_id: String,
    /// Why.
    #[serde(default)]
    pub errors: Vec<ApiError>,
}

/// The answer to approving or rejecting join requests.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct JoinRequestsResult {
    /// The requests approved (for an approval).
    #[serde(default)]
    pub approved_join_requests: Vec<String>,
    /// The requests rejected (for a rejection).
    #[serde(default)]
    pub rejected_join_requests: Vec<String>,
    /// The requests that failed, with why.
    #[serde(default)]
    pub failed_join_requests: Vec<FailedJoinRequest>,
    /// Errors about the call as a whole.
    #[serde(default)]
    pub errors: Vec<ApiError>,
    /// Fields not modelled here.
    #[serde(flatten)]
    pub extra: crate::Extra,
}

/// The answer to adding or removing participants. The spec leaves its shape open; the
/// webhook `group_participants_update` reports what finally happened.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ParticipantsResult {
    /// Participants that could not be added or removed, as Meta lists them.
    #[serde(default)]
    pub failed_participants: Vec<Value>,
    /// Errors about the call as a whole.
    #[serde(default)]
    pub errors: Vec<ApiError>,
    /// Every other field (`success`, `added_participants`, `removed_participants` …).
    #[serde(flatten)]
    pub extra: crate::Extra,
}

#[derive(Serialize)]
pub(crate) struct ProductOnly {
    pub messaging_product: &'static str,
}

#[derive(Serialize)]
pub(crate) struct JoinRequestIds<'a> {
    pub messaging_product: &'static str,
    pub join_requests: &'a [String],
}

#[derive(Serialize)]
pub(crate) struct Participants<'a> {
    pub messaging_product: &'static str,
    pub participants: Vec<ParticipantUser<'a>>,
}

#[derive(Serialize)]
pub(crate) struct ParticipantUser<'a> {
    pub user: &'a str,
}

/// `{"success": true}` or `{"success": "true"}` (the invite-link delete answers a string).
#[derive(Deserialize)]
pub(crate) struct LooseSuccess {
    #[serde(default)]
    pub success: Value,
}

impl LooseSuccess {
    pub fn is_success(&self) -> bool {
        matches!(&self.success, Value::Bool(true)) || self.success.as_str() == Some("true")
    }
}

fn string_or_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Option::<Value>::deserialize(d)? {
        Some(Value::String(s)) => Some(s),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    })
}
