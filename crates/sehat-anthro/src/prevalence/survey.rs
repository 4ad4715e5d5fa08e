//! The standard survey analysis of `anthro_prevalence` (0–5 years) and
//! `anthroplus_prevalence` (5–19 years).

use std::collections::HashMap;

use rayon::prelude::*;
use thiserror::Error;

use super::design::{Method, Plan, SurveyDesign};
use super::estimate::Estimate;
use super::group::{INDICATORS, Layout, NO_BIN, NO_LEVEL, Row, bin, combined_bin};
use super::table::{PrevalenceRow, PrevalenceTable, SurveyIndicator, SurveyStandard};
use crate::school_age::{FIRST_MONTH, LAST_MONTH, LAST_MONTH_WEIGHT};
use crate::{Child, Outcome, SchoolAgeChild, Sex, school_age_zscores, zscores};

/// The auxiliary z-score of a child with oedema in the weight-based prevalences.
const OEDEMA_Z: f64 = -3.1;
/// Last age in days (after rounding) `anthro_prevalence` keeps.
const LAST_DAY: i64 = 1826;

/// Why a survey analysis cannot be computed (WHO's functions stop with an error).
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum PrevalenceError {
    /// A design or grouping column does not have one entry per child.
    #[error("column `{column}` has {found} entries for {expected} children")]
    Length {
        /// The column.
        column: &'static str,
        /// Number of children.
        expected: usize,
        /// Entries in the column.
        found: usize,
    },
    /// A sampling weight is negative (row numbers count from 1).
    #[error("row {row}: sampling weight {weight} is negative")]
    NegativeWeight {
        /// The row, from 1.
        row: usize,
        /// The weight.
        weight: f64,
    },
    /// An age is negative (row numbers count from 1).
    #[error("row {row}: age is negative")]
    NegativeAge {
        /// The row, from 1.
        row: usize,
    },
    /// No child is left after WHO's exclusions (age, missing cluster or stratum).
    #[error("no child is left for the analysis after the exclusions for age, cluster and stratum")]
    NoChildren,
    /// The design has a single primary sampling unit and no strata.
    #[error("the design has only one primary sampling unit")]
    SinglePsu,
    /// A grouping code points past the grouping's values (row numbers count from 1).
    #[error("column `{column}`, row {row}: code {code} is not one of its {values} values")]
    UnknownCode {
        /// The column.
        column: &'static str,
        /// The row, from 1.
        row: usize,
        /// The code.
        code: u32,
        /// Number of values of the column.
        values: usize,
    },
}

/// The optional groupings of `anthro_prevalence`, one value per child (`None` =
/// missing). A grouping whose values are all missing gives no rows.
///
/// # Examples
///
/// ```
/// use sehat_anthro::Groupings;
///
/// let g = Groupings {
///     area: Some(vec![Some("Urban".into()), Some("Rural".into())]),
///     ..Groupings::default()
/// };
/// assert!(g.region.is_none());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Groupings {
    /// Type of residence (`typeres`), labelled `Area`.
    pub area: Option<Vec<Option<String>>>,
    /// Geographical region (`gregion`).
    pub region: Option<Vec<Option<String>>>,
    /// Wealth quintile (`wealthq`): `1`–`5` or `Q1`–`Q5`; anything else is missing.
    pub wealth_quintile: Option<Vec<Option<String>>>,
    /// Mother's education (`mothered`), labelled `Maternal education`.
    pub mothers_education: Option<Vec<Option<String>>>,
    /// Any other grouping (`othergr`).
    pub other: Option<Vec<Option<String>>>,
}

/// One grouping column held as codes: each distinct value once, and each child's index
/// into them (`None` = missing). What [`survey_prevalence_coded`] reads instead of a
/// text per child: a million children then cost four bytes each per grouping, not a
/// string each.
///
/// Two codes may name the same text; they are one group.
///
/// # Examples
///
/// ```
/// use sehat_anthro::GroupingCodes;
///
/// let area = GroupingCodes::from_texts(&[Some("Urban"), None, Some("Rural"), Some("Urban")]);
/// assert_eq!(area.values, ["Urban", "Rural"]);
/// assert_eq!(area.codes, [Some(0), None, Some(1), Some(0)]);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GroupingCodes {
    /// The values the codes point to.
    pub values: Vec<String>,
    /// Each child's value: an index into [`values`](Self::values), `None` when missing.
    pub codes: Vec<Option<u32>>,
}

impl GroupingCodes {
    /// The codes of one text per child, each distinct text numbered in order of first
    /// appearance.
    #[must_use]
    pub fn from_texts<S: AsRef<str>>(texts: &[Option<S>]) -> Self {
        let mut index: HashMap<&str, u32> = HashMap::new();
        let mut values: Vec<String> = Vec::new();
        let codes = texts
            .iter()
            .map(|t| {
                t.as_ref().map(|t| {
                    let t = t.as_ref();
                    *index.entry(t).or_insert_with(|| {
                        values.push(t.to_owned());
                        u32::try_from(values.len() - 1).unwrap_or(u32::MAX)
                    })
                })
            })
            .collect();
        Self { values, codes }
    }

    /// The value of row `i` (0-based); `None` when missing or out of range.
    fn value(&self, i: usize) -> Option<&str> {
        let code = (*self.codes.get(i)?)?;
        self.values.get(code as usize).map(String::as_str)
    }
}

/// The optional groupings of `anthro_prevalence` as codes ([`GroupingCodes`]), for
/// [`survey_prevalence_coded`]; the same columns as [`Groupings`].
///
/// # Examples
///
/// ```
/// use sehat_anthro::{CodedGroupings, GroupingCodes, Groupings};
///
/// let texts = Groupings {
///     region: Some(vec![Some("Aceh".into()), Some("Bali".into()), Some("Aceh".into())]),
///     ..Groupings::default()
/// };
/// let coded = CodedGroupings::from(&texts);
/// assert_eq!(coded.region.map(|r| r.codes), Some(vec![Some(0), Some(1), Some(0)]));
/// assert!(coded.area.is_none());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CodedGroupings {
    /// Type of residence (`typeres`), labelled `Area`.
    pub area: Option<GroupingCodes>,
    /// Geographical region (`gregion`).
    pub region: Option<GroupingCodes>,
    /// Wealth quintile (`wealthq`): values `1`–`5` or `Q1`–`Q5`; anything else is missing.
    pub wealth_quintile: Option<GroupingCodes>,
    /// Mother's education (`mothered`), labelled `Maternal education`.
    pub mothers_education: Option<GroupingCodes>,
    /// Any other grouping (`othergr`).
    pub other: Option<GroupingCodes>,
}

impl From<&Groupings> for CodedGroupings {
    fn from(g: &Groupings) -> Self {
        let code =
            |col: &Option<Vec<Option<String>>>| col.as_deref().map(GroupingCodes::from_texts);
        Self {
            area: code(&g.area),
            region: code(&g.region),
            wealth_quintile: code(&g.wealth_quintile),
            mothers_education: code(&g.mothers_education),
            other: code(&g.other),
        }
    }
}

/// One grouping of rows: its label, its levels in WHO's order, each row's level
/// ([`NO_LEVEL`] when in none).
struct Grouping {
    label: &'static str,
    /// The levels: a factor's declared levels, or a text column's values ordered as
    /// the method orders them.
    levels: Vec<String>,
    of_row: Vec<u32>,
}

/// A level as stored per row.
fn level_u32(level: Option<usize>) -> u32 {
    level.map_or(NO_LEVEL, |l| u32::try_from(l).unwrap_or(NO_LEVEL))
}

impl Grouping {
    fn factor(label: &'static str, levels: &[&str], of_row: Vec<u32>) -> Self {
        Self {
            label,
            levels: levels.iter().map(|l| (*l).to_owned()).collect(),
            of_row,
        }
    }

    /// A free-text grouping: levels sorted as R sorts a factor (numerically when every
    /// value is a number, else by bytes) for the survey package, in order of first
    /// appearance for WHO's closed formulas. `codes` are the rows' codes into `values`
    /// (checked to be in range).
    fn text(
        label: &'static str,
        values: &[String],
        codes: impl Iterator<Item = Option<u32>>,
        method: Method,
    ) -> Self {
        // Each distinct text is labelled once (`3` and `3.0` share the label `3`), when
        // a row first shows it.
        let mut by_text: HashMap<&str, u32> = HashMap::new();
        let mut by_label: HashMap<String, u32> = HashMap::new();
        let mut labels: Vec<String> = Vec::new();
        let mut label_of_code: Vec<u32> = vec![NO_LEVEL; values.len()];
        let label_of_row: Vec<u32> = codes
            .map(|code| {
                let Some((slot, v)) = code.and_then(|c| {
                    let c = c as usize;
                    Some((label_of_code.get_mut(c)?, values.get(c)?))
                }) else {
                    return NO_LEVEL;
                };
                if *slot == NO_LEVEL {
                    *slot = *by_text.entry(v.as_str()).or_insert_with(|| {
                        let next = level_u32(Some(labels.len()));
                        *by_label.entry(number_label(v)).or_insert_with_key(|l| {
                            labels.push(l.clone());
                            next
                        })
                    });
                }
                *slot
            })
            .collect();
        let mut order: Vec<usize> = (0..labels.len()).collect();
        if method == Method::Survey {
            let numbers: Option<Vec<f64>> = labels.iter().map(|l| l.parse::<f64>().ok()).collect();
            match numbers {
                Some(numbers) => order.sort_by(|&a, &b| numbers[a].total_cmp(&numbers[b])),
                None => order.sort_by(|&a, &b| labels[a].cmp(&labels[b])),
            }
        }
        let mut level_of_label = vec![NO_LEVEL; labels.len()];
        for (level, &l) in order.iter().enumerate() {
            level_of_label[l] = level_u32(Some(level));
        }
        Self {
            label,
            levels: order.iter().map(|&l| labels[l].clone()).collect(),
            of_row: label_of_row
                .par_iter()
                .map(|&l| level_of_label.get(l as usize).copied().unwrap_or(NO_LEVEL))
                .collect(),
        }
    }
}

/// R's label of a value read as a number (`3.0` → `3`); other text unchanged.
fn number_label(v: &str) -> String {
    match v.trim().parse::<f64>() {
        Ok(x) if x.is_finite() && !v.trim().is_empty() => {
            if x == x.trunc() && x.abs() < 1e15 {
                format!("{x:.0}")
            } else {
                format!("{x}")
            }
        }
        _ => v.to_owned(),
    }
}

/// The columns of one indicator: the z-scores for the mean and SD (flagged and oedema
/// rows missing), and the z-scores for the prevalences (oedema rows at −3.1).
#[cfg_attr(test, derive(Clone))]
struct IndicatorColumns {
    indicator: SurveyIndicator,
    summary: Vec<Option<f64>>,
    counted: Vec<Option<f64>>,
}

impl IndicatorColumns {
    fn new(
        indicator: SurveyIndicator,
        summary: Vec<Option<f64>>,
        prevalence: Vec<Option<f64>>,
    ) -> Self {
        Self {
            indicator,
            summary,
            counted: prevalence,
        }
    }
}

/// Everything the estimation needs, after WHO's exclusions.
#[cfg_attr(test, derive(Clone))]
struct Prepared {
    weights: Option<Vec<f64>>,
    clusters: Option<Vec<f64>>,
    strata: Option<Vec<f64>>,
    indicators: Vec<IndicatorColumns>,
    /// 0–5 years: the rows' bins for stunting & wasting and stunting & overweight.
    combined: Option<Vec<u8>>,
    /// The design's plan, when it was made beside the z-scores (else the estimation
    /// makes it).
    plan: Option<Plan>,
}

/// An unflagged z-score (rounded as WHO returns it) or missing.
fn usable(outcome: Outcome) -> Option<f64> {
    match outcome {
        Ok(z) if !z.flagged && !z.z_rounded.is_nan() => Some(z.z_rounded),
        _ => None,
    }
}

fn check_length<T>(
    column: &'static str,
    values: Option<&Vec<T>>,
    n: usize,
) -> Result<(), PrevalenceError> {
    match values {
        Some(v) if v.len() != n => Err(PrevalenceError::Length {
            column,
            expected: n,
            found: v.len(),
        }),
        _ => Ok(()),
    }
}

/// A grouping's codes: one per child, each naming one of its values.
fn check_codes(
    column: &'static str,
    codes: Option<&GroupingCodes>,
    n: usize,
) -> Result<(), PrevalenceError> {
    let Some(codes) = codes else {
        return Ok(());
    };
    check_length(column, Some(&codes.codes), n)?;
    let values = codes.values.len();
    match codes
        .codes
        .iter()
        .position(|c| c.is_some_and(|c| c as usize >= values))
    {
        Some(row) => Err(PrevalenceError::UnknownCode {
            column,
            row: row + 1,
            code: codes.codes[row].unwrap_or(0),
            values,
        }),
        None => Ok(()),
    }
}

/// Rows kept after the cluster/strata filter and the design columns on them.
struct DesignRows {
    rows: Vec<usize>,
    weights: Option<Vec<f64>>,
    clusters: Option<Vec<f64>>,
    strata: Option<Vec<f64>>,
}

fn design_rows(kept: &[usize], design: &SurveyDesign) -> Result<DesignRows, PrevalenceError> {
    let rows: Vec<usize> = kept
        .par_iter()
        .copied()
        .filter(|&i| {
            design
                .clusters
                .as_ref()
                .is_none_or(|c| c[i].is_some_and(|v| !v.is_nan()))
                && design
                    .strata
                    .as_ref()
                    .is_none_or(|s| s[i].is_some_and(|v| !v.is_nan()))
        })
        .collect();
    if rows.is_empty() {
        return Err(PrevalenceError::NoChildren);
    }
    let pick = |col: &Option<Vec<Option<f64>>>| {
        col.as_ref().map(|c| {
            rows.par_iter()
                .map(|&i| c[i].unwrap_or(f64::NAN))
                .collect::<Vec<_>>()
        })
    };
    let mut weights = pick(&design.sampling_weights);
    if let Some(w) = weights.as_mut() {
        if let Some(k) = w.par_iter().position_first(|v| *v < 0.0) {
            return Err(PrevalenceError::NegativeWeight {
                row: rows[k] + 1,
                weight: w[k],
            });
        }
        w.par_iter_mut()
            .filter(|v| v.is_nan())
            .for_each(|v| *v = 0.0);
    }
    let clusters = pick(&design.clusters);
    let strata = pick(&design.strata);
    Ok(DesignRows {
        rows,
        weights,
        clusters,
        strata,
    })
}

/// The weight-for-age (or any weight-based) columns with WHO's oedema rule.
fn with_oedema(z: &[Option<f64>], oedema: &[bool]) -> (Vec<Option<f64>>, Vec<Option<f64>>) {
    let summary = z
        .par_iter()
        .zip(oedema)
        .map(|(z, &o)| if o { None } else { *z })
        .collect();
    let prevalence = z
        .par_iter()
        .zip(oedema)
        .map(|(z, &o)| if o { Some(OEDEMA_Z) } else { *z })
        .collect();
    (summary, prevalence)
}

const AGE_GROUPS: [&str; 6] = [
    "00-05 mo", "06-11 mo", "12-23 mo", "24-35 mo", "36-47 mo", "48-59 mo",
];
const SEXES: [&str; 2] = ["Female", "Male"];
const WEALTH: [&str; 5] = ["Q1: Poorest", "Q2", "Q3", "Q4", "Q5: Richest"];

fn sex_level(sex: Option<Sex>) -> Option<usize> {
    match sex? {
        Sex::Female => Some(0),
        Sex::Male => Some(1),
    }
}

fn wealth_level(v: &str) -> Option<usize> {
    let digit = v.strip_prefix('Q').unwrap_or(v);
    match digit {
        "1" => Some(0),
        "2" => Some(1),
        "3" => Some(2),
        "4" => Some(3),
        "5" => Some(4),
        _ => None,
    }
}

/// WHO's standard survey analysis of children 0–5 years, exact to the `anthro`
/// package's `anthro_prevalence`: the prevalences of the six cut-offs, the mean and SD
/// of the z-scores, and the combined stunting/wasting indicators, for all children and
/// by age group, sex, age × sex and each given grouping, with standard errors and 95 %
/// intervals from the sampling design.
///
/// WHO's rules: rows older than 1826 days (after rounding) are left out, rows without
/// an age are kept; flagged z-scores are missing; a child with oedema counts at −3.1 in
/// the weight-for-age, BMI-for-age and weight-for-length/height prevalences and is left
/// out of their mean; rows with a missing cluster or stratum are left out and missing
/// weights count as 0. See `docs/anthro.md` for the survey package details matched.
///
/// # Errors
///
/// [`PrevalenceError`] for a column of the wrong length, a negative weight or age, no
/// child left, or a design with a single sampling unit.
///
/// # Examples
///
/// ```
/// use sehat_anthro::{Child, Groupings, Sex, SurveyDesign, survey_prevalence};
///
/// let children: Vec<Child> = (0..40)
///     .map(|i| {
///         let sex = if i % 2 == 0 { Sex::Female } else { Sex::Male };
///         Child::new(sex)
///             .age_days(200.0 + 30.0 * f64::from(i))
///             .weight_kg(7.0 + 0.1 * f64::from(i))
///             .length_cm(65.0 + 0.5 * f64::from(i))
///     })
///     .collect();
/// let table = survey_prevalence(&children, &SurveyDesign::new(), &Groupings::default())?;
/// let all = &table.rows[0];
/// assert_eq!(all.group, "All");
/// let stunting = all.indicators[0].cutoffs[1]; // HA_2: height-for-age < −2
/// assert!(stunting.value.is_some());
/// assert_eq!(table.rows[1].group, "Age group: 00-05 mo");
/// # Ok::<(), sehat_anthro::PrevalenceError>(())
/// ```
pub fn survey_prevalence(
    children: &[Child],
    design: &SurveyDesign,
    groupings: &Groupings,
) -> Result<PrevalenceTable, PrevalenceError> {
    survey_prevalence_coded(children, design, &CodedGroupings::from(groupings))
}

/// [`survey_prevalence`] with the groupings given as codes ([`CodedGroupings`]): the
/// same table, without a string per child and grouping (what a large survey read from
/// a file should use).
///
/// # Errors
///
/// As [`survey_prevalence`], and [`PrevalenceError::UnknownCode`] for a code past its
/// column's values.
///
/// # Examples
///
/// ```
/// use sehat_anthro::{Child, CodedGroupings, GroupingCodes, Sex, SurveyDesign, survey_prevalence_coded};
///
/// let children: Vec<Child> = (0..40)
///     .map(|i| {
///         Child::new(if i % 2 == 0 { Sex::Female } else { Sex::Male })
///             .age_days(200.0 + 30.0 * f64::from(i))
///             .weight_kg(7.0 + 0.1 * f64::from(i))
///             .length_cm(65.0 + 0.5 * f64::from(i))
///     })
///     .collect();
/// let groupings = CodedGroupings {
///     area: Some(GroupingCodes {
///         values: vec!["Urban".into(), "Rural".into()],
///         codes: (0..40).map(|i| Some(i % 2)).collect(),
///     }),
///     ..CodedGroupings::default()
/// };
/// let table = survey_prevalence_coded(&children, &SurveyDesign::new(), &groupings)?;
/// assert!(table.rows.iter().any(|r| r.group == "Area: Rural"));
/// # Ok::<(), sehat_anthro::PrevalenceError>(())
/// ```
pub fn survey_prevalence_coded(
    children: &[Child],
    design: &SurveyDesign,
    groupings: &CodedGroupings,
) -> Result<PrevalenceTable, PrevalenceError> {
    PreparedSurvey::coded(children, design, groupings)?.table()
}

/// A 0–5 survey made ready for estimation: WHO's exclusions applied, the z-scores
/// computed and each child's groups found. It holds nothing of the children, so a
/// caller with a large survey can free them before [`PreparedSurvey::table`], which needs
/// memory of its own (about 60 bytes per child).
///
/// # Examples
///
/// ```
/// use sehat_anthro::{Child, CodedGroupings, PreparedSurvey, Sex, SurveyDesign};
///
/// let children: Vec<Child> = (0..40)
///     .map(|i| {
///         Child::new(if i % 2 == 0 { Sex::Female } else { Sex::Male })
///             .age_days(200.0 + 30.0 * f64::from(i))
///             .weight_kg(7.0 + 0.1 * f64::from(i))
///             .length_cm(65.0 + 0.5 * f64::from(i))
///     })
///     .collect();
/// let prepared = PreparedSurvey::coded(&children, &SurveyDesign::new(), &CodedGroupings::default())?;
/// drop(children);
/// assert_eq!(prepared.table()?.rows[0].group, "All");
/// # Ok::<(), sehat_anthro::PrevalenceError>(())
/// ```
pub struct PreparedSurvey {
    prepared: Prepared,
    groupings: Vec<Grouping>,
}

impl std::fmt::Debug for PreparedSurvey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PreparedSurvey")
            .field("rows", &self.prepared.n())
            .field(
                "groupings",
                &self.groupings.iter().map(|g| g.label).collect::<Vec<_>>(),
            )
            .finish_non_exhaustive()
    }
}

impl PreparedSurvey {
    /// Prepares the table [`survey_prevalence_coded`] computes.
    ///
    /// # Errors
    ///
    /// As [`survey_prevalence_coded`], except [`PrevalenceError::SinglePsu`], which
    /// [`PreparedSurvey::table`] reports.
    pub fn coded(
        children: &[Child],
        design: &SurveyDesign,
        groupings: &CodedGroupings,
    ) -> Result<Self, PrevalenceError> {
        prepare_coded(children.len(), |i| children[i], design, groupings)
    }

    /// [`PreparedSurvey::coded`] of the `n` children `child(0)`, …, `child(n - 1)`, for a
    /// caller that keeps its children in a form of its own (fewer fields, columns) and
    /// makes each [`Child`] when asked; `child` is called several times per child, from
    /// several threads.
    ///
    /// # Errors
    ///
    /// As [`PreparedSurvey::coded`].
    ///
    /// # Examples
    ///
    /// ```
    /// use sehat_anthro::{Child, CodedGroupings, PreparedSurvey, Sex, SurveyDesign};
    ///
    /// // Ages in days and weights in kg, as two columns.
    /// let ages: Vec<f64> = (0..40).map(|i| 200.0 + 30.0 * f64::from(i)).collect();
    /// let weights: Vec<f64> = (0..40).map(|i| 7.0 + 0.1 * f64::from(i)).collect();
    /// let child = |i: usize| Child::new(Sex::Female).age_days(ages[i]).weight_kg(weights[i]);
    /// let prepared =
    ///     PreparedSurvey::coded_from_fn(40, child, &SurveyDesign::new(), &CodedGroupings::default())?;
    /// let all = &prepared.table()?.rows[0];
    /// assert_eq!(all.indicators[1].unweighted_n, Some(40.0)); // weight-for-age
    /// # Ok::<(), sehat_anthro::PrevalenceError>(())
    /// ```
    pub fn coded_from_fn(
        n: usize,
        child: impl Fn(usize) -> Child + Sync,
        design: &SurveyDesign,
        groupings: &CodedGroupings,
    ) -> Result<Self, PrevalenceError> {
        prepare_coded(n, child, design, groupings)
    }

    /// WHO's prevalence table of the survey.
    ///
    /// # Errors
    ///
    /// [`PrevalenceError::SinglePsu`] when a design with weights or clusters has a single
    /// sampling unit and no strata.
    pub fn table(self) -> Result<PrevalenceTable, PrevalenceError> {
        Ok(PrevalenceTable {
            standard: SurveyStandard::Who2006,
            rows: self.prepared.estimate(&self.groupings)?,
        })
    }
}

fn prepare_coded(
    n: usize,
    child: impl Fn(usize) -> Child + Sync,
    design: &SurveyDesign,
    groupings: &CodedGroupings,
) -> Result<PreparedSurvey, PrevalenceError> {
    check_length("sw", design.sampling_weights.as_ref(), n)?;
    check_length("cluster", design.clusters.as_ref(), n)?;
    check_length("strata", design.strata.as_ref(), n)?;
    for (column, codes) in [
        ("typeres", &groupings.area),
        ("gregion", &groupings.region),
        ("wealthq", &groupings.wealth_quintile),
        ("mothered", &groupings.mothers_education),
        ("othergr", &groupings.other),
    ] {
        check_codes(column, codes.as_ref(), n)?;
    }
    // The first row with a negative age is the error; the rows kept are those of age
    // 0–60 months or of no age (both in parallel: a million children are a few
    // hundred MB to read).
    let negative = (0..n).into_par_iter().position_first(|i| {
        child(i)
            .age
            .is_some_and(|age| !age.is_valid() && !age_is_nan(age))
    });
    if let Some(i) = negative {
        return Err(PrevalenceError::NegativeAge { row: i + 1 });
    }
    let kept: Vec<usize> = (0..n)
        .into_par_iter()
        .filter(|&i| match child(i).age {
            Some(age) if age.is_valid() => age.table_days().is_some_and(|d| d <= LAST_DAY),
            _ => true,
        })
        .collect();
    // Groupings wholly missing among the age-filtered rows are not reported.
    let included = |col: &Option<GroupingCodes>| {
        col.as_ref()
            .is_some_and(|c| kept.iter().any(|&i| c.codes[i].is_some()))
    };
    let wealth_included = groupings.wealth_quintile.as_ref().is_some_and(|c| {
        kept.iter()
            .any(|&i| c.value(i).is_some_and(|v| wealth_level(v).is_some()))
    });
    let DesignRows {
        rows,
        weights,
        clusters,
        strata,
    } = design_rows(&kept, design)?;
    // The columns of a million rows below are built in parallel: their page faults
    // are then taken on both threads. Only the four z-scores the table uses are kept
    // of each child's results, NaN where there is none (half the memory of options).
    // The design's plan (a few passes over the rows that must run in order) is made
    // at the same time, by one thread while the other starts on the z-scores.
    let plan_weights = weights.clone().unwrap_or_else(|| vec![1.0; rows.len()]);
    let (plan, results) = rayon::join(
        || Plan::new(plan_weights, clusters.as_deref(), strata.as_deref()),
        || -> Vec<[f64; 4]> {
            rows.par_iter()
                .map(|&i| {
                    let z = zscores(&child(i));
                    [
                        z.length_for_age,
                        z.weight_for_age,
                        z.bmi_for_age,
                        z.weight_for_length,
                    ]
                    .map(|outcome| usable(outcome).unwrap_or(f64::NAN))
                })
                .collect()
        },
    );
    let oedema: Vec<bool> = rows.par_iter().map(|&i| child(i).oedema).collect();
    let column = |k: usize| -> Vec<Option<f64>> {
        results
            .par_iter()
            .map(|z| Some(z[k]).filter(|v| !v.is_nan()))
            .collect()
    };
    let zlen = column(0);
    let (wa_summary, wa_prev) = with_oedema(&column(1), &oedema);
    let (bmi_summary, bmi_prev) = with_oedema(&column(2), &oedema);
    let (wh_summary, wh_prev) = with_oedema(&column(3), &oedema);
    drop((results, oedema));
    let combined = Some(
        zlen.par_iter()
            .zip(&wh_prev)
            .map(|(l, w)| combined_bin(*l, *w))
            .collect(),
    );
    let prepared = Prepared {
        weights,
        clusters,
        strata,
        indicators: vec![
            IndicatorColumns::new(
                SurveyIndicator::HeightForAge,
                zlen.par_iter().copied().collect(),
                zlen,
            ),
            IndicatorColumns::new(SurveyIndicator::WeightForAge, wa_summary, wa_prev),
            IndicatorColumns::new(SurveyIndicator::BmiForAge, bmi_summary, bmi_prev),
            IndicatorColumns::new(SurveyIndicator::WeightForHeight, wh_summary, wh_prev),
        ],
        combined,
        plan: Some(plan),
    };
    let method = prepared.method();
    let kept_age_group = |i: usize| child(i).age.and_then(|a| age_group_0_5(a.months()));
    let age_group: Vec<u32> = rows
        .par_iter()
        .map(|&i| level_u32(kept_age_group(i)))
        .collect();
    let sex: Vec<u32> = rows
        .par_iter()
        .map(|&i| level_u32(sex_level(child(i).sex)))
        .collect();
    let age_sex_levels: Vec<String> = SEXES
        .iter()
        .flat_map(|s| AGE_GROUPS.iter().map(move |a| format!("{a}.{s}")))
        .collect();
    #[allow(clippy::cast_possible_truncation)]
    let age_sex: Vec<u32> = age_group
        .par_iter()
        .zip(&sex)
        .map(|(&a, &s)| {
            if a == NO_LEVEL || s == NO_LEVEL {
                NO_LEVEL
            } else {
                s * AGE_GROUPS.len() as u32 + a
            }
        })
        .collect();
    let mut all_groupings = vec![Grouping::factor("All", &["All"], vec![0; rows.len()])];
    // As for the optional groupings, inclusion is decided on the age-filtered rows.
    if kept.iter().any(|&i| kept_age_group(i).is_some()) {
        all_groupings.push(Grouping::factor("Age group", &AGE_GROUPS, age_group));
    }
    if kept.iter().any(|&i| child(i).sex.is_some()) {
        all_groupings.push(Grouping::factor("Sex", &SEXES, sex));
    }
    if kept
        .iter()
        .any(|&i| child(i).sex.is_some() && kept_age_group(i).is_some())
    {
        all_groupings.push(Grouping {
            label: "Age + sex",
            levels: age_sex_levels,
            of_row: age_sex,
        });
    }
    let text = |label: &'static str, col: &GroupingCodes| {
        Grouping::text(
            label,
            &col.values,
            rows.iter().map(|&i| col.codes[i]),
            method,
        )
    };
    for (label, col) in [
        ("Area", &groupings.area),
        ("Geographical region", &groupings.region),
    ] {
        if let Some(col) = col.as_ref().filter(|_| included(col)) {
            all_groupings.push(text(label, col));
        }
    }
    if let Some(col) = groupings
        .wealth_quintile
        .as_ref()
        .filter(|_| wealth_included)
    {
        let of_value: Vec<u32> = col
            .values
            .iter()
            .map(|v| level_u32(wealth_level(v)))
            .collect();
        let of_row = rows
            .par_iter()
            .map(|&i| {
                col.codes[i]
                    .and_then(|c| of_value.get(c as usize).copied())
                    .unwrap_or(NO_LEVEL)
            })
            .collect();
        all_groupings.push(Grouping::factor("Wealth quintile", &WEALTH, of_row));
    }
    for (label, col) in [
        ("Maternal education", &groupings.mothers_education),
        ("Other grouping", &groupings.other),
    ] {
        if let Some(col) = col.as_ref().filter(|_| included(col)) {
            all_groupings.push(text(label, col));
        }
    }
    Ok(PreparedSurvey {
        prepared,
        groupings: all_groupings,
    })
}

fn age_is_nan(age: crate::Age) -> bool {
    match age {
        crate::Age::Days(v) | crate::Age::Months(v) => v.is_nan(),
    }
}

/// `anthro_age_groups`: months in [0, 6), [6, 12), [12, 24), …, [48, 60).
fn age_group_0_5(months: f64) -> Option<usize> {
    const BREAKS: [f64; 7] = [0.0, 6.0, 12.0, 24.0, 36.0, 48.0, 60.0];
    BREAKS
        .windows(2)
        .position(|w| months >= w[0] && months < w[1])
}

const SCHOOL_AGE_GROUPS: [&str; 15] = [
    "60-71 mo",
    "72-83 mo",
    "84-95 mo",
    "96-107 mo",
    "108-119 mo",
    "120-131 mo",
    "132-143 mo",
    "144-155 mo",
    "156-167 mo",
    "168-179 mo",
    "180-191 mo",
    "192-203 mo",
    "204-215 mo",
    "216-227 mo",
    "228-228 mo",
];
const WIDER_AGE_GROUPS: [&str; 3] = ["60-119 mo", "120-179 mo", "180-228 mo"];

/// WHO's standard survey analysis of children and adolescents 5–19 years, exact to the
/// `anthroplus` package's `anthroplus_prevalence`: height-for-age, weight-for-age (to
/// 120 months) and BMI-for-age, for all, by sex, by year of age, by the three wider age
/// groups and by sex × wider age group, with WHO's `Years` and `Months` label columns.
///
/// WHO's rules: rows with a missing age or an age outside 60–228 months are left out;
/// weight-for-age is reported as NA for the "All" and "Sex" rows (it exists only to
/// 120 months); a child with oedema counts at −3.1 in the BMI-for-age prevalences, and in
/// the weight-for-age ones up to 120 months. The survey package's `survey.lonely.psu`
/// is not set by `anthroplus_prevalence` (R stops on a stratum with one cluster); here
/// such a stratum is handled as `anthro_prevalence` does ("adjust").
///
/// # Errors
///
/// As [`survey_prevalence`].
///
/// # Examples
///
/// ```
/// use sehat_anthro::{SchoolAgeChild, Sex, SurveyDesign, school_age_survey_prevalence};
///
/// let children: Vec<SchoolAgeChild> = (0..30)
///     .map(|i| SchoolAgeChild::new(Sex::Male).age_months(60.0 + 5.0 * f64::from(i)).height_cm(110.0 + 2.0 * f64::from(i)))
///     .collect();
/// let table = school_age_survey_prevalence(&children, &SurveyDesign::new())?;
/// assert_eq!(table.rows.len(), 27);
/// assert_eq!(table.rows[0].age_labels.as_ref().map(|l| l.0.as_str()), Some("Total (5-19)"));
/// # Ok::<(), sehat_anthro::PrevalenceError>(())
/// ```
pub fn school_age_survey_prevalence(
    children: &[SchoolAgeChild],
    design: &SurveyDesign,
) -> Result<PrevalenceTable, PrevalenceError> {
    let n = children.len();
    check_length("sw", design.sampling_weights.as_ref(), n)?;
    check_length("cluster", design.clusters.as_ref(), n)?;
    check_length("strata", design.strata.as_ref(), n)?;
    let mut kept = Vec::with_capacity(n);
    for (i, child) in children.iter().enumerate() {
        match child.age_months {
            Some(m) if m < 0.0 => return Err(PrevalenceError::NegativeAge { row: i + 1 }),
            Some(m) if (FIRST_MONTH..=LAST_MONTH).contains(&m) => kept.push(i),
            _ => {}
        }
    }
    if kept.is_empty() {
        return Err(PrevalenceError::NoChildren);
    }
    let DesignRows {
        rows,
        weights,
        clusters,
        strata,
    } = design_rows(&kept, design)?;
    let selected: Vec<&SchoolAgeChild> = rows.iter().map(|&i| &children[i]).collect();
    let results: Vec<_> = selected.par_iter().map(|c| school_age_zscores(c)).collect();
    let months: Vec<f64> = selected
        .iter()
        .map(|c| c.age_months.unwrap_or(f64::NAN))
        .collect();
    let hfa: Vec<Option<f64>> = results.iter().map(|z| usable(z.height_for_age)).collect();
    let wfa: Vec<Option<f64>> = results.iter().map(|z| usable(z.weight_for_age)).collect();
    let bfa: Vec<Option<f64>> = results.iter().map(|z| usable(z.bmi_for_age)).collect();
    let oedema: Vec<bool> = selected.iter().map(|c| c.oedema).collect();
    let oedema_wfa: Vec<bool> = oedema
        .iter()
        .zip(&months)
        .map(|(&o, &m)| o && m <= LAST_MONTH_WEIGHT)
        .collect();
    let (wa_summary, wa_prev) = with_oedema(&wfa, &oedema_wfa);
    let (bmi_summary, bmi_prev) = with_oedema(&bfa, &oedema);
    let prepared = Prepared {
        weights,
        clusters,
        strata,
        indicators: vec![
            IndicatorColumns::new(SurveyIndicator::HeightForAge, hfa.clone(), hfa),
            IndicatorColumns::new(SurveyIndicator::WeightForAge, wa_summary, wa_prev),
            IndicatorColumns::new(SurveyIndicator::BmiForAge, bmi_summary, bmi_prev),
        ],
        combined: None,
        plan: None,
    };
    let sex: Vec<Option<usize>> = results.iter().map(|z| sex_level(z.sex)).collect();
    let year: Vec<Option<usize>> = months
        .iter()
        .map(|&m| {
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            let k = ((m - 60.0) / 12.0).floor() as usize;
            (60.0..229.0).contains(&m).then_some(k.min(14))
        })
        .collect();
    let wider: Vec<Option<usize>> = months
        .iter()
        .map(|&m| {
            if (60.0..120.0).contains(&m) {
                Some(0)
            } else if (120.0..180.0).contains(&m) {
                Some(1)
            } else if (180.0..229.0).contains(&m) {
                Some(2)
            } else {
                None
            }
        })
        .collect();
    let sex_wider: Vec<Option<usize>> = sex
        .iter()
        .zip(&wider)
        .map(|(s, w)| Some(w.as_ref()? * 2 + s.as_ref()?))
        .collect();
    let sex_wider_levels: Vec<String> = WIDER_AGE_GROUPS
        .iter()
        .flat_map(|w| SEXES.iter().map(move |s| format!("{s}.{w}")))
        .collect();
    let levels = |column: Vec<Option<usize>>| column.into_iter().map(level_u32).collect();
    let groupings = vec![
        Grouping::factor("All", &["All"], vec![0; rows.len()]),
        Grouping::factor("Sex", &SEXES, levels(sex)),
        Grouping::factor("Age Group 1", &SCHOOL_AGE_GROUPS, levels(year)),
        Grouping::factor("Age Group 2", &WIDER_AGE_GROUPS, levels(wider)),
        Grouping {
            label: "Age + Sex",
            levels: sex_wider_levels,
            of_row: levels(sex_wider),
        },
    ];
    let mut table_rows = prepared.estimate(&groupings)?;
    // Years and Months label columns; weight-for-age NA for "All" and "Sex".
    let wider_months = ["(60-119)", "(120-179)", "(180-228)"];
    let wider_years = ["Total (5-9)", "Total (10-14)", "Total (15-19)"];
    for (k, row) in table_rows.iter_mut().enumerate() {
        let labels = match k {
            0..=2 => ("Total (5-19)".to_owned(), "(60-228)".to_owned()),
            3..=17 => (
                (k + 2).to_string(),
                format!("({})", SCHOOL_AGE_GROUPS[k - 3].trim_end_matches(" mo")),
            ),
            18..=20 => (
                wider_years[k - 18].to_owned(),
                wider_months[k - 18].to_owned(),
            ),
            _ => {
                let w = (k - 21) / 2;
                (wider_years[w].to_owned(), wider_months[w].to_owned())
            }
        };
        row.age_labels = Some(labels);
        if k < 3 {
            for summary in &mut row.indicators {
                if summary.indicator == SurveyIndicator::WeightForAge {
                    summary.weighted_n = None;
                    summary.unweighted_n = None;
                    summary.cutoffs = [Estimate::NA; 6];
                    summary.mean = Estimate::NA;
                    summary.sd = None;
                }
            }
        }
    }
    Ok(PrevalenceTable {
        standard: SurveyStandard::Who2007,
        rows: table_rows,
    })
}

impl Prepared {
    /// `build_design`: which computation WHO uses for this design.
    fn method(&self) -> Method {
        if self.clusters.is_some() || self.strata.is_some() {
            return Method::Survey;
        }
        #[allow(clippy::float_cmp)]
        match &self.weights {
            None => Method::Simple,
            Some(w) if w.iter().all(|&w| w == 1.0) => Method::Simple,
            Some(_) => Method::Hybrid,
        }
    }

    fn n(&self) -> usize {
        self.indicators.first().map_or(0, |i| i.summary.len())
    }

    /// Estimates every group of every grouping. The columns are dropped once the rows
    /// of the analysis are made of them, so that the rows reuse their memory.
    fn estimate(self, groupings: &[Grouping]) -> Result<Vec<PrevalenceRow>, PrevalenceError> {
        let method = self.method();
        let n = self.n();
        let Self {
            weights,
            clusters,
            strata,
            indicators,
            combined,
            plan,
        } = self;
        let has_strata = strata.is_some();
        let plan = plan.unwrap_or_else(|| {
            Plan::new(
                weights.unwrap_or_else(|| vec![1.0; n]),
                clusters.as_deref(),
                strata.as_deref(),
            )
        });
        drop((clusters, strata));
        if method != Method::Simple && plan.psu_stratum.len() == 1 && !has_strata {
            return Err(PrevalenceError::SinglePsu);
        }
        let kinds: Vec<SurveyIndicator> = indicators.iter().map(|i| i.indicator).collect();
        let layout = Layout::new(
            |r| {
                let mut bins = [NO_BIN; INDICATORS];
                let mut summary = [f64::NAN; INDICATORS];
                for (i, columns) in indicators.iter().enumerate() {
                    bins[i] = columns.counted[r].map_or(NO_BIN, bin);
                    summary[i] = columns.summary[r].unwrap_or(f64::NAN);
                }
                Row {
                    weight: plan.weights[r],
                    weight_id: plan.weight_ids[r],
                    psu: u32::try_from(plan.psu[r]).unwrap_or(u32::MAX),
                    bins,
                    combined: combined.as_ref().map_or(NO_BIN, |c| c[r]),
                    summary,
                }
            },
            &plan,
            &kinds,
            combined.is_some(),
            method,
        );
        drop((indicators, combined));
        // One grouping at a time to each thread, those with more groups first (their
        // terms take longer to compute); the rows are put back in the table's order
        // after.
        let mut order: Vec<usize> = (0..groupings.len()).collect();
        order.sort_by_key(|&g| std::cmp::Reverse(groupings[g].levels.len()));
        let computed: Vec<Vec<PrevalenceRow>> = order
            .par_iter()
            .with_max_len(1)
            .map(|&g| {
                let grouping = &groupings[g];
                layout
                    .grouping(&grouping.of_row, grouping.levels.len())
                    .into_iter()
                    .zip(&grouping.levels)
                    .map(|((indicators, combined), level)| PrevalenceRow {
                        group: if grouping.label == "All" {
                            "All".to_owned()
                        } else {
                            format!("{}: {level}", grouping.label)
                        },
                        age_labels: None,
                        indicators,
                        stunting_wasting: combined.map(|c| c.0),
                        stunting_overweight: combined.map(|c| c.1),
                    })
                    .collect()
            })
            .collect();
        let mut rows: Vec<Vec<PrevalenceRow>> = vec![Vec::new(); groupings.len()];
        for (&g, table) in order.iter().zip(computed) {
            rows[g] = table;
        }
        Ok(rows.into_iter().flatten().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::super::design::{Method, Plan};
    use super::super::estimate::{self, Domain, Estimate, simple};
    use super::super::table::{CUTOFFS, Cell, CombinedSummary, IndicatorSummary, PrevalenceRow};
    use super::*;

    impl Prepared {
        /// The table computed row by row, column by column, with the estimators written
        /// as R's functions compute: the reference for the sums over sampling units.
        fn estimate_by_rows(&self, groupings: &[Grouping]) -> Vec<PrevalenceRow> {
            let method = self.method();
            let n = self.n();
            let weights = self.weights.clone().unwrap_or_else(|| vec![1.0; n]);
            let plan = Plan::new(weights, self.clusters.as_deref(), self.strata.as_deref());
            let unweighted = plan.unweighted();
            let mut rows = Vec::new();
            for grouping in groupings {
                let mut members: Vec<Vec<usize>> = vec![Vec::new(); grouping.levels.len()];
                for (row, &level) in grouping.of_row.iter().enumerate() {
                    if let Some(m) = members.get_mut(level as usize) {
                        m.push(row);
                    }
                }
                for m in members {
                    rows.push(self.row(String::new(), &m, method, &plan, &unweighted));
                }
            }
            rows
        }

        fn cutoff_columns(counted: &[Option<f64>]) -> Vec<Vec<Option<f64>>> {
            CUTOFFS
                .iter()
                .map(|c| {
                    counted
                        .iter()
                        .map(|z| z.map(|z| f64::from(u8::from(c.contains(z)))))
                        .collect()
                })
                .collect()
        }

        fn combined_columns(&self) -> Option<[Vec<Option<f64>>; 2]> {
            self.combined.as_ref().map(|bins| {
                [0, 2].map(|b| {
                    bins.iter()
                        .map(|&x| (x != NO_BIN).then(|| f64::from(u8::from(x == b))))
                        .collect()
                })
            })
        }

        fn row(
            &self,
            group: String,
            members: &[usize],
            method: Method,
            plan: &Plan,
            unweighted: &Plan,
        ) -> PrevalenceRow {
            let mut scratch = plan.scratch();
            let first = estimate::FirstIteration::new(plan, members);
            #[allow(clippy::cast_precision_loss)]
            let n_total = self.n() as f64;
            let weights = self.weights.as_deref();
            let values = |col: &[Option<f64>]| -> (Vec<f64>, Vec<f64>) {
                members
                    .iter()
                    .filter_map(|&r| col[r].map(|v| (v, weights.map_or(1.0, |w| w[r]))))
                    .unzip()
            };
            let counts = |col: &[Option<f64>]| -> (f64, f64) {
                let domain = Domain {
                    rows: members,
                    values: col,
                };
                let (w, _) = estimate::counts(plan, &domain);
                let (u, _) = estimate::counts(unweighted, &domain);
                (w, u)
            };
            let prevalence = |scratch: &mut _, col: &[Option<f64>]| -> Estimate {
                match method {
                    Method::Simple => simple::prevalence(&values(col).0, n_total),
                    Method::Hybrid | Method::Survey => estimate::prevalence(
                        plan,
                        scratch,
                        &Domain {
                            rows: members,
                            values: col,
                        },
                        &first,
                    ),
                }
            };
            let indicators = self
                .indicators
                .iter()
                .map(|ind| {
                    let (weighted_n, unweighted_n) = counts(&ind.counted);
                    let cutoffs: Vec<Estimate> = Self::cutoff_columns(&ind.counted)
                        .iter()
                        .map(|col| prevalence(&mut scratch, col))
                        .collect();
                    let (mean, sd) = match method {
                        Method::Simple => simple::zscore(&values(&ind.summary).0, None, n_total),
                        Method::Hybrid => {
                            let (v, w) = values(&ind.summary);
                            simple::zscore(&v, Some(&w), n_total)
                        }
                        Method::Survey => estimate::zscore_summary(
                            plan,
                            &mut scratch,
                            &Domain {
                                rows: members,
                                values: &ind.summary,
                            },
                        ),
                    };
                    IndicatorSummary {
                        indicator: ind.indicator,
                        weighted_n: Some(weighted_n),
                        unweighted_n: Some(unweighted_n),
                        cutoffs: [
                            cutoffs[0], cutoffs[1], cutoffs[2], cutoffs[3], cutoffs[4], cutoffs[5],
                        ],
                        mean,
                        sd,
                    }
                })
                .collect();
            let (stunting_wasting, stunting_overweight) = match &self.combined_columns() {
                Some([wasting, overweight]) => {
                    let (weighted_n, unweighted_n) = counts(wasting);
                    (
                        Some(CombinedSummary {
                            weighted_n,
                            unweighted_n,
                            estimate: prevalence(&mut scratch, wasting),
                        }),
                        Some(prevalence(&mut scratch, overweight)),
                    )
                }
                None => (None, None),
            };
            PrevalenceRow {
                group,
                age_labels: None,
                indicators,
                stunting_wasting,
                stunting_overweight,
            }
        }
    }

    fn next(state: &mut u64) -> u64 {
        *state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        *state >> 33
    }

    /// A random analysis: `n` rows, z-scores with missing values and oedema's −3.1,
    /// and the design asked for.
    fn random(n: usize, seed: u64, design: (bool, bool, bool), zero_weights: bool) -> Prepared {
        let mut s = seed;
        let z = |s: &mut u64| -> Option<f64> {
            let r = next(s);
            if r.is_multiple_of(9) {
                None
            } else if r.is_multiple_of(31) {
                Some(OEDEMA_Z)
            } else {
                Some(round2((next(s) % 1400) as f64 / 100.0 - 7.0))
            }
        };
        let indicators: Vec<IndicatorColumns> = [
            SurveyIndicator::HeightForAge,
            SurveyIndicator::WeightForAge,
            SurveyIndicator::BmiForAge,
            SurveyIndicator::WeightForHeight,
        ]
        .into_iter()
        .map(|indicator| {
            let counted: Vec<Option<f64>> = (0..n).map(|_| z(&mut s)).collect();
            let summary = counted
                .iter()
                .map(|v| v.filter(|&v| v != OEDEMA_Z))
                .collect();
            IndicatorColumns::new(indicator, summary, counted)
        })
        .collect();
        let combined = Some(
            indicators[0]
                .counted
                .iter()
                .zip(&indicators[3].counted)
                .map(|(h, w)| combined_bin(*h, *w))
                .collect(),
        );
        let (weights, clusters, strata) = design;
        Prepared {
            weights: weights.then(|| {
                (0..n)
                    .map(|i| {
                        if zero_weights && i % 17 == 0 {
                            0.0
                        } else {
                            0.2 + (next(&mut s) % 48) as f64 / 10.0
                        }
                    })
                    .collect()
            }),
            // Stratum 3 has a single cluster.
            strata: strata.then(|| (0..n).map(|i| (i % 4) as f64).collect()),
            clusters: clusters.then(|| {
                (0..n)
                    .map(|i| {
                        if strata && i % 4 == 3 {
                            99.0
                        } else {
                            (next(&mut s) % 7) as f64
                        }
                    })
                    .collect()
            }),
            indicators,
            combined,
            plan: None,
        }
    }

    fn round2(x: f64) -> f64 {
        (x * 100.0).round() / 100.0
    }

    fn groupings(n: usize, seed: u64) -> Vec<Grouping> {
        let mut s = seed;
        vec![
            Grouping::factor("All", &["All"], vec![0; n]),
            Grouping::factor(
                "Three",
                &["a", "b", "c"],
                (0..n)
                    .map(|_| match next(&mut s) % 4 {
                        3 => NO_LEVEL,
                        l => l as u32,
                    })
                    .collect(),
            ),
            // A level no row has, and a level with a single row.
            Grouping::factor(
                "Sparse",
                &["empty", "one", "rest"],
                (0..n).map(|i| if i == 5 { 1 } else { 2 }).collect(),
            ),
        ]
    }

    fn same(a: Option<f64>, b: Option<f64>) -> bool {
        match (a, b) {
            (None, None) => true,
            (Some(x), Some(y)) if x.is_nan() && y.is_nan() => true,
            (Some(x), Some(y)) => (x - y).abs() <= 1e-10 * (1.0 + x.abs().max(y.abs())),
            _ => false,
        }
    }

    /// Compares every numeric cell of the table with the row-by-row estimators' and
    /// returns how many were compared (`case` names the case in a failure).
    fn agreeing_cells(prepared: &Prepared, groupings: &[Grouping], case: &str) -> usize {
        let ours = prepared.clone().estimate(groupings).unwrap();
        let reference = prepared.estimate_by_rows(groupings);
        assert_eq!(ours.len(), reference.len(), "{case}");
        let mut compared = 0;
        for (a, b) in ours.iter().zip(&reference) {
            let (a, b) = (PrevalenceTable::cells(a), PrevalenceTable::cells(b));
            for (k, (x, y)) in a.iter().zip(&b).enumerate().skip(1) {
                let (Cell::Number(x), Cell::Number(y)) = (x, y) else {
                    panic!("{case}, column {k}");
                };
                assert!(same(*x, *y), "{case}, column {k}: {x:?} vs {y:?}");
                compared += 1;
            }
        }
        compared
    }

    #[test]
    fn z_scores_that_are_not_whole_hundredths_keep_their_value() {
        // WHO's z-scores are rounded to two decimals, but nothing in the estimators may
        // rely on it: unrounded values, and values beyond ±327.67, must give the same
        // table as the row-by-row estimators.
        let n = 400;
        let mut prepared = random(n, 11, (true, true, true), false);
        let mut changed = 0;
        for (c, column) in prepared.indicators.iter_mut().enumerate() {
            for (r, v) in column.summary.iter_mut().enumerate() {
                if let Some(z) = v.as_mut()
                    && (r + c) % 3 == 0
                {
                    *z = if r % 10 == 0 {
                        *z * 100.0
                    } else {
                        *z + 0.001_234_5
                    };
                    changed += 1;
                }
            }
        }
        assert!(changed > 300, "{changed}");
        let compared = agreeing_cells(&prepared, &groupings(n, 111), "unrounded");
        assert!(compared > 800, "{compared}");
    }

    #[test]
    fn sums_over_units_agree_with_the_row_by_row_estimators() {
        let mut compared = 0;
        for (seed, design, zero_weights, n) in [
            (1, (false, false, false), false, 300),
            (2, (true, false, false), false, 300),
            (3, (true, false, false), true, 250),
            (4, (true, true, true), false, 400),
            (5, (true, true, true), true, 400),
            (6, (false, true, false), false, 300),
            (7, (true, false, true), false, 300),
            (8, (false, true, true), false, 120),
            (9, (true, true, true), false, 3),
        ] {
            let prepared = random(n, seed, design, zero_weights);
            let groupings = groupings(n, seed + 100);
            compared += agreeing_cells(&prepared, &groupings, &format!("seed {seed}"));
        }
        assert!(compared > 8_000, "{compared}");
    }
}
