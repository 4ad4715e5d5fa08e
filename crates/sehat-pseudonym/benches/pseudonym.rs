//! Normalization and pseudonyms per number, on one core.
//!
//! Run: `cargo bench -p sehat-pseudonym --bench pseudonym`. The budget is 1 µs per
//! number for normalization plus pseudonym: `parse_e164_and_pseudonymize` is
//! libphonenumber's parse + E.164 + pseudonym, `normalize_and_pseudonymize` the strict
//! path (`parse_strict`: policy + validity) + pseudonym.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use sehat_pseudonym::{Domain, Keyset, PhoneNumber, Region, Subject, TokenKeyset};

/// 1,024 Indonesian mobile numbers in the human formats of the workload in
/// `docs/performance.md` (a fixed linear congruential sequence, so every run is the same).
fn inputs() -> Vec<String> {
    const PREFIXES: [&str; 12] = [
        "811", "812", "813", "821", "822", "852", "856", "857", "859", "878", "896", "881",
    ];
    let mut state: u64 = 62;
    let mut next = || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        state >> 33
    };
    (0..1024)
        .map(|_| {
            let prefix = PREFIXES[(next() % 12) as usize];
            let a = next() % 10_000;
            let b = next() % 10_000;
            match next() % 8 {
                0 => format!("0{prefix}-{a:04}-{b:04}"),
                1 => format!("+62 {prefix} {a:04} {b:04}"),
                2 => format!("+62{prefix}{a:04}{b:04}"),
                3 => format!("62{prefix}{a:04}{b:04}"),
                4 => format!("(+62) {prefix}-{a:04}-{b:04}"),
                5 => format!("0{prefix}{a:04}{b:04}"),
                6 => format!("{prefix}.{a:04}.{b:04}"),
                _ => format!("+62-{prefix}-{a:04}-{b:04}"),
            }
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let inputs = inputs();
    let keyset = Keyset::generate().unwrap();
    let tokens = TokenKeyset::generate().unwrap();
    let domain = Domain::new("posyandu-send-log").unwrap();
    let pseudonymizer = keyset.pseudonymizer(&domain);
    let numbers: Vec<PhoneNumber> = inputs
        .iter()
        .filter_map(|input| PhoneNumber::parse_strict(input, Region::ID).ok())
        .collect();
    assert!(
        numbers.len() > 900,
        "{} of 1,024 inputs are valid",
        numbers.len()
    );

    let mut group = c.benchmark_group("per_number");
    group.throughput(Throughput::Elements(inputs.len() as u64));
    group.bench_function("parse_e164", |b| {
        b.iter(|| {
            for input in &inputs {
                if let Ok(number) = PhoneNumber::parse(black_box(input), Region::ID) {
                    black_box(number.expose_e164());
                }
            }
        });
    });
    // The reference notes' "end to end": parse + E.164 (libphonenumber's normalization,
    // no validity check) + pseudonym.
    group.bench_function("parse_e164_and_pseudonymize", |b| {
        b.iter(|| {
            for input in &inputs {
                if let Ok(number) = PhoneNumber::parse(black_box(input), Region::ID) {
                    black_box(pseudonymizer.pseudonymize(&Subject::phone(&number)));
                }
            }
        });
    });
    group.bench_function("normalize_and_pseudonymize", |b| {
        b.iter(|| {
            for input in &inputs {
                if let Ok(number) = PhoneNumber::parse_strict(black_box(input), Region::ID) {
                    black_box(pseudonymizer.pseudonymize(&Subject::phone(&number)));
                }
            }
        });
    });
    group.bench_function("normalize_pseudonymize_to_text", |b| {
        b.iter(|| {
            for input in &inputs {
                if let Ok(number) = PhoneNumber::parse_strict(black_box(input), Region::ID) {
                    black_box(
                        pseudonymizer
                            .pseudonymize(&Subject::phone(&number))
                            .to_string(),
                    );
                }
            }
        });
    });
    group.finish();

    let mut group = c.benchmark_group("per_parsed_number");
    group.throughput(Throughput::Elements(numbers.len() as u64));
    group.bench_function("pseudonymize_prekeyed", |b| {
        b.iter(|| {
            for number in &numbers {
                black_box(pseudonymizer.pseudonymize(&Subject::phone(black_box(number))));
            }
        });
    });
    group.bench_function("keyset_pseudonymize_derive_each_time", |b| {
        b.iter(|| {
            for number in &numbers {
                black_box(keyset.pseudonymize(&domain, &Subject::phone(black_box(number))));
            }
        });
    });
    group.bench_function("tokenize", |b| {
        b.iter(|| {
            for number in &numbers {
                black_box(
                    tokens
                        .tokenize(&domain, &Subject::phone(black_box(number)))
                        .ok(),
                );
            }
        });
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20).measurement_time(std::time::Duration::from_secs(4));
    targets = bench
}
criterion_main!(benches);
