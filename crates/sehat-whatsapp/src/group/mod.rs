//! The Groups API: groups a business phone number creates for its users.
//!
//! [`GroupsApi`] covers every endpoint of Meta's spec: create a group
//! (`POST /{phone-number-id}/groups`), list the active ones, read, update and delete one
//! (`/{group-id}`), create and delete its invite link (`/{group-id}/invite_link`), list,
//! approve and reject join requests (`/{group-id}/join_requests`), and add and remove
//! participants (`/{group-id}/participants`). Sending to a group is an ordinary send with a
//! [`Recipient::Group`] (`recipient_type: "group"`); [`GroupsApi::send`] builds it.
//!
//! Creation is asynchronous: the answer carries a request id, and the group id and its
//! invite link come in a `group_lifecycle_update` webhook
//! ([`GroupEvent`](crate::webhook::GroupEvent)).
//!
//! ```no_run
//! # async fn run(client: sehat_whatsapp::Client) -> Result<(), Box<dyn std::error::Error>> {
//! use sehat_whatsapp::group::{GroupsApi, NewGroup};
//! use sehat_whatsapp::ids::{GroupId, PhoneNumberId};
//! use sehat_whatsapp::message::Text;
//!
//! let groups = GroupsApi::new(client, PhoneNumberId::new("106540352242922"));
//! let created = groups.create(&NewGroup::new("Pita Pink Jakarta Timur")?).await?;
//! // … the group_create webhook names the group …
//! let group = GroupId::new("Y2FwaV9ncm91cDoxOTUwNTU1MDA3OToxMjAzNjMzOTQzMjAdOTY0MTUZD");
//! let link = groups.invite_link(&group).await?;
//! groups.send(&group, Text::new("Selamat datang di grup Pita Pink!")).await?;
//! # Ok(()) }
//! ```

mod model;

#[cfg(feature = "client")]
use http::Method;

pub use model::{
    FailedJoinRequest, GroupCreated, GroupField, GroupInfo, GroupMember, GroupPage, GroupSummary,
    GroupUpdate, InviteLink, JoinApprovalMode, JoinRequest, JoinRequestsResult, MAX_DESCRIPTION,
    MAX_PARTICIPANTS_PER_CALL, MAX_SUBJECT, NewGroup, ParticipantsResult,
};
#[cfg(feature = "client")]
use model::{
    GroupListBody, JoinRequestIds, LooseSuccess, ParticipantUser, Participants, ProductOnly,
};

#[cfg(feature = "client")]
use crate::client::{Body, Call, Client};
#[cfg(feature = "client")]
use crate::error::Error;
#[cfg(feature = "client")]
use crate::ids::{GroupId, PhoneNumberId, Recipient};
#[cfg(feature = "client")]
use crate::message::{BuildError, Content, Message};
#[cfg(feature = "client")]
use crate::retry::Idempotency;
#[cfg(feature = "client")]
use crate::template::Page;
#[cfg(feature = "client")]
use crate::{PhoneNumberApi, SendReceipt};

/// The Groups API for one business phone number.
#[cfg(feature = "client")]
#[cfg_attr(docsrs, doc(cfg(feature = "client")))]
#[derive(Debug, Clone)]
pub struct GroupsApi {
    client: Client,
    phone: PhoneNumberId,
}

#[cfg(feature = "client")]
const PRODUCT: ProductOnly = ProductOnly {
    messaging_product: "whatsapp",
};

#[cfg(feature = "client")]
impl GroupsApi {
    /// The Groups API of `phone`, through `client`.
    #[must_use]
    pub fn new(client: Client, phone: PhoneNumberId) -> Self {
        Self { client, phone }
    }

    /// The phone-number id the groups belong to.
    #[must_use]
    pub fn phone_number_id(&self) -> &PhoneNumberId {
        &self.phone
    }

    /// Asks for a new group (`POST /{phone-number-id}/groups`). Not retried after the request
    /// left, like a send.
    ///
    /// # Errors
    ///
    /// [`Error::Api`] with the classified Graph error, and the transport errors of
    /// [`PhoneNumberApi::send`].
    ///
    /// # Examples
    ///
    /// See the [module documentation](self).
    pub async fn create(&self, group: &NewGroup) -> Result<GroupCreated, Error> {
        self.client
            .call(Call {
                method: Method::POST,
                segments: &[self.phone.as_str(), "groups"],
                query: &[],
                body: Body::json(group, "body")?,
                endpoint: "POST /{phone-number-id}/groups",
                idempotency: Idempotency::Send,
            })
            .await
    }

    /// One page of the number's active groups (`GET /{phone-number-id}/groups`), `limit`
    /// 1 to 1024 (Meta's default 25), after the cursor `after`.
    ///
    /// # Errors
    ///
    /// As [`create`](Self::create); [`Error::Build`] for a limit outside 1..=1024.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # async fn run(groups: sehat_whatsapp::group::GroupsApi) -> Result<(), sehat_whatsapp::Error> {
    /// let mut after = None;
    /// loop {
    ///     let page = groups.list(Some(100), after.as_deref()).await?;
    ///     for group in &page.groups {
    ///         println!("{} {:?}", group.id, group.subject);
    ///     }
    ///     match page.next_cursor() {
    ///         Some(cursor) => after = Some(cursor.to_owned()),
    ///         None => break,
    ///     }
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn list(&self, limit: Option<u32>, after: Option<&str>) -> Result<GroupPage, Error> {
        let mut query = Vec::new();
        if let Some(limit) = limit {
            if !(1..=1024).contains(&limit) {
                return Err(Error::Build(BuildError::Invalid {
                    field: "limit".into(),
                    reason: format!("{limit} is outside 1..=1024"),
                }));
            }
            query.push(("limit", limit.to_string()));
        }
        if let Some(after) = after {
            query.push(("after", after.to_owned()));
        }
        let body: GroupListBody = self
            .client
            .call(Call {
                method: Method::GET,
                segments: &[self.phone.as_str(), "groups"],
                query: &query,
                body: Body::None,
                endpoint: "GET /{phone-number-id}/groups",
                idempotency: Idempotency::Idempotent,
            })
            .await?;
        Ok(GroupPage {
            groups: body.data.groups,
            paging: body.paging,
        })
    }

    /// A group's metadata (`GET /{group-id}`), with these fields (Meta's default set when
    /// empty).
    ///
    /// # Errors
    ///
    /// As [`create`](Self::create).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # async fn run(groups: sehat_whatsapp::group::GroupsApi) -> Result<(), sehat_whatsapp::Error> {
    /// use sehat_whatsapp::group::GroupField;
    /// let info = groups.get(&"Y2FwaV9ncm91cDo".into(), &GroupField::ALL).await?;
    /// println!("{} members", info.total_participant_count.unwrap_or(0));
    /// # Ok(()) }
    /// ```
    pub async fn get(&self, group: &GroupId, fields: &[GroupField]) -> Result<GroupInfo, Error> {
        let fields: Vec<&str> = fields.iter().map(|f| f.as_str()).collect();
        let query = if fields.is_empty() {
            Vec::new()
        } else {
            vec![("fields", fields.join(","))]
        };
        self.client
            .call(Call {
                method: Method::GET,
                segments: &[group.as_str()],
                query: &query,
                body: Body::None,
                endpoint: "GET /{group-id}",
                idempotency: Idempotency::Idempotent,
            })
            .await
    }

    /// Changes a group's subject or description (`POST /{group-id}`).
    ///
    /// # Errors
    ///
    /// [`Error::Build`] for an update that changes nothing; otherwise as
    /// [`create`](Self::create), and [`Error::Unsuccessful`] when Meta answers
    /// `success: false`.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # async fn run(groups: sehat_whatsapp::group::GroupsApi) -> Result<(), Box<dyn std::error::Error>> {
    /// use sehat_whatsapp::group::GroupUpdate;
    /// groups.update(&"Y2FwaV9ncm91cDo".into(), &GroupUpdate::new().subject("Pita Pink 2026")?).await?;
    /// # Ok(()) }
    /// ```
    pub async fn update(&self, group: &GroupId, update: &GroupUpdate) -> Result<(), Error> {
        if update.is_empty() {
            return Err(Error::Build(BuildError::Empty {
                field: "subject or description".into(),
            }));
        }
        self.success(Call {
            method: Method::POST,
            segments: &[group.as_str()],
            query: &[],
            body: Body::json(update, "body")?,
            endpoint: "POST /{group-id}",
            idempotency: Idempotency::Idempotent,
        })
        .await
    }

    /// Deletes a group and removes everyone from it, the business included
    /// (`DELETE /{group-id}`).
    ///
    /// # Errors
    ///
    /// As [`update`](Self::update).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # async fn run(groups: sehat_whatsapp::group::GroupsApi) -> Result<(), sehat_whatsapp::Error> {
    /// groups.delete(&"Y2FwaV9ncm91cDo".into()).await?;
    /// # Ok(()) }
    /// ```
    pub async fn delete(&self, group: &GroupId) -> Result<(), Error> {
        self.success(Call {
            method: Method::DELETE,
            segments: &[group.as_str()],
            query: &[],
            body: Body::None,
            endpoint: "DELETE /{group-id}",
            idempotency: Idempotency::Idempotent,
        })
        .await
    }

    /// Creates the group's invite link, replacing (resetting) any earlier one
    /// (`POST /{group-id}/invite_link`).
    ///
    /// # Errors
    ///
    /// As [`create`](Self::create).
    ///
    /// # Examples
    ///
    /// See the [module documentation](self).
    pub async fn invite_link(&self, group: &GroupId) -> Result<InviteLink, Error> {
        self.client
            .call(Call {
                method: Method::POST,
                segments: &[group.as_str(), "invite_link"],
                query: &[],
                body: Body::json(&PRODUCT, "body")?,
                endpoint: "POST /{group-id}/invite_link",
                idempotency: Idempotency::Idempotent,
            })
            .await
    }

    /// Deletes the group's invite link, so it no longer lets anyone in
    /// (`DELETE /{group-id}/invite_link`).
    ///
    /// # Errors
    ///
    /// As [`update`](Self::update).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # async fn run(groups: sehat_whatsapp::group::GroupsApi) -> Result<(), sehat_whatsapp::Error> {
    /// groups.delete_invite_link(&"Y2FwaV9ncm91cDo".into()).await?;
    /// # Ok(()) }
    /// ```
    pub async fn delete_invite_link(&self, group: &GroupId) -> Result<(), Error> {
        self.success(Call {
            method: Method::DELETE,
            segments: &[group.as_str(), "invite_link"],
            query: &[],
            body: Body::json(&PRODUCT, "body")?,
            endpoint: "DELETE /{group-id}/invite_link",
            idempotency: Idempotency::Idempotent,
        })
        .await
    }

    /// The open join requests of a group (`GET /{group-id}/join_requests`).
    ///
    /// # Errors
    ///
    /// As [`create`](Self::create).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # async fn run(groups: sehat_whatsapp::group::GroupsApi) -> Result<(), sehat_whatsapp::Error> {
    /// let group = "Y2FwaV9ncm91cDo".into();
    /// let open = groups.join_requests(&group).await?;
    /// let ids: Vec<String> = open.data.iter().map(|r| r.join_request_id.clone()).collect();
    /// groups.approve_join_requests(&group, &ids).await?;
    /// # Ok(()) }
    /// ```
    pub async fn join_requests(&self, group: &GroupId) -> Result<Page<JoinRequest>, Error> {
        self.client
            .call(Call {
                method: Method::GET,
                segments: &[group.as_str(), "join_requests"],
                query: &[],
                body: Body::None,
                endpoint: "GET /{group-id}/join_requests",
                idempotency: Idempotency::Idempotent,
            })
            .await
    }

    /// Approves join requests (`POST /{group-id}/join_requests`).
    ///
    /// # Errors
    ///
    /// [`Error::Build`] for an empty list; otherwise as [`create`](Self::create). Requests
    /// that fail one by one are in [`JoinRequestsResult::failed_join_requests`].
    ///
    /// # Examples
    ///
    /// See [`join_requests`](Self::join_requests).
    pub async fn approve_join_requests(
        &self,
        group: &GroupId,
        requests: &[String],
    ) -> Result<JoinRequestsResult, Error> {
        self.join_request_call(
            Method::POST,
            group,
            requests,
            "POST /{group-id}/join_requests",
        )
        .await
    }

    /// Rejects join requests (`DELETE /{group-id}/join_requests`).
    ///
    /// # Errors
    ///
    /// As [`approve_join_requests`](Self::approve_join_requests).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # async fn run(groups: sehat_whatsapp::group::GroupsApi) -> Result<(), sehat_whatsapp::Error> {
    /// groups.reject_join_requests(&"Y2FwaV9ncm91cDo".into(), &["MTY0NjcwNDM1OTU6".into()]).await?;
    /// # Ok(()) }
    /// ```
    pub async fn reject_join_requests(
        &self,
        group: &GroupId,
        requests: &[String],
    ) -> Result<JoinRequestsResult, Error> {
        self.join_request_call(
            Method::DELETE,
            group,
            requests,
            "DELETE /{group-id}/join_requests",
        )
        .await
    }

    async fn join_request_call(
        &self,
        method: Method,
        group: &GroupId,
        requests: &[String],
        endpoint: &'static str,
    ) -> Result<JoinRequestsResult, Error> {
        if requests.is_empty() {
            return Err(Error::Build(BuildError::Empty {
                field: "join_requests".into(),
            }));
        }
        self.client
            .call(Call {
                method,
                segments: &[group.as_str(), "join_requests"],
                query: &[],
                body: Body::json(
                    &JoinRequestIds {
                        messaging_product: "whatsapp",
                        join_requests: requests,
                    },
                    "body",
                )?,
                endpoint,
                idempotency: Idempotency::Idempotent,
            })
            .await
    }

    /// Adds participants, 1 to 8 per call, by phone number or user id
    /// (`POST /{group-id}/participants`).
    ///
    /// # Errors
    ///
    /// [`Error::Build`] for no participant, more than 8, or a group as participant;
    /// otherwise as [`create`](Self::create).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # async fn run(groups: sehat_whatsapp::group::GroupsApi) -> Result<(), Box<dyn std::error::Error>> {
    /// use sehat_whatsapp::ids::{Recipient, WaId};
    /// let member = Recipient::from(WaId::parse("6281234567890")?);
    /// groups.add_participants(&"Y2FwaV9ncm91cDo".into(), &[member]).await?;
    /// # Ok(()) }
    /// ```
    pub async fn add_participants(
        &self,
        group: &GroupId,
        participants: &[Recipient],
    ) -> Result<ParticipantsResult, Error> {
        self.participants_call(
            Method::POST,
            group,
            participants,
            "POST /{group-id}/participants",
        )
        .await
    }

    /// Removes participants, 1 to 8 per call (`DELETE /{group-id}/participants`).
    ///
    /// # Errors
    ///
    /// As [`add_participants`](Self::add_participants).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # async fn run(groups: sehat_whatsapp::group::GroupsApi) -> Result<(), Box<dyn std::error::Error>> {
    /// use sehat_whatsapp::ids::{Recipient, WaId};
    /// let member = Recipient::from(WaId::parse("6281234567890")?);
    /// groups.remove_participants(&"Y2FwaV9ncm91cDo".into(), &[member]).await?;
    /// # Ok(()) }
    /// ```
    pub async fn remove_participants(
        &self,
        group: &GroupId,
        participants: &[Recipient],
    ) -> Result<ParticipantsResult, Error> {
        self.participants_call(
            Method::DELETE,
            group,
            participants,
            "DELETE /{group-id}/participants",
        )
        .await
    }

    async fn participants_call(
        &self,
        method: Method,
        group: &GroupId,
        participants: &[Recipient],
        endpoint: &'static str,
    ) -> Result<ParticipantsResult, Error> {
        if participants.is_empty() {
            return Err(Error::Build(BuildError::Empty {
                field: "participants".into(),
            }));
        }
        if participants.len() > MAX_PARTICIPANTS_PER_CALL {
            return Err(Error::Build(BuildError::TooMany {
                field: "participants".into(),
                count: participants.len(),
                max: MAX_PARTICIPANTS_PER_CALL,
            }));
        }
        if let Some(index) = participants
            .iter()
            .position(|p| matches!(p, Recipient::Group(_)))
        {
            return Err(Error::Build(BuildError::Invalid {
                field: format!("participants[{index}]"),
                reason: "a group cannot be a participant".into(),
            }));
        }
        let body = Participants {
            messaging_product: "whatsapp",
            participants: participants
                .iter()
                .map(|p| ParticipantUser { user: p.to_field() })
                .collect(),
        };
        let bytes = self
            .client
            .call_raw(&Call {
                method,
                segments: &[group.as_str(), "participants"],
                query: &[],
                body: Body::json(&body, "body")?,
                endpoint,
                idempotency: Idempotency::Idempotent,
            })
            .await?;
        // The spec documents no body for these answers; an empty one means accepted.
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(ParticipantsResult {
                failed_participants: Vec::new(),
                errors: Vec::new(),
                extra: crate::Extra::new(),
            });
        }
        serde_json::from_slice(&bytes)
            .map_err(|source| crate::error::decode_error(endpoint, &bytes, source))
    }

    /// Sends a message to a group (`POST /{phone-number-id}/messages` with
    /// `recipient_type: "group"`), paced like any send of the client.
    ///
    /// # Errors
    ///
    /// [`Error::Build`] when the content breaks one of Meta's limits, otherwise as
    /// [`PhoneNumberApi::send`].
    ///
    /// # Examples
    ///
    /// See the [module documentation](self).
    pub async fn send(
        &self,
        group: &GroupId,
        content: impl Into<Content>,
    ) -> Result<SendReceipt, Error> {
        let message = Message::new(Recipient::Group(group.clone()), content)?;
        PhoneNumberApi::new(self.client.clone(), self.phone.clone())
            .send(&message)
            .await
    }

    async fn success(&self, call: Call<'_>) -> Result<(), Error> {
        let endpoint = call.endpoint;
        let bytes = self.client.call_raw(&call).await?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(());
        }
        let answer: LooseSuccess = serde_json::from_slice(&bytes)
            .map_err(|source| crate::error::decode_error(endpoint, &bytes, source))?;
        if answer.is_success() || answer.success.is_null() {
            Ok(())
        } else {
            Err(Error::Unsuccessful { endpoint })
        }
    }
}
