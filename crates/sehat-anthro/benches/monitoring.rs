//! Criterion benchmark of Posyandu growth monitoring: N/T, referral and plausibility
//! flags for 1,000,000 visits (100,000 children with 10 monthly weighings each, some
//! months missed, a length at every third visit), one child after another on one core
//! and the children in parallel on all cores.
//!
//! `cargo bench -p sehat-anthro --bench monitoring`
#![allow(missing_docs)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use rayon::prelude::*;
use sehat_anthro::monitoring::{Nt, Weighing, judge};
use sehat_anthro::{Indicator, Sex};
use time::{Date, Duration as Days, Month};

const CHILDREN: usize = 100_000;
const VISITS: usize = 10;

struct Record {
    sex: Sex,
    born: Date,
    weighings: Vec<Weighing>,
}

/// Deterministic children 0–50 months old at their first visit, weighed about monthly
/// (every fifth child misses a month), weight and length on WHO's median times a
/// child's own factor (−10 % to +10 %) plus month-to-month noise (±3 %).
fn records() -> Vec<Record> {
    let first_day = Date::from_calendar_date(2020, Month::January, 1).unwrap_or(Date::MIN);
    let median = |indicator: Indicator, sex: Sex, days: i64| {
        indicator
            .lms(sex, days as f64)
            .map_or(f64::NAN, |lms| lms.m)
    };
    (0..CHILDREN)
        .map(|i| {
            let sex = if i % 2 == 0 { Sex::Male } else { Sex::Female };
            let born = first_day + Days::days((i * 7919 % 1500) as i64);
            let start_month = (i * 104_729 % 50) as i64;
            let factor = 0.9 + (i * 31 % 201) as f64 / 1000.0;
            let weighings = (0..VISITS)
                .map(|v| {
                    let skip = i64::from(i % 5 == 0 && v >= 5);
                    let month = start_month + v as i64 + skip;
                    let days = (month as f64 * 30.4375).round() as i64 + 1;
                    let noise = 1.0 + ((i * 17 + v * 13) % 61) as f64 / 1000.0 - 0.03;
                    let weight = median(Indicator::WeightForAge, sex, days) * factor * noise;
                    let w = Weighing::new(born + Days::days(days), weight);
                    if v % 3 == 0 {
                        let length = median(Indicator::LengthHeightForAge, sex, days);
                        w.length_cm(length * (0.97 + (factor - 0.9) * 0.3))
                    } else {
                        w
                    }
                })
                .collect();
            Record {
                sex,
                born,
                weighings,
            }
        })
        .collect()
}

fn run(r: &Record) -> usize {
    judge(r.sex, r.born, &r.weighings).map_or(0, |j| j.len())
}

fn monitoring(c: &mut Criterion) {
    let records = records();
    // Every child is judged (no input error), and the visits get every kind of result.
    let (mut judged, mut naik, mut tidak_naik, mut referred) = (0, 0, 0, 0);
    for r in &records {
        let Ok(visits) = judge(r.sex, r.born, &r.weighings) else {
            continue;
        };
        judged += visits.len();
        naik += visits.iter().filter(|v| v.nt == Some(Nt::Naik)).count();
        tidak_naik += visits
            .iter()
            .filter(|v| v.nt == Some(Nt::TidakNaik))
            .count();
        referred += visits.iter().filter(|v| v.referral()).count();
    }
    assert_eq!(judged, CHILDREN * VISITS);
    println!("{judged} visits: {naik} N, {tidak_naik} T, {referred} referred");
    let mut group = c.benchmark_group("monitoring");
    group
        .sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .measurement_time(Duration::from_secs(20))
        .throughput(Throughput::Elements((CHILDREN * VISITS) as u64));
    group.bench_function("judge_1m_visits_one_core", |b| {
        b.iter(|| black_box(records.iter().map(run).sum::<usize>()));
    });
    group.bench_function("judge_1m_visits_all_cores", |b| {
        b.iter(|| black_box(records.par_iter().map(run).sum::<usize>()));
    });
    group.finish();
}

criterion_group!(benches, monitoring);
criterion_main!(benches);
