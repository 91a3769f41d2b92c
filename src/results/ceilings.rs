//! The machine's own ceilings in the results file (`machine.ceilings`): what plain pinned std
//! threads reach on this machine at each thread count, measured by `machine::ceilings`. Each
//! point's `machine_speedup` and `fidelity` are read against them (`analysis`).

use amdahl_workloads::Kind;
#[cfg(feature = "schema")]
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::placement::Pin;

/// The ceilings measured at a run's thread counts (or `measure machine`'s).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct Ceilings {
    /// How the measuring threads were placed on CPUs.
    pub placement: Pin,
    /// When they were measured, UTC, RFC 3339.
    pub measured_utc: String,
    /// Whether they came from the cache (`$XDG_CACHE_HOME/amdahl`) rather than this run.
    #[serde(default)]
    pub cached: bool,
    /// The time spent measuring them (0 when cached).
    #[serde(default)]
    pub seconds: f64,
    /// A register-only spin loop split over j threads; ascending j. Empty when not measured.
    #[serde(default)]
    pub compute: Vec<ComputeCeiling>,
    /// A STREAM triad over arrays far larger than the caches; ascending j. Empty when not measured.
    #[serde(default)]
    pub bandwidth: Vec<BandwidthCeiling>,
    /// Threads that only sleep; ascending j. Empty when not measured.
    #[serde(default)]
    pub timer: Vec<TimerCeiling>,
}

/// The compute ceiling at one thread count.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct ComputeCeiling {
    /// j.
    pub threads: usize,
    /// S_max(j): T(1)/T(j) of a fixed amount of spinning split over j threads.
    pub speedup: f64,
    /// Each thread's spin rate (iterations per second of its own CPU time) at j, relative to the
    /// rate at j = 1: below 1 when the clock falls as cores wake (turbo) or SMT siblings share a
    /// core.
    pub relative_clock: f64,
    /// The mean `scaling_cur_freq` of the busy CPUs while they spun, where cpufreq is readable.
    #[serde(default)]
    pub mhz: Option<f64>,
}

/// The memory bandwidth ceiling at one thread count.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct BandwidthCeiling {
    /// j.
    pub threads: usize,
    /// The best triad bandwidth of the repetitions, counting 24 bytes per element (STREAM's
    /// convention: two loads and one store).
    pub gb_per_s: f64,
}

/// The timer ceiling at one thread count.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct TimerCeiling {
    /// j.
    pub threads: usize,
    /// j sleeping threads' throughput of sleeps against one thread's.
    pub speedup: f64,
}

impl Ceilings {
    /// The ceiling S_max(j) for work of `kind` at `threads`, when measured there: the timer
    /// ceiling for work whose threads wait, bandwidth(j)/bandwidth(1) for memory-bound work, the
    /// compute ceiling otherwise.
    pub fn speedup_for(&self, kind: Kind, threads: usize) -> Option<f64> {
        let found = match kind {
            Kind::IoBound => self.timer.iter().find(|c| c.threads == threads).map(|c| c.speedup),
            Kind::MemoryBound => {
                let at = |j: usize| self.bandwidth.iter().find(|c| c.threads == j).map(|c| c.gb_per_s);
                at(threads).zip(at(1)).map(|(bw, one)| bw / one)
            }
            _ => self.compute.iter().find(|c| c.threads == threads).map(|c| c.speedup),
        };
        found.filter(|s| s.is_finite() && *s > 0.0)
    }

    /// The compute ceiling's entry at `threads`.
    pub fn compute_at(&self, threads: usize) -> Option<&ComputeCeiling> {
        self.compute.iter().find(|c| c.threads == threads)
    }
}
