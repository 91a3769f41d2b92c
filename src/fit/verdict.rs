//! `Verdict`: what the diagnosis concludes about a curve, as a type with its evidence.
//!
//! The diagnosis (`diagnose`) chooses one verdict per curve and renders the sentence a user reads
//! from it; everything that acts on the conclusion — colours, `compare`, the results file — reads
//! the verdict, never the sentence. Each kind carries the numbers that decided it as fields, so a
//! reader can state "A saturates from 8, B from 16" without parsing English, and rewording a
//! sentence changes nothing else.
//!
//! In files and JSON output a verdict is an object tagged by `kind` (`{"kind": "saturation",
//! "knee_threads": 8, ...}`); field names are the same across kinds where they mean the same thing.

#[cfg(feature = "schema")]
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// What a curve shows, with the numbers that decided it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Verdict {
    /// Efficiency stays at 0.9 or more within noise: over the whole range, or (with `until_threads`)
    /// over a first stretch, after which it falls but no law or shape explains the rest.
    NearLinear {
        /// The largest measured thread count.
        threads: usize,
        /// S there.
        speedup: f64,
        /// The last thread count of the near-linear stretch when it ends before `threads`.
        until_threads: Option<usize>,
        /// Amdahl's B, when Amdahl's law is the better model.
        serial_fraction: Option<f64>,
        /// The ceiling 1/B it implies, when B > 0.
        ceiling: Option<f64>,
    },
    /// Amdahl's law explains the curve: a serial fraction B (its interval above 0) caps the speedup
    /// at 1/B.
    SerialFraction {
        /// The largest measured thread count.
        threads: usize,
        /// S there.
        speedup: f64,
        /// Amdahl's B.
        serial_fraction: f64,
        /// 1/B: no number of threads beats it.
        ceiling: f64,
    },
    /// S rises to a knee and then stops growing while Karp–Flatt rises: a shared resource (memory
    /// bandwidth, a lock, I/O, the core count) saturates, not serial code.
    Saturation {
        /// The smallest thread count whose S is within 10% of the best.
        knee_threads: usize,
        /// The best measured S.
        peak_speedup: f64,
        /// The memory bandwidth reached, GB/s, for work that reports the bytes it moves.
        gb_per_s: Option<f64>,
        /// The core count the knee sits at, when it does.
        cpus: Option<usize>,
    },
    /// S peaks and then falls beyond noise: more threads make it slower (retrograde scaling).
    PeakDecline {
        /// The measured thread count of the peak.
        peak_threads: usize,
        /// S there.
        peak_speedup: f64,
        /// The fall from the peak to the largest thread count, as a fraction of the peak (0.09 is a
        /// 9% fall).
        drop: f64,
        /// The largest measured thread count.
        threads: usize,
        /// S there.
        speedup: f64,
    },
    /// The USL is the better model, coherency costs are above 0 and its peak N* lies beyond the
    /// measured thread counts: S still rises, but ever more slowly.
    ApproachingPeak {
        /// The USL's N*, where the fitted curve peaks (a model value, not a measured count).
        peak_threads: f64,
        /// N*'s 95% interval; null when open.
        peak_threads_ci95: Option<[f64; 2]>,
        /// The largest measured thread count.
        threads: usize,
        /// S there.
        speedup: f64,
    },
    /// More threads are slower than one: S at the largest thread count is below 0.9.
    Slower {
        /// The largest measured thread count.
        threads: usize,
        /// S there.
        speedup: f64,
    },
    /// No thread count beyond 1 reaches S = 1.2: the work is inherently sequential.
    Sequential {
        /// The largest measured thread count.
        threads: usize,
        /// S there.
        speedup: f64,
        /// Amdahl's B, when fitted.
        serial_fraction: Option<f64>,
    },
    /// S exceeds 1.2 times the usable CPUs: the threads mostly wait (I/O, sleep, a remote
    /// service), so more threads than cores still help.
    ScalesPastCores {
        /// The largest measured thread count.
        threads: usize,
        /// S there.
        speedup: f64,
        /// The usable CPUs.
        cpus: usize,
    },
    /// Memory-bound work short of linear: the threads share one memory system, whose bandwidth
    /// limits the speedup.
    MemoryBandwidth {
        /// The largest measured thread count.
        threads: usize,
        /// S there.
        speedup: f64,
        /// The best bandwidth reached, GB/s, when the bytes moved are known (the work reports them,
        /// or the curve's unit is bytes per second).
        gb_per_s: Option<f64>,
        /// Where the bandwidth stops growing, when it does within the measured range.
        knee_threads: Option<usize>,
        /// The machine's own bandwidth ceiling (a STREAM triad), GB/s, when measured.
        ceiling: Option<f64>,
        /// Amdahl's B where it fits the curve (it is no serial code here).
        serial_fraction: Option<f64>,
    },
    /// With a fixed number of tasks, j threads finish in ceil(tasks / j) waves: the speedup is
    /// bounded by tasks / ceil(tasks / j) (load imbalance), not by serial code.
    Granularity {
        /// The largest measured thread count.
        threads: usize,
        /// S there.
        speedup: f64,
        /// The number of independent tasks of one run.
        tasks: usize,
        /// tasks / ceil(tasks / threads): the most S can be at `threads`.
        ceiling: f64,
    },
    /// Points whose S beats j beyond noise: usually each thread's share of the data now fits in
    /// its cache.
    Superlinear {
        /// The thread counts where S beats j.
        points: Vec<usize>,
        /// The one of them where S / j is largest.
        peak_threads: usize,
        /// S there.
        peak_speedup: f64,
    },
    /// Weak scaling (the work grows with j): Gustafson's law explains the scaled speedup.
    WeakScaling {
        /// The largest measured thread count.
        threads: usize,
        /// The scaled speedup there.
        speedup: f64,
        /// Gustafson's serial fraction a.
        serial_fraction: f64,
    },
    /// S rises and falls in a sawtooth with the thread count (placement on cores and sockets).
    Oscillating {
        /// The thread counts where S dips below both neighbours.
        points: Vec<usize>,
        /// The largest measured thread count.
        threads: usize,
        /// S there.
        speedup: f64,
    },
    /// Neither Amdahl's law nor the USL describes the curve within its noise.
    NoLawFits {
        /// The largest measured thread count.
        threads: usize,
        /// S there.
        speedup: f64,
    },
    /// No shape could be named: only the numbers are reported.
    Undetermined {
        /// The largest measured thread count.
        threads: usize,
        /// S there.
        speedup: f64,
        /// Amdahl's B, when Amdahl's law is the better model.
        serial_fraction: Option<f64>,
        /// Why nothing more was said.
        reason: Undetermined,
    },
    /// Only one thread count was measured: there is no speedup to explain.
    SinglePoint {
        /// That thread count.
        threads: usize,
    },
}

/// Why a curve got no named shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum Undetermined {
    /// Amdahl's law is the better model but B's 95% interval spans more than half of [0, 1]: more
    /// thread counts or rounds are needed.
    SerialFractionSpread,
    /// No rule applied: the speedup and efficiency at the largest thread count are all there is.
    NoShape,
    /// Two thread counts: a line through two points fixes the efficiency there and the serial
    /// fraction it would mean, not a law or a ceiling.
    TwoThreadCounts,
}

impl Verdict {
    /// The kind's name, as in files (`near-linear`, `peak-decline`, ...).
    pub fn kind(&self) -> &'static str {
        match self {
            Verdict::NearLinear { .. } => "near-linear",
            Verdict::SerialFraction { .. } => "serial-fraction",
            Verdict::Saturation { .. } => "saturation",
            Verdict::PeakDecline { .. } => "peak-decline",
            Verdict::ApproachingPeak { .. } => "approaching-peak",
            Verdict::Slower { .. } => "slower",
            Verdict::Sequential { .. } => "sequential",
            Verdict::ScalesPastCores { .. } => "scales-past-cores",
            Verdict::MemoryBandwidth { .. } => "memory-bandwidth",
            Verdict::Granularity { .. } => "granularity",
            Verdict::Superlinear { .. } => "superlinear",
            Verdict::WeakScaling { .. } => "weak-scaling",
            Verdict::Oscillating { .. } => "oscillating",
            Verdict::NoLawFits { .. } => "no-law-fits",
            Verdict::Undetermined { .. } => "undetermined",
            Verdict::SinglePoint { .. } => "single-point",
        }
    }

    /// The verdict and its key number in a few words, for setting verdicts side by side
    /// ("saturates from 8 threads", "peaks at 8 threads, then falls 11%").
    pub fn headline(&self) -> String {
        match self {
            Verdict::NearLinear { until_threads: Some(until), .. } => format!("near-linear to {until} threads"),
            Verdict::NearLinear { threads, speedup, .. } => {
                format!("near-linear to {threads} threads (S = {speedup:.2})")
            }
            Verdict::SerialFraction { serial_fraction, ceiling, .. } => {
                format!("bounded by a serial fraction of {serial_fraction:.3} (at most {ceiling:.1}x)")
            }
            Verdict::Saturation { knee_threads, peak_speedup, .. } => {
                format!("saturates from {knee_threads} threads (S = {peak_speedup:.2})")
            }
            Verdict::PeakDecline { peak_threads, peak_speedup, drop, threads, .. } => {
                format!(
                    "peaks at {peak_threads} threads (S = {peak_speedup:.2}), then falls {:.0}% by {threads}",
                    drop * 100.0
                )
            }
            Verdict::ApproachingPeak { peak_threads, .. } => {
                format!("approaching a USL peak at N* = {peak_threads:.1}")
            }
            Verdict::Slower { threads, speedup } => format!("slower with more threads (S({threads}) = {speedup:.2})"),
            Verdict::Sequential { threads, speedup, .. } => {
                format!("inherently sequential (S({threads}) = {speedup:.2})")
            }
            Verdict::ScalesPastCores { threads, speedup, cpus } => {
                format!("scales past the {cpus} usable CPUs (S({threads}) = {speedup:.1})")
            }
            Verdict::MemoryBandwidth { gb_per_s: Some(gb), .. } => {
                format!("limited by memory bandwidth ({gb:.1} GB/s)")
            }
            Verdict::MemoryBandwidth { knee_threads: Some(k), .. } => format!("memory bandwidth saturates from {k}"),
            Verdict::MemoryBandwidth { threads, speedup, .. } => {
                format!("memory-bound (S({threads}) = {speedup:.2})")
            }
            Verdict::Granularity { tasks, ceiling, threads, .. } => {
                format!("{tasks} tasks allow at most {ceiling:.2}x at {threads} threads")
            }
            Verdict::Superlinear { peak_threads, peak_speedup, .. } => {
                format!("superlinear (S({peak_threads}) = {peak_speedup:.2})")
            }
            Verdict::WeakScaling { serial_fraction, .. } => {
                format!("weak scaling (Gustafson's a = {serial_fraction:.3})")
            }
            Verdict::Oscillating { threads, speedup, .. } => format!("oscillating (S({threads}) = {speedup:.2})"),
            Verdict::NoLawFits { threads, speedup } => format!("no law fits (S({threads}) = {speedup:.2})"),
            Verdict::Undetermined { threads, speedup, reason: Undetermined::TwoThreadCounts, .. } => {
                format!("two thread counts (S({threads}) = {speedup:.2})")
            }
            Verdict::Undetermined { threads, speedup, .. } => format!("undetermined (S({threads}) = {speedup:.2})"),
            Verdict::SinglePoint { threads } => format!("only j = {threads} measured"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_verdict_is_an_object_tagged_by_its_kind_and_round_trips() {
        let saturation = Verdict::Saturation { knee_threads: 8, peak_speedup: 6.5, gb_per_s: None, cpus: Some(8) };
        let json = serde_json::to_value(&saturation).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"kind": "saturation", "knee_threads": 8, "peak_speedup": 6.5, "gb_per_s": null, "cpus": 8})
        );
        assert_eq!(serde_json::from_value::<Verdict>(json).unwrap(), saturation);
        let undetermined =
            Verdict::Undetermined { threads: 4, speedup: 2.0, serial_fraction: None, reason: Undetermined::NoShape };
        let json = serde_json::to_string(&undetermined).unwrap();
        assert!(json.starts_with("{\"kind\":\"undetermined\",") && json.contains("\"reason\":\"no-shape\""), "{json}");
        assert_eq!(serde_json::from_str::<Verdict>(&json).unwrap(), undetermined);
        // The tag is what the kind says, for every kind.
        let decline =
            Verdict::PeakDecline { peak_threads: 8, peak_speedup: 6.5, drop: 0.11, threads: 16, speedup: 5.8 };
        assert_eq!(serde_json::to_value(&decline).unwrap()["kind"], decline.kind());
        assert_eq!(decline.headline(), "peaks at 8 threads (S = 6.50), then falls 11% by 16");
        // An unknown kind is refused, not guessed.
        assert!(serde_json::from_str::<Verdict>("{\"kind\": \"sublime\", \"threads\": 2}").is_err());
    }

    /// One verdict of every kind.
    fn every_kind() -> Vec<Verdict> {
        let (threads, speedup) = (8, 3.5);
        vec![
            Verdict::NearLinear {
                threads,
                speedup,
                until_threads: None,
                serial_fraction: Some(0.001),
                ceiling: Some(1000.0),
            },
            Verdict::SerialFraction { threads, speedup, serial_fraction: 0.2, ceiling: 5.0 },
            Verdict::Saturation { knee_threads: 4, peak_speedup: 3.6, gb_per_s: Some(20.0), cpus: None },
            Verdict::PeakDecline { peak_threads: 4, peak_speedup: 3.9, drop: 0.1, threads, speedup },
            Verdict::ApproachingPeak { peak_threads: 12.5, peak_threads_ci95: None, threads, speedup },
            Verdict::Slower { threads, speedup: 0.5 },
            Verdict::Sequential { threads, speedup: 1.0, serial_fraction: None },
            Verdict::ScalesPastCores { threads: 16, speedup: 15.0, cpus: 2 },
            Verdict::MemoryBandwidth {
                threads,
                speedup,
                gb_per_s: Some(30.0),
                knee_threads: Some(4),
                ceiling: None,
                serial_fraction: Some(0.1),
            },
            Verdict::Granularity { threads, speedup, tasks: 12, ceiling: 6.0 },
            Verdict::Superlinear { points: vec![2, 4], peak_threads: 4, peak_speedup: 4.4 },
            Verdict::WeakScaling { threads, speedup, serial_fraction: 0.1 },
            Verdict::Oscillating { points: vec![6], threads, speedup },
            Verdict::NoLawFits { threads, speedup },
            Verdict::Undetermined { threads, speedup, serial_fraction: None, reason: Undetermined::NoShape },
            Verdict::SinglePoint { threads: 1 },
            Verdict::Undetermined {
                threads: 2,
                speedup: 1.6,
                serial_fraction: Some(0.25),
                reason: Undetermined::TwoThreadCounts,
            },
        ]
    }

    #[test]
    fn every_kind_is_tagged_with_its_name_and_reads_back() {
        let all = every_kind();
        let names: std::collections::BTreeSet<&str> = all.iter().map(Verdict::kind).collect();
        assert_eq!((all.len(), names.len()), (17, 16), "one verdict per kind, and both undetermined reasons");
        for v in &all {
            let json = serde_json::to_value(v).unwrap();
            assert_eq!(json["kind"], v.kind(), "{v:?}");
            assert_eq!(&serde_json::from_value::<Verdict>(json).unwrap(), v);
            assert!(!v.headline().is_empty());
        }
    }
}
