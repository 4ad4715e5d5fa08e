//! The strict text grammars of sehat-pseudonym on arbitrary input: pseudonyms
//! (`pn1.<kid>.<base32>`), tokens (`tk1.<kid>.<base64url>`), key ids, BSUIDs and domain
//! names. Whatever parses writes back as exactly the same text. (Keyset JSON has its own
//! target, `keyset_json`.)
#![no_main]

use libfuzzer_sys::fuzz_target;
use sehat_pseudonym::{Bsuid, Domain, KeyId, Pseudonym, Token};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(pseudonym) = text.parse::<Pseudonym>() {
        assert_eq!(pseudonym.to_string(), text);
    }
    if let Ok(token) = text.parse::<Token>() {
        assert_eq!(token.to_string(), text);
    }
    if let Ok(kid) = text.parse::<KeyId>() {
        assert_eq!(kid.to_string(), text);
    }
    let _ = Bsuid::new(text);
    let _ = Domain::new(text);
});
