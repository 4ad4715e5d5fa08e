//! The schedule as data: vaccine groups, antigens, vaccines, series, series doses, ages,
//! intervals, vaccine rules, conditional skips and live-virus conflicts.
//!
//! A [`Schedule`] is built by a loader ([`Schedule::cdsi_us`], [`Schedule::id_kemenkes`],
//! [`Schedule::from_cdsi_xml`], [`Schedule::from_kemenkes_toml`]); the engine reads it.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use time::Date;

use crate::error::ScheduleError;
use crate::model::duration::Duration;
use crate::model::patient::Sex;

/// An antigen index with the association's begin and end ages.
pub(crate) type AntigenSlot = (usize, Option<Duration>, Option<Duration>);

/// An immunization schedule: the supporting data the engine evaluates against.
#[derive(Debug, Clone)]
pub struct Schedule {
    pub(crate) id: String,
    pub(crate) title: String,
    pub(crate) antigens: Vec<String>,
    pub(crate) series: Vec<Series>,
    pub(crate) vaccines: Vec<Vaccine>,
    pub(crate) groups: Vec<VaccineGroup>,
    pub(crate) conflicts: Vec<LiveVirusConflict>,
    pub(crate) immunity: Vec<BirthImmunity>,
    pub(crate) grace_period_days: i32,
    /// The words the schedule shows for each kind of age band.
    pub(crate) band_labels: Vec<(crate::model::band::Band, String)>,
    #[cfg(feature = "id-kemenkes")]
    pub(crate) kemenkes: Option<crate::model::kemenkes_options::KemenkesExtras>,
    /// normalized code, CVX or alias → vaccine index
    pub(crate) vaccine_index: HashMap<String, usize>,
    /// series indices per antigen index
    pub(crate) series_by_antigen: Vec<Vec<usize>>,
    /// vaccine index → antigen indices (with ages) it carries
    pub(crate) vaccine_antigens: Vec<Vec<AntigenSlot>>,
    /// live-virus conflicts indexed by current vaccine index
    pub(crate) conflicts_by_current: Vec<Vec<usize>>,
    /// antigen indices of each vaccine group
    pub(crate) group_antigens: Vec<Vec<usize>>,
    /// whether an antigen belongs to some vaccine group
    pub(crate) antigen_in_group: Vec<bool>,
    /// whether every series of an antigen is school-triggered or for a population (the
    /// antigen is passed over, without organizing the history, while no gate is open)
    pub(crate) gated_antigen: Vec<bool>,
}

/// A vaccine product or type: a CVX code (or a local code), names, and the antigens it
/// carries. A combination vaccine carries several and counts for each.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Vaccine {
    pub(crate) code: String,
    pub(crate) name: String,
    pub(crate) cvx: Option<String>,
    pub(crate) aliases: Vec<String>,
    pub(crate) antigens: Vec<AntigenAssociation>,
    pub(crate) live: bool,
}

impl Vaccine {
    /// The vaccine's code in its schedule (the CVX code for `cdsi-us`).
    #[must_use]
    pub fn code(&self) -> &str {
        &self.code
    }
    /// Its display name.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }
    /// The CVX code, when known.
    #[must_use]
    pub fn cvx(&self) -> Option<&str> {
        self.cvx.as_deref()
    }
    /// The antigens (or, in `id-kemenkes`, programme lines) it counts for.
    pub fn antigens(&self) -> impl Iterator<Item = &str> {
        self.antigens.iter().map(|a| a.antigen.as_str())
    }
}

/// A vaccine's association with an antigen, possibly limited to an age range
/// (a zoster vaccine before 50 years counts as varicella).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AntigenAssociation {
    pub(crate) antigen: String,
    pub(crate) begin_age: Option<Duration>,
    pub(crate) end_age: Option<Duration>,
}

/// A vaccine group: the unit of forecasts and reminders (`DTaP/Tdap/Td`, `MMR`,
/// `DPT-HB-Hib`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VaccineGroup {
    pub(crate) name: String,
    pub(crate) codes: Vec<String>,
    pub(crate) antigens: Vec<String>,
    pub(crate) administer_full_group: bool,
}

impl VaccineGroup {
    /// The group's name.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }
    /// Short codes that also name the group (the CDSi test cases' `DTAP`, `POL`, …).
    #[must_use]
    pub fn codes(&self) -> &[String] {
        &self.codes
    }
    /// The antigens it classifies.
    #[must_use]
    pub fn antigens(&self) -> &[String] {
        &self.antigens
    }
}

/// The type of an antigen series.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SeriesType {
    /// Routine series for everyone of the required sex.
    Standard,
    /// Series for patients with an indication (observation).
    Risk,
    /// Series only used to evaluate past doses.
    EvaluationOnly,
}

/// One path to immunity for an antigen.
#[derive(Debug, Clone)]
pub struct Series {
    pub(crate) name: String,
    pub(crate) antigen: String,
    pub(crate) vaccine_group: String,
    pub(crate) series_type: SeriesType,
    pub(crate) required_sex: Vec<Sex>,
    pub(crate) default: bool,
    pub(crate) product_path: bool,
    pub(crate) series_group: String,
    pub(crate) priority: String,
    pub(crate) preference: u32,
    pub(crate) equivalent_groups: Vec<String>,
    pub(crate) min_age_to_start: Option<Duration>,
    pub(crate) max_age_to_start: Option<Duration>,
    /// Selection by start age (alternatives on one line, such as `id-kemenkes`' PCV
    /// catch-up series): the series applies only when the first dose (or, with none,
    /// the assessment date) falls in `[dob + min, dob + max)`.
    pub(crate) start_window: Option<(Option<Duration>, Option<Duration>)>,
    /// ISO 3166-2 regions the series applies to; empty = everywhere.
    pub(crate) regions: Vec<String>,
    /// A school-triggered series (BIAS): applies once the patient has a school grade or
    /// this age.
    pub(crate) school_from: Option<Duration>,
    /// A population series (women of childbearing age): applies in `[from, until)`.
    pub(crate) population_ages: Option<(Duration, Duration)>,
    /// Evaluated by T-status (Td for women of childbearing age).
    pub(crate) t_status: Option<crate::model::t_status::TStatusRule>,
    pub(crate) doses: Vec<SeriesDose>,
}

impl Series {
    /// A standard, default series: series group 1, priority A, no product path and no
    /// other selection rule (sex, start ages, equivalent groups, start window, region,
    /// school, population or T-status rules). The loaders set what applies.
    pub(crate) fn standard(
        name: String,
        antigen: String,
        vaccine_group: String,
        preference: u32,
        doses: Vec<SeriesDose>,
    ) -> Self {
        Self {
            name,
            antigen,
            vaccine_group,
            series_type: SeriesType::Standard,
            required_sex: Vec::new(),
            default: true,
            product_path: false,
            series_group: "1".to_string(),
            priority: "A".to_string(),
            preference,
            equivalent_groups: Vec::new(),
            min_age_to_start: None,
            max_age_to_start: None,
            start_window: None,
            regions: Vec::new(),
            school_from: None,
            population_ages: None,
            t_status: None,
            doses,
        }
    }

    /// The series' name.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }
    /// Its antigen.
    #[must_use]
    pub fn antigen(&self) -> &str {
        &self.antigen
    }
    /// The vaccine group it belongs to.
    #[must_use]
    pub fn vaccine_group(&self) -> &str {
        &self.vaccine_group
    }
    /// Its series group, priority and preference (CDSi series selection).
    #[must_use]
    pub fn selection(&self) -> (&str, &str, u32) {
        (&self.series_group, &self.priority, self.preference)
    }
    /// Its doses.
    #[must_use]
    pub fn doses(&self) -> &[SeriesDose] {
        &self.doses
    }
}

/// One dose of a series, with everything needed to evaluate a dose against it and to
/// forecast it.
#[derive(Debug, Clone, Default)]
pub struct SeriesDose {
    pub(crate) number: u32,
    pub(crate) label: String,
    pub(crate) ages: Vec<AgeRule>,
    pub(crate) intervals: Vec<Interval>,
    pub(crate) allowable_intervals: Vec<Interval>,
    pub(crate) preferable: Vec<VaccineRule>,
    pub(crate) allowable: Vec<VaccineRule>,
    pub(crate) inadvertent: Vec<usize>,
    pub(crate) skips: Vec<ConditionalSkip>,
    pub(crate) recurring: bool,
    pub(crate) seasonal: Option<(Option<Date>, Option<Date>)>,
    /// Dose not due for children who reached its recommended age before this date
    /// (programme introduction).
    pub(crate) introduced: Option<Date>,
    pub(crate) bands: Vec<crate::model::band::BandRange>,
    pub(crate) sources: Vec<String>,
    /// A dose given by school grade in a BIAS month.
    pub(crate) school: Option<crate::model::school::SchoolDose>,
}

impl SeriesDose {
    /// The dose number in its series (1-based).
    #[must_use]
    pub fn number(&self) -> u32 {
        self.number
    }
    /// Its label (as printed in the Buku KIA for `id-kemenkes`).
    #[must_use]
    pub fn label(&self) -> &str {
        &self.label
    }
    /// The source keys the dose's values come from.
    #[must_use]
    pub fn sources(&self) -> &[String] {
        &self.sources
    }
}

/// Age limits of a series dose.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct AgeRule {
    pub(crate) abs_min: Option<Duration>,
    pub(crate) min: Option<Duration>,
    pub(crate) earliest_recommended: Option<Duration>,
    pub(crate) latest_recommended: Option<Duration>,
    pub(crate) max: Option<Duration>,
    pub(crate) effective: Option<Date>,
    pub(crate) cessation: Option<Date>,
}

// Built by the CDSi loader only; the engine handles them for any schedule that has them.
#[cfg_attr(not(feature = "cdsi-us"), allow(dead_code))]
/// What an interval is measured from.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub(crate) enum IntervalFrom {
    /// The immediately previous dose.
    Previous,
    /// The dose that satisfied this target dose number.
    TargetDose(u32),
    /// The most recent dose of one of these vaccines (indices into the schedule).
    MostRecent(Vec<usize>),
    /// A patient observation (not available for healthy patients).
    Observation(String),
}

/// A preferable or allowable interval.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Interval {
    pub(crate) from: IntervalFrom,
    pub(crate) abs_min: Option<Duration>,
    pub(crate) min: Option<Duration>,
    pub(crate) earliest_recommended: Option<Duration>,
    pub(crate) latest_recommended: Option<Duration>,
    pub(crate) priority: bool,
    pub(crate) effective: Option<Date>,
    pub(crate) cessation: Option<Date>,
}

/// A preferable or allowable vaccine for a series dose, with its age window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct VaccineRule {
    pub(crate) vaccine: usize,
    pub(crate) begin_age: Option<Duration>,
    pub(crate) end_age: Option<Duration>,
    pub(crate) forecast: bool,
    /// A required manufacturer (MVX), standing for CDSi's trade name (Recombivax HB
    /// adult in the adolescent HepB series).
    pub(crate) mvx: Option<String>,
}

/// When a conditional skip applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub(crate) enum SkipContext {
    /// Only while evaluating past doses.
    Evaluation,
    /// Only while forecasting.
    Forecast,
    /// Both.
    Both,
}

/// A conditional skip: sets of conditions under which a target dose is skipped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ConditionalSkip {
    pub(crate) context: SkipContext,
    pub(crate) all_sets: bool,
    pub(crate) sets: Vec<SkipSet>,
}

/// One set of conditions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SkipSet {
    pub(crate) all_conditions: bool,
    pub(crate) effective: Option<Date>,
    pub(crate) cessation: Option<Date>,
    pub(crate) conditions: Vec<SkipCondition>,
}

// Built by the CDSi loader only; the engine handles them for any schedule that has them.
#[cfg_attr(not(feature = "cdsi-us"), allow(dead_code))]
/// How a dose count compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub(crate) enum CountLogic {
    /// More than the count.
    GreaterThan,
    /// Exactly the count.
    Equal,
    /// Fewer than the count.
    LessThan,
}

// Built by the CDSi loader only; the engine handles them for any schedule that has them.
#[cfg_attr(not(feature = "cdsi-us"), allow(dead_code))]
/// One condition of a conditional skip.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub(crate) enum SkipCondition {
    /// The reference date is in `[dob + begin, dob + end)`.
    Age {
        /// Begin age.
        begin: Option<Duration>,
        /// End age.
        end: Option<Duration>,
    },
    /// A series in one of these series groups is complete.
    CompletedSeries(Vec<String>),
    /// The reference date is at least this long after the previous dose.
    Interval(Duration),
    /// A count of doses of some vaccines, within ages and dates, compares with `count`.
    VaccineCount {
        /// Begin age.
        begin_age: Option<Duration>,
        /// End age.
        end_age: Option<Duration>,
        /// Start date.
        start: Option<Date>,
        /// End date.
        end: Option<Date>,
        /// The count compared with.
        count: u32,
        /// Count only valid doses (else all).
        valid_only: bool,
        /// The comparison.
        logic: CountLogic,
        /// The vaccines counted (empty = any).
        vaccines: Vec<usize>,
    },
}

/// A live-virus (or other) conflict: a dose of `current` given within the window after a
/// dose of `previous` is not valid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LiveVirusConflict {
    pub(crate) previous: usize,
    pub(crate) current: usize,
    pub(crate) begin: Duration,
    pub(crate) min_end: Duration,
    pub(crate) end: Duration,
}

/// Immunity by birth date (born before the date: immune).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BirthImmunity {
    pub(crate) antigen: String,
    pub(crate) born_before: Date,
}

/// The key a vaccine code, CVX code, name or group name is looked up by, or `None` for
/// a text that is none of these. One documented rule, so that a code is read as exactly
/// one vaccine or not at all:
///
/// - **CVX codes** are ASCII digits only (surrounding spaces ignored); leading zeros are
///   allowed (`"010"` is CVX 10). Nothing else is a CVX code: `"10.0"` (a spreadsheet's
///   export of 10), `"-1"`, `"1e1"` and `"１０"` are refused, never read as 100, 1 or 10.
/// - **Names** contain at least one ASCII letter and are compared ignoring case and the
///   separators `-`, `_`, `.` and space (`"DPT HB Hib"` is `DPT-HB-Hib`), except that a
///   separator between two digits is kept, so digits on either side never merge
///   (`"PCV 1.0"` is not `"PCV10"`).
/// - Any other text (no letter and not all digits) is no code: `None`.
pub(crate) fn normalize_code(code: &str) -> Option<String> {
    let t = code.trim();
    if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) {
        let s = t.trim_start_matches('0');
        return Some(if s.is_empty() {
            "0".to_string()
        } else {
            s.to_string()
        });
    }
    if !t.bytes().any(|b| b.is_ascii_alphabetic()) {
        return None;
    }
    let mut key = String::with_capacity(t.len());
    let mut separated = false;
    for c in t.chars() {
        if matches!(c, '-' | '_' | '.' | ' ') {
            separated = true;
            continue;
        }
        if separated && c.is_ascii_digit() && key.ends_with(|k: char| k.is_ascii_digit()) {
            key.push('.');
        }
        separated = false;
        key.extend(c.to_lowercase());
    }
    Some(key)
}

/// True when `code` is a CVX code by [`normalize_code`]'s rule: ASCII digits only.
pub(crate) fn is_cvx(code: &str) -> bool {
    let t = code.trim();
    !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit())
}

impl Schedule {
    /// The schedule's id (`cdsi-us`, `id-kemenkes`).
    #[must_use]
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Its title.
    #[must_use]
    pub fn title(&self) -> &str {
        &self.title
    }

    /// The grace period in days (absolute minimum = minimum − grace when the data gives
    /// no absolute minimum): 4 in CDSi, 0 for Kemenkes.
    #[must_use]
    pub fn grace_period_days(&self) -> i32 {
        self.grace_period_days
    }

    /// The words this schedule shows for a kind of age band (`id-kemenkes`: the Buku
    /// KIA chart's, such as `"tidak diperbolehkan"`), or the kind's neutral name when the
    /// schedule gives none.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[cfg(feature = "id-kemenkes")]
    /// # {
    /// use sehat_immunization::{Band, Schedule};
    ///
    /// let id = Schedule::id_kemenkes()?;
    /// assert_eq!(id.band_label(Band::CatchUp), "imunisasi kejar");
    /// # }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn band_label(&self, band: crate::model::band::Band) -> &str {
        self.band_labels
            .iter()
            .find(|(b, _)| *b == band)
            .map_or(band.name(), |(_, l)| l.as_str())
    }

    /// The options a Kemenkes schedule was loaded with.
    #[cfg(feature = "id-kemenkes")]
    #[cfg_attr(docsrs, doc(cfg(feature = "id-kemenkes")))]
    #[must_use]
    pub fn kemenkes_options(&self) -> Option<&crate::model::kemenkes_options::KemenkesOptions> {
        self.kemenkes.as_ref().map(|k| &k.options)
    }

    /// The vaccine groups, in schedule order.
    #[must_use]
    pub fn vaccine_groups(&self) -> &[VaccineGroup] {
        &self.groups
    }

    /// The series.
    #[must_use]
    pub fn series(&self) -> &[Series] {
        &self.series
    }

    /// A vaccine group by name or code, ignoring case and the separators `-`, `_`, `.`
    /// and space (never between two digits).
    #[must_use]
    pub fn vaccine_group(&self, name: &str) -> Option<&VaccineGroup> {
        let key = normalize_code(name)?;
        let key = Some(key);
        self.groups.iter().find(|g| {
            normalize_code(&g.name) == key || g.codes.iter().any(|c| normalize_code(c) == key)
        })
    }

    /// A vaccine by code, CVX or name. A CVX code is digits only (leading zeros
    /// allowed); a name has a letter and is compared ignoring case and separators;
    /// anything else (`"10.0"`, `"-1"`) finds nothing.
    #[must_use]
    pub fn vaccine(&self, code: &str) -> Option<&Vaccine> {
        self.vaccine_index(code).and_then(|i| self.vaccines.get(i))
    }

    pub(crate) fn vaccine_index(&self, code: &str) -> Option<usize> {
        self.vaccine_index.get(&normalize_code(code)?).copied()
    }

    /// Builds the lookup tables once the data is in place.
    pub(crate) fn finish(mut self, source: &str) -> Result<Schedule, ScheduleError> {
        self.vaccine_index.clear();
        for (i, v) in self.vaccines.iter().enumerate() {
            for key in std::iter::once(&v.code)
                .chain(v.cvx.iter())
                .chain(v.aliases.iter())
            {
                let normalized = normalize_code(key).ok_or_else(|| {
                    ScheduleError::new(source, &v.code, format!("{key:?} is not a vaccine code"))
                })?;
                // Two vaccines under one key would make a dose mean either.
                match self.vaccine_index.entry(normalized) {
                    Entry::Occupied(e) if *e.get() != i => {
                        return Err(ScheduleError::new(
                            source,
                            &v.code,
                            format!("{key:?} also names vaccine #{}", e.get() + 1),
                        ));
                    }
                    Entry::Occupied(_) => {}
                    Entry::Vacant(e) => {
                        e.insert(i);
                    }
                }
            }
        }
        for s in &self.series {
            if !self.antigens.contains(&s.antigen) {
                self.antigens.push(s.antigen.clone());
            }
        }
        self.series_by_antigen = vec![Vec::new(); self.antigens.len()];
        for (i, s) in self.series.iter().enumerate() {
            let a = self
                .antigens
                .iter()
                .position(|x| *x == s.antigen)
                .ok_or_else(|| ScheduleError::new(source, &s.name, "series antigen missing"))?;
            self.series_by_antigen[a].push(i);
        }
        self.vaccine_antigens = self
            .vaccines
            .iter()
            .map(|v| {
                v.antigens
                    .iter()
                    .filter_map(|a| {
                        self.antigens
                            .iter()
                            .position(|x| *x == a.antigen)
                            .map(|i| (i, a.begin_age, a.end_age))
                    })
                    .collect()
            })
            .collect();
        self.conflicts_by_current = vec![Vec::new(); self.vaccines.len()];
        for (i, c) in self.conflicts.iter().enumerate() {
            if let Some(list) = self.conflicts_by_current.get_mut(c.current) {
                list.push(i);
            }
        }
        self.group_antigens = self
            .groups
            .iter()
            .map(|g| {
                g.antigens
                    .iter()
                    .filter_map(|a| self.antigens.iter().position(|x| x == a))
                    .collect()
            })
            .collect();
        self.antigen_in_group = vec![false; self.antigens.len()];
        for list in &self.group_antigens {
            for &a in list {
                self.antigen_in_group[a] = true;
            }
        }
        self.gated_antigen = self
            .series_by_antigen
            .iter()
            .map(|list| {
                list.iter().all(|&s| {
                    self.series[s].school_from.is_some() || self.series[s].population_ages.is_some()
                })
            })
            .collect();
        for g in &self.groups {
            for a in &g.antigens {
                if !self.antigens.contains(a) {
                    return Err(ScheduleError::new(
                        source,
                        format!("vaccine group {}", g.name),
                        format!("antigen {a} has no series"),
                    ));
                }
            }
        }
        Ok(self)
    }
}
