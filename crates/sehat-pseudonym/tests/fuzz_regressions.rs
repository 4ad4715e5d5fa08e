//! Inputs the fuzz targets (`fuzz/`, see `docs/reliability.md`) found to break an
//! invariant, kept here so the normal test suite holds the fix.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use sehat_pseudonym::{ParseError, PhoneNumber, Region};

/// How many digits of the national number a masked form may show (three leading and two
/// trailing from nine digits, two from six to eight, none below).
fn allowed(national_len: usize) -> usize {
    match national_len {
        9.. => 5,
        6..=8 => 2,
        _ => 0,
    }
}

/// `phone_number`: libphonenumber reads `x` as an extension marker, and the mask counted
/// the extension's digits as part of the national number, so the 7-digit `8881244` with
/// extension `7440` showed as `+62 888**** ext. **40`: five digits where the rule allows
/// two, three of them of the number itself.
#[test]
fn an_extension_neither_widens_the_mask_nor_shows() {
    let number = PhoneNumber::parse("08881244x7440", Region::ID).unwrap();
    assert_eq!(number.expose_e164(), "+628881244");
    assert_eq!(number.to_string(), "+62 *****44 ext. ****");
    assert_eq!(format!("{number:?}"), "PhoneNumber(+62 *****44 ext. ****)");

    let us = PhoneNumber::parse("+1 650-253-0000 ext. 1234", None).unwrap();
    assert_eq!(us.to_string(), "+1 650-***-**00 ext. ****");
}

/// The masking rule holds with and without an extension, whatever the number's length.
#[test]
fn masks_show_no_more_than_the_rule_allows() {
    for input in [
        "08881244x7440",
        "0888124x7",
        "021 555 1234 ext. 99",
        "0812 3456 7890 ext 123456",
        "+44 20 7946 0958 x 12",
        "+1 650-253-0000;ext=42",
    ] {
        let region = Region::ID;
        let number = PhoneNumber::parse(input, region).unwrap();
        let national_len = number.expose_wa_id().len() - number.country_code().to_string().len();
        let shown = number
            .to_string()
            .chars()
            .filter(char::is_ascii_digit)
            .count()
            - number.country_code().to_string().len();
        assert!(
            shown <= allowed(national_len),
            "{input:?}: {number} shows {shown} of {national_len} digits"
        );
    }
}

/// `phone_number`: `from_wa_id("270123434")` gave `+27123434`: libphonenumber drops the
/// South African national prefix `0` after the country code, so the wa_id read back as
/// other digits, and a pseudonym or token would have been computed over another number.
/// A wa_id must be the canonical digits of a number, as `from_e164` already required.
#[test]
fn a_wa_id_that_reads_back_as_other_digits_is_refused() {
    assert!(matches!(
        PhoneNumber::from_wa_id("270123434"),
        Err(ParseError::InvalidWaId { .. })
    ));
    assert!(matches!(
        PhoneNumber::from_e164("+270123434"),
        Err(ParseError::InvalidE164 { .. })
    ));
    // The canonical digits of the same number are read as they are.
    let number = PhoneNumber::from_wa_id("27123434").unwrap();
    assert_eq!(number.expose_wa_id(), "27123434");
    let mobile = PhoneNumber::from_wa_id("27821234567").unwrap();
    assert_eq!(mobile.expose_e164(), "+27821234567");
}

/// `phone_number`: libphonenumber reads the fuzz input below under `ID` as a German number
/// of 16 digits after the `+` and calls it valid, but `from_e164` and `from_wa_id` accept
/// at most E.164's 15 digits, so such a number could not be read back from storage. The
/// strict parsers now refuse numbers longer than E.164 allows.
#[test]
fn strict_parsers_refuse_numbers_longer_than_e164() {
    let input = "+x49754~14560018 006~1815056[\u{1e}";
    let lenient = PhoneNumber::parse(input, Region::ID).unwrap();
    assert!(lenient.is_valid());
    assert_eq!(lenient.country_code(), 49);
    assert_eq!(lenient.expose_wa_id().len(), 16);
    assert!(matches!(
        PhoneNumber::from_e164(lenient.expose_e164()),
        Err(ParseError::InvalidE164 { .. })
    ));
    // The same digits, without the letter that stops the strict parsers earlier.
    let digits = lenient.expose_e164().to_owned();
    assert_eq!(
        PhoneNumber::parse_strict(&digits, None),
        Err(ParseError::TooLong)
    );
    assert_eq!(
        PhoneNumber::parse_mobile(&digits, None),
        Err(ParseError::TooLong)
    );

    // Fifteen digits are still read, and read back.
    let number = PhoneNumber::parse_strict("+62 812 3456 7890", None).unwrap();
    assert_eq!(PhoneNumber::from_e164(number.expose_e164()), Ok(number));
}
