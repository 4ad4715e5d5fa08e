//! Student's t distribution: the upper quantile R's `qt` gives for the 95 % intervals.
//!
//! The distribution function is `P(T > t) = I_x(ν/2, 1/2) / 2` with `x = ν / (ν + t²)`
//! and `I` the regularized incomplete beta function, evaluated by its continued
//! fraction (modified Lentz). The quantile starts from the Cornish–Fisher expansion
//! around the normal quantile and is refined by Newton steps on that distribution
//! function until the step is below 1e-15 relative. For ν ≥ 2000 the Cornish–Fisher
//! expansion with five terms is already exact to below 1e-15 and is used alone.

use std::f64::consts::PI;

/// The normal quantile Φ⁻¹(0.975).
const Z_975: f64 = 1.959_963_984_540_054;

thread_local! {
    /// The last quantile computed on this thread: a table asks for the same degrees of
    /// freedom hundreds of times.
    static LAST: std::cell::Cell<(f64, f64)> = const { std::cell::Cell::new((f64::NAN, f64::NAN)) };
}

/// The 0.975 quantile of Student's t with `df` degrees of freedom (`qt(0.975, df)`).
/// NaN when `df` is not positive or not a number.
pub(crate) fn t_975(df: f64) -> f64 {
    let (last_df, last_t) = LAST.get();
    #[allow(clippy::float_cmp)]
    if last_df == df {
        return last_t;
    }
    let t = compute_t_975(df);
    LAST.set((df, t));
    t
}

fn compute_t_975(df: f64) -> f64 {
    if df.is_nan() || df <= 0.0 {
        return f64::NAN;
    }
    if df.is_infinite() {
        return Z_975;
    }
    let start = cornish_fisher(Z_975, df);
    if df >= 2000.0 {
        return start;
    }
    let tail = 0.025;
    #[allow(clippy::float_cmp)]
    if df == 1.0 {
        // Cauchy: closed form.
        return (PI * (0.5 - tail)).tan();
    }
    #[allow(clippy::float_cmp)]
    if df == 2.0 {
        // Closed form for two degrees of freedom.
        let p = 1.0 - tail;
        return (2.0 * p - 1.0) / (2.0 * p * (1.0 - p)).sqrt();
    }
    // The expansion overshoots for few degrees of freedom; Newton converges from above.
    let mut t = if df < 3.0 { 12.8 } else { start };
    for _ in 0..50 {
        let f = upper_tail(t, df) - tail;
        let step = f / density(t, df);
        // P(T > t) decreases in t, so the Newton step is t + f/density.
        let next = t + step;
        if !next.is_finite() || next <= 0.0 {
            t /= 2.0;
            continue;
        }
        let done = (next - t).abs() <= 4.0 * f64::EPSILON * next;
        t = next;
        if done {
            break;
        }
    }
    t
}

/// Cornish–Fisher expansion of the t quantile in powers of 1/ν.
fn cornish_fisher(z: f64, df: f64) -> f64 {
    let z2 = z * z;
    let g1 = (z2 + 1.0) * z / 4.0;
    let g2 = ((5.0 * z2 + 16.0) * z2 + 3.0) * z / 96.0;
    let g3 = (((3.0 * z2 + 19.0) * z2 + 17.0) * z2 - 15.0) * z / 384.0;
    let g4 = ((((79.0 * z2 + 776.0) * z2 + 1482.0) * z2 - 1920.0) * z2 - 945.0) * z / 92160.0;
    z + g1 / df + g2 / df.powi(2) + g3 / df.powi(3) + g4 / df.powi(4)
}

/// `P(T > t)` for `t ≥ 0`.
fn upper_tail(t: f64, df: f64) -> f64 {
    let t2 = t * t;
    let x = df / (df + t2);
    let y = t2 / (df + t2);
    let a = df / 2.0;
    let b = 0.5;
    // I_x(a, b) directly when the continued fraction converges fast there, else
    // through the symmetry I_x(a, b) = 1 − I_y(b, a), with y = 1 − x computed directly.
    if x < (a + 1.0) / (a + b + 2.0) {
        0.5 * beta_prefix(x, y, a) * beta_cf(x, a, b) / a
    } else {
        0.5 * (1.0 - beta_prefix(x, y, a) * beta_cf(y, b, a) / b)
    }
}

/// `x^a y^(1/2) / B(a, 1/2)` with `y = 1 − x`.
fn beta_prefix(x: f64, y: f64, a: f64) -> f64 {
    (a * x.ln() + 0.5 * y.ln() - ln_beta_half(a)).exp()
}

/// `ln B(a, 1/2) = ln Γ(a) + ln Γ(1/2) − ln Γ(a + 1/2)`, without the cancellation of
/// large log-gammas: the ratio Γ(a + 1/2)/Γ(a) is taken from its asymptotic series at
/// a shifted argument ≥ 20 and brought back by the recurrence.
fn ln_beta_half(a: f64) -> f64 {
    let mut log_product = 0.0;
    let mut z = a;
    while z < 20.0 {
        // Γ(z + 1/2)/Γ(z) = Γ(z + 3/2)/Γ(z + 1) × z/(z + 1/2)
        log_product += (z / (z + 0.5)).ln();
        z += 1.0;
    }
    let series = |s: f64| {
        let s2 = s * s;
        (1.0 / 12.0
            - (1.0 / 360.0 - (1.0 / 1260.0 - (1.0 / 1680.0 - 1.0 / (1188.0 * s2)) / s2) / s2) / s2)
            / s
    };
    let ln_ratio =
        z * (0.5 / z).ln_1p() + 0.5 * z.ln() - 0.5 + series(z + 0.5) - series(z) + log_product;
    0.5 * PI.ln() - ln_ratio
}

/// Continued fraction of the incomplete beta function (modified Lentz).
fn beta_cf(x: f64, a: f64, b: f64) -> f64 {
    const TINY: f64 = 1e-300;
    let qab = a + b;
    let qap = a + 1.0;
    let qam = a - 1.0;
    let mut c = 1.0;
    let mut d = 1.0 - qab * x / qap;
    if d.abs() < TINY {
        d = TINY;
    }
    d = 1.0 / d;
    let mut h = d;
    for m in 1..20_000 {
        let m = f64::from(m);
        let m2 = 2.0 * m;
        let aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1.0 + aa * d;
        if d.abs() < TINY {
            d = TINY;
        }
        c = 1.0 + aa / c;
        if c.abs() < TINY {
            c = TINY;
        }
        d = 1.0 / d;
        h *= d * c;
        let aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1.0 + aa * d;
        if d.abs() < TINY {
            d = TINY;
        }
        c = 1.0 + aa / c;
        if c.abs() < TINY {
            c = TINY;
        }
        d = 1.0 / d;
        let delta = d * c;
        h *= delta;
        if (delta - 1.0).abs() <= f64::EPSILON {
            break;
        }
    }
    h
}

/// Density of Student's t.
fn density(t: f64, df: f64) -> f64 {
    let ln_norm = -0.5 * df.ln() - ln_beta_half(df / 2.0);
    (ln_norm - (df + 1.0) / 2.0 * (t * t / df).ln_1p()).exp()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_r_qt() {
        // qt(0.975, df) printed by R with 15 significant digits.
        for (df, expected) in [
            (1.0, 12.7062047361747),
            (2.0, 4.30265272974946),
            (3.0, 3.18244630528371),
            (5.0, 2.57058183563631),
            (10.0, 2.22813885198627),
            (30.0, 2.04227245630124),
            (100.0, 1.98397151852355),
            (1000.0, 1.96233908082641),
        ] {
            let t = t_975(df);
            assert!((t - expected).abs() < 1e-13, "df {df}: {t} vs {expected}");
        }
        assert!(t_975(0.0).is_nan());
        // Integer degrees of freedom as designs have them, against a fine bisection.
        for df in [4.0, 7.0, 42.0, 295.0, 1999.0] {
            let (mut lo, mut hi) = (1.9, 3.0);
            for _ in 0..200 {
                let mid = (lo + hi) / 2.0;
                if upper_tail(mid, df) > 0.025 {
                    lo = mid
                } else {
                    hi = mid
                }
            }
            assert!((t_975(df) - lo).abs() < 1e-13, "df {df}");
        }
        assert!((t_975(1e7) - Z_975).abs() < 1e-6);
    }
}
