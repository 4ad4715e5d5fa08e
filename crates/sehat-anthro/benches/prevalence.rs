//! Criterion benchmarks of WHO's survey prevalence table: a 10,000-child survey with the
//! full design (weights, 300 clusters in 6 strata, one stratum with a single cluster,
//! all five optional groupings) and a 1,000,000-child one with the same design.
//!
//! `cargo bench -p sehat-anthro --bench prevalence`
#![allow(missing_docs)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{
    BenchmarkId, Criterion, SamplingMode, Throughput, criterion_group, criterion_main,
};
use sehat_anthro::{Child, Groupings, Sex, SurveyDesign, survey_prevalence};

/// A deterministic synthetic survey of `n` children 0–59 months with weight,
/// length/height, a little oedema, and a full design.
fn survey(n: usize) -> (Vec<Child>, SurveyDesign, Groupings) {
    let mut children = Vec::with_capacity(n);
    let (mut sw, mut cluster, mut strata) = (Vec::new(), Vec::new(), Vec::new());
    let mut g: [Vec<Option<String>>; 5] = Default::default();
    let regions = ["Aceh", "Jawa Barat", "NTT", "Papua"];
    let education = ["None", "Primary", "Secondary"];
    for i in 0..n {
        let age = (i * 7919 % 1826) as f64;
        let t = (i * 104_729 % 1000) as f64 / 1000.0 - 0.5;
        let length = 50.0 + age / 1826.0 * 60.0 + 12.0 * t;
        let child = Child::new(if i % 2 == 0 { Sex::Male } else { Sex::Female })
            .age_days(age)
            .weight_kg(3.5 + age / 1826.0 * 14.0 + 4.0 * t)
            .oedema(i % 997 == 0);
        children.push(if age < 731.0 {
            child.length_cm(length)
        } else {
            child.height_cm(length)
        });
        let stratum = i % 6;
        // Stratum 5 has a single cluster; the others 60 each.
        let c = if stratum == 5 { 0 } else { (i / 6) % 60 };
        strata.push(Some(stratum as f64 + 1.0));
        cluster.push(Some((stratum * 100 + c) as f64));
        sw.push(Some(0.2 + (i * 31 % 97) as f64 / 20.0));
        g[0].push(Some(if i % 3 == 0 { "Urban" } else { "Rural" }.to_owned()));
        g[1].push(Some(regions[i % 4].to_owned()));
        g[2].push((i % 11 != 0).then(|| ((i % 5) + 1).to_string()));
        g[3].push(Some(education[i % 3].to_owned()));
        g[4].push((i % 13 != 0).then(|| if i % 2 == 0 { "A" } else { "B" }.to_owned()));
    }
    let [area, region, wealth_quintile, mothers_education, other] = g;
    (
        children,
        SurveyDesign::new()
            .sampling_weights(sw)
            .clusters(cluster)
            .strata(strata),
        Groupings {
            area: Some(area),
            region: Some(region),
            wealth_quintile: Some(wealth_quintile),
            mothers_education: Some(mothers_education),
            other: Some(other),
        },
    )
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("survey_prevalence");
    group.sample_size(10);
    // One iteration per sample: the 1M table takes about a second.
    group.sampling_mode(SamplingMode::Flat);
    group.measurement_time(Duration::from_secs(10));
    for n in [10_000, 1_000_000] {
        let (children, design, groupings) = survey(n);
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::new("full_design", n), &n, |b, _| {
            b.iter(|| survey_prevalence(black_box(&children), &design, &groupings))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
