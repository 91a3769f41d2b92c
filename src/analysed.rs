//! The analysis's values: what [`crate::analysis`] computes from one workload's raw samples, apart
//! from the file format.
//!
//! [`crate::analysis::analyse`] returns an [`Analysis`] — the summary of every point it could
//! summarise, the fits and the diagnosis (a typed [`Diagnosis`](crate::fit::Diagnosis) with its
//! sentence) — and nothing else fills the summaries of a file. `results` writes an analysis into the
//! file's types at one boundary, `WorkloadResult::record`, the way hyperfine builds its
//! `BenchmarkResult` once and its exporters only read it. A new analysis result is a field here and
//! one line there, not one more optional field of `results::Point` that every stage may touch.
//!
//! The fits and the verdict are stored as they are (their serde names are the file's); a point's
//! summary is spread over the fields of its `results::Point`.

#[cfg(feature = "schema")]
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::account::{Cause, TimeParts};
use crate::fit::Fits;
use crate::fit::diagnose::Diagnosed;
use crate::stats::reruns::{RerunFigure, RerunSample};
use crate::stats::states::Shift;

/// One workload analysed: what [`crate::analysis::analyse`] returns.
#[derive(Debug, Clone, PartialEq)]
pub struct Analysis {
    /// The summary of every point that could be summarised (it has samples paired with j = 1's),
    /// ascending in threads; none without a point at j = 1.
    pub points: Vec<PointSummary>,
    /// The models fitted to the curve.
    pub fits: Fits,
    /// The diagnosis (the verdict and its qualifiers) and its sentence; `None` when nothing could
    /// be fitted.
    pub diagnosis: Option<Diagnosed>,
    /// What the thread-time account measured beside the verdict, when it has something to say.
    pub cause: Option<Cause>,
}

impl Analysis {
    /// The analysis of a workload too short to analyse (fewer than two rounds): no summaries, no
    /// fits, no diagnosis.
    pub fn nothing() -> Analysis {
        Analysis { points: Vec::new(), fits: Fits::default(), diagnosis: None, cause: None }
    }

    /// What this run leaves for its reruns (`stats::reruns`): T(1) and each S(j) with the
    /// intervals of its own rounds; `None` without a sound T(1).
    pub fn rerun_sample(&self) -> Option<RerunSample> {
        let one = self.points.iter().find(|p| p.threads == 1)?;
        let t1 = RerunFigure::of(one.median_ns?, one.median_ns_own_ci95?)?;
        let speedups = (self.points.iter().filter(|p| p.threads > 1))
            .filter_map(|p| Some((p.threads, RerunFigure::of(p.speedup?, p.speedup_own_ci95?)?)))
            .collect();
        Some(RerunSample { t1, speedups })
    }
}

/// The statistics of one point, from its raw samples. A number that could not be computed (not
/// finite, or no CPU times) is `None`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PointSummary {
    /// j.
    pub threads: usize,
    /// Median wall time, ns.
    pub median_ns: Option<f64>,
    /// Its 95% bootstrap CI.
    pub median_ns_ci95: Option<[f64; 2]>,
    /// The same interval from the point's rounds alone, before any noise floor or measured
    /// spread widened it: what this run leaves for its reruns (`stats::reruns`). Not in the file.
    pub median_ns_own_ci95: Option<[f64; 2]>,
    /// Median absolute deviation (unscaled), ns.
    pub mad_ns: Option<f64>,
    /// Mean, ns.
    pub mean_ns: Option<f64>,
    /// Sample standard deviation, ns.
    pub sd_ns: Option<f64>,
    /// S(j): the median over rounds of T1/Tj (times j for weak scaling).
    pub speedup: Option<f64>,
    /// Its 95% bootstrap CI.
    pub speedup_ci95: Option<[f64; 2]>,
    /// The same interval from the paired rounds alone, before any widening (see
    /// `median_ns_own_ci95`). Not in the file.
    pub speedup_own_ci95: Option<[f64; 2]>,
    /// S(j)/j.
    pub efficiency: Option<f64>,
    /// Karp–Flatt e(j) (strong scaling, j > 1).
    pub karp_flatt: Option<f64>,
    /// Its 95% CI.
    pub karp_flatt_ci95: Option<[f64; 2]>,
    /// Median of CPU / (wall x min(j, usable CPUs)).
    pub utilisation: Option<f64>,
    /// The machine's own ceiling at j, when measured.
    pub machine_speedup: Option<f64>,
    /// S / the machine's ceiling.
    pub fidelity: Option<f64>,
    /// The evidence that other work competed for the CPUs; `None` when the samples look
    /// undisturbed.
    pub disturbance: Option<Disturbance>,
    /// The thread-time account from the point's profile runs; `None` without them.
    pub time_parts: Option<TimeParts>,
    /// Where the machine's state shifted during the run: of T(1) at j = 1, of the paired S(j)
    /// beyond (`stats::states::shift`); `None` when none was found or the file predates them.
    pub shift: Option<Shift>,
}

impl PointSummary {
    /// The summary of a point that could not be summarised: every number `None`.
    pub fn none(threads: usize) -> PointSummary {
        PointSummary { threads, ..PointSummary::default() }
    }
}

/// The evidence behind a `disturbed` tag.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct Disturbance {
    /// Samples with a sign of competing work.
    pub flagged_samples: usize,
    /// Samples of the point.
    pub samples: usize,
    /// Samples of CPU-bound work at j = 1 whose thread was busy less than 90% of the time.
    pub low_utilisation: usize,
    /// Samples whose threads were preempted more than 100 times per thread-second.
    pub preempted: usize,
    /// Gross outliers: samples whose wall time is at least 5 times the point's median while their
    /// CPU time is not above twice its median (the work was paused, e.g. by SIGSTOP, not slower).
    /// Files written before this count was kept read 0.
    #[serde(default)]
    pub outliers: usize,
    /// The lowest utilisation of a sample, when known.
    pub min_utilisation: Option<f64>,
    /// The highest rate of involuntary context switches per thread-second, when known.
    pub max_preemptions_per_s: Option<f64>,
    /// Stretches of the point's rounds (quarters, in time order) whose CPU time per run rose, or
    /// whose utilisation fell, beyond the rounds' noise and by at least 20% against the other
    /// stretches' (`analysis::stretches`): other work held a CPU for a while. Files of schema
    /// version 4 on; empty for older files and where none departed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stretches: Vec<DisturbedStretch>,
    /// The point's profile runs whose threads waited in the run queue (runnable, not running)
    /// for more than 10% of their thread-time (`analysis::MAX_QUIET_RUN_QUEUE`): with no more
    /// threads than usable CPUs, only other work makes them wait. 0 where not measured and in
    /// files from before it was kept.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub run_queue_runs: usize,
    /// The largest run-queue share of a profile run's thread-time, when measured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_run_queue_share: Option<f64>,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// A stretch of a point's rounds that other work disturbed (see [`Disturbance::stretches`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct DisturbedStretch {
    /// The index of its first sample (sample i is the point's round `first_round + i`).
    pub from: usize,
    /// The index after its last sample.
    pub to: usize,
    /// Its median CPU time per run against the other stretches', relative (+0.45: 45% more).
    pub cpu_change: f64,
    /// Its median utilisation against the other stretches', relative (-0.40: 40% less).
    pub utilisation_change: f64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_leaves_t1_and_each_speedup_with_its_own_interval_for_its_reruns() {
        let analysis = |points| Analysis { points, ..Analysis::nothing() };
        assert_eq!(analysis(Vec::new()).rerun_sample(), None);
        let one = PointSummary {
            threads: 1,
            median_ns: Some(100.0),
            median_ns_ci95: Some([90.0, 110.0]),
            median_ns_own_ci95: Some([99.0, 101.0]),
            ..PointSummary::default()
        };
        let two = PointSummary {
            threads: 2,
            speedup: Some(1.8),
            speedup_ci95: Some([1.5, 2.1]),
            speedup_own_ci95: Some([1.7, 1.9]),
            ..PointSummary::default()
        };
        let s = analysis(vec![one.clone(), two]).rerun_sample().unwrap();
        assert_eq!(s.t1, RerunFigure::of(100.0, [99.0, 101.0]).unwrap(), "the own interval, not the widened one");
        assert_eq!(s.speedups, vec![(2, RerunFigure::of(1.8, [1.7, 1.9]).unwrap())]);
        assert_eq!(analysis(vec![PointSummary { median_ns_own_ci95: None, ..one }]).rerun_sample(), None);
    }
}
