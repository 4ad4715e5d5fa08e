//! Phone numbers: parsing from human formats and WhatsApp ids, validity, type, formatting.

mod engine;
mod error;
mod mask;
mod number_type;
mod policy;

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};

use rlibphonenumber::PhoneNumberFormat;

pub use error::ParseError;
pub use number_type::NumberType;

use crate::Region;

/// The longest E.164 number: 15 digits after the `+`.
const MAX_E164_DIGITS: usize = 15;

/// A parsed phone number, identified by its E.164 form (`+6281234567890`).
///
/// Parsing follows Google's libphonenumber (the numbering-plan metadata of every country),
/// so a `PhoneNumber` may be *possible* or *valid* or neither: check
/// [`is_valid`](Self::is_valid) before sending to it, or use
/// [`parse_strict`](Self::parse_strict) or [`parse_mobile`](Self::parse_mobile), which
/// check for you.
///
/// `Debug` and `Display` mask the number (`+62 812-****-**90`), so it can sit in a log
/// line or an error. The full number comes out only through the `expose_*` methods
/// ([`expose_e164`](Self::expose_e164) and friends), which are easy to find in review.
/// Two numbers are equal when their E.164 forms are.
///
/// # Examples
///
/// ```
/// use sehat_pseudonym::{NumberType, PhoneNumber, Region};
///
/// let number = PhoneNumber::parse("0812-3456-7890", Region::ID)?;
/// assert_eq!(number.expose_e164(), "+6281234567890");
/// assert!(number.is_valid());
/// assert_eq!(number.number_type(), NumberType::Mobile);
/// assert_eq!(number.to_string(), "+62 812-****-**90");
///
/// // A WhatsApp id is E.164 without the `+`, never read with a default region.
/// assert_eq!(PhoneNumber::from_wa_id("6281234567890")?, number);
/// # Ok::<(), sehat_pseudonym::ParseError>(())
/// ```
#[derive(Clone)]
pub struct PhoneNumber {
    inner: rlibphonenumber::PhoneNumber,
    /// Kept as the engine's `String` (no shrinking copy); at most a few bytes of slack.
    e164: String,
}

impl PhoneNumber {
    /// Parses a number written in any human format, the way libphonenumber does.
    ///
    /// `default_region` says how to read a number without a country code; pass
    /// [`Region::ID`] for Indonesian data, or `None` when every number must carry its
    /// country code. Separators, brackets, Unicode digits and spaces, a leading label and
    /// `tel:` URIs are handled as libphonenumber handles them, and so are its quirks
    /// (documented in the project's `docs/pseudonym.md`): `0062…` under `ID` is not read as
    /// international, and one or two stray letters are dropped. For numbers you will
    /// store or message, prefer [`parse_strict`](Self::parse_strict) or
    /// [`parse_mobile`](Self::parse_mobile), which refuse those cases.
    ///
    /// Succeeds whenever libphonenumber's `parse` does, even for a number that is not
    /// valid: see [`is_valid`](Self::is_valid).
    ///
    /// # Errors
    ///
    /// [`ParseError::InvalidCountryCode`], [`ParseError::NotANumber`],
    /// [`ParseError::TooShortAfterIdd`], [`ParseError::TooShortNsn`] or
    /// [`ParseError::TooLong`], exactly when libphonenumber raises them.
    ///
    /// # Examples
    ///
    /// ```
    /// use sehat_pseudonym::{ParseError, PhoneNumber, Region};
    ///
    /// let landline = PhoneNumber::parse("(021) 555 1234", Region::ID)?;
    /// assert_eq!(landline.expose_e164(), "+62215551234");
    ///
    /// let foreign = PhoneNumber::parse("+60 12-345 6789", None)?;
    /// assert_eq!(foreign.region(), Some(Region::MY));
    ///
    /// assert_eq!(PhoneNumber::parse("0812 3456 7890", None), Err(ParseError::InvalidCountryCode));
    /// assert_eq!(PhoneNumber::parse("tidak ada", Region::ID), Err(ParseError::NotANumber));
    /// # Ok::<(), ParseError>(())
    /// ```
    pub fn parse(
        input: &str,
        default_region: impl Into<Option<Region>>,
    ) -> Result<PhoneNumber, ParseError> {
        let region = default_region.into().and_then(Region::to_engine);
        let inner = engine::with(|engine| engine.parse(input, region))
            .map_err(|e| ParseError::from_engine(&e))?;
        Ok(PhoneNumber::from_engine(inner))
    }

    /// Parses a number under a stricter policy than [`parse`](Self::parse), and requires
    /// a valid number: the entry point for numbers people typed that will be stored,
    /// pseudonymised or messaged.
    ///
    /// On top of libphonenumber's parse it
    /// - refuses a spreadsheet's scientific notation (`6.28123E+12`): the digits past the
    ///   mantissa are lost, and libphonenumber would read the rest as a short number;
    /// - refuses a letter that touches a digit or sits between digits
    ///   (`0812 3456 789O`, `0812-ABCD-7890`): libphonenumber would silently produce a
    ///   different number;
    /// - with default region [`Region::ID`], reads a leading `0062`, `001 62`, `007 62` or
    ///   `01017 62` as the international prefix it is meant to be (libphonenumber knows
    ///   only `008` and `009`, and gives `+62006281…`);
    /// - requires the result to be valid, and of at most 15 digits, E.164's limit, which
    ///   libphonenumber exceeds for some valid numbers (`TooLong`).
    ///
    /// # Errors
    ///
    /// [`ParseError::ScientificNotation`], [`ParseError::StrayLetter`],
    /// [`ParseError::NotValid`], or any error of [`parse`](Self::parse).
    ///
    /// # Examples
    ///
    /// ```
    /// use sehat_pseudonym::{ParseError, PhoneNumber, Region};
    ///
    /// let number = PhoneNumber::parse_strict("0062 812 3456 7890", Region::ID)?;
    /// assert_eq!(number.expose_e164(), "+6281234567890");
    /// let landline = PhoneNumber::parse_strict("(021) 555 1234", Region::ID)?;
    /// assert_eq!(landline.expose_e164(), "+62215551234");
    ///
    /// assert_eq!(PhoneNumber::parse_strict("0812 3456 789O", Region::ID), Err(ParseError::StrayLetter));
    /// assert_eq!(
    ///     PhoneNumber::parse_strict("6.28123E+12", Region::ID),
    ///     Err(ParseError::ScientificNotation)
    /// );
    /// assert_eq!(PhoneNumber::parse_strict("0812 345", Region::ID), Err(ParseError::NotValid));
    /// # Ok::<(), ParseError>(())
    /// ```
    pub fn parse_strict(
        input: &str,
        default_region: impl Into<Option<Region>>,
    ) -> Result<PhoneNumber, ParseError> {
        let number = PhoneNumber::parse_with_policy(input, default_region.into())?;
        if !number.is_valid() {
            return Err(ParseError::NotValid);
        }
        number.within_e164()
    }

    /// libphonenumber's parse behind the strict policy's input checks, without the
    /// validity check.
    fn parse_with_policy(input: &str, region: Option<Region>) -> Result<PhoneNumber, ParseError> {
        if policy::is_scientific_notation(input) {
            return Err(ParseError::ScientificNotation);
        }
        if policy::has_stray_letter(input) {
            return Err(ParseError::StrayLetter);
        }
        match policy::rewrite_indonesian_idd(input, region) {
            Some(rewritten) => PhoneNumber::parse(&rewritten, None),
            None => PhoneNumber::parse(input, region),
        }
    }

    /// The number, if E.164 can hold it. libphonenumber calls some numbers of more than
    /// 15 digits valid (long German numbers), but E.164 stops at 15: such a number cannot
    /// be messaged, and `from_e164` and `from_wa_id` would not read it back.
    fn within_e164(self) -> Result<PhoneNumber, ParseError> {
        if self.e164.len() > MAX_E164_DIGITS + 1 {
            return Err(ParseError::TooLong);
        }
        Ok(self)
    }

    /// Parses a number a parent or patient gave for WhatsApp messaging:
    /// [`parse_strict`](Self::parse_strict), and the number must be `MOBILE` (or
    /// `FIXED_LINE_OR_MOBILE` where the plan cannot tell).
    ///
    /// # Errors
    ///
    /// [`ParseError::NotMobile`], or any error of [`parse_strict`](Self::parse_strict).
    ///
    /// # Examples
    ///
    /// ```
    /// use sehat_pseudonym::{NumberType, ParseError, PhoneNumber, Region};
    ///
    /// let number = PhoneNumber::parse_mobile("+62 812-3456-7890", Region::ID)?;
    /// assert_eq!(number.number_type(), NumberType::Mobile);
    /// assert_eq!(
    ///     PhoneNumber::parse_mobile("(021) 555 1234", Region::ID),
    ///     Err(ParseError::NotMobile { number_type: NumberType::FixedLine })
    /// );
    /// # Ok::<(), ParseError>(())
    /// ```
    pub fn parse_mobile(
        input: &str,
        default_region: impl Into<Option<Region>>,
    ) -> Result<PhoneNumber, ParseError> {
        let number = PhoneNumber::parse_with_policy(input, default_region.into())?;
        // One type match decides both: a number is valid exactly when its type is known.
        let number_type = number.number_type();
        if number_type == NumberType::Unknown {
            return Err(ParseError::NotValid);
        }
        // Length before type, so that `NotMobile` is only said of a number
        // `parse_strict` accepts.
        let number = number.within_e164()?;
        if !number_type.is_mobile() {
            return Err(ParseError::NotMobile { number_type });
        }
        Ok(number)
    }

    /// Reads a WhatsApp `wa_id`: the E.164 digits without the `+`, as the Cloud API sends
    /// them in webhooks (`"6281234567890"`).
    ///
    /// The id is never read with a default region: under `ID`, libphonenumber would read
    /// the 11-digit `62853…` as the landline `+6262853…`.
    ///
    /// # Errors
    ///
    /// [`ParseError::InvalidWaId`] when the id is not 1 to 15 ASCII digits without a
    /// leading zero, or when libphonenumber would write the number with other digits (it
    /// is not canonical: `270123434` is read as `+27123434`); an error of
    /// [`parse`](Self::parse) when the digits are not a number (an unknown country code,
    /// too short, too long).
    ///
    /// # Examples
    ///
    /// ```
    /// use sehat_pseudonym::{ParseError, PhoneNumber};
    ///
    /// let number = PhoneNumber::from_wa_id("62853897600")?;
    /// assert_eq!(number.expose_e164(), "+62853897600");
    /// assert!(number.is_valid());
    ///
    /// assert!(matches!(PhoneNumber::from_wa_id("+62853897600"), Err(ParseError::InvalidWaId { .. })));
    /// assert!(matches!(PhoneNumber::from_wa_id("270123434"), Err(ParseError::InvalidWaId { .. })));
    /// # Ok::<(), ParseError>(())
    /// ```
    pub fn from_wa_id(wa_id: &str) -> Result<PhoneNumber, ParseError> {
        let reason = if wa_id.is_empty() {
            Some("it is empty")
        } else if !wa_id.bytes().all(|b| b.is_ascii_digit()) {
            Some("it must contain only the digits 0-9")
        } else if wa_id.len() > MAX_E164_DIGITS {
            Some("it has more than 15 digits")
        } else if wa_id.starts_with('0') {
            Some("it starts with 0, and no country code does")
        } else {
            None
        };
        if let Some(reason) = reason {
            return Err(ParseError::InvalidWaId { reason });
        }
        let mut plus = String::with_capacity(wa_id.len() + 1);
        plus.push('+');
        plus.push_str(wa_id);
        let number = PhoneNumber::parse(&plus, None)?;
        if number.e164 != plus {
            // libphonenumber drops a national prefix after the country code (`270123434`
            // reads as `+27123434`): these digits are not any number's wa_id.
            return Err(ParseError::InvalidWaId {
                reason: "it is not in canonical form (libphonenumber writes the number with other digits)",
            });
        }
        Ok(number)
    }

    /// Reads a canonical E.164 string (`+6281234567890`), as stored by this crate or a
    /// contact vault.
    ///
    /// # Errors
    ///
    /// [`ParseError::InvalidE164`] when the text is not `+` and 1 to 15 ASCII digits, or
    /// when libphonenumber would write the number differently (it is not canonical);
    /// an error of [`parse`](Self::parse) when the digits are not a number.
    ///
    /// # Examples
    ///
    /// ```
    /// use sehat_pseudonym::{ParseError, PhoneNumber};
    ///
    /// let number = PhoneNumber::from_e164("+6281234567890")?;
    /// assert_eq!(number.expose_wa_id(), "6281234567890");
    /// assert!(matches!(PhoneNumber::from_e164("6281234567890"), Err(ParseError::InvalidE164 { .. })));
    /// # Ok::<(), ParseError>(())
    /// ```
    pub fn from_e164(e164: &str) -> Result<PhoneNumber, ParseError> {
        let digits = e164.strip_prefix('+').ok_or(ParseError::InvalidE164 {
            reason: "it must start with +",
        })?;
        if digits.is_empty()
            || digits.len() > MAX_E164_DIGITS
            || !digits.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(ParseError::InvalidE164 {
                reason: "it must be + followed by 1 to 15 digits 0-9",
            });
        }
        let number = PhoneNumber::parse(e164, None)?;
        if &*number.e164 != e164 {
            return Err(ParseError::InvalidE164 {
                reason: "it is not in canonical form",
            });
        }
        Ok(number)
    }

    fn from_engine(inner: rlibphonenumber::PhoneNumber) -> PhoneNumber {
        let e164 =
            engine::with(|engine| engine.format(&inner, PhoneNumberFormat::E164).into_owned());
        PhoneNumber { inner, e164 }
    }

    /// Whether the number's length is possible for its country (libphonenumber's
    /// `is_possible_number`: a length check only, local-only lengths included).
    #[must_use]
    pub fn is_possible(&self) -> bool {
        engine::with(|engine| engine.is_possible_number(&self.inner))
    }

    /// Whether the number is valid under its country's numbering plan (libphonenumber's
    /// `is_valid_number`).
    ///
    /// libphonenumber decides validity by matching the number against its region's type
    /// patterns, so a number is valid exactly when [`number_type`](Self::number_type) is
    /// not [`NumberType::Unknown`]; callers that need both can call `number_type` alone.
    #[must_use]
    pub fn is_valid(&self) -> bool {
        self.number_type() != NumberType::Unknown
    }

    /// The kind of line (libphonenumber's `number_type`); [`NumberType::Unknown`] for a
    /// number that is not valid.
    #[must_use]
    pub fn number_type(&self) -> NumberType {
        NumberType::from_engine(engine::with(|engine| engine.get_number_type(&self.inner)))
    }

    /// The region the number belongs to, when the numbering plan says (`None` for
    /// non-geographic numbers and numbers that match no region).
    #[must_use]
    pub fn region(&self) -> Option<Region> {
        engine::with(|engine| engine.get_region_for_number(&self.inner))
            .and_then(|region| Region::new(&region.as_region_str()).ok())
    }

    /// The country calling code (`62` for Indonesia).
    #[must_use]
    pub fn country_code(&self) -> u16 {
        u16::try_from(self.inner.country_code).unwrap_or(0)
    }

    /// The full number in E.164 (`+6281234567890`). This is the call that reveals the
    /// number: keep it out of logs.
    #[must_use]
    pub fn expose_e164(&self) -> &str {
        &self.e164
    }

    /// The full number as a WhatsApp `wa_id`: E.164 without the `+`
    /// (`6281234567890`). This reveals the number: keep it out of logs.
    #[must_use]
    pub fn expose_wa_id(&self) -> &str {
        self.e164.strip_prefix('+').unwrap_or(&self.e164)
    }

    /// The full number in international format (`+62 812-3456-7890`). This reveals the
    /// number: keep it out of logs.
    #[must_use]
    pub fn expose_international(&self) -> String {
        engine::with(|engine| {
            engine
                .format(&self.inner, PhoneNumberFormat::International)
                .into_owned()
        })
    }

    /// The full number in its country's national format (`0812-3456-7890`). This reveals
    /// the number: keep it out of logs.
    #[must_use]
    pub fn expose_national(&self) -> String {
        engine::with(|engine| {
            engine
                .format(&self.inner, PhoneNumberFormat::National)
                .into_owned()
        })
    }

    /// The E.164 digits without `+`: the value a pseudonym is computed over.
    pub(crate) fn e164_digits(&self) -> &str {
        self.expose_wa_id()
    }

    fn masked(&self) -> String {
        let country_code = self.inner.country_code.unsigned_abs();
        let cc_digits = country_code.checked_ilog10().map_or(1, |d| d as usize + 1);
        // The E.164 form is `+`, the country code and the national significant number.
        let nsn = self.e164.len().saturating_sub(1 + cc_digits);
        mask::mask(&self.expose_international(), country_code, nsn)
    }
}

impl fmt::Display for PhoneNumber {
    /// The masked international form, `+62 812-****-**90`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

impl fmt::Debug for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PhoneNumber({})", self.masked())
    }
}

impl PartialEq for PhoneNumber {
    fn eq(&self, other: &Self) -> bool {
        self.e164 == other.e164
    }
}

impl Eq for PhoneNumber {}

impl Hash for PhoneNumber {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.e164.hash(state);
    }
}

impl PartialOrd for PhoneNumber {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for PhoneNumber {
    fn cmp(&self, other: &Self) -> Ordering {
        self.e164.cmp(&other.e164)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `is_valid` is derived from `number_type`; check it against the engine's own
    /// `is_valid_number` on every parsable public vector.
    #[test]
    fn validity_is_the_engine_validity() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/data/phone_vectors_public.csv"
        );
        let mut reader = csv::Reader::from_path(path).unwrap();
        let mut checked = 0;
        for record in reader.records() {
            let record = record.unwrap();
            let region = Region::new(&record[1]).ok();
            if let Ok(number) = PhoneNumber::parse(&record[0], region) {
                assert_eq!(
                    number.is_valid(),
                    rlibphonenumber::PHONE_NUMBER_UTIL.is_valid_number(&number.inner),
                    "row {checked}"
                );
                checked += 1;
            }
        }
        assert_eq!(checked, 873);
    }
}
