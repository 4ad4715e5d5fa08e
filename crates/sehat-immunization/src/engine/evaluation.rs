//! Evaluation of administered doses against a patient series, and the forecast of its
//! next target dose (CDSi chapters 6 and 7).

use time::Date;

use crate::engine::assessment::{EvaluationReason, EvaluationStatus, SeriesStatus};
use crate::model::duration::Duration;
use crate::model::schedule::{
    AgeRule, ConditionalSkip, CountLogic, Interval, IntervalFrom, Schedule, Series, SeriesDose,
    SkipCondition, SkipContext,
};

const FAR_PAST: Date = Date::MIN;
const FAR_FUTURE: Date = Date::MAX;

/// One administered dose as the engine sees it: date, resolved vaccine.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Given {
    pub(crate) date: Date,
    pub(crate) vaccine: usize,
}

/// An antigen administered record: an index into the patient's doses.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Record {
    pub(crate) dose: usize,
    pub(crate) date: Date,
    pub(crate) vaccine: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TargetStatus {
    NotSatisfied,
    Satisfied,
    Skipped,
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct Target {
    pub(crate) dose: usize,
    pub(crate) status: TargetStatus,
    pub(crate) record: Option<usize>,
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct RecordEval {
    pub(crate) status: EvaluationStatus,
    pub(crate) reason: Option<EvaluationReason>,
    /// every reason that applied, in CDSi's order (age, interval, conflict, vaccine)
    pub(crate) also: [Option<EvaluationReason>; 3],
    pub(crate) inadvertent: bool,
    pub(crate) against_target: bool,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Forecast {
    pub(crate) dose_number: u32,
    pub(crate) target_dose: usize,
    pub(crate) earliest: Option<Date>,
    pub(crate) recommended: Option<Date>,
    pub(crate) past_due: Option<Date>,
    pub(crate) latest: Option<Date>,
    pub(crate) priority: bool,
    /// latest minimum interval over the remaining target doses (for SELECTB-12)
    pub(crate) finish: Option<Date>,
    pub(crate) last_max_age: Option<Date>,
}

/// A patient series after evaluation and forecast.
#[derive(Debug, Clone)]
pub(crate) struct Run {
    pub(crate) series: usize,
    pub(crate) targets: Vec<Target>,
    pub(crate) evals: Vec<Option<RecordEval>>,
    pub(crate) status: SeriesStatus,
    pub(crate) forecast: Option<Forecast>,
}

impl Run {
    pub(crate) fn valid_count(&self) -> usize {
        self.targets
            .iter()
            .filter(|t| t.status == TargetStatus::Satisfied)
            .count()
    }

    pub(crate) fn first_valid_date(&self, records: &[Record]) -> Option<Date> {
        self.targets
            .iter()
            .filter_map(|t| t.record)
            .map(|r| records[r].date)
            .min()
    }
}

pub(crate) struct Context<'a> {
    pub(crate) schedule: &'a Schedule,
    pub(crate) dob: Date,
    pub(crate) assessment: Date,
    pub(crate) given: &'a [Given],
    /// the patient's doses as recorded (for their manufacturer, MVX)
    pub(crate) doses: &'a [crate::model::patient::AdministeredDose],
    pub(crate) records: &'a [Record],
    /// series groups (of this antigen) with a complete relevant series
    pub(crate) complete_groups: &'a [&'a str],
    pub(crate) immune: bool,
    /// the patient's school grade, for school-triggered doses
    pub(crate) school: Option<crate::model::patient::SchoolGrade>,
}

fn age(dob: Date, d: Option<Duration>) -> Option<Date> {
    d.map(|d| d.after(dob))
}

fn in_effect(effective: Option<Date>, cessation: Option<Date>, on: Date) -> bool {
    effective.is_none_or(|e| on >= e) && cessation.is_none_or(|c| on <= c)
}

fn age_rule(dose: &SeriesDose, on: Date) -> AgeRule {
    dose.ages
        .iter()
        .find(|a| in_effect(a.effective, a.cessation, on))
        .or_else(|| dose.ages.first())
        .cloned()
        .unwrap_or_default()
}

impl Context<'_> {
    /// The age rule of `dose` on `on`; for a school dose, its school window for this
    /// patient on the assessment date.
    fn rule(&self, dose: &SeriesDose, on: Date) -> AgeRule {
        match &dose.school {
            Some(school) => school.age_rule(self.dob, self.school, self.assessment),
            None => age_rule(dose, on),
        }
    }

    fn abs_min(&self, abs: Option<Duration>, min: Option<Duration>) -> Option<Duration> {
        abs.or_else(|| min.map(|m| m.minus_days(self.schedule.grace_period_days)))
    }

    /// The reference date of an interval for the record at `current` (or, with `None`,
    /// for the forecast).
    fn reference(&self, run: &Run, from: &IntervalFrom, current: Option<usize>) -> Option<Date> {
        let limit = current.unwrap_or(self.records.len());
        match from {
            IntervalFrom::Previous => (0..limit).rev().find_map(|j| {
                run.evals[j]
                    .filter(|e| {
                        !e.inadvertent
                            && matches!(
                                e.status,
                                EvaluationStatus::Valid | EvaluationStatus::NotValid
                            )
                    })
                    .map(|_| self.records[j].date)
            }),
            IntervalFrom::TargetDose(n) => {
                let series = &self.schedule.series[run.series];
                run.targets
                    .iter()
                    .find(|t| series.doses.get(t.dose).is_some_and(|d| d.number == *n))
                    .and_then(|t| t.record)
                    .map(|r| self.records[r].date)
            }
            IntervalFrom::MostRecent(vaccines) => {
                let (before, skip) = match current {
                    Some(c) => (self.records[c].date, Some(self.records[c].dose)),
                    None => (self.assessment, None),
                };
                self.given
                    .iter()
                    .enumerate()
                    .filter(|(k, g)| {
                        Some(*k) != skip
                            && vaccines.contains(&g.vaccine)
                            && if current.is_some() {
                                g.date < before
                            } else {
                                g.date <= before
                            }
                    })
                    .map(|(_, g)| g.date)
                    .max()
            }
            IntervalFrom::Observation(_) => None,
        }
    }

    fn can_skip(
        &self,
        run: &Run,
        dose: &SeriesDose,
        context: SkipContext,
        on: Date,
        current: Option<usize>,
    ) -> bool {
        if let Some(school) = &dose.school
            && school.passed_over(self.dob, self.school, self.assessment, on)
        {
            return true;
        }
        dose.skips
            .iter()
            .filter(|s| s.context == context || s.context == SkipContext::Both)
            .any(|s| self.skip_met(run, s, on, current))
    }

    fn skip_met(
        &self,
        run: &Run,
        skip: &ConditionalSkip,
        on: Date,
        current: Option<usize>,
    ) -> bool {
        let sets: Vec<bool> = skip
            .sets
            .iter()
            .filter(|set| in_effect(set.effective, set.cessation, on))
            .map(|set| {
                let met = set
                    .conditions
                    .iter()
                    .map(|c| self.condition_met(run, c, on, current));
                if set.all_conditions {
                    let mut any = false;
                    let mut all = true;
                    for m in met {
                        any = true;
                        all &= m;
                    }
                    any && all
                } else {
                    met.into_iter().any(|m| m)
                }
            })
            .collect();
        if sets.is_empty() {
            return false;
        }
        if skip.all_sets {
            sets.iter().all(|m| *m)
        } else {
            sets.iter().any(|m| *m)
        }
    }

    fn condition_met(
        &self,
        run: &Run,
        c: &SkipCondition,
        on: Date,
        current: Option<usize>,
    ) -> bool {
        let limit = current.unwrap_or(self.records.len());
        match c {
            SkipCondition::Age { begin, end } => {
                let b = age(self.dob, *begin).unwrap_or(FAR_PAST);
                let e = age(self.dob, *end).unwrap_or(FAR_FUTURE);
                b <= on && on < e
            }
            SkipCondition::CompletedSeries(groups) => groups
                .iter()
                .any(|g| self.complete_groups.contains(&g.as_str())),
            SkipCondition::Interval(interval) => {
                let previous = limit.checked_sub(1).map(|j| self.records[j].date);
                previous.is_some_and(|p| on >= interval.after(p))
            }
            SkipCondition::VaccineCount {
                begin_age,
                end_age,
                start,
                end,
                count,
                valid_only,
                logic,
                vaccines,
            } => {
                let b = age(self.dob, *begin_age).unwrap_or(FAR_PAST);
                let e = age(self.dob, *end_age).unwrap_or(FAR_FUTURE);
                let s = start.unwrap_or(FAR_PAST);
                let en = end.unwrap_or(FAR_FUTURE);
                let n = (0..limit)
                    .filter(|&j| {
                        let r = &self.records[j];
                        (vaccines.is_empty() || vaccines.contains(&r.vaccine))
                            && b <= r.date
                            && r.date < e
                            && s <= r.date
                            && r.date < en
                            && (!valid_only
                                || run.evals[j]
                                    .is_some_and(|ev| ev.status == EvaluationStatus::Valid))
                    })
                    .count();
                let n = u32::try_from(n).unwrap_or(u32::MAX);
                match logic {
                    CountLogic::GreaterThan => n > *count,
                    CountLogic::Equal => n == *count,
                    CountLogic::LessThan => n < *count,
                }
            }
        }
    }

    fn intervals_ok(
        &self,
        run: &Run,
        intervals: &[Interval],
        i: usize,
        allowable: bool,
    ) -> (bool, bool) {
        // (satisfied, grace)
        let date = self.records[i].date;
        let mut grace = false;
        for iv in intervals
            .iter()
            .filter(|iv| in_effect(iv.effective, iv.cessation, date))
        {
            let Some(reference) = self.reference(run, &iv.from, Some(i)) else {
                continue;
            };
            let min = if allowable { iv.abs_min } else { iv.min };
            let abs = self
                .abs_min(iv.abs_min, if allowable { None } else { iv.min })
                .map(|d| d.after(reference))
                .unwrap_or(FAR_PAST);
            if date < abs {
                return (false, false);
            }
            if let Some(m) = min.map(|d| d.after(reference))
                && date < m
            {
                grace = true;
            }
        }
        (true, grace)
    }

    fn conflicted(&self, run: &Run, i: usize) -> bool {
        let rec = &self.records[i];
        let Some(list) = self.schedule.conflicts_by_current.get(rec.vaccine) else {
            return false;
        };
        for &c in list {
            let conflict = &self.schedule.conflicts[c];
            for (k, g) in self.given.iter().enumerate() {
                if k == rec.dose || g.vaccine != conflict.previous || g.date > rec.date {
                    continue;
                }
                let status = self
                    .records
                    .iter()
                    .position(|r| r.dose == k)
                    .and_then(|j| run.evals[j])
                    .map(|e| e.status);
                let end = match status {
                    None | Some(EvaluationStatus::Valid) => conflict.min_end,
                    Some(_) => conflict.end,
                };
                let begin = conflict.begin.after(g.date);
                if begin <= rec.date && rec.date < end.after(g.date) {
                    return true;
                }
            }
        }
        false
    }

    fn evaluate_record(&self, run: &Run, dose: &SeriesDose, i: usize) -> RecordEval {
        let rec = &self.records[i];
        let date = rec.date;
        if dose.inadvertent.contains(&rec.vaccine) {
            return RecordEval {
                status: EvaluationStatus::NotValid,
                reason: Some(EvaluationReason::InadvertentVaccine),
                also: [None; 3],
                inadvertent: true,
                against_target: true,
            };
        }
        let rule = self.rule(dose, date);
        let abs_min = age(self.dob, self.abs_min(rule.abs_min, rule.min)).unwrap_or(FAR_PAST);
        let min = age(self.dob, rule.min).unwrap_or(FAR_PAST);
        let max = age(self.dob, rule.max).unwrap_or(FAR_FUTURE);
        let mut reasons = Vec::with_capacity(2);
        let mut grace = false;
        if date >= max {
            return RecordEval {
                status: EvaluationStatus::Extraneous,
                reason: Some(EvaluationReason::TooOld),
                also: [None; 3],
                inadvertent: false,
                against_target: true,
            };
        }
        if date < abs_min {
            reasons.push(EvaluationReason::TooYoung);
        } else if date < min {
            grace = true;
        }
        let (pref_ok, pref_grace) = self.intervals_ok(run, &dose.intervals, i, false);
        let interval_ok = if pref_ok {
            grace |= pref_grace;
            true
        } else if dose.allowable_intervals.is_empty() {
            false
        } else {
            self.intervals_ok(run, &dose.allowable_intervals, i, true).0
        };
        if !interval_ok {
            reasons.push(EvaluationReason::TooSoon);
        }
        if self.conflicted(run, i) {
            reasons.push(EvaluationReason::LiveVirusConflict);
        }
        let dose_mvx = self.doses.get(rec.dose).and_then(|d| d.mvx.as_deref());
        let fits = |rules: &[crate::model::schedule::VaccineRule]| {
            rules.iter().any(|r| {
                r.vaccine == rec.vaccine
                    && match (&r.mvx, dose_mvx) {
                        (Some(want), Some(got)) => want.eq_ignore_ascii_case(got.trim()),
                        _ => true,
                    }
                    && age(self.dob, r.begin_age).unwrap_or(FAR_PAST) <= date
                    && date < age(self.dob, r.end_age).unwrap_or(FAR_FUTURE)
            })
        };
        if !fits(&dose.preferable) && !fits(&dose.allowable) {
            reasons.push(EvaluationReason::NotPreferableOrAllowable);
        }
        let also = [
            reasons.get(1).copied(),
            reasons.get(2).copied(),
            reasons.get(3).copied(),
        ];
        match reasons.first() {
            Some(&r) => RecordEval {
                status: EvaluationStatus::NotValid,
                reason: Some(r),
                also,
                inadvertent: false,
                against_target: true,
            },
            None => RecordEval {
                status: EvaluationStatus::Valid,
                reason: grace.then_some(EvaluationReason::GracePeriod),
                also: [None; 3],
                inadvertent: false,
                against_target: true,
            },
        }
    }

    /// FORECASTDN-1: satisfied target doses, counting a seasonal dose only when it was
    /// given on or after the season's start.
    fn forecast_dose_count(&self, run: &Run, series: &Series) -> usize {
        run.targets
            .iter()
            .filter(|t| t.status == TargetStatus::Satisfied)
            .filter(|t| match series.doses[t.dose].seasonal {
                Some((Some(start), _)) => t.record.is_some_and(|r| self.records[r].date >= start),
                _ => true,
            })
            .count()
    }

    /// FORECASTRECVAC-1: the preferable vaccines flagged for forecasts whose age window
    /// holds the earliest or the recommended date.
    pub(crate) fn recommended_vaccines<'d>(
        dob: Date,
        dose: &'d SeriesDose,
        forecast: &'d Forecast,
    ) -> impl Iterator<Item = usize> + 'd {
        dose.preferable
            .iter()
            .filter(move |r| {
                let b = age(dob, r.begin_age).unwrap_or(FAR_PAST);
                let e = age(dob, r.end_age).unwrap_or(FAR_FUTURE);
                let within = |d: Option<Date>| d.is_some_and(|d| b <= d && d < e);
                r.forecast && (within(forecast.earliest) || within(forecast.recommended))
            })
            .map(|r| r.vaccine)
    }

    /// Evaluates the history against `series` and forecasts its next target dose.
    pub(crate) fn run(&self, series_index: usize) -> Run {
        let series = &self.schedule.series[series_index];
        if let Some(rule) = &series.t_status {
            return self.run_t_status(series_index, rule);
        }
        let mut run = Run {
            series: series_index,
            targets: (0..series.doses.len())
                .map(|d| Target {
                    dose: d,
                    status: TargetStatus::NotSatisfied,
                    record: None,
                })
                .collect(),
            evals: vec![None; self.records.len()],
            status: SeriesStatus::NotComplete,
            forecast: None,
        };
        let mut t = 0;
        for i in 0..self.records.len() {
            let date = self.records[i].date;
            // 6.1: a dose with a condition (or an expired lot) is not evaluated.
            if self
                .doses
                .get(self.records[i].dose)
                .is_some_and(|d| d.sub_standard)
            {
                run.evals[i] = Some(RecordEval {
                    status: EvaluationStatus::SubStandard,
                    reason: Some(EvaluationReason::DoseCondition),
                    also: [None; 3],
                    inadvertent: false,
                    against_target: false,
                });
                continue;
            }
            while t < run.targets.len()
                && self.can_skip(
                    &run,
                    &series.doses[run.targets[t].dose],
                    SkipContext::Evaluation,
                    date,
                    Some(i),
                )
            {
                run.targets[t].status = TargetStatus::Skipped;
                t += 1;
            }
            if t >= run.targets.len() {
                run.evals[i] = Some(RecordEval {
                    status: EvaluationStatus::Extraneous,
                    reason: Some(EvaluationReason::SeriesComplete),
                    also: [None; 3],
                    inadvertent: false,
                    against_target: false,
                });
                continue;
            }
            let dose = &series.doses[run.targets[t].dose];
            let eval = self.evaluate_record(&run, dose, i);
            run.evals[i] = Some(eval);
            if eval.status == EvaluationStatus::Valid {
                run.targets[t].status = TargetStatus::Satisfied;
                run.targets[t].record = Some(i);
                if dose.recurring {
                    let again = Target {
                        dose: run.targets[t].dose,
                        status: TargetStatus::NotSatisfied,
                        record: None,
                    };
                    run.targets.insert(t + 1, again);
                }
                t += 1;
            }
        }
        self.forecast(&mut run, series, t);
        run
    }

    pub(crate) fn forecast(&self, run: &mut Run, series: &Series, mut t: usize) {
        if self.immune {
            run.status = SeriesStatus::Immune;
            return;
        }
        loop {
            while t < run.targets.len()
                && self.can_skip(
                    run,
                    &series.doses[run.targets[t].dose],
                    SkipContext::Forecast,
                    self.assessment,
                    None,
                )
            {
                run.targets[t].status = TargetStatus::Skipped;
                t += 1;
            }
            if t >= run.targets.len() {
                run.status = if run.valid_count() > 0 {
                    SeriesStatus::Complete
                } else {
                    SeriesStatus::NotRecommended
                };
                return;
            }
            let dose = &series.doses[run.targets[t].dose];
            let rule = self.rule(dose, self.assessment);
            let max_age = age(self.dob, rule.max);
            if dose
                .introduced
                .is_some_and(|intro| max_age.is_some_and(|m| m <= intro))
            {
                run.targets[t].status = TargetStatus::Skipped;
                t += 1;
                continue;
            }
            let mut earliest = age(self.dob, rule.min).unwrap_or(self.dob);
            let mut rec_interval: Option<Date> = None;
            let mut late_interval: Option<Date> = None;
            let active = || {
                dose.intervals
                    .iter()
                    .filter(|iv| in_effect(iv.effective, iv.cessation, self.assessment))
            };
            for iv in active() {
                let Some(reference) = self.reference(run, &iv.from, None) else {
                    continue;
                };
                if let Some(m) = iv.min {
                    earliest = earliest.max(m.after(reference));
                }
                if let Some(r) = iv.earliest_recommended {
                    let d = r.after(reference);
                    rec_interval = Some(rec_interval.map_or(d, |x| x.max(d)));
                }
                if let Some(l) = iv.latest_recommended {
                    let d = l.after(reference);
                    late_interval = Some(late_interval.map_or(d, |x| x.max(d)));
                }
            }
            // Forecast conflict end dates (CALCDTCONFLICT-3).
            for rule_v in &dose.preferable {
                if let Some(list) = self.schedule.conflicts_by_current.get(rule_v.vaccine) {
                    for &c in list {
                        let conflict = &self.schedule.conflicts[c];
                        for g in self.given.iter().filter(|g| g.vaccine == conflict.previous) {
                            earliest = earliest.max(conflict.end.after(g.date));
                        }
                    }
                }
            }
            if let Some((Some(start), _)) = dose.seasonal {
                earliest = earliest.max(start);
            }
            if let Some(intro) = dose.introduced {
                earliest = earliest.max(intro);
            }
            for (j, e) in run.evals.iter().enumerate() {
                if e.is_some_and(|e| e.against_target) {
                    earliest = earliest.max(self.records[j].date);
                }
            }
            let max_date = max_age.unwrap_or(FAR_FUTURE);
            if self.assessment >= max_date || earliest >= max_date {
                run.status = SeriesStatus::AgedOut;
                return;
            }
            if let Some((_, Some(end))) = dose.seasonal
                && self.assessment > end
            {
                run.status = SeriesStatus::NotRecommended;
                return;
            }
            if self.can_skip(run, dose, SkipContext::Forecast, earliest, None) {
                run.targets[t].status = TargetStatus::Skipped;
                t += 1;
                continue;
            }
            let recommended = age(self.dob, rule.earliest_recommended)
                .or(rec_interval)
                .unwrap_or(earliest);
            let past_due = age(self.dob, rule.latest_recommended)
                .or(late_interval)
                .map(|d| d.previous_day().unwrap_or(d));
            let latest = max_age.map(|d| d.previous_day().unwrap_or(d));
            // SELECTB-12: earliest plus the latest minimum interval of the remaining doses.
            let remaining_min = run.targets[t + 1..]
                .iter()
                .filter_map(|tt| {
                    series.doses[tt.dose]
                        .intervals
                        .iter()
                        .filter_map(|iv| iv.min)
                        .map(|m| m.after(earliest))
                        .max()
                })
                .max();
            let last_max_age = series
                .doses
                .last()
                .and_then(|d| age(self.dob, self.rule(d, self.assessment).max));
            run.status = SeriesStatus::NotComplete;
            run.forecast = Some(Forecast {
                dose_number: u32::try_from(self.forecast_dose_count(run, series) + 1)
                    .unwrap_or(u32::MAX),
                target_dose: run.targets[t].dose,
                earliest: Some(earliest),
                recommended: Some(recommended.max(earliest)),
                past_due: past_due.map(|p| p.max(earliest)),
                latest,
                priority: active().next().is_some() && active().all(|iv| iv.priority),
                finish: Some(remaining_min.unwrap_or(earliest).max(earliest)),
                last_max_age,
            });
            return;
        }
    }
}

/// Whether the condition list of a series references completed series (evaluate those
/// series after the others).
pub(crate) fn needs_completed(series: &Series) -> bool {
    series.doses.iter().any(|d| {
        d.skips.iter().any(|s| {
            s.sets.iter().any(|set| {
                set.conditions
                    .iter()
                    .any(|c| matches!(c, SkipCondition::CompletedSeries(_)))
            })
        })
    })
}
