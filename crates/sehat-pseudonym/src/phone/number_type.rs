//! What kind of line a number belongs to.

use std::fmt;

/// The kind of line a number belongs to, as libphonenumber's metadata says.
///
/// [`NumberType::as_str`] gives libphonenumber's `PhoneNumberType` name (`MOBILE`,
/// `FIXED_LINE`, …).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum NumberType {
    /// A landline.
    FixedLine,
    /// A mobile number.
    Mobile,
    /// A number that may be either (where the plan does not tell them apart, as in the US).
    FixedLineOrMobile,
    /// A toll-free number.
    TollFree,
    /// A premium-rate number.
    PremiumRate,
    /// A shared-cost number.
    SharedCost,
    /// A voice-over-IP number.
    Voip,
    /// A personal number, routed wherever its holder chooses.
    PersonalNumber,
    /// A pager.
    Pager,
    /// A universal access number (one number for a whole organisation).
    Uan,
    /// A voicemail access number.
    Voicemail,
    /// None of the above: the number matches no pattern of its region (it is not valid).
    Unknown,
}

impl NumberType {
    /// libphonenumber's name for the type: `MOBILE`, `FIXED_LINE`,
    /// `FIXED_LINE_OR_MOBILE`, `TOLL_FREE`, `PREMIUM_RATE`, `SHARED_COST`, `VOIP`,
    /// `PERSONAL_NUMBER`, `PAGER`, `UAN`, `VOICEMAIL` or `UNKNOWN`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            NumberType::FixedLine => "FIXED_LINE",
            NumberType::Mobile => "MOBILE",
            NumberType::FixedLineOrMobile => "FIXED_LINE_OR_MOBILE",
            NumberType::TollFree => "TOLL_FREE",
            NumberType::PremiumRate => "PREMIUM_RATE",
            NumberType::SharedCost => "SHARED_COST",
            NumberType::Voip => "VOIP",
            NumberType::PersonalNumber => "PERSONAL_NUMBER",
            NumberType::Pager => "PAGER",
            NumberType::Uan => "UAN",
            NumberType::Voicemail => "VOICEMAIL",
            NumberType::Unknown => "UNKNOWN",
        }
    }

    /// Whether a number of this type can be a WhatsApp account: `MOBILE`, or
    /// `FIXED_LINE_OR_MOBILE` where the plan cannot tell the two apart.
    #[must_use]
    pub fn is_mobile(self) -> bool {
        matches!(self, NumberType::Mobile | NumberType::FixedLineOrMobile)
    }

    pub(crate) fn from_engine(number_type: rlibphonenumber::PhoneNumberType) -> Self {
        use rlibphonenumber::PhoneNumberType as T;
        match number_type {
            T::FixedLine => NumberType::FixedLine,
            T::Mobile => NumberType::Mobile,
            T::FixedLineOrMobile => NumberType::FixedLineOrMobile,
            T::TollFree => NumberType::TollFree,
            T::PremiumRate => NumberType::PremiumRate,
            T::SharedCost => NumberType::SharedCost,
            T::VoIP => NumberType::Voip,
            T::PersonalNumber => NumberType::PersonalNumber,
            T::Pager => NumberType::Pager,
            T::UAN => NumberType::Uan,
            T::VoiceMail => NumberType::Voicemail,
            T::Unknown => NumberType::Unknown,
        }
    }
}

impl fmt::Display for NumberType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
