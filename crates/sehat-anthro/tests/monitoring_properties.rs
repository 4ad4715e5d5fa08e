//! Growth monitoring on arbitrary input: never a panic, one judgement per weighing, and
//! the invariants between N/T, rule, KBM and referral.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use proptest::prelude::*;
use sehat_anthro::Sex;
use sehat_anthro::monitoring::{MonitoringError, Nt, NtRule, Weighing, judge};
use time::{Date, Duration};

fn any_date() -> impl Strategy<Value = Date> {
    // From 1900 to 2100, plus the extremes of the type.
    prop_oneof![
        8 => (0i64..73_000).prop_map(|d| Date::from_calendar_date(1900, time::Month::January, 1).unwrap() + Duration::days(d)),
        1 => Just(Date::MIN),
        1 => Just(Date::MAX),
    ]
}

fn any_number() -> impl Strategy<Value = f64> {
    prop_oneof![
        6 => 0.5f64..40.0,
        1 => 40.0f64..100_000.0,
        1 => any::<f64>(),
        1 => Just(0.0),
        1 => Just(f64::NAN),
    ]
}

fn any_weighing() -> impl Strategy<Value = Weighing> {
    (any_date(), any_number(), proptest::option::of(any_number())).prop_map(
        |(date, weight_kg, length_cm)| Weighing {
            date,
            weight_kg,
            length_cm,
        },
    )
}

/// A plausible child: monthly visits, some skipped, weights near the median.
fn monthly_child() -> impl Strategy<Value = (Date, Vec<Weighing>)> {
    (
        0i64..20_000,
        proptest::collection::vec((1i64..3, -0.3f64..0.6, proptest::bool::ANY), 1..30),
    )
        .prop_map(|(born, steps)| {
            let born = Date::from_calendar_date(1990, time::Month::January, 1).unwrap()
                + Duration::days(born);
            let mut day = 0;
            let mut weight = 3.3;
            let visits = steps
                .into_iter()
                .map(|(months, gain, length)| {
                    day += months * 30;
                    weight += gain;
                    let w = Weighing::new(born + Duration::days(day), weight.max(1.0));
                    if length {
                        w.length_cm(50.0 + day as f64 / 30.0)
                    } else {
                        w
                    }
                })
                .collect();
            (born, visits)
        })
}

proptest! {
    #[test]
    fn arbitrary_weighings_never_panic(
        born in any_date(),
        male in proptest::bool::ANY,
        weighings in proptest::collection::vec(any_weighing(), 0..12),
    ) {
        let sex = if male { Sex::Male } else { Sex::Female };
        match judge(sex, born, &weighings) {
            Ok(judged) => prop_assert_eq!(judged.len(), weighings.len()),
            Err(MonitoringError::BeforeBirth { index, .. }) => prop_assert!(weighings[index].date < born),
            Err(MonitoringError::InvalidWeight { index, weight_kg }) => {
                prop_assert!(!(weight_kg > 0.0 && weight_kg.is_finite()));
                prop_assert_eq!(weighings[index].weight_kg.to_bits(), weight_kg.to_bits());
            }
            Err(MonitoringError::InvalidLength { index, .. }) => {
                prop_assert!(weighings[index].length_cm.is_some());
            }
            Err(MonitoringError::SameDate { first, second, .. }) => {
                prop_assert!(first < second);
                prop_assert_eq!(weighings[first].date, weighings[second].date);
            }
            Err(other) => prop_assert!(false, "{other:?}"),
        }
    }

    #[test]
    fn judgements_agree_with_their_rules(
        (born, visits) in monthly_child(),
        male in proptest::bool::ANY,
    ) {
        let sex = if male { Sex::Male } else { Sex::Female };
        let judged = judge(sex, born, &visits).unwrap();
        prop_assert_eq!(judged.len(), visits.len());
        for (i, j) in judged.iter().enumerate() {
            let expected = match j.rule {
                NtRule::WeightNotGained | NtRule::CrossedLineDown | NtRule::KbmNotMet => Some(Nt::TidakNaik),
                NtRule::CrossedLineUp | NtRule::KbmMet => Some(Nt::Naik),
                _ => None,
            };
            prop_assert_eq!(j.nt, expected);
            prop_assert_eq!(j.referral(), !j.reasons.is_empty());
            prop_assert_eq!(j.gain_g.is_none(), i == 0);
            if j.nt.is_some() {
                prop_assert!(j.kbm_g.is_some());
                prop_assert!(j.age_months >= 1 && j.age_months <= 60);
            }
            if j.nt == Some(Nt::TidakNaik) {
                prop_assert!(j.referral());
            }
            if j.rule == NtRule::KbmMet {
                prop_assert!(j.gain_g.unwrap() >= i64::from(j.kbm_g.unwrap()));
            }
            if j.rule == NtRule::WeightNotGained {
                prop_assert!(j.gain_g.unwrap() <= 0);
            }
        }
        // The same visits reversed give the same judgements, reversed.
        let reversed: Vec<Weighing> = visits.iter().rev().copied().collect();
        let mut again = judge(sex, born, &reversed).unwrap();
        again.reverse();
        prop_assert_eq!(again, judged);
    }
}
