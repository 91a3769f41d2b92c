//! Gustafson's law for weak scaling (Gustafson, "Reevaluating Amdahl's law", CACM 31(5), 1988):
//! when the work grows with j, the scaled speedup is S(j) = j - a (j - 1), with a the serial
//! fraction of the parallel run.
//!
//! # Method
//! j - S = a (j - 1) is linear in a through the origin: a = sum((j-1)(j-S)) / sum((j-1)^2).
//! The CI is the percentile interval over the curve's bootstrap replicates, or a +- t(0.975; n-1) se
//! for one sample per point. The scaled speedup itself comes from the sweep: j T(1, W) / T(j, jW).

#[cfg(feature = "schema")]
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::curve::Curve;
use super::outcome::{Estimate, Outcome, flat_wire};
use super::student_t::t975;
use crate::stats::{finite, percentile};

/// Gustafson's law fitted to weak-scaling points, or why it was not.
pub type GustafsonFit = Outcome<GustafsonEstimate>;

/// Gustafson's law fitted to weak-scaling points: a and its interval.
#[derive(Debug, Clone, PartialEq)]
pub struct GustafsonEstimate {
    /// a in S = j - a (j - 1).
    pub serial_fraction: f64,
    /// Its 95% CI.
    pub ci95: Option<[f64; 2]>,
    /// The thread counts that entered the fit.
    pub threads_used: Vec<usize>,
}

impl Estimate for GustafsonEstimate {
    fn threads_used(&self) -> &[usize] {
        &self.threads_used
    }
}

/// Scaled speedup for serial fraction `a` at `threads`.
pub fn scaled_speedup(a: f64, threads: f64) -> f64 {
    threads - a * (threads - 1.0)
}

/// The least-squares serial fraction of `(threads, scaled speedup)` points; `None` without j > 1.
pub fn serial_fraction(points: impl IntoIterator<Item = (usize, f64)>) -> Option<f64> {
    let (mut sxy, mut sxx) = (0.0, 0.0);
    for (j, s) in points {
        let x = j as f64 - 1.0;
        sxy += x * (j as f64 - s);
        sxx += x * x;
    }
    (sxx > 0.0).then(|| sxy / sxx).and_then(finite)
}

/// Fits Gustafson's law to a scaled-speedup curve.
pub fn fit(curve: &Curve) -> GustafsonFit {
    let threads_used = curve.threads.clone();
    let pts = |s: &[f64]| curve.threads.iter().copied().zip(s.iter().copied()).collect::<Vec<_>>();
    let Some(a) = serial_fraction(pts(&curve.values)) else {
        return GustafsonFit::not_fitted(threads_used, "needs a thread count above 1");
    };
    let ci95 = if !curve.replicates.is_empty() {
        percentile(curve.replicates.iter().filter_map(|r| serial_fraction(pts(r))).collect(), 0.95)
    } else {
        let xy: Vec<(f64, f64)> =
            pts(&curve.values).into_iter().filter(|p| p.0 > 1).map(|(j, s)| (j as f64 - 1.0, j as f64 - s)).collect();
        let sxx: f64 = xy.iter().map(|p| p.0 * p.0).sum();
        xy.len().checked_sub(1).and_then(t975).map(|t| {
            let s2 = xy.iter().map(|(x, y)| (y - a * x).powi(2)).sum::<f64>() / (xy.len() - 1) as f64;
            let half = t * (s2 / sxx).sqrt();
            [a - half, a + half]
        })
    };
    Outcome::Fitted(GustafsonEstimate { serial_fraction: a, ci95, threads_used })
}

// The file's shape of a `GustafsonFit` (its doc comments are the schema's): every field of the
// estimate, null where not fitted, and the reason.
/// Gustafson's law fitted to weak-scaling points.
#[derive(Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
struct GustafsonWire {
    /// a in S = j - a (j - 1).
    serial_fraction: Option<f64>,
    /// Its 95% CI.
    ci95: Option<[f64; 2]>,
    /// The thread counts that entered the fit.
    threads_used: Vec<usize>,
    /// Why it was not fitted, when it was not.
    not_fitted: Option<String>,
}

impl From<&GustafsonFit> for GustafsonWire {
    fn from(fit: &GustafsonFit) -> GustafsonWire {
        match fit {
            Outcome::Fitted(e) => GustafsonWire {
                serial_fraction: Some(e.serial_fraction),
                ci95: e.ci95,
                threads_used: e.threads_used.clone(),
                not_fitted: None,
            },
            Outcome::NotFitted(not) => GustafsonWire {
                threads_used: not.threads_used.clone(),
                not_fitted: Some(not.reason.clone()),
                ..GustafsonWire::default()
            },
        }
    }
}

impl From<GustafsonWire> for GustafsonFit {
    fn from(w: GustafsonWire) -> GustafsonFit {
        match w.serial_fraction {
            Some(serial_fraction) => {
                Outcome::Fitted(GustafsonEstimate { serial_fraction, ci95: w.ci95, threads_used: w.threads_used })
            }
            None => GustafsonFit::not_fitted(w.threads_used, w.not_fitted.unwrap_or_default()),
        }
    }
}

flat_wire!(GustafsonEstimate, GustafsonWire, "GustafsonFit");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_scaled_speedups_give_exact_a() {
        let pts: Vec<(usize, f64)> = (1..=16).map(|j| (j, scaled_speedup(0.15, j as f64))).collect();
        assert!((serial_fraction(pts).unwrap() - 0.15).abs() < 1e-12);
        assert_eq!(serial_fraction([(1, 1.0)]), None);
    }
}
