//! Inputs the fuzz targets (`fuzz/`, see `docs/reliability.md`) found to break an
//! invariant, kept here so the normal test suite holds the fix.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use sehat_pseudonym::{PhoneNumber, Region};

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
