//! Growth at the latest weighing: WHO z-scores and the Permenkes No. 2/2020 categories.

use sehat::anthro::classification::{StatusGizi, TinggiBadanMenurutUmur};
use sehat::anthro::{Child as AnthroChild, Measure, Sex as AnthroSex, zscores};

use crate::register::{Child, Sex};

/// One child's growth status at the latest weighing with a usable measurement.
#[derive(Debug, Clone)]
pub struct Growth {
    /// Length/height-for-age z (rounded as WHO does), if computable.
    pub haz: Option<f64>,
    /// Weight-for-length/height z.
    pub whz: Option<f64>,
    /// Weight-for-age z.
    pub waz: Option<f64>,
    /// PB/U or TB/U category (Permenkes).
    pub tb_u: Option<TinggiBadanMenurutUmur>,
    /// BB/PB or BB/TB category (Permenkes).
    pub status_gizi: Option<StatusGizi>,
}

impl Growth {
    /// Stunted: length/height-for-age below −2 SD.
    pub fn stunted(&self) -> bool {
        self.haz.is_some_and(|z| z < -2.0)
    }

    /// Wasted: weight-for-length/height below −2 SD.
    pub fn wasted(&self) -> bool {
        self.whz.is_some_and(|z| z < -2.0)
    }
}

/// The child's growth at the latest visit, or `None` without any weighing.
pub fn latest(child: &Child) -> Option<Growth> {
    let visit = child.visits.last()?;
    let sex = match child.sex {
        Sex::Boy => AnthroSex::Male,
        Sex::Girl => AnthroSex::Female,
    };
    let age_days = (visit.date - child.birth_date).whole_days();
    let mut input = AnthroChild::new(sex)
        .age_days(age_days as f64)
        .oedema(visit.oedema);
    if let Some(weight) = visit.weight_kg {
        input = input.weight_kg(weight);
    }
    if let Some(length) = visit.length_cm {
        let measure = visit.lying.map(|lying| {
            if lying {
                Measure::Lying
            } else {
                Measure::Standing
            }
        });
        input = input.lenhei_cm(length, measure);
    }
    let z = zscores(&input);
    // WHO flags implausible values; a flagged z-score is a measurement to re-check, not a
    // diagnosis, so it takes no part in the categories.
    let usable = |o: sehat::anthro::Outcome| o.ok().filter(|z| !z.flagged).map(|z| z.z_rounded);
    let haz = usable(z.length_for_age);
    let whz = usable(z.weight_for_length);
    let waz = usable(z.weight_for_age);
    Some(Growth {
        haz,
        whz,
        waz,
        tb_u: haz.and_then(TinggiBadanMenurutUmur::from_z),
        status_gizi: whz.and_then(StatusGizi::from_z),
    })
}
