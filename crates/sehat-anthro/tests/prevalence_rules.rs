//! WHO's survey-analysis rules that the public reference surveys do not exercise: the
//! fast formulas without a design, group order, the 0 % and 1 % interval rule, oedema,
//! age exclusions, and the errors for inputs R refuses.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use sehat_anthro::{
    Child, Groupings, PrevalenceError, SchoolAgeChild, Sex, SurveyDesign,
    school_age_survey_prevalence, survey_prevalence, zscores,
};

/// `n` children of 400 days, 75 cm lying; the first `stunted` are 66 cm (HAZ < −3).
fn children(n: usize, stunted: usize) -> Vec<Child> {
    (0..n)
        .map(|i| {
            let sex = if i % 2 == 0 { Sex::Female } else { Sex::Male };
            let length = if i < stunted {
                66.0
            } else {
                75.0 + (i % 7) as f64 * 0.3
            };
            Child::new(sex)
                .age_days(400.0 + (i % 5) as f64)
                .weight_kg(9.0 + (i % 3) as f64 * 0.2)
                .length_cm(length)
        })
        .collect()
}

fn group<'a>(
    table: &'a sehat_anthro::PrevalenceTable,
    label: &str,
) -> &'a sehat_anthro::PrevalenceRow {
    table.rows.iter().find(|r| r.group == label).unwrap()
}

#[test]
fn simple_design_uses_anthros_closed_formulas() {
    let kids = children(30, 4);
    let table = survey_prevalence(&kids, &SurveyDesign::new(), &Groupings::default()).unwrap();
    let all = group(&table, "All");
    let z: Vec<f64> = kids
        .iter()
        .map(|c| zscores(c).length_for_age.unwrap().z_rounded)
        .collect();
    let n = z.len() as f64;
    let x: Vec<f64> = z.iter().map(|&z| f64::from(u8::from(z < -2.0))).collect();
    let r = x.iter().sum::<f64>() / n;
    let se = (n / (n - 1.0)).sqrt() / n * x.iter().map(|v| (v - r) * (v - r)).sum::<f64>().sqrt();
    let ha_2 = all.indicators[0].cutoffs[1];
    assert!((ha_2.value.unwrap() - 100.0 * r).abs() < 1e-12);
    assert!((ha_2.se.unwrap() - 100.0 * se).abs() < 1e-12);
    // Logit interval on N − 1 = 29 degrees of freedom: qt(0.975, 29) = 2.04522964213270.
    let logit = (r / (1.0 - r)).ln();
    let half = 2.045_229_642_132_7 * (n / (n - 1.0) / (n * r * (1.0 - r))).sqrt();
    let lower = 100.0 / (1.0 + (-(logit - half)).exp());
    assert!((ha_2.lower.unwrap() - lower).abs() < 1e-9);
    // Mean and SD of the z-scores; SD with n − 1.
    let mean = z.iter().sum::<f64>() / n;
    let sd = (z.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / (n - 1.0)).sqrt();
    assert!((all.indicators[0].mean.value.unwrap() - mean).abs() < 1e-12);
    assert!((all.indicators[0].sd.unwrap() - sd).abs() < 1e-12);
    // No child above +3: 0 % with the interval [0, 0].
    let ha3 = all.indicators[0].cutoffs[5];
    assert_eq!(
        (ha3.value, ha3.lower, ha3.upper),
        (Some(0.0), Some(0.0), Some(0.0))
    );
}

#[test]
fn text_groups_sorted_with_a_design_in_order_of_appearance_without() {
    let kids = children(12, 2);
    let area: Vec<Option<String>> = (0..12)
        .map(|i| Some(if i % 2 == 0 { "Urban" } else { "Rural" }.to_owned()))
        .collect();
    let groupings = Groupings {
        area: Some(area),
        ..Groupings::default()
    };
    let simple = survey_prevalence(&kids, &SurveyDesign::new(), &groupings).unwrap();
    let labels: Vec<&str> = simple.rows.iter().map(|r| r.group.as_str()).collect();
    assert_eq!(&labels[labels.len() - 2..], &["Area: Urban", "Area: Rural"]);
    let design = SurveyDesign::new().clusters((0..12).map(|i| Some(f64::from(i % 3))).collect());
    let survey = survey_prevalence(&kids, &design, &groupings).unwrap();
    let labels: Vec<&str> = survey.rows.iter().map(|r| r.group.as_str()).collect();
    assert_eq!(&labels[labels.len() - 2..], &["Area: Rural", "Area: Urban"]);
}

#[test]
fn a_rate_of_exactly_one_percent_gets_the_interval_one_to_one() {
    // anthro compares the rate in percent with 0 and 1: a 1 % rate gets [1, 1].
    let kids = children(100, 1);
    let design = SurveyDesign::new()
        .clusters((0..100).map(|i| Some(f64::from(i % 10))).collect())
        .strata(vec![Some(1.0); 100]);
    let table = survey_prevalence(&kids, &design, &Groupings::default()).unwrap();
    let ha_3 = group(&table, "All").indicators[0].cutoffs[0];
    assert_eq!(ha_3.value, Some(1.0));
    assert_eq!((ha_3.lower, ha_3.upper), (Some(1.0), Some(1.0)));
    assert!(ha_3.se.unwrap() > 0.0);
    // Two stunted: 2 %, a real logit interval around it.
    let table = survey_prevalence(&children(100, 2), &design, &Groupings::default()).unwrap();
    let ha_3 = group(&table, "All").indicators[0].cutoffs[0];
    assert!(ha_3.lower.unwrap() < 2.0 && ha_3.upper.unwrap() > 2.0);
}

#[test]
fn oedema_counts_below_minus_3_even_without_a_weight() {
    let mut kids = children(10, 0);
    kids[0].oedema = true;
    kids[1].oedema = true;
    kids[1].weight_kg = None;
    let table = survey_prevalence(&kids, &SurveyDesign::new(), &Groupings::default()).unwrap();
    let wa = group(&table, "All").indicators[1];
    assert_eq!(wa.unweighted_n, Some(10.0));
    assert_eq!(wa.cutoffs[0].value, Some(20.0));
    // The mean leaves both out: it equals the mean of the other eight.
    let others: Vec<f64> = kids[2..]
        .iter()
        .map(|c| zscores(c).weight_for_age.unwrap().z_rounded)
        .collect();
    let mean = others.iter().sum::<f64>() / 8.0;
    assert!((wa.mean.value.unwrap() - mean).abs() < 1e-12);
}

#[test]
fn ages_over_1826_days_are_dropped_missing_ages_kept() {
    let mut kids = children(10, 0);
    kids[0].age = Some(sehat_anthro::Age::Days(1826.6)); // rounds to 1827
    kids[1].age = None;
    let table = survey_prevalence(&kids, &SurveyDesign::new(), &Groupings::default()).unwrap();
    let all = group(&table, "All");
    assert_eq!(all.indicators[0].unweighted_n, Some(8.0)); // height-for-age needs age
    assert_eq!(all.indicators[3].unweighted_n, Some(9.0)); // weight-for-length does not
}

#[test]
fn the_first_of_several_bad_rows_is_the_error() {
    // Ages and weights are checked in parallel over a large survey: the error must
    // still name the first bad row of the file, not whichever a thread saw first.
    let n = 50_000;
    let mut kids = children(n, 0);
    for row in [31_000, 7_001, 45_000] {
        kids[row].age = Some(sehat_anthro::Age::Days(-1.0));
    }
    assert_eq!(
        survey_prevalence(&kids, &SurveyDesign::new(), &Groupings::default()),
        Err(PrevalenceError::NegativeAge { row: 7_002 })
    );
    let kids = children(n, 0);
    let weights = (0..n)
        .map(|i| match i {
            40_000 => Some(-2.0),
            12_345 => Some(-0.25),
            _ => Some(1.0),
        })
        .collect();
    let design = SurveyDesign::new().sampling_weights(weights);
    assert_eq!(
        survey_prevalence(&kids, &design, &Groupings::default()),
        Err(PrevalenceError::NegativeWeight {
            row: 12_346,
            weight: -0.25
        })
    );
}

#[test]
fn inputs_r_refuses_are_typed_errors() {
    let kids = children(4, 0);
    let short = SurveyDesign::new().sampling_weights(vec![Some(1.0); 3]);
    assert_eq!(
        survey_prevalence(&kids, &short, &Groupings::default()),
        Err(PrevalenceError::Length {
            column: "sw",
            expected: 4,
            found: 3
        })
    );
    let negative =
        SurveyDesign::new().sampling_weights(vec![Some(1.0), Some(-0.5), None, Some(2.0)]);
    assert_eq!(
        survey_prevalence(&kids, &negative, &Groupings::default()),
        Err(PrevalenceError::NegativeWeight {
            row: 2,
            weight: -0.5
        })
    );
    let no_cluster = SurveyDesign::new().clusters(vec![None; 4]);
    assert_eq!(
        survey_prevalence(&kids, &no_cluster, &Groupings::default()),
        Err(PrevalenceError::NoChildren)
    );
    let mut bad = kids.clone();
    bad[2].age = Some(sehat_anthro::Age::Days(-3.0));
    assert_eq!(
        survey_prevalence(&bad, &SurveyDesign::new(), &Groupings::default()),
        Err(PrevalenceError::NegativeAge { row: 3 })
    );
    let teens = [SchoolAgeChild::new(Sex::Male).age_months(250.0)];
    assert_eq!(
        school_age_survey_prevalence(&teens, &SurveyDesign::new()),
        Err(PrevalenceError::NoChildren)
    );
}

#[test]
fn weights_without_clusters_take_the_hybrid_path() {
    let kids = children(20, 3);
    let weights: Vec<Option<f64>> = (0..20).map(|i| Some(1.0 + f64::from(i % 4))).collect();
    let design = SurveyDesign::new().sampling_weights(weights.clone());
    let table = survey_prevalence(&kids, &design, &Groupings::default()).unwrap();
    let all = group(&table, "All");
    let w: Vec<f64> = weights.iter().map(|w| w.unwrap()).collect();
    assert!((all.indicators[0].weighted_n.unwrap() - w.iter().sum::<f64>()).abs() < 1e-12);
    // Weighted mean z.
    let z: Vec<f64> = kids
        .iter()
        .map(|c| zscores(c).length_for_age.unwrap().z_rounded)
        .collect();
    let mean = z.iter().zip(&w).map(|(z, w)| z * w).sum::<f64>() / w.iter().sum::<f64>();
    assert!((all.indicators[0].mean.value.unwrap() - mean).abs() < 1e-12);
    // Weighted prevalence from the survey package's svymean.
    let stunted: f64 = w[..3].iter().sum();
    let ha_3 = all.indicators[0].cutoffs[0];
    assert!((ha_3.value.unwrap() - 100.0 * stunted / w.iter().sum::<f64>()).abs() < 1e-12);
}

#[test]
fn coded_groupings_give_the_table_of_the_texts_and_refuse_unknown_codes() {
    use sehat_anthro::{CodedGroupings, GroupingCodes, survey_prevalence_coded};
    let kids = children(24, 3);
    // Two codes for the text `3` and one for `3.0`: one group, labelled `3`.
    let education = ["3", "Primary", "3.0", "3", "None"];
    let texts = Groupings {
        mothers_education: Some(
            (0..24)
                .map(|i| (i % 6 != 5).then(|| education[i % 6].to_owned()))
                .collect(),
        ),
        ..Groupings::default()
    };
    let coded = CodedGroupings {
        mothers_education: Some(GroupingCodes {
            values: ["None", "3", "Primary", "3.0", "3"]
                .map(str::to_owned)
                .to_vec(),
            codes: (0..24)
                .map(|i| match i % 6 {
                    0 => Some(1),
                    1 => Some(2),
                    2 => Some(3),
                    3 => Some(4),
                    4 => Some(0),
                    _ => None,
                })
                .collect(),
        }),
        ..CodedGroupings::default()
    };
    let design = SurveyDesign::new().clusters((0..24).map(|i| Some(f64::from(i % 4))).collect());
    for design in [SurveyDesign::new(), design] {
        let a = survey_prevalence(&kids, &design, &texts).unwrap();
        let b = survey_prevalence_coded(&kids, &design, &coded).unwrap();
        assert_eq!(format!("{a:?}"), format!("{b:?}"));
        let labels: Vec<&str> = b.rows.iter().map(|r| r.group.as_str()).collect();
        assert!(labels.contains(&"Maternal education: 3"));
        assert!(!labels.contains(&"Maternal education: 3.0"));
    }
    let mut bad = coded.clone();
    if let Some(c) = bad.mothers_education.as_mut() {
        c.codes[7] = Some(5);
    }
    assert_eq!(
        survey_prevalence_coded(&kids, &SurveyDesign::new(), &bad),
        Err(PrevalenceError::UnknownCode {
            column: "mothered",
            row: 8,
            code: 5,
            values: 5
        })
    );
}
