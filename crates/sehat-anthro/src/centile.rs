//! Centiles of z-scores (the standard normal distribution) and their inverse.

use std::f64::consts::{FRAC_1_SQRT_2, PI};

/// The complementary error function, to about 1e-15 relative precision.
///
/// A series for `|x| < 2.5` and a continued fraction (evaluated with Lentz's method)
/// beyond; both are standard expansions with positive terms.
fn erfc(x: f64) -> f64 {
    if x.is_nan() {
        return f64::NAN;
    }
    if x < 0.0 {
        return 2.0 - erfc(-x);
    }
    if x < 2.5 {
        // erf(x) = 2/√π · e^{-x²} · Σ (2x²)^n x / (1·3·…·(2n+1))
        let x2 = 2.0 * x * x;
        let mut term = x;
        let mut sum = x;
        let mut n = 0.0;
        while term > sum * 1e-17 {
            n += 1.0;
            term *= x2 / (2.0 * n + 1.0);
            sum += term;
        }
        return 1.0 - 2.0 / PI.sqrt() * (-x * x).exp() * sum;
    }
    if x > 27.0 {
        return 0.0;
    }
    // erfc(x) = e^{-x²}/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …))))
    let tiny = 1e-300;
    let mut f = x;
    let mut c = x;
    let mut d = 0.0;
    for k in 1..500 {
        let a = f64::from(k) / 2.0;
        d = x + a * d;
        if d == 0.0 {
            d = tiny;
        }
        c = x + a / c;
        if c == 0.0 {
            c = tiny;
        }
        d = 1.0 / d;
        let delta = c * d;
        f *= delta;
        if (delta - 1.0).abs() < 1e-16 {
            break;
        }
    }
    (-x * x).exp() / PI.sqrt() / f
}

/// The centile (0–100) of a z-score: 100 × Φ(z), Φ the standard normal distribution.
///
/// # Examples
///
/// ```
/// use sehat_anthro::centile;
///
/// assert!((centile(0.0) - 50.0).abs() < 1e-12);
/// assert!((centile(-2.0) - 2.275_013_194_817_921).abs() < 1e-10);
/// ```
#[must_use]
pub fn centile(z: f64) -> f64 {
    50.0 * erfc(-z * FRAC_1_SQRT_2)
}

/// The z-score of a centile (0–100): the inverse of [`centile`].
///
/// Returns −∞ for 0, +∞ for 100 and NaN outside [0, 100].
///
/// # Examples
///
/// ```
/// use sehat_anthro::{centile, z_for_centile};
///
/// assert!((z_for_centile(97.0) - 1.880_793_608_151_251).abs() < 1e-9);
/// assert!((centile(z_for_centile(3.0)) - 3.0).abs() < 1e-12);
/// ```
#[must_use]
pub fn z_for_centile(centile_value: f64) -> f64 {
    if !(0.0..=100.0).contains(&centile_value) {
        return f64::NAN;
    }
    if centile_value == 0.0 {
        return f64::NEG_INFINITY;
    }
    if centile_value == 100.0 {
        return f64::INFINITY;
    }
    // Bracketed Newton iteration on centile(z) = c.
    let (mut lo, mut hi) = (-40.0_f64, 40.0_f64);
    let mut z = 0.0_f64;
    for _ in 0..200 {
        let diff = centile(z) - centile_value;
        if diff == 0.0 {
            return z;
        }
        if diff > 0.0 {
            hi = z;
        } else {
            lo = z;
        }
        let density = 100.0 * (-0.5 * z * z).exp() / (2.0 * PI).sqrt();
        let mut next = z - diff / density;
        if !(next > lo && next < hi) {
            next = 0.5 * (lo + hi);
        }
        if (next - z).abs() <= 1e-15 * z.abs().max(1.0) {
            return next;
        }
        z = next;
    }
    z
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_normal_values() {
        assert!((centile(1.96) - 97.500_210_485_177_95).abs() < 1e-11);
        assert!((centile(-3.0) - 0.134_989_803_163_009_45).abs() < 1e-13);
        assert!((centile(3.0) - 99.865_010_196_836_99).abs() < 1e-11);
        assert!((centile(-5.0) / 2.866_515_718_791_939e-5 - 1.0).abs() < 1e-12);
        assert!((centile(2.4) - 99.180_246_407_540_38).abs() < 1e-11);
        assert!((centile(2.6) - 99.533_881_197_628_13).abs() < 1e-11);
    }

    #[test]
    fn inverse_round_trips() {
        for c in [0.001, 0.1, 3.0, 15.0, 50.0, 85.0, 97.0, 99.9] {
            assert!(
                (centile(z_for_centile(c)) - c).abs() < 1e-10 * c.max(1.0),
                "{c}"
            );
        }
        assert!(z_for_centile(-1.0).is_nan());
    }
}
