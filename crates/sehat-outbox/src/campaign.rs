//! Campaigns: one template to a large audience, as messages of purpose
//! [`Campaign`](crate::model::Purpose::Campaign) in an outbox.
//!
//! A [`Campaign`] turns its audience into scheduled messages whose keys derive from the
//! campaign's name and each member's subject (`campaign/<name>/<subject pseudonym>`), so
//! running it again — or twice at once, from a cron job and by hand — schedules nothing
//! twice and sends nothing twice: the outbox's claims are exclusive and a send whose
//! outcome is unknown is never repeated. [`Campaign::states`] before and after a
//! dispatch give the [`CampaignReport`]: what became of every member.
//!
//! (This module is kept by the command-line and examples side of the outbox: it is the
//! home of what `sehat_whatsapp::campaign` used to do, built on the outbox's store and
//! dispatcher.)
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use sehat_outbox::campaign::{Campaign, Member};
//! use sehat_outbox::{Outbox, OutboxKeys};
//! use sehat_pseudonym::{PhoneNumber, Region};
//!
//! let dir = tempfile::tempdir()?;
//! let url = format!("sqlite:{}", dir.path().join("pita-pink.db").display());
//! let outbox = Outbox::open(&url, OutboxKeys::generate()?).await?;
//! let campaign = Campaign::new("pita-pink-2026", "pita_pink_2026", "id")?;
//! let audience = vec![
//!     Member::new(PhoneNumber::parse_mobile("0812-3456-7890", Region::ID)?).param("1", "Sari"),
//!     Member::new(PhoneNumber::parse_mobile("+62 812 9876 5432", Region::ID)?).param("1", "Dewi"),
//! ];
//! let now = time::OffsetDateTime::now_utc();
//! let scheduled = campaign.schedule(&outbox, &audience, now).await?;
//! assert_eq!(scheduled.keys.len(), 2);
//! // Again: the same keys, nothing new.
//! let again = campaign.schedule(&outbox, &audience, now).await?;
//! assert_eq!(again.keys, scheduled.keys);
//! assert_eq!(again.new, 0);
//! # Ok(()) }
//! ```

use std::collections::{BTreeMap, HashMap};

use sehat_pseudonym::PhoneNumber;
use time::OffsetDateTime;

use crate::model::{MessageKey, NewMessage, Purpose, ScheduleOutcome, State};
use crate::store::{Store, StoreError};
use crate::{Error, Outbox};

/// The longest campaign name accepted, in bytes (keys are at most 200 bytes, and a subject
/// pseudonym takes about 70).
pub const MAX_NAME_LEN: usize = 100;

/// One member of a campaign's audience: the number and the template's parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    /// The number.
    pub phone: PhoneNumber,
    /// Template parameters: names for named parameters, `1`, `2`, … for positional ones.
    pub params: BTreeMap<String, String>,
}

impl Member {
    /// A member without parameters.
    #[must_use]
    pub fn new(phone: PhoneNumber) -> Member {
        Member {
            phone,
            params: BTreeMap::new(),
        }
    }

    /// With a parameter.
    #[must_use]
    pub fn param(mut self, name: impl Into<String>, value: impl Into<String>) -> Member {
        self.params.insert(name.into(), value.into());
        self
    }
}

/// A campaign: a name (part of every key), a template and its language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Campaign {
    name: String,
    template: String,
    language: String,
}

/// What [`Campaign::schedule`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scheduled {
    /// Every member's key, in audience order.
    pub keys: Vec<MessageKey>,
    /// Members new to the outbox.
    pub new: usize,
    /// Members already in it (unchanged, updated, or past `scheduled`).
    pub known: usize,
}

/// A campaign could not be built or scheduled.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CampaignError {
    /// The campaign's name is empty, too long, or holds `/` or a control character.
    #[error("campaign name: {reason}")]
    Name {
        /// Why.
        reason: String,
    },
    /// The template name is empty.
    #[error("the campaign's template name is empty")]
    Template,
    /// Two audience members are the same person (one number, two formats).
    #[error("audience members {first} and {second} have the same number")]
    Duplicate {
        /// The first member (0-based).
        first: usize,
        /// The second member.
        second: usize,
    },
    /// The outbox failed.
    #[error(transparent)]
    Outbox(#[from] Error),
}

impl From<StoreError> for CampaignError {
    fn from(e: StoreError) -> Self {
        CampaignError::Outbox(Error::Store(e))
    }
}

impl Campaign {
    /// A campaign named `name` (stable across runs: it is part of every key), sending
    /// `template` in `language`.
    ///
    /// # Errors
    ///
    /// [`CampaignError::Name`] for an empty name, one longer than [`MAX_NAME_LEN`] bytes or
    /// holding `/` or a control character; [`CampaignError::Template`] for an empty
    /// template name.
    pub fn new(
        name: impl Into<String>,
        template: impl Into<String>,
        language: impl Into<String>,
    ) -> Result<Campaign, CampaignError> {
        let name = name.into();
        let reason = if name.trim().is_empty() {
            Some("empty".to_owned())
        } else if name.len() > MAX_NAME_LEN {
            Some(format!("{} bytes; at most {MAX_NAME_LEN}", name.len()))
        } else if name.contains('/') || name.chars().any(char::is_control) {
            Some("holds `/` or a control character".to_owned())
        } else {
            None
        };
        if let Some(reason) = reason {
            return Err(CampaignError::Name { reason });
        }
        let template = template.into();
        if template.trim().is_empty() {
            return Err(CampaignError::Template);
        }
        Ok(Campaign {
            name,
            template,
            language: language.into(),
        })
    }

    /// The campaign's name.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The template's name.
    #[must_use]
    pub fn template(&self) -> &str {
        &self.template
    }

    /// The messages of `audience`, due from `not_before`, in audience order.
    ///
    /// # Errors
    ///
    /// [`CampaignError::Duplicate`] when two members have the same number;
    /// [`CampaignError::Outbox`] when a number cannot be tokenized.
    pub fn messages<S: Store>(
        &self,
        outbox: &Outbox<S>,
        audience: &[Member],
        not_before: OffsetDateTime,
    ) -> Result<Vec<NewMessage>, CampaignError> {
        let keys = outbox.keys();
        let mut seen: HashMap<String, usize> = HashMap::with_capacity(audience.len());
        let mut messages = Vec::with_capacity(audience.len());
        for (index, member) in audience.iter().enumerate() {
            let subject = keys.subject_of_phone(&member.phone);
            if let Some(first) = seen.insert(subject.as_str().to_owned(), index) {
                return Err(CampaignError::Duplicate {
                    first,
                    second: index,
                });
            }
            let key = MessageKey::new(&format!("campaign/{}/{}", self.name, subject.as_str()))
                .map_err(|e| CampaignError::Name {
                    reason: e.to_string(),
                })?;
            let token = keys.token_of_phone(&member.phone).map_err(Error::Keys)?;
            let mut message = NewMessage::new(
                key,
                subject,
                token,
                Purpose::Campaign,
                self.template.clone(),
                self.language.clone(),
                not_before,
            );
            message.params = member.params.clone();
            messages.push(message);
        }
        Ok(messages)
    }

    /// Schedules the audience (due at once): new members are added; members already in
    /// the outbox — sent, in flight, or scheduled by an earlier or a concurrent run — are
    /// left as they are (a still-scheduled one gets the new parameters).
    ///
    /// # Errors
    ///
    /// As [`messages`](Self::messages); [`CampaignError::Outbox`] when the store fails
    /// (nothing was scheduled).
    ///
    /// # Examples
    ///
    /// See the [module documentation](self).
    pub async fn schedule<S: Store>(
        &self,
        outbox: &Outbox<S>,
        audience: &[Member],
        now: OffsetDateTime,
    ) -> Result<Scheduled, CampaignError> {
        let messages = self.messages(outbox, audience, OffsetDateTime::UNIX_EPOCH)?;
        let mut scheduled = Scheduled {
            keys: messages.iter().map(|m| m.key.clone()).collect(),
            ..Scheduled::default()
        };
        for chunk in messages.chunks(2_000) {
            for outcome in outbox.store().schedule(chunk, now).await? {
                match outcome {
                    ScheduleOutcome::New => scheduled.new += 1,
                    _ => scheduled.known += 1,
                }
            }
        }
        Ok(scheduled)
    }

    /// Every key's state and last error code (`None`: not in the outbox), in order.
    ///
    /// # Errors
    ///
    /// [`CampaignError::Outbox`] when the store fails.
    pub async fn states<S: Store>(
        outbox: &Outbox<S>,
        keys: &[MessageKey],
    ) -> Result<Vec<Option<(State, Option<i64>)>>, CampaignError> {
        let mut states = Vec::with_capacity(keys.len());
        for key in keys {
            let view = outbox.store().message(key).await?;
            states.push(view.map(|v| (v.state, v.error_code)));
        }
        Ok(states)
    }
}

/// What became of a campaign's members in one run, from their states before and after it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct CampaignReport {
    /// Members sent to in this run (by this process or a concurrent one).
    pub sent: usize,
    /// Members whose send failed for good in this run, by reason.
    pub failed: BTreeMap<String, usize>,
    /// Members still scheduled (quiet hours, a throttle, a retried error), by reason: a
    /// later run sends them.
    pub retry_later: BTreeMap<String, usize>,
    /// Members without consent (opted out, or 131050 in this run).
    pub opted_out: usize,
    /// Members whose send may or may not have happened (this run's and earlier runs'):
    /// never sent again.
    pub unknown: usize,
    /// Members finished by an earlier run.
    pub skipped: usize,
    /// Members not attempted: held by a concurrent run, or left out of this one.
    pub not_attempted: usize,
}

impl CampaignReport {
    /// The report of one run: `before` and `after` are every member's state (and error
    /// code) before the run's dispatch and after it, in the same order (`None`: not in the
    /// outbox, such as members a messaging limit left out of this run).
    #[must_use]
    pub fn from_states(
        before: &[Option<(State, Option<i64>)>],
        after: &[Option<(State, Option<i64>)>],
    ) -> CampaignReport {
        let mut report = CampaignReport::default();
        for (was, now) in before.iter().zip(after) {
            match (was.map(|w| w.0), now) {
                (_, None) => report.not_attempted += 1,
                (Some(State::Unknown), _) => report.unknown += 1,
                (Some(state), _) if state.is_final() => report.skipped += 1,
                (_, Some((state, code))) => report.count(*state, *code),
            }
        }
        report
    }

    fn count(&mut self, state: State, code: Option<i64>) {
        let reason = || code.map_or_else(|| "no_code".to_owned(), |c| format!("error_{c}"));
        match state {
            State::Sent | State::Delivered | State::Read => self.sent += 1,
            State::Suppressed => self.opted_out += 1,
            State::Unknown => self.unknown += 1,
            State::Failed => *self.failed.entry(reason()).or_default() += 1,
            State::Expired | State::Cancelled | State::Superseded => {
                *self.failed.entry(state.as_str().to_owned()).or_default() += 1;
            }
            State::Scheduled => {
                let why = if code.is_some() {
                    reason()
                } else {
                    "deferred".to_owned()
                };
                *self.retry_later.entry(why).or_default() += 1;
            }
            State::Claimed => self.not_attempted += 1,
        }
    }

    /// The number of final failures.
    #[must_use]
    pub fn failed_total(&self) -> usize {
        self.failed.values().sum()
    }

    /// The number of members left for a later run.
    #[must_use]
    pub fn retry_later_total(&self) -> usize {
        self.retry_later.values().sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_checked() {
        assert!(Campaign::new("pita-pink", "t", "id").is_ok());
        for bad in ["", " ", "a/b", "x\ny"] {
            assert!(matches!(
                Campaign::new(bad, "t", "id"),
                Err(CampaignError::Name { .. })
            ));
        }
        assert!(Campaign::new("x".repeat(MAX_NAME_LEN + 1), "t", "id").is_err());
        assert!(matches!(
            Campaign::new("ok", " ", "id"),
            Err(CampaignError::Template)
        ));
    }

    #[test]
    fn the_report_follows_states_before_and_after() {
        let s = |state| Some((state, None));
        let before = [
            s(State::Scheduled),
            s(State::Scheduled),
            s(State::Sent),
            s(State::Unknown),
            s(State::Scheduled),
            None,
            s(State::Scheduled),
            s(State::Scheduled),
        ];
        let after = [
            s(State::Read),
            s(State::Suppressed),
            s(State::Sent),
            s(State::Unknown),
            Some((State::Failed, Some(131_026))),
            None,
            s(State::Scheduled),
            s(State::Claimed),
        ];
        let report = CampaignReport::from_states(&before, &after);
        assert_eq!(report.sent, 1);
        assert_eq!(report.opted_out, 1);
        assert_eq!(report.skipped, 1);
        assert_eq!(report.unknown, 1);
        assert_eq!(report.failed.get("error_131026"), Some(&1));
        assert_eq!(report.retry_later.get("deferred"), Some(&1));
        assert_eq!(report.not_attempted, 2);
    }
}
