//! Webhook intake: statuses, keywords, preferences and replies applied to the outbox.

use sehat_pseudonym::{Bsuid, PhoneNumber};
use sehat_whatsapp::ids::{BusinessScopedUserId, WaId};
use sehat_whatsapp::webhook::{Event, MessageContent, PreferenceValue, StatusKind, WebhookPayload};
use time::OffsetDateTime;

use crate::consent::keyword;
use crate::model::{
    ConsentAction, ConsentScope, ConsentSource, Evidence, MessageKey, Purpose, SubjectRef,
};
use crate::store::{DeliveryStatus, Store};
use crate::{Error, Outbox};

/// A reply to a message that the caller acts on (an appointment confirmed, a new date
/// asked for).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReplyKind {
    /// "Konfirmasi": the person confirms.
    Confirm,
    /// "Ubah jadwal": the person wants another date.
    Reschedule,
}

impl ReplyKind {
    /// The reply a text or button title stands for (case-insensitive, trimmed).
    ///
    /// # Examples
    ///
    /// ```
    /// use sehat_outbox::webhook::ReplyKind;
    /// assert_eq!(ReplyKind::parse(" konfirmasi "), Some(ReplyKind::Confirm));
    /// assert_eq!(ReplyKind::parse("Ubah Jadwal"), Some(ReplyKind::Reschedule));
    /// assert_eq!(ReplyKind::parse("terima kasih"), None);
    /// ```
    #[must_use]
    pub fn parse(text: &str) -> Option<ReplyKind> {
        let text = text.trim();
        if text.eq_ignore_ascii_case("konfirmasi") {
            Some(ReplyKind::Confirm)
        } else if text
            .split_whitespace()
            .map(str::to_lowercase)
            .eq(["ubah", "jadwal"].iter().map(|s| (*s).to_owned()))
        {
            Some(ReplyKind::Reschedule)
        } else {
            None
        }
    }
}

/// Something in a webhook the caller should know about.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum InboxEvent {
    /// A reply the caller acts on: cancel or reschedule through the [`Store`].
    Reply {
        /// The message replied to, when the reply quotes one of the outbox's messages.
        key: Option<MessageKey>,
        /// The person (canonical subject).
        subject: SubjectRef,
        /// Which reply.
        reply: ReplyKind,
        /// When.
        at: OffsetDateTime,
    },
    /// Consent changed (a keyword, a preference, a 131050 failure).
    Consent {
        /// The person (canonical subject).
        subject: SubjectRef,
        /// What it covers.
        scope: ConsentScope,
        /// Opt-in or opt-out.
        action: ConsentAction,
        /// Where it came from.
        source: ConsentSource,
    },
    /// A status moved a message.
    Status {
        /// The message.
        key: MessageKey,
        /// Its state now.
        state: crate::model::State,
    },
}

/// What [`Outbox::apply_webhook`] did.
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct WebhookReport {
    /// Events for the caller, in payload order.
    pub events: Vec<InboxEvent>,
    /// Statuses about messages this outbox does not know (sent by something else).
    pub unmatched_statuses: u64,
    /// Events ignored (no sender, another kind of change).
    pub ignored: u64,
    /// Consent records already recorded (a delivery Meta repeated): kept once, and no
    /// [`InboxEvent::Consent`] for them.
    pub repeated: u64,
}

fn ts(t: Option<&sehat_whatsapp::webhook::Timestamp>, fallback: OffsetDateTime) -> OffsetDateTime {
    t.and_then(sehat_whatsapp::webhook::Timestamp::to_offset_date_time)
        .unwrap_or(fallback)
}

impl<S: Store> Outbox<S> {
    /// The canonical subject of a webhook user: the number's subject, with the BSUID
    /// linked to it as an alias when both are present; the BSUID's (canonical) subject
    /// when only it is known.
    ///
    /// # Errors
    ///
    /// [`Error::Store`] when the database fails.
    pub async fn subject_of_user(
        &self,
        wa_id: Option<&WaId>,
        user_id: Option<&BusinessScopedUserId>,
    ) -> Result<Option<SubjectRef>, Error> {
        let phone = wa_id
            .and_then(|w| PhoneNumber::from_wa_id(w.as_str()).ok())
            .map(|n| self.keys().subject_of_phone(&n));
        let bsuid = user_id
            .and_then(|u| Bsuid::new(u.as_str()).ok())
            .map(|b| self.keys().subject_of_bsuid(&b));
        match (phone, bsuid) {
            (Some(phone), Some(alias)) => {
                self.store().link_alias(&alias, &phone).await?;
                Ok(Some(self.store().canonical(&phone).await?))
            }
            (Some(subject), None) | (None, Some(subject)) => {
                Ok(Some(self.store().canonical(&subject).await?))
            }
            (None, None) => Ok(None),
        }
    }

    /// Records a consent action for a phone number given in any human format; `false`
    /// when the same record (action, time, source and reference) was there already and
    /// nothing was added.
    ///
    /// # Errors
    ///
    /// [`Error::Store`] when the database fails. The number is parsed with
    /// [`input::parse_phone`](crate::input::parse_phone) by the caller.
    pub async fn record_consent_for(
        &self,
        number: &PhoneNumber,
        scope: ConsentScope,
        action: ConsentAction,
        evidence: &Evidence,
    ) -> Result<bool, Error> {
        let subject = self.keys().subject_of_phone(number);
        Ok(self
            .store()
            .record_consent(&subject, scope, action, evidence)
            .await?)
    }

    /// Records consent from a webhook and reports it: an [`InboxEvent::Consent`] when the
    /// record is new, a count in [`WebhookReport::repeated`] when Meta delivered it before.
    async fn record_reported(
        &self,
        report: &mut WebhookReport,
        subject: &SubjectRef,
        scope: ConsentScope,
        action: ConsentAction,
        evidence: &Evidence,
    ) -> Result<(), Error> {
        if self
            .store()
            .record_consent(subject, scope, action, evidence)
            .await?
        {
            report.events.push(InboxEvent::Consent {
                subject: subject.clone(),
                scope,
                action,
                source: evidence.source,
            });
        } else {
            report.repeated += 1;
        }
        Ok(())
    }

    /// Whether a message of `purpose` may go to `number` now, by `policy`.
    ///
    /// # Errors
    ///
    /// [`Error::Store`] when the database fails.
    pub async fn consent_allows(
        &self,
        number: &PhoneNumber,
        purpose: Purpose,
        policy: &crate::model::ConsentPolicy,
    ) -> Result<bool, Error> {
        let subject = self.keys().subject_of_phone(number);
        let latest = self.store().consents(&[(subject, purpose)]).await?;
        Ok(policy.allows(purpose, latest.into_iter().next().flatten()))
    }

    /// Applies a verified webhook payload: statuses move messages forward (a `failed`
    /// status with 131050 also records an opt-out); incoming `BERHENTI`/`STOP`/`MULAI`/
    /// `START` and `user_preferences` change consent; "Konfirmasi"/"Ubah jadwal" replies
    /// are reported; a webhook carrying both a wa_id and a BSUID links them.
    ///
    /// # Errors
    ///
    /// [`Error::Store`] when the database fails (apply the payload again: every step is
    /// idempotent).
    pub async fn apply_webhook(
        &self,
        payload: &WebhookPayload,
        now: OffsetDateTime,
    ) -> Result<WebhookReport, Error> {
        let mut report = WebhookReport::default();
        for event in payload.events() {
            match event {
                Event::Status(status) => {
                    let s = status.status;
                    let at = ts(s.timestamp.as_ref(), now);
                    // Link the BSUID whenever a status carries both ids.
                    if s.recipient_id.is_some() && s.recipient_user_id.is_some() {
                        self.subject_of_user(s.recipient_id.as_ref(), s.recipient_user_id.as_ref())
                            .await?;
                    }
                    let Some(id) = s.id.as_ref() else {
                        report.ignored += 1;
                        continue;
                    };
                    let code = s.errors.first().and_then(|e| e.code);
                    let delivery = match s.status.as_ref() {
                        Some(StatusKind::Sent) => DeliveryStatus::Sent,
                        Some(StatusKind::Delivered) => DeliveryStatus::Delivered,
                        Some(StatusKind::Read | StatusKind::Played) => DeliveryStatus::Read,
                        Some(StatusKind::Failed) => DeliveryStatus::Failed { code },
                        _ => {
                            report.ignored += 1;
                            continue;
                        }
                    };
                    let mac = self.keys().wamid_mac(id.as_str());
                    match self.store().apply_status(&mac, delivery, at).await? {
                        Some(view) => {
                            if code == Some(131_050) {
                                let evidence = Evidence::new(ConsentSource::Error131050, at)
                                    .reference(mac.as_str());
                                for purpose in [view.purpose, Purpose::Campaign, Purpose::Education]
                                {
                                    self.record_reported(
                                        &mut report,
                                        &view.subject,
                                        ConsentScope::Purpose(purpose),
                                        ConsentAction::OptOut,
                                        &evidence,
                                    )
                                    .await?;
                                }
                            }
                            report.events.push(InboxEvent::Status {
                                key: view.key,
                                state: view.state,
                            });
                        }
                        None => report.unmatched_statuses += 1,
                    }
                }
                Event::Message(message) => {
                    let sender = message.sender();
                    let Some(subject) = self
                        .subject_of_user(sender.phone.as_ref(), sender.user_id.as_ref())
                        .await?
                    else {
                        report.ignored += 1;
                        continue;
                    };
                    let m = message.message;
                    let at = ts(m.timestamp.as_ref(), now);
                    let reference =
                        m.id.as_ref()
                            .map(|id| self.keys().wamid_mac(id.as_str()).as_str().to_owned());
                    let text = match &m.content {
                        MessageContent::Text(_) => m.text(),
                        MessageContent::Button(b) => b.text.as_deref().or(b.payload.as_deref()),
                        MessageContent::Interactive(reply) => reply.title().or(reply.id()),
                        _ => None,
                    };
                    let Some(text) = text else {
                        report.ignored += 1;
                        continue;
                    };
                    if let Some(action) = keyword(text) {
                        let mut evidence = Evidence::new(ConsentSource::Keyword, at);
                        evidence.reference = reference;
                        self.record_reported(
                            &mut report,
                            &subject,
                            ConsentScope::All,
                            action,
                            &evidence,
                        )
                        .await?;
                    } else if let Some(reply) = ReplyKind::parse(text) {
                        let key = match m.context.as_ref().and_then(|c| c.id.as_ref()) {
                            Some(id) => self
                                .store()
                                .find_by_wamid(&self.keys().wamid_mac(id.as_str()))
                                .await?
                                .map(|v| v.key),
                            None => None,
                        };
                        report.events.push(InboxEvent::Reply {
                            key,
                            subject,
                            reply,
                            at,
                        });
                    } else {
                        report.ignored += 1;
                    }
                }
                Event::UserPreference(pref) => {
                    let p = pref.preference;
                    let Some(subject) = self
                        .subject_of_user(p.wa_id.as_ref(), p.user_id.as_ref())
                        .await?
                    else {
                        report.ignored += 1;
                        continue;
                    };
                    let action = match p.value.as_ref() {
                        Some(PreferenceValue::Stop) => ConsentAction::OptOut,
                        Some(PreferenceValue::Resume) => ConsentAction::OptIn,
                        _ => {
                            report.ignored += 1;
                            continue;
                        }
                    };
                    if p.category
                        .as_deref()
                        .is_some_and(|c| c != "marketing_messages")
                    {
                        report.ignored += 1;
                        continue;
                    }
                    let at = ts(p.timestamp.as_ref(), now);
                    let evidence = Evidence::new(ConsentSource::UserPreferences, at);
                    for purpose in Purpose::ALL.into_iter().filter(|p| p.is_marketing()) {
                        let scope = ConsentScope::Purpose(purpose);
                        self.record_reported(&mut report, &subject, scope, action, &evidence)
                            .await?;
                    }
                }
                _ => report.ignored += 1,
            }
        }
        Ok(report)
    }
}
