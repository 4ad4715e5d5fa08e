//! Renders a district's monthly batch of PNG growth charts into memory on a fixed
//! number of threads and prints the rate (docs/performance.md).
//!
//! ```text
//! cargo run --release -p sehat-anthro --features chart --example chart_batch -- 20000 2
//! ```
//!
//! Arguments: number of charts (default 20000) and threads (default 2). Children vary
//! in sex, indicator, age and number of visits (1 to 24), so the mix of cached
//! backgrounds and overlays is that of a real batch.

use std::time::Instant;

use rayon::prelude::*;
use sehat_anthro::Sex;
use sehat_anthro::chart::{ChartIndicator, GrowthChart, Measurement};

/// One made-up child: `i` picks sex, indicator, age and the number of visits.
fn child(i: u64) -> Result<GrowthChart, sehat_anthro::chart::ChartError> {
    let sex = if i.is_multiple_of(2) {
        Sex::Female
    } else {
        Sex::Male
    };
    let indicator = if i.is_multiple_of(5) {
        ChartIndicator::LengthHeightForAge
    } else {
        ChartIndicator::WeightForAge
    };
    let visits = 1 + (i % 24);
    let first_month = (i / 24) % 36;
    let points = (0..visits)
        .map(|v| {
            let month = (first_month + v) as f64;
            let value = match indicator {
                ChartIndicator::WeightForAge => 3.2 + 0.9 * month.sqrt() * 2.0,
                _ => 50.0 + 6.5 * month.sqrt(),
            };
            Measurement::new(month * 30.4375, value)
        })
        .collect();
    GrowthChart::new(sex, indicator, points)?.with_caption(format!("Anak nomor {i}"))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let charts: u64 = args.next().map_or(Ok(20_000), |a| a.parse())?;
    let threads: usize = args.next().map_or(Ok(2), |a| a.parse())?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()?;
    // The four backgrounds are rendered once, before the clock starts, as a long
    // running job would have them.
    for i in 0..10 {
        child(i)?.to_png()?;
    }
    let start = Instant::now();
    let (bytes, largest) = pool
        .install(|| {
            (0..charts)
                .into_par_iter()
                .map(|i| {
                    let png = child(i)
                        .and_then(|c| c.to_png())
                        .map_err(|e| e.to_string())?;
                    Ok((png.len() as u64, png.len()))
                })
                .try_reduce(|| (0, 0), |a, b| Ok((a.0 + b.0, a.1.max(b.1))))
        })
        .map_err(|e: String| e)?;
    let seconds = start.elapsed().as_secs_f64();
    println!(
        "{charts} charts on {threads} threads in {seconds:.2} s: {:.0} charts/s, \
         mean {:.1} KB, largest {:.1} KB; 100,000 charts would take {:.0} s",
        charts as f64 / seconds,
        bytes as f64 / charts as f64 / 1024.0,
        largest as f64 / 1024.0,
        100_000.0 * seconds / charts as f64
    );
    Ok(())
}
