//! The sentence a user reads, rendered from a [`Diagnosis`]: the verdict's kind in words, then the
//! numbers that decided it (the verdict's fields), the regime after it and the law beside it
//! (its qualifiers), and what the facts add (intervals, the model's parameters, the kind of work,
//! the machine); the disturbance comes last (`disturbed`). One function per verdict family;
//! nothing reads the sentence back, so rewording one changes nothing else.

use amdahl_workloads::Kind;

use super::rules::{ABSURD_CEILING, PAST_THE_CORES, granularity_bound};
use super::{Facts, MachineCeiling};
use crate::fit::shape::LINEAR_EFFICIENCY;
use crate::fit::verdict::Undetermined;
use crate::fit::{AmdahlEstimate, Diagnosis, Disturbed, Law, Model, Regime, Verdict};

/// How far short of j (as a fraction of it) the machine's own ceiling may fall unremarked: 0.95.
pub const MACHINE_SHORTFALL: f64 = 0.95;

/// How far the clock may fall (as a fraction of one thread's) unremarked: 0.97.
pub const CLOCK_FALL: f64 = 0.97;

/// The sentence of `d` (see the module docs), without the disturbance.
pub fn sentence(d: &Diagnosis, f: &Facts<'_>) -> String {
    let (then, law) = (d.then.as_ref(), d.law.as_ref());
    match &d.verdict {
        Verdict::WeakScaling { threads, speedup, serial_fraction: a } => format!(
            "weak scaling: the scaled speedup reaches {speedup:.2} at {threads} threads; Gustafson's serial fraction a = {a:.3}"
        ),
        Verdict::PeakDecline { peak_threads, peak_speedup, drop, threads, speedup } => {
            peak_decline(f, (*peak_threads, *peak_speedup), *drop, (*threads, *speedup), then, law)
        }
        Verdict::Slower { threads, speedup } => slower(f, *threads, *speedup),
        Verdict::Sequential { threads, speedup, serial_fraction } => {
            let b = serial_fraction.map(|b| format!(", {}", b_of(f, b))).unwrap_or_default();
            format!("inherently sequential: more threads do not help (S({threads}) = {speedup:.2}{b})")
        }
        Verdict::ScalesPastCores { threads, speedup, cpus } => format!(
            "scales past the core count: S({threads}) = {speedup:.1} on {cpus} usable CPUs — threads mostly wait (I/O, sleep, a remote service), so more threads than cores still help"
        ),
        Verdict::MemoryBandwidth { threads, speedup, gb_per_s, knee_threads, ceiling, serial_fraction } => {
            memory_bandwidth(f, *threads, *speedup, *gb_per_s, *knee_threads, *ceiling, *serial_fraction)
        }
        Verdict::Superlinear { points, peak_threads, peak_speedup } => format!(
            "superlinear at j = {}: S({peak_threads}) = {peak_speedup:.2} beats {peak_threads} threads beyond noise; usually each thread's share of the data now fits in its cache",
            list(points)
        ),
        Verdict::ApproachingPeak { peak_threads, peak_threads_ci95, threads, speedup } => {
            approaching_peak(f, *peak_threads, *peak_threads_ci95, *threads, *speedup)
        }
        Verdict::Saturation { knee_threads, peak_speedup, gb_per_s, cpus } => match then {
            Some(Regime::Rises { from_speedup, threads, speedup, gain, .. }) => {
                knee_then_rise(f, *knee_threads, *from_speedup, (*threads, *speedup), *gain)
            }
            _ => saturation(f, *knee_threads, *peak_speedup, *gb_per_s, *cpus) + &law_beside(law),
        },
        Verdict::NearLinear { threads, speedup, until_threads: Some(until), .. } => {
            near_linear_until(f, *threads, *speedup, *until)
        }
        Verdict::NearLinear { threads, speedup, serial_fraction, ceiling, .. } => {
            near_linear(f, *threads, *speedup, *serial_fraction, *ceiling) + &alternative(f, d.alternative.as_ref())
        }
        Verdict::SerialFraction { threads, speedup, serial_fraction: b, ceiling } => {
            serial_fraction(f, *threads, *speedup, *b, *ceiling)
        }
        Verdict::Undetermined { threads, speedup, serial_fraction, reason: Undetermined::SerialFractionSpread } => {
            b_undetermined(f, *threads, *speedup, *serial_fraction)
        }
        Verdict::Undetermined { threads, speedup, serial_fraction, reason: Undetermined::NoShape } => {
            no_shape(f, *threads, *speedup, *serial_fraction)
        }
        Verdict::Undetermined { threads, speedup, serial_fraction, reason: Undetermined::TwoThreadCounts } => {
            two_thread_counts(f, *threads, *speedup, *serial_fraction)
        }
        Verdict::Granularity { threads, speedup, tasks, ceiling } => {
            granularity(f, *threads, *speedup, *tasks, *ceiling)
        }
        Verdict::Oscillating { points, threads, speedup } => format!(
            "oscillating: S dips at j = {} (how threads are placed on cores and sockets shapes the curve); S({threads}) = {speedup:.2}",
            list(points)
        ),
        Verdict::NoLawFits { threads, speedup } => no_law_fits(f, *threads, *speedup),
        Verdict::SinglePoint { threads } => single_point(*threads),
    }
}

/// The sentence of a single point.
pub(super) fn single_point(threads: usize) -> String {
    format!(
        "single point: only j = {threads} was measured, so no curve can be fitted and there is no speedup to explain (measure more thread counts)"
    )
}

/// The clause of a disturbance, after the sentence: the shape stays named, and the numbers are
/// said to describe this busy machine as much as the code.
pub(super) fn disturbed(d: &Disturbed, f: &Facts<'_>) -> String {
    let how = match (d.points.is_empty(), d.load, d.cpus, d.min_utilisation) {
        (false, ..) => format!(
            "j = {} {} measured while other work competed for the CPUs (threads preempted more than 100 times a second, one thread busy less than 90% of the time, profile runs waiting for a CPU more than 10% of their thread-time, or a stretch of rounds with 20% less of its CPUs or 20% more CPU time a run; see each point's `disturbance`)",
            list(&d.points),
            if d.points.len() == 1 { "was" } else { "were" }
        ),
        (true, Some(load), Some(cpus), Some(low)) => format!(
            "the machine was busy (load {load:.2} on {cpus} usable CPUs) and the threads of this CPU-bound work were idle much of the time (utilisation down to {low:.2})"
        ),
        _ => "other work competed for the CPUs".to_owned(),
    };
    format!(
        " — disturbed: {how}, so S({}) = {:.2} describes this busy machine as much as the code (`measure compare` tells a change from this noise)",
        f.j_max, f.s_last
    )
}

fn peak_decline(
    f: &Facts<'_>,
    (peak_threads, peak_speedup): (usize, f64),
    drop: f64,
    (threads, speedup): (usize, f64),
    then: Option<&Regime>,
    law: Option<&Law>,
) -> String {
    let at = f.machine_count(peak_threads).map_or(String::new(), |(_, what)| format!(", {what}"));
    // The usable CPUs within a flat top: where the CPUs run out, the top is.
    let cpus_in = |to: usize| match f.e.cpus.map(|c| c.usable) {
        Some(n) if n > peak_threads && n <= to => format!(" (the {n} usable CPUs within it)"),
        _ => String::new(),
    };
    let (top, cliff, steady, below) = match then {
        Some(Regime::Falls { from_threads, steady, cliff, below_one_from, .. }) => (
            if *from_threads == peak_threads {
                String::new()
            } else {
                format!(", flat to {from_threads}{}", cpus_in(*from_threads))
            },
            *cliff,
            *steady && f.e.threads.iter().filter(|&&j| j > *from_threads).count() >= 2,
            below_one_from.map_or(String::new(), |b| {
                if b == threads {
                    format!("; at {b} it is slower than one thread")
                } else {
                    format!("; below one thread's speed from {b}")
                }
            }),
        ),
        _ => (String::new(), None, false, String::new()),
    };
    let fall = match (cliff, steady) {
        (Some([a, b]), _) => {
            format!("falls {:.0}% to {speedup:.2} at {threads}, most of it from {a} to {b}", 100.0 * drop)
        }
        (None, true) => format!("falls steadily, {:.0}% to {speedup:.2} at {threads}", 100.0 * drop),
        (None, false) => format!("falls {:.0}% to {speedup:.2} at {threads}", 100.0 * drop),
    };
    let cause = match law {
        Some(Law::Usl { .. }) => format!(" — contention and coherency: {}", law_text(law)),
        Some(Law::Amdahl { .. }) => format!("; before the peak, {}", law_text(law)),
        None => " — contention that grows with the thread count".to_owned(),
    };
    format!(
        "peaks at {peak_threads} threads{at}: S = {peak_speedup:.2}{top}, then {fall}, beyond noise{below}{cause}{}{}",
        oversubscribed(f),
        unknown_cpus(f)
    )
}

fn slower(f: &Facts<'_>, threads: usize, speedup: f64) -> String {
    let why = match f.e.kind {
        Some(Kind::Contended) => "threads queue for a shared lock and its cache line bounces between cores",
        Some(Kind::Sequential) => "handing each small step to other threads costs more than the step",
        _ => "coordinating threads costs more than the work they share",
    };
    format!("slower with more threads: S({threads}) = {speedup:.2}; {why}")
}

fn memory_bandwidth(
    f: &Facts<'_>,
    threads: usize,
    speedup: f64,
    gb_per_s: Option<f64>,
    knee_threads: Option<usize>,
    ceiling: Option<f64>,
    serial_fraction: Option<f64>,
) -> String {
    let reached = match (gb_per_s, f.e.bandwidth_gb_s) {
        (Some(gb), Some([one, _])) => format!(", reaching {} ({} at one thread)", rate_text(gb), rate_text(one)),
        (Some(gb), None) => format!(", reaching {}", rate_text(gb)),
        _ => String::new(),
    };
    let knee = knee_threads.map_or(String::new(), |k| format!(", saturating from {k} threads"));
    let machine = ceiling.map_or(String::new(), |c| format!("; the machine's own triad reaches {}", rate_text(c)));
    let b = serial_fraction
        .map(|b| format!("; Amdahl's {} fits the curve but is no serial code here", b_of(f, b)))
        .unwrap_or_default();
    // Memory-bound work that still scales is not "limited" yet.
    let head = if knee_threads.is_none() && f.upper_last() >= LINEAR_EFFICIENCY * threads as f64 {
        "memory-bound, still scaling"
    } else {
        "limited by memory bandwidth"
    };
    format!(
        "{head}: S({threads}) = {speedup:.2}, efficiency {:.0}%{reached}{knee} — the threads share one memory system{machine}{b}{}{}",
        efficiency(threads, speedup),
        dips(f),
        oversubscribed(f)
    )
}

fn approaching_peak(
    f: &Facts<'_>,
    peak_threads: f64,
    peak_threads_ci95: Option<[f64; 2]>,
    threads: usize,
    speedup: f64,
) -> String {
    let usl = f.e.fits.usl_fitted();
    format!(
        "approaching a USL peak at N* = {peak_threads:.1}{}, beyond the measured {threads} threads (S({threads}) = {speedup:.2}): coherency costs grow with every thread (kappa = {:.2e}, F test p = {})",
        peak_threads_ci95.map_or(" (interval open)".to_owned(), |[lo, hi]| format!(" [{lo:.1}, {hi:.1}]")),
        usl.map_or(0.0, |u| u.kappa),
        f.e.fits.usl_p_value.map_or("-".to_owned(), |p| format!("{p:.3}"))
    )
}

fn saturation(
    f: &Facts<'_>,
    knee_threads: usize,
    peak_speedup: f64,
    gb_per_s: Option<f64>,
    cpus: Option<usize>,
) -> String {
    let at = match (cpus, f.machine_count(knee_threads)) {
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
        (_, Some(gb), _) => format!("memory bandwidth ({} reached)", rate_text(gb)),
        (Some(Kind::MemoryBound), None, _) => "memory bandwidth".to_owned(),
        (_, None, Some(_)) => "the CPUs themselves".to_owned(),
        _ => "a shared resource (memory bandwidth, a lock, I/O)".to_owned(),
    };
    format!(
        "saturates from {knee_threads} threads{at}: S stays flat within noise at about {peak_speedup:.2} — {resource}, not serial code{rise}{}{}{}",
        dips(f),
        oversubscribed(f),
        unknown_cpus(f)
    )
}

/// A knee at a count the machine names, then a slower rise: "rises to 2.70 at 4 threads (the 4
/// physical cores), then the SMT siblings add 14% by 8".
fn knee_then_rise(
    f: &Facts<'_>,
    knee: usize,
    knee_speedup: f64,
    (threads, speedup): (usize, f64),
    gain: f64,
) -> String {
    let what = f.machine_count(knee).map_or("a count of this machine", |(_, what)| what);
    let smt = f.e.cpus.is_some_and(|c| knee == c.physical && c.physical < c.usable && threads <= c.usable);
    let after = if smt { "the SMT siblings add" } else { "the threads past it add" };
    format!(
        "saturates at {knee} threads, {what}: S = {knee_speedup:.2} there (efficiency {:.0}%), then {after} only {:.0}% by {threads} (S = {speedup:.2}) — the cores are the limit, not serial code{}",
        efficiency(knee, knee_speedup),
        100.0 * gain,
        oversubscribed(f)
    )
}

fn near_linear_until(f: &Facts<'_>, threads: usize, speedup: f64, until: usize) -> String {
    let until_speedup = f.e.threads.iter().position(|&j| j == until).map_or(0.0, |i| f.e.speedups[i]);
    let at = f.machine_count(until).map_or(String::new(), |(_, what)| format!(" ({what})"));
    let no_law = if f.law_describes(Model::Amdahl) || f.law_describes(Model::Usl) {
        ""
    } else {
        "; neither Amdahl's law nor the USL explains the fall"
    };
    // Near-linear within noise: the range says so where the point itself is under 90%.
    let range =
        f.e.threads
            .iter()
            .position(|&j| j == until)
            .and_then(|i| f.interval(i))
            .filter(|_| until_speedup < LINEAR_EFFICIENCY * until as f64)
            .map_or(String::new(), |[lo, hi]| format!(" [{lo:.2}, {hi:.2}]"));
    format!(
        "near-linear up to {until} threads{at} (S({until}) = {until_speedup:.2}{range}, efficiency {:.0}%), then efficiency falls to {:.0}% at {threads} (S = {speedup:.2}){no_law}{}",
        efficiency(until, until_speedup),
        efficiency(threads, speedup),
        oversubscribed(f)
    )
}

/// The second reading, when the data cannot rule it out: ", or a serial fraction near 0.13: two
/// thread counts cannot tell".
fn alternative(f: &Facts<'_>, alternative: Option<&Verdict>) -> String {
    match alternative {
        Some(Verdict::Undetermined { serial_fraction: Some(b), reason: Undetermined::TwoThreadCounts, .. }) => {
            format!(
                "; its range{} also fits a serial fraction near {}: two thread counts cannot tell which",
                range_of_last(f),
                b_number(*b)
            )
        }
        _ => String::new(),
    }
}

/// The 95% range of S at the largest thread count (" [1.74, 1.80]"), or nothing without an
/// interval.
fn range_of_last(f: &Facts<'_>) -> String {
    f.interval(f.e.threads.len() - 1).map_or(String::new(), |[lo, hi]| format!(" [{lo:.2}, {hi:.2}]"))
}

fn two_thread_counts(f: &Facts<'_>, threads: usize, speedup: f64, b: Option<f64>) -> String {
    let b = b.map_or(String::new(), |b| format!(", as a serial fraction near {} would give", b_number(b)));
    format!(
        "below linear: S({threads}) = {speedup:.2}{}, efficiency {:.0}%{b} — or overhead, or another limit: two thread counts cannot tell which, and give no ceiling (measure more thread counts){}",
        range_of_last(f),
        efficiency(threads, speedup),
        oversubscribed(f)
    )
}

/// A law beside a shape: "; the USL describes it (sigma = 0.027 contention, kappa = 0.0008
/// coherency, peak near 35)".
fn law_beside(law: Option<&Law>) -> String {
    law.map_or(String::new(), |_| format!("; {}", law_text(law)))
}

/// A law in words with its parameters.
fn law_text(law: Option<&Law>) -> String {
    match law {
        Some(Law::Usl { sigma, kappa, peak_threads, peak_threads_ci95, error, .. }) => {
            let peak = match (peak_threads, peak_threads_ci95) {
                (Some(p), Some([lo, hi])) => format!(", peak near {p:.1} [{lo:.1}, {hi:.1}]"),
                (Some(p), None) => format!(", peak near {p:.1}"),
                _ => String::new(),
            };
            format!(
                "the USL describes it to within {:.1}% (sigma = {} contention, kappa = {} coherency{peak})",
                100.0 * error,
                two_digits(*sigma),
                two_digits(*kappa)
            )
        }
        Some(Law::Amdahl { serial_fraction, up_to_threads, error }) => format!(
            "returns diminish as Amdahl's law with B = {} describes (to within {:.1}% up to {up_to_threads})",
            b_number(*serial_fraction),
            100.0 * error
        ),
        None => String::new(),
    }
}

fn near_linear(f: &Facts<'_>, threads: usize, speedup: f64, b: Option<f64>, ceiling: Option<f64>) -> String {
    let cap = match (b, ceiling) {
        (Some(b), Some(c)) => format!("; {} would cap it at {}", b_of(f, b), ceiling_text(c)),
        (Some(b), None) => format!("; no serial fraction is measurable ({})", b_of(f, b)),
        (None, _) => String::new(),
    };
    format!("near-linear: S({threads}) = {speedup:.2}, efficiency {:.0}%{cap}", efficiency(threads, speedup))
}

fn serial_fraction(f: &Facts<'_>, threads: usize, speedup: f64, b: f64, ceiling: f64) -> String {
    let bounds = other_bounds(f);
    if f.e.kind == Some(Kind::Parallel) {
        format!(
            "overhead or load imbalance equivalent to a serial fraction: {}, which would cap S at {} (S({threads}) = {speedup:.2}); the work declares no serial part{bounds}",
            b_of(f, b),
            ceiling_text(ceiling)
        )
    } else {
        format!(
            "bounded by a serial fraction: {}, so no number of threads beats 1/B = {} (S({threads}) = {speedup:.2}){bounds}",
            b_of(f, b),
            ceiling_text(ceiling)
        )
    }
}

fn b_undetermined(f: &Facts<'_>, threads: usize, speedup: f64, b: Option<f64>) -> String {
    format!(
        "B is not determined: {} spans most of [0, 1]; more thread counts or rounds are needed (S({threads}) = {speedup:.2})",
        b.map_or_else(|| "B".to_owned(), |b| b_of(f, b))
    )
}

fn no_shape(f: &Facts<'_>, threads: usize, speedup: f64, b: Option<f64>) -> String {
    let b = b.map(|b| format!("; {}", b_of(f, b))).unwrap_or_default();
    format!("S({threads}) = {speedup:.2}, efficiency {:.0}%{b}", efficiency(threads, speedup))
}

fn granularity(f: &Facts<'_>, threads: usize, speedup: f64, tasks: usize, ceiling: f64) -> String {
    let waits = match f.e.cpus {
        Some(c) if threads > c.usable && speedup > PAST_THE_CORES * c.usable as f64 => {
            format!("; S beyond the {} usable CPUs: the threads mostly wait, so more threads than cores help", c.usable)
        }
        _ => String::new(),
    };
    format!(
        "limited by granularity: {tasks} tasks take ceil({tasks}/{threads}) rounds on {threads} threads, so S({threads}) is at most {ceiling:.2} (measured {speedup:.2}) — load imbalance, not serial code{waits}"
    )
}

fn no_law_fits(f: &Facts<'_>, threads: usize, speedup: f64) -> String {
    let (i, best) = f.best;
    let path = if i + 1 == f.e.threads.len() {
        format!("S reaches {speedup:.2} at {threads}")
    } else {
        format!("S rises to {best:.2} at {} and is {speedup:.2} at {threads}", f.e.threads[i])
    };
    format!(
        "neither Amdahl's law nor the USL describes this curve within its noise: {path} (efficiency {:.0}%){}",
        efficiency(threads, speedup),
        oversubscribed(f)
    )
}

impl MachineCeiling {
    /// The clause after the sentence, when the machine itself falls more than
    /// 1 - [`MACHINE_SHORTFALL`] short of j.
    pub(super) fn clause(&self) -> Option<String> {
        let j = self.threads as f64;
        if self.threads < 2 || self.speedup >= MACHINE_SHORTFALL * j {
            return None;
        }
        let clock = match (self.mhz, self.relative_clock) {
            (Some([one, here]), _) if here < CLOCK_FALL * one => {
                format!(", clock falls from {:.1} to {:.1} GHz", one / 1e3, here / 1e3)
            }
            (_, Some(c)) if c < CLOCK_FALL => format!(", each thread's clock at {c:.2} of one thread's"),
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

/// A small parameter to two significant digits (0.021, 0.00012); 0 as 0.
fn two_digits(x: f64) -> String {
    if x == 0.0 || !x.is_finite() {
        return format!("{x}");
    }
    let decimals = (1 - x.abs().log10().floor() as i32).max(0) as usize;
    format!("{x:.decimals$}")
}

/// Efficiency in percent.
fn efficiency(threads: usize, speedup: f64) -> f64 {
    speedup / threads as f64 * 100.0
}

/// Thread counts as a list: `2, 4, 8`.
fn list(points: &[usize]) -> String {
    points.iter().map(usize::to_string).collect::<Vec<_>>().join(", ")
}

/// B with its interval, for a verdict that quotes B.
fn b_of(f: &Facts<'_>, b: f64) -> String {
    f.amdahl().map_or_else(|| format!("B = {b:.3}"), |(_, fit)| b_text(b, fit))
}

/// B as text: with its interval.
fn b_text(b: f64, fit: &AmdahlEstimate) -> String {
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

/// The clause added where oversubscription could explain the curve but cannot be judged.
fn unknown_cpus(f: &Facts<'_>) -> &'static str {
    if f.e.cpus.is_none() && f.e.kind.is_none() {
        "; the CPU count is unknown, so oversubscription cannot be judged (measure fit --cpus N)"
    } else {
        ""
    }
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

/// The clause naming oversubscribed points, when the CPU count is known and exceeded (by work that
/// does not wait).
fn oversubscribed(f: &Facts<'_>) -> String {
    let Some(cpus) = f.e.cpus.map(|c| c.usable) else { return String::new() };
    if f.j_max > cpus && !f.e.kind.is_some_and(Kind::waits) {
        format!("; points beyond {cpus} threads are oversubscribed (more threads than the {cpus} usable CPUs)")
    } else {
        String::new()
    }
}

/// The other bounds beside Amdahl's, where known: the granularity bound of the work's tasks at the
/// largest measured count, and the machine's own ceiling there.
fn other_bounds(f: &Facts<'_>) -> String {
    let mut clauses = Vec::new();
    if let Some(tasks) = f.e.tasks.filter(|&t| t > 0) {
        let bound = granularity_bound(tasks, f.j_max);
        if f.upper_last() >= bound {
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

/// A ceiling as text: `12.5x`, or `> 1e6x` when absurd (above [`ABSURD_CEILING`]).
pub fn ceiling_text(c: f64) -> String {
    ceiling_text_to(c, 1)
}

/// A ceiling as text with `decimals` places (`12.5000x`), or `> 1e6x` when absurd.
pub fn ceiling_text_to(c: f64, decimals: usize) -> String {
    if c > ABSURD_CEILING || !c.is_finite() { "> 1e6x".to_owned() } else { format!("{c:.decimals$}x") }
}
