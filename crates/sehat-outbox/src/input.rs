//! From what a caller has (a number typed by a person, a zone name, a window) to a
//! [`NewMessage`]: parsed, checked, pseudonymized and tokenized.

use std::collections::BTreeMap;

use rayon::prelude::*;
use sehat_pseudonym::{PhoneNumber, Region};
use time::OffsetDateTime;

use crate::OutboxKeys;
use crate::model::{MessageKey, NewMessage, Purpose, TimeZoneName};

/// The longest template name accepted (the Cloud API's limit is 512).
const MAX_TEMPLATE_LEN: usize = 512;

/// One message as a caller describes it.
///
/// # Examples
///
/// ```
/// use sehat_outbox::input::ScheduleRequest;
/// use sehat_outbox::model::Purpose;
/// use time::macros::datetime;
///
/// let request = ScheduleRequest::new(
///     "child-17/campak/1",
///     "0812-3456-7890",
///     Purpose::Reminder,
///     "imunisasi_pengingat",
///     datetime!(2026-05-04 02:00 UTC),
/// )
/// .param("nama", "Sari")
/// .timezone("Asia/Makassar");
/// assert_eq!(request.language, "id");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct ScheduleRequest {
    /// The idempotency key.
    pub key: String,
    /// The phone number in any human format (`0812-3456-7890`, `+62 812 …`, `62812…`).
    pub phone: String,
    /// Why it is sent.
    pub purpose: Purpose,
    /// The template name.
    pub template: String,
    /// The template language (default `id`).
    pub language: String,
    /// Named template parameters.
    pub params: BTreeMap<String, String>,
    /// Not before.
    pub not_before: OffsetDateTime,
    /// Not after.
    pub not_after: Option<OffsetDateTime>,
    /// The IANA zone (`None`: Asia/Jakarta).
    pub timezone: Option<String>,
}

impl ScheduleRequest {
    /// A request in Indonesian (`id`), without parameters, `not_after` or zone.
    #[must_use]
    pub fn new(
        key: impl Into<String>,
        phone: impl Into<String>,
        purpose: Purpose,
        template: impl Into<String>,
        not_before: OffsetDateTime,
    ) -> ScheduleRequest {
        ScheduleRequest {
            key: key.into(),
            phone: phone.into(),
            purpose,
            template: template.into(),
            language: "id".into(),
            params: BTreeMap::new(),
            not_before,
            not_after: None,
            timezone: None,
        }
    }

    /// With a named parameter.
    #[must_use]
    pub fn param(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.params.insert(name.into(), value.into());
        self
    }

    /// With a language code.
    #[must_use]
    pub fn language(mut self, language: impl Into<String>) -> Self {
        self.language = language.into();
        self
    }

    /// With a `not_after`.
    #[must_use]
    pub fn not_after(mut self, at: OffsetDateTime) -> Self {
        self.not_after = Some(at);
        self
    }

    /// With an IANA zone name.
    #[must_use]
    pub fn timezone(mut self, zone: impl Into<String>) -> Self {
        self.timezone = Some(zone.into());
        self
    }
}

/// A request was refused; `field` names the offending field (`key`, `phone`, `template`,
/// `language`, `param.NAME`, `not_after`, `timezone`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {problem}")]
pub struct InputError {
    /// The field.
    pub field: String,
    /// What is wrong (never the phone number itself).
    pub problem: String,
}

impl InputError {
    fn new(field: impl Into<String>, problem: impl ToString) -> InputError {
        InputError {
            field: field.into(),
            problem: problem.to_string(),
        }
    }

    pub(crate) fn internal(problem: &str) -> InputError {
        InputError::new("-", problem)
    }
}

/// Parses a number for WhatsApp: any human format, default region `ID`, a valid mobile
/// number (WhatsApp runs on mobile numbers).
///
/// # Errors
///
/// [`InputError`] for the field `phone` saying what is wrong (never echoing the number).
pub fn parse_phone(text: &str) -> Result<PhoneNumber, InputError> {
    PhoneNumber::parse_mobile(text, Region::ID).map_err(|e| InputError::new("phone", e))
}

fn check_name(field: &str, value: &str, max: usize) -> Result<(), InputError> {
    if value.trim().is_empty() {
        return Err(InputError::new(field, "is empty"));
    }
    if value.len() > max {
        return Err(InputError::new(
            field,
            format!("is {} bytes long; at most {max} are allowed", value.len()),
        ));
    }
    if value.chars().any(char::is_control) {
        return Err(InputError::new(field, "has a control character"));
    }
    Ok(())
}

/// What WhatsApp refuses in a parameter value.
enum ValueProblem {
    /// A line break, a tab or four spaces in a row.
    Spacing,
    /// Another control character.
    Control,
}

/// The first kind of problem of a parameter value, in one pass: a line break, a tab or four
/// spaces in a row come before other control characters (the order of the messages).
fn value_problem(value: &str) -> Option<ValueProblem> {
    let mut spaces = 0;
    let mut control = false;
    for b in value.bytes() {
        match b {
            b'\n' | b'\t' => return Some(ValueProblem::Spacing),
            b' ' => {
                spaces += 1;
                if spaces == 4 {
                    return Some(ValueProblem::Spacing);
                }
                continue;
            }
            // C0 controls and DEL; C1 controls (U+0080–U+009F) are two bytes, 0xC2 then
            // 0x80–0x9F, and are looked for below only when an 0xC2 byte is seen.
            0..=0x1F | 0x7F => control = true,
            0xC2 => control = control || value.chars().any(char::is_control),
            _ => {}
        }
        spaces = 0;
    }
    control.then_some(ValueProblem::Control)
}

/// Checks one request and turns it into a message.
///
/// # Errors
///
/// [`InputError`] naming the first offending field.
pub fn prepare(keys: &OutboxKeys, request: &ScheduleRequest) -> Result<NewMessage, InputError> {
    let key = MessageKey::new(&request.key).map_err(|e| InputError::new("key", e))?;
    let number = parse_phone(&request.phone)?;
    check_name("template", &request.template, MAX_TEMPLATE_LEN)?;
    if !request
        .template
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    {
        return Err(InputError::new(
            "template",
            "a template name has only lower-case letters, digits and underscores",
        ));
    }
    check_name("language", &request.language, 15)?;
    for (name, value) in &request.params {
        // A refused name is shown escaped: a control character in it never reaches a
        // terminal or a log as it is. Written only when a parameter is refused.
        let field = || format!("param.{}", name.escape_debug());
        if name.is_empty()
            || !name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        {
            return Err(InputError::new(
                field(),
                "a parameter name has only lower-case letters, digits and underscores",
            ));
        }
        if value.trim().is_empty() {
            return Err(InputError::new(
                field(),
                "is empty (WhatsApp refuses empty parameters)",
            ));
        }
        match value_problem(value) {
            Some(ValueProblem::Spacing) => {
                return Err(InputError::new(
                    field(),
                    "has a line break, a tab or four spaces in a row (WhatsApp refuses them)",
                ));
            }
            Some(ValueProblem::Control) => {
                return Err(InputError::new(field(), "has a control character"));
            }
            None => {}
        }
    }
    if request.not_after.is_some_and(|at| at < request.not_before) {
        return Err(InputError::new("not_after", "is before not_before"));
    }
    let timezone = match request.timezone.as_deref().map(str::trim) {
        None | Some("") => TimeZoneName::default(),
        Some(name) => TimeZoneName::new(name).map_err(|e| InputError::new("timezone", e))?,
    };
    let token = keys
        .token_of_phone(&number)
        .map_err(|e| InputError::new("phone", e))?;
    Ok(NewMessage {
        key,
        subject: keys.subject_of_phone(&number),
        token,
        purpose: request.purpose,
        template: request.template.clone(),
        language: request.language.trim().to_owned(),
        params: request.params.clone(),
        not_before: request.not_before,
        not_after: request.not_after,
        timezone,
    })
}

/// [`prepare`] over many requests on all cores, in order.
#[must_use]
pub fn prepare_all(
    keys: &OutboxKeys,
    requests: &[ScheduleRequest],
) -> Vec<Result<NewMessage, InputError>> {
    if requests.len() < 64 {
        return requests.iter().map(|r| prepare(keys, r)).collect();
    }
    requests.par_iter().map(|r| prepare(keys, r)).collect()
}

#[cfg(test)]
mod tests {
    use super::{ValueProblem, value_problem};

    /// The one-pass check says what the two checks it replaced said, in their order.
    #[test]
    fn value_problem_matches_the_plain_checks() {
        let values = [
            "Sari",
            "a b  c   d",
            "four    spaces",
            "   three at the start",
            "tab\there",
            "line\nbreak",
            "bell\u{7}",
            "del\u{7f}",
            "c1\u{85}control",
            "bell\u{7} then    spaces",
            "Ünïcödé ½ ok",
            "\u{a0}\u{a0}\u{a0}\u{a0} no-break spaces",
            "",
        ];
        for value in values {
            let expected = if value.contains(['\n', '\t']) || value.contains("    ") {
                "spacing"
            } else if value.chars().any(char::is_control) {
                "control"
            } else {
                "none"
            };
            let got = match value_problem(value) {
                Some(ValueProblem::Spacing) => "spacing",
                Some(ValueProblem::Control) => "control",
                None => "none",
            };
            assert_eq!(got, expected, "{value:?}");
        }
    }
}
