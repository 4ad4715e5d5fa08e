//! One growth chart rendered to PNG and to SVG (feature `chart`).
//!
//! `cargo bench -p sehat-anthro --features chart --bench chart`
#![allow(missing_docs)]

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use sehat_anthro::Sex;
use sehat_anthro::chart::{ChartIndicator, GrowthChart, Measurement};

fn chart() -> GrowthChart {
    // Twelve monthly weighings from 6 to 17 months, with a name.
    let points = (6..18)
        .map(|m| Measurement::new(f64::from(m) * 30.4375, 7.0 + 0.2 * f64::from(m)))
        .collect();
    GrowthChart::new(Sex::Female, ChartIndicator::WeightForAge, points)
        .and_then(|c| c.with_caption("Siti Aminah"))
        .unwrap_or_else(|e| panic!("{e}"))
}

fn bench(c: &mut Criterion) {
    let chart = chart();
    // The background is cached on first use, as in a batch.
    let _ = chart.to_png();
    c.bench_function("chart_png_one", |b| b.iter(|| black_box(&chart).to_png()));
    c.bench_function("chart_svg_one", |b| b.iter(|| black_box(&chart).to_svg()));
}

criterion_group!(benches, bench);
criterion_main!(benches);
