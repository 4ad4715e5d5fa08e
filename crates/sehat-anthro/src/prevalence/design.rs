//! The sampling design: what the survey package's `svydesign(ids, strata, weights,
//! nest = TRUE)` keeps, and the Taylor-linearization variance of `svyrecvar` with
//! `survey.lonely.psu = "adjust"`.

use super::keys::{WordMap, word_map};

/// How the children were sampled: the design columns of `anthro_prevalence`.
///
/// Each column is optional as a whole (WHO's `NULL`); inside a column a value may be
/// missing. A column, when given, has one entry per child. Rows with a missing cluster
/// or stratum are left out of the analysis, a missing weight counts as 0 (both as WHO
/// does, with a warning there).
///
/// # Examples
///
/// ```
/// use sehat_anthro::SurveyDesign;
///
/// let design = SurveyDesign::new()
///     .sampling_weights(vec![Some(1.5), Some(0.5), None])
///     .clusters(vec![Some(1.0), Some(1.0), Some(2.0)])
///     .strata(vec![Some(1.0), Some(1.0), Some(1.0)]);
/// assert!(design.clusters.is_some());
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SurveyDesign {
    /// Sampling weights (`sw`); without them every child weighs 1.
    pub sampling_weights: Option<Vec<Option<f64>>>,
    /// Primary sampling units (`cluster`), nested in strata.
    pub clusters: Option<Vec<Option<f64>>>,
    /// Strata (`strata`).
    pub strata: Option<Vec<Option<f64>>>,
}

impl SurveyDesign {
    /// A simple random sample: no weights, clusters or strata.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the sampling weights.
    #[must_use]
    pub fn sampling_weights(mut self, weights: Vec<Option<f64>>) -> Self {
        self.sampling_weights = Some(weights);
        self
    }

    /// Sets the clusters (primary sampling units).
    #[must_use]
    pub fn clusters(mut self, clusters: Vec<Option<f64>>) -> Self {
        self.clusters = Some(clusters);
        self
    }

    /// Sets the strata.
    #[must_use]
    pub fn strata(mut self, strata: Vec<Option<f64>>) -> Self {
        self.strata = Some(strata);
        self
    }
}

/// Which of WHO's three computations applies (`build_design` in `anthro`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Method {
    /// No cluster, no strata, weights absent or all 1: closed formulas.
    Simple,
    /// Weights but no cluster and no strata: closed formulas for counts and means,
    /// the survey package for the prevalences.
    Hybrid,
    /// The survey package for everything.
    Survey,
}

/// A key for a numeric design value: R compares doubles exactly; −0 equals 0.
fn key(v: f64) -> u64 {
    if v == 0.0 { 0 } else { v.to_bits() }
}

/// The design after WHO's filters, as the survey package holds it.
#[derive(Debug, Clone)]
pub(crate) struct Plan {
    /// Sampling weight per row (missing → 0).
    pub weights: Vec<f64>,
    /// Primary sampling unit of each row (0-based, unique across strata).
    pub psu: Vec<usize>,
    /// Each row's weight as an index into `distinct_weights`.
    pub weight_ids: Vec<u32>,
    /// The distinct weights, in the order they first come.
    pub distinct_weights: Vec<f64>,
    /// Stratum of each PSU.
    pub psu_stratum: Vec<usize>,
    /// Number of PSUs of each stratum in the whole design (`fpc$sampsize`).
    pub stratum_psus: Vec<usize>,
    /// Degrees of freedom (`degf`): PSUs minus strata, among rows with weight ≠ 0.
    pub df: f64,
}

impl Plan {
    /// Builds the plan of `svydesign(ids = ~cluster or ~1, strata, weights, nest = TRUE)`;
    /// `clusters`/`strata` are `None` when the column is absent. `weights` as given.
    pub(crate) fn new(weights: Vec<f64>, clusters: Option<&[f64]>, strata: Option<&[f64]>) -> Self {
        let n = weights.len();
        let mut strata_ids: WordMap<u64, usize> = word_map();
        let stratum: Vec<usize> = (0..n)
            .map(|i| {
                let k = strata.map_or(0, |s| key(s[i]));
                let next = strata_ids.len();
                *strata_ids.entry(k).or_insert(next)
            })
            .collect();
        // anthro: one cluster only (or none given) means every row is its own PSU.
        let one_cluster = clusters.is_none_or(|c| {
            c.first()
                .is_none_or(|first| c.iter().all(|v| key(*v) == key(*first)))
        });
        let mut psu_ids: WordMap<(usize, u64), usize> = word_map();
        let mut psu_stratum = Vec::new();
        let psu: Vec<usize> = (0..n)
            .map(|i| {
                let cluster_key = match clusters {
                    Some(c) if !one_cluster => key(c[i]),
                    _ => i as u64,
                };
                let next = psu_ids.len();
                *psu_ids.entry((stratum[i], cluster_key)).or_insert_with(|| {
                    psu_stratum.push(stratum[i]);
                    next
                })
            })
            .collect();
        let mut stratum_psus = vec![0; strata_ids.len()];
        for &s in &psu_stratum {
            stratum_psus[s] += 1;
        }
        let mut seen_psu = vec![false; psu_stratum.len()];
        let mut seen_stratum = vec![false; stratum_psus.len()];
        let (mut n_psu, mut n_strata) = (0usize, 0usize);
        for i in 0..n {
            if weights[i] != 0.0 {
                if !seen_psu[psu[i]] {
                    seen_psu[psu[i]] = true;
                    n_psu += 1;
                }
                if !seen_stratum[stratum[i]] {
                    seen_stratum[stratum[i]] = true;
                    n_strata += 1;
                }
            }
        }
        #[allow(clippy::cast_precision_loss)]
        let df = n_psu as f64 - n_strata as f64;
        let mut ids: WordMap<u64, u32> = word_map();
        let mut distinct_weights = Vec::new();
        let weight_ids = weights
            .iter()
            .map(|&w| {
                let next = u32::try_from(distinct_weights.len()).unwrap_or(u32::MAX);
                *ids.entry(w.to_bits()).or_insert_with(|| {
                    distinct_weights.push(w);
                    next
                })
            })
            .collect();
        Self {
            weights,
            psu,
            weight_ids,
            distinct_weights,
            psu_stratum,
            stratum_psus,
            df,
        }
    }

    #[cfg(test)]
    /// The same design with every weight 1 (`weights = NULL`).
    pub(crate) fn unweighted(&self) -> Self {
        Self {
            weights: vec![1.0; self.weights.len()],
            ..self.clone()
        }
    }

    #[cfg(test)]
    /// Scratch space for [`Self::variance`].
    pub(crate) fn scratch(&self) -> Scratch {
        Scratch {
            psu_total: vec![0.0; self.psu_stratum.len()],
            psu_touched: Touched::new(),
            stratum_sum: vec![0.0; self.stratum_psus.len()],
            stratum_count: vec![0; self.stratum_psus.len()],
            stratum_ss: vec![0.0; self.stratum_psus.len()],
            strata_touched: Vec::new(),
        }
    }

    #[cfg(test)]
    /// Taylor-linearization variance of a total of `values` (`svyrecvar` of one
    /// column, one stage): PSU totals per stratum, padded with zero PSUs up to the
    /// design's count, centred on their mean, times n/(n − 1); a stratum with a single
    /// PSU in the whole design contributes its uncentred square (`lonely.psu =
    /// "adjust"`).
    pub(crate) fn variance(
        &self,
        scratch: &mut Scratch,
        values: impl Iterator<Item = (usize, f64)>,
    ) -> f64 {
        for (row, u) in values {
            let p = self.psu[row];
            if !scratch.psu_touched.contains_fast(p) {
                scratch.psu_touched.push(p);
            }
            scratch.psu_total[p] += u;
        }
        for &p in &scratch.psu_touched {
            let s = self.psu_stratum[p];
            if scratch.stratum_count[s] == 0 {
                scratch.strata_touched.push(s);
            }
            scratch.stratum_count[s] += 1;
            scratch.stratum_sum[s] += scratch.psu_total[p];
        }
        for &p in &scratch.psu_touched {
            let s = self.psu_stratum[p];
            #[allow(clippy::cast_precision_loss)]
            let mean = scratch.stratum_sum[s] / self.stratum_psus[s] as f64;
            let d = scratch.psu_total[p] - mean;
            scratch.stratum_ss[s] += d * d;
        }
        let mut total = 0.0;
        for &s in &scratch.strata_touched {
            let n_psu = self.stratum_psus[s];
            let present = scratch.stratum_count[s];
            #[allow(clippy::cast_precision_loss)]
            let contribution = if n_psu > 1 {
                let mean = scratch.stratum_sum[s] / n_psu as f64;
                let padded = (n_psu - present) as f64 * mean * mean;
                (scratch.stratum_ss[s] + padded) * n_psu as f64 / (n_psu as f64 - 1.0)
            } else {
                // A lonely PSU: not centred ("adjust" centres on the grand mean 0).
                let z = scratch.stratum_sum[s];
                z * z
            };
            total += contribution;
            scratch.stratum_sum[s] = 0.0;
            scratch.stratum_count[s] = 0;
            scratch.stratum_ss[s] = 0.0;
        }
        scratch.strata_touched.clear();
        for &p in &scratch.psu_touched {
            scratch.psu_total[p] = 0.0;
        }
        scratch.psu_touched.clear();
        total
    }
}

#[cfg(test)]
/// Reusable buffers for the variance computation.
#[derive(Debug, Clone)]
pub(crate) struct Scratch {
    psu_total: Vec<f64>,
    psu_touched: Touched,
    stratum_sum: Vec<f64>,
    stratum_count: Vec<usize>,
    stratum_ss: Vec<f64>,
    strata_touched: Vec<usize>,
}

#[cfg(test)]
/// The PSUs seen in one variance computation, with a membership bitmap.
#[derive(Debug, Clone, Default)]
pub(crate) struct Touched {
    list: Vec<usize>,
    member: Vec<bool>,
}

#[cfg(test)]
impl Touched {
    fn new() -> Self {
        Self::default()
    }
    fn contains_fast(&self, p: usize) -> bool {
        self.member.get(p).copied().unwrap_or(false)
    }
    fn push(&mut self, p: usize) {
        if self.member.len() <= p {
            self.member.resize(p + 1, false);
        }
        self.member[p] = true;
        self.list.push(p);
    }
    fn clear(&mut self) {
        for &p in &self.list {
            self.member[p] = false;
        }
        self.list.clear();
    }
}

#[cfg(test)]
impl<'a> IntoIterator for &'a Touched {
    type Item = &'a usize;
    type IntoIter = std::slice::Iter<'a, usize>;
    fn into_iter(self) -> Self::IntoIter {
        self.list.iter()
    }
}

#[cfg(test)]
impl Default for Scratch {
    fn default() -> Self {
        Self {
            psu_total: Vec::new(),
            psu_touched: Touched::new(),
            stratum_sum: Vec::new(),
            stratum_count: Vec::new(),
            stratum_ss: Vec::new(),
            strata_touched: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lonely_psu_is_not_centred_and_padding_counts() {
        // Stratum 1: clusters 1, 2; stratum 2: cluster 3 alone.
        let plan = Plan::new(
            vec![1.0; 4],
            Some(&[1.0, 2.0, 3.0, 1.0]),
            Some(&[1.0, 1.0, 2.0, 1.0]),
        );
        assert_eq!(plan.stratum_psus, vec![2, 1]);
        assert!((plan.df - 1.0).abs() < 1e-15); // 3 PSUs − 2 strata
        let mut s = plan.scratch();
        // Only cluster 1 of stratum 1 present (value 2), lonely stratum value 3.
        let v = plan.variance(&mut s, [(0, 2.0), (2, 3.0)].into_iter());
        // Stratum 1: totals (2, 0) padded, mean 1, SS 2, ×2 = 4; stratum 2: 9.
        assert!((v - 13.0).abs() < 1e-12);
        // Scratch is reset.
        let v = plan.variance(&mut s, [(1, 1.0), (3, 1.0)].into_iter());
        // Stratum 1: totals (1, 1) → 0.
        assert!(v.abs() < 1e-15);
    }
}
