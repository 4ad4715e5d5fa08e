//! The options that read exports in other column names and codes as WHO's input:
//! `--map`, `--values`, `--preset kemenkes`, and the age from `--dob` and `--visit`.
//!
//! The rules are sehat-anthro's (`sehat_anthro::who_table::MapOptions`, also in the
//! README); this module only declares the options and passes them on.

use clap::{Args as ClapArgs, ValueEnum};
use sehat_anthro::who_table::{self, ColumnMap, MapOptions, Targets};

use crate::error::Result;

/// The mapping options of `sehat anthro zscores` and `sehat anthro prevalence`.
#[derive(Debug, Clone, Default, ClapArgs)]
pub struct MapArgs {
    /// Read WHO's column TARGET from the file's column SOURCE, e.g. `--map
    /// sex=jk,weight=bb,lenhei=tb` (repeatable).
    #[arg(long, value_name = "TARGET=SOURCE,...")]
    map: Vec<String>,
    /// Translate the codes of a column, e.g. `--values sex:L=1,P=2 --values
    /// measure:berdiri=h,terlentang=l` (repeatable). Codes match ignoring case and
    /// surrounding spaces; a code without a value is an error.
    #[arg(long = "values", value_name = "TARGET:CODE=VALUE,...")]
    values: Vec<String>,
    /// Start from a built-in map: `kemenkes` reads jk (L/P), bb, tb, cara_ukur
    /// (berdiri/terlentang), tgl_lahir and tgl_ukur where the file has them.
    #[arg(long, value_enum)]
    preset: Option<Preset>,
    /// Compute the age from the date of birth in COLUMN (with --visit).
    #[arg(long, value_name = "COLUMN", requires = "visit")]
    dob: Option<String>,
    /// The date of measurement in COLUMN (with --dob).
    #[arg(long, value_name = "COLUMN", requires = "dob")]
    visit: Option<String>,
    /// How the dates are written: iso (YYYY-MM-DD) or dmy (DD/MM/YYYY).
    #[arg(long, value_enum, default_value_t = DateFormat::Iso)]
    date_format: DateFormat,
}

/// A built-in column map.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Preset {
    /// Kemenkes registers (e-PPGBM, Posyandu exports): jk L/P, bb, tb, cara_ukur
    /// berdiri/terlentang, tgl_lahir, tgl_ukur.
    Kemenkes,
}

/// How dates are written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum DateFormat {
    /// `2024-02-29`.
    #[default]
    Iso,
    /// `29/02/2024` (day and month may have one digit).
    Dmy,
}

impl MapArgs {
    /// The options as sehat-anthro takes them.
    pub fn options(&self) -> MapOptions {
        MapOptions {
            map: self.map.clone(),
            values: self.values.clone(),
            preset: self
                .preset
                .map(|Preset::Kemenkes| who_table::Preset::Kemenkes),
            dob: self.dob.clone(),
            visit: self.visit.clone(),
            date_format: match self.date_format {
                DateFormat::Iso => who_table::DateFormat::Iso,
                DateFormat::Dmy => who_table::DateFormat::Dmy,
            },
        }
    }

    /// Resolves the options against the file's header.
    ///
    /// # Errors
    ///
    /// Options that do not fit the header, as [`ColumnMap::resolve`] says.
    pub fn resolve(&self, header: &[String], targets: &Targets) -> Result<ColumnMap> {
        Ok(ColumnMap::resolve(&self.options(), header, targets)?)
    }
}
