//! The chart's SD curves against WHO's published z-score tables (tests/data/who-sd/):
//! every row of the monthly 0–5 y and weekly 0–13 week tables, weight-for-age and
//! length/height-for-age, both sexes, SD3neg to SD3.
#![cfg(feature = "chart")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use sehat_anthro::Sex;
use sehat_anthro::chart::{ChartIndicator, sd_curve_value};

const Z: [f64; 7] = [-3.0, -2.0, -1.0, 0.0, 1.0, 2.0, 3.0];

struct Row {
    sex: Sex,
    /// Age in the table's unit (months or weeks).
    age: u32,
    /// SD3neg..SD3 as printed (one decimal).
    sd: [f64; 7],
    /// True for the second month-24 row of the 0–5 y length/height table (height).
    height_at_24: bool,
}

fn read(file: &str) -> Vec<Row> {
    let path = format!("{}/tests/data/who-sd/{file}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(path).unwrap();
    let mut rows: Vec<Row> = Vec::new();
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        assert_eq!(f.len(), 12, "{file}: {line}");
        let sex = Sex::from_code(f[0]).unwrap();
        let age: u32 = f[1].parse().unwrap();
        let mut sd = [0.0; 7];
        for (i, v) in f[5..].iter().enumerate() {
            sd[i] = v.parse().unwrap();
        }
        let height_at_24 = rows.last().is_some_and(|r| r.sex == sex && r.age == age);
        rows.push(Row {
            sex,
            age,
            sd,
            height_at_24,
        });
    }
    rows
}

/// WHO's tables give the SD values at exact ages (months of 30.4375 days, weeks of 7
/// days), rounded to one decimal. The chart's curves pass through the daily rows and
/// are straight between them, so the curve at an exact age is the interpolation between
/// its two days; it must be within half a unit of the last printed digit of WHO's value
/// (plus 0.002 for the curvature within one day). Returns (values checked, values that
/// round to WHO's exactly).
fn check(file: &str, indicator: ChartIndicator, days_per_unit: f64) -> (usize, usize) {
    let mut checked = 0;
    let mut exact = 0;
    for row in read(file) {
        let exact_days = f64::from(row.age) * days_per_unit;
        // Month 24 appears twice in the length/height table: length (to day 730)
        // first, then height (from day 731).
        let at_24 =
            indicator == ChartIndicator::LengthHeightForAge && row.age == 24 && days_per_unit > 7.0;
        for (z, published) in Z.iter().zip(row.sd) {
            let value = |day: u32| sd_curve_value(row.sex, indicator, day, *z).unwrap();
            let ours = if at_24 {
                // 24 months is 730.5 days, between the last length day and the first
                // height day: each curve is extended by half a day along its own slope.
                if row.height_at_24 {
                    value(731) - 0.5 * (value(732) - value(731))
                } else {
                    value(730) + 0.5 * (value(730) - value(729))
                }
            } else {
                let day = exact_days.floor() as u32;
                let frac = exact_days - exact_days.floor();
                if frac == 0.0 {
                    value(day)
                } else if day == 1826 {
                    // 60 months is 1826.25 days; the tables end at 1826.
                    value(1826) + frac * (value(1826) - value(1825))
                } else {
                    value(day) + frac * (value(day + 1) - value(day))
                }
            };
            let diff = (ours - published).abs();
            assert!(
                diff <= 0.05 + 0.002,
                "{file} sex {:?} age {} z {z}: curve {ours} vs WHO {published}",
                row.sex,
                row.age
            );
            if (ours * 10.0).round() / 10.0 == published {
                exact += 1;
            }
            checked += 1;
        }
    }
    (checked, exact)
}

#[test]
fn weight_for_age_matches_who_monthly_table() {
    assert_eq!(
        check("wfa_0_5_zscores.csv", ChartIndicator::WeightForAge, 30.4375),
        (2 * 61 * 7, 2 * 61 * 7)
    );
}

#[test]
fn weight_for_age_matches_who_weekly_table() {
    assert_eq!(
        check("wfa_0_13_zscores.csv", ChartIndicator::WeightForAge, 7.0),
        (2 * 14 * 7, 2 * 14 * 7)
    );
}

#[test]
fn length_height_for_age_matches_who_monthly_table() {
    assert_eq!(
        check(
            "lhfa_0_5_zscores.csv",
            ChartIndicator::LengthHeightForAge,
            30.4375
        ),
        // Four values sit within 0.002 cm of a rounding boundary.
        (2 * 62 * 7, 2 * 62 * 7 - 4)
    );
}

#[test]
fn length_for_age_matches_who_weekly_table() {
    assert_eq!(
        check(
            "lhfa_0_13_zscores.csv",
            ChartIndicator::LengthHeightForAge,
            7.0
        ),
        (2 * 14 * 7, 2 * 14 * 7)
    );
}

#[test]
fn weekly_tables_round_exactly() {
    // Weeks are whole days: the curve at that day rounds to WHO's printed value.
    for (file, ind) in [
        ("wfa_0_13_zscores.csv", ChartIndicator::WeightForAge),
        ("lhfa_0_13_zscores.csv", ChartIndicator::LengthHeightForAge),
    ] {
        for row in read(file) {
            for (z, published) in Z.iter().zip(row.sd) {
                let ours = sd_curve_value(row.sex, ind, row.age * 7, *z).unwrap();
                assert_eq!(
                    format!("{ours:.1}"),
                    format!("{published:.1}"),
                    "{file} {:?} week {} z {z}",
                    row.sex,
                    row.age
                );
            }
        }
    }
}
