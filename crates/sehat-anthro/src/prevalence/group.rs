//! The estimates of one group of rows from sums over its sampling units.
//!
//! Every estimate of a group is a function of a few sums over its rows: a prevalence,
//! its linearization variance and its logit interval need, per cut-off, sums over the
//! rows beyond the cut-off and over the others; a mean z-score needs Σ w and Σ w z.
//! The rows of an indicator fall into seven bins between its six cut-offs, so one pass
//! that adds each row to its bin gives the sums of all six cut-offs at once. The
//! variances need the totals of each primary sampling unit: the rows are laid out by
//! stratum and unit, so that a unit's rows follow each other in every group. Two passes
//! per group: the first gives the group's and each stratum's sums (hence the estimates,
//! the fits and the strata's mean unit totals); the second the spread of the unit
//! totals around their stratum's mean. The groups of one grouping (the age groups, the
//! regions, …) make their passes together: each pass reads the laid-out rows once, in
//! order, and adds each row to its own group.
//!
//! The results are those of the row-by-row estimators in [`super::estimate`] (a test
//! compares the two), summed in another order.

use std::ops::Range;

use rayon::prelude::*;

use super::design::{Method, Plan};
use super::estimate::{Estimate, FirstIteration, Fit, FitSums};
use super::student_t::t_975;
use super::table::{CombinedSummary, IndicatorSummary, SurveyIndicator};

/// The most indicators of a table (0–5 years: four).
pub(crate) const INDICATORS: usize = 4;
/// A row of a grouping that is in none of its groups.
pub(crate) const NO_LEVEL: u32 = u32::MAX;
/// A row without a value for a prevalence.
pub(crate) const NO_BIN: u8 = u8::MAX;
/// The bins between the cut-offs: z < −3, [−3, −2), [−2, −1), [−1, 1], (1, 2], (2, 3],
/// z > 3.
const BINS: usize = 7;
/// The bins beyond each cut-off, in the order of [`super::table::CUTOFFS`].
const BEYOND: [Range<usize>; 6] = [0..1, 0..2, 0..3, 4..7, 5..7, 6..7];
/// The bins of the combined indicators: stunting with wasting, neither, stunting with
/// overweight (the two exclude each other; each is at one end, as a cut-off's bins are).
const COMBINED_BINS: usize = 3;

/// The bin of a rounded z-score (the cut-offs are strict: −3 is in [−3, −2)).
pub(crate) fn bin(z: f64) -> u8 {
    if z < -3.0 {
        0
    } else if z < -2.0 {
        1
    } else if z < -1.0 {
        2
    } else if z > 3.0 {
        6
    } else if z > 2.0 {
        5
    } else if z > 1.0 {
        4
    } else {
        3
    }
}

/// The bin of a row for the combined indicators, from its height-for-age z and its
/// weight-for-height z (oedema at −3.1).
pub(crate) fn combined_bin(height: Option<f64>, weight: Option<f64>) -> u8 {
    match (height, weight) {
        (Some(h), Some(w)) if h < -2.0 && w < -2.0 => 0,
        (Some(h), Some(w)) if h < -2.0 && w > 2.0 => 2,
        (Some(_), Some(_)) => 1,
        _ => NO_BIN,
    }
}

/// Rows copied at a time in a grouping's passes (see [`Layout::grouping`]).
const BATCH: usize = 32;

/// A row that fills a batch before it is copied in (never added).
const NO_ROW: Row = Row {
    weight: 0.0,
    weight_id: 0,
    psu: 0,
    bins: [NO_BIN; INDICATORS],
    combined: NO_BIN,
    summary: [f64::NAN; INDICATORS],
};

/// One row as the estimators see it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Row {
    /// Sampling weight (1 without weights; a missing one is 0).
    pub weight: f64,
    /// Index of the weight among the survey's distinct weights.
    pub weight_id: u32,
    /// Primary sampling unit.
    pub psu: u32,
    /// The bin of each indicator's prevalence z ([`NO_BIN`] when missing).
    pub bins: [u8; INDICATORS],
    /// The bin of the combined indicators.
    pub combined: u8,
    /// Each indicator's z for the mean and SD (NaN when missing).
    pub summary: [f64; INDICATORS],
}

/// The rows of the analysis, laid out by stratum and sampling unit, and what every group
/// shares.
pub(crate) struct Layout<'a> {
    /// The rows in stratum and unit order.
    rows: Vec<Row>,
    /// The position in the analysis of each laid-out row.
    pub origin: Vec<u32>,
    plan: &'a Plan,
    indicators: &'a [SurveyIndicator],
    combined: bool,
    method: Method,
    /// Number of rows of the whole analysis.
    n_total: f64,
}

impl<'a> Layout<'a> {
    /// Lays out the rows of the analysis, `row(i)` giving its `i`-th row (`psu`,
    /// `weight` and `weight_id` from `plan`). The rows are made straight in
    /// their laid-out places: the layout needs only the plan's units.
    pub(crate) fn new(
        row: impl Fn(usize) -> Row + Sync,
        plan: &'a Plan,
        indicators: &'a [SurveyIndicator],
        combined: bool,
        method: Method,
    ) -> Self {
        let n = plan.psu.len();
        #[allow(clippy::cast_precision_loss)]
        let n_total = n as f64;
        // Rows by stratum, then unit (a counting sort: units are numbered densely).
        let mut units: Vec<usize> = (0..plan.psu_stratum.len()).collect();
        units.sort_by_key(|&p| plan.psu_stratum[p]);
        let mut start = vec![0usize; units.len() + 1];
        let mut rank = vec![0usize; units.len()];
        for (r, &p) in units.iter().enumerate() {
            rank[p] = r;
        }
        for &psu in &plan.psu {
            start[rank[psu] + 1] += 1;
        }
        for r in 0..units.len() {
            start[r + 1] += start[r];
        }
        let mut origin = vec![0u32; n];
        for (i, &psu) in plan.psu.iter().enumerate() {
            let slot = &mut start[rank[psu]];
            origin[*slot] = u32::try_from(i).unwrap_or(u32::MAX);
            *slot += 1;
        }
        // In parallel: a fresh column of rows is page faults as well as writes.
        let rows: Vec<Row> = origin.par_iter().map(|&i| row(i as usize)).collect();
        Self {
            rows,
            origin,
            plan,
            indicators,
            combined,
            method,
            n_total,
        }
    }

    fn stratum(&self, row: &Row) -> usize {
        self.plan.psu_stratum[row.psu as usize]
    }

    /// The estimates of every group of one grouping, in the order of its levels:
    /// `of_row` gives the level of each row of the analysis (in its order; [`NO_LEVEL`]
    /// or any level from `levels` on for none).
    ///
    /// The rows are read in layout order, each added to its own group's sums, so that
    /// they stream from memory instead of being fetched one by one through a list of
    /// each group's rows; every group still adds its rows in layout order, as
    /// [`GroupTerms`] and the passes below describe.
    pub(crate) fn grouping(&self, of_row: &[u32], levels: usize) -> Vec<GroupEstimates> {
        // Each laid-out row's level: a loop of look-ups only, whose fetches overlap. This
        // and the terms below are split into pieces of work, so that a thread that has
        // finished its own groupings helps with those of the other.
        let level: Vec<u32> = self
            .origin
            .par_iter()
            .map(|&origin| match of_row.get(origin as usize) {
                Some(&l) if (l as usize) < levels => l,
                _ => NO_LEVEL,
            })
            .collect();
        // Pass 0: each group's size, weight and distinct weights, hence its terms.
        let mut sizes = vec![0usize; levels];
        let mut sums = vec![0.0; levels];
        for (&l, row) in level.iter().zip(&self.rows) {
            if l != NO_LEVEL {
                sizes[l as usize] += 1;
                sums[l as usize] += row.weight;
            }
        }
        // A group with more rows than there are distinct weights gets a table of terms
        // by weight, for the weights it has (`GroupTerms`); the others none.
        let distinct = self.plan.distinct_weights.len();
        let mut present: Vec<Vec<bool>> = sizes
            .iter()
            .map(|&size| {
                if distinct < size {
                    vec![false; distinct]
                } else {
                    Vec::new()
                }
            })
            .collect();
        for (&l, row) in level.iter().zip(&self.rows) {
            if let Some(p) = present.get_mut(l as usize)
                && let Some(seen) = p.get_mut(row.weight_id as usize)
            {
                *seen = true;
            }
        }
        #[allow(clippy::cast_precision_loss)]
        let terms: Vec<GroupTerms> = (0..levels)
            .into_par_iter()
            .map(|l| GroupTerms::new(self, sums[l] / sizes[l] as f64, &present[l]))
            .collect();
        drop(present);
        let mut firsts: Vec<FirstPass> = terms.iter().map(|t| FirstPass::new(self, t)).collect();
        // Pass 1, a batch of rows at a time: the rows and their terms are copied first
        // (the copies do not wait for each other, so the fetches of the terms, all over
        // a table of a few MB per group, overlap), then added in order.
        let mut batch = [(NO_LEVEL, NO_ROW, RowTerms::default()); BATCH];
        for (rows, levels_of) in self.rows.chunks(BATCH).zip(level.chunks(BATCH)) {
            for ((slot, row), &l) in batch.iter_mut().zip(rows).zip(levels_of) {
                *slot = match terms.get(l as usize) {
                    Some(t) => (l, *row, t.get(row)),
                    None => (NO_LEVEL, NO_ROW, RowTerms::default()),
                };
            }
            for (l, row, t) in &batch[..rows.len()] {
                if let Some(group) = firsts.get_mut(*l as usize) {
                    group.add(self, row, t);
                }
            }
        }
        let mut groups: Vec<SecondPass> = firsts.into_iter().map(|f| f.second(self)).collect();
        // Pass 2: the spread of the unit totals and of the z-scores.
        for (rows, levels_of) in self.rows.chunks(BATCH).zip(level.chunks(BATCH)) {
            for ((slot, row), &l) in batch.iter_mut().zip(rows).zip(levels_of) {
                *slot = match (terms.get(l as usize), groups.get(l as usize)) {
                    (Some(t), Some(group)) => (l, *row, group.terms(t, row)),
                    _ => (NO_LEVEL, NO_ROW, RowTerms::default()),
                };
            }
            for (l, row, t) in &batch[..rows.len()] {
                if let Some(group) = groups.get_mut(*l as usize) {
                    group.add(self, row, t);
                }
            }
        }
        groups.into_iter().map(|g| g.finish(self)).collect()
    }
}

/// A group's estimates: one summary per indicator, and the two combined prevalences.
pub(crate) type GroupEstimates = (Vec<IndicatorSummary>, Option<(CombinedSummary, Estimate)>);

/// One group's sums in the first pass of [`Layout::grouping`]: the group's, and each
/// stratum's unit sums.
struct FirstPass {
    survey: bool,
    mean_weight: f64,
    totals: Totals,
    stratum_sums: Vec<UnitSums>,
}

impl FirstPass {
    fn new(layout: &Layout<'_>, terms: &GroupTerms) -> Self {
        let survey = layout.method != Method::Simple;
        let strata = if survey {
            layout.plan.stratum_psus.len()
        } else {
            0
        };
        Self {
            survey,
            mean_weight: terms.mean_weight,
            totals: Totals::default(),
            stratum_sums: vec![UnitSums::default(); strata],
        }
    }

    /// Adds a row.
    fn add(&mut self, layout: &Layout<'_>, row: &Row, t: &RowTerms) {
        let indicators = layout.indicators.len();
        self.totals.add(row, t, indicators, layout.combined);
        if self.survey {
            self.stratum_sums[layout.stratum(row)].add(row, t, indicators, layout.combined);
        }
    }

    /// What the second pass starts from: the estimates' coefficients, the strata's sums
    /// of unit totals and their means.
    fn second(self, layout: &Layout<'_>) -> SecondPass {
        let columns = Columns::new(layout, &self.totals, self.mean_weight);
        let strata = self.stratum_sums.len();
        let mut stratum_totals = vec![[0.0; COLUMNS]; strata];
        let mut stratum_means = vec![[0.0; COLUMNS]; strata];
        for (s, sums) in self.stratum_sums.iter().enumerate() {
            columns.totals(sums, &mut stratum_totals[s]);
            let n_psu = layout.plan.stratum_psus[s];
            if n_psu > 1 {
                #[allow(clippy::cast_precision_loss)]
                for (mean, total) in stratum_means[s].iter_mut().zip(&stratum_totals[s]) {
                    *mean = total / n_psu as f64;
                }
            }
        }
        // The working weights per unit only matter for a fit that stopped after its
        // first iteration; without one, the terms need not be looked up again.
        let single_iteration = columns.single_iteration();
        SecondPass {
            survey: self.survey,
            totals: self.totals,
            columns,
            stratum_totals,
            stratum_means,
            single_iteration,
            squares: vec![[0.0; COLUMNS]; strata],
            present: vec![0; strata],
            spread: Spread::default(),
            unit: UnitSums::default(),
            current: None,
        }
    }
}

/// One group in the second pass of [`Layout::grouping`]: squared deviations of the unit
/// totals from their stratum's mean, and of the z-scores from their mean.
struct SecondPass {
    survey: bool,
    totals: Totals,
    columns: Columns,
    stratum_totals: Vec<[f64; COLUMNS]>,
    stratum_means: Vec<[f64; COLUMNS]>,
    single_iteration: bool,
    squares: Vec<[f64; COLUMNS]>,
    /// Units of each stratum the group has.
    present: Vec<usize>,
    spread: Spread,
    /// The sums of the unit being read, `current`.
    unit: UnitSums,
    current: Option<u32>,
}

impl SecondPass {
    /// The terms this pass adds for the group's row `row`.
    fn terms(&self, terms: &GroupTerms, row: &Row) -> RowTerms {
        if self.survey && self.single_iteration {
            // Only the working weights are added per unit: they are read from a table
            // a quarter the size of the terms'.
            RowTerms {
                w2: terms.working_weights(row),
                ..RowTerms::default()
            }
        } else {
            RowTerms::default()
        }
    }

    /// Adds a row.
    fn add(&mut self, layout: &Layout<'_>, row: &Row, t: &RowTerms) {
        let indicators = layout.indicators.len();
        self.spread.add(row, &self.columns, indicators);
        if self.survey {
            if let Some(p) = self.current
                && p != row.psu
            {
                self.flush(layout, p);
            }
            self.current = Some(row.psu);
            self.unit.add(row, t, indicators, layout.combined);
        }
    }

    /// Adds the finished unit `psu`'s squared deviation to its stratum's.
    fn flush(&mut self, layout: &Layout<'_>, psu: u32) {
        let s = layout.plan.psu_stratum[psu as usize];
        let mut unit_totals = [0.0; COLUMNS];
        self.columns.totals(&self.unit, &mut unit_totals);
        for ((square, total), mean) in self.squares[s]
            .iter_mut()
            .zip(&unit_totals)
            .zip(&self.stratum_means[s])
        {
            let d = total - mean;
            *square += d * d;
        }
        self.present[s] += 1;
        self.unit = UnitSums::default();
    }

    /// The group's estimates.
    fn finish(mut self, layout: &Layout<'_>) -> GroupEstimates {
        if let Some(p) = self.current {
            self.flush(layout, p);
        }
        // Each column's variance: the strata's contributions, as `svyrecvar` with
        // `lonely.psu = "adjust"` (units of the stratum absent from the group count
        // with a total of 0).
        let mut variance = [0.0; COLUMNS];
        for s in 0..self.stratum_totals.len() {
            let n_psu = layout.plan.stratum_psus[s];
            for (j, v) in variance.iter_mut().enumerate() {
                *v += if n_psu > 1 {
                    #[allow(clippy::cast_precision_loss)]
                    let (n, absent) = (n_psu as f64, (n_psu - self.present[s]) as f64);
                    let mean = self.stratum_means[s][j];
                    (self.squares[s][j] + absent * mean * mean) * n / (n - 1.0)
                } else {
                    self.stratum_totals[s][j] * self.stratum_totals[s][j]
                };
            }
        }
        self.columns
            .estimates(&self.totals, &self.spread, &variance)
    }
}

/// The first-iteration terms of the fit for y = 0 and y = 1, for one weight.
#[derive(Debug, Clone, Copy, Default)]
struct RowTerms {
    deviance: [f64; 2],
    w2: [f64; 2],
    w2z: [f64; 2],
    /// The prior weight (rescaled to mean 1 over the group) where the working weight is
    /// usable, else 0.
    prior: [f64; 2],
}

impl RowTerms {
    fn new(weight: f64, mean_weight: f64) -> Self {
        let w = weight / mean_weight;
        let mut terms = Self::default();
        for y in 0..2 {
            let t = FirstIteration::terms(w, f64::from(u8::from(y == 1)));
            terms.deviance[y] = t.deviance;
            if t.good {
                terms.w2[y] = t.w2;
                terms.w2z[y] = t.w2z;
                terms.prior[y] = w;
            }
        }
        terms
    }
}

/// The terms of a group's rows: a table by distinct weight when there are fewer of
/// those than rows (survey weights repeat), else computed for each row as it comes.
struct GroupTerms {
    /// The group's mean weight, which rescales the weights in the fit.
    mean_weight: f64,
    by_weight: bool,
    terms: Vec<RowTerms>,
    /// The working weights of `terms` alone.
    w2: Vec<[f64; 2]>,
}

impl GroupTerms {
    /// The terms of a group of mean weight `mean_weight`; `present` marks the distinct
    /// weights the group has when it has more rows than there are distinct weights,
    /// and is empty otherwise.
    fn new(layout: &Layout<'_>, mean_weight: f64, present: &[bool]) -> Self {
        let by_weight = !present.is_empty();
        // Only the weights the group has (a group of 80,000 rows among 48,000
        // distinct weights misses about a fifth of them).
        let terms: Vec<RowTerms> = layout
            .plan
            .distinct_weights
            .par_iter()
            .zip(present)
            .map(|(&w, &p)| {
                if p {
                    RowTerms::new(w, mean_weight)
                } else {
                    RowTerms::default()
                }
            })
            .collect();
        let w2 = terms.iter().map(|t: &RowTerms| t.w2).collect();
        Self {
            mean_weight,
            by_weight,
            terms,
            w2,
        }
    }

    /// The terms of the group's row `row`.
    fn get(&self, row: &Row) -> RowTerms {
        self.of(&self.terms, row, |t| t)
    }

    /// The working weights of [`Self::get`], from their own smaller table.
    fn working_weights(&self, row: &Row) -> [f64; 2] {
        self.of(&self.w2, row, |t| t.w2)
    }

    /// `row`'s entry of `table` (indexed by distinct weight), or `part` of its terms
    /// computed from its weight when the group has no table.
    fn of<T: Copy + Default>(&self, table: &[T], row: &Row, part: impl Fn(RowTerms) -> T) -> T {
        if self.by_weight {
            table
                .get(row.weight_id as usize)
                .copied()
                .unwrap_or_default()
        } else {
            part(RowTerms::new(row.weight, self.mean_weight))
        }
    }
}

/// Sums over the rows of one bin for the whole group.
#[derive(Debug, Clone, Copy, Default)]
struct BinTotals {
    count: f64,
    nonzero: f64,
    weight: f64,
    deviance: [f64; 2],
    w2: [f64; 2],
    w2z: [f64; 2],
    prior: [f64; 2],
}

impl BinTotals {
    fn add(&mut self, weight: f64, t: &RowTerms) {
        self.count += 1.0;
        self.nonzero += f64::from(u8::from(weight != 0.0));
        self.weight += weight;
        for y in 0..2 {
            self.deviance[y] += t.deviance[y];
            self.w2[y] += t.w2[y];
            self.w2z[y] += t.w2z[y];
            self.prior[y] += t.prior[y];
        }
    }
}

/// Sums over the rows with a z for the mean, for the whole group.
#[derive(Debug, Clone, Copy, Default)]
struct SummaryTotals {
    count: f64,
    nonzero: f64,
    weight: f64,
    weighted: f64,
    plain: f64,
}

/// The group's sums.
#[derive(Debug, Clone, Copy, Default)]
struct Totals {
    bins: [[BinTotals; BINS]; INDICATORS],
    combined: [BinTotals; COMBINED_BINS],
    summary: [SummaryTotals; INDICATORS],
    /// Rows of the group with a weight other than 0 (`svyvar`'s n).
    nonzero_rows: f64,
}

impl Totals {
    fn add(&mut self, row: &Row, t: &RowTerms, indicators: usize, combined: bool) {
        let w = row.weight;
        self.nonzero_rows += f64::from(u8::from(w != 0.0));
        for i in 0..indicators {
            if let Some(bin) = self.bins[i].get_mut(usize::from(row.bins[i])) {
                bin.add(w, t);
            }
            let v = row.summary[i];
            if !v.is_nan() {
                let s = &mut self.summary[i];
                s.count += 1.0;
                s.nonzero += f64::from(u8::from(w != 0.0));
                s.weight += w;
                s.weighted += w * v;
                s.plain += v;
            }
        }
        if combined && let Some(bin) = self.combined.get_mut(usize::from(row.combined)) {
            bin.add(w, t);
        }
    }
}

/// Sums over the rows of a sampling unit (or of a stratum): per bin Σ w and the working
/// weights for y = 0 and y = 1; per indicator Σ w z and Σ w over the z for the mean.
#[derive(Debug, Clone, Copy, Default)]
struct UnitSums {
    bins: [[[f64; 3]; BINS]; INDICATORS],
    combined: [[f64; 3]; COMBINED_BINS],
    summary: [[f64; 2]; INDICATORS],
}

impl UnitSums {
    fn add(&mut self, row: &Row, t: &RowTerms, indicators: usize, combined: bool) {
        let w = row.weight;
        for i in 0..indicators {
            if let Some(bin) = self.bins[i].get_mut(usize::from(row.bins[i])) {
                bin[0] += w;
                bin[1] += t.w2[0];
                bin[2] += t.w2[1];
            }
            let v = row.summary[i];
            if !v.is_nan() {
                self.summary[i][0] += w * v;
                self.summary[i][1] += w;
            }
        }
        if combined && let Some(bin) = self.combined.get_mut(usize::from(row.combined)) {
            bin[0] += w;
            bin[1] += t.w2[0];
            bin[2] += t.w2[1];
        }
    }
}

/// Sums of squared deviations from the group's means, over its rows.
#[derive(Debug, Clone, Copy, Default)]
struct Spread {
    /// Σ w (z − weighted mean)².
    weighted: [f64; INDICATORS],
    /// Σ (w (z − weighted mean))².
    weighted_squared: [f64; INDICATORS],
    /// Σ (z − mean)².
    plain: [f64; INDICATORS],
}

impl Spread {
    fn add(&mut self, row: &Row, columns: &Columns, indicators: usize) {
        for i in 0..indicators {
            let v = row.summary[i];
            if !v.is_nan() {
                let d = v - columns.summary[i].weighted_mean;
                self.weighted[i] += row.weight * d * d;
                self.weighted_squared[i] += (row.weight * d) * (row.weight * d);
                let d = v - columns.summary[i].plain_mean;
                self.plain[i] += d * d;
            }
        }
    }
}

/// Variance columns: per indicator, for each cut-off the mean's and the fit's unit
/// totals, then the mean z's; then the two combined prevalences, mean's and fit's.
const PER_INDICATOR: usize = 13;
const COLUMNS: usize = INDICATORS * PER_INDICATOR + 4;

/// A prevalence of one group: its estimate and how a unit's sums give the unit's
/// contributions to the two variances (of the mean, and of the fit's coefficient).
#[derive(Debug, Clone)]
struct Rate {
    beyond: Range<usize>,
    /// Some row with a value has a weight other than 0.
    present: bool,
    /// Σ w over the rows with a value.
    weight: f64,
    /// Weighted mean of the 0/1 value.
    mean: f64,
    fit: Fit,
    /// The fit's unit total is (α Σ beyond − β Σ others) / `scale`, over the working
    /// weights of the first iteration, or over the prior weights when the fit took
    /// more than one.
    alpha: f64,
    beta: f64,
    scale: f64,
    /// Unweighted counts: rows with a value, rows beyond the cut-off.
    count: f64,
    count_beyond: f64,
}

impl Rate {
    fn new(bins: &[BinTotals], beyond: Range<usize>, mean_weight: f64) -> Self {
        let mut sums = FitSums::default();
        let (mut weight, mut weight_beyond, mut nonzero) = (0.0, 0.0, 0.0);
        let (mut count, mut count_beyond) = (0.0, 0.0);
        for (b, bin) in bins.iter().enumerate() {
            let y = usize::from(beyond.contains(&b));
            sums.deviance += bin.deviance[y];
            sums.w2 += bin.w2[y];
            sums.w2z += bin.w2z[y];
            sums.prior += bin.prior[y];
            if y == 1 {
                sums.prior_y += bin.prior[1];
                weight_beyond += bin.weight;
                count_beyond += bin.count;
            }
            weight += bin.weight;
            nonzero += bin.nonzero;
            count += bin.count;
        }
        let present = nonzero > 0.0;
        let fit = Fit::new(&sums);
        let (alpha, beta) = ((1.0 - fit.mu) / fit.mu_eta, fit.mu / fit.mu_eta);
        let scale = if fit.single_iteration {
            sums.w2
        } else {
            mean_weight * sums.prior
        };
        Self {
            beyond,
            present,
            weight,
            mean: weight_beyond / weight,
            fit,
            alpha,
            beta,
            scale,
            count,
            count_beyond,
        }
    }

    /// A unit's (or stratum's) totals for the two variances, from its bins' running
    /// sums.
    fn totals(&self, sums: &Running) -> (f64, f64) {
        if !self.present {
            return (0.0, 0.0);
        }
        let (beyond, others) = sums.split(&self.beyond);
        let all = beyond[0] + others[0];
        let mean = (beyond[0] - self.mean * all) / self.weight;
        let fit = if self.fit.single_iteration {
            (self.alpha * beyond[2] - self.beta * others[1]) / self.scale
        } else {
            (self.alpha * beyond[0] - self.beta * others[0]) / self.scale
        };
        (mean, fit)
    }

    /// The estimate in percent, with anthro's rule for rates of exactly 0 % and 1 %.
    fn estimate(&self, variance_mean: f64, variance_fit: f64, df: f64) -> Estimate {
        if !self.present {
            return Estimate::NA;
        }
        let (lower, upper) = self.fit.interval(df, variance_fit.sqrt());
        let r = self.mean * 100.0;
        let (lower, upper) = if r == 0.0 {
            (0.0, 0.0)
        } else if r == 1.0 {
            (1.0, 1.0)
        } else {
            (lower * 100.0, upper * 100.0)
        };
        Estimate {
            value: Some(r),
            se: Some(variance_mean.sqrt() * 100.0),
            lower: Some(lower),
            upper: Some(upper),
        }
    }

    /// `anthro`'s closed formulas without a design (`logit_rate_estimate`).
    fn simple(&self, n_total: f64) -> Estimate {
        let n = self.count;
        if n == 0.0 {
            return Estimate::NA;
        }
        let r = self.count_beyond / n;
        let squares = self.count_beyond * (1.0 - r) * (1.0 - r) + (n - self.count_beyond) * r * r;
        let se = (n_total / (n_total - 1.0)).sqrt() / n * squares.sqrt();
        let (lower, upper) = super::estimate::simple_logit_interval(r, n, n_total);
        Estimate {
            value: Some(r * 100.0),
            se: Some(se * 100.0),
            lower: Some(lower * 100.0),
            upper: Some(upper * 100.0),
        }
    }
}

/// The six prevalences of one indicator side by side, so that a unit's twelve totals
/// are computed together: the same operations as [`Rate::totals`], lane by lane.
struct Lanes {
    present: [bool; 6],
    mean: [f64; 6],
    weight: [f64; 6],
    alpha: [f64; 6],
    beta: [f64; 6],
    scale: [f64; 6],
    single_iteration: [bool; 6],
}

impl Lanes {
    fn new(rates: &[Rate; 6]) -> Self {
        Self {
            present: rates.each_ref().map(|r| r.present),
            mean: rates.each_ref().map(|r| r.mean),
            weight: rates.each_ref().map(|r| r.weight),
            alpha: rates.each_ref().map(|r| r.alpha),
            beta: rates.each_ref().map(|r| r.beta),
            scale: rates.each_ref().map(|r| r.scale),
            single_iteration: rates.each_ref().map(|r| r.fit.single_iteration),
        }
    }

    /// The mean's and the fit's totals of each cut-off, interleaved, as
    /// [`Rate::totals`] gives them.
    fn totals(&self, running: &Running, out: &mut [f64; 12]) {
        let mut beyond = [[0.0; 3]; 6];
        let mut others = [[0.0; 3]; 6];
        for (c, range) in BEYOND.iter().enumerate() {
            (beyond[c], others[c]) = running.split(range);
        }
        for c in 0..6 {
            let all = beyond[c][0] + others[c][0];
            let mean = (beyond[c][0] - self.mean[c] * all) / self.weight[c];
            let (b, o) = if self.single_iteration[c] {
                (beyond[c][2], others[c][1])
            } else {
                (beyond[c][0], others[c][0])
            };
            let fit = (self.alpha[c] * b - self.beta[c] * o) / self.scale[c];
            let present = self.present[c];
            out[2 * c] = if present { mean } else { 0.0 };
            out[2 * c + 1] = if present { fit } else { 0.0 };
        }
    }
}

/// A unit's bin sums from the lowest bin up and from the highest down, so that the
/// sums beyond each cut-off and on its other side are read, not added up again.
struct Running {
    below: [[f64; 3]; BINS + 1],
    above: [[f64; 3]; BINS + 1],
}

impl Running {
    fn new(bins: &[[f64; 3]]) -> Self {
        let mut running = Self {
            below: [[0.0; 3]; BINS + 1],
            above: [[0.0; 3]; BINS + 1],
        };
        for (b, bin) in bins.iter().enumerate() {
            let before = running.below[b];
            for ((sum, before), value) in running.below[b + 1].iter_mut().zip(before).zip(bin) {
                *sum = before + value;
            }
        }
        for (b, bin) in bins.iter().enumerate().rev() {
            let after = running.above[b + 1];
            for ((sum, after), value) in running.above[b].iter_mut().zip(after).zip(bin) {
                *sum = after + value;
            }
        }
        running
    }

    /// The sums over the bins of `beyond` (which starts at the lowest bin or ends at the
    /// highest) and over the others.
    fn split(&self, beyond: &Range<usize>) -> ([f64; 3], [f64; 3]) {
        if beyond.start == 0 {
            (self.below[beyond.end], self.above[beyond.end])
        } else {
            (self.above[beyond.start], self.below[beyond.start])
        }
    }
}

/// The mean z-score of one indicator in one group.
#[derive(Debug, Clone, Copy, Default)]
struct Mean {
    present: bool,
    weight: f64,
    weighted_mean: f64,
    plain_mean: f64,
}

/// How a group's estimates follow from its sums.
struct Columns {
    rates: Vec<[Rate; 6]>,
    /// The same rates as lanes, for the unit totals.
    lanes: Vec<Lanes>,
    combined: Option<[Rate; 2]>,
    summary: [Mean; INDICATORS],
    indicators: usize,
    df: f64,
    method: Method,
    n_total: f64,
    nonzero_rows: f64,
    layout_indicators: Vec<SurveyIndicator>,
}

impl Columns {
    fn new(layout: &Layout<'_>, totals: &Totals, mean_weight: f64) -> Self {
        let indicators = layout.indicators.len();
        let rates: Vec<[Rate; 6]> = (0..indicators)
            .map(|i| BEYOND.map(|beyond| Rate::new(&totals.bins[i], beyond, mean_weight)))
            .collect();
        let lanes = rates.iter().map(Lanes::new).collect();
        let combined = layout.combined.then(|| {
            [
                Rate::new(&totals.combined, 0..1, mean_weight),
                Rate::new(&totals.combined, 2..3, mean_weight),
            ]
        });
        let mut summary = [Mean::default(); INDICATORS];
        for (mean, s) in summary.iter_mut().zip(&totals.summary) {
            *mean = Mean {
                present: s.nonzero > 0.0,
                weight: s.weight,
                weighted_mean: s.weighted / s.weight,
                plain_mean: s.plain / s.count,
            };
        }
        Self {
            rates,
            lanes,
            combined,
            summary,
            indicators,
            df: layout.plan.df,
            method: layout.method,
            n_total: layout.n_total,
            nonzero_rows: totals.nonzero_rows,
            layout_indicators: layout.indicators.to_vec(),
        }
    }

    /// Whether some prevalence's fit stopped after its first iteration.
    fn single_iteration(&self) -> bool {
        self.rates
            .iter()
            .flatten()
            .chain(self.combined.iter().flatten())
            .any(|r| r.present && r.fit.single_iteration)
    }

    /// The variance columns' totals of a unit's (or stratum's) sums.
    fn totals(&self, sums: &UnitSums, out: &mut [f64; COLUMNS]) {
        for (i, lanes) in self.lanes.iter().enumerate() {
            let at = i * PER_INDICATOR;
            let mut cells = [0.0; 12];
            lanes.totals(&Running::new(&sums.bins[i]), &mut cells);
            out[at..at + 12].copy_from_slice(&cells);
            let m = &self.summary[i];
            out[at + 12] = if m.present {
                (sums.summary[i][0] - m.weighted_mean * sums.summary[i][1]) / m.weight
            } else {
                0.0
            };
        }
        if let Some(combined) = &self.combined {
            let at = INDICATORS * PER_INDICATOR;
            let running = Running::new(&sums.combined);
            for (c, rate) in combined.iter().enumerate() {
                let (mean, fit) = rate.totals(&running);
                out[at + 2 * c] = mean;
                out[at + 2 * c + 1] = fit;
            }
        }
    }

    fn estimates(
        &self,
        totals: &Totals,
        spread: &Spread,
        variance: &[f64; COLUMNS],
    ) -> (Vec<IndicatorSummary>, Option<(CombinedSummary, Estimate)>) {
        let rate = |rate: &Rate, at: usize| match self.method {
            Method::Simple => rate.simple(self.n_total),
            Method::Hybrid | Method::Survey => {
                rate.estimate(variance[at], variance[at + 1], self.df)
            }
        };
        let indicators = (0..self.indicators)
            .map(|i| {
                let at = i * PER_INDICATOR;
                let rates = &self.rates[i];
                let cutoffs = std::array::from_fn(|c| rate(&rates[c], at + 2 * c));
                let (mean, sd) = self.mean(i, totals, spread, variance[at + 12]);
                IndicatorSummary {
                    indicator: self.layout_indicators[i],
                    weighted_n: Some(rates[0].weight),
                    unweighted_n: Some(rates[0].count),
                    cutoffs,
                    mean,
                    sd,
                }
            })
            .collect();
        let combined = self.combined.as_ref().map(|[wasting, overweight]| {
            let at = INDICATORS * PER_INDICATOR;
            (
                CombinedSummary {
                    weighted_n: wasting.weight,
                    unweighted_n: wasting.count,
                    estimate: rate(wasting, at),
                },
                rate(overweight, at + 2),
            )
        });
        (indicators, combined)
    }

    /// The mean z-score and SD of indicator `i`: `svymean` and `svyvar` with a design,
    /// `anthro`'s closed formulas without one.
    fn mean(
        &self,
        i: usize,
        totals: &Totals,
        spread: &Spread,
        variance: f64,
    ) -> (Estimate, Option<f64>) {
        let s = &totals.summary[i];
        let m = &self.summary[i];
        let interval = |mean: f64, se: f64, df: f64| {
            let t = t_975(df);
            Estimate {
                value: Some(mean),
                se: Some(se),
                lower: Some(mean - t * se),
                upper: Some(mean + t * se),
            }
        };
        match self.method {
            Method::Simple | Method::Hybrid if s.count == 0.0 => (Estimate::NA, None),
            Method::Simple => {
                let n = s.count;
                let mean = m.plain_mean;
                let sd = (n > 1.0).then(|| (spread.plain[i] / (n - 1.0)).sqrt());
                let se = (self.n_total / (self.n_total - 1.0)).sqrt() / n * spread.plain[i].sqrt();
                (interval(mean, se, self.n_total - 1.0), sd)
            }
            Method::Hybrid => {
                let n = s.count;
                let mean = m.weighted_mean;
                let sd = (spread.weighted[i] / s.weight * n / (n - 1.0)).sqrt();
                let se = (self.n_total / (self.n_total - 1.0)).sqrt() / s.weight
                    * spread.weighted_squared[i].sqrt();
                (
                    interval(mean, se, self.n_total - 1.0),
                    (n > 1.0).then_some(sd),
                )
            }
            Method::Survey => {
                if !m.present {
                    return (Estimate::NA, None);
                }
                let n = self.nonzero_rows;
                let sd = (n > 1.0).then(|| (spread.weighted[i] * n / (n - 1.0) / m.weight).sqrt());
                (interval(m.weighted_mean, variance.sqrt(), self.df), sd)
            }
        }
    }
}
