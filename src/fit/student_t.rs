//! Two-sided Student t quantiles for intervals from residuals, via `statrs`.

use statrs::distribution::{ContinuousCDF, StudentsT};

/// The 97.5% quantile of Student's t with `df` degrees of freedom: the half-width multiplier of a
/// two-sided 95% interval. `None` for `df` < 1.
pub fn t975(df: usize) -> Option<f64> {
    if df == 0 {
        return None;
    }
    StudentsT::new(0.0, 1.0, df as f64).ok().map(|t| t.inverse_cdf(0.975)).filter(|q| q.is_finite())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn textbook_values() {
        // Tables: t(0.975; 1) = 12.706, t(0.975; 4) = 2.776, t(0.975; 30) = 2.042.
        assert!((t975(1).unwrap() - 12.706).abs() < 1e-3);
        assert!((t975(4).unwrap() - 2.776).abs() < 1e-3);
        assert!((t975(30).unwrap() - 2.042).abs() < 1e-3);
        assert_eq!(t975(0), None);
    }
}
