//! Unix timestamps as Meta sends them: a string in `messages[]` and `statuses[]`, a number in
//! `entry[].time` and most account webhooks.

use std::fmt;

use serde::Deserialize;
use serde::de::{Deserializer, Error as _};
use serde_json::Value;
use time::OffsetDateTime;

/// A Unix timestamp (seconds) from a webhook, kept exactly as it was sent.
///
/// Meta writes the same instant as `"1750030073"` in one place and `1750030073` in another;
/// both parse. A value that is not a whole number of seconds is kept verbatim, and
/// [`unix_seconds`](Self::unix_seconds) returns `None` for it.
///
/// # Examples
///
/// ```
/// use sehat_whatsapp::webhook::Timestamp;
///
/// let ts: Timestamp = serde_json::from_str(r#""1750030073""#)?;
/// assert_eq!(ts.unix_seconds(), Some(1_750_030_073));
/// assert_eq!(ts.to_offset_date_time().map(|t| t.year()), Some(2025));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Timestamp {
    raw: String,
    seconds: Option<i64>,
}

impl Timestamp {
    /// A timestamp of `seconds` since the Unix epoch.
    #[must_use]
    pub fn from_unix_seconds(seconds: i64) -> Self {
        Self {
            raw: seconds.to_string(),
            seconds: Some(seconds),
        }
    }

    /// Seconds since the Unix epoch, or `None` when the value was not a whole number.
    #[must_use]
    pub fn unix_seconds(&self) -> Option<i64> {
        self.seconds
    }

    /// The instant in UTC, or `None` when the value was not a valid Unix timestamp.
    #[must_use]
    pub fn to_offset_date_time(&self) -> Option<OffsetDateTime> {
        OffsetDateTime::from_unix_timestamp(self.seconds?).ok()
    }

    /// The value exactly as it was sent (without the JSON quotes).
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.raw
    }

    fn from_text(raw: String) -> Self {
        let seconds = raw.trim().parse::<i64>().ok();
        Self { raw, seconds }
    }
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Timestamp({})", self.raw)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match Value::deserialize(d)? {
            Value::String(s) => Ok(Self::from_text(s)),
            Value::Number(n) => Ok(match n.as_i64() {
                Some(seconds) => Self {
                    raw: n.to_string(),
                    seconds: Some(seconds),
                },
                // Fractional seconds (milliseconds in a float) keep their text.
                None => Self::from_text(n.to_string()),
            }),
            other => Err(D::Error::custom(super::lenient::expected(
                "a Unix timestamp",
                &other,
            ))),
        }
    }
}

impl serde::Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.raw)
    }
}
