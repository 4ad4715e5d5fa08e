//! Phone numbers as people type them: `PhoneNumber::parse`, `parse_strict`, `parse_mobile`,
//! `from_wa_id` and `from_e164` under several default regions.
//!
//! Invariants beyond "no panic":
//! - `parse_strict` and `parse_mobile` return at most E.164's 15 digits;
//! - a valid number's E.164 form (of at most 15 digits) reparses (with no region) to the same number, and is
//!   accepted by `from_e164` and `from_wa_id` (an invalid number's need not: libphonenumber
//!   writes `0000000000` under `ID` as `+62000000000`, which reads back as `+6200000000`;
//!   see `docs/pseudonym.md`);
//! - `parse_strict` and `parse_mobile` only return valid numbers, and what they return is
//!   what `parse` returns for the same input or an international rewrite of it;
//! - the masked forms (`Display`, `Debug`) keep the country code and at most the digits
//!   the masking rule allows (three leading and two trailing national digits from nine
//!   national digits, two from six to eight, none below six);
//! - no error message contains the digits of the input.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sehat_pseudonym::{NumberType, ParseError, PhoneNumber, Region};

const REGIONS: [Option<Region>; 8] = [
    None,
    Some(Region::ID),
    Some(Region::US),
    Some(Region::GB),
    Some(Region::MY),
    Some(Region::AU),
    Some(Region::JP),
    Some(Region::TL),
];

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let input = String::from_utf8_lossy(rest);
    let region = REGIONS[usize::from(selector) % REGIONS.len()];

    let lenient = PhoneNumber::parse(&input, region);
    check_result(&input, &lenient);
    if let Ok(number) = &lenient {
        check_number(number);
    }

    let strict = PhoneNumber::parse_strict(&input, region);
    check_result(&input, &strict);
    if let Ok(number) = &strict {
        check_number(number);
        assert!(
            number.is_valid(),
            "parse_strict returned a number that is not valid"
        );
        assert!(
            number.expose_wa_id().len() <= 15,
            "parse_strict returned more than 15 digits"
        );
    }

    let mobile = PhoneNumber::parse_mobile(&input, region);
    check_result(&input, &mobile);
    if let Ok(number) = &mobile {
        check_number(number);
        assert!(
            number.number_type().is_mobile(),
            "parse_mobile returned a non-mobile number"
        );
        // Mobile is a stricter question than valid: the strict parse agrees.
        assert_eq!(
            strict.as_ref().ok(),
            Some(number),
            "parse_mobile and parse_strict disagree"
        );
    }
    if let Err(ParseError::NotMobile { number_type }) = &mobile {
        assert!(!number_type.is_mobile() && *number_type != NumberType::Unknown);
        assert!(
            strict.is_ok(),
            "NotMobile for an input parse_strict refuses"
        );
    }

    let wa_id = PhoneNumber::from_wa_id(&input);
    check_result(&input, &wa_id);
    if let Ok(number) = &wa_id {
        check_number(number);
        assert_eq!(
            number.expose_wa_id(),
            input,
            "from_wa_id changed the digits"
        );
    }

    let e164 = PhoneNumber::from_e164(&input);
    check_result(&input, &e164);
    if let Ok(number) = &e164 {
        check_number(number);
        assert_eq!(
            number.expose_e164(),
            input,
            "from_e164 accepted a non-canonical form"
        );
    }
});

/// Errors never carry the input's digits: no run of four or more digits in an error's
/// text comes from the input. (Runs are compared, not all digits together: the fixed
/// messages say "E.164" and "15 digits".)
fn check_result(input: &str, result: &Result<PhoneNumber, ParseError>) {
    let Err(error) = result else { return };
    let digits: String = input.chars().filter(char::is_ascii_digit).collect();
    let shown = format!("{error} {error:?} {}", error.name());
    for run in shown
        .split(|c: char| !c.is_ascii_digit())
        .filter(|run| run.len() >= 4)
    {
        assert!(
            !digits.contains(run),
            "an error message carries the input's digits: {shown:?}"
        );
    }
}

fn check_number(number: &PhoneNumber) {
    let e164 = number.expose_e164();
    let digits = e164.strip_prefix('+').expect("E.164 starts with +");
    assert!(
        !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()),
        "{e164:?}"
    );
    assert_eq!(number.expose_wa_id(), digits);

    // A valid number's E.164 form reparses to the same number.
    let again = PhoneNumber::parse(e164, None);
    // (libphonenumber calls some numbers of more than E.164's 15 digits valid; the strict
    // parsers refuse them, and `from_e164` cannot read them.)
    if number.is_valid() && digits.len() <= 15 {
        let again = again.expect("a valid number's E.164 form reparses");
        assert_eq!(
            again.expose_e164(),
            e164,
            "E.164 form does not reparse to itself"
        );
        assert_eq!(again.number_type(), number.number_type());
        assert_eq!(
            PhoneNumber::from_e164(e164).as_ref(),
            Ok(number),
            "valid number refused by from_e164"
        );
        assert_eq!(
            PhoneNumber::from_wa_id(digits).as_ref(),
            Ok(number),
            "valid number refused by from_wa_id"
        );
    }

    // The international form carries the same digits as the E.164 form (extensions aside).
    let country = number.country_code().to_string();
    assert!(
        digits.starts_with(&country),
        "E.164 {e164:?} does not start with its country code"
    );
    let national_len = digits.len() - country.len();
    let allowed = match national_len {
        9.. => 5,
        6..=8 => 2,
        _ => 0,
    };
    for masked in [number.to_string(), format!("{number:?}")] {
        let shown: String = masked.chars().filter(char::is_ascii_digit).collect();
        assert!(
            shown.starts_with(&country),
            "masked form {masked:?} lost the country code"
        );
        let revealed = shown.len() - country.len();
        assert!(
            revealed <= allowed,
            "masked form {masked:?} reveals {revealed} digits of a {national_len}-digit national number (at most {allowed})"
        );
        if national_len >= 4 {
            let national = &digits[country.len()..];
            assert!(
                !masked.contains(national),
                "masked form {masked:?} contains the number"
            );
        }
    }
    let _ = (
        number.is_possible(),
        number.region(),
        number.expose_national(),
    );
}
