//! `measure predict`: speedups a law or a measured curve promises at other thread counts.
//!
//! From a law: Amdahl's S = 1/(B + (1-B)/j) (strong scaling) or Gustafson's S = j - a(j-1) (weak),
//! with the efficiency S/j and the marginal gain of each added thread, (S(j) - S(j')) / (j - j')
//! between consecutive rows: the law of diminishing returns in numbers.
//!
//! From a results file: each workload's best model is refitted to its raw samples and evaluated at
//! the asked thread counts; the CI is the percentile interval of the same prediction over the
//! bootstrap replicates (whole rounds resampled). Thread counts beyond twice the largest measured
//! one are extrapolations, and a warning says so.

use serde::Serialize;

use crate::analysis::{self, AnalysisContext};
use crate::fit::{Model, amdahl, gustafson, usl};
use crate::results::ResultsFile;
use crate::stats::{finite, percentile};

/// A law with its parameter.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Law {
    /// Amdahl's law with serial fraction B.
    Amdahl(f64),
    /// Gustafson's law with serial fraction a.
    Gustafson(f64),
    /// The USL with sigma and kappa.
    Usl(f64, f64),
}

impl Law {
    /// The speedup at `threads`.
    pub fn speedup(self, threads: f64) -> f64 {
        match self {
            Law::Amdahl(b) => amdahl::speedup(b, threads),
            Law::Gustafson(a) => gustafson::scaled_speedup(a, threads),
            Law::Usl(sigma, kappa) => usl::Usl { lambda: 1.0, sigma, kappa }.at(threads),
        }
    }

    /// The speedup's limit as j grows, where there is one.
    pub fn ceiling(self) -> Option<f64> {
        match self {
            Law::Amdahl(b) => amdahl::ceiling(b),
            _ => None,
        }
    }
}

/// One predicted thread count.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PredictionRow {
    /// j.
    pub threads: usize,
    /// S(j).
    pub speedup: f64,
    /// Its 95% CI (predictions from measured curves only).
    pub speedup_ci95: Option<[f64; 2]>,
    /// S(j)/j.
    pub efficiency: f64,
    /// (S(j) - S(previous j)) / (j - previous j); null on the first row.
    pub marginal_gain: Option<f64>,
    /// j is beyond twice the largest measured thread count.
    pub extrapolated: bool,
}

/// Predictions of one law at `threads` (ascending).
pub fn predict_law(law: Law, threads: &[usize]) -> Vec<PredictionRow> {
    rows(threads, |j| law.speedup(j as f64), |_| None, None)
}

/// Predictions for one workload of a results file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WorkloadPrediction {
    /// Workload name.
    pub name: String,
    /// The model used (`amdahl`, `usl`, `gustafson`), or null when none could be fitted.
    pub model: Option<Model>,
    /// The speedup's limit, for Amdahl.
    pub ceiling: Option<f64>,
    /// The rows.
    pub rows: Vec<PredictionRow>,
    /// Extrapolation or fitting warnings.
    pub warnings: Vec<String>,
}

/// Predicts every workload of `results` (already refitted) at `threads`.
pub fn predict_results(results: &ResultsFile, threads: &[usize]) -> Vec<WorkloadPrediction> {
    results
        .workloads
        .iter()
        .enumerate()
        .map(|(index, w)| {
            let ctx = AnalysisContext::of(results, index);
            let mut out =
                WorkloadPrediction { name: w.name.clone(), model: None, ceiling: None, rows: Vec::new(), warnings: Vec::new() };
            let law = match w.fits.best {
                Some(Model::Amdahl) => w.fits.amdahl_fitted().map(|a| Law::Amdahl(a.serial_fraction)),
                Some(Model::Usl) => w.fits.usl_fitted().map(|u| Law::Usl(u.sigma, u.kappa)),
                Some(Model::Gustafson) => w.fits.gustafson_fitted().map(|g| Law::Gustafson(g.serial_fraction)),
                None => None,
            };
            let (Some(law), Some(curve)) = (law, analysis::curve_to_fit(&w.points, &ctx)) else {
                out.warnings.push(format!("{}: no model was fitted, so nothing can be predicted", w.name));
                return out;
            };
            out.model = w.fits.best;
            // A ceiling only where the fit claims one (Amdahl's from three thread counts or more).
            let claimed = !matches!(law, Law::Amdahl(_)) || w.fits.amdahl_fitted().is_some_and(|a| a.ceiling.is_some());
            out.ceiling = law.ceiling().filter(|_| claimed).and_then(finite);
            let replicate_laws: Vec<Law> = curve
                .replicates
                .iter()
                .filter_map(|values| match law {
                    Law::Amdahl(_) => amdahl::serial_fraction_of(&curve, values, None).map(Law::Amdahl),
                    Law::Gustafson(_) => {
                        gustafson::serial_fraction(curve.threads.iter().copied().zip(values.iter().copied()))
                            .map(Law::Gustafson)
                    }
                    Law::Usl(..) => usl::fit_of(&curve, values, None).map(|u| Law::Usl(u.sigma, u.kappa)),
                })
                .collect();
            let measured_max = curve.threads.last().copied().unwrap_or(1);
            out.rows = rows(
                threads,
                |j| law.speedup(j as f64),
                |j| percentile(replicate_laws.iter().map(|l| l.speedup(j as f64)).filter(|s| s.is_finite()).collect(), 0.95),
                Some(measured_max),
            );
            if let Some(far) = out.rows.iter().filter(|r| r.extrapolated).map(|r| r.threads).max() {
                out.warnings.push(format!(
                    "{}: {far} threads is beyond twice the largest measured count ({measured_max}); the prediction is an extrapolation of the {} model",
                    w.name,
                    out.model.map_or("fitted", Model::as_str)
                ));
            }
            out
        })
        .collect()
}

fn rows(
    threads: &[usize],
    speedup: impl Fn(usize) -> f64,
    ci: impl Fn(usize) -> Option<[f64; 2]>,
    measured_max: Option<usize>,
) -> Vec<PredictionRow> {
    let mut previous: Option<(usize, f64)> = None;
    threads
        .iter()
        .map(|&j| {
            let s = speedup(j);
            let row = PredictionRow {
                threads: j,
                speedup: s,
                speedup_ci95: ci(j),
                efficiency: s / j as f64,
                marginal_gain: previous.map(|(pj, ps)| (s - ps) / (j - pj) as f64),
                extrapolated: measured_max.is_some_and(|m| j > 2 * m),
            };
            previous = Some((j, s));
            row
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_book_example() {
        // tests/data/amdahl-seed-example.txt: 40% parallel on 4 processors.
        let rows = predict_law(Law::Amdahl(0.6), &[1, 4]);
        assert!((rows[1].speedup - 1.428_571_4).abs() < 1e-7);
        assert!((Law::Amdahl(0.6).ceiling().unwrap() - 1.666_666_7).abs() < 1e-7);
        assert!((rows[1].marginal_gain.unwrap() - 0.428_571_4 / 3.0).abs() < 1e-7);
        assert_eq!(rows[0].marginal_gain, None);
    }

    #[test]
    fn diminishing_returns_and_gustafson() {
        let rows = predict_law(Law::Amdahl(0.1), &[1, 2, 3, 4, 8, 16]);
        let gains: Vec<f64> = rows.iter().filter_map(|r| r.marginal_gain).collect();
        assert!(gains.windows(2).all(|w| w[1] < w[0]), "{gains:?}");
        let weak = predict_law(Law::Gustafson(0.1), &[1, 10]);
        assert!((weak[1].speedup - 9.1).abs() < 1e-12);
    }
}
