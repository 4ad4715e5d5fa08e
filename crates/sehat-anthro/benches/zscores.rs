//! Criterion benchmarks: one child, and batches (sequential and `zscores_batch`).
//!
//! `cargo bench -p sehat-anthro --bench zscores`
#![allow(missing_docs)]

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use sehat_anthro::{
    Child, Indicator, SchoolAgeChild, Sex, school_age_zscores, zscores, zscores_batch,
};

/// A deterministic spread of children 91–1825 days old with all eight measurements.
fn children(n: usize) -> Vec<Child> {
    (0..n)
        .map(|i| {
            let age = 91.0 + (i * 7919 % 1735) as f64;
            let t = (i * 104_729 % 1000) as f64 / 1000.0 - 0.5;
            let length = 60.0 + age / 1826.0 * 50.0 + 6.0 * t;
            let child = Child::new(if i % 2 == 0 { Sex::Male } else { Sex::Female })
                .age_days(age)
                .weight_kg(6.0 + age / 1826.0 * 12.0 + 2.0 * t)
                .head_circumference_cm(42.0 + age / 1826.0 * 8.0 + t)
                .arm_circumference_cm(14.0 + 2.0 * t)
                .triceps_skinfold_mm(8.0 + 3.0 * t)
                .subscapular_skinfold_mm(6.5 + 2.0 * t);
            if age < 731.0 {
                child.length_cm(length)
            } else {
                child.height_cm(length)
            }
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let one = Child::new(Sex::Female)
        .age_months(18.0)
        .weight_kg(8.2)
        .length_cm(74.0)
        .head_circumference_cm(45.0)
        .arm_circumference_cm(14.5)
        .triceps_skinfold_mm(8.0)
        .subscapular_skinfold_mm(6.5);
    c.bench_function("zscores/one_child_all_eight", |b| {
        b.iter(|| zscores(black_box(&one)))
    });
    let school = SchoolAgeChild::new(Sex::Male)
        .age_months(100.5)
        .height_cm(128.0)
        .weight_kg(26.0);
    c.bench_function("school_age_zscores/one_child", |b| {
        b.iter(|| school_age_zscores(black_box(&school)))
    });
    c.bench_function("curve/weight_for_age_minus_2sd", |b| {
        b.iter(|| {
            let ind = Indicator::WeightForAge;
            ind.lms(Sex::Male, black_box(365.0))
                .map(|lms| ind.measurement_at(lms, -2.0))
        })
    });

    let mut group = c.benchmark_group("batch");
    for n in [1_000usize, 100_000] {
        let input = children(n);
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::new("sequential", n), &input, |b, input| {
            b.iter(|| input.iter().map(zscores).collect::<Vec<_>>())
        });
        group.bench_with_input(BenchmarkId::new("zscores_batch", n), &input, |b, input| {
            b.iter(|| zscores_batch(input))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
