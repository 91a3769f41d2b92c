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
//! - A function kept at one point but not at the other (`functions::KEPT`) counts as 0 there; the
//!   list is ordered by growth, most first.
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
    /// Its mean CPU time per run at j = 1.
    pub at_one_ns: f64,
    /// Its mean CPU time per run at j, per unit of work.
    pub at_ns: f64,
    /// `at_ns - at_one_ns`.
    pub growth_ns: f64,
    /// The growth's 95% interval; null with one run at either point.
    pub ci95: Option<[f64; 2]>,
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
/// j = 1's (1 under strong scaling), most growth first; `seed` makes the intervals repeatable.
pub fn growth(one: &Functions, at: &Functions, work: f64, seed: u64) -> Vec<Growth> {
    let mut names: Vec<(String, &FunctionCpu)> =
        one.functions.iter().chain(&at.functions).map(|f| (f.function.clone(), f)).collect();
    names.sort_by(|a, b| a.0.cmp(&b.0));
    names.dedup_by(|a, b| a.0 == b.0);
    let work = if work.is_finite() && work > 0.0 { work } else { 1.0 };
    let series = |f: &Functions, name: &str| -> Vec<f64> {
        match f.function(name) {
            Some(x) => x.cpu_ns.iter().map(|&v| v as f64).collect(),
            None => vec![0.0; f.runs.len()],
        }
    };
    let mut out: Vec<Growth> = names
        .into_iter()
        .enumerate()
        .map(|(i, (name, f))| {
            let a = series(one, &name);
            let b: Vec<f64> = series(at, &name).into_iter().map(|v| v / work).collect();
            let (at_one_ns, at_ns) = (mean(&a), mean(&b));
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
                at_one_ns,
                at_ns,
                growth_ns: at_ns - at_one_ns,
                ci95: difference_ci95(&a, &b, seed.wrapping_add(i as u64 * 2)),
            }
        })
        .collect();
    out.sort_by(|x, y| y.growth_ns.total_cmp(&x.growth_ns).then_with(|| x.function.cmp(&y.function)));
    out
}

/// The clause naming where the extra CPU time goes, when the account's reading (`cause`) is that
/// inflation grows: the function whose growth leads, with its interval, when that interval lies
/// above zero; `None` otherwise (the data cannot name one).
pub fn clause(cause: &Cause, one: Option<&Functions>, at: Option<&Functions>, work: f64) -> Option<String> {
    let Cause::Grows { part: PartName::Inflation, threads, .. } = cause else { return None };
    let (one, at) = (one?, at?);
    let rows = growth(one, at, work, crate::attribution::growth::SEED);
    let top = rows.first().filter(|g| g.ci95.is_some_and(|ci| ci[0] > 0.0))?;
    let run_mean = |f: &Functions| f.runs.iter().map(|r| r.cpu_ns as f64).sum::<f64>() / f.runs.len().max(1) as f64;
    let total = run_mean(at) / work - run_mean(one);
    let share = if total > 0.0 {
        format!(", {:.0}% of the growth", 100.0 * (top.growth_ns / total).min(1.0))
    } else {
        String::new()
    };
    let [lo, hi] = top.ci95?;
    let inlined = top.inlined.as_ref().map_or(String::new(), |i| format!(", mostly in inlined `{i}`"));
    Some(format!(
        "; the extra CPU time at j={threads} grows most in `{}` ({}{inlined}): {} [{}, {}] a run{share}",
        top.function,
        top.category.words(),
        crate::quantity::format_duration_ns(top.growth_ns),
        crate::quantity::format_duration_ns(lo),
        crate::quantity::format_duration_ns(hi),
    ))
}

/// The seed of growth's intervals wherever a file is read: fixed, so every reader gives the same.
pub const SEED: u64 = 38;

/// The expanded percentile bootstrap interval of `mean(b) - mean(a)` (see the module docs);
/// `None` with fewer than two values in either.
pub fn difference_ci95(a: &[f64], b: &[f64], seed: u64) -> Option<[f64; 2]> {
    let n = a.len().min(b.len());
    if n < 2 {
        return None;
    }
    let estimate = mean(b) - mean(a);
    let ra = Bootstrap::new(seed, a.len()).replicates(|idx| idx.iter().map(|&i| a[i]).sum::<f64>() / idx.len() as f64);
    let rb = Bootstrap::new(seed ^ 0x9e37_79b9_7f4a_7c15, b.len())
        .replicates(|idx| idx.iter().map(|&i| b[i]).sum::<f64>() / idx.len() as f64);
    let expand = ((n as f64 / (n - 1) as f64).sqrt() * crate::fit::student_t::t975(n - 1)? / 1.959_964).max(1.0);
    let replicates: Vec<f64> = ra.iter().zip(&rb).map(|(x, y)| estimate + expand * ((y - x) - estimate)).collect();
    percentile(replicates, 0.95)
}

fn mean(values: &[f64]) -> f64 {
    if values.is_empty() { 0.0 } else { values.iter().sum::<f64>() / values.len() as f64 }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attribution::functions::{FunctionCpu, RunCpu};
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
        assert!((g[0].growth_ns - 50.0).abs() < 1e-9);
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
        assert_eq!((a.at_ns, a.growth_ns, a.ci95), (100.0, 0.0, Some([0.0, 0.0])));
        let b = g.iter().find(|x| x.function == "b").unwrap();
        assert_eq!((b.at_one_ns, b.at_ns), (0.0, 5.0));
        assert_eq!(difference_ci95(&[1.0], &[2.0, 3.0], 1), None);
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
