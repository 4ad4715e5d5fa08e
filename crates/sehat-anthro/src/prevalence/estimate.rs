//! The estimators WHO's prevalence functions call, for one domain (a group of rows):
//! the survey package's `svytotal`, `svymean`, `svyvar` and `svyciprop(method =
//! "logit")`, and `anthro`'s closed formulas for designs without clusters and strata.
//!
//! The table is computed from sums over each group's sampling units
//! ([`super::group`]); the shared pieces are here (the estimate, the fit of
//! `svyciprop`), and so are the row-by-row estimators, written as R's functions
//! compute, which the tests compare the sums against.

#[cfg(test)]
use super::design::{Plan, Scratch};
use super::student_t::t_975;

/// An estimate with its standard error and 95 % confidence interval; `None` where WHO's
/// packages give NA.
///
/// # Examples
///
/// ```
/// use sehat_anthro::Estimate;
///
/// let e = Estimate::NA;
/// assert_eq!(e.value, None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    /// The estimate (a prevalence in percent, or a mean z-score).
    pub value: Option<f64>,
    /// Its standard error.
    pub se: Option<f64>,
    /// Lower limit of the 95 % confidence interval.
    pub lower: Option<f64>,
    /// Upper limit of the 95 % confidence interval.
    pub upper: Option<f64>,
}

impl Estimate {
    /// All four values missing.
    pub const NA: Self = Self {
        value: None,
        se: None,
        lower: None,
        upper: None,
    };

    #[cfg(test)]
    fn of(value: f64, se: f64, lower: f64, upper: f64) -> Self {
        Self {
            value: Some(value),
            se: Some(se),
            lower: Some(lower),
            upper: Some(upper),
        }
    }
}

#[cfg(test)]
/// Rows of one domain with their value in one column (`None` = NA).
pub(crate) struct Domain<'a> {
    /// Row indices of the domain (all rows of the group, NA values included).
    pub rows: &'a [usize],
    /// The column, indexed by row.
    pub values: &'a [Option<f64>],
}

#[cfg(test)]
impl Domain<'_> {
    /// Rows with a value and their value.
    fn valid(&self) -> impl Iterator<Item = (usize, f64)> + '_ {
        self.rows
            .iter()
            .filter_map(|&r| self.values[r].map(|v| (r, v)))
    }
}

#[cfg(test)]
/// `svytotal(~I(!is.na(x)))`: weighted and unweighted counts of rows with a value.
pub(crate) fn counts(plan: &Plan, domain: &Domain<'_>) -> (f64, f64) {
    let mut weighted = 0.0;
    let mut unweighted = 0.0;
    for (r, _) in domain.valid() {
        weighted += plan.weights[r];
        unweighted += 1.0;
    }
    (weighted, unweighted)
}

#[cfg(test)]
/// True when `svyby(..., na.rm.all = TRUE)` computes the domain at all: some row has
/// a value and a weight other than 0.
fn present(plan: &Plan, domain: &Domain<'_>) -> bool {
    domain.valid().any(|(r, _)| plan.weights[r] != 0.0)
}

#[cfg(test)]
/// `svymean(~x, na.rm = TRUE)`: the weighted mean and its linearization variance.
fn mean_and_variance(plan: &Plan, scratch: &mut Scratch, domain: &Domain<'_>) -> (f64, f64) {
    let psum: f64 = domain.valid().map(|(r, _)| plan.weights[r]).sum();
    let mean: f64 = domain
        .valid()
        .map(|(r, v)| v * plan.weights[r] / psum)
        .sum();
    let variance = plan.variance(
        scratch,
        domain
            .valid()
            .map(|(r, v)| (r, (v - mean) * plan.weights[r] / psum)),
    );
    (mean, variance)
}

#[cfg(test)]
/// Mean z-score (`svymean` and `confint(df = degf)`) and SD (`svyvar`) of one domain.
pub(crate) fn zscore_summary(
    plan: &Plan,
    scratch: &mut Scratch,
    domain: &Domain<'_>,
) -> (Estimate, Option<f64>) {
    if !present(plan, domain) {
        return (Estimate::NA, None);
    }
    let (mean, variance) = mean_and_variance(plan, scratch, domain);
    let se = variance.sqrt();
    let t = t_975(plan.df);
    let estimate = Estimate::of(mean, se, mean - t * se, mean + t * se);
    // svyvar: n counts the domain's rows with a weight ≠ 0, values missing or not.
    let n = domain
        .rows
        .iter()
        .filter(|&&r| plan.weights[r] != 0.0)
        .count();
    let sd = if n > 1 {
        #[allow(clippy::cast_precision_loss)]
        let n = n as f64;
        let psum: f64 = domain.valid().map(|(r, _)| plan.weights[r]).sum();
        let var: f64 = domain
            .valid()
            .map(|(r, v)| {
                let d = v - mean;
                d * d * n / (n - 1.0) * plan.weights[r] / psum
            })
            .sum();
        Some(var.sqrt())
    } else {
        None
    };
    (estimate, sd)
}

#[cfg(test)]
/// A prevalence in percent: `svymean` of the 0/1 column for the rate and its SE, and
/// `svyciprop(method = "logit", df = degf)` for the interval, with `anthro`'s
/// boundary rule (a rate of exactly 0 % gets the interval [0, 0], one of exactly 1 %
/// the interval [1, 1]).
pub(crate) fn prevalence(
    plan: &Plan,
    scratch: &mut Scratch,
    domain: &Domain<'_>,
    first: &FirstIteration,
) -> Estimate {
    if !present(plan, domain) {
        return Estimate::NA;
    }
    let (mean, variance) = mean_and_variance(plan, scratch, domain);
    let (lower, upper) = logit_interval(plan, scratch, domain, first);
    let r = mean * 100.0;
    let (lower, upper) = if r == 0.0 {
        (0.0, 0.0)
    } else if r == 1.0 {
        (1.0, 1.0)
    } else {
        (lower * 100.0, upper * 100.0)
    };
    Estimate::of(r, variance.sqrt() * 100.0, lower, upper)
}

/// `exp(η) / (1 + exp(η))` with R's binomial-link thresholds.
fn link_inverse(eta: f64) -> f64 {
    let e = if eta < -30.0 {
        f64::EPSILON
    } else if eta > 30.0 {
        1.0 / f64::EPSILON
    } else {
        eta.exp()
    };
    e / (1.0 + e)
}

/// dμ/dη of the logit link as R computes it.
fn mu_eta(eta: f64) -> f64 {
    if !(-30.0..=30.0).contains(&eta) {
        f64::EPSILON
    } else {
        let opexp = 1.0 + eta.exp();
        eta.exp() / (opexp * opexp)
    }
}

/// Binomial deviance residual of one row.
fn deviance_residual(y: f64, mu: f64, weight: f64) -> f64 {
    let ylogy = |y: f64, mu: f64| if y == 0.0 { 0.0 } else { y * (y / mu).ln() };
    2.0 * weight * (ylogy(y, mu) + ylogy(1.0 - y, 1.0 - mu))
}

/// The first IRLS iteration's per-row terms for y = 0 and y = 1, which depend only on
/// the row's weight rescaled within the group: computed once per group and shared by
/// all of its 0/1 columns.
pub(crate) struct FirstIteration {
    #[cfg(test)]
    mean_weight: f64,
    #[cfg(test)]
    terms: Vec<[Terms; 2]>,
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct Terms {
    /// Deviance residual.
    pub deviance: f64,
    /// Working weight (0 when not usable).
    pub w2: f64,
    /// Working weight × working response.
    pub w2z: f64,
    /// The working weight is usable (`w > 0` and dμ/dη ≠ 0).
    pub good: bool,
}

impl FirstIteration {
    #[cfg(test)]
    /// The terms for the rows of one group (`rows` as the domains of the group list
    /// them).
    pub(crate) fn new(plan: &Plan, rows: &[usize]) -> Self {
        #[allow(clippy::cast_precision_loss)]
        let mean_weight = rows.iter().map(|&r| plan.weights[r]).sum::<f64>() / rows.len() as f64;
        let terms = rows
            .iter()
            .map(|&r| {
                let w = plan.weights[r] / mean_weight;
                [Self::terms(w, 0.0), Self::terms(w, 1.0)]
            })
            .collect();
        Self { mean_weight, terms }
    }

    /// `glm.fit`'s start `μ = (w y + 1/2)/(w + 1)` and the first iteration's deviance
    /// residual, working weight and working weight × working response.
    pub(crate) fn terms(w: f64, y: f64) -> Terms {
        let mustart = (w * y + 0.5) / (w + 1.0);
        let eta = (mustart / (1.0 - mustart)).ln();
        let mu = link_inverse(eta);
        let deviance = deviance_residual(y, mu, w);
        let me = mu_eta(eta);
        if w > 0.0 && me != 0.0 {
            let z = eta + (y - mu) / me;
            let w2 = w * me * me / (mu * (1.0 - mu));
            Terms {
                deviance,
                w2,
                w2z: w2 * z,
                good: true,
            }
        } else {
            Terms {
                deviance,
                w2: 0.0,
                w2z: 0.0,
                good: false,
            }
        }
    }
}

#[cfg(test)]
/// The logit interval of `svyciprop`: an intercept-only quasibinomial `svyglm`, fitted
/// by R's iteratively reweighted least squares (`glm.fit`: start from
/// `(w y + 1/2)/(w + 1)`, stop when the relative deviance change is below 1e-8, at most
/// 25 iterations) with the weights rescaled to mean 1 over the domain; its sandwich
/// variance from the working residuals and the last iteration's working weights; the
/// Wald interval with the t quantile on the design's degrees of freedom, mapped back
/// with `exp(x)/(1 + exp(x))`. Proportions, not percent.
fn logit_interval(
    plan: &Plan,
    scratch: &mut Scratch,
    domain: &Domain<'_>,
    first: &FirstIteration,
) -> (f64, f64) {
    let prior = |r: usize| plan.weights[r] / first.mean_weight;
    // First iteration: every row starts from its own μ (terms computed once per group).
    let mut sums = FitSums::default();
    for (k, &r) in domain.rows.iter().enumerate() {
        let Some(y) = domain.values[r] else { continue };
        let terms = first.terms[k][usize::from(y != 0.0)];
        sums.deviance += terms.deviance;
        if terms.good {
            let w = prior(r);
            sums.w2z += terms.w2z;
            sums.w2 += terms.w2;
            sums.prior += w;
            sums.prior_y += w * y;
        }
    }
    let fit = Fit::new(&sums);
    // estfun × (X'WX)⁻¹ per row: working residual × working weight of the last
    // iteration / Σ working weights.
    let sandwich = |k: usize, r: usize, y: f64| -> f64 {
        let w = prior(r);
        let residual = (y - fit.mu) / fit.mu_eta;
        if fit.single_iteration {
            let terms = first.terms[k][usize::from(y != 0.0)];
            let w2 = if terms.good { terms.w2 } else { 0.0 };
            residual * w2 / sums.w2
        } else {
            residual * w / sums.prior
        }
    };
    let variance = plan.variance(
        scratch,
        domain
            .rows
            .iter()
            .enumerate()
            .filter_map(|(k, &r)| domain.values[r].map(|y| (r, sandwich(k, r, y)))),
    );
    fit.interval(plan.df, variance.sqrt())
}

/// The sums over a domain's rows that the quasibinomial fit of `svyciprop` needs from
/// its first iteration (weights rescaled to mean 1 over the group).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct FitSums {
    /// Σ deviance residuals of the first iteration (every row with a value).
    pub deviance: f64,
    /// Σ working weights (rows with a usable working weight).
    pub w2: f64,
    /// Σ working weight × working response.
    pub w2z: f64,
    /// Σ prior weights (same rows as `w2`).
    pub prior: f64,
    /// Σ prior weight × y.
    pub prior_y: f64,
}

/// The quasibinomial fit of an intercept-only `svyglm`, replayed as R's `glm.fit`
/// iterates: from the first iteration's sums, Newton steps on the common η until the
/// relative deviance change is below 1e-8 (at most 25 iterations).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fit {
    /// The fitted linear predictor.
    pub eta: f64,
    /// μ at the fit.
    pub mu: f64,
    /// dμ/dη at the fit.
    pub mu_eta: f64,
    /// The fit stopped after the first iteration: the sandwich then uses the first
    /// iteration's per-row working weights.
    pub single_iteration: bool,
}

impl Fit {
    pub(crate) fn new(sums: &FitSums) -> Self {
        let mut devold = sums.deviance;
        let deviance = |mu: f64| {
            2.0 * (sums.prior_y * (1.0 / mu).ln()
                + (sums.prior - sums.prior_y) * (1.0 / (1.0 - mu)).ln())
        };
        let mut eta = sums.w2z / sums.w2;
        // After the first iteration η is common to all rows, and so is the working-weight
        // factor μ'(η)²/V(μ): it cancels in the sandwich.
        let mut single_iteration = true;
        for iteration in 1..=25 {
            let mu = link_inverse(eta);
            let dev = deviance(mu);
            if (dev - devold).abs() / (dev.abs() + 0.1) < 1e-8 || iteration == 25 {
                break;
            }
            devold = dev;
            single_iteration = false;
            eta += (sums.prior_y / sums.prior - mu) / mu_eta(eta);
        }
        Self {
            eta,
            mu: link_inverse(eta),
            mu_eta: mu_eta(eta),
            single_iteration,
        }
    }

    /// The Wald interval on the logit scale with the t quantile on `df` degrees of
    /// freedom, mapped back with `exp(x)/(1 + exp(x))`; NaN without degrees of freedom.
    pub(crate) fn interval(&self, df: f64, se: f64) -> (f64, f64) {
        if df <= 0.0 {
            return (f64::NAN, f64::NAN);
        }
        let t = t_975(df);
        let expit = |x: f64| x.exp() / (1.0 + x.exp());
        (expit(self.eta - t * se), expit(self.eta + t * se))
    }
}

/// The 95 % interval of a proportion `r` of `n` rows without a design, as anthro's fast
/// path computes it: the logit of `r` plus or minus t(0.975, `n_total` − 1) standard
/// errors, back-transformed; `r` of exactly 0 or 1 gives the degenerate interval.
#[allow(clippy::float_cmp)]
pub(super) fn simple_logit_interval(r: f64, n: f64, n_total: f64) -> (f64, f64) {
    if r == 1.0 {
        return (1.0, 1.0);
    }
    if r == 0.0 {
        return (0.0, 0.0);
    }
    let logit = (r / (1.0 - r)).ln();
    let var = 1.0 / (n * r * (1.0 - r));
    let se_logit = (n_total / (n_total - 1.0) * var).sqrt();
    let t = t_975(n_total - 1.0);
    let plogis = |x: f64| 1.0 / (1.0 + (-x).exp());
    (plogis(logit - se_logit * t), plogis(logit + se_logit * t))
}

#[cfg(test)]
/// `anthro`'s closed formulas without a design (`prevalence-simple.R`): `n_total` is
/// the number of rows of the whole analysis, not of the group.
pub(crate) mod simple {
    use super::{Estimate, t_975};

    fn sample_se(values: &[f64], mean: f64, n: f64, n_total: f64) -> f64 {
        let scale = n_total / (n_total - 1.0);
        let ss: f64 = values.iter().map(|x| (x - mean) * (x - mean)).sum();
        scale.sqrt() / n * ss.sqrt()
    }

    /// `logit_rate_estimate`, in percent.
    pub(crate) fn prevalence(values: &[f64], n_total: f64) -> Estimate {
        if values.is_empty() {
            return Estimate::NA;
        }
        #[allow(clippy::cast_precision_loss)]
        let n = values.len() as f64;
        #[allow(clippy::float_cmp)]
        let r = values.iter().filter(|&&x| x == 1.0).count() as f64 / n;
        let se = sample_se(values, r, n, n_total);
        let (lower, upper) = super::simple_logit_interval(r, n, n_total);
        Estimate::of(r * 100.0, se * 100.0, lower * 100.0, upper * 100.0)
    }

    /// `zscore_estimate` (no weights) or `zscore_estimate_weighted`; returns the mean
    /// estimate and the SD.
    pub(crate) fn zscore(
        values: &[f64],
        weights: Option<&[f64]>,
        n_total: f64,
    ) -> (Estimate, Option<f64>) {
        if values.is_empty() {
            return (Estimate::NA, None);
        }
        #[allow(clippy::cast_precision_loss)]
        let n = values.len() as f64;
        let t = t_975(n_total - 1.0);
        let (mean, se, sd) = match weights {
            None => {
                let mean = values.iter().sum::<f64>() / n;
                let ss: f64 = values.iter().map(|x| (x - mean) * (x - mean)).sum();
                let sd = (n > 1.0).then(|| (ss / (n - 1.0)).sqrt());
                (mean, sample_se(values, mean, n, n_total), sd)
            }
            Some(w) => {
                let sw: f64 = w.iter().sum();
                let mean = values.iter().zip(w).map(|(x, w)| w * x).sum::<f64>() / sw;
                let ss: f64 = values
                    .iter()
                    .zip(w)
                    .map(|(x, w)| w / sw * (x - mean) * (x - mean))
                    .sum();
                let sd = (ss * n / (n - 1.0)).sqrt();
                let dev: f64 = values
                    .iter()
                    .zip(w)
                    .map(|(x, w)| (w * (x - mean)) * (w * (x - mean)))
                    .sum();
                let se = (n_total / (n_total - 1.0)).sqrt() / sw * dev.sqrt();
                (mean, se, (n > 1.0).then_some(sd))
            }
        };
        (Estimate::of(mean, se, mean - t * se, mean + t * se), sd)
    }
}
