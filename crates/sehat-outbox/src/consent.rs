//! Consent keywords: what a person can type to stop or resume messages.

use crate::model::ConsentAction;

/// The consent meaning of an incoming text: `BERHENTI`/`STOP` stop every purpose,
/// `MULAI`/`START` resume them. Case-insensitive, surrounding spaces and a final `.` or `!`
/// ignored; any other text (including longer sentences) means nothing.
///
/// # Examples
///
/// ```
/// use sehat_outbox::consent::keyword;
/// use sehat_outbox::model::ConsentAction;
///
/// assert_eq!(keyword("  berhenti "), Some(ConsentAction::OptOut));
/// assert_eq!(keyword("Stop!"), Some(ConsentAction::OptOut));
/// assert_eq!(keyword("MULAI"), Some(ConsentAction::OptIn));
/// assert_eq!(keyword("start"), Some(ConsentAction::OptIn));
/// assert_eq!(keyword("jangan stop"), None);
/// ```
#[must_use]
pub fn keyword(text: &str) -> Option<ConsentAction> {
    let word = text.trim().trim_end_matches(['.', '!']).trim();
    if word.eq_ignore_ascii_case("berhenti") || word.eq_ignore_ascii_case("stop") {
        Some(ConsentAction::OptOut)
    } else if word.eq_ignore_ascii_case("mulai") || word.eq_ignore_ascii_case("start") {
        Some(ConsentAction::OptIn)
    } else {
        None
    }
}
