//! Prevalence estimates over many children, with WHO's conventions: simple counts
//! ([`Prevalence`]) and WHO's standard survey analysis ([`survey_prevalence`],
//! [`school_age_survey_prevalence`]).

use crate::{NaReason, Outcome};

mod design;
mod estimate;
mod group;
mod keys;
mod student_t;
mod survey;
mod table;

pub use design::SurveyDesign;
pub use estimate::Estimate;
pub use survey::{
    CodedGroupings, GroupingCodes, Groupings, PreparedSurvey, PrevalenceError,
    school_age_survey_prevalence, survey_prevalence, survey_prevalence_coded,
};
pub use table::{
    CUTOFFS, Cell, CombinedSummary, Cutoff, IndicatorSummary, PrevalenceRow, PrevalenceTable,
    SurveyIndicator, SurveyStandard,
};

/// The auxiliary z-score WHO's prevalence functions give a child with oedema for the
/// weight-based indicators: counted below −3, −2 and −1, left out of the mean.
const OEDEMA_Z: f64 = -3.1;

/// Prevalence of the WHO cut-offs for one indicator over a group of children.
///
/// Follows the conventions of WHO's `anthro_prevalence`: flagged z-scores are left out;
/// a child with oedema (weight-for-age, weight-for-length/height, BMI-for-age) counts
/// below −3, −2 and −1 SD but not in the mean and SD; cut-offs are strict and applied
/// to the z rounded to two decimals. These are simple, unweighted estimates: WHO's
/// survey-design estimates (clusters, strata, sampling weights, confidence intervals)
/// are not computed here.
///
/// # Examples
///
/// ```
/// use sehat_anthro::{Child, Prevalence, Sex, zscores};
///
/// let children = [
///     Child::new(Sex::Female).age_months(18.0).weight_kg(8.2).length_cm(74.0),
///     Child::new(Sex::Male).age_days(400.0).weight_kg(9.5).length_cm(75.35),
///     Child::new(Sex::Male).age_days(700.0).weight_kg(10.0).length_cm(78.0).oedema(true),
/// ];
/// let results: Vec<_> = children.iter().map(zscores).collect();
/// let stunting = Prevalence::of(results.iter().map(|z| z.length_for_age));
/// assert_eq!(stunting.n, 3);
/// assert_eq!(stunting.below_minus_2, 2);
/// let wasting = Prevalence::of(results.iter().map(|z| z.weight_for_length));
/// assert_eq!(wasting.below_minus_3, 1); // the child with oedema
/// assert_eq!(wasting.n_mean, 2);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Prevalence {
    /// Children counted in the prevalences (valid, unflagged z, or oedema).
    pub n: usize,
    /// Rounded z < −3.
    pub below_minus_3: usize,
    /// Rounded z < −2.
    pub below_minus_2: usize,
    /// Rounded z < −1.
    pub below_minus_1: usize,
    /// Rounded z > +1.
    pub above_plus_1: usize,
    /// Rounded z > +2.
    pub above_plus_2: usize,
    /// Rounded z > +3.
    pub above_plus_3: usize,
    /// Children in the mean and SD (valid, unflagged z; oedema excluded).
    pub n_mean: usize,
    /// Mean of the rounded z-scores, if any.
    pub mean_z: Option<f64>,
    /// Sample standard deviation (n − 1) of the rounded z-scores, if at least two.
    pub sd_z: Option<f64>,
}

impl Prevalence {
    /// Counts one indicator's outcomes (e.g. `results.iter().map(|z| z.weight_for_length)`).
    #[must_use]
    pub fn of(outcomes: impl IntoIterator<Item = Outcome>) -> Self {
        let mut p = Self {
            n: 0,
            below_minus_3: 0,
            below_minus_2: 0,
            below_minus_1: 0,
            above_plus_1: 0,
            above_plus_2: 0,
            above_plus_3: 0,
            n_mean: 0,
            mean_z: None,
            sd_z: None,
        };
        let (mut sum, mut sum_sq_dev, mut mean) = (0.0, 0.0, 0.0);
        for outcome in outcomes {
            let z = match outcome {
                Ok(z) if !z.flagged && z.z_rounded.is_finite() => {
                    // Welford's update for the mean and SD.
                    p.n_mean += 1;
                    let delta = z.z_rounded - mean;
                    #[allow(clippy::cast_precision_loss)]
                    let count = p.n_mean as f64;
                    mean += delta / count;
                    sum_sq_dev += delta * (z.z_rounded - mean);
                    sum += z.z_rounded;
                    z.z_rounded
                }
                Err(NaReason::Oedema) => OEDEMA_Z,
                _ => continue,
            };
            p.n += 1;
            p.below_minus_3 += usize::from(z < -3.0);
            p.below_minus_2 += usize::from(z < -2.0);
            p.below_minus_1 += usize::from(z < -1.0);
            p.above_plus_1 += usize::from(z > 1.0);
            p.above_plus_2 += usize::from(z > 2.0);
            p.above_plus_3 += usize::from(z > 3.0);
        }
        #[allow(clippy::cast_precision_loss)]
        if p.n_mean > 0 {
            p.mean_z = Some(sum / p.n_mean as f64);
            if p.n_mean > 1 {
                p.sd_z = Some((sum_sq_dev / (p.n_mean - 1) as f64).sqrt());
            }
        }
        p
    }

    /// A count as a percentage of [`n`](Self::n) (`None` when no child is counted).
    ///
    /// # Examples
    ///
    /// ```
    /// use sehat_anthro::{Child, Prevalence, Sex, zscores};
    ///
    /// let z = zscores(&Child::new(Sex::Female).age_months(18.0).weight_kg(8.2).length_cm(74.0));
    /// let p = Prevalence::of([z.length_for_age]);
    /// assert_eq!(p.percent(p.below_minus_2), Some(100.0));
    /// ```
    #[must_use]
    pub fn percent(&self, count: usize) -> Option<f64> {
        #[allow(clippy::cast_precision_loss)]
        (self.n > 0).then(|| 100.0 * count as f64 / self.n as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ZScore;

    fn z(value: f64, flagged: bool) -> Outcome {
        Ok(ZScore {
            z: value,
            z_rounded: value,
            flagged,
        })
    }

    #[test]
    fn flags_are_excluded_and_oedema_counts_below_minus_3() {
        let p = Prevalence::of([
            z(-2.0, false),
            z(-2.01, false),
            z(3.5, false),
            z(7.0, true),
            Err(NaReason::Oedema),
            Err(NaReason::MissingAge),
        ]);
        assert_eq!(p.n, 4);
        assert_eq!(p.n_mean, 3);
        assert_eq!(p.below_minus_3, 1);
        assert_eq!(p.below_minus_2, 2); // −2.00 is not < −2
        assert_eq!(p.above_plus_3, 1);
        let mean = (-2.0 - 2.01 + 3.5) / 3.0;
        assert!((p.mean_z.unwrap() - mean).abs() < 1e-12);
        let var = ((-2.0 - mean).powi(2) + (-2.01 - mean).powi(2) + (3.5 - mean).powi(2)) / 2.0;
        assert!((p.sd_z.unwrap() - var.sqrt()).abs() < 1e-12);
        assert_eq!(p.percent(p.below_minus_2), Some(50.0));
        assert_eq!(Prevalence::of([]).percent(0), None);
    }
}
