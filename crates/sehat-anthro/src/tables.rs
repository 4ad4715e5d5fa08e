//! The WHO LMS tables, compiled from `data/*.csv` by `build.rs`.
// Table values such as L = -0.318 are data, not approximations of constants.
#![allow(clippy::approx_constant)]

use crate::lms::{Lms, Table};

/// LMS parameters as doubles (see `build.rs`); `m` is NaN where the table has no row.
#[derive(Debug, Clone, Copy)]
pub(crate) struct StoredLms {
    l: f64,
    m: f64,
    s: f64,
}

impl StoredLms {
    const NONE: Self = Self {
        l: 0.0,
        m: f64::NAN,
        s: 0.0,
    };

    const fn new(l: f64, m: f64, s: f64) -> Self {
        Self { l, m, s }
    }

    fn unpack(self) -> Option<Lms> {
        (!self.m.is_nan()).then(|| Lms::new(self.l, self.m, self.s))
    }
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct DailyRow(pub(crate) [StoredLms; 7]);

/// Slots of [`DailyRow`].
pub(crate) mod slot {
    pub(crate) const LENGTH_HEIGHT: usize = 0;
    pub(crate) const WEIGHT: usize = 1;
    pub(crate) const BMI: usize = 2;
    pub(crate) const HEAD_CIRCUMFERENCE: usize = 3;
    pub(crate) const ARM_CIRCUMFERENCE: usize = 4;
    pub(crate) const TRICEPS_SKINFOLD: usize = 5;
    pub(crate) const SUBSCAPULAR_SKINFOLD: usize = 6;
}

/// The daily LMS parameters of `slot` for `sex_index` and `day`, if the table has them.
pub(crate) fn daily(sex_index: usize, day: i64, slot: usize) -> Option<Lms> {
    let row = DAILY.get(sex_index)?.get(usize::try_from(day).ok()?)?;
    row.0.get(slot)?.unpack()
}

include!(concat!(env!("OUT_DIR"), "/tables.rs"));

#[cfg(test)]
mod tests {
    use super::*;

    /// Every daily value is bit for bit the double `str::parse` gives for the
    /// decimal in the CSV file.
    #[test]
    fn daily_tables_are_exact() {
        let files = [
            ("length_height_for_age.csv", slot::LENGTH_HEIGHT),
            ("weight_for_age.csv", slot::WEIGHT),
            ("bmi_for_age.csv", slot::BMI),
            ("head_circumference_for_age.csv", slot::HEAD_CIRCUMFERENCE),
            ("arm_circumference_for_age.csv", slot::ARM_CIRCUMFERENCE),
            ("triceps_skinfold_for_age.csv", slot::TRICEPS_SKINFOLD),
            (
                "subscapular_skinfold_for_age.csv",
                slot::SUBSCAPULAR_SKINFOLD,
            ),
        ];
        let mut checked = 0;
        for (file, slot) in files {
            let path = format!("{}/data/who2006/{file}", env!("CARGO_MANIFEST_DIR"));
            let text = std::fs::read_to_string(path).unwrap();
            for line in text.lines().skip(1) {
                let f: Vec<&str> = line.split(',').collect();
                let sex: usize = f[0].parse::<usize>().unwrap() - 1;
                let day: i64 = f[1].parse().unwrap();
                let lms = daily(sex, day, slot).unwrap();
                let want: Vec<f64> = f[2..5].iter().map(|v| v.parse().unwrap()).collect();
                assert_eq!(lms.l.to_bits(), want[0].to_bits(), "{file} {line}");
                assert_eq!(lms.m.to_bits(), want[1].to_bits(), "{file} {line}");
                assert_eq!(lms.s.to_bits(), want[2].to_bits(), "{file} {line}");
                checked += 1;
            }
        }
        assert_eq!(checked, 4 * 3654 + 3 * 3472);
        assert!(daily(0, 90, slot::ARM_CIRCUMFERENCE).is_none());
        assert!(daily(1, 1827, slot::WEIGHT).is_none());
    }
}
