//! The handle for one business phone number.

use bytes::Bytes;
use http::Method;
use serde::{Deserialize, Serialize};

use crate::account::{BusinessProfile, BusinessProfileUpdate, PHONE_NUMBER_FIELDS, PhoneNumber};
use crate::client::{Body, Call, Client};
use crate::error::Error;
use crate::ids::{BusinessScopedUserId, MediaId, MessageId, PhoneNumberId, WaId};
use crate::media::{MediaKind, check_upload};
use crate::message::{BuildError, Content, Message, ReadReceipt};
use crate::retry::Idempotency;
use crate::template::{Template, TemplateCheckError};

/// Sending, media upload, registration and business profile for one phone number.
///
/// Get one from [`Client::phone`].
#[derive(Debug, Clone)]
pub struct PhoneNumberApi {
    client: Client,
    id: PhoneNumberId,
}

/// The answer to a send: the recipient as WhatsApp resolved it and the message id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SendReceipt {
    /// Always `whatsapp`.
    #[serde(default)]
    pub messaging_product: String,
    /// The recipients.
    #[serde(default)]
    pub contacts: Vec<SentContact>,
    /// The messages created (one per send).
    #[serde(default)]
    pub messages: Vec<SentMessage>,
    /// Fields not modelled here.
    #[serde(flatten)]
    pub extra: crate::Extra,
}

impl SendReceipt {
    /// The id of the message created.
    #[must_use]
    pub fn message_id(&self) -> Option<&MessageId> {
        self.messages.first().map(|message| &message.id)
    }
}

/// A recipient in a [`SendReceipt`]. `Debug` masks the phone number in `input`.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SentContact {
    /// The `to` value sent.
    #[serde(default)]
    pub input: String,
    /// The user's WhatsApp id (absent when empty, as for a business-scoped user id).
    #[serde(default, deserialize_with = "crate::ids::empty_as_none")]
    pub wa_id: Option<WaId>,
    /// The user's business-scoped id, when Meta sends it.
    #[serde(default, deserialize_with = "crate::ids::empty_as_none")]
    pub user_id: Option<BusinessScopedUserId>,
    /// Fields not modelled here.
    #[serde(flatten)]
    pub extra: crate::Extra,
}

impl std::fmt::Debug for SentContact {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        struct Masked<'a>(&'a str);
        impl std::fmt::Debug for Masked<'_> {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("\"")?;
                crate::ids::mask_number(self.0, f)?;
                f.write_str("\"")
            }
        }
        let input: &dyn std::fmt::Debug = if self
            .user_id
            .as_ref()
            .is_some_and(|u| u.as_str() == self.input)
        {
            &self.input
        } else {
            &Masked(&self.input)
        };
        f.debug_struct("SentContact")
            .field("input", input)
            .field("wa_id", &self.wa_id)
            .field("user_id", &self.user_id)
            .field("extra", &self.extra)
            .finish()
    }
}

/// A message in a [`SendReceipt`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SentMessage {
    /// The message id (`wamid.…`): status webhooks refer to it.
    pub id: MessageId,
    /// `accepted`, `held_for_quality_assessment` or `paused` (template sends).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_status: Option<String>,
    /// Fields not modelled here.
    #[serde(flatten)]
    pub extra: crate::Extra,
}

#[derive(Deserialize)]
struct Created<T> {
    id: T,
}

impl PhoneNumberApi {
    pub(crate) fn new(client: Client, id: PhoneNumberId) -> Self {
        Self { client, id }
    }

    /// The phone-number id.
    #[must_use]
    pub fn id(&self) -> &PhoneNumberId {
        &self.id
    }

    /// Sends a message (`POST /{phone-number-id}/messages`), after waiting for the pacer
    /// when pacing is on. A pair rate limit (131056) then holds this recipient back for
    /// the pair interval, and a throughput error (130429) holds the number for a second
    /// (or for what `Retry-After` asks), for every sender of this client
    /// ([`Client::throttle`](crate::Client::throttle)).
    ///
    /// Retried only when Meta's answer says it is safe (`retry_short` errors such as
    /// 130429), when a proxy refused it (429) or when the request never left.
    ///
    /// # Errors
    ///
    /// [`Error::Api`] with the classified Graph error; [`Error::OutcomeUnknown`] when the
    /// request left and no answer from Meta came — a timeout, or a 5xx without a Graph
    /// error from a server in between (do not resend blindly: wait for the status
    /// webhook); [`Error::NotSent`] when the connection failed.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # async fn run(client: sehat_whatsapp::Client) -> Result<(), Box<dyn std::error::Error>> {
    /// use sehat_whatsapp::ids::{PhoneNumberId, WaId};
    /// use sehat_whatsapp::message::{Language, Message, TemplateMessage};
    ///
    /// let reminder = TemplateMessage::new("pengingat_imunisasi", Language::new("id"))
    ///     .named_body([("nama_anak", "Budi"), ("tanggal", "6 Desember")]);
    /// let receipt = client
    ///     .phone(PhoneNumberId::new("106540352242922"))
    ///     .send(&Message::new(WaId::parse("6281234567890")?, reminder)?)
    ///     .await?;
    /// println!("sent {:?}", receipt.message_id());
    /// # Ok(()) }
    /// ```
    pub async fn send(&self, message: &Message) -> Result<SendReceipt, Error> {
        if let Some(pacer) = self.client.pacer() {
            pacer.acquire(&self.id, message.recipient()).await;
        }
        // The throttle (shared with the pacer) holds this recipient after a pair rate
        // limit and the whole number after a throughput limit.
        self.send_unpaced(message).await
    }

    /// Checks a template message against its template ([`Template::check`]) and sends
    /// it: a parameter-count, named/positional or header mismatch (Meta's 132000, 132012,
    /// `(#100) Parameter name is missing`) is reported before any request.
    ///
    /// # Errors
    ///
    /// [`Error::Template`] when the message does not fit `template`, or is not a template
    /// message; then as [`send`](Self::send).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # async fn run(client: sehat_whatsapp::Client) -> Result<(), Box<dyn std::error::Error>> {
    /// use sehat_whatsapp::ids::{PhoneNumberId, WabaId, WaId};
    /// use sehat_whatsapp::message::{Language, Message, TemplateMessage};
    ///
    /// let template = client
    ///     .waba(WabaId::new("102290129340398"))
    ///     .template_by_name("pengingat_imunisasi", "id")
    ///     .await?
    ///     .ok_or("template missing")?;
    /// let reminder = TemplateMessage::new("pengingat_imunisasi", Language::new("id"))
    ///     .named_body([("nama_anak", "Budi"), ("tanggal", "6 Desember")]);
    /// let message = Message::new(WaId::parse("6281234567890")?, reminder)?;
    /// client.phone(PhoneNumberId::new("106540352242922")).send_checked(&message, &template).await?;
    /// # Ok(()) }
    /// ```
    pub async fn send_checked(
        &self,
        message: &Message,
        template: &Template,
    ) -> Result<SendReceipt, Error> {
        match message.content() {
            Content::Template(body) => template.check(body)?,
            other => {
                return Err(Error::Template(TemplateCheckError::UnexpectedComponent {
                    component: format!("template (the message is of type {})", other.type_name()),
                }));
            }
        }
        self.send(message).await
    }

    /// Sends without waiting for the pacer (for callers that pace with
    /// [`Pacer`](crate::pacing::Pacer) themselves). The client's
    /// [`Throttle`](crate::pacing::Throttle) still applies: a number or recipient Meta
    /// asked to slow down is waited for, and this send's rate-limit errors hold them for
    /// every other sender.
    ///
    /// # Errors
    ///
    /// As [`send`](Self::send).
    ///
    /// # Examples
    ///
    /// See [`send`](Self::send).
    pub async fn send_unpaced(&self, message: &Message) -> Result<SendReceipt, Error> {
        let body = Body::json(message, "message")?;
        let receipt: SendReceipt = self
            .client
            .call_send(
                Call {
                    method: Method::POST,
                    segments: &[self.id.as_str(), "messages"],
                    query: &[],
                    body,
                    endpoint: "POST /{phone-number-id}/messages",
                    idempotency: Idempotency::Send,
                },
                &self.id,
                message.recipient(),
            )
            .await?;
        // No message id here: a wamid carries the recipient's number in base64.
        tracing::debug!(to = %message.recipient(), "message sent");
        Ok(receipt)
    }

    /// Marks a received message as read (blue ticks).
    ///
    /// # Errors
    ///
    /// [`Error::Api`] and the transport errors of [`send`](Self::send).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # async fn run(phone: sehat_whatsapp::PhoneNumberApi) -> Result<(), sehat_whatsapp::Error> {
    /// phone.mark_read(&"wamid.HBgL…".into()).await?;
    /// # Ok(()) }
    /// ```
    pub async fn mark_read(&self, message: &MessageId) -> Result<(), Error> {
        self.read_receipt(message, false).await
    }

    /// Marks a received message as read and shows the typing indicator (cleared by the
    /// reply or after 25 s).
    ///
    /// # Errors
    ///
    /// As [`mark_read`](Self::mark_read).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # async fn run(phone: sehat_whatsapp::PhoneNumberApi) -> Result<(), sehat_whatsapp::Error> {
    /// phone.typing(&"wamid.HBgL…".into()).await?;
    /// # Ok(()) }
    /// ```
    pub async fn typing(&self, message: &MessageId) -> Result<(), Error> {
        self.read_receipt(message, true).await
    }

    async fn read_receipt(&self, message: &MessageId, typing: bool) -> Result<(), Error> {
        if let Some(pacer) = self.client.pacer() {
            pacer.acquire_number(&self.id).await;
        }
        let body = Body::json(&ReadReceipt::new(message, typing), "message_id")?;
        self.client
            .call_success(Call {
                method: Method::POST,
                segments: &[self.id.as_str(), "messages"],
                query: &[],
                body,
                endpoint: "POST /{phone-number-id}/messages (read)",
                idempotency: Idempotency::Idempotent,
            })
            .await
    }

    /// Uploads media (`POST /{phone-number-id}/media`, multipart) after checking its type and
    /// size against Meta's table. The id is valid for 30 days.
    ///
    /// # Errors
    ///
    /// [`Error::Build`] for a MIME type or size Meta does not accept; [`Error::Api`] and
    /// transport errors.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # async fn run(phone: sehat_whatsapp::PhoneNumberApi) -> Result<(), sehat_whatsapp::Error> {
    /// let pdf = std::fs::read("jadwal.pdf")?;
    /// let id = phone.upload_media(pdf, "application/pdf", "jadwal.pdf").await?;
    /// # Ok(()) }
    /// ```
    pub async fn upload_media(
        &self,
        data: impl Into<Bytes>,
        mime_type: &str,
        filename: &str,
    ) -> Result<MediaId, Error> {
        let data: Bytes = data.into();
        let kind: MediaKind = check_upload(mime_type, data.len() as u64)?;
        tracing::debug!(?kind, size = data.len(), "uploading media");
        let mime = mime_type.to_owned();
        let name = filename.to_owned();
        let form = move || {
            let part = reqwest::multipart::Part::stream(data.clone())
                .file_name(name.clone())
                .mime_str(&mime)
                .unwrap_or_else(|_| {
                    reqwest::multipart::Part::stream(data.clone()).file_name(name.clone())
                });
            reqwest::multipart::Form::new()
                .text("messaging_product", "whatsapp")
                .text("type", mime.clone())
                .part("file", part)
        };
        let created: Created<MediaId> = self
            .client
            .call(Call {
                method: Method::POST,
                segments: &[self.id.as_str(), "media"],
                query: &[],
                body: Body::Multipart(Box::new(form)),
                endpoint: "POST /{phone-number-id}/media",
                idempotency: Idempotency::Send,
            })
            .await?;
        Ok(created.id)
    }

    /// The phone number's details (`GET /{phone-number-id}`).
    ///
    /// # Errors
    ///
    /// [`Error::Api`], transport and decode errors.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # async fn run(phone: sehat_whatsapp::PhoneNumberApi) -> Result<(), sehat_whatsapp::Error> {
    /// let number = phone.details().await?;
    /// println!("{:?} {:?}", number.verified_name, number.quality_rating);
    /// # Ok(()) }
    /// ```
    pub async fn details(&self) -> Result<PhoneNumber, Error> {
        self.client
            .call(Call {
                method: Method::GET,
                segments: &[self.id.as_str()],
                query: &[("fields", PHONE_NUMBER_FIELDS.to_owned())],
                body: Body::None,
                endpoint: "GET /{phone-number-id}",
                idempotency: Idempotency::Idempotent,
            })
            .await
    }

    /// Registers the number for Cloud API with its two-step verification PIN (six
    /// digits).
    ///
    /// # Errors
    ///
    /// [`Error::Build`] for a PIN that is not six digits; [`Error::Api`] (133xxx codes).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # async fn run(phone: sehat_whatsapp::PhoneNumberApi) -> Result<(), sehat_whatsapp::Error> {
    /// phone.register("123456").await?;
    /// # Ok(()) }
    /// ```
    pub async fn register(&self, pin: &str) -> Result<(), Error> {
        if pin.len() != 6 || !pin.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Error::Build(BuildError::Invalid {
                field: "pin".into(),
                reason: "must be six digits".into(),
            }));
        }
        let body = serde_json::json!({ "messaging_product": "whatsapp", "pin": pin });
        self.client
            .call_success(Call {
                method: Method::POST,
                segments: &[self.id.as_str(), "register"],
                query: &[],
                body: Body::Json(body.to_string().into()),
                endpoint: "POST /{phone-number-id}/register",
                idempotency: Idempotency::Idempotent,
            })
            .await
    }

    /// Asks Meta to send the number's verification code by `SMS` or `VOICE`, in
    /// `language` (`id`, `en_US`, …).
    ///
    /// # Errors
    ///
    /// [`Error::Build`] for another method; [`Error::Api`] and transport errors.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # async fn run(phone: sehat_whatsapp::PhoneNumberApi) -> Result<(), sehat_whatsapp::Error> {
    /// phone.request_code("SMS", "id").await?;
    /// phone.verify_code("123456").await?;
    /// # Ok(()) }
    /// ```
    pub async fn request_code(&self, method: &str, language: &str) -> Result<(), Error> {
        if !matches!(method, "SMS" | "VOICE") {
            return Err(Error::Build(BuildError::Invalid {
                field: "code_method".into(),
                reason: format!("{method:?} is not SMS or VOICE"),
            }));
        }
        let body = serde_json::json!({ "code_method": method, "language": language });
        self.client
            .call_success(Call {
                method: Method::POST,
                segments: &[self.id.as_str(), "request_code"],
                query: &[],
                body: Body::Json(body.to_string().into()),
                endpoint: "POST /{phone-number-id}/request_code",
                idempotency: Idempotency::Send,
            })
            .await
    }

    /// Verifies the number with the code Meta sent.
    ///
    /// # Errors
    ///
    /// [`Error::Build`] for an empty or non-numeric code; [`Error::Api`] (136025 for a wrong
    /// code) and transport errors.
    ///
    /// # Examples
    ///
    /// See [`request_code`](Self::request_code).
    pub async fn verify_code(&self, code: &str) -> Result<(), Error> {
        if code.is_empty() || !code.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Error::Build(BuildError::Invalid {
                field: "code".into(),
                reason: "must be digits".into(),
            }));
        }
        let body = serde_json::json!({ "code": code });
        self.client
            .call_success(Call {
                method: Method::POST,
                segments: &[self.id.as_str(), "verify_code"],
                query: &[],
                body: Body::Json(body.to_string().into()),
                endpoint: "POST /{phone-number-id}/verify_code",
                idempotency: Idempotency::Idempotent,
            })
            .await
    }

    /// Deregisters the number from Cloud API.
    ///
    /// # Errors
    ///
    /// [`Error::Api`] and transport errors.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # async fn run(phone: sehat_whatsapp::PhoneNumberApi) -> Result<(), sehat_whatsapp::Error> {
    /// phone.deregister().await?;
    /// # Ok(()) }
    /// ```
    pub async fn deregister(&self) -> Result<(), Error> {
        self.client
            .call_success(Call {
                method: Method::POST,
                segments: &[self.id.as_str(), "deregister"],
                query: &[],
                body: Body::None,
                endpoint: "POST /{phone-number-id}/deregister",
                idempotency: Idempotency::Idempotent,
            })
            .await
    }

    /// The business profile (`GET /{phone-number-id}/whatsapp_business_profile`).
    ///
    /// # Errors
    ///
    /// [`Error::Api`], transport and decode errors ([`Error::Decode`] also when the answer
    /// holds no profile).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # async fn run(phone: sehat_whatsapp::PhoneNumberApi) -> Result<(), sehat_whatsapp::Error> {
    /// let profile = phone.business_profile().await?;
    /// println!("{:?}", profile.about);
    /// # Ok(()) }
    /// ```
    pub async fn business_profile(&self) -> Result<BusinessProfile, Error> {
        #[derive(Deserialize)]
        struct Data {
            data: Vec<BusinessProfile>,
        }
        let endpoint = "GET /{phone-number-id}/whatsapp_business_profile";
        let body = self
            .client
            .call_raw(&Call {
                method: Method::GET,
                segments: &[self.id.as_str(), "whatsapp_business_profile"],
                query: &[("fields", crate::account::PROFILE_FIELDS.to_owned())],
                body: Body::None,
                endpoint,
                idempotency: Idempotency::Idempotent,
            })
            .await?;
        let data: Data = serde_json::from_slice(&body)
            .map_err(|source| crate::error::decode_error(endpoint, &body, source))?;
        data.data
            .into_iter()
            .next()
            .ok_or_else(|| crate::error::decode_error(endpoint, &body, "`data` is empty"))
    }

    /// Updates the business profile; only the fields set are sent.
    ///
    /// # Errors
    ///
    /// [`Error::Build`] for a field over Meta's length limits; [`Error::Api`] and transport
    /// errors.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # async fn run(phone: sehat_whatsapp::PhoneNumberApi) -> Result<(), sehat_whatsapp::Error> {
    /// use sehat_whatsapp::account::BusinessProfileUpdate;
    /// let mut update = BusinessProfileUpdate::default();
    /// update.about = Some("Pengingat imunisasi Posyandu".into());
    /// phone.update_business_profile(&update).await?;
    /// # Ok(()) }
    /// ```
    pub async fn update_business_profile(
        &self,
        update: &BusinessProfileUpdate,
    ) -> Result<(), Error> {
        update.validate()?;
        let mut body = serde_json::to_value(update).map_err(|e| {
            Error::Build(BuildError::Invalid {
                field: "business profile".into(),
                reason: e.to_string(),
            })
        })?;
        if let Some(map) = body.as_object_mut() {
            map.insert("messaging_product".into(), "whatsapp".into());
        }
        self.client
            .call_success(Call {
                method: Method::POST,
                segments: &[self.id.as_str(), "whatsapp_business_profile"],
                query: &[],
                body: Body::json(&body, "business profile")?,
                endpoint: "POST /{phone-number-id}/whatsapp_business_profile",
                idempotency: Idempotency::Idempotent,
            })
            .await
    }
}
