//! Benchmarks: the cohort call with `id-kemenkes` over realistic histories (100,000 and
//! 1,000,000 children), and one child's `cdsi-us` assessment, whole and per group.
//!
//! ```sh
//! cargo bench -p sehat-immunization --bench assessment
//! ```
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use sehat_immunization::{DateWindow, Patient, Schedule, Sex, assess, assess_group, cohort_due};
use std::hint::black_box;
use time::Duration;
use time::macros::date;

#[path = "support/cohort_data.rs"]
mod cohort_data;
use cohort_data::cohort;

fn cohort_bench(c: &mut Criterion) {
    let schedule = Schedule::id_kemenkes().unwrap();
    let run_date = date!(2026 - 11 - 26);
    let window = DateWindow::days_from(run_date, 7);
    let mut group = c.benchmark_group("cohort_due_id_kemenkes");
    group.sample_size(10);
    for n in [100_000usize, 1_000_000] {
        let children = cohort(n, run_date);
        group.bench_with_input(BenchmarkId::from_parameter(n), &children, |b, children| {
            b.iter(|| black_box(cohort_due(children, schedule, window).unwrap().len()));
        });
    }
    group.finish();
}

fn cdsi_child() -> Patient {
    let dob = date!(2024 - 01 - 15);
    let mut p = Patient::new(dob, Sex::Female).with_id("us-child");
    for (day, cvx) in [
        (0, "08"),
        (61, "110"),
        (61, "49"),
        (61, "133"),
        (61, "116"),
        (122, "110"),
        (122, "49"),
        (122, "133"),
        (122, "116"),
        (183, "110"),
        (183, "133"),
        (183, "116"),
        (365, "03"),
        (365, "21"),
        (365, "83"),
        (400, "49"),
        (460, "133"),
        (480, "20"),
    ] {
        p = p.dose(dob + Duration::days(day), cvx);
    }
    p
}

fn cdsi_bench(c: &mut Criterion) {
    let schedule = Schedule::cdsi_us().unwrap();
    let child = cdsi_child();
    let on = date!(2026 - 11 - 26);
    c.bench_function("assess_cdsi_us_one_child_all_groups", |b| {
        b.iter(|| black_box(assess(&child, schedule, on).unwrap().groups.len()));
    });
    let mut group = c.benchmark_group("assess_cdsi_us_one_child_per_group");
    for code in [
        "DTAP", "POL", "HIB", "PCV", "HepB", "MMR", "ROTA", "VAR", "HepA", "HPV", "MCV", "FLU",
        "COVID-19",
    ] {
        group.bench_function(code, |b| {
            b.iter(|| black_box(assess_group(&child, schedule, on, code).unwrap()));
        });
    }
    group.finish();
}

criterion_group!(benches, cdsi_bench, cohort_bench);
criterion_main!(benches);
