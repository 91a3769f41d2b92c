//! The rule book's tests: a table with a row per rule that fires (each naming the rule and the
//! evidence it must put in its verdict), a row per adjacent pair of [`RULES`] (both apply, the
//! earlier speaks; or the two never apply together, and why), the module docs' list held to
//! [`RULES`], and the sentences.

use super::*;
use crate::fit::curve::{Curve, SampleKind};
use crate::fit::verdict::Undetermined;
use crate::fit::{Disturbed, GustafsonEstimate, Law, Model, Outcome, Regime, fit_curve};

/// What a case varies besides the curve.
#[derive(Default, Clone)]
struct Extra {
    cpus: Option<CpuCounts>,
    load: Option<f64>,
    utilisation: Vec<Option<f64>>,
    intervals: Vec<Option<[f64; 2]>>,
    bandwidth_gb_s: Option<[f64; 2]>,
    tasks: Option<usize>,
    disturbed: Vec<bool>,
    machine: Option<MachineCeiling>,
    rounding: Vec<f64>,
}

fn cpus(n: usize) -> Option<CpuCounts> {
    Some(CpuCounts { usable: n, physical: n, sockets: 1 })
}

/// `usable` CPUs on `physical` cores (SMT siblings beyond them).
fn smt(usable: usize, physical: usize) -> Option<CpuCounts> {
    Some(CpuCounts { usable, physical, sockets: 1 })
}

/// Intervals of +-`pct`% around each speedup.
fn intervals(s: &[f64], pct: f64) -> Vec<Option<[f64; 2]>> {
    s.iter().map(|&s| Some([s * (1.0 - pct / 100.0), s * (1.0 + pct / 100.0)])).collect()
}

/// One curve with its fits and what else is known: the evidence a rule is tried on.
struct Case {
    kind: Option<Kind>,
    threads: Vec<usize>,
    speedups: Vec<f64>,
    fits: Fits,
    extra: Extra,
}

impl Case {
    /// A one-sample curve of `times` at `threads`, with the fits of `fit_curve`.
    fn timed(kind: Option<Kind>, threads: &[usize], times: impl Fn(f64) -> f64, extra: Extra) -> Case {
        let samples: Vec<Vec<f64>> = threads.iter().map(|&j| vec![times(j as f64)]).collect();
        let curve = Curve::from_samples(threads, &samples, SampleKind::Time, 1);
        let fits = fit_curve(&curve);
        let speedups = curve.speedups().unwrap();
        Case { kind, threads: curve.threads, speedups, fits, extra }
    }

    /// The curve of `speedups` at `threads` (times 1/S), fitted by `fit_curve`.
    fn of_speedups(kind: Option<Kind>, threads: &[usize], speedups: &[f64], extra: Extra) -> Case {
        let at = |j: f64| threads.iter().position(|&t| t as f64 == j).unwrap();
        Case::timed(kind, threads, |j| 1.0 / speedups[at(j)], extra)
    }

    /// The case with its fits changed by `change`.
    fn fits(mut self, change: impl FnOnce(&mut Fits)) -> Case {
        change(&mut self.fits);
        self
    }

    fn evidence(&self) -> Evidence<'_> {
        Evidence {
            kind: self.kind,
            intervals: &self.extra.intervals,
            rounding: &self.extra.rounding,
            utilisation: &self.extra.utilisation,
            disturbed: &self.extra.disturbed,
            cpus: self.extra.cpus,
            load: self.extra.load,
            bandwidth_gb_s: self.extra.bandwidth_gb_s,
            tasks: self.extra.tasks,
            machine: self.extra.machine,
            ..Evidence::of_curve(&self.threads, &self.speedups, &self.fits)
        }
    }

    /// The indices of the rules that apply, in order.
    fn applying(&self) -> Vec<usize> {
        let e = self.evidence();
        let f = Facts::of(&e).unwrap();
        (0..RULES.len()).filter(|&i| (RULES[i].applies)(&f).is_some()).collect()
    }

    fn diagnosed(&self) -> Diagnosed {
        diagnose(&self.evidence()).unwrap()
    }

    fn diagnosis(&self) -> Diagnosis {
        self.diagnosed().diagnosis
    }
}

fn wiggle(j: f64) -> f64 {
    1.0 + 0.002 * (j * 7.0).sin()
}

fn upto(n: usize) -> Vec<usize> {
    (1..=n).collect()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-3
}

/// The module docs' list of rules: each item's function and the kind it gives, in order.
fn documented_rules() -> Vec<(String, String)> {
    include_str!("mod.rs")
        .lines()
        .filter_map(|l| l.strip_prefix("//! "))
        .filter_map(|l| {
            let (number, rest) = l.split_once(". `")?;
            number.trim().parse::<usize>().ok()?;
            let (function, rest) = rest.split_once("` (`")?;
            let (kind, _) = rest.split_once("`)")?;
            Some((function.to_owned(), kind.to_owned()))
        })
        .collect()
}

/// The index in [`RULES`] of the rule whose function is `name`, by the module docs' list.
fn rule(name: &str) -> usize {
    documented_rules().iter().position(|(f, _)| f == name).unwrap_or_else(|| panic!("no rule {name} in the docs"))
}

#[test]
fn the_module_docs_list_the_rules_in_order_with_their_kinds() {
    let documented = documented_rules();
    let kinds: Vec<&str> = documented.iter().map(|(_, k)| k.as_str()).collect();
    let names: Vec<&str> = RULES.iter().map(|r| r.name).collect();
    assert_eq!(kinds, names, "the module docs' list against RULES");
}

/// A B of `b` with a 95% interval of [`lo`, `hi`], Amdahl's law the better model.
fn amdahl_b(fits: &mut Fits, b: f64, [lo, hi]: [f64; 2]) {
    let amdahl = fits.amdahl.as_mut().and_then(Outcome::fitted_mut).unwrap();
    amdahl.serial_fraction = b;
    amdahl.ci95 = Some([lo, hi]);
    amdahl.ceiling = (b > 0.0).then(|| 1.0 / b);
    fits.best = Some(Model::Amdahl);
}

fn weak(fits: &mut Fits) {
    fits.gustafson = Some(Outcome::Fitted(GustafsonEstimate {
        serial_fraction: 0.1,
        ci95: Some([0.05, 0.15]),
        threads_used: vec![1, 2, 4],
    }));
}

/// Rows: a rule, a case it is the first to fire on, and what its verdict must carry.
type Fires = (&'static str, Case, fn(&Verdict) -> bool);

fn firing_rows() -> Vec<Fires> {
    let usl_decline = |j: f64| (1.0 + 0.05 * (j - 1.0) + 0.02 * j * (j - 1.0)) / j * wiggle(j);
    let usl_rising = |j: f64| (1.0 + 0.02 * (j - 1.0) + 0.002 * j * (j - 1.0)) / j * wiggle(j);
    let capped = |j: f64| 1.0 / j.min(3.0) * wiggle(j);
    let drop = [1.0, 1.9, 3.6, 6.5, 5.8];
    let sawtooth = [1.0, 2.08, 2.69, 4.16, 4.66, 6.24, 6.59, 8.32];
    let stretch = [1.0, 2.0, 4.0, 8.0, 8.5, 9.0];
    let convex = [1.0, 1.105, 1.35, 1.82, 2.72, 4.48];
    let granular = [1.0, 2.0, 3.0, 4.0, 4.0, 6.0, 6.0, 6.0];
    let noisy = [1.0, 0.45, 0.62, 0.3];
    let rise_and_fall = [1.0, 1.7, 2.8, 4.2, 2.8, 2.1, 1.2, 0.34];
    let smt_knee = [1.0, 1.75, 2.35, 2.70, 2.78, 2.86, 2.96, 3.07];
    let two = Extra { cpus: cpus(2), bandwidth_gb_s: Some([7.7, 10.6]), ..Extra::default() };
    let bandwidth = Extra { cpus: cpus(8), bandwidth_gb_s: Some([8.5, 25.6]), ..Extra::default() };
    let on = |n: usize| Extra { cpus: cpus(n), ..Extra::default() };
    let tight =
        |s: &[f64], n: usize, pct: f64| Extra { cpus: cpus(n), intervals: intervals(s, pct), ..Extra::default() };
    vec![
        (
            "weak_scaling",
            Case::timed(None, &[1, 2, 4], |_| 1.0, on(4)).fits(weak),
            |v| matches!(v, Verdict::WeakScaling { threads: 4, serial_fraction, .. } if close(*serial_fraction, 0.1)),
        ),
        (
            "slower",
            Case::timed(Some(Kind::Contended), &upto(8), |j| j, on(8)),
            |v| matches!(v, Verdict::Slower { threads: 8, speedup } if close(*speedup, 0.125)),
        ),
        // A rise to 4.2 and a long fall below one thread's speed: the peak, not "slower".
        (
            "retrograde",
            Case::of_speedups(None, &[1, 2, 4, 8, 16, 32, 64, 128], &rise_and_fall, on(128)),
            |v| matches!(v, Verdict::PeakDecline { peak_threads: 8, threads: 128, speedup, .. } if close(*speedup, 0.34)),
        ),
        ("retrograde", Case::timed(None, &upto(12), usl_decline, on(12)), |v| {
            matches!(v, Verdict::PeakDecline { peak_threads: 7, threads: 12, .. })
        }),
        ("retrograde", Case::of_speedups(None, &[1, 2, 4, 8, 16], &drop, tight(&drop, 16, 2.0)), |v| {
            matches!(v, Verdict::PeakDecline { peak_threads: 8, peak_speedup, drop, threads: 16, speedup }
                if close(*peak_speedup, 6.5) && close(*drop, 1.0 - 5.8 / 6.5) && close(*speedup, 5.8))
        }),
        ("sequential", Case::timed(Some(Kind::Sequential), &upto(8), |_| 1.0, on(8)), |v| {
            matches!(v, Verdict::Sequential { threads: 8, .. })
        }),
        (
            "granularity",
            Case::of_speedups(Some(Kind::Parallel), &upto(8), &granular, Extra { tasks: Some(12), ..on(8) }),
            |v| matches!(v, Verdict::Granularity { threads: 8, tasks: 12, ceiling, .. } if close(*ceiling, 6.0)),
        ),
        ("past_the_cores", Case::timed(Some(Kind::IoBound), &[1, 2, 4, 8, 16], |j| 1.0 / j, on(2)), |v| {
            matches!(v, Verdict::ScalesPastCores { threads: 16, cpus: 2, .. })
        }),
        (
            "memory_bound",
            Case::timed(Some(Kind::MemoryBound), &[1, 2], |j| [1.0, 1.0 / 1.35][j as usize - 1], two),
            |v| matches!(v, Verdict::MemoryBandwidth { threads: 2, gb_per_s: Some(gb), .. } if close(*gb, 10.6)),
        ),
        (
            "superlinear",
            Case::timed(None, &upto(8), |j| -0.05 + 1.05 / j, on(8)),
            |v| matches!(v, Verdict::Superlinear { points, peak_threads: 8, .. } if points == &[2, 3, 4, 5, 6, 7, 8]),
        ),
        (
            "oscillating",
            Case::of_speedups(None, &upto(8), &sawtooth, tight(&sawtooth, 8, 4.0)),
            |v| matches!(v, Verdict::Oscillating { points, threads: 8, .. } if points == &[3, 5, 7]),
        ),
        ("near_linear", Case::timed(None, &upto(8), |j| wiggle(j) / j, on(8)), |v| {
            matches!(v, Verdict::NearLinear { threads: 8, serial_fraction: Some(_), ceiling: None, .. })
        }),
        ("two_thread_counts", Case::of_speedups(None, &[1, 2], &[1.0, 1.6], tight(&[1.0, 1.6], 2, 1.0)), |v| {
            matches!(v, Verdict::Undetermined { threads: 2, reason: Undetermined::TwoThreadCounts, serial_fraction: Some(b), .. }
                if close(*b, 0.25))
        }),
        (
            "machine_knee",
            Case::of_speedups(None, &upto(8), &smt_knee, Extra { cpus: smt(8, 4), ..Extra::default() }),
            |v| matches!(v, Verdict::Saturation { knee_threads: 4, cpus: Some(4), peak_speedup, .. } if close(*peak_speedup, 3.07)),
        ),
        ("serial_fraction_spread", Case::timed(None, &[1, 2, 3, 4], |j| noisy[j as usize - 1], on(8)), |v| {
            matches!(
                v,
                Verdict::Undetermined { reason: Undetermined::SerialFractionSpread, serial_fraction: Some(_), .. }
            )
        }),
        ("bounded", Case::timed(None, &upto(8), |j| (0.2 + 0.8 / j) * wiggle(j), on(8)), |v| {
            matches!(v, Verdict::SerialFraction { threads: 8, serial_fraction, ceiling, .. }
                if (serial_fraction - 0.199).abs() < 5e-4 && (ceiling - 5.0).abs() < 0.05)
        }),
        (
            "approaching_peak",
            Case::timed(None, &upto(12), usl_rising, on(12)),
            |v| matches!(v, Verdict::ApproachingPeak { peak_threads, threads: 12, .. } if *peak_threads > 12.0),
        ),
        ("saturates", Case::timed(Some(Kind::Parallel), &upto(8), capped, bandwidth), |v| {
            matches!(v, Verdict::Saturation { knee_threads: 3, gb_per_s: Some(gb), cpus: None, .. }
                if close(*gb, 25.6))
        }),
        ("saturates", Case::timed(Some(Kind::Parallel), &upto(8), capped, on(8)), |v| {
            matches!(v, Verdict::Saturation { knee_threads: 3, gb_per_s: None, .. })
        }),
        (
            "near_linear_stretch",
            Case::of_speedups(None, &[1, 2, 4, 8, 12, 16], &stretch, tight(&stretch, 16, 2.0)),
            |v| matches!(v, Verdict::NearLinear { threads: 16, until_threads: Some(8), .. }),
        ),
        (
            "no_law_fits",
            Case::of_speedups(None, &[1, 2, 4, 8, 16, 32], &convex, tight(&convex, 32, 1.0)),
            |v| matches!(v, Verdict::NoLawFits { threads: 32, speedup } if close(*speedup, 4.48)),
        ),
        (
            "otherwise",
            Case::of_speedups(None, &[1, 2, 4], &[1.0, 1.6, 2.0], Extra::default()).fits(|f| *f = Fits::default()),
            |v| {
                v == &Verdict::Undetermined {
                    threads: 4,
                    speedup: 2.0,
                    serial_fraction: None,
                    reason: Undetermined::NoShape,
                }
            },
        ),
    ]
}

/// Each rule fires on its row first, gives the kind its `Rule.name` says, and fills its verdict
/// with the numbers that decided it; every rule of [`RULES`] has a row.
#[test]
fn each_rule_fires_first_on_its_row_with_its_kind_and_evidence() {
    let rows = firing_rows();
    for (name, case, carries) in &rows {
        let first = case.applying().first().copied();
        assert_eq!(
            first,
            Some(rule(name)),
            "{name}: the first rule to apply ({:?}, {:?})",
            case.applying(),
            case.diagnosis()
        );
        let verdict = case.diagnosis().verdict;
        assert_eq!(verdict.kind(), RULES[rule(name)].name, "{name}: Rule.name is the kind it gives");
        assert!(carries(&verdict), "{name}: {verdict:?}");
    }
    let covered: std::collections::BTreeSet<usize> = rows.iter().map(|(name, ..)| rule(name)).collect();
    assert_eq!(covered.len(), RULES.len(), "a row for every rule");
}

/// How two rules next to each other in [`RULES`] relate.
enum Pair {
    /// Both apply to the case, and the earlier speaks.
    Precedes(Box<Case>),
    /// They never apply together (the reason is the row's comment): on the first case only the
    /// earlier applies, on the second only the later.
    Exclusive(Box<(Case, Case)>),
}

fn pair_rows() -> Vec<(&'static str, &'static str, Pair)> {
    use Pair::Exclusive;
    let precedes = |case: Case| Pair::Precedes(Box::new(case));
    let on = |n: usize| Extra { cpus: cpus(n), ..Extra::default() };
    let tight =
        |s: &[f64], n: usize, pct: f64| Extra { cpus: cpus(n), intervals: intervals(s, pct), ..Extra::default() };
    let falls = [1.0, 1.5, 1.2, 0.5];
    let drop = [1.0, 1.9, 3.6, 6.5, 5.8];
    let smt_knee = [1.0, 1.75, 2.35, 2.70, 2.78, 2.86, 2.96, 3.07];
    let bound = [1.0, 2.0, 4.0, 6.0, 12.0];
    let sawtooth_above = [1.0, 2.3, 2.0, 4.5, 3.8, 6.5, 5.5, 8.6];
    let sawtooth = [1.0, 2.08, 2.69, 4.16, 4.66, 6.24, 6.59, 8.32];
    let usl_peak_40 = |j: f64| (1.0 + j * (j - 1.0) / 1600.0) / j;
    let usl_40 = [1, 2, 4, 8, 16, 26, 32, 39];
    let usl_speedups: Vec<f64> = usl_40.iter().map(|&j| 1.0 / usl_peak_40(j as f64)).collect();
    let plateau = [1.0, 2.0, 4.0, 8.0, 8.1, 8.0];
    let stretch = [1.0, 2.0, 4.0, 8.0, 8.5, 9.0];
    let convex = [1.0, 1.105, 1.35, 1.82, 2.72, 4.48];
    let amdahl = |j: f64| (0.2 + 0.8 / j) * wiggle(j);
    let usl_rising = |j: f64| (1.0 + 0.02 * (j - 1.0) + 0.002 * j * (j - 1.0)) / j * wiggle(j);
    vec![
        // Gustafson's fit on scaled speedups that fall: weak scaling first.
        (
            "weak_scaling",
            "retrograde",
            precedes(Case::of_speedups(None, &[1, 2, 4, 8, 16], &drop, tight(&drop, 16, 2.0)).fits(weak)),
        ),
        // A peak at 2 of 1.5, then below 1 beyond noise: the peak the user can take.
        ("retrograde", "slower", precedes(Case::of_speedups(None, &[1, 2, 4, 8], &falls, tight(&falls, 8, 2.0)))),
        // `slower` and `sequential` both hold for S = 1/j everywhere: slower first.
        ("slower", "sequential", precedes(Case::timed(Some(Kind::Contended), &upto(8), |j| j, on(8)))),
        // One task: S = 1 everywhere is sequential before it is granularity.
        (
            "sequential",
            "granularity",
            precedes(Case::timed(Some(Kind::Parallel), &upto(8), |_| 1.0, Extra { tasks: Some(1), ..on(8) })),
        ),
        // Twelve tasks on two CPUs, S following the bound to 12 at 16: the declared bound first.
        (
            "granularity",
            "past_the_cores",
            precedes(Case::of_speedups(None, &[1, 2, 4, 8, 16], &bound, Extra { tasks: Some(12), ..on(2) })),
        ),
        // Memory-bound work at S = 16 on two CPUs: its threads wait.
        (
            "past_the_cores",
            "memory_bound",
            precedes(Case::timed(Some(Kind::MemoryBound), &[1, 2, 4, 8, 16], |j| 1.0 / j, on(2))),
        ),
        // Superlinear memory-bound work: bandwidth first.
        (
            "memory_bound",
            "superlinear",
            precedes(Case::timed(Some(Kind::MemoryBound), &upto(8), |j| -0.05 + 1.05 / j, on(8))),
        ),
        // A sawtooth above j: superlinear first.
        (
            "superlinear",
            "oscillating",
            precedes(Case::of_speedups(None, &upto(8), &sawtooth_above, tight(&sawtooth_above, 8, 1.0))),
        ),
        // A sawtooth whose dips stay near-linear within noise: oscillating first.
        (
            "oscillating",
            "near_linear",
            precedes(Case::of_speedups(None, &upto(8), &sawtooth, tight(&sawtooth, 8, 4.0))),
        ),
        // Two thread counts, near-linear: near-linear first.
        (
            "near_linear",
            "two_thread_counts",
            precedes(Case::of_speedups(None, &[1, 2], &[1.0, 1.95], tight(&[1.0, 1.95], 2, 1.0))),
        ),
        // Two thread counts have no interior point to break at.
        (
            "two_thread_counts",
            "machine_knee",
            Exclusive(Box::new((
                Case::of_speedups(None, &[1, 2], &[1.0, 1.6], tight(&[1.0, 1.6], 2, 1.0)),
                Case::of_speedups(None, &upto(8), &smt_knee, Extra { cpus: smt(8, 4), ..Extra::default() }),
            ))),
        ),
        // A knee at the physical cores whose B would not be determined: the knee first.
        (
            "machine_knee",
            "serial_fraction_spread",
            precedes(
                Case::of_speedups(None, &upto(8), &smt_knee, Extra { cpus: smt(8, 4), ..Extra::default() })
                    .fits(|f| amdahl_b(f, 0.2, [0.0, 0.6])),
            ),
        ),
        // Amdahl's law fits, but B's interval spans [0, 0.6]: not determined.
        (
            "serial_fraction_spread",
            "bounded",
            precedes(Case::timed(None, &upto(8), amdahl, on(8)).fits(|f| amdahl_b(f, 0.2, [0.0, 0.6]))),
        ),
        // `bounded` needs Amdahl's law to be the better model, `approaching_peak` the USL.
        (
            "bounded",
            "approaching_peak",
            Exclusive(Box::new((
                Case::timed(None, &upto(8), amdahl, on(8)),
                Case::timed(None, &upto(12), usl_rising, on(12)),
            ))),
        ),
        // The USL's peak at 40, measured to 39 on a plateau as flat as the USL within noise.
        (
            "approaching_peak",
            "saturates",
            precedes(Case::timed(None, &usl_40, usl_peak_40, tight(&usl_speedups, 64, 8.0))),
        ),
        // Linear to 8, then flat: a plateau.
        (
            "saturates",
            "near_linear_stretch",
            precedes(Case::of_speedups(None, &[1, 2, 4, 8, 12, 16], &plateau, tight(&plateau, 16, 2.0))),
        ),
        // Linear to 8, then rising slowly, no law fits: the stretch.
        (
            "near_linear_stretch",
            "no_law_fits",
            precedes(Case::of_speedups(None, &[1, 2, 4, 8, 12, 16], &stretch, tight(&stretch, 16, 2.0))),
        ),
        // No law fits: said before the bare numbers.
        (
            "no_law_fits",
            "otherwise",
            precedes(Case::of_speedups(None, &[1, 2, 4, 8, 16, 32], &convex, tight(&convex, 32, 1.0))),
        ),
    ]
}

/// For every two rules next to each other in [`RULES`]: a case where both apply and the earlier
/// speaks, or two cases showing that they exclude each other.
#[test]
fn each_adjacent_pair_of_rules_is_ordered_on_a_case_where_both_apply() {
    let rows = pair_rows();
    for (earlier, later, pair) in &rows {
        let (a, b) = (rule(earlier), rule(later));
        assert_eq!(b, a + 1, "{earlier} and {later} are next to each other in RULES");
        match pair {
            Pair::Precedes(case) => {
                let applying = case.applying();
                assert!(applying.contains(&a) && applying.contains(&b), "{earlier}, {later}: both apply: {applying:?}");
                assert_eq!(applying.first(), Some(&a), "{earlier} speaks first: {:?}", case.diagnosis());
                assert_eq!(case.diagnosis().verdict.kind(), RULES[a].name);
            }
            Pair::Exclusive(cases) => {
                let (one, two) = (cases.0.applying(), cases.1.applying());
                assert!(one.contains(&a) && !one.contains(&b), "{earlier} alone: {one:?}");
                assert!(two.contains(&b) && !two.contains(&a), "{later} alone: {two:?}");
            }
        }
    }
    assert_eq!(rows.len(), RULES.len() - 1, "a row for every adjacent pair");
}

fn judge_with(kind: Option<Kind>, threads: &[usize], times: impl Fn(f64) -> f64, extra: Extra) -> Diagnosed {
    Case::timed(kind, threads, times, extra).diagnosed()
}

fn say_with(kind: Option<Kind>, threads: &[usize], times: impl Fn(f64) -> f64, extra: Extra) -> String {
    judge_with(kind, threads, times, extra).sentence
}

fn say(kind: Option<Kind>, n: usize, threads: &[usize], times: impl Fn(f64) -> f64) -> String {
    say_with(kind, threads, times, Extra { cpus: cpus(n), ..Extra::default() })
}

/// Nothing fitted and no shape: the numbers alone, as `undetermined`; one thread count is a
/// single point.
#[test]
fn without_fits_or_shape_the_verdict_is_undetermined() {
    let fits = Fits::default();
    let evidence = |threads: &'static [usize], speedups: &'static [f64]| Evidence::of_curve(threads, speedups, &fits);
    let d = diagnose(&evidence(&[1, 2, 4], &[1.0, 1.6, 2.0])).unwrap();
    assert_eq!(
        d.diagnosis.verdict,
        Verdict::Undetermined { threads: 4, speedup: 2.0, serial_fraction: None, reason: Undetermined::NoShape }
    );
    assert_eq!(d.sentence, "S(4) = 2.00, efficiency 50%");
    let single = diagnose(&evidence(&[1], &[1.0])).unwrap();
    assert_eq!(single.diagnosis, Diagnosis::of(Verdict::SinglePoint { threads: 1 }));
    assert_eq!(single, single_point(1));
    assert_eq!(diagnose(&evidence(&[], &[])), None);
}

/// Every kind has a sentence that names its evidence, whatever the facts.
#[test]
fn every_kind_has_a_sentence_with_its_numbers() {
    let fits = Fits::default();
    let e = Evidence::of_curve(&[1, 2, 4], &[1.0, 1.5, 2.0], &fits);
    let f = Facts { e: &e, j_max: 4, s_last: 2.0, best: (2, 2.0), s_best_parallel: 2.0, shape: None };
    let said = |v: Verdict| sentence(&Diagnosis::of(v), &f);
    let granularity = said(Verdict::Granularity { threads: 4, speedup: 2.0, tasks: 6, ceiling: 3.0 });
    assert!(granularity.contains("6 tasks") && granularity.contains("at most 3.00"), "{granularity}");
    let oscillating = said(Verdict::Oscillating { points: vec![3, 5], threads: 4, speedup: 2.0 });
    assert!(oscillating.contains("j = 3, 5"), "{oscillating}");
    let none = said(Verdict::NoLawFits { threads: 4, speedup: 2.0 });
    assert!(none.contains("describes this curve") && none.contains("S reaches 2.00 at 4 (efficiency 50%)"), "{none}");
    assert!(said(Verdict::SinglePoint { threads: 1 }).contains("only j = 1"));
    let disturbed = Disturbed { points: Vec::new(), load: None, min_utilisation: None, cpus: None };
    let clause = sentence::disturbed(&disturbed, &f);
    assert!(clause.starts_with(" — disturbed: other work competed") && clause.contains("S(4) = 2.00"), "{clause}");
}

#[test]
fn near_linear_claims_no_ceiling_when_b_cannot_be_told_from_zero() {
    let near = say(None, 8, &upto(8), |j| wiggle(j) / j);
    assert!(near.starts_with("near-linear: S(8) = 8.0") && near.contains("no serial fraction is measurable"), "{near}");
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
    // A real speedup at 2 (1.43), then slower than one thread: the peak the user can take.
    let later = say(None, 8, &[1, 2, 4, 8], |j| [1.0, 0.7, 1.5, 2.5][j.log2() as usize]);
    assert!(later.starts_with("peaks at 2 threads: S = 1.43, then falls steadily, 72% to 0.40 at 8"), "{later}");
    assert!(later.contains("below one thread's speed from 4"), "{later}");
    // No real speedup before the fall (1.1 at 2): slower.
    let never = say(None, 8, &[1, 2, 4, 8], |j| [1.0, 0.9, 1.5, 2.5][j.log2() as usize]);
    assert!(never.starts_with("slower with more threads: S(8) = 0.40"), "{never}");
}

#[test]
fn a_measured_drop_is_retrograde_with_the_usl_peak_when_it_wins() {
    let usl = |j: f64| (1.0 + 0.05 * (j - 1.0) + 0.02 * j * (j - 1.0)) / j * wiggle(j);
    let retro = say(None, 12, &upto(12), usl);
    assert!(
        retro.starts_with("peaks at 7 threads: S = 3.28, flat to 8, then falls steadily, 13%")
            && retro.contains("contention and coherency: the USL describes it to within")
            && retro.contains("peak near 6."),
        "{retro}"
    );
    // An 11% drop after 8 threads, with intervals that exclude each other.
    let s = [1.0, 1.9, 3.6, 6.5, 5.8];
    let threads = [1, 2, 4, 8, 16];
    let drop = say_with(
        None,
        &threads,
        |j| 1.0 / s[j.log2() as usize],
        Extra { cpus: cpus(16), intervals: intervals(&s, 2.0), ..Extra::default() },
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
    let local = say_with(
        None,
        &[1, 2, 4, 8],
        |j| 1.0 / s[j.log2() as usize],
        Extra { cpus: cpus(8), intervals: intervals(&s, 1.0), ..Extra::default() },
    );
    assert!(local.starts_with("superlinear at j = 2, 4: S(2) = 2.30 beats 2 threads"), "{local}");
}

#[test]
fn a_peak_beyond_the_range_is_approached_not_claimed() {
    let usl = |j: f64| (1.0 + 0.02 * (j - 1.0) + 0.002 * j * (j - 1.0)) / j * wiggle(j);
    let approaching = say(None, 12, &upto(12), usl);
    assert!(
        approaching.starts_with("approaching a USL peak at N* = 2") && approaching.contains("beyond the measured 12"),
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
    // Two thread counts fix Amdahl's B whatever the law: no B beside the bandwidth.
    assert!(!triad.contains("B ="), "{triad}");
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
fn idle_threads_on_a_busy_machine_keep_their_shape_and_are_said_disturbed() {
    let utilisation = vec![Some(1.0), Some(0.45)];
    let extra = Extra { cpus: cpus(2), load: Some(1.9), utilisation, ..Extra::default() };
    let judged = judge_with(Some(Kind::Parallel), &[1, 2], |j| [1.0, 0.95][j as usize - 1], extra);
    assert_eq!(judged.diagnosis.verdict.kind(), "sequential", "{judged:?}");
    let disturbed = judged.diagnosis.disturbed.as_ref().unwrap();
    assert_eq!((disturbed.load, disturbed.cpus, disturbed.min_utilisation), (Some(1.9), Some(2), Some(0.45)));
    let said = judged.sentence;
    assert!(said.starts_with("inherently sequential"), "{said}");
    assert!(said.contains(" — disturbed: the machine was busy (load 1.90 on 2 usable CPUs)"), "{said}");
}

#[test]
fn points_tagged_disturbed_are_named_beside_the_shape() {
    let extra = Extra { cpus: cpus(2), disturbed: vec![false, true], ..Extra::default() };
    let judged = judge_with(Some(Kind::Parallel), &[1, 2], |j| [1.0, 0.7][j as usize - 1], extra);
    assert_eq!(judged.diagnosis.disturbed.as_ref().map(|d| d.points.clone()), Some(vec![2]));
    let said = judged.sentence;
    assert!(said.starts_with("below linear: S(2) = 1.43"), "{said}");
    assert!(said.contains(" — disturbed: j = 2 was measured while other work competed"), "{said}");
}

/// A clause about the reading itself (the measured cause) goes right after the diagnosis's own
/// words: never after the disturbance, which it would then seem to label.
#[test]
fn a_clause_inserted_after_the_words_comes_before_the_disturbance() {
    let extra = Extra { cpus: cpus(2), disturbed: vec![false, true], ..Extra::default() };
    let mut judged = judge_with(Some(Kind::Parallel), &[1, 2], |j| [1.0, 0.7][j as usize - 1], extra);
    judged.insert_after_words(" — measured: X");
    judged.insert_after_words("; Y");
    let said = &judged.sentence;
    let (measured, disturbed) = (said.find(" — measured: X; Y").unwrap(), said.find(" — disturbed:").unwrap());
    assert!(measured < disturbed, "{said}");
    assert!(said.starts_with("below linear: S(2) = 1.43"), "{said}");
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

/// What qualifies a verdict (`qualifiers`), each on a case where it is the finding: the regime
/// after the verdict, the law beside it, the second reading and the disturbance.
#[test]
fn qualifiers_fill_the_diagnosis_beside_the_verdict() {
    let on = |n: usize| Extra { cpus: cpus(n), ..Extra::default() };
    // A rise to 4.2 at 8, then down at every step to 0.34 at 128: steadily, below one from 128.
    let rise_and_fall = [1.0, 1.7, 2.8, 4.2, 2.8, 2.1, 1.2, 0.34];
    let d = Case::of_speedups(None, &[1, 2, 4, 8, 16, 32, 64, 128], &rise_and_fall, on(128)).diagnosis();
    assert!(
        matches!(
            d.then,
            Some(Regime::Falls { from_threads: 8, steady: true, cliff: None, below_one_from: Some(128), .. })
        ),
        "{d:?}"
    );
    // Most of the fall in its last step: a cliff.
    let cliff = [1.0, 1.9, 3.6, 6.5, 6.0, 5.6, 0.9];
    let d = Case::of_speedups(None, &[1, 2, 4, 8, 16, 32, 64], &cliff, on(64)).diagnosis();
    assert!(matches!(d.then, Some(Regime::Falls { from_threads: 8, cliff: Some([32, 64]), .. })), "{d:?}");
    // The SMT siblings after the cores: what they add.
    let smt_knee = [1.0, 1.75, 2.35, 2.70, 2.78, 2.86, 2.96, 3.07];
    let d = Case::of_speedups(None, &upto(8), &smt_knee, Extra { cpus: smt(8, 4), ..Extra::default() }).diagnosis();
    assert!(
        matches!(d.then, Some(Regime::Rises { from_threads: 4, threads: 8, gain, .. }) if close(gain, 3.07 / 2.70 - 1.0)),
        "{d:?}"
    );
    // The USL on its own retrograde curve, its peak where the measured one is.
    let usl = |j: f64| (1.0 + 0.05 * (j - 1.0) + 0.02 * j * (j - 1.0)) / j * wiggle(j);
    let d = Case::timed(None, &upto(12), usl, on(12)).diagnosis();
    assert!(matches!(d.law, Some(Law::Usl { peak_threads: Some(p), .. }) if (6.0..8.0).contains(&p)), "{d:?}");
    // Amdahl's law on the rise before a fall the USL does not describe.
    let amdahl_then_drop: Vec<f64> =
        [1.0, 2.0, 4.0, 8.0, 16.0].iter().map(|&j| 1.0 / (0.1 + 0.9 / j)).chain([2.0]).collect();
    let d = Case::of_speedups(None, &[1, 2, 4, 8, 16, 32], &amdahl_then_drop, on(32)).diagnosis();
    assert!(
        matches!(d.law, Some(Law::Amdahl { serial_fraction, up_to_threads: 16, .. }) if (serial_fraction - 0.1).abs() < 0.01),
        "{d:?}"
    );
    // Two thread counts whose range straddles 0.9 j: near-linear, or a serial fraction.
    let s = [1.0, 1.8];
    let d = Case::of_speedups(None, &[1, 2], &s, tight(&s, 2, 2.0)).diagnosed();
    assert!(matches!(d.diagnosis.verdict, Verdict::NearLinear { .. }), "{d:?}");
    assert!(
        matches!(d.diagnosis.alternative, Some(Verdict::Undetermined { serial_fraction: Some(b), reason: Undetermined::TwoThreadCounts, .. }) if close(b, 1.0 / 9.0)),
        "{d:?}"
    );
    assert!(
        d.sentence.contains("also fits a serial fraction near 0.111: two thread counts cannot tell which"),
        "{}",
        d.sentence
    );
    // Points measured while other work competed: the shape, and the disturbance beside it.
    let extra = Extra { cpus: cpus(8), disturbed: (1..=8).map(|j| j > 4).collect(), ..Extra::default() };
    let d = Case::timed(None, &upto(8), |j| wiggle(j) / j, extra).diagnosed();
    assert!(matches!(d.diagnosis.verdict, Verdict::NearLinear { .. }), "{d:?}");
    assert_eq!(d.diagnosis.disturbed.map(|d| d.points), Some(vec![5, 6, 7, 8]));
    assert!(
        d.sentence.starts_with("near-linear") && d.sentence.contains(" — disturbed: j = 5, 6, 7, 8 were measured"),
        "{}",
        d.sentence
    );
}

fn tight(s: &[f64], n: usize, pct: f64) -> Extra {
    Extra { cpus: cpus(n), intervals: intervals(s, pct), ..Extra::default() }
}

#[test]
fn a_ceiling_far_beyond_the_data_is_no_headline() {
    // Near-linear to 32, 79% at 64: Amdahl's 1/B would be 4x beyond the best measured S.
    let s = [1.0, 1.972, 3.973, 7.587, 15.19, 31.04, 50.64];
    let said = say(None, 64, &[1, 2, 4, 8, 16, 32, 64], |j| 1.0 / s[j.log2() as usize]);
    assert!(said.starts_with("near-linear up to 32 threads") && !said.contains("1/B"), "{said}");
}
