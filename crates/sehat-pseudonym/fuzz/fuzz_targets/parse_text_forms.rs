//! The strict text grammars (pseudonyms, tokens, keysets, ids) on arbitrary input.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sehat_pseudonym::{Bsuid, Domain, KeyId, Keyset, Pseudonym, Token, TokenKeyset};

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
    let _ = Keyset::from_json(text);
    let _ = TokenKeyset::from_json(text);
});
