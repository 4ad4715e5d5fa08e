//! Why a phone number could not be read.

use crate::phone::NumberType;

/// Why an input could not be read as a phone number.
///
/// The first five variants are libphonenumber's own parse failures, with the names that
/// [`ParseError::name`] returns (`INVALID_COUNTRY_CODE`, `NOT_A_NUMBER`, …). The others
/// come from this crate's stricter entry points: [`PhoneNumber::from_wa_id`],
/// [`PhoneNumber::from_e164`], [`PhoneNumber::parse_strict`] and
/// [`PhoneNumber::parse_mobile`].
///
/// No variant carries the input: an error may be logged, and phone numbers must not be.
///
/// [`PhoneNumber::from_wa_id`]: crate::PhoneNumber::from_wa_id
/// [`PhoneNumber::from_e164`]: crate::PhoneNumber::from_e164
/// [`PhoneNumber::parse_strict`]: crate::PhoneNumber::parse_strict
/// [`PhoneNumber::parse_mobile`]: crate::PhoneNumber::parse_mobile
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ParseError {
    /// The number starts with `+` (or an international prefix) followed by an unknown
    /// country code, or it is a national number and there is no usable default region.
    #[error(
        "invalid country code: the number has an unknown country code, or it is national and no default region applies"
    )]
    InvalidCountryCode,
    /// The input does not look like a phone number at all (no digits, too few digits,
    /// over 250 characters, or a malformed `tel:` URI).
    #[error("not a phone number")]
    NotANumber,
    /// An international prefix is followed by too few digits.
    #[error("too short after the international prefix")]
    TooShortAfterIdd,
    /// The national significant number is shorter than any number can be.
    #[error("the national significant number is too short")]
    TooShortNsn,
    /// The number is longer than any number can be.
    #[error("the number is too long")]
    TooLong,
    /// A WhatsApp `wa_id` must be 1 to 15 ASCII digits without a leading zero.
    #[error("not a WhatsApp wa_id: {reason}")]
    InvalidWaId {
        /// What was wrong with it.
        reason: &'static str,
    },
    /// An E.164 string must be `+` followed by the canonical digits of a parsable number.
    #[error("not an E.164 number: {reason}")]
    InvalidE164 {
        /// What was wrong with it.
        reason: &'static str,
    },
    /// A letter touches a digit or sits inside the number (`0812 3456 789O`).
    /// libphonenumber drops fewer than three such letters and reads three or more as a
    /// vanity number; either way the result may be another person's number.
    #[error(
        "a letter stands next to or between the digits; it may be a mistyped digit (O for 0, l for 1)"
    )]
    StrayLetter,
    /// The input is a spreadsheet's scientific notation (`6.28123E+12`): the spreadsheet
    /// kept the number as a number and rounded it, so the digits past the mantissa are
    /// lost and no reading of it is the person's number.
    #[error(
        "a number in scientific notation (as a spreadsheet shows 6.28123E+12): its last digits are lost; store the column as text and export again"
    )]
    ScientificNotation,
    /// The number parses but is not valid under the numbering plan.
    #[error("the number is not valid under its country's numbering plan")]
    NotValid,
    /// The number is valid but is not one that can receive WhatsApp messages.
    #[error("the number is a valid {} number, not a mobile number", .number_type.as_str())]
    NotMobile {
        /// What the number is instead.
        number_type: NumberType,
    },
}

impl ParseError {
    /// The error's name in upper snake case: libphonenumber's `NumberParseException`
    /// names for the first five variants (`INVALID_COUNTRY_CODE`, `NOT_A_NUMBER`,
    /// `TOO_SHORT_AFTER_IDD`, `TOO_SHORT_NSN`, `TOO_LONG`), and `INVALID_WA_ID`,
    /// `INVALID_E164`, `STRAY_LETTER`, `SCIENTIFIC_NOTATION`, `NOT_VALID` or `NOT_MOBILE` for
    /// this crate's own.
    #[must_use]
    pub fn name(&self) -> &'static str {
        match self {
            ParseError::InvalidCountryCode => "INVALID_COUNTRY_CODE",
            ParseError::NotANumber => "NOT_A_NUMBER",
            ParseError::TooShortAfterIdd => "TOO_SHORT_AFTER_IDD",
            ParseError::TooShortNsn => "TOO_SHORT_NSN",
            ParseError::TooLong => "TOO_LONG",
            ParseError::InvalidWaId { .. } => "INVALID_WA_ID",
            ParseError::InvalidE164 { .. } => "INVALID_E164",
            ParseError::StrayLetter => "STRAY_LETTER",
            ParseError::ScientificNotation => "SCIENTIFIC_NOTATION",
            ParseError::NotValid => "NOT_VALID",
            ParseError::NotMobile { .. } => "NOT_MOBILE",
        }
    }

    pub(crate) fn from_engine(error: &rlibphonenumber::ParseError) -> Self {
        match error {
            rlibphonenumber::ParseError::InvalidCountryCode => ParseError::InvalidCountryCode,
            rlibphonenumber::ParseError::NotANumber(_) => ParseError::NotANumber,
            rlibphonenumber::ParseError::TooShortAfterIdd => ParseError::TooShortAfterIdd,
            rlibphonenumber::ParseError::TooShortNsn => ParseError::TooShortNsn,
            rlibphonenumber::ParseError::TooLongNsn => ParseError::TooLong,
        }
    }
}
