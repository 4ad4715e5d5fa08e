//! Plausibility flags: single values WHO flags or that look like a unit error, and
//! changes between visits no child can make.
//!
//! Modelled on growthcleanr (Daymont et al., "Automated identification of implausible
//! values in growth data from pediatric electronic health records", JAMIA 24(6), 2017,
//! <https://doi.org/10.1093/jamia/ocx037>; R package `growthcleanr`), simplified to what
//! a Posyandu record needs: growthcleanr compares each value with the child's other
//! values (an exponentially weighted moving average of z-scores), allows a height to
//! fall by at most `height.tolerance.cm` (2.5 cm by default) and recognises unit errors.
//! Here each visit is compared with the one before it. Nothing is removed or changed:
//! the flags only ask the cadre to check the record.

use crate::ZScores;

/// A weight above this many kg is taken as entered in grams: no child under five weighs
/// 100 kg, and 2,500–30,000 (grams) is what a weight in grams looks like.
pub const GRAMS_ABOVE_KG: f64 = 100.0;
/// A length above this many cm is taken as entered in millimetres (450–1,200 mm).
pub const MILLIMETRES_ABOVE_CM: f64 = 250.0;
/// How much length may fall between two visits before it is flagged, in cm:
/// growthcleanr's default `height.tolerance.cm`.
pub const LENGTH_TOLERANCE_CM: f64 = 2.5;
/// The largest change of a z-score (weight-for-age, length/height-for-age) between two
/// consecutive visits that is not flagged.
pub const Z_JUMP: f64 = 3.0;

/// Why a visit's values should be checked. Flags never change a value; they only stop
/// an N/T judgement or a referral from resting on a value that is probably wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Flag {
    /// The weight is above [`GRAMS_ABOVE_KG`]: probably entered in grams (`weight_in_grams`).
    WeightInGrams,
    /// The length is above [`MILLIMETRES_ABOVE_CM`]: probably entered in millimetres
    /// (`length_in_mm`).
    LengthInMillimetres,
    /// WHO flags the weight-for-age z-score (below −6 or above +5) (`who_flag_wfa`).
    WhoWeightForAge,
    /// WHO flags the length/height-for-age z-score (beyond ±6) (`who_flag_lfa`).
    WhoLengthForAge,
    /// WHO flags the weight-for-length/height z-score (beyond ±5) (`who_flag_wfl`).
    WhoWeightForLength,
    /// The length is more than [`LENGTH_TOLERANCE_CM`] shorter than at the last visit
    /// with a length (`length_decrease`).
    LengthDecrease,
    /// The weight-for-age z-score moved by more than [`Z_JUMP`] since the previous visit:
    /// a gain or loss no child makes in that time (`weight_velocity`).
    WeightVelocity,
    /// The length/height-for-age z-score moved by more than [`Z_JUMP`] since the last
    /// visit with a length (`length_velocity`).
    LengthVelocity,
}

impl Flag {
    /// The flag's code, as the CLI writes it.
    #[must_use]
    pub const fn code(self) -> &'static str {
        match self {
            Self::WeightInGrams => "weight_in_grams",
            Self::LengthInMillimetres => "length_in_mm",
            Self::WhoWeightForAge => "who_flag_wfa",
            Self::WhoLengthForAge => "who_flag_lfa",
            Self::WhoWeightForLength => "who_flag_wfl",
            Self::LengthDecrease => "length_decrease",
            Self::WeightVelocity => "weight_velocity",
            Self::LengthVelocity => "length_velocity",
        }
    }

    /// True for the flags that make the weight unusable for N/T.
    pub(crate) const fn concerns_weight(self) -> bool {
        matches!(
            self,
            Self::WeightInGrams | Self::WhoWeightForAge | Self::WeightVelocity
        )
    }
}

impl std::fmt::Display for Flag {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

/// The flags of one visit by itself.
pub(crate) fn single(weight_kg: f64, length_cm: Option<f64>, z: &ZScores, flags: &mut Vec<Flag>) {
    if weight_kg > GRAMS_ABOVE_KG {
        flags.push(Flag::WeightInGrams);
    }
    if length_cm.is_some_and(|l| l > MILLIMETRES_ABOVE_CM) {
        flags.push(Flag::LengthInMillimetres);
    }
    if z.weight_for_age.is_ok_and(|z| z.flagged) {
        flags.push(Flag::WhoWeightForAge);
    }
    if z.length_for_age.is_ok_and(|z| z.flagged) {
        flags.push(Flag::WhoLengthForAge);
    }
    if z.weight_for_length.is_ok_and(|z| z.flagged) {
        flags.push(Flag::WhoWeightForLength);
    }
}

/// What the next visit is compared with: the last visit whose weight, resp. length,
/// has no single-value flag (a weight in grams is not the baseline of the next change).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct History {
    /// The unrounded weight-for-age z-score of the last plausible weight.
    weight_z: Option<f64>,
    /// The last plausible length.
    length_cm: Option<f64>,
    /// The unrounded length/height-for-age z-score of the last plausible length.
    length_z: Option<f64>,
}

impl History {
    /// Flags the changes from the history to this visit (whose single-value flags are
    /// already in `flags`), then makes this visit's plausible values the history of the
    /// next.
    pub(crate) fn step(&mut self, length_cm: Option<f64>, z: &ZScores, flags: &mut Vec<Flag>) {
        let weight_ok = !flags
            .iter()
            .any(|f| matches!(f, Flag::WeightInGrams | Flag::WhoWeightForAge));
        let length_ok = !flags
            .iter()
            .any(|f| matches!(f, Flag::LengthInMillimetres | Flag::WhoLengthForAge));
        let weight_z = z.weight_for_age.ok().map(|z| z.z).filter(|_| weight_ok);
        let length_cm = length_cm.filter(|_| length_ok);
        let length_z = z.length_for_age.ok().map(|z| z.z).filter(|_| length_ok);
        if let (Some(before), Some(now)) = (self.length_cm, length_cm)
            && before - now > LENGTH_TOLERANCE_CM
        {
            flags.push(Flag::LengthDecrease);
        }
        if let (Some(before), Some(now)) = (self.weight_z, weight_z)
            && (now - before).abs() > Z_JUMP
        {
            flags.push(Flag::WeightVelocity);
        }
        if let (Some(before), Some(now)) = (self.length_z, length_z)
            && (now - before).abs() > Z_JUMP
        {
            flags.push(Flag::LengthVelocity);
        }
        if weight_z.is_some() {
            self.weight_z = weight_z;
        }
        if length_cm.is_some() {
            self.length_cm = length_cm;
            self.length_z = length_z;
        }
    }
}
