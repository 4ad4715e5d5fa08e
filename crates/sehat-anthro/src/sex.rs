//! Sex, as WHO's tables distinguish it.

use std::fmt;
use std::str::FromStr;

use crate::InputError;

/// The sex of a child; WHO's tables have one set of LMS parameters per sex.
///
/// # Examples
///
/// ```
/// use sehat_anthro::Sex;
///
/// assert_eq!("f".parse::<Sex>()?, Sex::Female);
/// assert_eq!(Sex::from_code("1")?, Sex::Male);
/// assert!(Sex::from_code(" m").is_err()); // WHO's packages refuse it too
/// # Ok::<(), sehat_anthro::InputError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Sex {
    /// Boys (WHO code 1).
    Male,
    /// Girls (WHO code 2).
    Female,
}

impl Sex {
    /// Parses a WHO sex code: `1`, `m`, `M` (male) or `2`, `f`, `F` (female), nothing
    /// else (no trimming, as in WHO's packages).
    ///
    /// # Errors
    ///
    /// [`InputError::Sex`] for any other text.
    ///
    /// # Examples
    ///
    /// ```
    /// use sehat_anthro::Sex;
    /// assert_eq!(Sex::from_code("M")?, Sex::Male);
    /// # Ok::<(), sehat_anthro::InputError>(())
    /// ```
    pub fn from_code(code: &str) -> Result<Self, InputError> {
        match code {
            "1" | "m" | "M" => Ok(Self::Male),
            "2" | "f" | "F" => Ok(Self::Female),
            other => Err(InputError::Sex(other.to_owned())),
        }
    }

    /// WHO's numeric code (`csex`): 1 for boys, 2 for girls.
    #[must_use]
    pub const fn code(self) -> u8 {
        match self {
            Self::Male => 1,
            Self::Female => 2,
        }
    }

    /// Index into the compiled tables.
    pub(crate) const fn index(self) -> usize {
        match self {
            Self::Male => 0,
            Self::Female => 1,
        }
    }
}

impl FromStr for Sex {
    type Err = InputError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::from_code(s)
    }
}

impl fmt::Display for Sex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Male => "male",
            Self::Female => "female",
        })
    }
}
