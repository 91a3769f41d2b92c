//! What-if: "if `f` ran k times faster, T(j) would be …" — the recorded fork-join runs replayed
//! with `f`'s time on their critical path shortened (Coz's question, answered from the profile
//! runs instead of by experiment).
//!
//! # Method
//! A profile run's wall time is its critical path: the leader's code outside the calls, then in
//! each call the worker whose span of tasks ends last (the barrier waits for it), then the call's
//! tail. `functions` keeps, per run, each function's sampled time on that path (`path_ns`). Run
//! k times faster, `f` gives back `(1 - 1/k)` of it, so the run's wall time falls by that share
//! of it: the predicted T(j) is the measured median T(j) times `1 - (1 - 1/k) p`, where `p` is the
//! mean over the point's runs of `f`'s path time over the run's wall time.
//!
//! # Limits (said with every prediction: [`LIMITS`])
//! - **First order**: the worker that was last in a call stays last. Where another worker's
//!   tasks become the longest once `f` is faster, the call shortens less than predicted: the
//!   prediction is then a bound on the gain, not the gain.
//! - **No second-order effects**: contention, caches and memory bandwidth stay as measured; a
//!   faster function that frees a lock or bandwidth for the others helps more, one that makes
//!   them collide more helps less.
//! - **Samples, not instrumentation**: a function's path time is its samples' CPU time (a tick
//!   of 1-4 ms each), and calls past the first recorded in full are not on any path
//!   (`untimed_samples`); so a function with few samples on the path gets a coarse prediction.

use super::functions::Functions;

/// The limits said with every prediction.
pub const LIMITS: &str = "first order: the last worker of each call stays last (another worker's tasks becoming \
     the longest make the gain smaller), and contention, caches and bandwidth stay as measured";

/// A prediction at one thread count.
#[derive(Debug, Clone, PartialEq)]
pub struct WhatIf {
    /// The function sped up.
    pub function: String,
    /// How many times faster.
    pub factor: f64,
    /// Its mean share of the runs' critical path (0..1).
    pub path_share: f64,
    /// The measured T(j) it starts from.
    pub measured_ns: f64,
    /// The predicted T(j).
    pub predicted_ns: f64,
}

impl WhatIf {
    /// The predicted change of T(j), as a fraction (negative: faster).
    pub fn change(&self) -> f64 {
        self.predicted_ns / self.measured_ns - 1.0
    }
}

/// The prediction for `function` run `factor` times faster at a point whose measured
/// median T(j) is `measured_ns`; `None` when the point kept no such function or has no runs.
pub fn predict(at: &Functions, function: &str, factor: f64, measured_ns: f64) -> Option<WhatIf> {
    let matching: Vec<_> = at.functions.iter().filter(|f| f.function == function).collect();
    if matching.is_empty() {
        return None;
    }
    let shares: Vec<f64> = at
        .runs
        .iter()
        .enumerate()
        .filter(|(_, r)| r.wall_ns > 0)
        .map(|(i, r)| {
            let path = matching.iter().fold(0u64, |t, f| t.saturating_add(f.path_ns.get(i).copied().unwrap_or(0)));
            (path as f64 / r.wall_ns as f64).min(1.0)
        })
        .collect();
    if shares.is_empty() {
        return None;
    }
    let path_share = shares.iter().sum::<f64>() / shares.len() as f64;
    let predicted_ns = measured_ns * (1.0 - (1.0 - 1.0 / factor) * path_share);
    Some(WhatIf { function: function.to_owned(), factor, path_share, measured_ns, predicted_ns })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attribution::functions::{FunctionCpu, RunCpu};

    #[test]
    fn halving_a_function_on_a_third_of_the_path_saves_a_sixth() {
        let at = Functions {
            runs: vec![
                RunCpu { wall_ns: 90, cpu_ns: 150, samples: 10 },
                RunCpu { wall_ns: 120, cpu_ns: 200, samples: 12 },
            ],
            functions: vec![FunctionCpu {
                function: "serial_part".into(),
                inlined: None,
                location: None,
                cpu_ns: vec![30, 40],
                path_ns: vec![30, 40],
                serial_blame_ns: 70,
                imbalance_blame_ns: 0,
            }],
            untimed_samples: 0,
            left_out_ns: Vec::new(),
        };
        let w = predict(&at, "serial_part", 2.0, 600.0).unwrap();
        assert!((w.path_share - 1.0 / 3.0).abs() < 1e-12);
        assert!((w.predicted_ns - 500.0).abs() < 1e-9, "{w:?}");
        assert!((w.change() + 1.0 / 6.0).abs() < 1e-12);
        assert_eq!(predict(&at, "elsewhere", 2.0, 600.0), None);
        // Infinitely faster: the function's whole path time goes.
        assert!((predict(&at, "serial_part", f64::INFINITY, 600.0).unwrap().predicted_ns - 400.0).abs() < 1e-9);
    }
}
