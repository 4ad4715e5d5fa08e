//! `Debug` output that masks personal data.
//!
//! The rule, for every type of the crate: identifiers of a person (phone numbers, `wa_id`s,
//! business-scoped user ids, message ids, identity hashes), names and usernames, what a
//! user wrote (message text, captions, file names), where they are (locations) and
//! fields the crate does not model ([`Extra`](crate::Extra)) never appear in `Debug` or
//! `Display`. Numbers keep their first four and last two digits, message ids their
//! prefix and last six characters, other values only whether they are present. The
//! fields themselves stay public and whole: reading one is the explicit way to the value.

use std::fmt::{self, Write};

use crate::ids::mask_middle;

/// A value shown as it is.
pub(crate) fn shown<T: fmt::Debug>(value: &T) -> &T {
    value
}

/// An optional value shown only as present or absent: `Some(<redacted>)` or `None`.
pub(crate) fn hidden<T>(value: &Option<T>) -> Hidden {
    Hidden(value.is_some())
}

/// An optional phone number as people write it, masked: `Some("+62 81*-****-**90")`.
pub(crate) fn number(value: &Option<String>) -> Number<'_> {
    Number(value.as_deref())
}

pub(crate) struct Hidden(bool);

impl fmt::Debug for Hidden {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0 { "Some(<redacted>)" } else { "None" })
    }
}

pub(crate) struct Number<'a>(Option<&'a str>);

impl fmt::Debug for Number<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            None => f.write_str("None"),
            Some(number) => {
                f.write_str("Some(\"")?;
                // Separators stay, digits are masked: all of them in a short number, all
                // but the first four and last two in a longer one.
                if number.chars().filter(char::is_ascii_digit).count() <= 6 {
                    for c in number.chars() {
                        f.write_char(if c.is_ascii_digit() { '*' } else { c })?;
                    }
                } else {
                    mask_middle(number, |c| c.is_ascii_digit(), f)?;
                }
                f.write_str("\")")
            }
        }
    }
}

/// Implements `Debug` for a struct, each field written through one of this module's
/// functions (`shown`, `hidden`, `number`).
///
/// Every field must be listed: the struct is destructured without `..`, so a field added
/// later does not compile until it is given a rule, rather than being left out of `Debug`
/// or shown by a rule chosen for another.
macro_rules! masked_debug {
    ($ty:ident { $($field:ident: $how:ident),* $(,)? }) => {
        impl std::fmt::Debug for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                let $ty { $($field),* } = self;
                f.debug_struct(stringify!($ty))
                    $(.field(stringify!($field), &$crate::redact::$how($field)))*
                    .finish()
            }
        }
    };
}

pub(crate) use masked_debug;

/// `text` with what could identify a user masked, for an error message or a log line
/// that quotes outside input: a run of seven or more digits (a phone number or `wa_id`,
/// written with single spaces, `-`, `.`, `(` or `)` between digits or not) keeps its
/// first four and last two digits, and a message id keeps only its `wamid.` prefix (a
/// wamid carries the recipient's number in base64).
///
/// # Examples
///
/// ```
/// let text = sehat_whatsapp::mask_identifiers("unknown purpose \"0812-3456-7890\"");
/// assert_eq!(text, "unknown purpose \"0812-****-**90\"");
/// assert_eq!(sehat_whatsapp::mask_identifiers("dose 2 of 3"), "dose 2 of 3");
/// ```
#[must_use]
pub fn mask_identifiers(text: &str) -> String {
    const WAMID: &str = "wamid.";
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if rest.starts_with(WAMID) {
            out.push_str(WAMID);
            out.push('…');
            let id = &rest[WAMID.len()..];
            let len = id
                .find(|c: char| {
                    !(c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '=' | '-' | '_'))
                })
                .unwrap_or(id.len());
            rest = &id[len..];
        } else if c.is_ascii_digit() {
            let len = number_len(rest);
            mask_number(&rest[..len], &mut out);
            rest = &rest[len..];
        } else {
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    out
}

/// The length of a number as people write it at the start of `text`: digits, with single
/// separators (space, `-`, `.`, `(`, `)`) between them.
fn number_len(text: &str) -> usize {
    let bytes = text.as_bytes();
    let mut end = 0;
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i].is_ascii_digit() {
            i += 1;
            end = i;
        } else if matches!(bytes[i], b' ' | b'-' | b'.' | b'(' | b')')
            && bytes.get(i + 1).is_some_and(u8::is_ascii_digit)
        {
            i += 1;
        } else {
            break;
        }
    }
    end
}

/// Writes a number, masking all but its first four and last two digits when it has seven
/// digits or more (separators are kept).
fn mask_number(number: &str, out: &mut String) {
    if number.bytes().filter(u8::is_ascii_digit).count() < 7 {
        out.push_str(number);
        return;
    }
    // Writing to a `String` cannot fail.
    let _ = mask_middle(number, |c| c.is_ascii_digit(), out);
}
