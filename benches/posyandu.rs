//! Cross-crate benchmark: the per-child work of a Posyandu reminder day, without the
//! network: WHO z-scores at the latest weighing, the `id-kemenkes` forecast, and the
//! parent's number normalized and pseudonymized.
//!
//! ```text
//! cargo bench --bench posyandu
//! ```
#![allow(clippy::expect_used, missing_docs)]

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use sehat::anthro::{Child, Measure, Sex as AnthroSex, zscores};
use sehat::immunization::{DateWindow, Patient, Schedule, Sex, assess, cohort_due};
use sehat::pseudonym::{Domain, Keyset, PhoneNumber, Region, Subject};
use time::macros::date;

/// A child with the primary series given on time, born `offset_days % 400` days before
/// 2025-03-04.
fn patient(offset_days: i64) -> Patient {
    let dob = date!(2025 - 03 - 04) - time::Duration::days(offset_days % 400);
    let at = |months: i64| dob + time::Duration::days(months * 30 + 3);
    Patient::new(dob, Sex::Female)
        .in_region("ID-JB")
        .dose(dob, "HB0")
        .dose(at(1), "BCG")
        .dose(at(1), "bOPV")
        .dose(at(2), "DPT-HB-Hib")
        .dose(at(2), "bOPV")
        .dose(at(2), "PCV")
        .dose(at(2), "RV")
        .dose(at(3), "DPT-HB-Hib")
        .dose(at(3), "bOPV")
        .dose(at(3), "PCV")
        .dose(at(3), "RV")
        .dose(at(4), "DPT-HB-Hib")
        .dose(at(4), "bOPV")
        .dose(at(4), "IPV")
}

fn per_child(c: &mut Criterion) {
    let schedule = Schedule::id_kemenkes().expect("the embedded schedule loads");
    let keyset = Keyset::generate().expect("the OS has randomness");
    let domain = Domain::new("posyandu-reminders").expect("a valid domain");
    let pseudonymizer = keyset.pseudonymizer(&domain);
    let on = date!(2026 - 11 - 26);
    let child = patient(0);

    let mut group = c.benchmark_group("posyandu/one child");
    group.throughput(Throughput::Elements(1));
    group.bench_function("z-scores", |b| {
        let input = Child::new(AnthroSex::Female)
            .age_days(632.0)
            .weight_kg(9.6)
            .lenhei_cm(79.4, Some(Measure::Lying));
        b.iter(|| zscores(black_box(&input)));
    });
    group.bench_function("id-kemenkes assessment", |b| {
        b.iter(|| assess(black_box(&child), schedule, on));
    });
    group.bench_function("normalize + pseudonymize", |b| {
        b.iter(|| {
            let number = PhoneNumber::parse_mobile(black_box("0812-3456-7890"), Region::ID)
                .expect("a valid mobile number");
            pseudonymizer.pseudonymize(&Subject::phone(&number))
        });
    });
    group.finish();

    let cohort: Vec<Patient> = (0..1_000).map(patient).collect();
    let mut group = c.benchmark_group("posyandu/cohort");
    group.throughput(Throughput::Elements(cohort.len() as u64));
    group.sample_size(20);
    group.bench_function("1,000 children due in 7 days", |b| {
        b.iter(|| cohort_due(black_box(&cohort), schedule, DateWindow::days_from(on, 7)));
    });
    group.finish();
}

criterion_group!(benches, per_child);
criterion_main!(benches);
