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
pub fn round_r(x: f64) -> f64 {
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
    }
}
