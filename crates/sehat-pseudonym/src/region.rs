//! ISO 3166-1 alpha-2 regions, used as the default region when parsing national numbers.

use std::fmt;
use std::str::FromStr;

/// A region (ISO 3166-1 alpha-2 code, upper case), used as the default region of a parse.
///
/// The default region says how to read a number written without its country code:
/// `0812-3456-7890` with [`Region::ID`] is an Indonesian mobile number. Any two ASCII
/// letters are accepted; a code that libphonenumber has no metadata for behaves like
/// libphonenumber does with it (national numbers then fail with
/// [`ParseError::InvalidCountryCode`](crate::ParseError::InvalidCountryCode)).
///
/// # Examples
///
/// ```
/// use sehat_pseudonym::Region;
///
/// let region: Region = "my".parse()?;
/// assert_eq!(region, Region::MY);
/// assert_eq!(region.as_str(), "MY");
/// assert!("IDN".parse::<Region>().is_err());
/// # Ok::<(), sehat_pseudonym::InvalidRegion>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Region([u8; 2]);

macro_rules! regions {
    ($($code:ident => $name:literal),* $(,)?) => {
        impl Region {
            $(
                #[doc = concat!("`", stringify!($code), "`: ", $name, ".")]
                pub const $code: Region = {
                    let bytes = stringify!($code).as_bytes();
                    Region([bytes[0], bytes[1]])
                };
            )*
        }
    };
}

regions! {
    ID => "Indonesia",
    MY => "Malaysia",
    SG => "Singapore",
    SA => "Saudi Arabia",
    HK => "Hong Kong",
    TW => "Taiwan",
    JP => "Japan",
    KR => "South Korea",
    AE => "United Arab Emirates",
    QA => "Qatar",
    TL => "Timor-Leste",
    AU => "Australia",
    NL => "the Netherlands",
    US => "the United States",
    GB => "the United Kingdom",
}

impl Region {
    /// The region for a two-letter code, in either case.
    ///
    /// # Errors
    ///
    /// [`InvalidRegion`] when `code` is not exactly two ASCII letters.
    ///
    /// # Examples
    ///
    /// ```
    /// use sehat_pseudonym::Region;
    ///
    /// assert_eq!(Region::new("id")?, Region::ID);
    /// assert!(Region::new("6").is_err());
    /// # Ok::<(), sehat_pseudonym::InvalidRegion>(())
    /// ```
    pub fn new(code: &str) -> Result<Self, InvalidRegion> {
        match code.as_bytes() {
            [a, b] if a.is_ascii_alphabetic() && b.is_ascii_alphabetic() => {
                Ok(Region([a.to_ascii_uppercase(), b.to_ascii_uppercase()]))
            }
            _ => Err(InvalidRegion {
                len: code.chars().count(),
            }),
        }
    }

    /// The upper-case two-letter code, for example `"ID"`.
    #[must_use]
    pub fn as_str(&self) -> &str {
        // Both bytes are ASCII letters by construction.
        std::str::from_utf8(&self.0).unwrap_or("??")
    }

    pub(crate) fn to_engine(self) -> Option<rlibphonenumber::Region> {
        rlibphonenumber::Region::from_code(self.as_str()).ok()
    }
}

impl fmt::Debug for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Region({})", self.as_str())
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Region {
    type Err = InvalidRegion;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Region::new(s)
    }
}

/// A region code that is not two ASCII letters.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "a region must be two ASCII letters (ISO 3166-1 alpha-2), got {len} characters or a non-letter"
)]
pub struct InvalidRegion {
    len: usize,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_upper_case_letters() {
        assert_eq!(Region::new("id").unwrap(), Region::ID);
        assert_eq!(Region::ID.as_str(), "ID");
        assert_eq!(Region::GB.to_string(), "GB");
        assert!(Region::new("").is_err());
        assert!(Region::new("I1").is_err());
        assert!(Region::new("IDN").is_err());
        assert!(Region::new("ÏD").is_err());
    }

    #[test]
    fn every_constant_maps_to_the_engine() {
        for region in [Region::ID, Region::MY, Region::SG, Region::US, Region::TL] {
            assert_eq!(region.to_engine().unwrap().to_string(), region.as_str());
        }
    }
}
