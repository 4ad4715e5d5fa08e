//! Identifier newtypes.
//!
//! Every id the Graph API hands out is a string, and mixing them up (a WABA id where a
//! phone-number id belongs, a media id as a template id) is an easy mistake that the API
//! answers with a vague `(#100) Invalid parameter`. Each id here is its own type, so the
//! compiler catches the swap.
//!
//! User identifiers are special: a WhatsApp user is reached either by phone number
//! ([`WaId`]) or, since the 2026 rollout, by a business-scoped user id
//! ([`BusinessScopedUserId`]). [`Recipient`] holds one of the two. A [`WaId`] is a phone
//! number and prints masked in `Debug` and `Display`; the full number comes out only through
//! [`WaId::as_str`].

use std::fmt;

use serde::{Deserialize, Serialize};

/// An id string was not acceptable for the type asked for.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IdError {
    /// The id was empty.
    #[error("{kind} is empty")]
    Empty {
        /// The kind of id (for example `phone number`).
        kind: &'static str,
    },
    /// The id contained a character that is not allowed, at the given byte offset.
    #[error("{kind} has an invalid character at byte {offset}")]
    InvalidCharacter {
        /// The kind of id.
        kind: &'static str,
        /// Byte offset of the first offending character.
        offset: usize,
    },
    /// A phone number written in national form: it starts with `0` (a trunk prefix such
    /// as Indonesia's `0812…`, or an international access prefix such as `00`), so its
    /// country code is missing. No country code starts with `0`.
    #[error(
        "{kind} starts with 0, so it is in national form without a country code: write it \
         with the country code, as +62 812… or 62812… rather than 0812…"
    )]
    NationalFormat {
        /// The kind of id.
        kind: &'static str,
    },
    /// The id had the wrong length.
    #[error("{kind} has {len} digits, expected {min} to {max}")]
    Length {
        /// The kind of id.
        kind: &'static str,
        /// The length found.
        len: usize,
        /// The smallest length allowed.
        min: usize,
        /// The largest length allowed.
        max: usize,
    },
}

macro_rules! graph_id {
    ($(#[$meta:meta])* $name:ident, $kind:literal) => {
        graph_id!($(#[$meta])* $name, $kind, write_plain);
    };
    ($(#[$meta:meta])* $name:ident, $kind:literal, $write:ident) => {
        $(#[$meta])*
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// Wraps an id as the Graph API returned it.
            #[must_use]
            pub fn new(id: impl Into<String>) -> Self {
                Self(id.into())
            }

            /// The id as a string.
            #[must_use]
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// Parses an id given by a user, rejecting an empty string and characters that
            /// cannot appear in a Graph API path segment (whitespace, `/`, `?`, `#`, `%`,
            /// `&`).
            ///
            /// # Errors
            ///
            /// [`IdError::Empty`] or [`IdError::InvalidCharacter`].
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("use sehat_whatsapp::ids::", stringify!($name), ";")]
            #[doc = concat!("assert!(", stringify!($name), "::parse(\"106540352242922\").is_ok());")]
            #[doc = concat!("assert!(", stringify!($name), "::parse(\"\").is_err());")]
            /// ```
            pub fn parse(id: &str) -> Result<Self, IdError> {
                check_path_segment(id, $kind)?;
                Ok(Self(id.to_owned()))
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(concat!(stringify!($name), "("))?;
                $write(&self.0, f)?;
                f.write_str(")")
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                $write(&self.0, f)
            }
        }

        impl From<&str> for $name {
            fn from(id: &str) -> Self {
                Self(id.to_owned())
            }
        }

        impl From<String> for $name {
            fn from(id: String) -> Self {
                Self(id)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
    };
}

/// Writes an id that identifies no person as it is.
fn write_plain(id: &str, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    f.write_str(id)
}

/// The number of trailing characters of a message id that its masked form keeps.
const MESSAGE_ID_TAIL: usize = 6;

/// Writes a message id masked: its `wamid.` prefix, `…`, and the last six characters when
/// the rest is at least 16 characters long (a wamid's start encodes the recipient's
/// number in base64; its end is the random part, enough to tell ids apart in a log).
pub(crate) fn mask_message_id(id: &str, out: &mut impl fmt::Write) -> fmt::Result {
    let (prefix, rest) = match id.find('.') {
        Some(dot) => id.split_at(dot + 1),
        None => ("", id),
    };
    out.write_str(prefix)?;
    out.write_char('…')?;
    let len = rest.chars().count();
    if len >= 16 {
        for c in rest.chars().skip(len - MESSAGE_ID_TAIL) {
            out.write_char(c)?;
        }
    }
    Ok(())
}

fn write_message_id(id: &str, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    mask_message_id(id, f)
}

fn check_path_segment(id: &str, kind: &'static str) -> Result<(), IdError> {
    if id.is_empty() {
        return Err(IdError::Empty { kind });
    }
    if let Some((offset, _)) = id.char_indices().find(|&(_, c)| {
        c.is_whitespace() || c.is_control() || matches!(c, '/' | '?' | '#' | '%' | '&')
    }) {
        return Err(IdError::InvalidCharacter { kind, offset });
    }
    Ok(())
}

graph_id!(
    /// The id of a business phone number (`{phone-number-id}` in paths).
    PhoneNumberId,
    "phone-number id"
);
graph_id!(
    /// The id of a WhatsApp Business Account (`{waba-id}` in paths).
    WabaId,
    "WABA id"
);
graph_id!(
    /// The id of an uploaded or received media object (valid 30 days after upload, 7 days
    /// for media received in webhooks).
    MediaId,
    "media id"
);
graph_id!(
    /// The id of a message template.
    TemplateId,
    "template id"
);
graph_id!(
    /// A WhatsApp message id (`wamid.…`), as returned by a send and carried by webhooks.
    ///
    /// A wamid carries the recipient's phone number in base64, so `Debug` and `Display`
    /// mask it (`wamid.…FjNF==`: the prefix and the last six characters);
    /// [`MessageId::as_str`] is the one explicit way to the full id.
    ///
    /// ```
    /// use sehat_whatsapp::ids::MessageId;
    /// let id = MessageId::new("wamid.HBgNNjI4MTIzNDU2Nzg5MBUCABIYFjNF==");
    /// assert_eq!(id.to_string(), "wamid.…FjNF==");
    /// assert_eq!(format!("{id:?}"), "MessageId(wamid.…FjNF==)");
    /// assert_eq!(id.as_str(), "wamid.HBgNNjI4MTIzNDU2Nzg5MBUCABIYFjNF==");
    /// ```
    MessageId,
    "message id",
    write_message_id
);
graph_id!(
    /// The id of a Meta app (as listed by a WABA's subscribed apps).
    AppId,
    "app id"
);
graph_id!(
    /// The id of a WhatsApp Flow.
    FlowId,
    "flow id"
);
graph_id!(
    /// The id of a WhatsApp group (`{group-id}` in paths; `to` with `recipient_type: "group"`).
    GroupId,
    "group id"
);

/// A business-scoped user id (BSUID), such as `US.13491208655302741918` or `user.2b7e…`.
///
/// Meta introduced them in 2026: webhooks carry them as `user_id`, `from_user_id` and
/// `recipient_user_id`, and `to` accepts one in place of a phone number (except for
/// authentication templates). The id is scoped to the business and changes when the user
/// changes phone number.
///
/// The id identifies a person as surely as a phone number does, so `Debug` and `Display`
/// mask it (`ID.13****************18`); [`BusinessScopedUserId::as_str`] is the one explicit
/// way to the full id.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct BusinessScopedUserId(String);

impl BusinessScopedUserId {
    /// Parses a business-scoped user id: non-empty, no whitespace or control characters.
    ///
    /// # Errors
    ///
    /// [`IdError::Empty`] or [`IdError::InvalidCharacter`].
    ///
    /// # Examples
    ///
    /// ```
    /// use sehat_whatsapp::ids::BusinessScopedUserId;
    /// let id = BusinessScopedUserId::parse("ID.13491208655302741918")?;
    /// assert_eq!(id.as_str(), "ID.13491208655302741918");
    /// assert!(BusinessScopedUserId::parse("").is_err());
    /// # Ok::<(), sehat_whatsapp::ids::IdError>(())
    /// ```
    pub fn parse(id: &str) -> Result<Self, IdError> {
        check_path_segment(id, "business-scoped user id")?;
        Ok(Self(id.to_owned()))
    }

    /// Wraps an id as received from the API, without checks.
    #[must_use]
    pub fn new(id: impl Into<String>) -> Self {
        Self(id.into())
    }

    /// The id as a string.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<String> for BusinessScopedUserId {
    fn from(id: String) -> Self {
        Self(id)
    }
}

impl fmt::Debug for BusinessScopedUserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("BusinessScopedUserId(")?;
        mask_user_id(&self.0, f)?;
        f.write_str(")")
    }
}

impl fmt::Display for BusinessScopedUserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        mask_user_id(&self.0, f)
    }
}

/// Writes a business-scoped user id with its scope (`ID.`) and the first two and last two
/// characters after it; the rest is replaced by `*`.
fn mask_user_id(id: &str, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    let rest = match id.split_once('.') {
        Some((scope, rest)) => {
            f.write_str(scope)?;
            f.write_str(".")?;
            rest
        }
        None => id,
    };
    let len = rest.chars().count();
    for (i, c) in rest.chars().enumerate() {
        if len > 4 && (i < 2 || i >= len - 2) {
            write!(f, "{c}")?;
        } else {
            f.write_str("*")?;
        }
    }
    Ok(())
}

/// A WhatsApp user's phone number as the API writes it (`wa_id`, `from`, `recipient_id`,
/// `to`): digits with the country code, optionally with a leading `+`.
///
/// `Debug` and `Display` mask the middle digits (`6281******90`); [`WaId::as_str`] is the
/// one explicit way to the full number.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct WaId(String);

impl WaId {
    /// Parses a phone number given in international form.
    ///
    /// The rule: surrounding blanks are ignored; then an optional `+`, only before the
    /// first digit; then 7 to 15 digits (E.164 allows at most 15), the first of which is
    /// not `0`; spaces, dashes, dots and parentheses between them are dropped, so
    /// `+62 812-3456-7890` is accepted and gives `6281234567890`. A number that starts
    /// with `0` is in national form (`0812-3456-7890`, a trunk prefix) or behind an
    /// international access prefix (`0062…`): its country code cannot be known here, so
    /// it is refused rather than sent to a number nobody has. To read national numbers,
    /// parse them with a default region first (for example with `sehat-pseudonym`'s
    /// `PhoneNumber::parse_mobile`) and pass the E.164 digits here.
    ///
    /// # Errors
    ///
    /// [`IdError::Empty`], [`IdError::InvalidCharacter`] (with the offset in the input),
    /// [`IdError::NationalFormat`] or [`IdError::Length`].
    ///
    /// # Examples
    ///
    /// ```
    /// use sehat_whatsapp::ids::{IdError, WaId};
    /// let to = WaId::parse("+62 812-3456-7890")?;
    /// assert_eq!(to.as_str(), "6281234567890");
    /// assert_eq!(to.to_string(), "6281*******90");
    /// assert!(matches!(WaId::parse("0812-3456-7890"), Err(IdError::NationalFormat { .. })));
    /// assert!(WaId::parse("0812 abc").is_err());
    /// # Ok::<(), sehat_whatsapp::ids::IdError>(())
    /// ```
    pub fn parse(number: &str) -> Result<Self, IdError> {
        const KIND: &str = "phone number";
        if number.trim().is_empty() {
            return Err(IdError::Empty { kind: KIND });
        }
        let mut digits = String::with_capacity(number.len());
        let mut plus = false;
        for (offset, c) in number.char_indices() {
            match c {
                '0'..='9' => digits.push(c),
                '+' if digits.is_empty() && !plus => plus = true,
                ' ' | '-' | '.' | '(' | ')' => {}
                // Blanks of any kind around the number, as `trim` removes them.
                c if c.is_whitespace()
                    && (number[..offset].trim().is_empty()
                        || number[offset..].trim().is_empty()) => {}
                _ => return Err(IdError::InvalidCharacter { kind: KIND, offset }),
            }
        }
        if digits.starts_with('0') {
            return Err(IdError::NationalFormat { kind: KIND });
        }
        if !(7..=15).contains(&digits.len()) {
            return Err(IdError::Length {
                kind: KIND,
                len: digits.len(),
                min: 7,
                max: 15,
            });
        }
        Ok(Self(digits))
    }

    /// Wraps a number as received from the API, without checks.
    #[must_use]
    pub fn new(number: impl Into<String>) -> Self {
        Self(number.into())
    }

    /// The full, unmasked number.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether the API sent an empty string (as it does for users known only by a
    /// business-scoped user id).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Writes `number` with all but the first four and last two characters replaced by `*`.
pub(crate) fn mask_number(number: &str, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    let len = number.chars().count();
    if len <= 6 {
        for _ in 0..len {
            f.write_str("*")?;
        }
        return Ok(());
    }
    mask_middle(number, |_| true, f)
}

/// Writes `text` with every counted character (those for which `counted` is true)
/// replaced by `*`, except the first four and the last two of them; other characters
/// (separators) are written as they are.
pub(crate) fn mask_middle(
    text: &str,
    counted: impl Fn(char) -> bool,
    out: &mut impl fmt::Write,
) -> fmt::Result {
    let total = text.chars().filter(|&c| counted(c)).count();
    let mut seen = 0;
    for c in text.chars() {
        if !counted(c) {
            out.write_char(c)?;
            continue;
        }
        seen += 1;
        out.write_char(if seen <= 4 || seen + 2 > total {
            c
        } else {
            '*'
        })?;
    }
    Ok(())
}

impl From<String> for WaId {
    fn from(number: String) -> Self {
        Self(number)
    }
}

impl fmt::Debug for WaId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("WaId(")?;
        mask_number(&self.0, f)?;
        f.write_str(")")
    }
}

impl fmt::Display for WaId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        mask_number(&self.0, f)
    }
}

/// Who a message goes to: a phone number or a business-scoped user id.
///
/// It serializes into the `to` field of a send (with `recipient_type: "individual"`).
/// `Display` and `Debug` mask phone numbers and business-scoped user ids.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
#[non_exhaustive]
pub enum Recipient {
    /// A phone number.
    Phone(WaId),
    /// A business-scoped user id (not allowed for authentication templates: error 131062).
    User(BusinessScopedUserId),
    /// A group the business created (sent with `recipient_type: "group"`).
    Group(GroupId),
}

impl Recipient {
    /// The value of the `to` field.
    #[must_use]
    pub fn to_field(&self) -> &str {
        match self {
            Self::Phone(number) => number.as_str(),
            Self::User(id) => id.as_str(),
            Self::Group(id) => id.as_str(),
        }
    }

    /// The value of the `recipient_type` field: `group` for a group, else `individual`.
    #[must_use]
    pub fn recipient_type(&self) -> &'static str {
        match self {
            Self::Group(_) => "group",
            Self::Phone(_) | Self::User(_) => "individual",
        }
    }
}

impl From<GroupId> for Recipient {
    fn from(id: GroupId) -> Self {
        Self::Group(id)
    }
}

impl fmt::Display for Recipient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Phone(number) => fmt::Display::fmt(number, f),
            Self::User(id) => fmt::Display::fmt(id, f),
            Self::Group(id) => fmt::Display::fmt(id, f),
        }
    }
}

impl From<WaId> for Recipient {
    fn from(number: WaId) -> Self {
        Self::Phone(number)
    }
}

impl From<BusinessScopedUserId> for Recipient {
    fn from(id: BusinessScopedUserId) -> Self {
        Self::User(id)
    }
}

/// Deserializes an optional id, treating an empty string (as Meta sends for users known
/// only by a business-scoped id) as absent.
///
/// # Errors
///
/// When the value is neither a string nor null.
pub fn empty_as_none<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: From<String>,
{
    let value: Option<String> = Option::deserialize(deserializer)?;
    Ok(value.filter(|s| !s.is_empty()).map(T::from))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wa_id_parse_normalizes_and_masks() {
        let id = WaId::parse("+62 (812) 3456.7890").unwrap();
        assert_eq!(id.as_str(), "6281234567890");
        assert_eq!(format!("{id}"), "6281*******90");
        assert_eq!(format!("{id:?}"), "WaId(6281*******90)");
    }

    #[test]
    fn wa_id_parse_rejects_bad_input_with_position() {
        assert_eq!(
            WaId::parse("62812x"),
            Err(IdError::InvalidCharacter {
                kind: "phone number",
                offset: 5
            })
        );
        assert_eq!(
            WaId::parse("+62 8"),
            Err(IdError::Length {
                kind: "phone number",
                len: 3,
                min: 7,
                max: 15
            })
        );
        assert_eq!(
            WaId::parse("  "),
            Err(IdError::Empty {
                kind: "phone number"
            })
        );
        assert!(WaId::parse("62+81234567").is_err());
        assert!(WaId::parse("++6281234567").is_err());
        assert_eq!(
            WaId::parse("\t+6281234567890\n").unwrap().as_str(),
            "6281234567890"
        );
    }

    #[test]
    fn wa_id_parse_refuses_national_form() {
        for national in [
            "0812-3456-7890",
            "081234567890",
            "(0812) 3456 7890",
            "+0812345678",
            "0062 812 3456 7890",
        ] {
            let error = WaId::parse(national).unwrap_err();
            assert_eq!(
                error,
                IdError::NationalFormat {
                    kind: "phone number"
                },
                "{national}"
            );
            assert!(error.to_string().contains("country code"), "{error}");
        }
        // The same number with its country code is accepted, in every written form.
        for international in ["+62 812-3456-7890", "62 812 3456 7890", "6281234567890"] {
            assert_eq!(
                WaId::parse(international).unwrap().as_str(),
                "6281234567890"
            );
        }
    }

    #[test]
    fn graph_ids_reject_path_characters() {
        assert_eq!(
            PhoneNumberId::parse("12/34"),
            Err(IdError::InvalidCharacter {
                kind: "phone-number id",
                offset: 2
            })
        );
        assert_eq!(
            WabaId::parse("102290129340398").unwrap().as_str(),
            "102290129340398"
        );
    }

    #[test]
    fn ids_are_transparent_in_json() {
        let id: MessageId = serde_json::from_str("\"wamid.ABC\"").unwrap();
        assert_eq!(id.as_str(), "wamid.ABC");
        assert_eq!(serde_json::to_string(&id).unwrap(), "\"wamid.ABC\"");
        let user: BusinessScopedUserId = serde_json::from_str("\"US.1349\"").unwrap();
        assert_eq!(user.as_str(), "US.1349");
    }

    #[test]
    fn recipient_to_field() {
        let phone = Recipient::from(WaId::parse("6281234567890").unwrap());
        assert_eq!(phone.to_field(), "6281234567890");
        assert_eq!(phone.to_string(), "6281*******90");
        let user = Recipient::from(BusinessScopedUserId::parse("ID.99").unwrap());
        assert_eq!(user.to_field(), "ID.99");
        assert_eq!(user.to_string(), "ID.**");
    }

    #[test]
    fn message_ids_are_masked() {
        // The base64 of a wamid starts with the recipient's number: `NjI4MTIz…` is
        // "628123…".
        let full = "wamid.HBgNNjI4MTIzNDU2Nzg5MBUCABIYFjNFQjBBMUIyQzNENEU1RjZBNwA=";
        let id = MessageId::new(full);
        for text in [
            id.to_string(),
            format!("{id:?}"),
            format!("{:?}", Some(&id)),
        ] {
            assert!(!text.contains("NjI4MTIz"), "{text}");
            assert!(!text.contains("HBgN"), "{text}");
            assert!(text.contains("wamid.…ZBNwA="), "{text}");
        }
        assert_eq!(id.as_str(), full);
        // Short ids (tests, mocks) keep only the prefix.
        assert_eq!(MessageId::new("wamid.ABC").to_string(), "wamid.…");
        assert_eq!(MessageId::new("ABCDEFGHIJKLMNOPQRS").to_string(), "…NOPQRS");
        // Other Graph ids identify no person and print as they are.
        assert_eq!(
            PhoneNumberId::new("106540352242922").to_string(),
            "106540352242922"
        );
        assert_eq!(
            format!("{:?}", WabaId::new("102290129340398")),
            "WabaId(102290129340398)"
        );
    }

    #[test]
    fn user_ids_are_masked() {
        let id = BusinessScopedUserId::parse("ID.13491208655302741918").unwrap();
        assert_eq!(id.to_string(), "ID.13****************18");
        assert_eq!(
            format!("{id:?}"),
            "BusinessScopedUserId(ID.13****************18)"
        );
        assert_eq!(id.as_str(), "ID.13491208655302741918");
        let unscoped = BusinessScopedUserId::new("user2b7e9af1");
        assert_eq!(unscoped.to_string(), "us********f1");
        let recipient = Recipient::from(id);
        assert!(!recipient.to_string().contains("91208655"));
        assert!(!format!("{recipient:?}").contains("91208655"));
    }
}
