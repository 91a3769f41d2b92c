//! One verdict per workload, from its points, its kind, the machine and its fits, and the plain
//! sentence rendered from it.
//!
//! The diagnosis is a table of rules ([`RULES`]), tried in order; the first that applies gives the
//! [`Verdict`], whose fields are the numbers that triggered it, and [`sentence`] says it in words
//! that name those numbers. Whatever acts on the diagnosis reads the verdict, never the sentence.
//! One thread count alone is a `single-point` verdict. No sentence contradicts the
//! model marked best: a ceiling 1/B is claimed only when Amdahl's law is the better model and B's
//! interval lies above 0; a peak only when the USL is, or when the drop was measured.
//!
//! Each rule below is named with the verdict kind it gives.
//!
//! 1. **weak scaling** (`weak-scaling`) — Gustafson's serial fraction;
//! 2. **disturbed** (`disturbed`) — points tagged `disturbed` (other work competed for the CPUs while they were
//!    measured), or CPU-bound work whose threads were mostly idle (utilisation below 0.7) on a
//!    machine that was busy when the run started: the numbers describe the machine, not the code;
//! 3. **retrograde** (`peak-decline`) — the *measured* drop: S at the largest j is below the peak S beyond both
//!    intervals (or, without intervals, by more than 5% and three residual standard deviations),
//!    whatever model wins; the USL's N* with its interval is added when it is the better model;
//! 4. **slower with more threads** (`slower`) — S at the largest j is below 0.9 (beyond its interval);
//! 5. **inherently sequential** (`sequential`) — no S at j > 1 reaches 1.2;
//! 6. **threads mostly wait** (`scales-past-cores`) — S beyond 1.2 x the usable CPUs, for any kind of work;
//! 7. **memory-bound** (`memory-bandwidth`) — work that declares itself memory-bound and reports its bytes, with
//!    efficiency under 80%: the bandwidth at j = 1 and the best reached, not a serial fraction
//!    (unless the USL wins, whose rules come later);
//! 8. **superlinear** (`superlinear`) — points whose S beats j beyond their interval (or by 2% without one): a cache
//!    effect, named with the thread counts where it happens;
//! 9. **approaching a USL peak** (`approaching-peak`) — the USL is the better model, kappa's interval excludes 0 and N*
//!    lies beyond the measured range;
//! 10. **saturates** (`saturation`) — Karp–Flatt e(j) rises (see `karp_flatt`) and efficiency at the largest j is under
//!     80%: the knee where S stops growing, related to the physical core count when it is there;
//!     "memory bandwidth" (with the GB/s reached) only for memory-bound work or work that reports its
//!     bytes, otherwise "a shared resource";
//! 11. **near-linear** (`near-linear`) — efficiency at the largest j of at least 95%;
//! 12. **bounded by a serial fraction** (`serial-fraction`) — Amdahl's law is the better model and B's interval lies
//!     above 0 (and is narrower than half of [0, 1]: otherwise B is "not determined", `undetermined`);
//! 13. otherwise (`undetermined`) the speedup and efficiency at the largest j.
//!
//! No rule gives `granularity`, `oscillating` or `no-law-fits` yet; their sentences exist so that a
//! rule can.
//!
//! After the sentence, when the machine's own ceiling was measured and the machine itself falls
//! short of j by more than 5% at the largest measured thread count it covers, a clause says so
//! with the clock where it was measured ("the machine itself reaches only 14.1x at 16 (clock falls
//! from 3.8 to 3.1 GHz), so S(16) = 13.4 is 95% of what it allows"): the shortfall is then the
//! machine's, not the program's.
//!
//! Imported curves carry no CPU count: a sentence about saturation or a drop then says that
//! oversubscription cannot be judged (`measure fit --cpus N` supplies the count).

use amdahl_workloads::Kind;

use super::shape::Shape;
use super::verdict::Undetermined;
use super::{AmdahlFit, Fits, Model, SpeedupBaseline, Verdict};
use crate::thread_set::CpuCounts;

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
    /// The residual standard deviation of ln S of the better model (for drops without intervals).
    pub residual_sd: Option<f64>,
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
            utilisation: &[],
            disturbed: &[],
            cpus: None,
            load: None,
            bandwidth_gb_s: None,
            bandwidth_ceiling_gb_s: None,
            tasks: None,
            residual_sd: None,
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

impl MachineCeiling {
    /// The clause after the sentence, when the machine itself falls more than 5% short of j.
    fn clause(&self) -> Option<String> {
        let j = self.threads as f64;
        if self.threads < 2 || self.speedup >= 0.95 * j {
            return None;
        }
        let clock = match (self.mhz, self.relative_clock) {
            (Some([one, here]), _) if here < 0.97 * one => {
                format!(", clock falls from {:.1} to {:.1} GHz", one / 1e3, here / 1e3)
            }
            (_, Some(c)) if c < 0.97 => format!(", each thread's clock at {c:.2} of one thread's"),
            _ => String::new(),
        };
        Some(format!(
            "; the machine itself reaches only {:.1}x at {} ({}{clock}), so S({}) = {:.2} is {:.0}% of what it allows",
            self.speedup,
            self.threads,
            self.what,
            self.threads,
            self.workload_speedup,
            100.0 * self.workload_speedup / self.speedup
        ))
    }
}

/// What the diagnosis concludes: the verdict, and the sentence rendered from it.
#[derive(Debug, Clone, PartialEq)]
pub struct Diagnosis {
    /// The verdict with its evidence.
    pub verdict: Verdict,
    /// The sentence a user reads ([`sentence`] of the verdict, then the machine's clause).
    pub sentence: String,
}

/// One rule of the diagnosis: its name and the verdict it gives when it applies. Rules are tried
/// in [`RULES`] order; the first that applies speaks.
pub struct Rule {
    /// A short name.
    pub name: &'static str,
    /// The verdict, when the rule applies.
    pub applies: fn(&Facts<'_>) -> Option<Verdict>,
}

/// The rules, in order (see the module docs): the shape first, the laws only where the shape
/// leaves room and the law fits. To add one, write a `fn(&Facts) -> Option<Verdict>` that fills the
/// verdict's evidence with the numbers that triggered it, put it where it belongs in the order, and
/// say the verdict in [`sentence`].
pub const RULES: &[Rule] = &[
    Rule { name: "weak scaling", applies: weak_scaling },
    Rule { name: "disturbed", applies: disturbed },
    Rule { name: "slower with more threads", applies: slower },
    Rule { name: "decline past the maximum", applies: retrograde },
    Rule { name: "inherently sequential", applies: sequential },
    Rule { name: "granularity", applies: granularity },
    Rule { name: "threads mostly wait", applies: past_the_cores },
    Rule { name: "memory-bound", applies: memory_bound },
    Rule { name: "superlinear", applies: superlinear },
    Rule { name: "oscillating", applies: oscillating },
    Rule { name: "near-linear", applies: near_linear },
    Rule { name: "bounded by a serial fraction", applies: bounded },
    Rule { name: "approaching a USL peak", applies: approaching_peak },
    Rule { name: "saturates", applies: saturates },
    Rule { name: "near-linear, then falling", applies: near_linear_stretch },
    Rule { name: "no law fits", applies: no_law_fits },
    Rule { name: "otherwise", applies: otherwise },
];

/// The largest multiple of the largest measured thread count at which a law's extrapolated
/// ceiling or peak may be the headline.
pub const EXTRAPOLATION_LIMIT: f64 = 4.0;

/// The systematic deviation a law may show beside the points' noise and still fit (log scale): 1%.
/// Laws are idealisations; a real curve a percent off them is still described by them.
pub const MODEL_TOLERANCE: f64 = 0.01;

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
    /// S(j_max) / j_max.
    pub efficiency: f64,
    /// The shape of the measured points.
    pub shape: Option<Shape>,
}

/// The verdict and its sentence: [`single_point`] when one thread count was measured; `None`
/// when none was, or the threads and speedups differ in length.
pub fn diagnose(e: &Evidence<'_>) -> Option<Diagnosis> {
    if e.threads.len() != e.speedups.len() {
        return None;
    }
    if let [only] = e.threads {
        return Some(single_point(*only));
    }
    let j_max = *e.threads.last()?;
    let s_last = *e.speedups.last()?;
    let best = e.speedups.iter().copied().enumerate().max_by(|a, b| a.1.total_cmp(&b.1))?;
    let s_best_parallel =
        e.threads.iter().zip(e.speedups).filter(|(j, _)| **j > 1).map(|(_, s)| *s).fold(0.0, f64::max);
    let shape = Shape::read(e.threads, e.speedups, e.intervals);
    let facts = Facts { e, j_max, s_last, best, s_best_parallel, efficiency: s_last / j_max as f64, shape };
    let verdict = RULES.iter().find_map(|rule| (rule.applies)(&facts))?;
    let mut sentence = sentence(&verdict, &facts) + &e.machine.and_then(|m| m.clause()).unwrap_or_default();
    if e.fits.speedup_baseline == Some(SpeedupBaseline::Fitted) {
        sentence += " (S is relative to a fitted single-thread rate: no j = 1 point was measured)";
    }
    Some(Diagnosis { verdict, sentence })
}

impl Facts<'_> {
    /// Amdahl's B and its fit, when fitted.
    fn amdahl(&self) -> Option<(f64, &AmdahlFit)> {
        self.e.fits.amdahl.as_ref().and_then(|a| a.serial_fraction.map(|b| (b, a)))
    }

    fn interval(&self, i: usize) -> Option<[f64; 2]> {
        self.e.intervals.get(i).copied().flatten()
    }

    /// The noise (log-scale sd) of point `i`.
    fn sd(&self, i: usize) -> f64 {
        self.shape.as_ref().map_or(super::shape::MIN_SHAPE_SD, |s| s.sd[i])
    }

    /// The clause added where oversubscription could explain the curve but cannot be judged.
    fn unknown_cpus(&self) -> &'static str {
        if self.e.cpus.is_none() && self.e.kind.is_none() {
            "; the CPU count is unknown, so oversubscription cannot be judged (measure fit --cpus N)"
        } else {
            ""
        }
    }

    /// The usable CPUs, when some measured points are beyond them (oversubscribed).
    fn oversubscribed_from(&self) -> Option<usize> {
        let cpus = self.e.cpus?.usable;
        (self.j_max > cpus && !self.e.kind.is_some_and(Kind::waits)).then_some(cpus)
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

    /// The USL's N* with its interval, when the USL is the better model, has a peak, and its
    /// interval meets the measured maximum at index `measured_peak` (which locates the true peak
    /// between its neighbours): a USL peak away from the measured one is not quoted.
    fn usl_peak(&self, measured_peak: Option<usize>) -> Option<String> {
        let usl = self.e.fits.usl.as_ref().filter(|_| self.e.fits.best == Some(Model::Usl))?;
        let peak = usl.peak_threads?;
        if let Some(i) = measured_peak {
            let [lo, hi] = usl.peak_threads_ci95?;
            let below = self.e.threads[i.saturating_sub(1)] as f64;
            let above = self.e.threads[(i + 1).min(self.e.threads.len() - 1)] as f64;
            if hi < below || lo > above {
                return None;
            }
        }
        let ci = usl.peak_threads_ci95.map_or(String::new(), |[lo, hi]| format!(" [{lo:.1}, {hi:.1}]"));
        Some(format!("USL N* = {peak:.1}{ci}, kappa = {:.2e}", usl.kappa.unwrap_or(0.0)))
    }

    /// Whether `model` describes the points within their noise: the chi-square of its log
    /// residuals (each point's noise widened by [`MODEL_TOLERANCE`]) below its 99th percentile.
    /// With a fitted baseline, or one sample per point (every S shares T(1)'s error), the
    /// residuals' mean is free (one degree of freedom less). Unknown
    /// (true) with no degree of freedom left.
    fn law_fits(&self, model: Model) -> bool {
        let predicted: Vec<f64> = match model {
            Model::Amdahl => {
                let Some((b, _)) = self.amdahl() else { return false };
                self.e.threads.iter().map(|&j| 1.0 / (b + (1.0 - b) / j as f64)).collect()
            }
            Model::Usl => {
                let Some(usl) = self.e.fits.usl.as_ref() else { return false };
                let (Some(sigma), Some(kappa)) = (usl.sigma, usl.kappa) else { return false };
                self.e
                    .threads
                    .iter()
                    .map(|&j| {
                        let n = j as f64;
                        n / (1.0 + sigma * (n - 1.0) + kappa * n * (n - 1.0))
                    })
                    .collect()
            }
            _ => return true,
        };
        if predicted.iter().any(|p| !(p.is_finite() && *p > 0.0)) {
            return false;
        }
        let mut residuals: Vec<f64> = self.e.speedups.iter().zip(&predicted).map(|(s, p)| s.ln() - p.ln()).collect();
        let parameters = match model {
            Model::Usl => 2,
            _ => 1,
        };
        let mut dof = residuals.len() as i64 - parameters;
        // A fitted baseline, or one-sample points that all share T(1)'s error: the level is free.
        let shared_baseline = self.shape.as_ref().is_some_and(|s| !s.from_intervals);
        if self.e.fits.speedup_baseline == Some(SpeedupBaseline::Fitted) || shared_baseline {
            let mean = residuals.iter().sum::<f64>() / residuals.len() as f64;
            residuals.iter_mut().for_each(|r| *r -= mean);
            dof -= 1;
        }
        if dof < 1 {
            return true;
        }
        let chi2: f64 =
            residuals.iter().enumerate().map(|(i, r)| r * r / (self.sd(i).powi(2) + MODEL_TOLERANCE.powi(2))).sum();
        statrs::distribution::ChiSquared::new(dof as f64)
            .map(|d| chi2 <= statrs::distribution::ContinuousCDF::inverse_cdf(&d, 0.99))
            .unwrap_or(true)
    }

    /// Whether the plateau after the shape's knee is flatter than `law` predicts, beyond noise: the
    /// law's growth from the knee to the last point against the measured growth, with the tail's
    /// own scatter around its mean as the noise where it has three points or more (a flat tail is
    /// its own evidence of quiet points), else the points' noise. A law that rises through a
    /// measured plateau does not describe it.
    fn plateau_flatter_than(&self, law: impl Fn(f64) -> f64) -> bool {
        let Some(knee) = self.shape.as_ref().and_then(|s| s.knee) else { return false };
        let last = self.e.threads.len() - 1;
        let y = |i: usize| self.e.speedups[i].ln();
        let tail: Vec<f64> = (knee..=last).map(y).collect();
        let noise = if tail.len() >= 3 {
            let mean = tail.iter().sum::<f64>() / tail.len() as f64;
            let var = tail.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (tail.len() - 1) as f64;
            var.sqrt().max(super::shape::MIN_SHAPE_SD)
        } else {
            self.sd(knee).max(self.sd(last))
        };
        let (j_knee, j_last) = (self.e.threads[knee] as f64, self.e.threads[last] as f64);
        let predicted = law(j_last).ln() - law(j_knee).ln();
        let measured = y(last) - y(knee);
        predicted - measured > (3.0 * std::f64::consts::SQRT_2 * noise).max(0.03)
    }

    /// The upper end of S's 95% range at point `i` (its interval, or 2 sd of noise).
    fn upper(&self, i: usize) -> f64 {
        self.interval(i).map_or(self.e.speedups[i] * (2.0 * self.sd(i)).exp(), |[_, hi]| hi)
    }
}

/// B as text: with its interval.
fn b_text(b: f64, fit: &AmdahlFit) -> String {
    match fit.ci95 {
        Some([lo, hi]) => format!("B = {} [{}, {}]", b_number(b), b_number(lo), b_number(hi)),
        None => format!("B = {} (no interval)", b_number(b)),
    }
}

/// A serial fraction to three places, 0.000 rather than -0.000 for rounding noise.
fn b_number(b: f64) -> String {
    let text = format!("{b:.3}");
    if text == "-0.000" { "0.000".to_owned() } else { text }
}

fn weak_scaling(f: &Facts<'_>) -> Option<Verdict> {
    let a = f.e.fits.gustafson.as_ref()?.serial_fraction?;
    Some(Verdict::WeakScaling { threads: f.j_max, speedup: f.s_last, serial_fraction: a })
}

fn disturbed(f: &Facts<'_>) -> Option<Verdict> {
    let flagged: Vec<usize> = f.e.threads.iter().zip(f.e.disturbed).filter(|(_, d)| **d).map(|(j, _)| *j).collect();
    if !flagged.is_empty() {
        return Some(Verdict::Disturbed {
            points: flagged,
            load: None,
            min_utilisation: None,
            cpus: None,
            threads: f.j_max,
            speedup: f.s_last,
        });
    }
    let cpus = f.e.cpus?;
    let load = f.e.load?;
    let busy = matches!(f.e.kind, Some(Kind::Parallel | Kind::Synthetic));
    let utils: Vec<f64> =
        f.e.threads
            .iter()
            .zip(f.e.utilisation)
            .filter(|(j, _)| **j > 1 && **j <= cpus.usable)
            .filter_map(|(_, u)| *u)
            .collect();
    let low = utils.iter().copied().fold(f64::INFINITY, f64::min);
    (busy && load > 0.5 * cpus.usable as f64 && !utils.is_empty() && low < 0.7).then(|| Verdict::Disturbed {
        points: Vec::new(),
        load: Some(load),
        min_utilisation: Some(low),
        cpus: Some(cpus.usable),
        threads: f.j_max,
        speedup: f.s_last,
    })
}

/// A measured fall past the measured maximum, beyond noise (`shape`), whatever law wins.
fn retrograde(f: &Facts<'_>) -> Option<Verdict> {
    let decline = f.shape.as_ref()?.decline?;
    Some(Verdict::PeakDecline {
        peak_threads: f.e.threads[decline.from],
        peak_speedup: f.e.speedups[decline.from],
        drop: decline.drop,
        threads: f.j_max,
        speedup: f.s_last,
    })
}

fn slower(f: &Facts<'_>) -> Option<Verdict> {
    let last = f.e.threads.len() - 1;
    (f.s_last < 0.9 && f.upper(last) < 1.0).then_some(Verdict::Slower { threads: f.j_max, speedup: f.s_last })
}

fn sequential(f: &Facts<'_>) -> Option<Verdict> {
    (f.s_best_parallel < 1.2).then(|| Verdict::Sequential {
        threads: f.j_max,
        speedup: f.s_last,
        serial_fraction: f.amdahl().map(|(b, _)| b),
    })
}

fn past_the_cores(f: &Facts<'_>) -> Option<Verdict> {
    let cpus = f.e.cpus?.usable;
    (f.j_max > cpus && f.s_last > 1.2 * cpus as f64).then_some(Verdict::ScalesPastCores {
        threads: f.j_max,
        speedup: f.s_last,
        cpus,
    })
}

/// Memory-bound work (declared, or a curve in bytes per second) always speaks of bandwidth.
fn memory_bound(f: &Facts<'_>) -> Option<Verdict> {
    if f.e.kind != Some(Kind::MemoryBound) {
        return None;
    }
    let shape = f.shape.as_ref();
    Some(Verdict::MemoryBandwidth {
        threads: f.j_max,
        speedup: f.s_last,
        gb_per_s: f.e.bandwidth_gb_s.map(|[_, best]| best),
        knee_threads: shape.and_then(|s| s.knee).map(|k| f.e.threads[k]),
        ceiling: f.e.bandwidth_ceiling_gb_s,
        serial_fraction: f
            .amdahl()
            .filter(|_| f.e.fits.best == Some(Model::Amdahl) && f.law_fits(Model::Amdahl))
            .map(|(b, _)| b),
    })
}

fn superlinear(f: &Facts<'_>) -> Option<Verdict> {
    let above = &f.shape.as_ref()?.superlinear;
    let &top = above.iter().max_by(|&&a, &&b| {
        (f.e.speedups[a] / f.e.threads[a] as f64).total_cmp(&(f.e.speedups[b] / f.e.threads[b] as f64))
    })?;
    Some(Verdict::Superlinear {
        points: above.iter().map(|&i| f.e.threads[i]).collect(),
        peak_threads: f.e.threads[top],
        peak_speedup: f.e.speedups[top],
    })
}

/// T tasks on j threads take ceil(T / j) waves: S(j) <= G(j) = T / ceil(T / j). The bound is a
/// law with no free parameter, compared with the curve as Amdahl's law is: it explains the curve
/// when its log residuals (from the points with j > 1) scatter by at most [`GRANULARITY_NOISE`],
/// fit at least as well as Amdahl's law with its fitted B, and it binds somewhere: at a measured
/// count, G(j) and S(j) are both below j by more than three times that scatter. Load imbalance,
/// then, not serial code.
fn granularity(f: &Facts<'_>) -> Option<Verdict> {
    let tasks = f.e.tasks.filter(|&t| t > 0)?;
    let bound = |j: usize| tasks as f64 / tasks.div_ceil(j) as f64;
    let points: Vec<(f64, f64, f64)> = (0..f.e.threads.len())
        .filter(|&i| f.e.threads[i] > 1)
        .map(|i| (f.e.threads[i] as f64, f.e.speedups[i], bound(f.e.threads[i])))
        .collect();
    let rss_bound: f64 = points.iter().map(|(_, s, g)| (s.ln() - g.ln()).powi(2)).sum();
    let scatter = (rss_bound / points.len().max(1) as f64).sqrt().max(super::shape::MIN_SHAPE_SD);
    let binds = points.iter().any(|&(j, s, g)| j.ln() - g.ln() > 3.0 * scatter && j.ln() - s.ln() > 3.0 * scatter);
    let rss_amdahl = f.amdahl().map_or(f64::INFINITY, |(b, _)| {
        points.iter().map(|(j, s, _)| (s.ln() + (b + (1.0 - b) / j).ln()).powi(2)).sum()
    });
    (binds && scatter <= GRANULARITY_NOISE && rss_bound <= rss_amdahl).then(|| Verdict::Granularity {
        threads: f.j_max,
        speedup: f.s_last,
        tasks,
        ceiling: bound(f.j_max),
    })
}

/// The most scatter (log scale) of the points around the granularity bound for it to explain
/// them: 5%, the noise of a one-sample speedup (two timings) on a machine with 3% timing noise.
pub const GRANULARITY_NOISE: f64 = 0.05;

/// A plateau after a knee (`shape`): a shared resource saturates.
fn saturates(f: &Facts<'_>) -> Option<Verdict> {
    let knee = f.shape.as_ref()?.knee?;
    let s_best = f.best.1;
    let knee_threads = f.e.threads[knee];
    Some(Verdict::Saturation {
        knee_threads,
        peak_speedup: s_best,
        gb_per_s: f.e.bandwidth_gb_s.map(|[_, gb]| gb),
        cpus: f.machine_count(knee_threads).map(|(n, _)| n),
    })
}

fn near_linear(f: &Facts<'_>) -> Option<Verdict> {
    f.shape.as_ref().filter(|s| s.near_linear())?;
    Some(near_linear_verdict(f, None))
}

fn near_linear_verdict(f: &Facts<'_>, until_threads: Option<usize>) -> Verdict {
    let amdahl = f.amdahl().filter(|(_, fit)| f.e.fits.best == Some(Model::Amdahl) && fit.ci95.is_some());
    let ceiling = amdahl.and_then(|(_, fit)| fit.ceiling).filter(|c| c.is_finite() && *c <= 1e6);
    Verdict::NearLinear {
        threads: f.j_max,
        speedup: f.s_last,
        until_threads,
        serial_fraction: amdahl.map(|(b, _)| b),
        ceiling,
    }
}

/// A sawtooth of dips, unless a plateau follows a knee over at least a doubling of the thread
/// count (a saturating curve that also oscillates is saturation, whose sentence names the dips).
fn oscillating(f: &Facts<'_>) -> Option<Verdict> {
    let plateau = |k: usize| f.j_max >= 2 * f.e.threads[k];
    let shape = f.shape.as_ref().filter(|s| s.oscillates() && !s.knee.is_some_and(plateau))?;
    Some(Verdict::Oscillating {
        points: shape.dips.iter().map(|&i| f.e.threads[i]).collect(),
        threads: f.j_max,
        speedup: f.s_last,
    })
}

fn approaching_peak(f: &Facts<'_>) -> Option<Verdict> {
    let usl = f.e.fits.usl.as_ref().filter(|_| f.e.fits.best == Some(Model::Usl))?;
    let peak = usl.peak_threads?;
    let [kappa_lo, _] = usl.kappa_ci95?;
    let near = peak <= EXTRAPOLATION_LIMIT * f.j_max as f64;
    let (sigma, kappa) = (usl.sigma.unwrap_or(0.0), usl.kappa.unwrap_or(0.0));
    let through_plateau = f.plateau_flatter_than(|n| n / (1.0 + sigma * (n - 1.0) + kappa * n * (n - 1.0)));
    let fits = f.law_fits(Model::Usl) && !through_plateau;
    (kappa_lo > 0.0 && peak > f.j_max as f64 && near && fits).then_some(Verdict::ApproachingPeak {
        peak_threads: peak,
        peak_threads_ci95: usl.peak_threads_ci95,
        threads: f.j_max,
        speedup: f.s_last,
    })
}

/// Amdahl's law, when it is the better model, fits within noise, its B is determined and above 0,
/// and its ceiling is neither below a measured speedup nor extrapolated past
/// [`EXTRAPOLATION_LIMIT`] x the largest measured count.
fn bounded(f: &Facts<'_>) -> Option<Verdict> {
    if f.e.fits.best != Some(Model::Amdahl) {
        return None;
    }
    let (b, fit) = f.amdahl()?;
    if let Some([lo, hi]) = fit.ci95
        && hi - lo > 0.5
    {
        return Some(Verdict::Undetermined {
            threads: f.j_max,
            speedup: f.s_last,
            serial_fraction: Some(b),
            reason: Undetermined::SerialFractionSpread,
        });
    }
    let ceiling = fit.ceiling?;
    let highest = (0..f.e.speedups.len()).map(|i| f.upper(i)).fold(0.0, f64::max);
    let credible = ceiling >= highest.min(f.best.1 * 1.0001) && ceiling >= f.best.1;
    let near = ceiling <= EXTRAPOLATION_LIMIT * f.j_max as f64;
    let through_plateau = f.plateau_flatter_than(|j| 1.0 / (b + (1.0 - b) / j));
    (credible && near && !through_plateau && f.law_fits(Model::Amdahl)).then_some(Verdict::SerialFraction {
        threads: f.j_max,
        speedup: f.s_last,
        serial_fraction: b,
        ceiling,
    })
}

/// Near-linear over a first stretch of at least two doublings, then falling, with no law or shape
/// to explain the fall.
fn near_linear_stretch(f: &Facts<'_>) -> Option<Verdict> {
    let until = f.shape.as_ref()?.linear_until?;
    // The fall must be real: the last point's efficiency below 0.9 beyond its noise.
    let last = f.e.threads.len() - 1;
    let falls = f.upper(last) < 0.9 * f.j_max as f64;
    (f.e.threads[until] >= 4 && falls).then(|| near_linear_verdict(f, Some(f.e.threads[until])))
}

fn no_law_fits(f: &Facts<'_>) -> Option<Verdict> {
    let fitted = f.e.fits.amdahl.as_ref().is_some_and(|a| a.serial_fraction.is_some())
        || f.e.fits.usl.as_ref().is_some_and(|u| u.sigma.is_some());
    (fitted && f.e.threads.len() >= 4 && !f.law_fits(Model::Amdahl) && !f.law_fits(Model::Usl))
        .then_some(Verdict::NoLawFits { threads: f.j_max, speedup: f.s_last })
}

fn otherwise(f: &Facts<'_>) -> Option<Verdict> {
    Some(Verdict::Undetermined {
        threads: f.j_max,
        speedup: f.s_last,
        serial_fraction: f.amdahl().filter(|_| f.e.fits.best == Some(Model::Amdahl)).map(|(b, _)| b),
        reason: Undetermined::NoShape,
    })
}

/// The sentence of `verdict`: its kind in words, then the numbers that decided it (the verdict's
/// fields) and what the facts add (intervals, the model's parameters, the kind of work).
pub fn sentence(verdict: &Verdict, f: &Facts<'_>) -> String {
    // B with its interval, for a verdict that quotes B.
    let b_of = |b: f64| f.amdahl().map_or_else(|| format!("B = {b:.3}"), |(_, fit)| b_text(b, fit));
    let efficiency = |threads: usize, speedup: f64| speedup / threads as f64 * 100.0;
    match verdict {
        Verdict::WeakScaling { threads, speedup, serial_fraction: a } => format!(
            "weak scaling: the scaled speedup reaches {speedup:.2} at {threads} threads; Gustafson's serial fraction a = {a:.3}"
        ),
        Verdict::Disturbed { points, load, min_utilisation, cpus, threads, speedup } => {
            match (points.is_empty(), load, cpus, min_utilisation) {
                (false, ..) => format!(
                    "disturbed: j = {} was measured while other work competed for the CPUs (threads preempted more than 100 times a second, or one thread busy less than 90% of the time; see each point's `disturbance`); S({threads}) = {speedup:.2} describes the machine as much as the code — measure again on a quiet machine",
                    points.iter().map(usize::to_string).collect::<Vec<_>>().join(", ")
                ),
                (true, Some(load), Some(cpus), Some(low)) => format!(
                    "disturbed: the machine was busy (load {load:.2} on {cpus} usable CPUs) and the threads of this CPU-bound work were idle much of the time (utilisation down to {low:.2}); S({threads}) = {speedup:.2} describes the machine, not the code — measure again on a quiet machine"
                ),
                _ => format!(
                    "disturbed: other work competed for the CPUs; S({threads}) = {speedup:.2} describes the machine as much as the code — measure again on a quiet machine"
                ),
            }
        }
        Verdict::PeakDecline { peak_threads, peak_speedup, drop, threads, speedup } => {
            let index = f.e.threads.iter().position(|j| j == peak_threads);
            let cause = match index.and_then(|i| f.usl_peak(Some(i))) {
                Some(peak) => format!(" — contention and coherency ({peak})"),
                None => " — contention that grows with the thread count".to_owned(),
            };
            let at = f.machine_count(*peak_threads).map_or(String::new(), |(_, what)| format!(", {what}"));
            format!(
                "peaks at {peak_threads} threads{at}: S = {peak_speedup:.2}, then falls {:.0}% to {speedup:.2} at {threads}, beyond noise{cause}{}{}",
                100.0 * drop,
                oversubscribed(f),
                f.unknown_cpus()
            )
        }
        Verdict::Slower { threads, speedup } => {
            let why = match f.e.kind {
                Some(Kind::Contended) => "threads queue for a shared lock and its cache line bounces between cores",
                Some(Kind::Sequential) => "handing each small step to other threads costs more than the step",
                _ => "coordinating threads costs more than the work they share",
            };
            format!("slower with more threads: S({threads}) = {speedup:.2}; {why}")
        }
        Verdict::Sequential { threads, speedup, serial_fraction } => {
            let b = serial_fraction.map(|b| format!(", {}", b_of(b))).unwrap_or_default();
            format!("inherently sequential: more threads do not help (S({threads}) = {speedup:.2}{b})")
        }
        Verdict::ScalesPastCores { threads, speedup, cpus } => format!(
            "scales past the core count: S({threads}) = {speedup:.1} on {cpus} usable CPUs — threads mostly wait (I/O, sleep, a remote service), so more threads than cores still help"
        ),
        Verdict::MemoryBandwidth { threads, speedup, gb_per_s, knee_threads, ceiling, serial_fraction } => {
            let reached = match (gb_per_s, f.e.bandwidth_gb_s) {
                (Some(gb), Some([one, _])) => {
                    format!(", reaching {} ({} at one thread)", rate_text(*gb), rate_text(one))
                }
                (Some(gb), None) => format!(", reaching {}", rate_text(*gb)),
                _ => String::new(),
            };
            let knee = knee_threads.map_or(String::new(), |k| format!(", saturating from {k} threads"));
            let machine =
                ceiling.map_or(String::new(), |c| format!("; the machine's own triad reaches {}", rate_text(c)));
            let b = serial_fraction
                .map(|b| format!("; Amdahl's {} fits the curve but is no serial code here", b_of(b)))
                .unwrap_or_default();
            // Memory-bound work that still scales is not "limited" yet.
            let last = f.e.threads.len() - 1;
            let head = if knee_threads.is_none() && f.upper(last) >= 0.9 * *threads as f64 {
                "memory-bound, still scaling"
            } else {
                "limited by memory bandwidth"
            };
            format!(
                "{head}: S({threads}) = {speedup:.2}, efficiency {:.0}%{reached}{knee} — the threads share one memory system{machine}{b}{}{}",
                efficiency(*threads, *speedup),
                dips(f),
                oversubscribed(f)
            )
        }
        Verdict::Superlinear { points, peak_threads, peak_speedup } => format!(
            "superlinear at j = {}: S({peak_threads}) = {peak_speedup:.2} beats {peak_threads} threads beyond noise; usually each thread's share of the data now fits in its cache",
            points.iter().map(usize::to_string).collect::<Vec<_>>().join(", ")
        ),
        Verdict::ApproachingPeak { peak_threads, peak_threads_ci95, threads, speedup } => {
            let usl = f.e.fits.usl.as_ref();
            format!(
                "approaching a USL peak at N* = {peak_threads:.1}{}, beyond the measured {threads} threads (S({threads}) = {speedup:.2}): coherency costs grow with every thread (kappa = {:.2e}, F test p = {})",
                peak_threads_ci95.map_or(" (interval open)".to_owned(), |[lo, hi]| format!(" [{lo:.1}, {hi:.1}]")),
                usl.and_then(|u| u.kappa).unwrap_or(0.0),
                f.e.fits.usl_p_value.map_or("-".to_owned(), |p| format!("{p:.3}"))
            )
        }
        Verdict::Saturation { knee_threads, peak_speedup, gb_per_s, cpus } => {
            let at = match (cpus, f.machine_count(*knee_threads)) {
                (Some(_), Some((_, what))) => format!(", {what}"),
                _ => String::new(),
            };
            let trend = f.e.fits.karp_flatt_trend.as_ref().filter(|t| t.rising);
            let rise = match trend.map(|t| (t.from, t.to)) {
                Some((Some(a), Some(b))) => format!(" (Karp–Flatt rises from {a:.3} to {b:.3})"),
                Some(_) => " (Karp–Flatt rises)".to_owned(),
                None => String::new(),
            };
            let resource = match (f.e.kind, gb_per_s, cpus) {
                (_, Some(gb), _) => format!("memory bandwidth ({} reached)", rate_text(*gb)),
                (Some(Kind::MemoryBound), None, _) => "memory bandwidth".to_owned(),
                (_, None, Some(_)) => "the CPUs themselves".to_owned(),
                _ => "a shared resource (memory bandwidth, a lock, I/O)".to_owned(),
            };
            format!(
                "saturates from {knee_threads} threads{at}: S stays flat within noise at about {peak_speedup:.2} — {resource}, not serial code{rise}{}{}{}",
                dips(f),
                oversubscribed(f),
                f.unknown_cpus()
            )
        }
        Verdict::NearLinear { threads, speedup, until_threads: Some(until), .. } => {
            let until_speedup = f.e.threads.iter().position(|j| j == until).map_or(0.0, |i| f.e.speedups[i]);
            let at = f.machine_count(*until).map_or(String::new(), |(_, what)| format!(" ({what})"));
            format!(
                "near-linear up to {until} threads{at} (S({until}) = {until_speedup:.2}, efficiency {:.0}%), then efficiency falls to {:.0}% at {threads} (S = {speedup:.2}); neither Amdahl's law nor the USL explains the fall{}",
                efficiency(*until, until_speedup),
                efficiency(*threads, *speedup),
                oversubscribed(f)
            )
        }
        Verdict::NearLinear { threads, speedup, serial_fraction, ceiling, .. } => {
            let cap = match (serial_fraction, ceiling) {
                (Some(b), Some(c)) => format!("; {} would cap it at {}", b_of(*b), ceiling_text(*c)),
                (Some(b), None) => format!("; no serial fraction is measurable ({})", b_of(*b)),
                (None, _) => String::new(),
            };
            format!("near-linear: S({threads}) = {speedup:.2}, efficiency {:.0}%{cap}", efficiency(*threads, *speedup))
        }
        Verdict::SerialFraction { threads, speedup, serial_fraction, ceiling } => {
            let bounds = other_bounds(f);
            if f.e.kind == Some(Kind::Parallel) {
                format!(
                    "overhead or load imbalance equivalent to a serial fraction: {}, which would cap S at {} (S({threads}) = {speedup:.2}); the work declares no serial part{bounds}",
                    b_of(*serial_fraction),
                    ceiling_text(*ceiling)
                )
            } else {
                format!(
                    "bounded by a serial fraction: {}, so no number of threads beats 1/B = {} (S({threads}) = {speedup:.2}){bounds}",
                    b_of(*serial_fraction),
                    ceiling_text(*ceiling)
                )
            }
        }
        Verdict::Undetermined { threads, speedup, serial_fraction, reason: Undetermined::SerialFractionSpread } => {
            format!(
                "B is not determined: {} spans most of [0, 1]; more thread counts or rounds are needed (S({threads}) = {speedup:.2})",
                serial_fraction.map_or_else(|| "B".to_owned(), b_of)
            )
        }
        Verdict::Undetermined { threads, speedup, serial_fraction, reason: Undetermined::NoShape } => {
            let b = serial_fraction.map(|b| format!("; {}", b_of(b))).unwrap_or_default();
            format!("S({threads}) = {speedup:.2}, efficiency {:.0}%{b}", efficiency(*threads, *speedup))
        }
        Verdict::Granularity { threads, speedup, tasks, ceiling } => {
            let waits = match f.e.cpus {
                Some(c) if *threads > c.usable && *speedup > 1.2 * c.usable as f64 => format!(
                    "; S beyond the {} usable CPUs: the threads mostly wait, so more threads than cores help",
                    c.usable
                ),
                _ => String::new(),
            };
            format!(
                "limited by granularity: {tasks} tasks take ceil({tasks}/{threads}) rounds on {threads} threads, so S({threads}) is at most {ceiling:.2} (measured {speedup:.2}) — load imbalance, not serial code{waits}"
            )
        }
        Verdict::Oscillating { points, threads, speedup } => format!(
            "oscillating: S dips at j = {} (how threads are placed on cores and sockets shapes the curve); S({threads}) = {speedup:.2}",
            points.iter().map(usize::to_string).collect::<Vec<_>>().join(", ")
        ),
        Verdict::NoLawFits { threads, speedup } => {
            let (i, best) = f.best;
            let path = if i + 1 == f.e.threads.len() {
                format!("S reaches {speedup:.2} at {threads}")
            } else {
                format!("S rises to {best:.2} at {} and is {speedup:.2} at {threads}", f.e.threads[i])
            };
            format!(
                "neither Amdahl's law nor the USL describes this curve within its noise: {path} (efficiency {:.0}%){}",
                efficiency(*threads, *speedup),
                oversubscribed(f)
            )
        }
        Verdict::SinglePoint { threads } => single_point_sentence(*threads),
    }
}

fn single_point_sentence(threads: usize) -> String {
    format!(
        "single point: only j = {threads} was measured, so no curve can be fitted and there is no speedup to explain (measure more thread counts)"
    )
}

/// The diagnosis of a workload of which only one thread count was measured.
pub fn single_point(threads: usize) -> Diagnosis {
    Diagnosis { verdict: Verdict::SinglePoint { threads }, sentence: single_point_sentence(threads) }
}

/// The clause naming dips of a sawtooth, when the curve oscillates beside its headline.
fn dips(f: &Facts<'_>) -> String {
    match f.shape.as_ref().filter(|s| s.oscillates()) {
        Some(shape) => format!(
            "; S also oscillates with thread placement (dips at j = {})",
            shape.dips.iter().map(|&i| f.e.threads[i].to_string()).collect::<Vec<_>>().join(", ")
        ),
        None => String::new(),
    }
}

/// The clause naming oversubscribed points, when the CPU count is known and exceeded.
fn oversubscribed(f: &Facts<'_>) -> String {
    f.oversubscribed_from().map_or(String::new(), |n| {
        format!("; points beyond {n} threads are oversubscribed (more threads than the {n} usable CPUs)")
    })
}

/// The other bounds beside Amdahl's, where known: the granularity bound of the work's tasks at the
/// largest measured count, and the machine's own ceiling there.
fn other_bounds(f: &Facts<'_>) -> String {
    let mut clauses = Vec::new();
    if let Some(tasks) = f.e.tasks.filter(|&t| t > 0) {
        let bound = tasks as f64 / tasks.div_ceil(f.j_max) as f64;
        let last = f.e.threads.len() - 1;
        if f.upper(last) >= bound {
            clauses.push(format!("its {tasks} tasks allow {bound:.2}x at {}", f.j_max));
        } else {
            clauses.push(format!(
                "the declared {tasks} tasks would allow only {bound:.2}x at {}, below the measured {:.2}: the task count looks wrong",
                f.j_max, f.s_last
            ));
        }
    }
    if let Some(m) = f.e.machine.filter(|m| m.threads == f.j_max) {
        clauses.push(format!("the machine itself {:.2}x", m.speedup));
    }
    if clauses.is_empty() { String::new() } else { format!("; beside it, {}", clauses.join(", and ")) }
}

/// A bandwidth as text: GB/s to one decimal, or MB/s (or B/s) where that would print 0.0.
fn rate_text(gb_per_s: f64) -> String {
    if gb_per_s >= 0.1 {
        format!("{gb_per_s:.1} GB/s")
    } else if gb_per_s >= 1e-4 {
        format!("{:.1} MB/s", gb_per_s * 1e3)
    } else {
        format!("{:.0} B/s", gb_per_s * 1e9)
    }
}

/// A ceiling as text: `12.5x`, or `> 1e6x` when absurd.
pub fn ceiling_text(c: f64) -> String {
    if c > 1e6 || !c.is_finite() { "> 1e6x".to_owned() } else { format!("{c:.1}x") }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fit::curve::{Curve, SampleKind};
    use crate::fit::fit_curve;

    /// What a rule's test varies besides the curve.
    #[derive(Default)]
    struct Extra {
        cpus: Option<CpuCounts>,
        load: Option<f64>,
        utilisation: Vec<Option<f64>>,
        intervals: Vec<Option<[f64; 2]>>,
        bandwidth_gb_s: Option<[f64; 2]>,
        tasks: Option<usize>,
        disturbed: Vec<bool>,
        machine: Option<MachineCeiling>,
    }

    fn cpus(n: usize) -> Option<CpuCounts> {
        Some(CpuCounts { usable: n, physical: n, sockets: 1 })
    }

    fn say_with(kind: Option<Kind>, threads: &[usize], times: impl Fn(f64) -> f64, extra: Extra) -> String {
        judge_with(kind, threads, times, extra).sentence
    }

    fn judge_with(kind: Option<Kind>, threads: &[usize], times: impl Fn(f64) -> f64, extra: Extra) -> Diagnosis {
        let samples: Vec<Vec<f64>> = threads.iter().map(|&j| vec![times(j as f64)]).collect();
        let curve = Curve::from_samples(threads, &samples, SampleKind::Time, 1);
        let fits = fit_curve(&curve);
        let speedups = curve.speedups().unwrap();
        diagnose(&Evidence {
            kind,
            intervals: &extra.intervals,
            utilisation: &extra.utilisation,
            disturbed: &extra.disturbed,
            cpus: extra.cpus,
            load: extra.load,
            bandwidth_gb_s: extra.bandwidth_gb_s,
            tasks: extra.tasks,
            residual_sd: crate::fit::residual_sd(&curve, fits.best),
            machine: extra.machine,
            ..Evidence::of_curve(&curve.threads, &speedups, &fits)
        })
        .unwrap()
    }

    fn say(kind: Option<Kind>, n: usize, threads: &[usize], times: impl Fn(f64) -> f64) -> String {
        say_with(kind, threads, times, Extra { cpus: cpus(n), ..Extra::default() })
    }

    fn judge(kind: Option<Kind>, n: usize, threads: &[usize], times: impl Fn(f64) -> f64) -> Verdict {
        judge_with(kind, threads, times, Extra { cpus: cpus(n), ..Extra::default() }).verdict
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-3
    }

    /// Each rule's verdict: its kind, and the numbers that decided it as its fields.
    #[test]
    fn each_rule_gives_its_kind_with_the_evidence() {
        let v = judge(None, 8, &upto(8), |j| wiggle(j) / j);
        assert!(matches!(v, Verdict::NearLinear { threads: 8, serial_fraction: Some(_), ceiling: None, .. }), "{v:?}");
        let v = judge(None, 8, &upto(8), |j| (0.2 + 0.8 / j) * wiggle(j));
        assert!(
            matches!(v, Verdict::SerialFraction { threads: 8, serial_fraction, ceiling, .. }
                if (serial_fraction - 0.199).abs() < 5e-4 && (ceiling - 5.0).abs() < 0.05),
            "{v:?}"
        );
        let noisy = [1.0, 0.45, 0.62, 0.3];
        let v = judge(None, 8, &[1, 2, 3, 4], |j| noisy[j as usize - 1]);
        assert!(
            matches!(
                v,
                Verdict::Undetermined { reason: Undetermined::SerialFractionSpread, serial_fraction: Some(_), .. }
            ),
            "{v:?}"
        );
        assert!(matches!(judge(Some(Kind::Sequential), 8, &upto(8), |_| 1.0), Verdict::Sequential { threads: 8, .. }));
        let v = judge(Some(Kind::Contended), 8, &upto(8), |j| j);
        assert!(matches!(v, Verdict::Slower { threads: 8, speedup } if close(speedup, 0.125)), "{v:?}");
        let usl = |j: f64| (1.0 + 0.05 * (j - 1.0) + 0.02 * j * (j - 1.0)) / j * wiggle(j);
        assert!(matches!(judge(None, 12, &upto(12), usl), Verdict::PeakDecline { peak_threads: 7, threads: 12, .. }));
        let s = [1.0, 1.9, 3.6, 6.5, 5.8];
        let intervals = s.iter().map(|&s| Some([s * 0.98, s * 1.02])).collect();
        let extra = Extra { cpus: cpus(16), intervals, ..Extra::default() };
        let v = judge_with(None, &[1, 2, 4, 8, 16], |j| 1.0 / s[j.log2() as usize], extra).verdict;
        assert!(
            matches!(v, Verdict::PeakDecline { peak_threads: 8, peak_speedup, drop, threads: 16, speedup }
                if close(peak_speedup, 6.5) && close(drop, 1.0 - 5.8 / 6.5) && close(speedup, 5.8)),
            "{v:?}"
        );
        let v = judge(Some(Kind::IoBound), 2, &[1, 2, 4, 8, 16], |j| 1.0 / j);
        assert!(matches!(v, Verdict::ScalesPastCores { threads: 16, cpus: 2, .. }), "{v:?}");
        let v = judge(None, 8, &upto(8), |j| -0.05 + 1.05 / j);
        assert!(
            matches!(&v, Verdict::Superlinear { points, peak_threads: 8, .. } if points == &[2, 3, 4, 5, 6, 7, 8]),
            "{v:?}"
        );
        let usl = |j: f64| (1.0 + 0.02 * (j - 1.0) + 0.002 * j * (j - 1.0)) / j * wiggle(j);
        let v = judge(None, 12, &upto(12), usl);
        assert!(
            matches!(v, Verdict::ApproachingPeak { peak_threads, threads: 12, .. } if peak_threads > 12.0),
            "{v:?}"
        );
        let two = Extra { cpus: cpus(2), bandwidth_gb_s: Some([7.7, 10.6]), ..Extra::default() };
        let v = judge_with(Some(Kind::MemoryBound), &[1, 2], |j| [1.0, 1.0 / 1.35][j as usize - 1], two).verdict;
        assert!(
            matches!(v, Verdict::MemoryBandwidth { threads: 2, gb_per_s, .. } if close(gb_per_s.unwrap(), 10.6)),
            "{v:?}"
        );
        let capped = |j: f64| 1.0 / j.min(3.0) * wiggle(j);
        let bandwidth = Extra { cpus: cpus(8), bandwidth_gb_s: Some([8.5, 25.6]), ..Extra::default() };
        let v = judge_with(Some(Kind::Parallel), &upto(8), capped, bandwidth).verdict;
        assert!(
            matches!(v, Verdict::Saturation { knee_threads: 3, gb_per_s: Some(gb), cpus: None, .. } if close(gb, 25.6)),
            "{v:?}"
        );
        let v = judge(Some(Kind::Parallel), 8, &upto(8), capped);
        assert!(matches!(v, Verdict::Saturation { knee_threads: 3, gb_per_s: None, .. }), "{v:?}");
        let busy =
            Extra { cpus: cpus(2), load: Some(1.9), utilisation: vec![Some(1.0), Some(0.45)], ..Extra::default() };
        let v = judge_with(Some(Kind::Parallel), &[1, 2], |j| [1.0, 0.95][j as usize - 1], busy).verdict;
        assert!(
            matches!(&v, Verdict::Disturbed { points, load: Some(_), cpus: Some(2), min_utilisation: Some(u), .. }
                if points.is_empty() && close(*u, 0.45)),
            "{v:?}"
        );
        let tagged = Extra { cpus: cpus(2), disturbed: vec![false, true], ..Extra::default() };
        let v = judge_with(Some(Kind::Parallel), &[1, 2], |j| [1.0, 0.7][j as usize - 1], tagged).verdict;
        assert!(matches!(&v, Verdict::Disturbed { points, load: None, .. } if points == &[2]), "{v:?}");
    }

    /// Nothing fitted and no shape: the numbers alone, as `undetermined`; one thread count is a
    /// single point.
    #[test]
    fn without_fits_or_shape_the_verdict_is_undetermined() {
        let fits = Fits::default();
        let evidence =
            |threads: &'static [usize], speedups: &'static [f64]| Evidence::of_curve(threads, speedups, &fits);
        let d = diagnose(&evidence(&[1, 2, 4], &[1.0, 1.6, 2.0])).unwrap();
        assert_eq!(
            d.verdict,
            Verdict::Undetermined { threads: 4, speedup: 2.0, serial_fraction: None, reason: Undetermined::NoShape }
        );
        assert_eq!(d.sentence, "S(4) = 2.00, efficiency 50%");
        let single = diagnose(&evidence(&[1], &[1.0])).unwrap();
        assert_eq!(single.verdict, Verdict::SinglePoint { threads: 1 });
        assert_eq!(single, single_point(1));
        assert_eq!(diagnose(&evidence(&[], &[])), None);
    }

    /// The kinds no rule chooses yet still have a sentence that names their evidence.
    #[test]
    fn every_kind_has_a_sentence_with_its_numbers() {
        let fits = Fits::default();
        let e = Evidence::of_curve(&[1, 2, 4], &[1.0, 1.5, 2.0], &fits);
        let f =
            Facts { e: &e, j_max: 4, s_last: 2.0, best: (2, 2.0), s_best_parallel: 2.0, efficiency: 0.5, shape: None };
        let said = |v: Verdict| sentence(&v, &f);
        let granularity = said(Verdict::Granularity { threads: 4, speedup: 2.0, tasks: 6, ceiling: 3.0 });
        assert!(granularity.contains("6 tasks") && granularity.contains("at most 3.00"), "{granularity}");
        let oscillating = said(Verdict::Oscillating { points: vec![3, 5], threads: 4, speedup: 2.0 });
        assert!(oscillating.contains("j = 3, 5"), "{oscillating}");
        let none = said(Verdict::NoLawFits { threads: 4, speedup: 2.0 });
        assert!(
            none.contains("describes this curve") && none.contains("S reaches 2.00 at 4 (efficiency 50%)"),
            "{none}"
        );
        assert!(said(Verdict::SinglePoint { threads: 1 }).contains("only j = 1"));
        let disturbed = Verdict::Disturbed {
            points: Vec::new(),
            load: None,
            min_utilisation: None,
            cpus: None,
            threads: 4,
            speedup: 2.0,
        };
        assert!(said(disturbed).contains("S(4) = 2.00"));
    }

    fn wiggle(j: f64) -> f64 {
        1.0 + 0.002 * (j * 7.0).sin()
    }

    fn upto(n: usize) -> Vec<usize> {
        (1..=n).collect()
    }

    #[test]
    fn near_linear_claims_no_ceiling_when_b_cannot_be_told_from_zero() {
        let near = say(None, 8, &upto(8), |j| wiggle(j) / j);
        assert!(
            near.starts_with("near-linear: S(8) = 8.0") && near.contains("no serial fraction is measurable"),
            "{near}"
        );
        assert!(!near.contains("cap"), "{near}");
    }

    #[test]
    fn bounded_names_b_with_its_interval_and_ceiling() {
        let bounded = say(None, 8, &upto(8), |j| (0.2 + 0.8 / j) * wiggle(j));
        assert!(
            bounded.starts_with("bounded by a serial fraction: B = 0.199 [") && bounded.contains("1/B = 5.0x"),
            "{bounded}"
        );
        // Four points with 30% scatter: B's interval spans most of [0, 1].
        let noisy = [1.0, 0.45, 0.62, 0.3];
        let vague = say(None, 8, &[1, 2, 3, 4], |j| noisy[j as usize - 1]);
        assert!(vague.starts_with("B is not determined"), "{vague}");
    }

    #[test]
    fn sequential_and_slower_are_told_apart() {
        assert!(say(Some(Kind::Sequential), 8, &upto(8), |_| 1.0).starts_with("inherently sequential"));
        let slower = say(Some(Kind::Contended), 8, &upto(8), |j| j);
        assert!(slower.starts_with("slower with more threads") && slower.contains("lock"), "{slower}");
        // Judged on the largest j, not the best point: faster at 2, then slower.
        let later = say(None, 8, &[1, 2, 4, 8], |j| [1.0, 0.7, 1.5, 2.5][j.log2() as usize]);
        assert!(later.starts_with("slower with more threads: S(8) = 0.40"), "{later}");
    }

    #[test]
    fn a_measured_drop_is_retrograde_with_the_usl_peak_when_it_wins() {
        let usl = |j: f64| (1.0 + 0.05 * (j - 1.0) + 0.02 * j * (j - 1.0)) / j * wiggle(j);
        let retro = say(None, 12, &upto(12), usl);
        assert!(
            retro.starts_with("peaks at 7 threads: S = 3.28, then falls 13%") && retro.contains("USL N* = 6."),
            "{retro}"
        );
        // An 11% drop after 8 threads, with intervals that exclude each other.
        let s = [1.0, 1.9, 3.6, 6.5, 5.8];
        let threads = [1, 2, 4, 8, 16];
        let intervals = s.iter().map(|&s| Some([s * 0.98, s * 1.02])).collect();
        let drop = say_with(
            None,
            &threads,
            |j| 1.0 / s[j.log2() as usize],
            Extra { cpus: cpus(16), intervals, ..Extra::default() },
        );
        assert!(drop.starts_with("peaks at 8 threads: S = 6.50, then falls 11% to 5.80 at 16, beyond noise"), "{drop}");
    }

    #[test]
    fn threads_that_wait_scale_past_the_cores_whatever_the_kind() {
        for kind in [Some(Kind::IoBound), Some(Kind::Parallel), None] {
            let io = say(kind, 2, &[1, 2, 4, 8, 16], |j| 1.0 / j);
            assert!(io.starts_with("scales past the core count: S(16) = 16.0 on 2 usable CPUs"), "{io}");
        }
    }

    #[test]
    fn superlinear_points_are_named_as_a_cache_effect() {
        // One sample per point: eight points, so that the curve's own noise can be read.
        let whole = say(None, 8, &upto(8), |j| -0.05 + 1.05 / j);
        assert!(
            whole.starts_with("superlinear at j = 2, 3, 4, 5, 6, 7, 8: S(8) = 12.31") && whole.contains("cache"),
            "{whole}"
        );
        // Mid-range only: above j at 2 and 4 beyond the intervals, below at 8.
        let s = [1.0, 2.3, 4.4, 6.0];
        let intervals = s.iter().map(|&s| Some([s * 0.99, s * 1.01])).collect();
        let local = say_with(
            None,
            &[1, 2, 4, 8],
            |j| 1.0 / s[j.log2() as usize],
            Extra { cpus: cpus(8), intervals, ..Extra::default() },
        );
        assert!(local.starts_with("superlinear at j = 2, 4: S(2) = 2.30 beats 2 threads"), "{local}");
    }

    #[test]
    fn a_peak_beyond_the_range_is_approached_not_claimed() {
        let usl = |j: f64| (1.0 + 0.02 * (j - 1.0) + 0.002 * j * (j - 1.0)) / j * wiggle(j);
        let approaching = say(None, 12, &upto(12), usl);
        assert!(
            approaching.starts_with("approaching a USL peak at N* = 2")
                && approaching.contains("beyond the measured 12"),
            "{approaching}"
        );
        assert!(!approaching.contains("1/B"), "{approaching}");
    }

    #[test]
    fn saturation_names_memory_bandwidth_only_where_it_is_memory() {
        let capped = |j: f64| 1.0 / j.min(3.0) * wiggle(j);
        let bandwidth = || Extra { cpus: cpus(8), bandwidth_gb_s: Some([8.5, 25.6]), ..Extra::default() };
        // Triad on two cores: no trend to test, but memory-bound work is not serial code.
        let two = Extra { cpus: cpus(2), bandwidth_gb_s: Some([7.7, 10.6]), ..Extra::default() };
        let triad = say_with(Some(Kind::MemoryBound), &[1, 2], |j| [1.0, 1.0 / 1.35][j as usize - 1], two);
        assert!(
            triad.starts_with(
                "limited by memory bandwidth: S(2) = 1.35, efficiency 68%, reaching 10.6 GB/s (7.7 GB/s at one thread)"
            ),
            "{triad}"
        );
        // Memory-bound work speaks of bandwidth at every efficiency, with its knee.
        let memory = say_with(Some(Kind::MemoryBound), &upto(8), capped, bandwidth());
        assert!(
            memory.starts_with("limited by memory bandwidth: S(8) = 3.0")
                && memory.contains("reaching 25.6 GB/s")
                && memory.contains("saturating from 3 threads"),
            "{memory}"
        );
        let fast = say_with(Some(Kind::MemoryBound), &upto(4), |j| wiggle(j) / j, bandwidth());
        assert!(fast.starts_with("memory-bound, still scaling: S(4) = 4.0") && fast.contains("25.6 GB/s"), "{fast}");
        // Other work that reports its bytes: saturation, with the bandwidth reached.
        let reported = say_with(Some(Kind::Parallel), &upto(8), capped, bandwidth());
        assert!(
            reported.starts_with("saturates from 3 threads: S stays flat within noise at about 3.0")
                && reported.contains("memory bandwidth (25.6 GB/s reached)"),
            "{reported}"
        );
        let other = say(Some(Kind::Parallel), 8, &upto(8), capped);
        assert!(other.contains("a shared resource") && !other.contains("GB/s"), "{other}");
        let imported = say_with(None, &upto(8), capped, Extra::default());
        assert!(imported.contains("oversubscription cannot be judged (measure fit --cpus N)"), "{imported}");
    }

    #[test]
    fn idle_threads_on_a_busy_machine_are_disturbed_not_sequential() {
        let utilisation = vec![Some(1.0), Some(0.45)];
        let extra = Extra { cpus: cpus(2), load: Some(1.9), utilisation, ..Extra::default() };
        let disturbed = say_with(Some(Kind::Parallel), &[1, 2], |j| [1.0, 0.95][j as usize - 1], extra);
        assert!(disturbed.starts_with("disturbed: the machine was busy (load 1.90 on 2 usable CPUs)"), "{disturbed}");
    }

    #[test]
    fn points_tagged_disturbed_are_named() {
        let extra = Extra { cpus: cpus(2), disturbed: vec![false, true], ..Extra::default() };
        let said = say_with(Some(Kind::Parallel), &[1, 2], |j| [1.0, 0.7][j as usize - 1], extra);
        assert!(said.starts_with("disturbed: j = 2 was measured while other work competed"), "{said}");
    }

    #[test]
    fn a_machine_that_falls_short_is_named_after_the_sentence_with_its_clock() {
        // 16 threads reach 13.4 while plain spinning threads reach 14.1 with the clock falling.
        let machine = MachineCeiling {
            threads: 16,
            speedup: 14.1,
            workload_speedup: 13.4,
            what: "plain threads spinning",
            relative_clock: Some(0.82),
            mhz: Some([3800.0, 3100.0]),
        };
        let times = |j: f64| 1.0 / [13.4 / 16.0 * j, 1.0][usize::from(j == 1.0)];
        let extra = Extra { cpus: cpus(16), machine: Some(machine), ..Extra::default() };
        let said = say_with(Some(Kind::Parallel), &[1, 2, 4, 8, 16], times, extra);
        assert!(
            said.ends_with(
                "; the machine itself reaches only 14.1x at 16 (plain threads spinning, clock falls from 3.8 to 3.1 GHz), so S(16) = 13.40 is 95% of what it allows"
            ),
            "{said}"
        );
        // Without MHz, the relative clock; a machine within 5% of j says nothing.
        let no_mhz = MachineCeiling { mhz: None, ..machine };
        assert!(no_mhz.clause().unwrap().contains("each thread's clock at 0.82 of one thread's"));
        let able = MachineCeiling { speedup: 15.8, ..machine };
        assert_eq!(able.clause(), None);
        let extra = Extra { cpus: cpus(16), machine: Some(able), ..Extra::default() };
        assert!(!say_with(Some(Kind::Parallel), &[1, 2, 4, 8, 16], times, extra).contains("machine itself"));
    }

    #[test]
    fn absurd_ceilings_are_bounded_in_text() {
        assert_eq!(ceiling_text(12.345), "12.3x");
        assert_eq!(ceiling_text(3e9), "> 1e6x");
        assert_eq!(ceiling_text(f64::INFINITY), "> 1e6x");
    }
}
