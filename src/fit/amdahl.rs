//! Amdahl's law: S(j) = 1 / (B + (1 - B)/j), with B the serial fraction (Amdahl, "Validity of the
//! single processor approach to achieving large scale computing capabilities", AFIPS 1967).
//!
//! # Method
//! Fitted in the estimation frame of `frame` (least squares on ln cost with kappa = 0, or on the
//! measured values under `--loss absolute`: the USL's kappa = 0 case in the same loss): for
//! unpaired data T(j) = a + c/j with the scale free, B = a/(a + c); for our paired-round speedups
//! the scale is fixed and j = 1 left out. Superlinear data give B < 0; that is reported as
//! superlinear, never clamped. The ceiling of the speedup as j grows is 1/B, claimed only when B's
//! interval lies above 0, the ceiling is not below a measured speedup, and the curve has three
//! thread counts or more ([`MIN_CEILING_COUNTS`]).
//!
//! # Interval
//! Unpaired data with several samples per point (CSV rows, hyperfine runs) are fitted on every
//! sample, and the interval is the t interval below with the degrees of freedom of all samples
//! (a percentile bootstrap of medians of 5 samples covered 200 of 200 seeds: far too wide). For
//! our paired rounds the 95% CI is the percentile interval of B refitted on every bootstrap
//! replicate of the rounds — when there are at least
//! [`MIN_BOOTSTRAP_SAMPLES`] rounds: a bootstrap of n rounds has at most C(2n-1, n) distinct
//! resamples (35 for n = 4), whose medians take a handful of values, so its percentile interval
//! of a median covers well below 95%. With one sample per point it is B +- t(0.975; n - p) se(B)
//! from the frame's covariance (the delta method in the parameters of the fit in its loss), n - p
//! counting only the points that carry information. With no degrees of freedom (as many points as
//! parameters: the fit is exact by construction) there is no interval, and `no_interval` says why
//! rather than a zero-width "95%" interval.

#[cfg(feature = "schema")]
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::CiMethod;
use super::curve::Curve;
use super::frame::{Frame, FrameFit, Law};
use super::outcome::{Estimate, Outcome, flat_wire};
use super::student_t::t975;
use crate::stats::{finite, percentile};

/// Amdahl's law fitted to the points, or why it was not.
pub type AmdahlFit = Outcome<AmdahlEstimate>;

/// Amdahl's law fitted to the points: B and what is known of it.
#[derive(Debug, Clone, PartialEq)]
pub struct AmdahlEstimate {
    /// B; negative for superlinear data.
    pub serial_fraction: f64,
    /// 95% CI of B.
    pub ci95: Option<[f64; 2]>,
    /// How `ci95` was computed: `bootstrap` (over rounds or samples) or `t` (from residuals, one
    /// sample per point).
    pub ci_method: Option<CiMethod>,
    /// 1/B, the speedup's limit; `None` unless B > 0 beyond noise, from three thread counts or
    /// more, and not below a measured speedup.
    pub ceiling: Option<f64>,
    /// S(j) > j beyond noise: B < 0.
    pub superlinear: bool,
    /// The thread counts that entered the fit.
    pub threads_used: Vec<usize>,
    /// Small-sample Akaike criterion of the fit in its loss (lower is better; comparable with the
    /// USL's on the same points); `None` with too few points.
    pub aicc: Option<f64>,
    /// Why there is no interval although B was fitted (too few rounds or points).
    pub no_interval: Option<String>,
}

impl Estimate for AmdahlEstimate {
    fn threads_used(&self) -> &[usize] {
        &self.threads_used
    }
}

/// The fewest distinct thread counts a ceiling 1/B is claimed from: 3. Through two points every
/// law passes, so B is a number there, and 1/B an extrapolation of nothing.
pub const MIN_CEILING_COUNTS: usize = 3;

/// The fewest rounds (or samples per point) a bootstrap interval is computed from.
pub const MIN_BOOTSTRAP_SAMPLES: usize = 5;

/// Fits Amdahl's law to `curve` (at least two distinct thread counts).
pub fn fit(curve: &Curve) -> AmdahlFit {
    let threads_used = curve.threads.clone();
    if curve.threads.len() < 2 {
        return AmdahlFit::not_fitted(
            threads_used,
            format!("needs 2 distinct thread counts, has {}", curve.threads.len()),
        );
    }
    let Some(frame) = Frame::of(curve) else {
        return AmdahlFit::not_fitted(threads_used, "a value is not a positive number");
    };
    // A fit whose B is not a finite number did not converge (the frame accepts finite steps only).
    let Some((estimate, b)) = frame.fit(Law::Amdahl, None).and_then(|e| Some((e, finite(e.sigma)?))) else {
        return AmdahlFit::not_fitted(threads_used, "the least-squares fit did not converge");
    };
    let (ci95, ci_method, no_interval) = interval(curve, &frame, &estimate);
    let ci95 = ci95.filter(|ci| ci.iter().all(|x| x.is_finite()));
    // Rounding is no evidence: exact linear data give |B| near 1e-16, neither superlinear nor a
    // ceiling of 1e16.
    let superlinear = match ci95 {
        Some([_, hi]) => hi < -ROUNDING,
        None => b < -ROUNDING,
    };
    // A ceiling is claimed only when B is above 0 beyond noise.
    let positive = ci95.map_or(b > ROUNDING, |[lo, _]| lo > ROUNDING);
    // Nor below a measured speedup: a law whose ceiling the data already beat does not hold there.
    let measured_best = curve.speedups().map_or(0.0, |s| s.iter().copied().fold(0.0, f64::max));
    // Nor from two thread counts: a line through two points fixes B, not the law's bend.
    let a_curve = curve.threads.len() >= MIN_CEILING_COUNTS;
    let ceiling = ceiling(b).filter(|c| positive && a_curve && *c >= measured_best).and_then(finite);
    Outcome::Fitted(AmdahlEstimate {
        serial_fraction: b,
        ci95,
        ci_method,
        ceiling,
        superlinear,
        threads_used,
        aicc: None,
        no_interval,
    })
}

// The file's shape of an `AmdahlFit` (its doc comments are the schema's): every field of the
// estimate, null where not fitted, and the reason.
/// Amdahl's law fitted to the points.
#[derive(Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
struct AmdahlWire {
    /// B; negative for superlinear data; null when not fitted.
    serial_fraction: Option<f64>,
    /// 95% CI of B.
    ci95: Option<[f64; 2]>,
    /// How `ci95` was computed: `bootstrap` (over rounds or samples) or `t` (from residuals, one
    /// sample per point).
    #[serde(default)]
    ci_method: Option<CiMethod>,
    /// 1/B, the speedup's limit; null unless B > 0.
    ceiling: Option<f64>,
    /// S(j) > j beyond noise: B < 0.
    superlinear: bool,
    /// The thread counts that entered the fit.
    threads_used: Vec<usize>,
    /// Small-sample Akaike criterion of the fit in its loss (lower is better; comparable with the
    /// USL's on the same points); null with too few points.
    #[serde(default)]
    aicc: Option<f64>,
    /// Why there is no interval although B was fitted (too few rounds or points).
    #[serde(default)]
    no_interval: Option<String>,
    /// Why it was not fitted, when it was not.
    not_fitted: Option<String>,
}

impl From<&AmdahlFit> for AmdahlWire {
    fn from(fit: &AmdahlFit) -> AmdahlWire {
        match fit {
            Outcome::Fitted(e) => AmdahlWire {
                serial_fraction: Some(e.serial_fraction),
                ci95: e.ci95,
                ci_method: e.ci_method,
                ceiling: e.ceiling,
                superlinear: e.superlinear,
                threads_used: e.threads_used.clone(),
                aicc: e.aicc,
                no_interval: e.no_interval.clone(),
                not_fitted: None,
            },
            Outcome::NotFitted(not) => AmdahlWire {
                threads_used: not.threads_used.clone(),
                not_fitted: Some(not.reason.clone()),
                ..AmdahlWire::default()
            },
        }
    }
}

impl From<AmdahlWire> for AmdahlFit {
    fn from(w: AmdahlWire) -> AmdahlFit {
        match w.serial_fraction {
            Some(serial_fraction) => Outcome::Fitted(AmdahlEstimate {
                serial_fraction,
                ci95: w.ci95,
                ci_method: w.ci_method,
                ceiling: w.ceiling,
                superlinear: w.superlinear,
                threads_used: w.threads_used,
                aicc: w.aicc,
                no_interval: w.no_interval,
            }),
            None => AmdahlFit::not_fitted(w.threads_used, w.not_fitted.unwrap_or_default()),
        }
    }
}

flat_wire!(AmdahlEstimate, AmdahlWire, "AmdahlFit");

/// The size of a B that is rounding of exact data, not a serial fraction (or a superlinear one).
const ROUNDING: f64 = 1e-9;

/// B of `values` (the curve's values or a replicate) in the frame; warm-started from `start`.
pub fn serial_fraction_of(curve: &Curve, values: &[f64], start: Option<FrameFit>) -> Option<f64> {
    Frame::new(curve, values)?.fit(Law::Amdahl, start).map(|f| f.sigma)
}

type Interval = (Option<[f64; 2]>, Option<CiMethod>, Option<String>);

/// The 95% CI of B by the method of the module docs, or why there is none.
fn interval(curve: &Curve, frame: &Frame, estimate: &FrameFit) -> Interval {
    if !curve.replicates.is_empty() && !Frame::of_samples(curve) {
        if curve.samples < MIN_BOOTSTRAP_SAMPLES {
            let why = format!(
                "no interval: {} rounds or samples per point; a bootstrap interval needs at least {MIN_BOOTSTRAP_SAMPLES}",
                curve.samples
            );
            return (None, None, Some(why));
        }
        let replicates: Vec<f64> =
            curve.replicates.iter().filter_map(|r| serial_fraction_of(curve, r, Some(*estimate))).collect();
        return (percentile(replicates, 0.95), Some(CiMethod::Bootstrap), None);
    }
    match frame.standard_errors(estimate, false).and_then(|c| Some((c, t975(c.dof)?))) {
        Some((cov, t)) => {
            let half = t * cov.sigma;
            (Some([estimate.sigma - half, estimate.sigma + half]), Some(CiMethod::T), None)
        }
        None => {
            let why =
                format!("no interval (too few points): {} points for {} parameters", frame.len(), estimate.params);
            (None, None, Some(why))
        }
    }
}

/// The Amdahl speedup at `threads` for serial fraction `b`: 1 / [`relative_time`].
pub fn speedup(b: f64, threads: f64) -> f64 {
    1.0 / relative_time(b, threads)
}

/// The time at `threads` relative to one thread's for serial fraction `b`: B + (1 - B)/j.
pub fn relative_time(b: f64, threads: f64) -> f64 {
    b + (1.0 - b) / threads
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
        let fit = fit(&curve).fitted().unwrap().clone();
        assert!((fit.serial_fraction - 0.1).abs() < 1e-9);
        assert!((fit.ceiling.unwrap() - 10.0).abs() < 1e-6);
        let [lo, hi] = fit.ci95.unwrap();
        assert!((lo - 0.1).abs() < 1e-9 && (hi - 0.1).abs() < 1e-9, "{lo} {hi}");
        assert_eq!(fit.ci_method, Some(CiMethod::T));
    }

    #[test]
    fn one_thread_count_is_not_fitted() {
        let curve = Curve::from_samples(&[1], &[vec![1.0]], crate::fit::curve::SampleKind::Time, 1);
        assert!(fit(&curve).reason().unwrap().contains("2 distinct"));
        // Without j = 1 the scale is free: two points determine B exactly, with no interval.
        let curve = Curve::from_samples(&[2, 4], &[vec![1.0], vec![0.6]], crate::fit::curve::SampleKind::Time, 1);
        let fit = fit(&curve).fitted().unwrap().clone();
        assert!((fit.serial_fraction - 1.0 / 9.0).abs() < 1e-9 && fit.ci95.is_none(), "{fit:?}");
        assert!(fit.no_interval.unwrap().contains("2 points for 2 parameters"));
    }

    #[test]
    fn nothing_to_fit() {
        assert_eq!(serial_fraction([(1, 1.0)]), None);
        assert_eq!(serial_fraction([(1, 1.0), (2, f64::NAN)]), None);
        assert_eq!(serial_fraction([(1, 1.0), (2, 0.0)]), None);
    }
}
