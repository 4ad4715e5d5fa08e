//! Properties that hold for every input: z rises with the measurement, the inverse
//! round-trips, and nothing panics, whatever the f64.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use proptest::prelude::*;
use sehat_anthro::{
    Age, Child, Indicator, Measure, NaReason, SchoolAgeChild, Sex, centile, round_r,
    school_age_zscores, z_for_centile, zscores,
};

fn any_f64() -> impl Strategy<Value = f64> {
    prop_oneof![
        any::<f64>(),
        Just(f64::NAN),
        Just(f64::INFINITY),
        Just(f64::NEG_INFINITY),
        Just(0.0),
        Just(-0.0),
        -1e3..1e4_f64,
    ]
}

fn sex() -> impl Strategy<Value = Sex> {
    prop_oneof![Just(Sex::Male), Just(Sex::Female)]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn never_panics(
        s in proptest::option::of(sex()),
        age in any_f64(), months in any::<bool>(),
        w in any_f64(), l in any_f64(), hc in any_f64(), ac in any_f64(),
        ts in any_f64(), ss in any_f64(), standing in proptest::option::of(any::<bool>()),
        oedema in any::<bool>(),
    ) {
        let child = Child {
            sex: s,
            age: Some(if months { Age::Months(age) } else { Age::Days(age) }),
            weight_kg: Some(w),
            lenhei_cm: Some(l),
            measure: standing.map(|st| if st { Measure::Standing } else { Measure::Lying }),
            head_circumference_cm: Some(hc),
            arm_circumference_cm: Some(ac),
            triceps_skinfold_mm: Some(ts),
            subscapular_skinfold_mm: Some(ss),
            oedema,
        };
        let z = zscores(&child);
        for outcome in z.indicators() {
            match outcome {
                // Without sex nothing is computed (an invalid measurement is reported
                // first); with it, each z carries WHO's rounding.
                _ if s.is_none() => prop_assert!(matches!(
                    outcome,
                    Err(NaReason::MissingSex | NaReason::InvalidMeasurement)
                )),
                Ok(z) => prop_assert_eq!(z.z_rounded.to_bits(), round_r(z.z).to_bits()),
                Err(_) => {}
            }
        }
        let school = SchoolAgeChild { sex: s, age_months: Some(age), height_cm: Some(l), weight_kg: Some(w), oedema };
        let _ = school_age_zscores(&school);
        let _ = round_r(w);
        let _ = centile(w);
        let _ = z_for_centile(w);
        for ind in Indicator::ALL {
            if let Some(lms) = ind.lms(Sex::Female, l) {
                let _ = ind.measurement_at(lms, w);
            }
        }
    }

    #[test]
    fn z_rises_with_measurement(
        s in sex(), ind_i in 0usize..12, at_frac in 0.0..1.0_f64,
        z1 in -8.0..8.0_f64, dz in 0.001..4.0_f64,
    ) {
        let ind = Indicator::ALL[ind_i];
        let lms = lms_at(ind, s, at_frac);
        let z2 = z1 + dz;
        let (y1, y2) = (ind.measurement_at(lms, z1), ind.measurement_at(lms, z2));
        prop_assume!(y1 > 0.0 && y1.is_finite() && y2.is_finite());
        prop_assert!(y2 > y1);
        prop_assert!(ind.z(lms, y2) > ind.z(lms, y1));
    }

    #[test]
    fn inverse_round_trips(s in sex(), ind_i in 0usize..12, at_frac in 0.0..1.0_f64, z in -7.0..7.0_f64) {
        let ind = Indicator::ALL[ind_i];
        let lms = lms_at(ind, s, at_frac);
        let y = ind.measurement_at(lms, z);
        prop_assume!(y > 0.0 && y.is_finite());
        prop_assert!((ind.z(lms, y) - z).abs() < 1e-9, "{ind:?} z {z} y {y}");
    }

    #[test]
    fn centile_round_trips(z in -7.0..4.5_f64) {
        prop_assert!((z_for_centile(centile(z)) - z).abs() < 1e-7);
    }
}

/// LMS somewhere inside the indicator's table.
fn lms_at(ind: Indicator, s: Sex, frac: f64) -> sehat_anthro::Lms {
    match ind {
        Indicator::WeightForLength => ind.lms(s, 45.0 + 65.0 * frac),
        Indicator::WeightForHeight => ind.lms(s, 65.0 + 55.0 * frac),
        Indicator::ArmCircumferenceForAge
        | Indicator::TricepsSkinfoldForAge
        | Indicator::SubscapularSkinfoldForAge => ind.lms(s, 91.0 + 1735.0 * frac),
        Indicator::HeightForAge2007 | Indicator::BmiForAge2007 => {
            ind.lms_at_age(s, Age::Months(60.0 + 168.0 * frac))
        }
        Indicator::WeightForAge2007 => ind.lms_at_age(s, Age::Months(60.0 + 60.0 * frac)),
        _ => ind.lms(s, 1826.0 * frac),
    }
    .unwrap()
}
