//! What the two webhook targets check for one body.
//!
//! Invariants beyond "no panic":
//! - a body signed with the app secret is never refused for its signature, and parses
//!   exactly when `WebhookPayload::from_slice` parses it;
//! - a wrong, truncated or arbitrary signature is refused, and nothing is parsed;
//! - a parse error names a place and a JSON type, never a value of the body (no run of six
//!   or more digits of the body, which could be a phone number or wa_id, shows in it);
//! - every change of the payload yields at least one event, and every event's accessors
//!   and `Debug` work.

use sehat_whatsapp::webhook::{
    Event, SignatureError, WebhookError, WebhookPayload, WebhookVerifier, sign_payload,
};

/// The app secret of the fuzzed verifier.
pub const SECRET: &str = "fuzz-app-secret";

pub fn check(body: &[u8]) {
    let verifier = WebhookVerifier::new([SECRET]);
    let header = sign_payload(SECRET.as_bytes(), body);

    let parsed = verifier.verify_and_parse(body, Some(&header));
    let direct = WebhookPayload::from_slice(body);
    match (&parsed, &direct) {
        (Ok(_), Ok(_)) => {}
        (Err(WebhookError::Parse(a)), Err(b)) => {
            assert_eq!(a, b);
            assert_no_digits_of(body, &format!("{a} {a:?}"));
        }
        (Err(WebhookError::TooLarge { .. }), _) => {
            assert!(body.len() > WebhookVerifier::DEFAULT_MAX_BODY_LEN);
        }
        (Err(WebhookError::Signature(e)), _) => panic!("a correctly signed body was refused: {e}"),
        _ => panic!("verify_and_parse and from_slice disagree"),
    }

    // A wrong signature: one hex digit changed, the header cut short, and an arbitrary
    // header taken from the body.
    let mut flipped = header.clone().into_bytes();
    let last = flipped.len() - 1;
    flipped[last] = if flipped[last] == b'0' { b'1' } else { b'0' };
    let flipped = String::from_utf8(flipped).expect("ASCII header");
    let cut = &header[..header.len() - 2];
    let arbitrary = String::from_utf8_lossy(&body[..body.len().min(80)]).into_owned();
    for wrong in [flipped.as_str(), cut, arbitrary.as_str(), ""] {
        if wrong == header {
            continue;
        }
        match verifier.verify_and_parse(body, Some(wrong)) {
            Err(WebhookError::Signature(_) | WebhookError::TooLarge { .. }) => {}
            Ok(_) => panic!("a wrong signature was accepted"),
            Err(e) => panic!("a wrong signature let the body be parsed: {e}"),
        }
    }
    assert!(matches!(
        verifier.verify(body, None),
        Err(SignatureError::Missing)
    ));

    if let Ok(payload) = direct {
        walk(&payload);
    }
}

/// No run of six or more digits of the body shows in `shown`.
fn assert_no_digits_of(body: &[u8], shown: &str) {
    for run in body
        .split(|b| !b.is_ascii_digit())
        .filter(|run| run.len() >= 6)
    {
        let run = std::str::from_utf8(run).expect("ASCII digits");
        assert!(
            !shown.contains(run),
            "an error shows digits of the body: {shown:?}"
        );
    }
}

fn walk(payload: &WebhookPayload) {
    let changes = payload.changes().count();
    let mut events = 0;
    for event in payload.events() {
        events += 1;
        let origin = event.origin();
        let _ = (origin.waba_id(), origin.field(), origin.phone_number_id());
        let _ = (
            event.kind(),
            event.id(),
            event.type_str(),
            event.dedupe_key(),
        );
        if let Some(user) = event.user() {
            let _ = (user.best_key(), format!("{user:?}"));
        }
        if let Event::Message(message) = &event {
            let _ = (
                message.sender(),
                message.profile_name(),
                message.message.text(),
            );
        }
        let _ = format!("{event:?}");
    }
    assert!(
        events >= changes,
        "{changes} changes gave only {events} events: a change was skipped"
    );
    let _ = format!("{payload:?}");
}
