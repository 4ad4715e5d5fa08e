//! Property tests: the parsers never panic, pseudonyms are deterministic and separated by
//! domain and key, and text forms round-trip.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::LazyLock;

use proptest::prelude::*;
use sehat_pseudonym::{
    Bsuid, Domain, Keyset, PhoneNumber, Pseudonym, Region, Subject, Token, TokenKeyset,
};

static KEYSET: LazyLock<Keyset> = LazyLock::new(|| Keyset::generate().unwrap());
static OTHER_KEYSET: LazyLock<Keyset> = LazyLock::new(|| Keyset::generate().unwrap());
static TOKEN_KEYS: LazyLock<TokenKeyset> = LazyLock::new(|| TokenKeyset::generate().unwrap());

/// Human-looking phone input: digits, separators, a few letters, Unicode digits and spaces.
fn messy_input() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            8 => prop::char::range('0', '9'),
            2 => prop::sample::select(vec![' ', '-', '.', '(', ')', '+', '/', '\u{a0}', '\u{2013}']),
            1 => prop::sample::select(vec!['O', 'l', 'I', 'x', 'e', ';', '=', ':', '٣', '０', '\u{200b}', '#', '*']),
        ],
        0..40,
    )
    .prop_map(|chars| chars.into_iter().collect())
}

fn region() -> impl Strategy<Value = Option<Region>> {
    prop::sample::select(vec![
        None,
        Some(Region::ID),
        Some(Region::MY),
        Some(Region::US),
        Some(Region::new("ZZ").unwrap()),
    ])
}

fn domain() -> impl Strategy<Value = Domain> {
    "[a-z0-9][a-z0-9._-]{0,20}".prop_map(|name| Domain::new(&name).unwrap())
}

fn mobile() -> impl Strategy<Value = PhoneNumber> {
    (
        prop::sample::select(vec!["811", "812", "813", "821", "852", "857", "878", "896"]),
        1_000_000u32..99_999_999,
    )
        .prop_map(|(prefix, rest)| {
            PhoneNumber::parse(&format!("0{prefix}{rest}"), Region::ID).unwrap()
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn parsing_never_panics(input in "\\PC{0,60}", region in region()) {
        let _ = PhoneNumber::parse(&input, region);
        let _ = PhoneNumber::parse_mobile(&input, region);
        let _ = PhoneNumber::from_wa_id(&input);
        let _ = PhoneNumber::from_e164(&input);
        let _ = input.parse::<Pseudonym>();
        let _ = input.parse::<Token>();
        let _ = Bsuid::new(&input);
        let _ = Domain::new(&input);
        let _ = Keyset::from_json(&input);
    }

    #[test]
    fn messy_numbers_parse_or_fail_cleanly(input in messy_input(), region in region()) {
        if let Ok(number) = PhoneNumber::parse(&input, region) {
            let e164 = number.expose_e164();
            prop_assert!(e164.starts_with('+'));
            // A valid number's E.164 form reads back as the same number.
            if number.is_valid() {
                let again = PhoneNumber::parse(e164, None).unwrap();
                prop_assert_eq!(again.expose_e164(), e164);
            }
            let _ = (number.is_valid(), number.number_type(), number.to_string());
        }
        if let Ok(number) = PhoneNumber::parse_mobile(&input, region) {
            prop_assert!(number.is_valid() && number.number_type().is_mobile());
        }
    }

    #[test]
    fn wa_id_round_trips(number in mobile()) {
        let again = PhoneNumber::from_wa_id(number.expose_wa_id()).unwrap();
        prop_assert_eq!(&again, &number);
        prop_assert_eq!(PhoneNumber::from_e164(number.expose_e164()).unwrap(), number);
    }

    #[test]
    fn pseudonyms_are_deterministic_and_separated(number in mobile(), a in domain(), b in domain()) {
        let subject = Subject::phone(&number);
        let first = KEYSET.pseudonymize(&a, &subject);
        prop_assert_eq!(first, KEYSET.pseudonymize(&a, &subject));
        prop_assert_eq!(first, KEYSET.pseudonymizer(&a).pseudonymize(&subject));
        if a != b {
            prop_assert_ne!(first, KEYSET.pseudonymize(&b, &subject));
        }
        let other_key = OTHER_KEYSET.pseudonymize(&a, &subject);
        prop_assert_ne!(first.tag(), other_key.tag());
        prop_assert!(KEYSET.recognizes(&a, &subject, &first));
        prop_assert!(!OTHER_KEYSET.recognizes(&a, &subject, &first));
    }

    #[test]
    fn different_subjects_differ(x in mobile(), y in mobile(), domain in domain()) {
        prop_assume!(x != y);
        prop_assert_ne!(
            KEYSET.pseudonymize(&domain, &Subject::phone(&x)),
            KEYSET.pseudonymize(&domain, &Subject::phone(&y))
        );
    }

    #[test]
    fn pseudonym_text_round_trips(kid in any::<u32>(), tag in any::<[u8; 16]>(), number in mobile(), domain in domain()) {
        let made = KEYSET.pseudonymize(&domain, &Subject::phone(&number));
        prop_assert_eq!(made.to_string().parse::<Pseudonym>().unwrap(), made);
        // Any kid and tag: build the text by hand and check the strict grammar.
        let mut b32 = data_encoding::BASE32_NOPAD.encode(&tag);
        b32.make_ascii_lowercase();
        let text = format!("pn1.{kid:08x}.{b32}");
        let parsed: Pseudonym = text.parse().unwrap();
        prop_assert_eq!(parsed.to_string(), text.clone());
        let upper = text.to_uppercase();
        let longer = format!("{text}a");
        let spaced = format!(" {text}");
        prop_assert!(upper.parse::<Pseudonym>().is_err());
        prop_assert!(longer.parse::<Pseudonym>().is_err());
        prop_assert!(spaced.parse::<Pseudonym>().is_err());
    }

    #[test]
    fn tokens_round_trip(number in mobile(), domain in domain()) {
        let subject = Subject::phone(&number);
        let token = TOKEN_KEYS.tokenize(&domain, &subject).unwrap();
        prop_assert_eq!(&token, &TOKEN_KEYS.tokenize(&domain, &subject).unwrap());
        let text = token.to_string();
        let parsed: Token = text.parse().unwrap();
        prop_assert_eq!(parsed.to_string(), text);
        let back = TOKEN_KEYS.detokenize(&domain, &parsed).unwrap();
        prop_assert_eq!(back.as_subject(), subject);
    }
}
