//! Hand-checked judgements.

use time::macros::date;

use super::*;

/// A boy born on 2023-01-15: on the 15th of each month his age in completed months is
/// the number of months since January 2023.
const BORN: Date = date!(2023 - 01 - 15);

fn on_month(months: u32) -> Date {
    let total = 2023 * 12 + months; // January = 0
    let year = (total / 12) as i32;
    let month = time::Month::try_from((total % 12) as u8 + 1).unwrap();
    Date::from_calendar_date(year, month, 15).unwrap()
}

fn boy(visits: &[(u32, f64)]) -> Vec<VisitJudgement> {
    let weighings: Vec<Weighing> = visits
        .iter()
        .map(|&(m, kg)| Weighing::new(on_month(m), kg))
        .collect();
    judge(Sex::Male, BORN, &weighings).unwrap()
}

fn codes(j: &VisitJudgement) -> (Vec<&'static str>, Vec<&'static str>) {
    (
        j.reasons.iter().map(|r| r.code()).collect(),
        j.flags.iter().map(|f| f.code()).collect(),
    )
}

fn wfa(j: &VisitJudgement) -> f64 {
    j.zscores.weight_for_age.unwrap().z
}

#[test]
fn the_kbm_of_month_m_is_the_gain_from_m_minus_1_to_m() {
    // 1 → 2 months: +850 g against KBM 900 g (month 2), both weights between −1 and
    // 0 SD (no line crossed): T.
    let j = boy(&[(1, 4.35), (2, 5.2)]);
    assert!((-1.0..0.0).contains(&wfa(&j[0])) && (-1.0..0.0).contains(&wfa(&j[1])));
    assert_eq!(
        (j[1].age_months, j[1].gain_g, j[1].kbm_g),
        (2, Some(850), Some(900))
    );
    assert_eq!(
        (j[1].nt, j[1].rule),
        (Some(Nt::TidakNaik), NtRule::KbmNotMet)
    );
    assert_eq!(codes(&j[1]).0, ["T"]);
    // 2 → 3 months: +850 g against KBM 800 g (month 3): N, no referral.
    let j = boy(&[(2, 5.3), (3, 6.15)]);
    assert!((-1.0..0.0).contains(&wfa(&j[0])) && (-1.0..0.0).contains(&wfa(&j[1])));
    assert_eq!(
        (j[1].age_months, j[1].gain_g, j[1].kbm_g),
        (3, Some(850), Some(800))
    );
    assert_eq!((j[1].nt, j[1].rule), (Some(Nt::Naik), NtRule::KbmMet));
    assert!(!j[1].referral());
    // Exactly the KBM is N ("sama dengan KBM atau lebih"): 11 → 12 months, +200 g.
    let j = boy(&[(11, 9.0), (12, 9.2)]);
    assert_eq!((j[1].gain_g, j[1].kbm_g), (Some(200), Some(200)));
    assert_eq!((j[1].nt, j[1].rule), (Some(Nt::Naik), NtRule::KbmMet));
    // One gram less is T.
    let j = boy(&[(11, 9.0), (12, 9.199)]);
    assert_eq!((j[1].gain_g, j[1].nt), (Some(199), Some(Nt::TidakNaik)));
}

#[test]
fn the_first_weighing_has_no_judgement() {
    let j = boy(&[(2, 5.6)]);
    assert_eq!((j[0].nt, j[0].rule), (None, NtRule::FirstWeighing));
    assert_eq!((j[0].gain_g, j[0].kbm_g), (None, None));
    assert_eq!(j[0].age_days, 59); // 2023-01-15 → 2023-03-15
    assert!(!j[0].referral());
}

#[test]
fn flat_or_falling_weight_is_t_whatever_the_lines() {
    let j = boy(&[(20, 11.5), (21, 11.5), (22, 11.3)]);
    assert_eq!((j[1].gain_g, j[1].rule), (Some(0), NtRule::WeightNotGained));
    assert_eq!(j[1].nt, Some(Nt::TidakNaik));
    assert_eq!(
        (j[2].gain_g, j[2].rule),
        (Some(-200), NtRule::WeightNotGained)
    );
    // The second T in a row: referral for both.
    assert_eq!(codes(&j[2]).0, ["T", "2T"]);
    assert!(j[2].referral());
}

#[test]
fn crossing_a_line_decides_before_the_kbm() {
    // 1 → 2 months, +950 g (KBM 900 g met) but from above the median (4.495 kg at
    // 31 days) to below it (5.510 kg at 59 days): T.
    let j = boy(&[(1, 4.55), (2, 5.5)]);
    assert!(
        wfa(&j[0]) > 0.0 && wfa(&j[1]) < 0.0,
        "{} {}",
        wfa(&j[0]),
        wfa(&j[1])
    );
    assert_eq!((j[1].gain_g, j[1].kbm_g), (Some(950), Some(900)));
    assert_eq!(
        (j[1].nt, j[1].rule),
        (Some(Nt::TidakNaik), NtRule::CrossedLineDown)
    );
    assert_eq!(codes(&j[1]).0, ["T"]);
    // 48 → 49 months, +150 g (KBM 200 g not met) but up through −2 SD (12.713 kg at
    // 1461 days, 12.830 kg at 1492 days): N.
    let j = boy(&[(48, 12.7), (49, 12.85)]);
    assert!(
        wfa(&j[0]) < -2.0 && wfa(&j[1]) >= -2.0,
        "{} {}",
        wfa(&j[0]),
        wfa(&j[1])
    );
    assert_eq!((j[1].gain_g, j[1].kbm_g), (Some(150), Some(200)));
    assert_eq!(
        (j[1].nt, j[1].rule),
        (Some(Nt::Naik), NtRule::CrossedLineUp)
    );
    // Below −2 SD at 48 months is a Permenkes category of its own.
    assert_eq!(codes(&j[0]).0, ["bb_u_kurang"]);
    assert!(!j[1].referral());
}

#[test]
fn two_t_in_a_row_mean_referral_and_a_gap_breaks_the_row() {
    let j = boy(&[(14, 9.8), (15, 9.9), (16, 10.0), (17, 10.5)]);
    assert_eq!(j[1].rule, NtRule::KbmNotMet);
    assert_eq!(codes(&j[1]).0, ["T"]);
    assert_eq!(j[2].rule, NtRule::KbmNotMet);
    assert_eq!(codes(&j[2]).0, ["T", "2T"]);
    assert_eq!(j[3].nt, Some(Nt::Naik));
    assert!(!j[3].referral());
    // T, then a missed month, then T: not two in a row.
    let j = boy(&[(14, 9.8), (15, 9.9), (17, 9.95), (18, 10.0)]);
    assert_eq!(j[2].rule, NtRule::NotWeighedLastMonth);
    assert_eq!(codes(&j[3]).0, ["T"]);
}

#[test]
fn no_kbm_across_a_missed_month_nor_within_one_month() {
    // Months 3 and 5: month 4 was missed. The gain is reported, no KBM is applied
    // (neither month 5's 500 g nor the sum 600 + 500 g).
    let j = boy(&[(3, 6.4), (5, 7.5)]);
    assert_eq!((j[1].nt, j[1].rule), (None, NtRule::NotWeighedLastMonth));
    assert_eq!((j[1].gain_g, j[1].kbm_g), (Some(1100), None));
    assert!(!j[1].referral());
    // Two weighings in the same month of age (2023-04-15 and 2023-05-14: 3 months).
    let w = [
        Weighing::new(date!(2023 - 04 - 15), 6.4),
        Weighing::new(date!(2023 - 05 - 14), 6.9),
    ];
    let j = judge(Sex::Male, BORN, &w).unwrap();
    assert_eq!((j[1].age_months, j[1].rule), (3, NtRule::SameAgeMonth));
    assert_eq!((j[1].nt, j[1].gain_g), (None, Some(500)));
    // A month is counted on the calendar: 2023-05-14 is still 3 months, 2023-05-15 is 4.
    let w = [
        Weighing::new(date!(2023 - 04 - 14), 6.3),
        Weighing::new(date!(2023 - 05 - 15), 6.9),
    ];
    let j = judge(Sex::Male, BORN, &w).unwrap();
    assert_eq!((j[0].age_months, j[1].age_months), (2, 4));
    assert_eq!(j[1].rule, NtRule::NotWeighedLastMonth);
}

#[test]
fn beyond_60_months_there_is_no_kbm() {
    let j = boy(&[(60, 18.3), (61, 18.5)]);
    assert_eq!(
        (j[0].rule, j[1].rule),
        (NtRule::FirstWeighing, NtRule::BeyondKbmAges)
    );
    assert_eq!((j[1].nt, j[1].kbm_g), (None, None));
    let j = boy(&[(59, 18.3), (60, 18.35)]);
    assert_eq!((j[1].kbm_g, j[1].nt), (Some(200), Some(Nt::TidakNaik)));
}

#[test]
fn red_and_orange_lines_at_12_months() {
    // WHO weight-for-age, boys, 12 months (WHO Child Growth Standards, "Weight-for-age
    // BOYS, birth to 5 years (z-scores)"): −3 SD 6.9 kg, −2 SD 7.7 kg, median 9.6 kg,
    // +1 SD 10.8 kg. The daily table at 365 days gives the same lines.
    let lms = crate::Indicator::WeightForAge
        .lms(Sex::Male, 365.0)
        .unwrap();
    let line =
        |z: f64| (crate::Indicator::WeightForAge.measurement_at(lms, z) * 10.0).round() / 10.0;
    assert_eq!(
        [line(-3.0), line(-2.0), line(0.0), line(1.0)],
        [6.9, 7.7, 9.6, 10.8]
    );

    let below = boy(&[(12, 6.8)]);
    assert_eq!(below[0].age_days, 365);
    assert_eq!(codes(&below[0]).0, ["below_red_line", "bb_u_sangat_kurang"]);
    assert!(below[0].referral());
    let above = boy(&[(12, 7.0)]);
    assert_eq!(codes(&above[0]).0, ["bb_u_kurang"]);
    let normal = boy(&[(12, 9.6)]);
    assert!(!normal[0].referral());
    let orange = boy(&[(12, 11.0)]);
    assert_eq!(
        codes(&orange[0]).0,
        ["above_orange_line", "bb_u_risiko_lebih"]
    );
}

#[test]
fn length_and_weight_for_length_categories_are_reasons() {
    // A boy of 24 months, 80 cm (WHO length-for-age −3 SD at 24 months is 78.0 cm,
    // −2 SD 81.0 cm): pendek. 12.2 kg is near the median weight.
    let w = [Weighing::new(on_month(24), 12.2).length_cm(80.0)];
    let j = judge(Sex::Male, BORN, &w).unwrap();
    let (reasons, flags) = codes(&j[0]);
    assert!(reasons.contains(&"tb_u_pendek"), "{reasons:?}");
    assert!(flags.is_empty(), "{flags:?}");
}

#[test]
fn a_weight_in_grams_is_flagged_not_judged_not_referred() {
    let j = boy(&[(6, 7.9), (7, 8300.0), (8, 8.6), (9, 8.9)]);
    let (reasons, flags) = codes(&j[1]);
    assert_eq!(flags, ["weight_in_grams", "who_flag_wfa"]);
    assert!(reasons.is_empty(), "{reasons:?}");
    assert_eq!((j[1].nt, j[1].rule), (None, NtRule::ImplausibleWeight));
    assert_eq!(j[1].gain_g, Some(8_292_100));
    // The next weighing is not judged against 8300 "kg", nor flagged for the jump back:
    // it is compared with the last plausible weight.
    assert_eq!((j[2].nt, j[2].rule), (None, NtRule::ImplausibleWeight));
    assert!(j[2].flags.is_empty(), "{:?}", j[2].flags);
    // Then judging resumes: 8 → 9 months, +300 g = KBM 300 g.
    assert_eq!(
        (j[3].gain_g, j[3].kbm_g, j[3].nt),
        (Some(300), Some(300), Some(Nt::Naik))
    );
    // The z-score is still computed from the value as given.
    assert!(j[1].zscores.weight_for_age.unwrap().z > 5.0);
}

#[test]
fn a_weight_jump_is_flagged_and_not_judged() {
    // 9.0 kg at 12 months (z ≈ −0.6) then 15.0 kg at 13 months (z ≈ +4.1): no WHO flag
    // on its own, but a change of more than 3 SD in a month.
    let j = boy(&[(12, 9.0), (13, 15.0)]);
    assert!(!j[1].zscores.weight_for_age.unwrap().flagged);
    assert_eq!(codes(&j[1]).1, ["weight_velocity"]);
    assert_eq!((j[1].nt, j[1].rule), (None, NtRule::ImplausibleWeight));
    // Not referred for a weight that is probably wrong.
    assert!(!j[1].referral(), "{:?}", j[1].reasons);
}

#[test]
fn a_shrinking_length_is_flagged() {
    let w = [
        Weighing::new(on_month(10), 8.9).length_cm(75.0),
        Weighing::new(on_month(11), 9.1),
        Weighing::new(on_month(12), 9.3).length_cm(70.0),
        Weighing::new(on_month(13), 9.5).length_cm(68.0),
    ];
    let j = judge(Sex::Male, BORN, &w).unwrap();
    // Compared with the last length, two visits before: −5 cm, and length-for-age
    // falls by more than 3 SD.
    assert_eq!(codes(&j[2]).1, ["length_decrease", "length_velocity"]);
    // −2 cm is within growthcleanr's 2.5 cm tolerance.
    assert!(j[3].flags.is_empty(), "{:?}", j[3].flags);
    // The weight is still judged.
    assert_eq!(j[2].nt, Some(Nt::Naik));
    let w = [
        Weighing::new(on_month(10), 8.9).length_cm(75.0),
        Weighing::new(on_month(11), 9.1).length_cm(72.5),
    ];
    assert!(judge(Sex::Male, BORN, &w).unwrap()[1].flags.is_empty());
    let w = [
        Weighing::new(on_month(10), 8.9).length_cm(75.0),
        Weighing::new(on_month(11), 9.1).length_cm(725.0),
    ];
    let j = judge(Sex::Male, BORN, &w).unwrap();
    // 725 cm is outside WHO's weight-for-length table: no weight-for-length flag.
    assert_eq!(codes(&j[1]).1, ["length_in_mm", "who_flag_lfa"]);
}

#[test]
fn visits_in_any_order_are_judged_by_date_and_returned_in_order_given() {
    let sorted = boy(&[(14, 9.8), (15, 9.9), (16, 10.0), (17, 10.5)]);
    let w: Vec<Weighing> = [(16, 10.0), (14, 9.8), (17, 10.5), (15, 9.9)]
        .iter()
        .map(|&(m, kg)| Weighing::new(on_month(m), kg))
        .collect();
    let shuffled = judge(Sex::Male, BORN, &w).unwrap();
    assert_eq!(shuffled[0], sorted[2]);
    assert_eq!(shuffled[1], sorted[0]);
    assert_eq!(shuffled[2], sorted[3]);
    assert_eq!(shuffled[3], sorted[1]);
}

#[test]
fn bad_weighings_are_errors_naming_the_weighing() {
    let ok = Weighing::new(on_month(3), 6.0);
    let run = |bad: Weighing| judge(Sex::Female, BORN, &[ok, bad]).unwrap_err();
    assert_eq!(
        run(Weighing::new(date!(2023 - 01 - 14), 3.0)),
        MonitoringError::BeforeBirth {
            index: 1,
            date: date!(2023 - 01 - 14),
            date_of_birth: BORN
        }
    );
    assert_eq!(
        run(Weighing::new(date!(2023 - 01 - 14), 3.0)).to_string(),
        "weighing 1: the date 2023-01-14 is before the date of birth 2023-01-15"
    );
    for kg in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 0.0, -0.0, -4.0] {
        let e = run(Weighing::new(on_month(4), kg));
        assert!(
            matches!(e, MonitoringError::InvalidWeight { index: 1, weight_kg } if weight_kg.to_bits() == kg.to_bits()),
            "{e:?}"
        );
    }
    let e = run(Weighing::new(on_month(4), 6.5).length_cm(f64::NAN));
    assert!(
        matches!(e, MonitoringError::InvalidLength { index: 1, .. }),
        "{e:?}"
    );
    assert_eq!(
        run(Weighing::new(on_month(4), 6.5).length_cm(-60.0)).to_string(),
        "weighing 1: the length -60 is not a finite positive number of cm"
    );
    let e = judge(
        Sex::Female,
        BORN,
        &[ok, Weighing::new(on_month(4), 6.5), ok],
    )
    .unwrap_err();
    assert_eq!(
        e,
        MonitoringError::SameDate {
            first: 0,
            second: 2,
            date: on_month(3)
        }
    );
    assert_eq!(
        e.to_string(),
        "weighings 0 and 2 are both dated 2023-04-15; keep one of them"
    );
    // Born and weighed the same day is fine.
    assert_eq!(
        judge(Sex::Female, BORN, &[Weighing::new(BORN, 3.2)]).unwrap()[0].age_months,
        0
    );
    assert!(judge(Sex::Female, BORN, &[]).unwrap().is_empty());
}
