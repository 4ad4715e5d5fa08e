//! Every phone parser on arbitrary input: never a panic, and every valid number's E.164
//! form reads back as the same number. (Invalid numbers need not: libphonenumber writes
//! `0000000000` under ID as `+62000000000`, which reads back as `+6200000000`.)
#![no_main]

use libfuzzer_sys::fuzz_target;
use sehat_pseudonym::{PhoneNumber, Region};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for region in [None, Some(Region::ID), Some(Region::US)] {
        if let Ok(number) = PhoneNumber::parse(text, region) {
            let _ = (
                number.is_possible(),
                number.is_valid(),
                number.number_type(),
                number.region(),
            );
            let _ = (
                number.expose_international(),
                number.expose_national(),
                number.to_string(),
            );
            if number.is_valid() {
                let again = PhoneNumber::parse(number.expose_e164(), None)
                    .expect("a valid number's E.164 form parses again");
                assert_eq!(again.expose_e164(), number.expose_e164());
                assert_eq!(
                    PhoneNumber::from_e164(number.expose_e164()).ok(),
                    Some(number)
                );
            }
        }
        if let Ok(number) = PhoneNumber::parse_strict(text, region) {
            assert!(number.is_valid());
        }
        let _ = PhoneNumber::parse_mobile(text, region);
    }
    let _ = PhoneNumber::from_wa_id(text);
    let _ = PhoneNumber::from_e164(text);
});
