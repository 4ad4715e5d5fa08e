//! R's `round(x, 2)`, which WHO's packages apply to every z-score.

/// Rounds to two decimals exactly as R (≥ 4.0.0) does with `round(x, 2)`.
///
/// R picks the nearer of the two candidates `floor(|x|·100)/100` and the next one up,
/// measuring both distances in doubles, and on an exact tie the candidate with an even
/// last digit. This differs from both "×100, round, ÷100" and correctly rounded decimal
/// output for values within a few ulps of `x.xx5`. The sign is kept, so small negative
/// values round to −0. NaN and infinities are returned unchanged.
///
/// # Examples
///
/// ```
/// use sehat_anthro::round_r;
///
/// assert_eq!(round_r(7.795), 7.8); // `format!("{:.2}", 7.795)` gives 7.79
/// assert_eq!(round_r(-0.835), -0.84);
/// assert!(round_r(-0.004).is_sign_negative());
/// ```
#[must_use]
#[inline]
pub fn round_r(x: f64) -> f64 {
    let a = x.abs();
    // Below 2^20 (every z-score), `a·100` is held to within 2^-26, so unless it lies
    // within 1e-6 of a half the nearer candidate is plain: R's comparison (below) can
    // only differ from it within a few ulps of `a` of the midpoint. One division
    // instead of two, and no branch on which candidate is nearer.
    if a < 1_048_576.0 {
        // Truncation through i64: `a·100` is below 2^27.
        #[allow(clippy::cast_possible_truncation, clippy::cast_precision_loss)]
        let i = ((a * 100.0) as i64) as f64;
        let above = a * 100.0 - i;
        if (above - 0.5).abs() > 1e-6 {
            let up = f64::from(u8::from(above > 0.5));
            return ((i + up) / 100.0).copysign(x);
        }
    }
    round_r_exact(x)
}

/// R's procedure step by step: both candidates and their distances in doubles.
fn round_r_exact(x: f64) -> f64 {
    let a = x.abs();
    // Values this large have no digit beyond the second decimal.
    if !a.is_finite() || a == 0.0 || a >= 4.5e15 {
        return x;
    }
    // floor(a·100) for a positive value below 4.5e17: truncation, without a libm call.
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        clippy::cast_precision_loss
    )]
    let i = ((a * 100.0) as i64) as f64;
    let lo = i / 100.0;
    let hi = (i + 1.0) / 100.0;
    let d_lo = a - lo;
    let d_hi = hi - a;
    let r = if d_hi < d_lo {
        hi
    } else if d_lo < d_hi {
        lo
    } else if i % 2.0 == 1.0 {
        hi
    } else {
        lo
    };
    r.copysign(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_r_on_known_values() {
        assert_eq!(round_r(-0.382), -0.38);
        assert_eq!(round_r(5.004), 5.0);
        assert_eq!(round_r(7.795), 7.8);
        assert_eq!(round_r(-0.835), -0.84);
        assert_eq!(round_r(-2.5), -2.5);
        assert!(round_r(f64::NAN).is_nan());
        assert_eq!(round_r(f64::INFINITY), f64::INFINITY);
        assert_eq!(round_r(1e300), 1e300);
        assert!(round_r(-0.0).is_sign_negative());
        assert!(round_r(-0.001).is_sign_negative());
    }

    /// The shortcut gives R's result bit for bit: on values spread over every scale
    /// the shortcut covers, and on values within a few ulps of each midpoint.
    #[test]
    fn shortcut_agrees_with_the_step_by_step_procedure() {
        let check = |x: f64| {
            assert_eq!(round_r(x).to_bits(), round_r_exact(x).to_bits(), "{x:e}");
            assert_eq!(round_r(-x).to_bits(), round_r_exact(-x).to_bits(), "{x:e}");
        };
        let mut state: u64 = 99;
        for _ in 0..2_000_000 {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            // Uniform mantissa, exponent from 2^-30 to 2^21.
            let mantissa = 1.0 + (state >> 11) as f64 / (1u64 << 53) as f64;
            let exponent = (state % 52) as i32 - 30;
            check(mantissa * 2f64.powi(exponent));
        }
        for k in 0..2_000_000_u32 {
            let mid = (f64::from(k) + 0.5) / 100.0;
            let mut x = mid;
            for _ in 0..4 {
                check(x);
                x = x.next_up();
            }
            let mut x = mid;
            for _ in 0..4 {
                x = x.next_down();
                check(x);
            }
        }
        // Midpoints just below 2^20, where the shortcut's margin is smallest.
        for k in 104_757_600..104_857_600_u32 {
            let mid = (f64::from(k) + 0.5) / 100.0;
            let (mut up, mut down) = (mid, mid);
            for _ in 0..3 {
                check(up);
                check(down);
                up = up.next_up();
                down = down.next_down();
            }
        }
        for x in [
            0.0,
            1e-300,
            5e-324,
            1_048_575.995,
            1_048_576.0,
            1e7,
            f64::MAX,
        ] {
            check(x);
        }
    }
}
