//! Known-answer vectors for pseudonyms and tokens (`tests/data/known_answers.json`),
//! computed independently of this crate: the pseudonyms by the standard-library Python
//! reference in `docs/pseudonym.md`, the tokens by Python `cryptography`'s `AESSIV`
//! (`tests/data/known_answers.py`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use sehat_pseudonym::{
    Bsuid, Contact, Domain, Keyset, PhoneNumber, Pseudonym, Subject, Token, TokenKeyset,
};

#[derive(serde::Deserialize)]
struct Vectors {
    pseudonyms: Vec<PseudonymVector>,
    tokens: Vec<TokenVector>,
}

#[derive(serde::Deserialize)]
struct PseudonymVector {
    root_key: String,
    kid: String,
    domain: String,
    kind: String,
    value: String,
    pseudonym: String,
}

#[derive(serde::Deserialize)]
struct TokenVector {
    token_key: String,
    kid: String,
    domain: String,
    kind: String,
    value: String,
    token: String,
}

fn vectors() -> Vectors {
    let text = include_str!("data/known_answers.json");
    serde_json::from_str(text).unwrap()
}

fn keyset_json(purpose: &str, kid: &str, key: &str) -> String {
    format!(
        r#"{{"format": "sehat-keyset", "version": 1, "purpose": "{purpose}", "primary": "{kid}",
            "keys": [{{"kid": "{kid}", "created": "2026-11-26", "key": "{key}"}}]}}"#
    )
}

enum Owned {
    Phone(PhoneNumber),
    Bsuid(Bsuid),
}

impl Owned {
    fn new(kind: &str, value: &str) -> Owned {
        match kind {
            "phone" => Owned::Phone(PhoneNumber::from_wa_id(value).unwrap()),
            "bsuid" => Owned::Bsuid(Bsuid::new(value).unwrap()),
            other => panic!("unknown kind {other}"),
        }
    }

    fn subject(&self) -> Subject<'_> {
        match self {
            Owned::Phone(number) => Subject::phone(number),
            Owned::Bsuid(id) => Subject::bsuid(id),
        }
    }
}

#[test]
fn pseudonyms_match_the_reference() {
    let vectors = vectors().pseudonyms;
    assert_eq!(vectors.len(), 36);
    for (index, v) in vectors.iter().enumerate() {
        let keyset = Keyset::from_json(&keyset_json("pseudonym", &v.kid, &v.root_key)).unwrap();
        let domain = Domain::new(&v.domain).unwrap();
        let owned = Owned::new(&v.kind, &v.value);
        let got = keyset.pseudonymize(&domain, &owned.subject());
        assert_eq!(got.to_string(), v.pseudonym, "vector {index}");
        let parsed: Pseudonym = v.pseudonym.parse().unwrap();
        assert_eq!(parsed, got, "vector {index}");
        assert!(keyset.recognizes(&domain, &owned.subject(), &parsed));
    }
}

#[test]
fn tokens_match_the_reference_and_reverse() {
    let vectors = vectors().tokens;
    assert_eq!(vectors.len(), 24);
    for (index, v) in vectors.iter().enumerate() {
        let keys = TokenKeyset::from_json(&keyset_json("token", &v.kid, &v.token_key)).unwrap();
        let domain = Domain::new(&v.domain).unwrap();
        let owned = Owned::new(&v.kind, &v.value);
        let got = keys.tokenize(&domain, &owned.subject()).unwrap();
        assert_eq!(got.to_string(), v.token, "vector {index}");
        let parsed: Token = v.token.parse().unwrap();
        assert_eq!(parsed, got);
        let contact = keys.detokenize(&domain, &parsed).unwrap();
        match (&contact, &owned) {
            (Contact::Phone(a), Owned::Phone(b)) => assert_eq!(a, b),
            (Contact::Bsuid(a), Owned::Bsuid(b)) => assert_eq!(a, b),
            _ => panic!("vector {index}: wrong kind back"),
        }
    }
}
