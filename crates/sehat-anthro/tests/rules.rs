//! WHO's rules, one by one, on the worked examples of the algorithm description.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use sehat_anthro::{
    Age, Child, Measure, NaReason, SchoolAgeChild, Sex, school_age_zscores, zscores,
};

#[test]
fn worked_example_boy_400_days() {
    let z = zscores(
        &Child::new(Sex::Male)
            .age_days(400.0)
            .weight_kg(9.5)
            .length_cm(75.35),
    );
    assert_eq!(z.weight_for_age.unwrap().z_rounded, -0.38);
    assert_eq!(z.weight_for_length.unwrap().z_rounded, -0.09);
    assert_eq!(z.length_for_age.unwrap().z_rounded, -0.71);
    assert_eq!(z.bmi_for_age.unwrap().z_rounded, 0.06);
    assert!((z.bmi.unwrap() - 16.732).abs() < 1e-3);
}

#[test]
fn lying_length_at_731_days_is_converted_and_restricted() {
    let z = zscores(
        &Child::new(Sex::Female)
            .age_days(731.0)
            .weight_kg(20.0)
            .length_cm(80.1),
    );
    assert!((z.clenhei_cm.unwrap() - 79.4).abs() < 1e-12);
    let wfh = z.weight_for_length.unwrap();
    assert_eq!((wfh.z_rounded, wfh.flagged), (8.27, true));
    let wfa = z.weight_for_age.unwrap();
    assert_eq!((wfa.z_rounded, wfa.flagged), (4.37, false));
    let bmi = z.bmi_for_age.unwrap();
    assert_eq!((bmi.z_rounded, bmi.flagged), (8.87, true));
}

#[test]
fn standing_under_nine_months_is_not_converted() {
    let z = zscores(&Child::new(Sex::Male).age_days(250.0).height_cm(68.0));
    assert!(z.standing_under_9_months);
    assert_eq!(z.cmeasure, None);
    assert_eq!(z.clenhei_cm, Some(68.0));
    let z = zscores(&Child::new(Sex::Male).age_days(274.0).height_cm(68.0));
    assert!(!z.standing_under_9_months);
    assert_eq!(z.cmeasure, Some(Measure::Standing));
    assert!((z.clenhei_cm.unwrap() - 68.7).abs() < 1e-12);
}

#[test]
fn sixty_months_limit_uses_unrounded_months() {
    let valid = zscores(&Child::new(Sex::Female).age_days(1826.0).weight_kg(18.0));
    assert!(valid.weight_for_age.is_ok());
    let late = zscores(&Child::new(Sex::Female).age_days(1826.4).weight_kg(18.0));
    assert_eq!(late.weight_for_age, Err(NaReason::AgeOutOfRange));
    let months = zscores(&Child::new(Sex::Female).age_months(60.0).weight_kg(18.0));
    assert_eq!(months.weight_for_age, Err(NaReason::AgeOutOfRange));
}

#[test]
fn age_rounds_half_up() {
    assert_eq!(Age::Days(0.5).table_days(), Some(1));
    assert_eq!(Age::Days(730.5).table_days(), Some(731));
    assert_eq!(Age::Months(60.0).table_days(), Some(1826));
    assert_eq!(Age::Days(-1.0).table_days(), None);
}

#[test]
fn oedema_removes_weight_based_indicators_only() {
    let child = Child::new(Sex::Male)
        .age_days(500.0)
        .weight_kg(9.0)
        .length_cm(76.0)
        .head_circumference_cm(46.0)
        .oedema(true);
    let z = zscores(&child);
    assert_eq!(z.weight_for_age, Err(NaReason::Oedema));
    assert_eq!(z.weight_for_length, Err(NaReason::Oedema));
    assert_eq!(z.bmi_for_age, Err(NaReason::Oedema));
    assert!(z.length_for_age.is_ok());
    assert!(z.head_circumference_for_age.is_ok());
}

#[test]
fn missing_age_still_gives_weight_for_length() {
    let mut child = Child::new(Sex::Male).weight_kg(10.0);
    child.lenhei_cm = Some(86.9);
    let short = zscores(&child);
    assert!(short.weight_for_length.is_ok());
    assert_eq!(short.length_for_age, Err(NaReason::MissingAge));
    child.lenhei_cm = Some(44.9);
    assert_eq!(
        zscores(&child).weight_for_length,
        Err(NaReason::LengthOutOfRange)
    );
}

#[test]
fn negative_age_and_weights() {
    let z = zscores(
        &Child::new(Sex::Male)
            .age_days(-3.0)
            .weight_kg(9.0)
            .length_cm(70.0),
    );
    assert_eq!(z.weight_for_age, Err(NaReason::InvalidAge));
    assert_eq!(z.weight_for_length, Err(NaReason::InvalidAge));
    let z = zscores(
        &Child::new(Sex::Male)
            .age_days(300.0)
            .weight_kg(-1.0)
            .length_cm(70.0),
    );
    assert_eq!(z.weight_for_age, Err(NaReason::InvalidMeasurement));
    assert_eq!(z.weight_for_length, Err(NaReason::InvalidMeasurement));
    assert_eq!(z.bmi_for_age, Err(NaReason::InvalidMeasurement));
    assert_eq!(z.bmi, None);
    assert_eq!(z.length_for_age.unwrap().z_rounded, -1.36);
    let z = zscores(
        &Child::new(Sex::Male)
            .age_days(300.0)
            .weight_kg(0.0)
            .length_cm(70.0),
    );
    assert_eq!(z.weight_for_length, Err(NaReason::InvalidMeasurement));
}

/// WHO's `anthro_zscores` gives `NaN`, `Inf` or a number for these; none is a z-score.
#[test]
fn measurements_that_are_not_finite_positive_numbers_give_no_indicator() {
    for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY, -75.0, 0.0, -0.0] {
        let z = zscores(
            &Child::new(Sex::Female)
                .age_days(400.0)
                .weight_kg(9.0)
                .length_cm(bad)
                .head_circumference_cm(bad),
        );
        assert_eq!(z.length_for_age, Err(NaReason::InvalidMeasurement), "{bad}");
        assert_eq!(
            z.weight_for_length,
            Err(NaReason::InvalidMeasurement),
            "{bad}"
        );
        assert_eq!(z.bmi_for_age, Err(NaReason::InvalidMeasurement), "{bad}");
        assert_eq!(
            z.head_circumference_for_age,
            Err(NaReason::InvalidMeasurement),
            "{bad}"
        );
        assert_eq!((z.clenhei_cm, z.bmi), (None, None), "{bad}");
        // The indicator that does not use the bad value is still computed.
        assert!(z.weight_for_age.is_ok(), "{bad}");
        let z = school_age_zscores(
            &SchoolAgeChild::new(Sex::Male)
                .age_months(100.0)
                .height_cm(130.0)
                .weight_kg(bad),
        );
        assert_eq!(z.weight_for_age, Err(NaReason::InvalidMeasurement), "{bad}");
        assert_eq!(z.bmi_for_age, Err(NaReason::InvalidMeasurement), "{bad}");
        assert_eq!(z.bmi, None, "{bad}");
        assert!(z.height_for_age.is_ok(), "{bad}");
    }
    for age in [f64::NAN, f64::INFINITY] {
        let z = zscores(&Child::new(Sex::Female).age_days(age).weight_kg(9.0));
        assert_eq!(z.weight_for_age, Err(NaReason::InvalidAge), "{age}");
    }
}
