//! School-age immunization (BIAS, *Bulan Imunisasi Anak Sekolah*): doses given in a
//! school grade during a BIAS month, placed by the child's grade when it is known and
//! otherwise by the age proxy the KMK pairs with the grade (7 years for kelas 1).
//!
//! A school year (*tahun ajaran*) runs from 1 July to 30 June. A school dose may be given
//! while the child is in its grade (or in one of its catch-up grades): from 1 July of that
//! school year to 30 June of the last one. It is recommended on the first day of the BIAS
//! month of the first such school year that has not ended on the assessment date, and
//! overdue once that month has ended.

use time::{Date, Month};

use crate::model::duration::Duration;
use crate::model::patient::{Patient, SchoolGrade};
use crate::model::schedule::{AgeRule, Series};

/// The school part of a series dose.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SchoolDose {
    /// The grade the dose is given in.
    pub(crate) grade: u8,
    /// The age the KMK pairs with `grade` (used without a known grade).
    pub(crate) age_proxy: Duration,
    /// The BIAS month.
    pub(crate) bias_month: Month,
    /// Later grades in which a child who missed the dose gets it.
    pub(crate) catch_up_grades: Vec<u8>,
    /// Catch-up grades apply to assessments on or after this date (the rule that set them).
    pub(crate) catch_up_from: Option<Date>,
    /// The dose is part of the programme for assessments in `[from, until)` (the rule in
    /// force on the assessment date, e.g. one or two HPV doses).
    pub(crate) required_from: Option<Date>,
    /// See `required_from`.
    pub(crate) required_until: Option<Date>,
}

/// The dates of a school dose for one child on one assessment date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SchoolWindow {
    /// 1 July of the dose's own grade's school year: the dose counts from here.
    pub(crate) start: Date,
    /// 1 July after the last (catch-up) grade's school year: the dose no longer counts.
    pub(crate) end: Date,
    /// First day of the BIAS month in the school year the dose is recommended in.
    pub(crate) recommended: Date,
    /// First day of the month after that BIAS month.
    pub(crate) overdue_from: Date,
}

fn first_of(year: i32, month: Month) -> Date {
    Date::from_calendar_date(year, month, 1).unwrap_or(if year < 0 { Date::MIN } else { Date::MAX })
}

fn days_between(from: Date, to: Date) -> Duration {
    Duration::days(i32::try_from((to - from).whole_days()).unwrap_or(i32::MAX))
}

impl SchoolDose {
    /// Whether the dose is part of the programme on `on`.
    pub(crate) fn required_on(&self, on: Date) -> bool {
        self.required_from.is_none_or(|f| on >= f) && self.required_until.is_none_or(|u| on < u)
    }

    /// The school year (its starting calendar year) in which the child is in `grade`:
    /// from the known grade, else the first school year starting on or after the day the
    /// child reaches the age proxy (shifted by one year per grade).
    fn school_year(&self, dob: Date, school: Option<SchoolGrade>, grade: u8) -> i32 {
        if let Some(s) = school {
            return s.school_year + i32::from(grade) - i32::from(s.grade);
        }
        let shift = Duration::new(i32::from(grade) - i32::from(self.grade), 0, 0);
        let reached = shift.after(self.age_proxy.after(dob));
        if reached <= first_of(reached.year(), Month::July) {
            reached.year()
        } else {
            reached.year() + 1
        }
    }

    /// The dose's window and recommended dates for a child born `dob` assessed on `on`.
    pub(crate) fn window(&self, dob: Date, school: Option<SchoolGrade>, on: Date) -> SchoolWindow {
        let catch_up = self.catch_up_from.is_none_or(|f| on >= f);
        let years: Vec<i32> = std::iter::once(self.grade)
            .chain(self.catch_up_grades.iter().copied().filter(|_| catch_up))
            .map(|g| self.school_year(dob, school, g))
            .collect();
        let own = years.first().copied().unwrap_or_default();
        let last = years.iter().copied().max().unwrap_or(own);
        let end = first_of(last.saturating_add(1), Month::July);
        let chosen = years
            .iter()
            .copied()
            .find(|y| on < first_of(y.saturating_add(1), Month::July))
            .unwrap_or(last);
        let calendar_year = if self.bias_month >= Month::July {
            chosen
        } else {
            chosen.saturating_add(1)
        };
        let recommended = first_of(calendar_year, self.bias_month);
        let overdue_from = if self.bias_month == Month::December {
            first_of(calendar_year.saturating_add(1), Month::January)
        } else {
            first_of(calendar_year, self.bias_month.next())
        };
        SchoolWindow {
            start: first_of(own, Month::July),
            end,
            recommended,
            overdue_from,
        }
    }

    /// The window as the age rule the engine evaluates and forecasts with.
    pub(crate) fn age_rule(&self, dob: Date, school: Option<SchoolGrade>, on: Date) -> AgeRule {
        let w = self.window(dob, school, on);
        AgeRule {
            abs_min: Some(days_between(dob, w.start)),
            min: Some(days_between(dob, w.start)),
            earliest_recommended: Some(days_between(dob, w.recommended)),
            latest_recommended: Some(days_between(dob, w.overdue_from)),
            max: Some(days_between(dob, w.end)),
            effective: None,
            cessation: None,
        }
    }

    /// Whether the target dose is passed over on `on` (a record's date while evaluating,
    /// the assessment date while forecasting): not part of the programme on the assessment
    /// date, or its school years are over.
    pub(crate) fn passed_over(
        &self,
        dob: Date,
        school: Option<SchoolGrade>,
        assessment: Date,
        on: Date,
    ) -> bool {
        !self.required_on(assessment) || on >= self.window(dob, school, assessment).end
    }
}

/// Whether a school-triggered or population series may apply to `patient` on `on`:
/// a school series once the child has a school grade or the age `school_from`; a
/// population series (women of childbearing age) within its ages.
pub(crate) fn gate_open(series: &Series, patient: &Patient, on: Date) -> bool {
    if let Some(from) = series.school_from
        && patient.school.is_none()
        && on < from.after(patient.dob)
    {
        return false;
    }
    if let Some((from, until)) = series.population_ages
        && (on < from.after(patient.dob) || on >= until.after(patient.dob))
    {
        return false;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn mr() -> SchoolDose {
        SchoolDose {
            grade: 1,
            age_proxy: Duration::new(7, 0, 0),
            bias_month: Month::August,
            catch_up_grades: Vec::new(),
            catch_up_from: None,
            required_from: None,
            required_until: None,
        }
    }

    #[test]
    fn age_proxy_places_grade_one_in_the_school_year_starting_after_seven() {
        let d = mr();
        // 7 on 10 March 2025: kelas 1 in 2025/26.
        let w = d.window(date!(2018 - 03 - 10), None, date!(2025 - 09 - 01));
        assert_eq!(w.start, date!(2025 - 07 - 01));
        assert_eq!(w.recommended, date!(2025 - 08 - 01));
        assert_eq!(w.overdue_from, date!(2025 - 09 - 01));
        assert_eq!(w.end, date!(2026 - 07 - 01));
        // 7 on 2 July 2025: kelas 1 in 2026/27.
        let w = d.window(date!(2018 - 07 - 02), None, date!(2025 - 09 - 01));
        assert_eq!(w.recommended, date!(2026 - 08 - 01));
    }

    #[test]
    fn a_known_grade_wins_over_the_age_proxy() {
        let school = Some(SchoolGrade {
            grade: 1,
            school_year: 2024,
        });
        let w = mr().window(date!(2018 - 03 - 10), school, date!(2024 - 09 - 01));
        assert_eq!(w.recommended, date!(2024 - 08 - 01));
    }

    #[test]
    fn catch_up_grades_move_the_recommendation_to_the_next_open_school_year() {
        let hpv = SchoolDose {
            grade: 5,
            age_proxy: Duration::new(11, 0, 0),
            catch_up_grades: vec![6, 9],
            catch_up_from: Some(date!(2025 - 01 - 21)),
            ..mr()
        };
        let school = Some(SchoolGrade {
            grade: 6,
            school_year: 2025,
        });
        let w = hpv.window(date!(2014 - 05 - 01), school, date!(2025 - 10 - 01));
        assert_eq!(w.start, date!(2024 - 07 - 01));
        assert_eq!(w.recommended, date!(2025 - 08 - 01));
        assert_eq!(w.end, date!(2029 - 07 - 01));
        // Under a rule without catch-up grades the window is kelas 5 only.
        let w = hpv.window(date!(2014 - 05 - 01), school, date!(2024 - 10 - 01));
        assert_eq!(w.end, date!(2025 - 07 - 01));
    }
}
