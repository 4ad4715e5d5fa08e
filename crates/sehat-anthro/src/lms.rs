//! The LMS method (Box-Cox power, median, coefficient of variation) and WHO's restricted
//! application of it beyond ±3 SD.

/// The three LMS parameters of one table row (or of an interpolation between two rows).
///
/// `l` is the Box-Cox power, `m` the median and `s` the coefficient of variation. The
/// z-score of a measurement `y` is `((y / m)^l − 1) / (s·l)`.
///
/// # Examples
///
/// ```
/// use sehat_anthro::Lms;
///
/// // Weight-for-age, boys, 400 days.
/// let lms = Lms::new(0.0552, 9.9065, 0.10953);
/// assert!((lms.z(9.5) - -0.38).abs() < 0.005);
/// assert!((lms.value_at(lms.z(9.5)) - 9.5).abs() < 1e-12);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Lms {
    /// Box-Cox power.
    pub l: f64,
    /// Median, in the unit of the measurement.
    pub m: f64,
    /// Coefficient of variation.
    pub s: f64,
}

impl Lms {
    /// LMS parameters from their three values.
    #[must_use]
    pub const fn new(l: f64, m: f64, s: f64) -> Self {
        Self { l, m, s }
    }

    /// Linear interpolation `self + f × (other − self)` of each parameter.
    #[must_use]
    pub(crate) fn lerp(self, other: Self, f: f64) -> Self {
        Self {
            l: self.l + f * (other.l - self.l),
            m: self.m + f * (other.m - self.m),
            s: self.s + f * (other.s - self.s),
        }
    }

    /// The plain LMS z-score of a measurement `y`.
    ///
    /// IEEE rules apply: `y = 0` with `l < 0` gives −∞, a negative `y` with a
    /// non-integer `l` gives NaN.
    #[must_use]
    pub fn z(self, y: f64) -> f64 {
        if self.l == 1.0 {
            // The same double as the general formula (x^1 = x, s·1 = s), without `pow`.
            return (y / self.m - 1.0) / self.s;
        }
        ((y / self.m).powf(self.l) - 1.0) / (self.s * self.l)
    }

    /// The measurement whose plain z-score is `z`: `m·(1 + l·s·z)^(1/l)`.
    ///
    /// Beyond the range where `1 + l·s·z > 0` the result is NaN (or a negative value
    /// when `l = 1`).
    #[must_use]
    pub fn value_at(self, z: f64) -> f64 {
        self.m * (1.0 + self.l * self.s * z).powf(1.0 / self.l)
    }

    /// The z-score with WHO's restricted method: the plain z inside [−3, 3], beyond it a
    /// linear extension using the distance between the ±2 SD and ±3 SD curves.
    #[must_use]
    pub fn restricted_z(self, y: f64) -> f64 {
        let z = self.z(y);
        if z > 3.0 {
            let sd3 = self.value_at(3.0);
            let sd23 = sd3 - self.value_at(2.0);
            3.0 + (y - sd3) / sd23
        } else if z < -3.0 {
            let sd3 = self.value_at(-3.0);
            let sd23 = self.value_at(-2.0) - sd3;
            -3.0 + (y - sd3) / sd23
        } else {
            z
        }
    }

    /// The measurement whose restricted z-score is `z` (the inverse of
    /// [`restricted_z`](Self::restricted_z)).
    #[must_use]
    pub fn restricted_value_at(self, z: f64) -> f64 {
        if z > 3.0 {
            let sd3 = self.value_at(3.0);
            sd3 + (z - 3.0) * (sd3 - self.value_at(2.0))
        } else if z < -3.0 {
            let sd3 = self.value_at(-3.0);
            sd3 + (z + 3.0) * (self.value_at(-2.0) - sd3)
        } else {
            self.value_at(z)
        }
    }
}

/// A compiled LMS table: one row per integer key (days, months or tenths of a
/// centimetre) and sex, starting at `first`.
#[derive(Debug)]
pub(crate) struct Table<const N: usize> {
    pub(crate) first: i64,
    pub(crate) rows: [[Lms; N]; 2],
}

impl<const N: usize> Table<N> {
    /// The row for `sex_index` (0 boys, 1 girls) and integer `key`, if the table has it.
    pub(crate) fn get(&self, sex_index: usize, key: i64) -> Option<Lms> {
        let offset = usize::try_from(key.checked_sub(self.first)?).ok()?;
        self.rows.get(sex_index)?.get(offset).copied()
    }

    /// The smallest and largest key.
    pub(crate) fn key_range(&self) -> (i64, i64) {
        // N ≥ 1 for every compiled table; the cast cannot truncate.
        (self.first, self.first + N as i64 - 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn restricted_extension_uses_sd_distance() {
        let lms = Lms::new(-0.3521, 10.0, 0.08);
        let sd3 = lms.value_at(3.0);
        let sd2 = lms.value_at(2.0);
        let y = sd3 + 0.5 * (sd3 - sd2);
        assert!((lms.restricted_z(y) - 3.5).abs() < 1e-12);
        assert!((lms.restricted_value_at(3.5) - y).abs() < 1e-12);
        assert!((lms.restricted_z(lms.value_at(1.0)) - 1.0).abs() < 1e-12);
    }

    #[test]
    fn zero_weight_with_negative_l_is_finite_when_restricted() {
        let lms = Lms::new(-0.3521, 10.0, 0.08);
        assert_eq!(lms.z(0.0), f64::NEG_INFINITY);
        assert!(lms.restricted_z(0.0).is_finite());
    }
}
