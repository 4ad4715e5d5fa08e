//! The densities of the distribution charts: the standard normal, and a Gaussian kernel
//! density estimate of a survey's z-scores with the bandwidth of R's `density()`.

/// 1 / √(2π).
const INV_SQRT_2PI: f64 = 0.398_942_280_401_432_7;

/// The density of the standard normal distribution N(0, 1) at `x`.
pub(super) fn standard_normal(x: f64) -> f64 {
    INV_SQRT_2PI * (-0.5 * x * x).exp()
}

/// Silverman's rule of thumb as R's `bw.nrd0` (the default of `density()` and of
/// ggplot2's `stat_density`, which WHO Anthro Survey Analyser draws with):
/// `0.9 · min(sd, IQR / 1.34) · n^(−1/5)`, the IQR from R's default (type 7) quantiles.
/// Where that minimum is 0, R falls back to the SD, then to |first value|, then to 1.
/// `None` for fewer than two values (R's `bw.nrd0` stops there too).
pub(super) fn bandwidth_nrd0(values: &[f64]) -> Option<f64> {
    if values.len() < 2 {
        return None;
    }
    #[allow(clippy::cast_precision_loss)]
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let sd = (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let iqr = quantile7(&sorted, 0.75) - quantile7(&sorted, 0.25);
    let mut lo = sd.min(iqr / 1.34);
    if lo == 0.0 {
        lo = sd;
    }
    if lo == 0.0 {
        lo = values[0].abs();
    }
    if lo == 0.0 {
        lo = 1.0;
    }
    Some(0.9 * lo * n.powf(-0.2))
}

/// R's quantile of type 7 (its default) of sorted, non-empty values.
fn quantile7(sorted: &[f64], p: f64) -> f64 {
    #[allow(clippy::cast_precision_loss)]
    let h = (sorted.len() - 1) as f64 * p;
    let below = h.floor();
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let i = below as usize;
    match sorted.get(i + 1) {
        Some(next) => sorted[i] + (h - below) * (next - sorted[i]),
        None => sorted[i],
    }
}

/// A Gaussian kernel density estimate: `f(x) = 1/(n·h) · Σ φ((x − xᵢ)/h)`.
///
/// The sum is exact (R's `density()` approximates it on a binned grid by FFT, which
/// differs in the third significant digit at most for survey-sized samples). Equal
/// values are summed once with their count, so that z-scores, which WHO rounds to two
/// decimals, cost at most about 1,200 terms however large the survey.
pub(super) struct KernelDensity {
    /// Distinct values and how often each occurs.
    points: Vec<(f64, usize)>,
    n: usize,
    bandwidth: f64,
}

impl KernelDensity {
    /// The estimate of `values` with [`bandwidth_nrd0`]; `None` for fewer than two.
    pub(super) fn new(values: &[f64]) -> Option<Self> {
        let bandwidth = bandwidth_nrd0(values)?;
        let mut sorted = values.to_vec();
        sorted.sort_by(f64::total_cmp);
        let mut points: Vec<(f64, usize)> = Vec::new();
        for v in sorted {
            match points.last_mut() {
                Some((last, count)) if *last == v => *count += 1,
                _ => points.push((v, 1)),
            }
        }
        Some(Self {
            points,
            n: values.len(),
            bandwidth,
        })
    }

    /// The bandwidth h.
    pub(super) fn bandwidth(&self) -> f64 {
        self.bandwidth
    }

    /// The estimated density at `x`.
    pub(super) fn at(&self, x: f64) -> f64 {
        let h = self.bandwidth;
        #[allow(clippy::cast_precision_loss)]
        let sum: f64 = self
            .points
            .iter()
            .map(|&(v, count)| count as f64 * standard_normal((x - v) / h))
            .sum();
        #[allow(clippy::cast_precision_loss)]
        let n = self.n as f64;
        sum / (n * h)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) {
        assert!((a - b).abs() < 1e-12, "{a} vs {b}");
    }

    #[test]
    fn the_standard_normal_peaks_at_0_3989() {
        close(standard_normal(0.0), 0.398_942_280_401_432_7);
        // φ(1) = e^(−1/2) / √(2π), φ(2) = e^(−2) / √(2π).
        close(standard_normal(1.0), 0.241_970_724_519_143_37);
        close(standard_normal(-2.0), 0.053_990_966_513_188_06);
    }

    #[test]
    fn bandwidth_is_silvermans_rule_as_r_computes_it() {
        // x = −1, 0, 1: sd = 1; type-7 quartiles −0.5 and 0.5, IQR = 1, IQR/1.34 =
        // 0.746…; h = 0.9 · (1/1.34) · 3^(−1/5) = 0.539154780286722.
        close(
            bandwidth_nrd0(&[-1.0, 0.0, 1.0]).unwrap(),
            0.539_154_780_286_722,
        );
        // x = 0..=9: sd = 3.0276503540974917, quartiles 2.25 and 6.75, IQR/1.34 =
        // 3.3582…, so sd wins: h = 0.9 · 3.0276503540974917 · 10^(−1/5).
        let ten: Vec<f64> = (0..10).map(f64::from).collect();
        close(
            bandwidth_nrd0(&ten).unwrap(),
            0.9 * 3.027_650_354_097_491_7 * 10f64.powf(-0.2),
        );
        // All equal: sd = IQR = 0, so R takes |x₁| = 2: h = 0.9 · 2 · 3^(−1/5).
        close(
            bandwidth_nrd0(&[2.0, 2.0, 2.0]).unwrap(),
            0.9 * 2.0 * 3f64.powf(-0.2),
        );
        // All zero: R takes 1.
        close(bandwidth_nrd0(&[0.0, 0.0]).unwrap(), 0.9 * 2f64.powf(-0.2));
        assert_eq!(bandwidth_nrd0(&[1.0]), None);
        assert_eq!(bandwidth_nrd0(&[]), None);
    }

    #[test]
    fn kernel_density_sums_one_kernel_per_value() {
        // h = 0.539154780286722; f(0) = (φ(1/h)·2 + φ(0)) / (3h), worked by hand.
        let kde = KernelDensity::new(&[-1.0, 0.0, 1.0]).unwrap();
        close(kde.bandwidth(), 0.539_154_780_286_722);
        close(kde.at(0.0), 0.334_973_760_610_366_66);
        close(kde.at(1.0), 0.291_063_771_727_731_07);
        close(kde.at(-1.0), 0.291_063_771_727_731_07);
        close(kde.at(2.5), 0.005_149_265_185_023_734);
        // Repeated values count with their multiplicity.
        let repeated = KernelDensity::new(&[0.0, 0.0, 1.0, 0.0]).unwrap();
        let h = repeated.bandwidth();
        close(
            repeated.at(0.5),
            (3.0 * standard_normal(0.5 / h) + standard_normal(-0.5 / h)) / (4.0 * h),
        );
        assert!(KernelDensity::new(&[0.5]).is_none());
    }

    #[test]
    fn kernel_density_integrates_to_one() {
        let values: Vec<f64> = (0..200).map(|i| f64::from(i % 37) / 10.0 - 2.0).collect();
        let kde = KernelDensity::new(&values).unwrap();
        let step = 0.01;
        let area: f64 = (0..2000)
            .map(|i| kde.at(-10.0 + step * f64::from(i)) * step)
            .sum();
        assert!((area - 1.0).abs() < 1e-6, "{area}");
    }
}
