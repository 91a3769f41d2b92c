//! Amdahl's law: S(j) = 1 / (B + (1 - B)/j), with B the serial fraction (Amdahl, "Validity of the
//! single processor approach to achieving large scale computing capabilities", AFIPS 1967).
//!
//! # Method
//! 1/S = B + (1 - B)/j is linear in B: with x = 1 - 1/j and y = 1/S - 1/j it reads y = B x, so the
//! least-squares B through the origin is B = sum(x y) / sum(x^2) (j = 1 has x = 0 and adds nothing).
//! Superlinear data (S > j) give B < 0; that is reported as superlinear, never clamped. The ceiling
//! of the speedup as j grows is 1/B, defined only for B > 0.
//!
//! The 95% CI is the percentile interval of B refitted on every bootstrap replicate of the curve
//! (see `curve`); for data with one sample per point it is B +- t(0.975; n-1) se(B), with
//! se(B)^2 = s^2 / sum(x^2) and s^2 the residual variance of the regression through the origin on
//! the n points with j > 1.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::CiMethod;
use super::curve::Curve;
use super::student_t::t975;
use crate::stats::{finite, percentile};

/// Amdahl's law fitted to the points.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct AmdahlFit {
    /// B; negative for superlinear data; null when not fitted.
    pub serial_fraction: Option<f64>,
    /// 95% CI of B.
    pub ci95: Option<[f64; 2]>,
    /// How `ci95` was computed: `bootstrap` (over rounds or samples) or `t` (from residuals, one
    /// sample per point).
    #[serde(default)]
    pub ci_method: Option<CiMethod>,
    /// 1/B, the speedup's limit; null unless B > 0.
    pub ceiling: Option<f64>,
    /// S(j) > j beyond noise: B < 0.
    pub superlinear: bool,
    /// The thread counts that entered the fit.
    pub threads_used: Vec<usize>,
    /// Small-sample Akaike criterion on the speedups (lower is better); null with too few points.
    #[serde(default)]
    pub aicc: Option<f64>,
    /// Why it was not fitted, when it was not.
    pub not_fitted: Option<String>,
}

/// Fits Amdahl's law to `curve` (at least two distinct thread counts, one of them 1).
pub fn fit(curve: &Curve) -> AmdahlFit {
    let mut out = AmdahlFit {
        serial_fraction: None,
        ci95: None,
        ci_method: None,
        ceiling: None,
        superlinear: false,
        threads_used: curve.threads.clone(),
        aicc: None,
        not_fitted: None,
    };
    let Some(speedups) = curve.speedups() else {
        out.not_fitted = Some("needs a point at 1 thread".into());
        return out;
    };
    if curve.threads.len() < 2 {
        out.not_fitted = Some(format!("needs 2 distinct thread counts, has {}", curve.threads.len()));
        return out;
    }
    let points = |s: &[f64]| curve.threads.iter().copied().zip(s.iter().copied()).collect::<Vec<_>>();
    let Some(b) = serial_fraction(points(&speedups)) else {
        out.not_fitted = Some("a speedup is not a positive number".into());
        return out;
    };
    let replicates = curve.replicate_speedups();
    if !replicates.is_empty() {
        out.ci95 = percentile(replicates.iter().filter_map(|r| serial_fraction(points(r))).collect(), 0.95);
        out.ci_method = Some(CiMethod::Bootstrap);
    } else {
        let xy: Vec<(f64, f64)> = points(&speedups)
            .into_iter()
            .filter(|(j, _)| *j > 1)
            .map(|(j, s)| (1.0 - 1.0 / j as f64, 1.0 / s - 1.0 / j as f64))
            .collect();
        let n = xy.len();
        if let Some(t) = n.checked_sub(1).and_then(t975) {
            let sxx: f64 = xy.iter().map(|(x, _)| x * x).sum();
            let s2 = xy.iter().map(|(x, y)| (y - b * x).powi(2)).sum::<f64>() / (n - 1) as f64;
            let half = t * (s2 / sxx).sqrt();
            out.ci95 = Some([b - half, b + half]);
            out.ci_method = Some(CiMethod::T);
        }
    }
    out.ci95 = out.ci95.filter(|ci| ci.iter().all(|x| x.is_finite()));
    out.serial_fraction = finite(b);
    out.ceiling = ceiling(b).and_then(finite);
    out.superlinear = match out.ci95 {
        Some([_, hi]) => hi < 0.0,
        None => b < 0.0,
    };
    out
}

/// The Amdahl speedup at `threads` for serial fraction `b`.
pub fn speedup(b: f64, threads: f64) -> f64 {
    1.0 / (b + (1.0 - b) / threads)
}

/// The least-squares serial fraction of points `(threads, speedup)`; `None` when no point has
/// j > 1 or a speedup is not positive and finite.
pub fn serial_fraction(points: impl IntoIterator<Item = (usize, f64)>) -> Option<f64> {
    let (mut sxy, mut sxx) = (0.0, 0.0);
    for (j, s) in points {
        if !(s.is_finite() && s > 0.0) {
            return None;
        }
        let inv_j = 1.0 / j as f64;
        let x = 1.0 - inv_j;
        sxy += x * (1.0 / s - inv_j);
        sxx += x * x;
    }
    (sxx > 0.0).then(|| sxy / sxx)
}

/// The ceiling 1/B of the speedup as j grows; `None` unless B > 0.
pub fn ceiling(b: f64) -> Option<f64> {
    (b > 0.0).then(|| 1.0 / b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_amdahl_data_give_exact_b() {
        for b in [0.0, 0.1, 0.25, 0.6, 1.0] {
            let points = (1..=16).map(|j| (j, speedup(b, j as f64)));
            assert!((serial_fraction(points).unwrap() - b).abs() < 1e-12, "{b}");
        }
    }

    #[test]
    fn the_book_example() {
        // 40% parallel on 4 processors (tests/data/amdahl-seed-example.txt).
        assert!((speedup(0.6, 4.0) - 1.428_571_4).abs() < 1e-7);
        assert!((ceiling(0.6).unwrap() - 1.666_666_7).abs() < 1e-7);
    }

    #[test]
    fn superlinear_gives_negative_b_and_no_ceiling() {
        let b = serial_fraction([(1, 1.0), (2, 2.2), (4, 4.6)]).unwrap();
        assert!(b < 0.0);
        assert_eq!(ceiling(b), None);
    }

    #[test]
    fn fits_the_reference_dataset_exactly() {
        // tests/data/amdahl-exact-b010.csv: T(j) = 0.1 + 0.9/j seconds.
        let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/amdahl-exact-b010.csv"))
            .expect("tests/data/amdahl-exact-b010.csv in the repository");
        let rows: Vec<(usize, f64)> = text
            .lines()
            .skip(1)
            .map(|l| l.split_once(',').unwrap())
            .map(|(j, t)| (j.parse().unwrap(), t.parse().unwrap()))
            .collect();
        let threads: Vec<usize> = rows.iter().map(|r| r.0).collect();
        let samples: Vec<Vec<f64>> = rows.iter().map(|r| vec![r.1]).collect();
        let curve = Curve::from_samples(&threads, &samples, crate::fit::curve::SampleKind::Time, 1);
        let fit = fit(&curve);
        assert!((fit.serial_fraction.unwrap() - 0.1).abs() < 1e-9);
        assert!((fit.ceiling.unwrap() - 10.0).abs() < 1e-6);
        let [lo, hi] = fit.ci95.unwrap();
        assert!((lo - 0.1).abs() < 1e-9 && (hi - 0.1).abs() < 1e-9, "{lo} {hi}");
        assert_eq!(fit.ci_method, Some(CiMethod::T));
    }

    #[test]
    fn one_thread_count_is_not_fitted() {
        let curve = Curve::from_samples(&[1], &[vec![1.0]], crate::fit::curve::SampleKind::Time, 1);
        assert!(fit(&curve).not_fitted.unwrap().contains("2 distinct"));
        let curve = Curve::from_samples(&[2, 4], &[vec![1.0], vec![0.6]], crate::fit::curve::SampleKind::Time, 1);
        assert!(fit(&curve).not_fitted.unwrap().contains("1 thread"));
    }

    #[test]
    fn nothing_to_fit() {
        assert_eq!(serial_fraction([(1, 1.0)]), None);
        assert_eq!(serial_fraction([(1, 1.0), (2, f64::NAN)]), None);
        assert_eq!(serial_fraction([(1, 1.0), (2, 0.0)]), None);
    }
}
