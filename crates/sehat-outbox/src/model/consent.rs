//! Consent: who agreed to (or refused) which messages, with evidence.

use std::fmt;
use std::str::FromStr;

use time::OffsetDateTime;

use super::Purpose;

/// An opt-in or an opt-out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConsentAction {
    /// The person agreed to receive messages.
    OptIn,
    /// The person refused messages.
    OptOut,
}

impl ConsentAction {
    /// `opt_in` or `opt_out`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            ConsentAction::OptIn => "opt_in",
            ConsentAction::OptOut => "opt_out",
        }
    }
}

impl FromStr for ConsentAction {
    type Err = UnknownText;

    /// Reads `opt_in` or `opt_out` as people write them: any letter case, with `_`, `-`, a
    /// space or nothing between the words (`Opt-out`, `OPT_IN`, `optout`).
    ///
    /// ```
    /// use sehat_outbox::model::ConsentAction;
    ///
    /// assert_eq!("opt_out".parse::<ConsentAction>()?, ConsentAction::OptOut);
    /// assert_eq!(" Opt-In ".parse::<ConsentAction>()?, ConsentAction::OptIn);
    /// assert!("berhenti".parse::<ConsentAction>().is_err());
    /// # Ok::<(), sehat_outbox::model::UnknownText>(())
    /// ```
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        // Compared in place, without a copy: the dispatcher reads every stored action
        // through here.
        let spells = |word: &str| {
            s.trim()
                .bytes()
                .filter(|b| !matches!(b, b'_' | b'-' | b' '))
                .map(|b| b.to_ascii_lowercase())
                .eq(word.bytes())
        };
        if spells("optin") {
            Ok(ConsentAction::OptIn)
        } else if spells("optout") {
            Ok(ConsentAction::OptOut)
        } else {
            Err(UnknownText::new("consent action", s))
        }
    }
}

impl fmt::Display for ConsentAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a consent record covers: one purpose, or all of them (the keywords
/// `BERHENTI`/`STOP`/`MULAI`/`START`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConsentScope {
    /// One purpose.
    Purpose(Purpose),
    /// Every purpose.
    All,
}

impl ConsentScope {
    /// The purpose's text form, or `all`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            ConsentScope::Purpose(p) => p.as_str(),
            ConsentScope::All => "all",
        }
    }
}

impl FromStr for ConsentScope {
    type Err = UnknownText;

    /// `all` or a purpose, in any letter case.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.trim().eq_ignore_ascii_case("all") {
            return Ok(ConsentScope::All);
        }
        s.parse::<Purpose>()
            .map(ConsentScope::Purpose)
            .map_err(|_| UnknownText::new("consent scope", s))
    }
}

impl From<Purpose> for ConsentScope {
    fn from(p: Purpose) -> Self {
        ConsentScope::Purpose(p)
    }
}

/// Where a consent record came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ConsentSource {
    /// A file the programme keeps (a signed form, a register), imported as CSV.
    Csv,
    /// A keyword the person sent (`BERHENTI`, `STOP`, `MULAI`, `START`).
    Keyword,
    /// A `user_preferences` webhook (the person stopped or resumed marketing messages).
    UserPreferences,
    /// Error 131050 on a send (the person stopped marketing messages).
    Error131050,
    /// A call of the library's API.
    Api,
}

impl ConsentSource {
    /// The text form: `csv`, `keyword`, `user_preferences`, `error_131050`, `api`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            ConsentSource::Csv => "csv",
            ConsentSource::Keyword => "keyword",
            ConsentSource::UserPreferences => "user_preferences",
            ConsentSource::Error131050 => "error_131050",
            ConsentSource::Api => "api",
        }
    }
}

impl FromStr for ConsentSource {
    type Err = UnknownText;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        [
            ConsentSource::Csv,
            ConsentSource::Keyword,
            ConsentSource::UserPreferences,
            ConsentSource::Error131050,
            ConsentSource::Api,
        ]
        .into_iter()
        .find(|c| c.as_str() == s)
        .ok_or_else(|| UnknownText::new("consent source", s))
    }
}

/// The evidence of a consent record: where it came from, when, and a reference (a document
/// number, or the keyed MAC of the message id that carried a keyword) — never a phone
/// number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evidence {
    /// Where it came from.
    pub source: ConsentSource,
    /// When the person gave or withdrew consent.
    pub at: OffsetDateTime,
    /// A document reference or a message-id MAC.
    pub reference: Option<String>,
}

impl Evidence {
    /// Evidence from `source` at `at`, without a reference.
    #[must_use]
    pub fn new(source: ConsentSource, at: OffsetDateTime) -> Evidence {
        Evidence {
            source,
            at,
            reference: None,
        }
    }

    /// With a reference (document, message-id MAC).
    #[must_use]
    pub fn reference(mut self, reference: impl Into<String>) -> Evidence {
        self.reference = Some(reference.into());
        self
    }
}

/// What a purpose needs when a subject has no consent record for it.
///
/// The default: reminders and appointments (care the person asked for) are sent unless the
/// person opted out; campaigns and education (marketing, in WhatsApp's terms) need an
/// opt-in. The latest record for a subject and purpose (or for all purposes) wins.
///
/// # Examples
///
/// ```
/// use sehat_outbox::model::{ConsentAction, ConsentPolicy, Purpose};
///
/// let policy = ConsentPolicy::default();
/// assert!(policy.allows(Purpose::Reminder, None));
/// assert!(!policy.allows(Purpose::Campaign, None));
/// assert!(policy.allows(Purpose::Campaign, Some(ConsentAction::OptIn)));
/// assert!(!policy.allows(Purpose::Reminder, Some(ConsentAction::OptOut)));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConsentPolicy {
    needs_opt_in: [bool; 4],
}

impl Default for ConsentPolicy {
    fn default() -> Self {
        let mut policy = ConsentPolicy {
            needs_opt_in: [false; 4],
        };
        policy = policy.require_opt_in(Purpose::Campaign, true);
        policy.require_opt_in(Purpose::Education, true)
    }
}

impl ConsentPolicy {
    /// Sets whether `purpose` needs an opt-in (`true`) or is allowed unless opted out.
    #[must_use]
    pub fn require_opt_in(mut self, purpose: Purpose, needed: bool) -> ConsentPolicy {
        self.needs_opt_in[purpose as usize] = needed;
        self
    }

    /// Whether `purpose` needs an opt-in.
    #[must_use]
    pub fn needs_opt_in(&self, purpose: Purpose) -> bool {
        self.needs_opt_in[purpose as usize]
    }

    /// Whether a message of `purpose` may be sent, given the latest consent action on
    /// record (`None`: no record).
    #[must_use]
    pub fn allows(&self, purpose: Purpose, latest: Option<ConsentAction>) -> bool {
        match latest {
            Some(ConsentAction::OptIn) => true,
            Some(ConsentAction::OptOut) => false,
            None => !self.needs_opt_in(purpose),
        }
    }
}

/// A stored or given text is not one of the expected names.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} {found:?}")]
pub struct UnknownText {
    /// What was expected.
    pub what: &'static str,
    /// The text found (at most 40 characters of it, a phone number in it masked).
    pub found: String,
}

impl UnknownText {
    fn new(what: &'static str, found: &str) -> UnknownText {
        UnknownText {
            what,
            // Masked before it is cut, so that no cut leaves a number too short to mask:
            // a phone number in the wrong column must not reach an error message.
            found: sehat_whatsapp::mask_identifiers(found)
                .chars()
                .take(40)
                .collect(),
        }
    }
}
