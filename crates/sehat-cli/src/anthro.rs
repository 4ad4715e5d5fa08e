//! `sehat anthro`.

mod columns;
mod mapping;
mod prevalence;
mod record;
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
}

/// Runs one `sehat anthro` subcommand.
pub fn run(command: Command) -> Result {
    match command {
        Command::Zscores(args) => zscores::run(&args),
        Command::Prevalence(args) => prevalence::run(&args),
    }
}
