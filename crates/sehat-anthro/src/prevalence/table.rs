//! The result table of a survey analysis: one row per group, WHO's columns.

use super::estimate::Estimate;

/// The growth standard of a survey analysis.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SurveyStandard {
    /// WHO Child Growth Standards, 0–5 years (`anthro_prevalence`).
    Who2006,
    /// WHO Growth Reference 2007, 5–19 years (`anthroplus_prevalence`).
    Who2007,
}

/// An indicator of the survey table, with WHO's column prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SurveyIndicator {
    /// Length/height-for-age (`HA`).
    HeightForAge,
    /// Weight-for-age (`WA`).
    WeightForAge,
    /// BMI-for-age (`BMI`).
    BmiForAge,
    /// Weight-for-length/height (`WH`).
    WeightForHeight,
}

impl SurveyIndicator {
    /// WHO's column prefix (`HA`, `WA`, `BMI`, `WH`).
    #[must_use]
    pub const fn prefix(self) -> &'static str {
        match self {
            Self::HeightForAge => "HA",
            Self::WeightForAge => "WA",
            Self::BmiForAge => "BMI",
            Self::WeightForHeight => "WH",
        }
    }
}

/// The six cut-offs of the standard analysis, in WHO's column order.
pub const CUTOFFS: [Cutoff; 6] = [
    Cutoff::BelowMinus3,
    Cutoff::BelowMinus2,
    Cutoff::BelowMinus1,
    Cutoff::AbovePlus1,
    Cutoff::AbovePlus2,
    Cutoff::AbovePlus3,
];

/// A cut-off on the rounded z-score (strict inequalities).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Cutoff {
    /// z < −3 (`_3`).
    BelowMinus3,
    /// z < −2 (`_2`).
    BelowMinus2,
    /// z < −1 (`_1`).
    BelowMinus1,
    /// z > +1 (`1`).
    AbovePlus1,
    /// z > +2 (`2`).
    AbovePlus2,
    /// z > +3 (`3`).
    AbovePlus3,
}

impl Cutoff {
    /// True when the rounded z-score is beyond the cut-off.
    #[must_use]
    pub fn contains(self, z: f64) -> bool {
        match self {
            Self::BelowMinus3 => z < -3.0,
            Self::BelowMinus2 => z < -2.0,
            Self::BelowMinus1 => z < -1.0,
            Self::AbovePlus1 => z > 1.0,
            Self::AbovePlus2 => z > 2.0,
            Self::AbovePlus3 => z > 3.0,
        }
    }

    /// WHO's column suffix (`_3`, `_2`, `_1`, `1`, `2`, `3`).
    #[must_use]
    pub const fn suffix(self) -> &'static str {
        match self {
            Self::BelowMinus3 => "_3",
            Self::BelowMinus2 => "_2",
            Self::BelowMinus1 => "_1",
            Self::AbovePlus1 => "1",
            Self::AbovePlus2 => "2",
            Self::AbovePlus3 => "3",
        }
    }
}

/// The estimates of one indicator for one group.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct IndicatorSummary {
    /// The indicator.
    pub indicator: SurveyIndicator,
    /// Weighted number of children counted in the prevalences (`…Z_pop`); `None`
    /// where WHO gives NA (weight-for-age of the 5–19 "All" and "Sex" rows).
    pub weighted_n: Option<f64>,
    /// Unweighted number (`…Z_unwpop`).
    pub unweighted_n: Option<f64>,
    /// Prevalence (percent) of each cut-off, in the order of [`CUTOFFS`].
    pub cutoffs: [Estimate; 6],
    /// Mean z-score (`…_r`, `_se`, `_ll`, `_ul`).
    pub mean: Estimate,
    /// Standard deviation of the z-scores (`…_stdev`).
    pub sd: Option<f64>,
}

/// Stunting combined with wasting (`HA_2_WH_2`): HAZ < −2 and WHZ < −2.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CombinedSummary {
    /// Weighted number of children with both z-scores (`HA_2_WH_2_pop`).
    pub weighted_n: f64,
    /// Unweighted number (`HA_2_WH_2_unwpop`).
    pub unweighted_n: f64,
    /// Prevalence in percent.
    pub estimate: Estimate,
}

/// One row of the table: a group and its estimates.
#[derive(Debug, Clone, PartialEq)]
pub struct PrevalenceRow {
    /// WHO's group label, e.g. `All`, `Age group: 00-05 mo`, `Sex: Female`.
    pub group: String,
    /// 5–19 years only: the `Years` and `Months` label columns.
    pub age_labels: Option<(String, String)>,
    /// One summary per indicator, in WHO's order (HA, WA, BMI, WH for 0–5 years;
    /// HA, WA, BMI for 5–19 years).
    pub indicators: Vec<IndicatorSummary>,
    /// 0–5 years: stunting and wasting (`HA_2_WH_2`).
    pub stunting_wasting: Option<CombinedSummary>,
    /// 0–5 years: stunting and overweight (`HA_2_WH2`).
    pub stunting_overweight: Option<Estimate>,
}

/// A cell of the table in WHO's layout.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell<'a> {
    /// A label.
    Text(&'a str),
    /// A number; `None` is NA.
    Number(Option<f64>),
}

/// The result of [`survey_prevalence`](crate::survey_prevalence) or
/// [`school_age_survey_prevalence`](crate::school_age_survey_prevalence): WHO's
/// prevalence table.
#[derive(Debug, Clone, PartialEq)]
pub struct PrevalenceTable {
    /// The standard the z-scores come from.
    pub standard: SurveyStandard,
    /// The rows, in WHO's order.
    pub rows: Vec<PrevalenceRow>,
}

impl PrevalenceTable {
    /// WHO's column names, in order (`Group`, …, as `anthro_prevalence` /
    /// `anthroplus_prevalence` name them).
    #[must_use]
    pub fn column_names(&self) -> Vec<String> {
        let mut names = vec!["Group".to_owned()];
        let indicators: &[SurveyIndicator] = match self.standard {
            SurveyStandard::Who2006 => &[
                SurveyIndicator::HeightForAge,
                SurveyIndicator::WeightForAge,
                SurveyIndicator::BmiForAge,
                SurveyIndicator::WeightForHeight,
            ],
            SurveyStandard::Who2007 => {
                names.push("Years".to_owned());
                names.push("Months".to_owned());
                &[
                    SurveyIndicator::HeightForAge,
                    SurveyIndicator::WeightForAge,
                    SurveyIndicator::BmiForAge,
                ]
            }
        };
        for indicator in indicators {
            let p = indicator.prefix();
            names.push(format!("{p}Z_pop"));
            names.push(format!("{p}Z_unwpop"));
            for cutoff in CUTOFFS {
                for s in ["_r", "_se", "_ll", "_ul"] {
                    names.push(format!("{p}{}{s}", cutoff.suffix()));
                }
            }
            for s in ["_r", "_se", "_ll", "_ul", "_stdev"] {
                names.push(format!("{p}{s}"));
            }
        }
        if self.standard == SurveyStandard::Who2006 {
            for s in ["_pop", "_unwpop", "_r", "_se", "_ll", "_ul"] {
                names.push(format!("HA_2_WH_2{s}"));
            }
            for s in ["_r", "_se", "_ll", "_ul"] {
                names.push(format!("HA_2_WH2{s}"));
            }
        }
        names
    }

    /// The cells of one row, in the order of [`Self::column_names`].
    #[must_use]
    pub fn cells(row: &PrevalenceRow) -> Vec<Cell<'_>> {
        let mut cells = vec![Cell::Text(&row.group)];
        if let Some((years, months)) = &row.age_labels {
            cells.push(Cell::Text(years));
            cells.push(Cell::Text(months));
        }
        let push_estimate = |cells: &mut Vec<Cell<'_>>, e: &Estimate| {
            cells.extend([e.value, e.se, e.lower, e.upper].map(Cell::Number));
        };
        for summary in &row.indicators {
            cells.push(Cell::Number(summary.weighted_n));
            cells.push(Cell::Number(summary.unweighted_n));
            for e in &summary.cutoffs {
                push_estimate(&mut cells, e);
            }
            push_estimate(&mut cells, &summary.mean);
            cells.push(Cell::Number(summary.sd));
        }
        if let Some(c) = &row.stunting_wasting {
            cells.push(Cell::Number(Some(c.weighted_n)));
            cells.push(Cell::Number(Some(c.unweighted_n)));
            push_estimate(&mut cells, &c.estimate);
        }
        if let Some(e) = &row.stunting_overweight {
            push_estimate(&mut cells, e);
        }
        cells
    }
}
