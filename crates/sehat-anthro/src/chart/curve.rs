//! The SD curves, computed from the same daily LMS tables as the z-scores.

use super::ChartIndicator;
use crate::{Age, Indicator, Sex};

/// The last day of the 0–5 y daily tables (60 months = 1826.25 days).
pub(crate) const LAST_DAY: u32 = 1826;

/// The last day measured lying down (length); from 731 days the tables are for height.
pub(crate) const LAST_LENGTH_DAY: u32 = 730;

/// Days between curve samples (the table rows are daily; a week is under 4 px at
/// 1080 px width, so the polyline is smooth).
const SAMPLE_STEP: u32 = 7;

/// The measurement on the curve for `z` at `day` (0–1826), as WHO's z-score
/// computation inverts it: `M·(1 + L·S·z)^(1/L)`, and for weight-for-age beyond ±3 SD
/// WHO's restricted extension. `None` outside the tables.
pub(crate) fn value_at(sex: Sex, indicator: ChartIndicator, day: u32, z: f64) -> Option<f64> {
    let who = indicator.who();
    let lms = who.lms_at_age(sex, Age::Days(f64::from(day)))?;
    Some(who.measurement_at(lms, z))
}

/// The age segments drawn as separate polylines: one for weight-for-age, two for
/// length/height-for-age (length to 730 days, height from 731: WHO's tables change
/// from recumbent length to standing height there, and the curves step down by about
/// 0.7 cm).
pub(crate) fn segments(indicator: ChartIndicator) -> &'static [(u32, u32)] {
    match indicator {
        ChartIndicator::WeightForAge => &[(0, LAST_DAY)],
        ChartIndicator::LengthHeightForAge => {
            &[(0, LAST_LENGTH_DAY), (LAST_LENGTH_DAY + 1, LAST_DAY)]
        }
    }
}

/// The sample days of a segment: every 7th day from its start, and its last day.
pub(crate) fn sample_days((first, last): (u32, u32)) -> impl Iterator<Item = u32> {
    (first..=last)
        .step_by(SAMPLE_STEP as usize)
        .chain(((last - first) % SAMPLE_STEP != 0).then_some(last))
}

/// The curve for `z` over one segment, as (day, value) pairs.
pub(crate) fn curve(
    sex: Sex,
    indicator: ChartIndicator,
    segment: (u32, u32),
    z: f64,
) -> Vec<(u32, f64)> {
    sample_days(segment)
        .filter_map(|day| value_at(sex, indicator, day, z).map(|v| (day, v)))
        .collect()
}

impl ChartIndicator {
    /// The WHO indicator whose table the chart draws.
    pub(crate) const fn who(self) -> Indicator {
        match self {
            Self::WeightForAge => Indicator::WeightForAge,
            Self::LengthHeightForAge => Indicator::LengthHeightForAge,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_cover_both_ends() {
        let days: Vec<u32> = sample_days((0, 730)).collect();
        assert_eq!(days.first(), Some(&0));
        assert_eq!(days.last(), Some(&730));
        assert!(days.windows(2).all(|w| w[0] < w[1] && w[1] - w[0] <= 7));
        let days: Vec<u32> = sample_days((731, 1826)).collect();
        assert_eq!((days[0], *days.last().unwrap()), (731, 1826));
        // 1826 − 731 = 1095 = 156·7 + 3: the last day is added once.
        assert_eq!(days.len(), 158);
    }

    #[test]
    fn median_is_m_and_curves_are_ordered() {
        let v = value_at(Sex::Male, ChartIndicator::WeightForAge, 0, 0.0).unwrap();
        assert_eq!(v, 3.3464);
        for day in [0, 365, 730, 731, 1826] {
            for ind in [
                ChartIndicator::WeightForAge,
                ChartIndicator::LengthHeightForAge,
            ] {
                let vals: Vec<f64> = (-3..=3)
                    .map(|z| value_at(Sex::Female, ind, day, f64::from(z)).unwrap())
                    .collect();
                assert!(vals.windows(2).all(|w| w[0] < w[1]), "{ind:?} {day}");
            }
        }
        assert!(value_at(Sex::Male, ChartIndicator::WeightForAge, 1827, 0.0).is_none());
    }

    #[test]
    fn height_curve_steps_down_at_731_days() {
        let ind = ChartIndicator::LengthHeightForAge;
        let length = value_at(Sex::Male, ind, 730, 0.0).unwrap();
        let height = value_at(Sex::Male, ind, 731, 0.0).unwrap();
        assert_eq!(length, 87.8018);
        assert_eq!(height, 87.1303);
        assert_eq!(segments(ind).len(), 2);
    }
}
