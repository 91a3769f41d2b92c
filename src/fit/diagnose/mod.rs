//! One diagnosis per workload, from its points, its kind, the machine and its fits, and the plain
//! sentence rendered from it.
//!
//! The diagnosis is a rule book: a table of rules ([`RULES`]), tried in order; the first that
//! applies gives the [`Verdict`], whose fields are the numbers that triggered it. Beside the
//! verdict the [`Diagnosis`] holds what qualifies it (`qualifiers`): the regime after the
//! verdict's stretch (a fall after a peak, SMT siblings after the cores), the law that describes
//! the curve or its rise, a second reading the data cannot rule out, and the disturbance (other
//! work competed for the CPUs: the shape is still named, and the disturbance said beside it).
//! [`sentence`] says it all in words that name those numbers. Whatever acts on the diagnosis reads
//! the [`Diagnosis`], never the sentence. One thread count alone is a `single-point` verdict. No
//! sentence contradicts the model marked best: a ceiling 1/B is claimed only when Amdahl's law is
//! the better model and B's interval lies above 0; a USL peak only when the USL describes the
//! curve and N*'s interval holds the measured maximum.
//!
//! The rule book is four concepts in four files: deciding (`rules`: each rule, when it fires, and
//! its named thresholds), what qualifies the verdict (`qualifiers`), whether a law describes the
//! points within what real curves allow (`lack_of_fit`), and the words (`sentence`: one function
//! per verdict family).
//!
//! # The rules, in order
//!
//! Each is named by its function in `rules` and the verdict kind it gives (a test holds this list
//! to [`RULES`]):
//!
//! 1. `weak_scaling` (`weak-scaling`) — Gustafson's law was fitted (weak scaling): its serial
//!    fraction a;
//! 2. `retrograde` (`peak-decline`) — the *measured* drop (`shape`'s decline past the maximum,
//!    beyond noise), whatever model wins, from a peak that is a real speedup (1.2 or more) when
//!    the curve ends below one thread's speed; the fall is described by the `then` regime (steady
//!    or a cliff, below one thread from which count), and the USL (or Amdahl's law on the rise)
//!    is named beside it where it describes the points;
//! 3. `slower` (`slower`) — S at the largest j is below 0.9, its upper bound below 1, with no
//!    real peak before;
//! 4. `sequential` (`sequential`) — no S at j > 1 reaches 1.2;
//! 5. `granularity` (`granularity`) — the work's declared tasks bound S(j) by T / ceil(T / j),
//!    and the bound explains the points at least as well as Amdahl's law and binds somewhere: load
//!    imbalance, not serial code;
//! 6. `past_the_cores` (`scales-past-cores`) — S beyond 1.2 x the usable CPUs, for any kind of
//!    work: the threads mostly wait;
//! 7. `memory_bound` (`memory-bandwidth`) — work that declares itself memory-bound: the
//!    bandwidth at j = 1 and the best reached, not a serial fraction;
//! 8. `superlinear` (`superlinear`) — points whose S beats j beyond noise: a cache effect, named
//!    with the thread counts where it happens;
//! 9. `oscillating` (`oscillating`) — two dips or more (a sawtooth of thread placement), unless a
//!    plateau follows a knee over at least a doubling of the thread count;
//! 10. `near_linear` (`near-linear`) — efficiency 0.9 or more within noise at every point (the
//!     upper end of each point's range): with two thread counts whose range straddles 0.9, the
//!     serial fraction it would also fit is the `alternative`;
//! 11. `two_thread_counts` (`undetermined`) — two thread counts, below linear beyond noise: the
//!     efficiency and the serial fraction it would mean, but no law and no ceiling;
//! 12. `machine_knee` (`saturation`) — the curve breaks at a count the machine names (its
//!     physical cores, its usable CPUs) and rises less than half as fast after it: the knee is the
//!     resource's limit, and the slower rise after it (the SMT siblings) is the `then` regime;
//! 13. `serial_fraction_spread` (`undetermined`) — Amdahl's law is the better model but B's
//!     interval is wider than half of [0, 1]: B is not determined;
//! 14. `bounded` (`serial-fraction`) — Amdahl's law is the better model, describes the points, and
//!     its ceiling 1/B is neither below a measured speedup nor so far beyond them that the best
//!     measured S is under [`CEILING_REACH`] of it;
//! 15. `approaching_peak` (`approaching-peak`) — the USL is the better model, kappa's interval
//!     excludes 0, N* lies beyond the measured range (within [`EXTRAPOLATION_LIMIT`] x) and the
//!     USL describes the points;
//! 16. `saturates` (`saturation`) — a plateau after a knee: the knee where S stops growing,
//!     related to the machine's counts when it is one; "memory bandwidth" (with the GB/s reached)
//!     only for memory-bound work or work that reports its bytes, otherwise "a shared resource";
//!     the USL is named beside it where it describes the points;
//! 17. `near_linear_stretch` (`near-linear`) — near-linear over a first stretch of at least two
//!     doublings, then efficiency falls below 0.9 beyond noise: the slower rise is the `then`
//!     regime;
//! 18. `no_law_fits` (`no-law-fits`) — a law was fitted to four points or more, and neither
//!     Amdahl's law nor the USL describes them;
//! 19. `otherwise` (`undetermined`) — the speedup and efficiency at the largest j.
//!
//! After the sentence, when the machine's own ceiling was measured and the machine itself falls
//! short of j by more than 5% at the largest measured thread count it covers, a clause says so
//! with the clock where it was measured ("the machine itself reaches only 14.1x at 16 (clock falls
//! from 3.8 to 3.1 GHz), so S(16) = 13.4 is 95% of what it allows"): the shortfall is then the
//! machine's, not the program's. Last comes the disturbance, when there was one.
//!
//! Imported curves carry no CPU count: a sentence about saturation or a drop then says that
//! oversubscription cannot be judged (`measure fit --cpus N`).

mod lack_of_fit;
mod qualifiers;
pub mod rules;
mod sentence;
#[cfg(test)]
mod tests;

use amdahl_workloads::Kind;

use super::shape::{Points, Shape};
use super::{AmdahlEstimate, Diagnosis, Fits, SpeedupBaseline, Verdict};
use crate::thread_set::CpuCounts;

pub use lack_of_fit::{LAW_MAX_ERROR, LAW_RMS_ERROR};
pub use rules::{CEILING_REACH, EXTRAPOLATION_LIMIT, GRANULARITY_NOISE};
pub use sentence::{ceiling_text, ceiling_text_to, sentence};

/// What a diagnosis looks at.
pub struct Evidence<'a> {
    /// The workload's kind, when known (imported data have none).
    pub kind: Option<Kind>,
    /// Every measured thread count, ascending (oversubscribed ones too).
    pub threads: &'a [usize],
    /// Their speedups (scaled speedups for weak scaling).
    pub speedups: &'a [f64],
    /// Their 95% intervals, where known.
    pub intervals: &'a [Option<[f64; 2]>],
    /// The relative rounding of each point's value as written (`import::precision`); empty when
    /// the input carries no precision (our own files, JSON imports).
    pub rounding: &'a [f64],
    /// Their utilisation (CPU time / (wall x min(j, usable CPUs))), where known.
    pub utilisation: &'a [Option<f64>],
    /// Whether each was measured while other work competed for the CPUs (`disturbed` tag).
    pub disturbed: &'a [bool],
    /// The machine's CPU counts, when known.
    pub cpus: Option<CpuCounts>,
    /// The 1-minute load average when the run started, when known.
    pub load: Option<f64>,
    /// Memory bandwidth at j = 1 and the best reached, GB/s, for work that reports its bytes (or a
    /// curve whose unit is bytes per second).
    pub bandwidth_gb_s: Option<[f64; 2]>,
    /// The machine's own bandwidth ceiling, GB/s, when measured.
    pub bandwidth_ceiling_gb_s: Option<f64>,
    /// The work's independent tasks per run, when known (the granularity bound).
    pub tasks: Option<usize>,
    /// The fits.
    pub fits: &'a Fits,
    /// The machine's own ceiling at the largest thread count it was measured at, when measured.
    pub machine: Option<MachineCeiling>,
}

impl<'a> Evidence<'a> {
    /// The evidence of a bare curve: its points and fits, nothing known of the work, the machine
    /// or the points' noise; callers add what they know with struct update syntax.
    pub fn of_curve(threads: &'a [usize], speedups: &'a [f64], fits: &'a Fits) -> Evidence<'a> {
        Evidence {
            kind: None,
            threads,
            speedups,
            intervals: &[],
            rounding: &[],
            utilisation: &[],
            disturbed: &[],
            cpus: None,
            load: None,
            bandwidth_gb_s: None,
            bandwidth_ceiling_gb_s: None,
            tasks: None,
            fits,
            machine: None,
        }
    }
}

/// The machine's own ceiling at one thread count, beside the workload's speedup there.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MachineCeiling {
    /// j.
    pub threads: usize,
    /// What plain threads reach there.
    pub speedup: f64,
    /// What the workload reached there.
    pub workload_speedup: f64,
    /// What the plain threads did: "spinning", "a triad", "sleeping".
    pub what: &'static str,
    /// Each thread's clock relative to j = 1 (compute ceiling only).
    pub relative_clock: Option<f64>,
    /// The measured MHz at j = 1 and at j, where cpufreq is readable.
    pub mhz: Option<[f64; 2]>,
}

/// What the diagnosis concludes ([`Diagnosis`]: the verdict and its qualifiers), and the sentence
/// rendered from it.
#[derive(Debug, Clone, PartialEq)]
pub struct Diagnosed {
    /// The verdict with its qualifiers.
    pub diagnosis: Diagnosis,
    /// The sentence a user reads ([`sentence`] of the diagnosis, then the machine's clause).
    pub sentence: String,
    /// Where in `sentence` the diagnosis's own words end (before the machine's clause and the
    /// disturbance): a clause about the same reading, such as the measured cause, goes there.
    pub words_end: usize,
}

impl Diagnosed {
    /// Inserts `clause` right after the diagnosis's own words.
    pub fn insert_after_words(&mut self, clause: &str) {
        self.sentence.insert_str(self.words_end, clause);
        self.words_end += clause.len();
    }
}

/// One rule of the diagnosis: the kind of verdict it gives, and the verdict when it applies.
/// Rules are tried in [`RULES`] order; the first that applies speaks.
pub struct Rule {
    /// The kind of the verdict it gives (`Verdict::kind`: `near-linear`, `peak-decline`, ...).
    pub name: &'static str,
    /// The verdict, when the rule applies.
    pub applies: fn(&Facts<'_>) -> Option<Verdict>,
}

/// The rules, in order (the module docs list them with what each looks at): the shape first, the
/// laws only where the shape leaves room and the law fits. Each row says what it must precede and
/// why. To add one, write a `fn(&Facts) -> Option<Verdict>` in `rules` that fills the verdict's
/// evidence with the numbers that triggered it, put it where it belongs in the order, list it in
/// the module docs, and say the verdict in `sentence`.
pub const RULES: &[Rule] = &[
    // Scaled speedups answer another question: before every rule about strong scaling.
    Rule { name: "weak-scaling", applies: rules::weak_scaling },
    // A measured fall from a real peak is what the user acts on ("use 8 threads"), even when it
    // ends below one thread: before `slower`, `sequential` and every law.
    Rule { name: "peak-decline", applies: rules::retrograde },
    // Below 1 at the largest j with no real peak before it: before `sequential`.
    Rule { name: "slower", applies: rules::slower },
    // No real speedup leaves nothing to bound: before the bounds (granularity, the laws).
    Rule { name: "sequential", applies: rules::sequential },
    // A declared bound with no free parameter beats a fitted one: before the cores and the laws.
    Rule { name: "granularity", applies: rules::granularity },
    // S beyond the cores rules out every CPU-bound story: before memory, shapes and laws.
    Rule { name: "scales-past-cores", applies: rules::past_the_cores },
    // Declared memory-bound work speaks of bandwidth: before shapes and a serial fraction.
    Rule { name: "memory-bandwidth", applies: rules::memory_bound },
    // Points beyond j are a cache effect no law has: before the sawtooth and the laws.
    Rule { name: "superlinear", applies: rules::superlinear },
    // Placement shapes the curve, not a law: before near-linear (its dips stay within 0.9).
    Rule { name: "oscillating", applies: rules::oscillating },
    // Linear within noise needs no law: before the laws, whose B is then not measurable.
    Rule { name: "near-linear", applies: rules::near_linear },
    // Two thread counts fix a number, not a law: before every rule that reads a law.
    Rule { name: "undetermined", applies: rules::two_thread_counts },
    // A break at a count the machine names (its cores) explains a knee a law only rounds: before
    // the laws.
    Rule { name: "saturation", applies: rules::machine_knee },
    // A B spanning most of [0, 1] is no ceiling to claim: before `bounded`.
    Rule { name: "undetermined", applies: rules::serial_fraction_spread },
    // Amdahl's law, when it is the better model (never with the USL's peak, which needs the USL).
    Rule { name: "serial-fraction", applies: rules::bounded },
    // The USL's peak is more specific than a plateau it fits: before `saturates`.
    Rule { name: "approaching-peak", applies: rules::approaching_peak },
    // A plateau is a shape: before the near-linear stretch it may end.
    Rule { name: "saturation", applies: rules::saturates },
    // A measured linear stretch says more than "no law fits": before `no_law_fits`.
    Rule { name: "near-linear", applies: rules::near_linear_stretch },
    // That no law fits is a finding: before the bare numbers.
    Rule { name: "no-law-fits", applies: rules::no_law_fits },
    // Always applies: last.
    Rule { name: "undetermined", applies: rules::otherwise },
];

/// What every rule may look at: the evidence and the numbers derived from it once.
pub struct Facts<'a> {
    /// The evidence.
    pub e: &'a Evidence<'a>,
    /// The largest thread count.
    pub j_max: usize,
    /// S there.
    pub s_last: f64,
    /// The index of the best speedup, and the speedup.
    pub best: (usize, f64),
    /// The best speedup with more than one thread (S(1) = 1 does not count as "more threads help").
    pub s_best_parallel: f64,
    /// The shape of the measured points.
    pub shape: Option<Shape>,
}

/// The diagnosis and its sentence: [`single_point`] when one thread count was measured; `None`
/// when none was, or the threads and speedups differ in length.
pub fn diagnose(e: &Evidence<'_>) -> Option<Diagnosed> {
    if e.threads.len() != e.speedups.len() {
        return None;
    }
    if let [only] = e.threads {
        return Some(single_point(*only));
    }
    let facts = Facts::of(e)?;
    let verdict = RULES.iter().find_map(|rule| (rule.applies)(&facts))?;
    let diagnosis = qualifiers::qualify(verdict, &facts);
    let words = sentence(&diagnosis, &facts);
    let words_end = words.len();
    let mut sentence = words + &e.machine.and_then(|m| m.clause()).unwrap_or_default();
    if e.fits.speedup_baseline == Some(SpeedupBaseline::Fitted) {
        sentence += " (S is relative to a fitted single-thread rate: no j = 1 point was measured)";
    }
    if let Some(disturbed) = &diagnosis.disturbed {
        sentence += &sentence::disturbed(disturbed, &facts);
    }
    Some(Diagnosed { diagnosis, sentence, words_end })
}

/// The diagnosis of a workload of which only one thread count was measured.
pub fn single_point(threads: usize) -> Diagnosed {
    let sentence = sentence::single_point(threads);
    Diagnosed { diagnosis: Diagnosis::of(Verdict::SinglePoint { threads }), words_end: sentence.len(), sentence }
}

impl<'a> Facts<'a> {
    /// The facts of `e`; `None` without points.
    fn of(e: &'a Evidence<'a>) -> Option<Facts<'a>> {
        let j_max = *e.threads.last()?;
        let s_last = *e.speedups.last()?;
        let best = e.speedups.iter().copied().enumerate().max_by(|a, b| a.1.total_cmp(&b.1))?;
        let s_best_parallel =
            e.threads.iter().zip(e.speedups).filter(|(j, _)| **j > 1).map(|(_, s)| *s).fold(0.0, f64::max);
        // The machine's counts within the measured range: where a knee is looked for first.
        let named: Vec<usize> = e
            .cpus
            .map(|c| [c.physical, c.usable].into_iter().filter(|&n| n > 1 && n < j_max).collect())
            .unwrap_or_default();
        let points = Points {
            threads: e.threads,
            speedups: e.speedups,
            intervals: e.intervals,
            rounding: e.rounding,
            named: &named,
        };
        let shape = Shape::read(&points);
        Some(Facts { e, j_max, s_last, best, s_best_parallel, shape })
    }

    /// Amdahl's B and its fit, when fitted.
    fn amdahl(&self) -> Option<(f64, &AmdahlEstimate)> {
        self.e.fits.amdahl_fitted().map(|a| (a.serial_fraction, a))
    }

    fn interval(&self, i: usize) -> Option<[f64; 2]> {
        self.e.intervals.get(i).copied().flatten()
    }

    /// The noise (log-scale sd) of point `i`.
    fn sd(&self, i: usize) -> f64 {
        self.shape.as_ref().map_or(super::shape::MIN_SHAPE_SD, |s| s.sd[i])
    }

    /// The upper end of S's 95% range at point `i` (its interval, or 2 sd of noise).
    fn upper(&self, i: usize) -> f64 {
        self.interval(i).map_or(self.e.speedups[i] * (2.0 * self.sd(i)).exp(), |[_, hi]| hi)
    }

    /// The upper end of S's 95% range at the largest thread count.
    fn upper_last(&self) -> f64 {
        self.upper(self.e.threads.len() - 1)
    }

    /// What a thread count is on this machine: the CPU count, the physical core count, or nothing.
    fn machine_count(&self, j: usize) -> Option<(usize, &'static str)> {
        let cpus = self.e.cpus?;
        if j == cpus.usable {
            Some((j, "the usable CPU count"))
        } else if j == cpus.physical {
            Some((j, "the physical core count"))
        } else {
            None
        }
    }
}
