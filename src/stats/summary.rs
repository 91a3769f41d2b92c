//! Summaries of a sample: median, median absolute deviation, mean, standard deviation.
//!
//! - The median of an even count is the mean of the two middle values.
//! - MAD is the raw median of |x - median| (not scaled by 1.4826; multiply for a normal-consistent
//!   estimate of sd). Hampel, "The influence curve and its role in robust estimation", JASA 1974.
//! - sd is the sample standard deviation (n - 1 in the denominator); 0 for fewer than 2 values.
//!
//! Empty input gives NaN from `median`/`mean`; callers never pass empty samples (a point has at
//! least the minimum rounds), and the results code never writes NaN (it writes null).

/// The median; NaN when empty.
pub fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    percentile_sorted(&sorted, 0.5)
}

/// The median absolute deviation from the median (unscaled).
pub fn mad(values: &[f64]) -> f64 {
    let m = median(values);
    median(&values.iter().map(|v| (v - m).abs()).collect::<Vec<_>>())
}

/// The arithmetic mean; NaN when empty.
pub fn mean(values: &[f64]) -> f64 {
    values.iter().sum::<f64>() / values.len() as f64
}

/// The sample standard deviation (n - 1); 0 for fewer than two values.
pub fn sd(values: &[f64]) -> f64 {
    if values.len() < 2 {
        return 0.0;
    }
    let m = mean(values);
    (values.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / (values.len() - 1) as f64).sqrt()
}

/// The q-quantile of sorted values by linear interpolation between order statistics (Hyndman & Fan
/// 1996, definition 7, the default of R and NumPy); NaN when empty.
pub(crate) fn percentile_sorted(sorted: &[f64], q: f64) -> f64 {
    match sorted.len() {
        0 => f64::NAN,
        1 => sorted[0],
        n => {
            let h = (n - 1) as f64 * q.clamp(0.0, 1.0);
            let (lo, frac) = (h.floor() as usize, h - h.floor());
            if lo + 1 < n { sorted[lo] + frac * (sorted[lo + 1] - sorted[lo]) } else { sorted[lo] }
        }
    }
}

/// The summaries of one sample.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Summary {
    /// Median.
    pub median: f64,
    /// Median absolute deviation.
    pub mad: f64,
    /// Mean.
    pub mean: f64,
    /// Sample standard deviation.
    pub sd: f64,
}

impl Summary {
    /// Summarises `values`.
    pub fn of(values: &[f64]) -> Summary {
        Summary { median: median(values), mad: mad(values), mean: mean(values), sd: sd(values) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closed_forms() {
        let x = [2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0];
        let s = Summary::of(&x);
        assert_eq!(s.median, 4.5);
        assert_eq!(s.mean, 5.0);
        // sum of squared deviations is 32, so sd = sqrt(32/7).
        assert!((s.sd - (32.0f64 / 7.0).sqrt()).abs() < 1e-12);
        // |x - 4.5| = 2.5, .5, .5, .5, .5, .5, 2.5, 4.5 -> median 0.5.
        assert_eq!(s.mad, 0.5);
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(sd(&[1.0]), 0.0);
        assert!(median(&[]).is_nan());
    }

    #[test]
    fn percentiles_match_r_type_7() {
        let sorted = [1.0, 2.0, 3.0, 4.0, 10.0];
        // R: quantile(c(1,2,3,4,10), c(0, .1, .25, .9, 1)) = 1.0 1.4 2.0 7.6 10.0
        for (q, want) in [(0.0, 1.0), (0.1, 1.4), (0.25, 2.0), (0.9, 7.6), (1.0, 10.0)] {
            assert!((percentile_sorted(&sorted, q) - want).abs() < 1e-12, "q={q}");
        }
    }
}
