//! Why a message is sent.

use std::fmt;
use std::str::FromStr;

/// Why a message is sent; consent is recorded per purpose.
///
/// # Examples
///
/// ```
/// use sehat_outbox::model::Purpose;
///
/// assert_eq!("reminder".parse::<Purpose>()?, Purpose::Reminder);
/// assert_eq!("Appointment".parse::<Purpose>()?, Purpose::Appointment);
/// assert_eq!(Purpose::Campaign.as_str(), "campaign");
/// assert!("promo".parse::<Purpose>().is_err());
/// # Ok::<(), sehat_outbox::model::PurposeError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Purpose {
    /// A reminder of care that is due (an immunization dose, a Posyandu visit).
    Reminder,
    /// A reminder of an appointment the person made.
    Appointment,
    /// A public-health campaign to a large audience.
    Campaign,
    /// Health education.
    Education,
}

impl Purpose {
    /// Every purpose, in a fixed order.
    pub const ALL: [Purpose; 4] = [
        Purpose::Reminder,
        Purpose::Appointment,
        Purpose::Campaign,
        Purpose::Education,
    ];

    /// The text form: `reminder`, `appointment`, `campaign` or `education`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::Reminder => "reminder",
            Purpose::Appointment => "appointment",
            Purpose::Campaign => "campaign",
            Purpose::Education => "education",
        }
    }

    /// Whether WhatsApp treats messages of this purpose as marketing (a `user_preferences`
    /// stop and error 131050 are about these).
    #[must_use]
    pub fn is_marketing(self) -> bool {
        matches!(self, Purpose::Campaign | Purpose::Education)
    }
}

impl fmt::Display for Purpose {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Purpose {
    type Err = PurposeError;

    /// Reads a purpose's name in any letter case, spaces around it ignored
    /// (`Reminder`, ` CAMPAIGN `).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let name = s.trim();
        Purpose::ALL
            .into_iter()
            .find(|p| p.as_str().eq_ignore_ascii_case(name))
            .ok_or_else(|| PurposeError {
                found: s.chars().take(40).collect(),
            })
    }
}

/// A purpose's text was not one of `reminder`, `appointment`, `campaign`, `education`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown purpose {found:?}: expected reminder, appointment, campaign or education")]
pub struct PurposeError {
    /// The text found (at most 40 characters of it).
    pub found: String,
}
