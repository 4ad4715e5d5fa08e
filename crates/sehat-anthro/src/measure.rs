//! How a length or height was measured.

use std::str::FromStr;

use crate::InputError;

/// The position in which length/height was measured.
///
/// WHO's standards use recumbent length below 731 days and standing height from 731
/// days; a measurement taken the other way is converted by ±0.7 cm.
///
/// # Examples
///
/// ```
/// use sehat_anthro::Measure;
///
/// assert_eq!("h".parse::<Measure>()?, Measure::Standing);
/// assert_eq!(Measure::Lying.code(), 'l');
/// # Ok::<(), sehat_anthro::InputError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Measure {
    /// Recumbent length (WHO code `l`).
    Lying,
    /// Standing height (WHO code `h`).
    Standing,
}

impl Measure {
    /// Parses WHO's measure code: `l`/`L` (lying) or `h`/`H` (standing).
    ///
    /// # Errors
    ///
    /// [`InputError::Measure`] for any other text, including the empty string.
    ///
    /// # Examples
    ///
    /// ```
    /// use sehat_anthro::Measure;
    /// assert_eq!(Measure::from_code("L")?, Measure::Lying);
    /// assert!(Measure::from_code("").is_err());
    /// # Ok::<(), sehat_anthro::InputError>(())
    /// ```
    pub fn from_code(code: &str) -> Result<Self, InputError> {
        match code {
            "l" | "L" => Ok(Self::Lying),
            "h" | "H" => Ok(Self::Standing),
            other => Err(InputError::Measure(other.to_owned())),
        }
    }

    /// WHO's cleaned code (`cmeasure`): `l` or `h`.
    #[must_use]
    pub const fn code(self) -> char {
        match self {
            Self::Lying => 'l',
            Self::Standing => 'h',
        }
    }
}

impl FromStr for Measure {
    type Err = InputError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::from_code(s)
    }
}

/// Parses WHO's oedema code: `y`, `Y`, `1` (oedema) or `n`, `N`, `2` (none).
///
/// # Errors
///
/// [`InputError::Oedema`] for any other text.
///
/// # Examples
///
/// ```
/// assert!(sehat_anthro::parse_oedema("Y")?);
/// assert!(!sehat_anthro::parse_oedema("2")?);
/// # Ok::<(), sehat_anthro::InputError>(())
/// ```
pub fn parse_oedema(code: &str) -> Result<bool, InputError> {
    match code {
        "y" | "Y" | "1" => Ok(true),
        "n" | "N" | "2" => Ok(false),
        other => Err(InputError::Oedema(other.to_owned())),
    }
}
