//! Growth: where the extra CPU time of the same work at j threads goes — each function's CPU time
//! per run at j minus at j = 1, with a bootstrap interval.
//!
//! # Method
//! - A function's CPU time per run is its self time in a profile run (`functions`); its
//!   **growth** at j is the mean over the point's runs minus the mean over the j = 1 runs, per
//!   unit of work (divided by the work's size ratio, j under weak scaling). Shares of the CPU
//!   time mislead when the total grows: a lock path at 30% of twice the time has grown more than
//!   the kernel at 60% of it.
//! - **The interval** is a seeded percentile bootstrap over the profile runs (each point's runs
//!   resampled on their own, the two means' difference per replicate), **expanded** for small
//!   samples (Hesterberg, "What Teachers Should Know About the Bootstrap", Am. Stat. 69(4), 2015):
//!   the replicates' deviations from the estimate are scaled by `sqrt(n/(n-1)) t(0.975; n-1) /
//!   1.96`, n the fewer runs of the two points, since a plain percentile interval of a mean of
//!   four or five runs covers well under 95% (`tests` count the coverage). With one run at either
//!   point there is no interval.
//! - **A function missing at one point** did not run there when nothing was left out of that
//!   point's list (and in files from before `functions::Functions::left_out_ns`): 0. When its
//!   list was cut (`functions::KEPT`), it ran between 0 and the most any function left out ran
//!   (`left_out_ns`), in each run: its time there and its growth are then only bounded
//!   ([`Estimate::Within`]), and its interval contains the envelope of the intervals of every
//!   value in that range ([`difference_ci95_within`]): each bootstrap replicate,
//!   `(1 - e) (mean b - mean a) + e (mean b* - mean a*)` with the expansion `e >= 1`, is bounded
//!   by taking its estimate term and its resampled term each at the ends of the ranges that make
//!   it least (most), and so are their percentiles: the interval of the unknown true values lies
//!   inside, and covers at least as often (it is wider than the exact envelope, which would pair
//!   each resample's draw counts with the ends). The list is ordered by the most growth each function can have, most first, so a
//!   function only bounded leads wherever it might; the clause never names one (its growth is
//!   no number the data give).
//! - **Where it goes** ([`Category`]): the pool's scheduling and idle spinning (rayon,
//!   crossbeam), locks and atomics (a mutex, futex, parking), the allocator, the kernel's entry,
//!   or the work's own code — read from the function's name.

#[cfg(feature = "schema")]
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::functions::{FunctionCpu, Functions};
use crate::account::{Cause, PartName};
use crate::stats::{Bootstrap, percentile};

/// One function's growth from j = 1 to j.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct Growth {
    /// The function.
    pub function: String,
    /// `file:line` of its most sampled address, when known.
    pub location: Option<String>,
    /// The library function inlined where most of its time went at j (`FunctionCpu::inlined`).
    pub inlined: Option<String>,
    /// What kind of code it is (from the library function inlined where most of its time went,
    /// where there is one).
    pub category: Category,
    /// Its mean CPU time per run at j = 1 (only bounded where it was left out of that point's
    /// cut list).
    pub at_one_ns: Estimate,
    /// Its mean CPU time per run at j, per unit of work (only bounded where left out there).
    pub at_ns: Estimate,
    /// `at_ns - at_one_ns`: only bounded where either is.
    pub growth_ns: Estimate,
    /// The growth's 95% interval (covering every value of a bounded one); null with one run at
    /// either point.
    pub ci95: Option<[f64; 2]>,
}

/// A mean CPU time, or a difference of two: known, or only bounded.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum Estimate {
    /// Measured (a function missing from a list that was not cut is a known 0).
    Known(f64),
    /// Only bounded, the least and the most it can be: a function was left out of a cut list.
    Within([f64; 2]),
}

impl Estimate {
    /// Known when `least` and `most` are the same, else within them.
    fn of(least: f64, most: f64) -> Estimate {
        if least == most { Estimate::Known(least) } else { Estimate::Within([least, most]) }
    }

    /// The value, when known.
    pub fn known(self) -> Option<f64> {
        match self {
            Estimate::Known(v) => Some(v),
            Estimate::Within(_) => None,
        }
    }

    /// The most it can be.
    pub fn most(self) -> f64 {
        match self {
            Estimate::Known(v) | Estimate::Within([_, v]) => v,
        }
    }
}

/// What kind of code a function is, from its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum Category {
    /// The pool's scheduling: work stealing, idle spinning, sleeping and waking (rayon,
    /// crossbeam).
    Pool,
    /// Locks and atomics: a mutex, a futex, parking, an atomic read-modify-write.
    Lock,
    /// The allocator.
    Allocator,
    /// The kernel's entry and exit (system calls).
    Kernel,
    /// The work's own code, or a library's not named above.
    Work,
}

impl Category {
    /// The category of `function` by its name.
    pub fn of(function: &str) -> Category {
        let has = |parts: &[&str]| parts.iter().any(|p| function.contains(p));
        if has(&["rayon_core::", "rayon::", "crossbeam_deque::", "crossbeam_epoch::", "crossbeam_utils::"]) {
            Category::Pool
        } else if has(&[
            "::mutex::",
            "Mutex",
            "futex",
            "core::sync::atomic",
            "atomic_",
            "Atomic",
            "lock_contended",
            "parking_lot",
            "::rwlock::",
            "pthread_mutex",
            "__lll_lock",
        ]) {
            Category::Lock
        } else if has(&[
            "malloc",
            "free",
            "__rust_alloc",
            "__rust_dealloc",
            "alloc::alloc::",
            "_int_",
            "realloc",
            "jemalloc",
            "mimalloc",
        ]) {
            Category::Allocator
        } else if has(&["syscall", "entry_SYSCALL", "__kernel_"]) {
            Category::Kernel
        } else {
            Category::Work
        }
    }

    /// Its words in a sentence.
    pub fn words(self) -> &'static str {
        match self {
            Category::Pool => "the pool's scheduling and idle spinning",
            Category::Lock => "a lock or an atomic",
            Category::Allocator => "the allocator",
            Category::Kernel => "system calls",
            Category::Work => "the work's own code",
        }
    }
}

/// Each function's growth from `one` (j = 1) to `at` (j threads), whose work is `work` times
/// j = 1's (1 under strong scaling), by the most it can be, most first; `seed` makes the
/// intervals repeatable.
pub fn growth(one: &Functions, at: &Functions, work: f64, seed: u64) -> Vec<Growth> {
    let mut names: Vec<(String, &FunctionCpu)> =
        one.functions.iter().chain(&at.functions).map(|f| (f.function.clone(), f)).collect();
    names.sort_by(|a, b| a.0.cmp(&b.0));
    names.dedup_by(|a, b| a.0 == b.0);
    let work = if work.is_finite() && work > 0.0 { work } else { 1.0 };
    // The least and the most a function's time per run can have been (`Functions::cpu_within`).
    let series = |f: &Functions, name: &str, per: f64| -> [Vec<f64>; 2] {
        f.cpu_within(name).map(|values| values.into_iter().map(|v| v as f64 / per).collect())
    };
    let mut out: Vec<Growth> = names
        .into_iter()
        .enumerate()
        .map(|(i, (name, f))| {
            let [a_least, a_most] = series(one, &name, 1.0);
            let [b_least, b_most] = series(at, &name, work);
            let (a, b) = ([mean(&a_least), mean(&a_most)], [mean(&b_least), mean(&b_most)]);
            let ci95 =
                difference_ci95_within([&a_least, &a_most], [&b_least, &b_most], seed.wrapping_add(i as u64 * 2));
            Growth {
                category: {
                    let f = at.function(&name).unwrap_or(f);
                    match Category::of(&f.function) {
                        Category::Work => f.inlined.as_deref().map_or(Category::Work, Category::of),
                        named => named,
                    }
                },
                location: at.function(&name).unwrap_or(f).location.clone(),
                inlined: at.function(&name).unwrap_or(f).inlined.clone(),
                function: name,
                at_one_ns: Estimate::of(a[0], a[1]),
                at_ns: Estimate::of(b[0], b[1]),
                growth_ns: Estimate::of(b[0] - a[1], b[1] - a[0]),
                ci95,
            }
        })
        .collect();
    out.sort_by(|x, y| y.growth_ns.most().total_cmp(&x.growth_ns.most()).then_with(|| x.function.cmp(&y.function)));
    out
}

/// The clause naming where the extra CPU time goes, when the account's reading (`cause`) is that
/// inflation grows: the function whose growth leads, with its interval, when its growth is known
/// (not only bounded: [`Estimate`]) and that interval lies above zero; `None` otherwise (the data
/// cannot name one).
pub fn clause(cause: &Cause, one: Option<&Functions>, at: Option<&Functions>, work: f64) -> Option<String> {
    let Cause::Grows { part: PartName::Inflation, threads, .. } = cause else { return None };
    let (one, at) = (one?, at?);
    let rows = growth(one, at, work, crate::attribution::growth::SEED);
    let top = rows.first()?;
    let (Some(grown), Some([lo, hi])) = (top.growth_ns.known(), top.ci95) else { return None };
    if lo <= 0.0 {
        return None;
    }
    let run_mean = |f: &Functions| f.runs.iter().map(|r| r.cpu_ns as f64).sum::<f64>() / f.runs.len().max(1) as f64;
    let total = run_mean(at) / work - run_mean(one);
    let share =
        if total > 0.0 { format!(", {:.0}% of the growth", 100.0 * (grown / total).min(1.0)) } else { String::new() };
    let inlined = top.inlined.as_ref().map_or(String::new(), |i| format!(", mostly in inlined `{i}`"));
    Some(format!(
        "; the extra CPU time at j={threads} grows most in `{}` ({}{inlined}): {} [{}, {}] a run{share}",
        top.function,
        top.category.words(),
        crate::quantity::format_duration_ns(grown),
        crate::quantity::format_duration_ns(lo),
        crate::quantity::format_duration_ns(hi),
    ))
}

/// The seed of growth's intervals wherever a file is read: fixed, so every reader gives the same.
pub const SEED: u64 = 38;

/// The expanded percentile bootstrap interval of `mean(b) - mean(a)` (see the module docs);
/// `None` with fewer than two values in either.
pub fn difference_ci95(a: &[f64], b: &[f64], seed: u64) -> Option<[f64; 2]> {
    difference_ci95_within([a, a], [b, b], seed)
}

/// The interval of [`difference_ci95`] where each run's value is known only to lie between
/// `a[0][r]` and `a[1][r]` (and `b[0][r]`, `b[1][r]`): an interval containing the envelope of
/// the intervals of every value in those ranges (see the module docs); with equal ends,
/// [`difference_ci95`]'s own.
/// `None` with fewer than two values in either.
pub fn difference_ci95_within(a: [&[f64]; 2], b: [&[f64]; 2], seed: u64) -> Option<[f64; 2]> {
    let n = a[0].len().min(b[0].len());
    if n < 2 {
        return None;
    }
    // The same seed draws the same resamples, so the two ends' replicates pair up.
    let replicates = |values: [&[f64]; 2], seed: u64| -> [Vec<f64>; 2] {
        let means = |v: &[f64]| {
            Bootstrap::new(seed, v.len()).replicates(|idx| idx.iter().map(|&i| v[i]).sum::<f64>() / idx.len() as f64)
        };
        let least = means(values[0]);
        let most = if values[0] == values[1] { least.clone() } else { means(values[1]) };
        [least, most]
    };
    let [ra_least, ra_most] = replicates(a, seed);
    let [rb_least, rb_most] = replicates(b, seed ^ 0x9e37_79b9_7f4a_7c15);
    let expand = ((n as f64 / (n - 1) as f64).sqrt() * crate::fit::student_t::t975(n - 1)? / 1.959_964).max(1.0);
    // A replicate, `estimate + e ((y - x) - estimate)` with e >= 1, is least with the estimate
    // largest and the resample's difference least, and most the other way round.
    let (most_estimate, least_estimate) = (mean(b[1]) - mean(a[0]), mean(b[0]) - mean(a[1]));
    let least: Vec<f64> =
        ra_most.iter().zip(&rb_least).map(|(x, y)| most_estimate + expand * ((y - x) - most_estimate)).collect();
    let most: Vec<f64> =
        ra_least.iter().zip(&rb_most).map(|(x, y)| least_estimate + expand * ((y - x) - least_estimate)).collect();
    Some([percentile(least, 0.95)?[0], percentile(most, 0.95)?[1]])
}

fn mean(values: &[f64]) -> f64 {
    if values.is_empty() { 0.0 } else { values.iter().sum::<f64>() / values.len() as f64 }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::account::Part;
    use crate::attribution::functions::{FunctionCpu, FunctionTally, KEPT, RunCpu};
    use crate::attribution::symbols::Symbol;
    use rand::{Rng, SeedableRng};
    use rand_distr::{Distribution, Normal};
    use rand_pcg::Pcg64Mcg;

    fn point(series: &[(&str, Vec<u64>)]) -> Functions {
        let runs = series[0].1.len();
        Functions {
            runs: vec![RunCpu { wall_ns: 1, cpu_ns: 1, samples: 1 }; runs],
            functions: series
                .iter()
                .map(|(name, cpu)| FunctionCpu {
                    function: (*name).to_owned(),
                    inlined: None,
                    location: None,
                    cpu_ns: cpu.clone(),
                    path_ns: vec![0; runs],
                    serial_blame_ns: 0,
                    imbalance_blame_ns: 0,
                })
                .collect(),
            untimed_samples: 0,
            left_out_ns: Vec::new(),
        }
    }

    #[test]
    fn the_function_that_grows_most_leads_though_its_share_is_smaller() {
        // kernel: 60 -> 70 per run (a smaller share of a larger total); lock: 10 -> 60.
        let one = point(&[
            ("kernel", vec![60, 61, 59, 60]),
            ("std::sys::sync::mutex::futex::Mutex::lock_contended", vec![10, 10, 11, 9]),
        ]);
        let at = point(&[
            ("kernel", vec![70, 71, 69, 70]),
            ("std::sys::sync::mutex::futex::Mutex::lock_contended", vec![60, 61, 59, 60]),
        ]);
        let g = growth(&one, &at, 1.0, 7);
        assert_eq!(g[0].function, "std::sys::sync::mutex::futex::Mutex::lock_contended");
        assert_eq!(g[0].category, Category::Lock);
        assert!((g[0].growth_ns.known().unwrap() - 50.0).abs() < 1e-9);
        let ci = g[0].ci95.unwrap();
        assert!(ci[0] > 40.0 && ci[1] < 60.0, "{ci:?}");
        assert_eq!(g[1].function, "kernel");
        assert_eq!(growth(&one, &at, 1.0, 7), g, "seeded: the same intervals");
    }

    #[test]
    fn weak_scaling_divides_by_the_work_and_a_missing_function_is_zero() {
        let one = point(&[("a", vec![100, 100])]);
        let at = point(&[("a", vec![400, 400]), ("b", vec![10, 30])]);
        let g = growth(&one, &at, 4.0, 1);
        let a = g.iter().find(|x| x.function == "a").unwrap();
        assert_eq!((a.at_ns, a.growth_ns, a.ci95), (Estimate::Known(100.0), Estimate::Known(0.0), Some([0.0, 0.0])));
        let b = g.iter().find(|x| x.function == "b").unwrap();
        assert_eq!((b.at_one_ns, b.at_ns), (Estimate::Known(0.0), Estimate::Known(5.0)));
        assert_eq!(difference_ci95(&[1.0], &[2.0, 3.0], 1), None);
    }

    /// A point's `Functions` through the tally, so that its list is cut as a run's is: each run's
    /// self CPU time by function.
    fn tallied(runs: &[Vec<(String, u64)>]) -> Functions {
        let mut names: Vec<&String> = runs.iter().flatten().map(|(name, _)| name).collect();
        names.sort();
        names.dedup();
        let by_pc: Vec<Vec<(usize, f64)>> = runs
            .iter()
            .map(|run| run.iter().map(|(name, ns)| (names.binary_search(&name).unwrap(), *ns as f64)).collect())
            .collect();
        FunctionTally::of_cpu(&by_pc)
            .resolve(&mut |pc| Some(Symbol { function: names[pc].clone(), location: None, inlined: None }))
            .unwrap()
    }

    /// The account's reading that inflation grows at j = 2 (what the clause answers).
    fn inflation_grows() -> Cause {
        Cause::Grows {
            threads: 2,
            part: PartName::Inflation,
            from: 0.01,
            to: Part { share: 0.2, ci95: Some([0.15, 0.25]) },
            cpu_factor: Some(1.3),
            serial_share_of_t1: None,
            distorted: None,
        }
    }

    const LOCK: &str = "std::sys::sync::mutex::futex::Mutex::lock_contended";

    #[test]
    fn a_function_cut_from_j1s_list_is_only_bounded_there_and_never_named() {
        // j = 1: KEPT functions of about 1 ms a run and `victim` at 50 µs, the least: left out.
        // j = 2: KEPT - 1 of them and `victim` with the same time, nothing left out.
        let victim = [50_000, 52_000, 48_000];
        let point = |kept: usize, victim: [u64; 3]| -> Functions {
            tallied(
                &(0..3)
                    .map(|r| {
                        (0..kept)
                            .map(|k| (format!("f{k:02}"), 1_000_000 + 1_000 * k as u64))
                            .chain([("victim".to_owned(), victim[r])])
                            .collect()
                    })
                    .collect::<Vec<_>>(),
            )
        };
        let (one, at) = (point(KEPT, victim), point(KEPT - 1, victim));
        assert_eq!((one.functions.len(), one.function("victim"), &one.left_out_ns[..]), (KEPT, None, &victim[..]));
        assert!(at.left_out_ns.is_empty() && at.function("victim").is_some());
        let rows = growth(&one, &at, 1.0, SEED);
        let g = rows.iter().find(|g| g.function == "victim").unwrap();
        assert_eq!(g.at_one_ns, Estimate::Within([0.0, 50_000.0]));
        assert_eq!((g.at_ns, g.growth_ns), (Estimate::Known(50_000.0), Estimate::Within([0.0, 50_000.0])));
        let [lo, hi] = g.ci95.unwrap();
        assert!(lo <= 0.0 && hi >= 50_000.0, "the interval covers every growth it can have: {:?}", g.ci95);
        // It leads by the most it can grow, and the sentence names no function.
        assert_eq!(rows[0].function, "victim");
        assert_eq!(clause(&inflation_grows(), Some(&one), Some(&at), 1.0), None);
        // Read as an old file is (nothing said left out), the same data name it: the defect.
        let old = Functions { left_out_ns: Vec::new(), ..one.clone() };
        let named = clause(&inflation_grows(), Some(&old), Some(&at), 1.0).unwrap();
        assert!(named.contains("`victim`"), "{named}");

        // Ten times the time at j = 2: it surely grows, by 450 to 500 µs, but only bounded, so
        // still not named.
        let at = point(KEPT - 1, victim.map(|v| 10 * v));
        let rows = growth(&one, &at, 1.0, SEED);
        assert_eq!(rows[0].function, "victim");
        assert_eq!(rows[0].growth_ns, Estimate::Within([450_000.0, 500_000.0]));
        assert!(rows[0].ci95.unwrap()[0] > 0.0, "{:?}", rows[0].ci95);
        assert_eq!(clause(&inflation_grows(), Some(&one), Some(&at), 1.0), None);
    }

    #[test]
    fn a_function_absent_from_an_uncut_list_did_not_run_there() {
        // `lock_contended` truly does not run at j = 1: nothing was left out there.
        let work = [1_000_000, 1_010_000, 990_000];
        let lock = [300_000, 310_000, 290_000];
        let one = tallied(&work.map(|w| vec![("work".to_owned(), w)]));
        let at = tallied(&[0, 1, 2].map(|r| vec![("work".to_owned(), work[r]), (LOCK.to_owned(), lock[r])]));
        assert!(one.left_out_ns.is_empty() && at.left_out_ns.is_empty());
        let rows = growth(&one, &at, 1.0, SEED);
        assert_eq!(rows[0].function, LOCK);
        assert_eq!((rows[0].at_one_ns, rows[0].growth_ns), (Estimate::Known(0.0), Estimate::Known(300_000.0)));
        let lock: Vec<f64> = lock.iter().map(|&v| v as f64).collect();
        assert_eq!(rows[0].ci95, difference_ci95(&[0.0; 3], &lock, SEED));
        assert!(rows[0].ci95.unwrap()[0] > 0.0, "{:?}", rows[0].ci95);
        let named = clause(&inflation_grows(), Some(&one), Some(&at), 1.0).unwrap();
        assert!(named.contains(&format!("grows most in `{LOCK}` (a lock or an atomic): 300.0 us [")), "{named}");
    }

    /// Today's interval, as it was computed before `left_out_ns` was kept: the reference old
    /// files' numbers must still match.
    fn todays_difference_ci95(a: &[f64], b: &[f64], seed: u64) -> Option<[f64; 2]> {
        let n = a.len().min(b.len());
        if n < 2 {
            return None;
        }
        let estimate = mean(b) - mean(a);
        let mean_of = |v: &[f64], seed| {
            Bootstrap::new(seed, v.len()).replicates(|idx| idx.iter().map(|&i| v[i]).sum::<f64>() / idx.len() as f64)
        };
        let (ra, rb) = (mean_of(a, seed), mean_of(b, seed ^ 0x9e37_79b9_7f4a_7c15));
        let expand = ((n as f64 / (n - 1) as f64).sqrt() * crate::fit::student_t::t975(n - 1)? / 1.959_964).max(1.0);
        percentile(ra.iter().zip(&rb).map(|(x, y)| estimate + expand * ((y - x) - estimate)).collect(), 0.95)
    }

    #[test]
    fn an_old_file_without_left_out_ns_loads_and_gives_todays_numbers() {
        let runs = r#"[{"wall_ns": 9, "cpu_ns": 9, "samples": 3}, {"wall_ns": 9, "cpu_ns": 9, "samples": 3},
                       {"wall_ns": 9, "cpu_ns": 9, "samples": 3}]"#;
        let function = |name: &str, cpu: [u64; 3]| {
            format!(
                r#"{{"function": "{name}", "cpu_ns": {cpu:?}, "path_ns": [0, 0, 0], "serial_blame_ns": 0, "imbalance_blame_ns": 0}}"#
            )
        };
        let file = |functions: &[String]| -> Functions {
            serde_json::from_str(&format!(r#"{{"runs": {runs}, "functions": [{}]}}"#, functions.join(", "))).unwrap()
        };
        let one = file(&[function("kernel", [600, 610, 590]), function("mostly", [5, 6, 4])]);
        let at = file(&[function("kernel", [650, 700, 640]), function(LOCK, [300, 310, 290])]);
        assert!(one.left_out_ns.is_empty());
        assert!(!serde_json::to_string(&one).unwrap().contains("left_out_ns"), "written as it was read");
        let rows = growth(&one, &at, 1.0, SEED);
        for g in &rows {
            let [a, b] =
                [&one, &at].map(|f| f.cpu_within(&g.function)[0].iter().map(|&v| v as f64).collect::<Vec<_>>());
            assert_eq!(g.growth_ns, Estimate::Known(mean(&b) - mean(&a)), "{}", g.function);
            let seed = SEED + 2 * ["kernel", "mostly", LOCK].iter().position(|n| *n == g.function).unwrap() as u64;
            assert_eq!(g.ci95, todays_difference_ci95(&a, &b, seed), "{}", g.function);
            assert!(g.ci95.is_some());
        }
        assert_eq!(rows.iter().map(|g| g.function.as_str()).collect::<Vec<_>>(), [LOCK, "kernel", "mostly"]);
    }

    /// The envelope covers the interval of every true value in the ranges: seeded true values
    /// drawn inside them, their own interval lies inside it.
    #[test]
    fn the_envelope_holds_the_interval_of_every_value_in_the_ranges() {
        let mut rng = Pcg64Mcg::seed_from_u64(38);
        for s in 0..200 {
            let n = rng.random_range(2..7);
            let a_most: Vec<f64> = (0..n).map(|_| rng.random_range(0.0..100.0)).collect();
            let b: Vec<f64> = (0..n + rng.random_range(0..2)).map(|_| rng.random_range(0.0..300.0)).collect();
            let a_true: Vec<f64> = a_most.iter().map(|&m| m * rng.random_range(0.0..=1.0)).collect();
            let [lo, hi] = difference_ci95_within([&vec![0.0; n], &a_most], [&b, &b], s).unwrap();
            let [tlo, thi] = difference_ci95(&a_true, &b, s).unwrap();
            assert!(lo <= tlo + 1e-9 && thi <= hi + 1e-9, "{s}: [{tlo}, {thi}] outside [{lo}, {hi}]");
            // The other side bounded the same way.
            let [lo, hi] = difference_ci95_within([&b, &b], [&vec![0.0; n], &a_most], s).unwrap();
            let [tlo, thi] = difference_ci95(&b, &a_true, s).unwrap();
            assert!(lo <= tlo + 1e-9 && thi <= hi + 1e-9, "{s}: [{tlo}, {thi}] outside [{lo}, {hi}]");
        }
    }

    #[test]
    fn categories_from_names() {
        assert_eq!(Category::of("rayon_core::registry::WorkerThread::wait_until_cold"), Category::Pool);
        assert_eq!(Category::of("__GI___lll_lock_wait"), Category::Lock);
        assert_eq!(Category::of("_int_malloc"), Category::Allocator);
        // Inlined functions are named without their path in the debug info.
        assert_eq!(Category::of("atomic_compare_exchange<u32>"), Category::Lock);
        assert_eq!(Category::of("amdahl_workloads::builtin::triad::kernel"), Category::Work);
    }

    /// The expanded interval of a difference of means of four and five normal runs covers the
    /// true difference at about its stated rate over seeded simulations (a plain percentile one
    /// covers about 80%).
    #[test]
    fn coverage_of_small_samples() {
        let mut rng = Pcg64Mcg::seed_from_u64(38);
        let (sims, mut covered) = (400, 0);
        for s in 0..sims {
            let (mu_a, mu_b) = (rng.random_range(50.0..150.0), rng.random_range(50.0..250.0));
            let (na, nb) = (4, 5);
            let a: Vec<f64> = Normal::new(mu_a, 10.0).unwrap().sample_iter(&mut rng).take(na).collect();
            let b: Vec<f64> = Normal::new(mu_b, 15.0).unwrap().sample_iter(&mut rng).take(nb).collect();
            let ci = difference_ci95(&a, &b, s).unwrap();
            covered += usize::from(ci[0] <= mu_b - mu_a && mu_b - mu_a <= ci[1]);
        }
        let rate = covered as f64 / sims as f64;
        assert!((0.93..=0.995).contains(&rate), "coverage {rate}");
    }
}
