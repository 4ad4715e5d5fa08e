//! `sehat anthro`.

mod chart;
mod mapping;
mod monitor;
pub(crate) mod prevalence;
mod report;
mod zscores;

pub(crate) use zscores::{StandardName, convert};

/// A fixed pseudo-random sequence for the tests (Knuth's MMIX linear congruential step),
/// so that they are reproducible without a dependency.
#[cfg(test)]
fn next_random(state: &mut u64) -> u64 {
    *state = state
        .wrapping_mul(6_364_136_223_846_793_005)
        .wrapping_add(1_442_695_040_888_963_407);
    *state
}

use clap::Subcommand;

use crate::error::Result;

/// The `sehat anthro` subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// WHO z-scores for every row of a CSV file, with the columns WHO's R packages return.
    ///
    /// `who2006` (0-5 y, like `anthro_zscores`) reads the columns sex, age,
    /// is_age_in_month, weight, lenhei, measure, headc, armc, triskin, subskin, oedema
    /// (any may be absent; an empty field or NA is missing) and appends clenhei,
    /// cmeasure, c9mo_flag, cbmi, csex, zlen, flen, zwei, fwei, zwfl, fwfl, zbmi, fbmi,
    /// zhc, fhc, zac, fac, zts, fts, zss, fss.
    ///
    /// `who2007` (5-19 y, like `anthroplus_zscores`) reads sex, age_in_months, oedema,
    /// height_in_cm, weight_in_kg and appends csex, coedema, cbmi, zhfa, zwfa, zbfa,
    /// fhfa, fwfa, fbfa.
    Zscores(zscores::Args),
    /// WHO's survey prevalence table of a CSV file, exactly as R's
    /// `write.csv(anthro_prevalence(...))` writes it.
    ///
    /// `who2006` (0-5 y, like `anthro_prevalence`) reads sex, age, is_age_in_month,
    /// weight, lenhei, measure, oedema and the optional design and grouping columns sw,
    /// cluster, strata, typeres, gregion, wealthq, mothered, othergr. `who2007` (5-19 y,
    /// like `anthroplus_prevalence`) reads sex, age_in_months, oedema, height_in_cm,
    /// weight_in_kg, sw, cluster, strata. An empty field or NA is missing. The output has
    /// WHO's columns in WHO's order, one row per group, NA for missing values.
    Prevalence(prevalence::Args),
    /// The survey analysis of `prevalence` as one self-contained HTML page (no script,
    /// nothing fetched): the prevalence table and, per indicator, the z-score
    /// distribution against the WHO standard and the prevalence below -2 SD by group
    /// with its 95 % interval.
    ///
    /// Reads the same input, with the same options, as `prevalence`.
    Report(report::Args),
    /// Posyandu growth monitoring: naik (N) or tidak naik (T) by the Buku KIA's rules,
    /// referral and plausibility flags, one output row per visit.
    ///
    /// Reads the columns child, sex (1, 2, m, f, M, F), date_of_birth and date
    /// (YYYY-MM-DD), weight (kg) and, optionally, length (cm; empty when not measured),
    /// in any column order, the visits in any order. Writes every input row, in the
    /// input's order, with the columns age_months, gain_g, kbm_g, nt (N, T or empty when
    /// no judgement is possible), referral (true/false), reasons and flags (codes
    /// joined by `;`) appended. See docs/growth-monitoring.md for the rules.
    Monitor(monitor::Args),
    /// One child's growth chart as an image, the way the Buku KIA draws it.
    ///
    /// Reads a CSV with the columns date_of_birth, date (YYYY-MM-DD), weight (kg) and/or
    /// length (cm), one row per visit of one child, and writes a PNG (1080 px wide, under
    /// 100 KB, for WhatsApp) or an SVG, by the extension of --output: weight-for-age
    /// (wfa) or length/height-for-age (lhfa) for 0-60 months, the WHO SD curves with the
    /// red (-3 SD) and orange (+1 SD) lines and coloured bands, the child's points joined
    /// and the latest labelled with its value and date.
    Chart(chart::Args),
}

/// Runs one `sehat anthro` subcommand.
pub fn run(command: Command) -> Result {
    match command {
        Command::Zscores(args) => zscores::run(&args),
        Command::Prevalence(args) => prevalence::run(&args),
        Command::Report(args) => report::run(&args),
        Command::Monitor(args) => monitor::run(&args),
        Command::Chart(args) => chart::run(&args),
    }
}
