//! The z-scores a survey analysis summarises, per indicator: the rows WHO's
//! prevalence functions keep, and of those the unflagged z-scores that enter the mean
//! and SD (children with oedema left out of the weight-based indicators).

use rayon::prelude::*;
use sehat_anthro::{
    Outcome, SchoolAgeChild, SurveyDesign, SurveyIndicator, school_age_zscores, zscores,
};

use super::super::prevalence::{Measured, Survey};

/// Last age in days (after rounding) `anthro_prevalence` keeps.
const LAST_DAY: i64 = 1826;
/// The age range (months) `anthroplus_prevalence` keeps.
const SCHOOL_AGE_MONTHS: std::ops::RangeInclusive<f64> = 60.0..=228.0;
/// Last month of the weight-for-age reference (5–19 years).
const LAST_MONTH_WEIGHT: f64 = 120.0;

/// One indicator's z-scores.
pub(super) struct IndicatorSample {
    pub indicator: SurveyIndicator,
    pub z: Vec<f64>,
}

/// The children of the survey and the z-scores of its indicators.
pub(super) struct Samples {
    /// Rows in the input file.
    pub rows: usize,
    /// Rows kept for the analysis (age, cluster and stratum present where needed).
    pub analysed: usize,
    /// One sample per indicator, in the table's order.
    pub indicators: Vec<IndicatorSample>,
}

/// A z-score that enters the mean: computed and not flagged.
fn usable(outcome: Outcome) -> Option<f64> {
    match outcome {
        Ok(z) if !z.flagged && z.z_rounded.is_finite() => Some(z.z_rounded),
        _ => None,
    }
}

/// The rows the design keeps: WHO drops rows with a missing cluster or stratum.
fn design_keeps(design: &SurveyDesign, i: usize) -> bool {
    let present = |column: &Option<Vec<Option<f64>>>| {
        column
            .as_ref()
            .is_none_or(|c| c.get(i).copied().flatten().is_some_and(|v| !v.is_nan()))
    };
    present(&design.clusters) && present(&design.strata)
}

/// The rows kept for the analysis: each one's index in the input and its z-scores,
/// one per indicator (`None` when not usable).
type Kept = Vec<(usize, Vec<Option<f64>>)>;

impl Samples {
    pub(super) fn of(survey: &Survey) -> Self {
        let (rows, indicators, kept) = kept(survey);
        let indicators = indicators
            .iter()
            .enumerate()
            .map(|(k, &indicator)| IndicatorSample {
                indicator,
                z: kept.iter().filter_map(|(_, z)| z[k]).collect(),
            })
            .collect();
        Self {
            rows,
            analysed: kept.len(),
            indicators,
        }
    }
}

/// The number of input rows, the indicators, and the rows kept with their z-scores.
fn kept(survey: &Survey) -> (usize, &'static [SurveyIndicator], Kept) {
    match survey {
        Survey::Who2006(children, design, _) => (
            children.len(),
            &[
                SurveyIndicator::HeightForAge,
                SurveyIndicator::WeightForAge,
                SurveyIndicator::BmiForAge,
                SurveyIndicator::WeightForHeight,
            ],
            who2006(children, design),
        ),
        Survey::Who2007(children, design) => (
            children.len(),
            &[
                SurveyIndicator::HeightForAge,
                SurveyIndicator::WeightForAge,
                SurveyIndicator::BmiForAge,
            ],
            who2007(children, design),
        ),
    }
}

fn who2006(children: &[Measured], design: &SurveyDesign) -> Kept {
    children
        .par_iter()
        .map(Measured::child)
        .enumerate()
        .filter(|(i, child)| {
            // Rows without an age stay in the analysis, as in `anthro_prevalence`.
            let age_kept = match child.age {
                Some(age) if age.is_valid() => age.table_days().is_some_and(|d| d <= LAST_DAY),
                _ => true,
            };
            age_kept && design_keeps(design, *i)
        })
        .map(|(i, child)| {
            let z = zscores(&child);
            let weight_based = |o: Outcome| if child.oedema { None } else { usable(o) };
            (
                i,
                vec![
                    usable(z.length_for_age),
                    weight_based(z.weight_for_age),
                    weight_based(z.bmi_for_age),
                    weight_based(z.weight_for_length),
                ],
            )
        })
        .collect()
}

fn who2007(children: &[SchoolAgeChild], design: &SurveyDesign) -> Kept {
    children
        .par_iter()
        .enumerate()
        .filter(|(i, child)| {
            child
                .age_months
                .is_some_and(|m| SCHOOL_AGE_MONTHS.contains(&m))
                && design_keeps(design, *i)
        })
        .map(|(i, child)| {
            let z = school_age_zscores(child);
            let months = child.age_months.unwrap_or(f64::NAN);
            let oedema_wfa = child.oedema && months <= LAST_MONTH_WEIGHT;
            (
                i,
                vec![
                    usable(z.height_for_age),
                    if oedema_wfa {
                        None
                    } else {
                        usable(z.weight_for_age)
                    },
                    if child.oedema {
                        None
                    } else {
                        usable(z.bmi_for_age)
                    },
                ],
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use super::*;
    use crate::anthro::StandardName;
    use crate::anthro::prevalence::Args;

    fn public(name: &str, standard: StandardName) -> Survey {
        let input: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../sehat-anthro/tests/data/prevalence")
            .join(name);
        Survey::read(&Args {
            standard,
            output: None,
            map: crate::anthro::mapping::MapArgs::default(),
            input,
        })
        .unwrap()
    }

    /// Each indicator's z-scores with their sampling weights (a missing weight is 0,
    /// as for WHO).
    fn weighted(survey: &Survey) -> Vec<Vec<(f64, f64)>> {
        let design = match survey {
            Survey::Who2006(_, design, _) | Survey::Who2007(_, design) => design,
        };
        let weight = |i: usize| {
            design
                .sampling_weights
                .as_ref()
                .map_or(1.0, |w| w[i].filter(|v| !v.is_nan()).unwrap_or(0.0))
        };
        let (_, indicators, kept) = kept(survey);
        (0..indicators.len())
            .map(|k| {
                kept.iter()
                    .filter_map(|(i, z)| Some((z[k]?, weight(*i))))
                    .collect()
            })
            .collect()
    }

    /// The plotted z-scores are exactly those the estimator averages: their weighted
    /// mean is the table's mean z-score of the "All" row, and for height-for-age (no
    /// oedema rule) their number is the table's unweighted count.
    fn check_against_table(survey: &Survey, indicators: usize) {
        let table = survey.table().unwrap();
        let samples = Samples::of(survey);
        assert_eq!(samples.indicators.len(), indicators);
        let weighted = weighted(survey);
        let all = &table.rows[0];
        assert_eq!(all.group, "All");
        let mut checked = 0;
        for ((sample, pairs), summary) in samples
            .indicators
            .iter()
            .zip(&weighted)
            .zip(&all.indicators)
        {
            assert_eq!(sample.indicator, summary.indicator);
            assert_eq!(sample.z.len(), pairs.len());
            assert!(sample.z.iter().all(|z| z.abs() <= 6.0));
            // WHO gives no weight-for-age for all 5–19-year-olds (the reference ends at
            // 10 years).
            let Some(expected) = summary.mean.value else {
                continue;
            };
            let total: f64 = pairs.iter().map(|p| p.1).sum();
            let mean: f64 = pairs.iter().map(|(z, w)| z * w).sum::<f64>() / total;
            assert!(
                (mean - expected).abs() < 1e-9,
                "{:?}: {mean} vs {expected}",
                sample.indicator
            );
            checked += 1;
        }
        assert!(checked >= indicators - 1);
        #[allow(clippy::cast_precision_loss)]
        let n = samples.indicators[0].z.len() as f64;
        assert_eq!(Some(n), all.indicators[0].unweighted_n);
    }

    #[test]
    fn who2006_sample_is_the_estimators() {
        let survey = public("survey_0_5_public.csv", StandardName::Who2006);
        check_against_table(&survey, 4);
        let samples = Samples::of(&survey);
        assert_eq!(samples.rows, 2000);
        assert!(samples.analysed < samples.rows);
    }

    #[test]
    fn who2007_sample_is_the_estimators() {
        let survey = public("survey_5_19_public.csv", StandardName::Who2007);
        check_against_table(&survey, 3);
    }
}
