//! Tetanus-diphtheria status (*status T*, T1–T5) of women of childbearing age (WUS):
//! screening counts the tetanus-containing doses of childhood as T-status, then Td
//! continues with the T intervals (T2 ≥ 4 weeks after T1, T3 ≥ 6 months after T2,
//! T4 ≥ 1 year after T3, T5 ≥ 1 year after T4).

use time::Date;

use crate::engine::assessment::{EvaluationReason, EvaluationStatus, SeriesStatus};
use crate::engine::evaluation::{Context, RecordEval, Run, Target, TargetStatus};
use crate::model::t_status::TStatusRule;

fn eval(status: EvaluationStatus, reason: Option<EvaluationReason>) -> RecordEval {
    RecordEval {
        status,
        reason,
        also: [None; 3],
        inadvertent: false,
        against_target: matches!(status, EvaluationStatus::Valid | EvaluationStatus::NotValid),
    }
}

impl Context<'_> {
    /// Evaluates the history by T-status and forecasts the next T dose.
    ///
    /// Each dose raises the status by one, up to the highest status its kind reaches: a
    /// childhood DPT-HB-Hib primary dose up to T2, the booster up to T3, DT up to T4, Td
    /// up to T5 (so a complete childhood series — DPT-HB-Hib 1–3, lanjutan, DT kelas 1,
    /// Td kelas 2 — gives T5). A dose that cannot raise the status is extraneous. From
    /// the adult age, a Td dose given before the T interval after the previous one is
    /// not valid (too soon).
    pub(crate) fn run_t_status(&self, series_index: usize, rule: &TStatusRule) -> Run {
        let series = &self.schedule.series[series_index];
        let total = series.doses.len();
        let mut run = Run {
            series: series_index,
            targets: (0..total)
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
        let adult_from = rule.adult_from.after(self.dob);
        let mut status = 0usize;
        let mut last: Option<Date> = None;
        let mut primary_seen = 0usize;
        for (i, rec) in self.records.iter().enumerate() {
            if self.doses.get(rec.dose).is_some_and(|d| d.sub_standard) {
                run.evals[i] = Some(eval(
                    EvaluationStatus::SubStandard,
                    Some(EvaluationReason::DoseCondition),
                ));
                continue;
            }
            let childhood = rec.date < adult_from;
            let cap = if !childhood {
                total
            } else if rule.primary.contains(&rec.vaccine) {
                primary_seen += 1;
                if primary_seen <= rule.primary_doses {
                    rule.primary_cap
                } else {
                    rule.booster_cap
                }
            } else {
                rule.caps
                    .iter()
                    .find(|(v, _)| *v == rec.vaccine)
                    .map_or(total, |(_, c)| *c)
            };
            run.evals[i] = Some(if status >= total {
                eval(
                    EvaluationStatus::Extraneous,
                    Some(EvaluationReason::SeriesComplete),
                )
            } else if status >= cap {
                eval(EvaluationStatus::Extraneous, None)
            } else {
                let too_soon = !childhood
                    && last.is_some_and(|l| {
                        series.doses[status]
                            .intervals
                            .iter()
                            .filter_map(|iv| iv.abs_min.or(iv.min))
                            .any(|m| rec.date < m.after(l))
                    });
                if too_soon {
                    eval(EvaluationStatus::NotValid, Some(EvaluationReason::TooSoon))
                } else {
                    run.targets[status].status = TargetStatus::Satisfied;
                    run.targets[status].record = Some(i);
                    status += 1;
                    last = Some(rec.date);
                    eval(EvaluationStatus::Valid, None)
                }
            });
        }
        self.forecast(&mut run, series, status);
        run
    }
}
