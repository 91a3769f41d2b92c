//! `Diagnosis`: everything the diagnosis says about a curve, as one value: the [`Verdict`] the user
//! should act on, and beside it (not on every variant) what qualifies it — the regime that follows
//! the verdict's stretch ([`Regime`]), the law that describes the curve or its rise ([`Law`]), a
//! second reading the data cannot rule out (`alternative`), and the competing work that disturbed
//! the measurement ([`Disturbed`]). The sentence, the colours, `compare` and the reports read this
//! value; nothing parses the sentence.
//!
//! In files the verdict keeps its place (`verdict`) and each qualifier is a field beside it
//! (`then`, `law`, `alternative`, `disturbed`; null when absent).

#[cfg(feature = "schema")]
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::Verdict;

/// What the diagnosis says: the verdict and its qualifiers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct Diagnosis {
    /// What the curve shows, with the numbers that decided it.
    pub verdict: Verdict,
    /// The regime after the verdict's stretch, where the curve changes course within the measured
    /// range (the SMT siblings after the cores, a fall after a peak).
    pub then: Option<Regime>,
    /// The law that describes the curve (or its rise before a peak) within what real curves
    /// allow, with its parameters.
    pub law: Option<Law>,
    /// A second reading the data cannot rule out: the verdict's number straddles a threshold
    /// within its interval (S(2) = 1.77 [1.74, 1.80] is near-linear, or a serial fraction near
    /// 0.13: two thread counts cannot tell).
    pub alternative: Option<Verdict>,
    /// Other work competed for the CPUs while points were measured: the verdict describes the
    /// machine as much as the code.
    pub disturbed: Option<Disturbed>,
}

impl Diagnosis {
    /// A diagnosis that is only its verdict.
    pub fn of(verdict: Verdict) -> Diagnosis {
        Diagnosis { verdict, then: None, law: None, alternative: None, disturbed: None }
    }

    /// The verdict, its next regime and its disturbance in a few words, for setting diagnoses side
    /// by side ("peaks at 8 threads (S = 4.15), then falls 92%; below one thread from 192").
    pub fn headline(&self) -> String {
        let mut words = self.verdict.headline();
        match &self.then {
            // A peak's headline already says its fall: once is enough.
            Some(Regime::Falls { below_one_from, .. }) if matches!(self.verdict, Verdict::PeakDecline { .. }) => {
                words += &below_one_from.map_or(String::new(), |b| format!("; below one thread from {b}"));
            }
            Some(then) => words += &format!(", then {}", then.headline()),
            None => {}
        }
        if self.disturbed.is_some() {
            words += " (disturbed)";
        }
        words
    }
}

/// The regime that follows the verdict's stretch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Regime {
    /// S still rises, more slowly than before the break.
    Rises {
        /// Where the slower rise starts (the break).
        from_threads: usize,
        /// S there.
        from_speedup: f64,
        /// The largest measured thread count.
        threads: usize,
        /// S there.
        speedup: f64,
        /// speedup / from_speedup - 1: what the threads past the break add (0.14 is 14%).
        gain: f64,
    },
    /// S stays flat within noise.
    Flat {
        /// Where the flat stretch starts.
        from_threads: usize,
        /// Where it ends (the largest measured thread count, or the start of a fall).
        threads: usize,
        /// S at its end.
        speedup: f64,
    },
    /// S falls.
    Falls {
        /// Where the fall starts (the last point of the peak or plateau).
        from_threads: usize,
        /// The largest measured thread count.
        threads: usize,
        /// S there.
        speedup: f64,
        /// 1 - speedup / S at `from_threads`.
        drop: f64,
        /// Whether S falls at every measured step (steadily) rather than in one step.
        steady: bool,
        /// The step that holds most of the fall, when one does (a cliff): from and to thread
        /// counts.
        cliff: Option<[usize; 2]>,
        /// The first thread count from which S stays below one thread's speed (beyond noise).
        below_one_from: Option<usize>,
    },
}

impl Regime {
    /// The regime in a few words.
    pub fn headline(&self) -> String {
        match self {
            Regime::Rises { threads, gain, .. } => format!("adds {:.0}% by {threads}", gain * 100.0),
            Regime::Flat { from_threads, threads, .. } => format!("flat from {from_threads} to {threads}"),
            Regime::Falls { drop, threads, below_one_from, .. } => {
                let below = below_one_from.map_or(String::new(), |b| format!("; below one thread from {b}"));
                format!("falls {:.0}% by {threads}{below}", drop * 100.0)
            }
        }
    }
}

/// A law that describes the measured points within what real one-sample curves allow (see
/// `diagnose::lack_of_fit`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(tag = "model", rename_all = "kebab-case")]
pub enum Law {
    /// Amdahl's law, S(j) = 1/(B + (1-B)/j).
    Amdahl {
        /// B.
        serial_fraction: f64,
        /// The largest thread count it was held to (the peak, when it describes the rise before
        /// a fall).
        up_to_threads: usize,
        /// The root mean square of its relative error over those points.
        error: f64,
    },
    /// The Universal Scalability Law.
    Usl {
        /// Contention (sigma).
        sigma: f64,
        /// Coherency (kappa).
        kappa: f64,
        /// Where the fitted curve peaks, N*, when it does.
        peak_threads: Option<f64>,
        /// N*'s 95% interval, when known.
        peak_threads_ci95: Option<[f64; 2]>,
        /// The largest thread count it was held to.
        up_to_threads: usize,
        /// The root mean square of its relative error over those points.
        error: f64,
    },
}

/// The evidence that other work competed for the CPUs while the curve was measured.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct Disturbed {
    /// The thread counts measured while other work competed (`disturbed` tag); empty when the
    /// machine was busy and the threads of CPU-bound work idle instead.
    pub points: Vec<usize>,
    /// The machine's load when the run started, when it was busy (in CPUs: the busy sample's other
    /// work, or the 1-minute load average in files without one).
    pub load: Option<f64>,
    /// The lowest utilisation of the threads of CPU-bound work, when that decided it.
    pub min_utilisation: Option<f64>,
    /// The usable CPUs, when the machine was busy.
    pub cpus: Option<usize>,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A peak's headline says its fall once, whatever regime follows the flat top.
    #[test]
    fn a_peak_followed_by_a_fall_says_the_fall_once() {
        let peak = Verdict::PeakDecline { peak_threads: 8, peak_speedup: 6.5, drop: 0.2, threads: 16, speedup: 5.2 };
        let mut said = Diagnosis::of(peak);
        said.then = Some(Regime::Falls {
            from_threads: 8,
            threads: 16,
            speedup: 5.2,
            drop: 0.2,
            steady: true,
            cliff: None,
            below_one_from: None,
        });
        assert_eq!(said.headline(), "peaks at 8 threads (S = 6.50), then falls 20% by 16");
        if let Some(Regime::Falls { below_one_from, .. }) = &mut said.then {
            *below_one_from = Some(16);
        }
        assert_eq!(said.headline(), "peaks at 8 threads (S = 6.50), then falls 20% by 16; below one thread from 16");
    }
}
