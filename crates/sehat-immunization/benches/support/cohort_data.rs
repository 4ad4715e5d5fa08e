//! Realistic Indonesian histories for timing: children aged 0-59 months, each programme
//! visit attended with probability 85 %, a few days to weeks late; 10 % live in DI
//! Yogyakarta and get JE. Shared by the benchmark and the `cohort_million` example.

use sehat_immunization::{Patient, Sex};
use time::{Date, Duration};

/// A small deterministic generator (xorshift), so runs are comparable.
pub struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// Visits at the programme's ages (days), each with the vaccines given then.
const VISITS: &[(i64, &[&str])] = &[
    (0, &["HB0"]),
    (10, &["BCG", "bOPV"]),
    (61, &["DPT-HB-Hib", "bOPV", "PCV", "RV"]),
    (91, &["DPT-HB-Hib", "bOPV", "PCV", "RV"]),
    (122, &["DPT-HB-Hib", "bOPV", "IPV", "RV"]),
    (274, &["MR", "IPV"]),
    (304, &["JE"]),
    (365, &["PCV"]),
    (548, &["DPT-HB-Hib", "MR"]),
];

/// Children aged 0-59 months on `run_date`; each visit is attended with probability
/// 85 %, a few days to several weeks late.
pub fn cohort(n: usize, run_date: Date) -> Vec<Patient> {
    let mut rng = Rng(0x5eed_1234_abcd_0001);
    (0..n)
        .map(|i| {
            let age_days = i64::try_from(rng.below(1826)).unwrap_or(0);
            let dob = run_date - Duration::days(age_days);
            let sex = if rng.below(2) == 0 {
                Sex::Female
            } else {
                Sex::Male
            };
            let mut child = Patient::new(dob, sex).with_id(format!("anak-{i}"));
            if rng.below(10) == 0 {
                child = child.in_region("ID-YO");
            }
            let mut delay = 0;
            for (day, vaccines) in VISITS {
                if rng.below(100) >= 85 {
                    continue;
                }
                delay += i64::try_from(rng.below(21)).unwrap_or(0);
                let when = dob + Duration::days(day + delay);
                if when >= run_date {
                    break;
                }
                for v in *vaccines {
                    if *v == "JE" && child.region().is_none() {
                        continue;
                    }
                    child = child.dose(when, *v);
                }
            }
            child
        })
        .collect()
}
