//! The recipient's IANA time zone.

use std::fmt;

/// The default time zone: western Indonesia.
pub const DEFAULT_TIMEZONE: &str = "Asia/Jakarta";

/// Indonesia's own names of its three zones, as people write them.
const INDONESIAN_ZONES: [(&str, &str); 3] = [
    ("WIB", "Asia/Jakarta"),
    ("WITA", "Asia/Makassar"),
    ("WIT", "Asia/Jayapura"),
];

/// A checked IANA time-zone name (`Asia/Jakarta`, `Asia/Makassar`, `Asia/Jayapura` …),
/// known to the time-zone database compiled into the crate.
///
/// A name is found in any letter case and kept in the database's spelling; Indonesia's
/// abbreviations `WIB`, `WITA` and `WIT` (Waktu Indonesia Barat, Tengah, Timur) stand for
/// `Asia/Jakarta`, `Asia/Makassar` and `Asia/Jayapura`.
///
/// # Examples
///
/// ```
/// use sehat_outbox::model::TimeZoneName;
///
/// let wit = TimeZoneName::new("Asia/Jayapura")?;
/// assert_eq!(wit.as_str(), "Asia/Jayapura");
/// assert_eq!(TimeZoneName::new("WITA")?.as_str(), "Asia/Makassar");
/// assert_eq!(TimeZoneName::new("asia/jayapura")?.as_str(), "Asia/Jayapura");
/// assert_eq!(TimeZoneName::default().as_str(), "Asia/Jakarta");
/// assert!(TimeZoneName::new("Asia/Bandung").is_err());
/// # Ok::<(), sehat_outbox::model::TimeZoneError>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct TimeZoneName(Box<str>);

impl TimeZoneName {
    /// Checks a zone name against the time-zone database.
    ///
    /// # Errors
    ///
    /// [`TimeZoneError`] when the name is not a known IANA zone.
    pub fn new(name: &str) -> Result<TimeZoneName, TimeZoneError> {
        let name = name.trim();
        if let Some((_, zone)) = INDONESIAN_ZONES
            .iter()
            .find(|(short, _)| short.eq_ignore_ascii_case(name))
        {
            return Ok(TimeZoneName((*zone).into()));
        }
        match jiff::tz::TimeZone::get(name) {
            // The database's own spelling (`asia/jayapura` is found as `Asia/Jayapura`).
            Ok(zone) => Ok(TimeZoneName(zone.iana_name().unwrap_or(name).into())),
            Err(_) => Err(TimeZoneError {
                found: name.chars().take(60).collect(),
            }),
        }
    }

    /// The zone's name.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The zone itself, for local-time arithmetic.
    ///
    /// # Errors
    ///
    /// [`TimeZoneError`] when the zone is not in the database (a row written by a build with
    /// a newer database).
    pub fn zone(&self) -> Result<jiff::tz::TimeZone, TimeZoneError> {
        jiff::tz::TimeZone::get(&self.0).map_err(|_| TimeZoneError {
            found: self.0.to_string(),
        })
    }
}

impl Default for TimeZoneName {
    fn default() -> Self {
        TimeZoneName(DEFAULT_TIMEZONE.into())
    }
}

impl fmt::Debug for TimeZoneName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TimeZoneName({})", self.0)
    }
}

impl fmt::Display for TimeZoneName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A time-zone name is not in the IANA database.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown IANA time zone {found:?} (expected e.g. Asia/Jakarta, Asia/Makassar, Asia/Jayapura, or WIB, WITA, WIT)"
)]
pub struct TimeZoneError {
    /// The name found (at most 60 characters of it).
    pub found: String,
}
