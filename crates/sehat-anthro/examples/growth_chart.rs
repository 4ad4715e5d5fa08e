//! Renders the two growth charts shown in docs/growth-charts.md.
//!
//! ```text
//! cargo run -p sehat-anthro --features chart --example growth_chart -- docs/images
//! ```

use std::path::PathBuf;

use sehat_anthro::Sex;
use sehat_anthro::chart::{ChartIndicator, GrowthChart, Measurement};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| ".".to_owned()));
    // A girl weighed most months of her first 20 months: she follows the median, then
    // drops towards −2 SD after 12 months (two flat months), with a gap at 15–16.
    let girl: Vec<Measurement> = [
        (0, 3.1),
        (1, 4.1),
        (2, 5.0),
        (3, 5.8),
        (4, 6.3),
        (5, 6.8),
        (6, 7.2),
        (7, 7.5),
        (8, 7.8),
        (9, 8.0),
        (10, 8.2),
        (11, 8.4),
        (12, 8.5),
        (13, 8.5),
        (14, 8.5),
        (17, 8.8),
        (18, 8.9),
        (19, 9.1),
        (20, 9.3),
    ]
    .into_iter()
    .map(|(month, kg)| Measurement::new(f64::from(month) * 30.4375, kg))
    .collect();
    let chart = GrowthChart::new(Sex::Female, ChartIndicator::WeightForAge, girl)?
        .with_caption("Contoh: Siti, perempuan")?
        .with_latest_note("ditimbang 12-09-2025")?;
    std::fs::write(dir.join("growth-chart-wfa-girl.png"), chart.to_png()?)?;
    std::fs::write(dir.join("growth-chart-wfa-girl.svg"), chart.to_svg())?;

    // A boy measured every three months to 4 years: length to 24 months, then height
    // (the curves step down by about 0.7 cm at 24 months), along −2 SD.
    let boy: Vec<Measurement> = [
        (0, 46.5),
        (3, 57.5),
        (6, 63.0),
        (9, 67.0),
        (12, 70.5),
        (15, 73.5),
        (18, 76.0),
        (21, 78.5),
        (24, 80.5),
        (27, 82.0),
        (30, 84.0),
        (36, 87.5),
        (42, 91.0),
        (48, 94.5),
    ]
    .into_iter()
    .map(|(month, cm)| Measurement::new(f64::from(month) * 30.4375, cm))
    .collect();
    let chart = GrowthChart::new(Sex::Male, ChartIndicator::LengthHeightForAge, boy)?
        .with_caption("Contoh: Budi, laki-laki")?;
    std::fs::write(dir.join("growth-chart-lhfa-boy.png"), chart.to_png()?)?;
    std::fs::write(dir.join("growth-chart-lhfa-boy.svg"), chart.to_svg())?;
    Ok(())
}
