//! Assessing a patient: organize the history, evaluate and forecast every relevant
//! patient series, select the best series (CDSi chapter 8) and merge antigens into
//! vaccine-group results (chapter 9).

use std::fmt;

use time::Date;

use crate::engine::evaluation::{Context, Given, Record, Run, TargetStatus, needs_completed};
use crate::error::PatientError;
use crate::model::band::Band;
use crate::model::patient::{Patient, Sex};
use crate::model::schedule::{Schedule, SeriesType};

/// The status of a patient series or vaccine group (CDSi Table 3-3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SeriesStatus {
    /// More doses are needed.
    NotComplete,
    /// The series is complete.
    Complete,
    /// The patient is too old to start or finish.
    AgedOut,
    /// The patient has evidence of immunity.
    Immune,
    /// No dose is recommended (all remaining doses skipped, season over).
    NotRecommended,
    /// A contraindication applies.
    Contraindicated,
}

impl fmt::Display for SeriesStatus {
    /// CDSi's spelling as the test cases write it (`Not complete`, `Aged out`, …).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SeriesStatus::NotComplete => "Not complete",
            SeriesStatus::Complete => "Complete",
            SeriesStatus::AgedOut => "Aged out",
            SeriesStatus::Immune => "Immune",
            SeriesStatus::NotRecommended => "Not recommended",
            SeriesStatus::Contraindicated => "Contraindicated",
        })
    }
}

/// The evaluation status of an administered dose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EvaluationStatus {
    /// Counts for the series.
    Valid,
    /// Does not count.
    NotValid,
    /// Not needed (too old, or the series was already complete).
    Extraneous,
    /// Could not be evaluated (expired lot, dose condition).
    SubStandard,
}

impl fmt::Display for EvaluationStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            EvaluationStatus::Valid => "Valid",
            EvaluationStatus::NotValid => "Not Valid",
            EvaluationStatus::Extraneous => "Extraneous",
            EvaluationStatus::SubStandard => "Sub-standard",
        })
    }
}

/// Why a dose was evaluated as it was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EvaluationReason {
    /// Given before the absolute minimum age.
    TooYoung,
    /// Given at or after the maximum age.
    TooOld,
    /// Given before the absolute minimum interval.
    TooSoon,
    /// Valid only thanks to the grace period.
    GracePeriod,
    /// The vaccine is inadvertent for this dose.
    InadvertentVaccine,
    /// Within a live-virus conflict window.
    LiveVirusConflict,
    /// Neither a preferable nor an allowable vaccine for this dose.
    NotPreferableOrAllowable,
    /// The series was already complete.
    SeriesComplete,
    /// The dose is sub-standard (a dose condition or an expired lot).
    DoseCondition,
}

impl fmt::Display for EvaluationReason {
    /// The reason as the CDSi test cases spell it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            EvaluationReason::TooYoung => "Age: Too Young",
            EvaluationReason::TooOld => "Age: Too Old",
            EvaluationReason::TooSoon => "Interval: too Soon",
            EvaluationReason::GracePeriod => "Grace Period",
            EvaluationReason::InadvertentVaccine => "Inadvertent Vaccine",
            EvaluationReason::LiveVirusConflict => "Live Virus Conflict",
            EvaluationReason::NotPreferableOrAllowable => "Not a preferable or allowable vaccine",
            EvaluationReason::SeriesComplete => "Series Already Complete",
            EvaluationReason::DoseCondition => "Sub-standard dose",
        })
    }
}

/// The evaluation of one administered dose for a vaccine group.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DoseEvaluation {
    /// The dose's position in the patient's history (0-based).
    pub dose: usize,
    /// The date administered.
    pub date: Date,
    /// The vaccine as recorded.
    pub vaccine: String,
    /// The status.
    pub status: EvaluationStatus,
    /// The reason, if any: the first that applied in CDSi's order (age, interval,
    /// conflict, vaccine).
    pub reason: Option<EvaluationReason>,
    /// Every reason that applied, in the same order.
    pub reasons: Vec<EvaluationReason>,
}

/// The assessment of one vaccine group: status, next dose and its dates, and the
/// evaluation of every dose that carries one of its antigens.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct GroupAssessment {
    /// The vaccine group's name.
    pub group: String,
    /// Short codes of the group (`DTAP` for `DTaP/Tdap/Td`).
    pub codes: Vec<String>,
    /// The status.
    pub status: SeriesStatus,
    /// The dose number forecast (None when no dose is forecast).
    pub forecast_dose_number: Option<u32>,
    /// The earliest date the next dose is valid (without grace period).
    pub earliest_date: Option<Date>,
    /// When the next dose should be given.
    pub recommended_date: Option<Date>,
    /// From this date the dose is overdue.
    pub past_due_date: Option<Date>,
    /// The last date the dose may be given.
    pub latest_date: Option<Date>,
    /// The recommended vaccines (codes).
    pub recommended_vaccines: Vec<String>,
    /// The label of the dose forecast (`DPT-HB-Hib 2`), from the best series.
    pub dose_label: Option<String>,
    /// The names of the best series behind the result.
    pub series: Vec<String>,
    /// For schedules with Buku KIA bands: the band of the forecast dose on the
    /// assessment date.
    pub band: Option<Band>,
    /// The schedule's words for `band` (`id-kemenkes`: the Buku KIA chart's, such as
    /// `"dianjurkan"`).
    pub band_label: Option<String>,
    /// Evaluated doses, in history order.
    pub doses: Vec<DoseEvaluation>,
}

impl GroupAssessment {
    /// Whether the next dose is due (recommended date reached) or overdue on `on`.
    #[must_use]
    pub fn is_due_on(&self, on: Date) -> bool {
        self.status == SeriesStatus::NotComplete
            && self.recommended_date.is_some_and(|r| r <= on)
            && self.latest_date.is_none_or(|l| l >= on)
    }

    /// Whether the next dose is overdue on `on` (on or after the past-due date).
    #[must_use]
    pub fn is_overdue_on(&self, on: Date) -> bool {
        self.is_due_on(on) && self.past_due_date.is_some_and(|p| p <= on)
    }
}

/// The assessment of one patient on one date.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Assessment {
    /// The patient's id, if any.
    pub patient: Option<String>,
    /// The assessment date.
    pub assessment_date: Date,
    /// One result per vaccine group of the schedule that applies to the patient.
    pub groups: Vec<GroupAssessment>,
}

impl Assessment {
    /// The result for a vaccine group, by name or code.
    #[must_use]
    pub fn group(&self, name: &str) -> Option<&GroupAssessment> {
        let key = Some(crate::model::schedule::normalize_code(name)?);
        self.groups.iter().find(|g| {
            crate::model::schedule::normalize_code(&g.group) == key
                || g.codes
                    .iter()
                    .any(|c| crate::model::schedule::normalize_code(c) == key)
        })
    }
}

/// Assesses `patient` against `schedule` on `on`: every vaccine group with its status,
/// next dose and dates, and the evaluation of each dose.
///
/// # Errors
///
/// [`PatientError`] when a dose names a vaccine the schedule does not know, a dose is
/// dated before birth, or `on` is before birth.
///
/// # Examples
///
/// ```
/// # #[cfg(feature = "id-kemenkes")]
/// # {
/// use sehat_immunization::{assess, Patient, Schedule, Sex, SeriesStatus};
/// use time::macros::date;
///
/// let schedule = Schedule::id_kemenkes()?;
/// let child = Patient::new(date!(2025 - 01 - 10), Sex::Male)
///     .dose(date!(2025 - 03 - 10), "DPT-HB-Hib");
/// let result = assess(&child, schedule, date!(2025 - 04 - 20))?;
/// let dpt = result.group("DPT-HB-Hib").unwrap();
/// assert_eq!(dpt.status, SeriesStatus::NotComplete);
/// assert_eq!(dpt.forecast_dose_number, Some(2));
/// assert_eq!(dpt.recommended_date, Some(date!(2025 - 04 - 10)));
/// # }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn assess(
    patient: &Patient,
    schedule: &Schedule,
    on: Date,
) -> Result<Assessment, PatientError> {
    assess_groups(patient, schedule, on, None)
}

/// Assesses one vaccine group only (by name or code): the same result as
/// [`assess`]'s entry for that group, without the work for the others. `None` when the
/// schedule has no such group or no series of it applies to the patient.
///
/// # Errors
///
/// As [`assess`].
///
/// # Examples
///
/// ```
/// # #[cfg(feature = "cdsi-us")]
/// # {
/// use sehat_immunization::{assess_group, Patient, Schedule, Sex};
/// use time::macros::date;
///
/// let child = Patient::new(date!(2025 - 01 - 10), Sex::Male).dose(date!(2025 - 03 - 12), "20");
/// let dtap = assess_group(&child, Schedule::cdsi_us()?, date!(2025 - 04 - 01), "DTAP")?.unwrap();
/// assert_eq!(dtap.forecast_dose_number, Some(2));
/// # }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn assess_group(
    patient: &Patient,
    schedule: &Schedule,
    on: Date,
    group: &str,
) -> Result<Option<GroupAssessment>, PatientError> {
    let Some(wanted) = schedule.vaccine_group(group) else {
        return Ok(None);
    };
    let mut a = assess_groups(patient, schedule, on, Some(&wanted.name))?;
    Ok(a.groups.pop())
}

/// The evaluated and forecast best series of every needed antigen, with its records.
struct Evaluated {
    best: Vec<Vec<Run>>,
    records: Vec<Vec<Record>>,
}

fn evaluate(
    patient: &Patient,
    schedule: &Schedule,
    on: Date,
    only: Option<usize>,
) -> Result<Evaluated, PatientError> {
    patient.check(on)?;
    let mut given = Vec::with_capacity(patient.doses.len());
    for (i, d) in patient.doses.iter().enumerate() {
        let vaccine =
            schedule
                .vaccine_index(&d.vaccine)
                .ok_or_else(|| PatientError::UnknownVaccine {
                    patient: patient.label().to_string(),
                    dose: i + 1,
                    vaccine: d.vaccine.clone(),
                    schedule: schedule.id.clone(),
                })?;
        given.push(Given {
            date: d.date,
            vaccine,
        });
    }
    let n = schedule.antigens.len();
    let mut out = Evaluated {
        best: Vec::with_capacity(n),
        records: Vec::with_capacity(n),
    };
    for antigen in 0..n {
        let wanted = match only {
            Some(g) => schedule.group_antigens[g].contains(&antigen),
            None => schedule.antigen_in_group[antigen],
        };
        let wanted = wanted
            && (!schedule.gated_antigen[antigen]
                || schedule.series_by_antigen[antigen]
                    .iter()
                    .any(|&s| crate::model::school::gate_open(&schedule.series[s], patient, on)));
        if !wanted {
            out.best.push(Vec::new());
            out.records.push(Vec::new());
            continue;
        }
        let records = organize(schedule, patient.dob, &given, antigen);
        let best = assess_antigen(schedule, patient, on, &given, &records, antigen);
        out.best.push(best);
        out.records.push(records);
    }
    Ok(out)
}

fn assess_groups(
    patient: &Patient,
    schedule: &Schedule,
    on: Date,
    only: Option<&str>,
) -> Result<Assessment, PatientError> {
    let only = only.and_then(|o| schedule.groups.iter().position(|g| g.name == o));
    let ev = evaluate(patient, schedule, on, only)?;
    let mut groups = Vec::with_capacity(schedule.groups.len());
    for (gi, g) in schedule.groups.iter().enumerate() {
        if only.is_some_and(|o| o != gi) {
            continue;
        }
        let antigens = &schedule.group_antigens[gi];
        if antigens.iter().all(|&a| ev.best[a].is_empty()) {
            continue;
        }
        groups.push(merge_group(
            schedule,
            patient,
            on,
            g,
            antigens,
            &ev.best,
            &ev.records,
        ));
    }
    Ok(Assessment {
        patient: patient.id.clone(),
        assessment_date: on,
        groups,
    })
}

/// The forecast part of a vaccine group's result, without strings or dose lists.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Merged {
    pub(crate) status: SeriesStatus,
    pub(crate) dose_number: Option<u32>,
    pub(crate) earliest: Option<Date>,
    pub(crate) recommended: Option<Date>,
    pub(crate) past_due: Option<Date>,
    pub(crate) latest: Option<Date>,
    /// (series, series dose) of the first forecast
    pub(crate) target: Option<(usize, usize)>,
}

/// For each vaccine group that applies (by index), its merged forecast: the light path
/// of cohort reminders.
pub(crate) fn forecast_groups(
    patient: &Patient,
    schedule: &Schedule,
    on: Date,
) -> Result<Vec<(usize, Merged)>, PatientError> {
    let ev = evaluate(patient, schedule, on, None)?;
    let mut out = Vec::with_capacity(schedule.groups.len());
    for (gi, g) in schedule.groups.iter().enumerate() {
        let antigens = &schedule.group_antigens[gi];
        if antigens.iter().all(|&a| ev.best[a].is_empty()) {
            continue;
        }
        out.push((gi, merge_forecast(g, antigens, &ev.best, &ev.records)));
    }
    Ok(out)
}

/// Splits the history into antigen administered records (CDSi 4.2).
fn organize(schedule: &Schedule, dob: Date, given: &[Given], antigen: usize) -> Vec<Record> {
    let mut records: Vec<Record> = given
        .iter()
        .enumerate()
        .filter(|(_, g)| {
            schedule.vaccine_antigens[g.vaccine]
                .iter()
                .any(|(a, begin, end)| {
                    *a == antigen
                        && begin.is_none_or(|b| g.date >= b.after(dob))
                        && end.is_none_or(|e| g.date < e.after(dob))
                })
        })
        .map(|(i, g)| Record {
            dose: i,
            date: g.date,
            vaccine: g.vaccine,
        })
        .collect();
    records.sort_by_key(|r| (r.date, r.dose));
    records
}

fn relevant(
    schedule: &Schedule,
    patient: &Patient,
    on: Date,
    records: &[Record],
    series: usize,
) -> bool {
    let s = &schedule.series[series];
    if !matches!(
        s.series_type,
        SeriesType::Standard | SeriesType::EvaluationOnly
    ) {
        return false;
    }
    if !s.required_sex.is_empty() && !s.required_sex.contains(&patient.sex) {
        let unknown_ok = patient.sex == Sex::Unknown;
        if !unknown_ok {
            return false;
        }
    }
    if !s.regions.is_empty()
        && !patient
            .region
            .as_ref()
            .is_some_and(|r| s.regions.iter().any(|x| x.eq_ignore_ascii_case(r)))
    {
        return false;
    }
    if !crate::model::school::gate_open(s, patient, on) {
        return false;
    }
    if let Some((min, max)) = s.start_window {
        let start = records.first().map_or(on, |r| r.date);
        if min.is_some_and(|m| start < m.after(patient.dob))
            || max.is_some_and(|m| start >= m.after(patient.dob))
        {
            return false;
        }
    }
    true
}

fn assess_antigen(
    schedule: &Schedule,
    patient: &Patient,
    on: Date,
    given: &[Given],
    records: &[Record],
    antigen: usize,
) -> Vec<Run> {
    let name = &schedule.antigens[antigen];
    let immune = schedule
        .immunity
        .iter()
        .any(|i| &i.antigen == name && patient.dob < i.born_before);
    let series: Vec<usize> = schedule.series_by_antigen[antigen]
        .iter()
        .copied()
        .filter(|&s| relevant(schedule, patient, on, records, s))
        .collect();
    if series.is_empty() {
        return Vec::new();
    }
    let mut runs: Vec<Run> = Vec::with_capacity(series.len());
    let mut complete_groups: Vec<&str> = Vec::new();
    for pass in [false, true] {
        for &s in &series {
            if needs_completed(&schedule.series[s]) != pass {
                continue;
            }
            let ctx = Context {
                schedule,
                dob: patient.dob,
                assessment: on,
                given,
                doses: &patient.doses,
                records,
                complete_groups: &complete_groups,
                immune,
                school: patient.school,
            };
            let run = ctx.run(s);
            if !pass && run.status == SeriesStatus::Complete {
                complete_groups.push(schedule.series[s].series_group.as_str());
            }
            runs.push(run);
        }
    }
    // A series with a minimum age to start (HPV 3-dose from 15 years, pneumococcal 50+)
    // is kept when doses count in it; without any, only once the patient has the age.
    runs.retain(|r| {
        let s = &schedule.series[r.series];
        r.valid_count() > 0
            || s.min_age_to_start
                .is_none_or(|m| on >= m.after(patient.dob))
    });
    select_best(schedule, patient, records, runs)
}

/// CDSi chapter 8: one prioritized series per series group, then the best series.
fn select_best(
    schedule: &Schedule,
    patient: &Patient,
    records: &[Record],
    runs: Vec<Run>,
) -> Vec<Run> {
    if let [only] = runs.as_slice() {
        // One relevant series: it is its group's prioritized series (Table 8-3).
        let keep = only.status == SeriesStatus::Complete
            || schedule.series[only.series].series_type != SeriesType::EvaluationOnly;
        return if keep { runs } else { Vec::new() };
    }
    let mut group_names: Vec<&str> = Vec::new();
    for r in &runs {
        let g = schedule.series[r.series].series_group.as_str();
        if !group_names.contains(&g) {
            group_names.push(g);
        }
    }
    let mut chosen: Vec<usize> = Vec::new();
    for g in group_names {
        let members: Vec<&Run> = runs
            .iter()
            .filter(|r| schedule.series[r.series].series_group == g)
            .collect();
        if let Some(p) = prioritize(schedule, patient, records, &members)
            && let Some(i) = runs.iter().position(|r| std::ptr::eq(r, p))
        {
            chosen.push(i);
        }
    }
    let prioritized: Vec<Run> = runs
        .into_iter()
        .enumerate()
        .filter(|(i, _)| chosen.contains(i))
        .map(|(_, r)| r)
        .collect();
    let complete_groups: Vec<&str> = prioritized
        .iter()
        .filter(|r| r.status == SeriesStatus::Complete)
        .map(|r| schedule.series[r.series].series_group.as_str())
        .collect();
    prioritized
        .into_iter()
        .filter(|r| {
            let s = &schedule.series[r.series];
            if r.status == SeriesStatus::Complete {
                return true;
            }
            if s.series_type == SeriesType::EvaluationOnly {
                return false;
            }
            !s.equivalent_groups
                .iter()
                .any(|e| complete_groups.contains(&e.as_str()))
        })
        .collect()
}

fn prioritize<'r>(
    schedule: &Schedule,
    patient: &Patient,
    records: &[Record],
    members: &[&'r Run],
) -> Option<&'r Run> {
    let series = |r: &Run| &schedule.series[r.series];
    let all_zero = members.iter().all(|r| r.valid_count() == 0);
    let has_default = members.iter().any(|r| series(r).default);
    let scorable: Vec<&Run> = members
        .iter()
        .copied()
        .filter(|r| {
            let s = series(r);
            match s.series_type {
                SeriesType::Standard => {
                    if r.valid_count() > 0 {
                        let first = r.first_valid_date(records);
                        s.max_age_to_start
                            .is_none_or(|m| first.is_some_and(|f| f < m.after(patient.dob)))
                    } else {
                        all_zero && !has_default
                    }
                }
                SeriesType::EvaluationOnly => r.status == SeriesStatus::Complete,
                SeriesType::Risk => true,
            }
        })
        .collect();
    let default = members.iter().copied().find(|r| series(r).default);
    let complete: Vec<&Run> = scorable
        .iter()
        .copied()
        .filter(|r| r.status == SeriesStatus::Complete)
        .collect();
    let in_process: Vec<&Run> = scorable
        .iter()
        .copied()
        .filter(|r| r.status == SeriesStatus::NotComplete && r.valid_count() > 0)
        .collect();
    match scorable.len() {
        0 => {
            return default
                .or_else(|| members.iter().copied().min_by_key(|r| series(r).preference));
        }
        1 => return scorable.first().copied(),
        _ => {}
    }
    if complete.len() == 1 {
        return complete.first().copied();
    }
    if complete.is_empty() && in_process.len() == 1 {
        return in_process.first().copied();
    }
    if complete.is_empty() && in_process.is_empty() && default.is_some() {
        return default;
    }
    let (pool, kind) = if complete.len() >= 2 {
        (complete, 0)
    } else if in_process.len() >= 2 {
        (in_process, 1)
    } else {
        (scorable, 2)
    };
    let scores: Vec<i32> = pool
        .iter()
        .map(|r| score(schedule, records, r, &pool, kind))
        .collect();
    let best = scores.iter().copied().max()?;
    pool.iter()
        .zip(&scores)
        .filter(|(_, s)| **s == best)
        .map(|(r, _)| *r)
        .min_by_key(|r| series(r).preference)
}

fn points(holds: bool, others: usize, yes: i32, tie: i32, no: i32) -> i32 {
    match (holds, others) {
        (true, 0) => yes,
        (true, _) => tie,
        (false, _) => no,
    }
}

fn score(schedule: &Schedule, records: &[Record], r: &Run, pool: &[&Run], kind: u8) -> i32 {
    let valid = |x: &Run| x.valid_count();
    let completable = |x: &Run| {
        x.forecast
            .as_ref()
            .is_some_and(|f| match (f.finish, f.last_max_age) {
                (Some(fin), Some(max)) => fin < max,
                (Some(_), None) => true,
                _ => false,
            })
    };
    let count_others = |pred: &dyn Fn(&Run) -> bool| {
        pool.iter()
            .filter(|o| !std::ptr::eq(**o, r) && pred(o))
            .count()
    };
    let most_valid = |x: &Run| pool.iter().all(|o| valid(x) >= valid(o));
    match kind {
        0 => points(most_valid(r), count_others(&most_valid), 1, 0, -1),
        1 => {
            let product = schedule.series[r.series].product_path;
            let all_valid = r.evals.iter().zip(records).all(|(e, _)| {
                e.is_none_or(|e| !e.against_target || e.status == EvaluationStatus::Valid)
            });
            let not_satisfied = |x: &Run| {
                x.targets
                    .iter()
                    .filter(|t| t.status == TargetStatus::NotSatisfied)
                    .count()
            };
            let closest = |x: &Run| {
                pool.iter()
                    .all(|o| std::ptr::eq(*o, x) || not_satisfied(x) < not_satisfied(o))
            };
            let finish = |x: &Run| x.forecast.as_ref().and_then(|f| f.finish);
            let earliest_finish = |x: &Run| {
                completable(x)
                    && pool
                        .iter()
                        .filter(|o| completable(o))
                        .all(|o| finish(x).zip(finish(o)).is_some_and(|(a, b)| a <= b))
            };
            let mut s = 0;
            s += if product && all_valid { 2 } else { -2 };
            s += if completable(r) { 3 } else { -3 };
            s += points(most_valid(r), count_others(&most_valid), 2, 0, -2);
            s += points(closest(r), 0, 2, 0, -2);
            s += points(earliest_finish(r), count_others(&earliest_finish), 1, 0, -1);
            s
        }
        _ => {
            let start = |x: &Run| x.forecast.as_ref().and_then(|f| f.earliest);
            let starts_earliest = |x: &Run| {
                start(x).is_some_and(|a| {
                    pool.iter()
                        .all(|o| std::ptr::eq(*o, x) || start(o).is_none_or(|b| a < b))
                })
            };
            let mut s = points(starts_earliest(r), 0, 1, 0, -1);
            s += if completable(r) { 1 } else { -1 };
            s += if schedule.series[r.series].product_path {
                -1
            } else {
                1
            };
            s
        }
    }
}

fn merge_forecast(
    group: &crate::model::schedule::VaccineGroup,
    antigens: &[usize],
    best: &[Vec<Run>],
    records: &[Vec<Record>],
) -> Merged {
    let runs = || antigens.iter().flat_map(|&a| best[a].iter());
    let count = runs().count();
    let has = |s: SeriesStatus| runs().any(|r| r.status == s);
    let status = if antigens.len() == 1 && count > 1 {
        // Several best series of one antigen (series groups that are not equivalent):
        // a dose is needed if any needs one; else complete if any is complete.
        [
            SeriesStatus::NotComplete,
            SeriesStatus::Complete,
            SeriesStatus::Immune,
            SeriesStatus::Contraindicated,
            SeriesStatus::NotRecommended,
        ]
        .into_iter()
        .find(|s| has(*s))
        .unwrap_or(SeriesStatus::AgedOut)
    } else if has(SeriesStatus::Contraindicated) {
        SeriesStatus::Contraindicated
    } else if has(SeriesStatus::AgedOut) && antigens.len() > 1 {
        SeriesStatus::AgedOut
    } else if has(SeriesStatus::NotRecommended) && antigens.len() > 1 {
        SeriesStatus::NotRecommended
    } else if has(SeriesStatus::NotComplete) {
        SeriesStatus::NotComplete
    } else if count > 0 && runs().all(|r| r.status == SeriesStatus::Immune) {
        SeriesStatus::Immune
    } else if runs().all(|r| matches!(r.status, SeriesStatus::Complete | SeriesStatus::Immune)) {
        SeriesStatus::Complete
    } else if has(SeriesStatus::AgedOut) {
        SeriesStatus::AgedOut
    } else {
        SeriesStatus::NotRecommended
    };
    let mut m = Merged {
        status,
        dose_number: None,
        earliest: None,
        recommended: None,
        past_due: None,
        latest: None,
        target: None,
    };
    if status != SeriesStatus::NotComplete {
        return m;
    }
    let forecasts = || {
        runs()
            .filter(|r| r.status == SeriesStatus::NotComplete)
            .filter_map(|r| r.forecast.as_ref().map(|f| (r, f)))
    };
    let Some((first_run, first)) = forecasts().next() else {
        return m;
    };
    let earliest_min = forecasts().filter_map(|(_, f)| f.earliest).min();
    let earliest_max = forecasts().filter_map(|(_, f)| f.earliest).max();
    let earliest = if antigens.len() > 1 {
        if forecasts().any(|(_, f)| f.priority) {
            let last_dose = antigens
                .iter()
                .flat_map(|&a| records[a].iter())
                .map(|r| r.date)
                .max();
            earliest_min.max(last_dose)
        } else {
            earliest_max
        }
    } else {
        earliest_min
    };
    let rec = forecasts().filter_map(|(_, f)| f.recommended).min();
    let past_due = forecasts().filter_map(|(_, f)| f.past_due).min();
    m.earliest = earliest;
    m.recommended = rec.max(earliest);
    m.past_due = past_due.map(|p| earliest.map_or(p, |e| p.max(e)));
    m.latest = forecasts().filter_map(|(_, f)| f.latest).min();
    m.dose_number = if group.administer_full_group {
        forecasts().map(|(_, f)| f.dose_number).min()
    } else {
        forecasts().map(|(_, f)| f.dose_number).max()
    };
    m.target = Some((first_run.series, first.target_dose));
    m
}

fn merge_group(
    schedule: &Schedule,
    patient: &Patient,
    on: Date,
    group: &crate::model::schedule::VaccineGroup,
    antigens: &[usize],
    best: &[Vec<Run>],
    records: &[Vec<Record>],
) -> GroupAssessment {
    let runs: Vec<(&Run, usize)> = antigens
        .iter()
        .flat_map(|&a| best[a].iter().map(move |r| (r, a)))
        .collect();
    let m = merge_forecast(group, antigens, best, records);
    let mut out = GroupAssessment {
        group: group.name.clone(),
        codes: group.codes.clone(),
        status: m.status,
        forecast_dose_number: m.dose_number,
        earliest_date: m.earliest,
        recommended_date: m.recommended,
        past_due_date: m.past_due,
        latest_date: m.latest,
        recommended_vaccines: Vec::new(),
        dose_label: None,
        series: runs
            .iter()
            .map(|(r, _)| schedule.series[r.series].name.clone())
            .collect(),
        band: None,
        band_label: None,
        doses: Vec::new(),
    };
    if let Some((series, dose)) = m.target {
        let mut vaccines: Vec<String> = Vec::new();
        for (r, _) in &runs {
            let Some(f) = r
                .forecast
                .as_ref()
                .filter(|_| r.status == SeriesStatus::NotComplete)
            else {
                continue;
            };
            let series_dose = &schedule.series[r.series].doses[f.target_dose];
            for v in Context::recommended_vaccines(patient.dob, series_dose, f) {
                let code = &schedule.vaccines[v].code;
                if !vaccines.contains(code) {
                    vaccines.push(code.clone());
                }
            }
        }
        out.recommended_vaccines = vaccines;
        let dose = &schedule.series[series].doses[dose];
        out.dose_label = Some(dose.label.clone());
        out.band = crate::model::band::band_on(&dose.bands, patient.dob, on);
        out.band_label = out.band.map(|b| schedule.band_label(b).to_owned());
    }
    // Dose evaluations: within an antigen, the best status over its best series (an
    // adult's PCV dose is valid in the 50+ series even if too old for the infant one);
    // across the group's antigens, a dose that does not count for some antigen (not
    // valid) is not valid, and one that counts for some antigen is valid even where
    // another antigen's series was already complete (a decennial Tdap).
    let severity = |s: EvaluationStatus| match s {
        EvaluationStatus::Extraneous => 0,
        EvaluationStatus::Valid => 1,
        EvaluationStatus::SubStandard => 2,
        EvaluationStatus::NotValid => 3,
    };
    let rank = |s: EvaluationStatus| match s {
        EvaluationStatus::Valid => 0,
        EvaluationStatus::Extraneous => 1,
        EvaluationStatus::SubStandard => 2,
        EvaluationStatus::NotValid => 3,
    };
    let mut doses: Vec<DoseEvaluation> = Vec::new();
    for &antigen in antigens {
        let mut per_antigen: Vec<DoseEvaluation> = Vec::new();
        for (run, _) in runs.iter().filter(|(_, a)| *a == antigen) {
            for (rec, eval) in records[antigen].iter().zip(&run.evals) {
                let Some(eval) = eval else { continue };
                let reasons: Vec<EvaluationReason> = eval
                    .reason
                    .into_iter()
                    .chain(eval.also.iter().flatten().copied())
                    .collect();
                let candidate = DoseEvaluation {
                    dose: rec.dose,
                    date: rec.date,
                    vaccine: patient.doses[rec.dose].vaccine.clone(),
                    status: eval.status,
                    reason: eval.reason,
                    reasons,
                };
                match per_antigen.iter_mut().find(|d| d.dose == rec.dose) {
                    Some(d) if rank(candidate.status) < rank(d.status) => *d = candidate,
                    Some(_) => {}
                    None => per_antigen.push(candidate),
                }
            }
        }
        for candidate in per_antigen {
            match doses.iter_mut().find(|d| d.dose == candidate.dose) {
                Some(d) if severity(candidate.status) > severity(d.status) => *d = candidate,
                Some(_) => {}
                None => doses.push(candidate),
            }
        }
    }
    doses.sort_by_key(|d| d.dose);
    out.doses = doses;
    out
}
