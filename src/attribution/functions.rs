//! `Functions`: a point's CPU time by function, per profile run, with the idle time each function
//! is blamed for and its time on the run's critical path — the raw material of blame
//! (`blame`), growth (`growth`) and what-if (`what_if`), kept in the file (symbols of one binary's
//! run cannot be recomputed).
//!
//! # Method
//! - **A sample's weight** is its worker's CPU time over the stretch sampled divided by that
//!   worker's samples in the run (`Samples::cpu_ns`): a CPU-time timer fires at the kernel's tick,
//!   not at the interval asked for, so the count alone does not say the time.
//! - **A sample's function** is its program counter's (`symbols::resolve`: of the functions
//!   inlined there, the outermost of the program's own), self time only; unknown addresses are
//!   kept together as [`UNKNOWN`].
//! - **CPU time** of a function in a run: the weights of its samples, every worker.
//! - **Blame** (HPCToolkit's blame shifting, Tallent & Mellor-Crummey, PPoPP 2009): while some of
//!   the j workers are idle, a sample of a working thread carries `(j - running) / running` of its
//!   weight as idle capacity, where `running` is the workers working at its time
//!   (`timeline`). A sample of the leader outside every call carries `j - 1` (the others wait:
//!   the **serial** blame); one of a worker in its span of tasks in a call carries
//!   `done / running`, `done` the workers past their last task of the call (the **imbalance**
//!   blame: the account's imbalance is exactly that idle time; workers yet to start their first
//!   task are the account's dispatch, which no function is blamed for). The blame of a part adds up (over functions) to about that part of
//!   the account's thread-time, which is divided among the functions in proportion. Run-queue
//!   wait is not blamed: a thread that waits for a CPU is not sampled (its clock stops), and
//!   preemption by other work is no function's doing; the account keeps it as its own part.
//! - **Critical path**: the leader's samples outside the calls and, in each recorded call, the
//!   samples of the worker whose span ends last (the one the barrier waits for). `what_if`
//!   shortens these.
//! - The **span run** (the j = 1 run that times every task) is left out, as the account leaves
//!   it out; samples after the last recorded call of a run that made more calls than are kept in
//!   full get neither blame nor a path (`untimed_samples`), nor do the leader's samples outside
//!   the calls of a run with untracked stretches (the work's own rayon code: not serial code, and
//!   the account does not call it so).
//! - **What is left out**: a point keeps its [`KEPT`] functions with the most CPU time over its
//!   runs, and those leading blame or the path; for the rest it keeps, per run, the largest self
//!   CPU time of any of them (`left_out_ns`), so that a function missing from the list is known to
//!   lie between 0 and that in each run (`growth` reads it so), not taken for one that did not
//!   run. The largest left out, not the smallest kept: the list is ordered by the sum over the
//!   runs and keeps the leaders of blame however little CPU time they hold, so a kept function's
//!   time in a run bounds nothing left out; the largest left out is the exact bound, one number
//!   a run.
//!
//! The samples are read by thread, time and stack alone (phase only where the time is not
//! known), so a second source of per-thread samples fills the same tally.

#[cfg(feature = "schema")]
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

use super::growth::Category;
use super::symbols;
use super::timeline::{At, Timeline};
use amdahl_workloads::{Phase, Trace};

/// The most functions a point keeps (by CPU time, with those leading blame or the path).
pub const KEPT: usize = 32;

/// The name of the addresses no symbol names.
pub const UNKNOWN: &str = "(unknown)";

/// A point's CPU time by function over its profile runs (see the module docs).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct Functions {
    /// The profile runs it is made of, in order.
    pub runs: Vec<RunCpu>,
    /// The functions, most CPU time first (at most [`KEPT`] and the leaders of blame and of the
    /// path); the rest is in the runs' totals, each bounded per run by `left_out_ns`.
    pub functions: Vec<FunctionCpu>,
    /// Samples after the last recorded call of runs with more calls than are kept in full: no
    /// blame, no path.
    #[serde(default)]
    pub untimed_samples: u64,
    /// Per run (run order), the most self CPU time of any function left out of `functions`: a
    /// function not listed ran at most this long in that run (see [`Functions::cpu_within`]).
    /// Empty when none was left out, and in files from before it was kept (read, as they were
    /// then, as none left out).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub left_out_ns: Vec<u64>,
}

/// One profile run's totals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct RunCpu {
    /// Its wall time (the window on the leader).
    pub wall_ns: u64,
    /// CPU time of every worker over the stretch sampled: what its samples stand for.
    pub cpu_ns: u64,
    /// Its samples, every worker.
    pub samples: u64,
}

/// One function's CPU time, per run, and its blame.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct FunctionCpu {
    /// Its name, demangled, without the hash.
    pub function: String,
    /// The library function inlined into it (a mutex's lock, an atomic, the allocator; see
    /// `symbols::Symbol::inlined`) at the addresses holding more than half of its CPU time; null
    /// when none does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inlined: Option<String>,
    /// `file:line` of its most sampled address, when the debug info says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// Self CPU time in each run (run order).
    pub cpu_ns: Vec<u64>,
    /// Self time on each run's critical path: the leader outside the calls, the last worker of
    /// each recorded call.
    pub path_ns: Vec<u64>,
    /// Idle capacity it is blamed for while the leader ran it outside the calls, over the runs.
    pub serial_blame_ns: u64,
    /// Idle capacity it is blamed for in the calls, over the runs.
    pub imbalance_blame_ns: u64,
}

/// Where an address lies: its `file:line` and the library function inlined there.
type Spot = (Option<String>, Option<String>);

/// The library function that says what a function was doing: of the kinds of library code
/// inlined into it (`growth::Category`: a lock or an atomic, the pool, the allocator, system
/// calls), the one at addresses holding more than half of its CPU time, named by its function
/// there with the most; else the one library function holding more than half; else none.
fn mostly(inlined: &HashMap<Option<String>, f64>) -> Option<String> {
    let all: f64 = inlined.values().sum();
    let mut by: Vec<(&String, f64)> = inlined.iter().filter_map(|(k, v)| Some((k.as_ref()?, *v))).collect();
    by.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(b.0)));
    let mut kinds: Vec<(Category, f64)> = Vec::new();
    for (name, v) in &by {
        let kind = Category::of(name);
        match kinds.iter_mut().find(|(k, _)| *k == kind) {
            Some((_, sum)) => *sum += v,
            None => kinds.push((kind, *v)),
        }
    }
    let kind = kinds.iter().find(|(k, v)| *k != Category::Work && 2.0 * v > all).map(|(k, _)| *k);
    match kind {
        Some(kind) => by.iter().find(|(name, _)| Category::of(name) == kind).map(|(k, _)| (*k).clone()),
        None => by.first().filter(|(_, v)| 2.0 * v > all).map(|(k, _)| (*k).clone()),
    }
}

/// One run's sums by program counter.
#[derive(Debug, Clone, Default, PartialEq)]
struct RunTally {
    wall_ns: u64,
    cpu_ns: u64,
    samples: u64,
    cpu: HashMap<usize, f64>,
    path: HashMap<usize, f64>,
}

/// A point's samples over its profile runs, unresolved.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FunctionTally {
    runs: Vec<RunTally>,
    serial_blame: HashMap<usize, f64>,
    imbalance_blame: HashMap<usize, f64>,
    untimed: u64,
}

impl FunctionTally {
    /// Adds one profile run (the span run, which times every task, is left out).
    pub fn add(&mut self, trace: &Trace) {
        let s = &trace.samples;
        if trace.longest_tasks_ns.is_some() || s.taken.is_empty() {
            return;
        }
        let j = trace.threads.max(1);
        let mut per_worker = vec![0u64; j];
        for x in s.taken.iter().filter(|x| x.worker < j) {
            per_worker[x.worker] += 1;
        }
        let weight: Vec<Option<f64>> = (0..j)
            .map(|w| {
                if let Some(period) = s.period_ns {
                    // A fixed period of user CPU time: samples lost, or time in the kernel, are
                    // not spread over the samples kept.
                    return (per_worker[w] > 0).then_some(period as f64);
                }
                let cpu = s.cpu_ns.get(w).copied().flatten()?;
                (per_worker[w] > 0).then(|| cpu as f64 / per_worker[w] as f64)
            })
            .collect();
        let line = Timeline::of(trace);
        let mut run = RunTally { wall_ns: trace.wall_ns, ..RunTally::default() };
        for x in s.taken.iter().filter(|x| x.worker < j) {
            let (Some(w), Some(&pc)) = (weight[x.worker], x.frames.first()) else { continue };
            run.samples += 1;
            *run.cpu.entry(pc).or_default() += w;
            let at = match x.at_ns {
                Some(t) => line.at(x.worker, t),
                // No time: the leader's phase says serial code; nothing else can be placed.
                None if x.worker == trace.leader && x.phase == Phase::Serial => At::Outside { leader: true },
                None => At::Elsewhere,
            };
            match at {
                // The user's own rayon code outside the team's calls reads as outside them too;
                // the account keeps it apart from serial code, so no blame and no path here.
                At::Outside { leader: true } if trace.untracked_ns > 0 => self.untimed += 1,
                At::Outside { leader: true } => {
                    *self.serial_blame.entry(pc).or_default() += w * (j - 1) as f64;
                    *run.path.entry(pc).or_default() += w;
                }
                At::InCall { running, done, this: true, critical, .. } => {
                    *self.imbalance_blame.entry(pc).or_default() += w * done as f64 / running.max(1) as f64;
                    if critical {
                        *run.path.entry(pc).or_default() += w;
                    }
                }
                // The leader's phase still says serial code when the time is past the recorded calls.
                At::Unknown if x.worker == trace.leader && x.phase == Phase::Serial => {
                    *self.serial_blame.entry(pc).or_default() += w * (j - 1) as f64;
                    *run.path.entry(pc).or_default() += w;
                }
                At::Unknown => self.untimed += 1,
                At::Outside { leader: false } | At::InCall { this: false, .. } | At::Elsewhere => {}
            }
        }
        run.cpu_ns =
            weight.iter().zip(&per_worker).map(|(w, &n)| w.map_or(0.0, |w| w * n as f64)).sum::<f64>().round() as u64;
        self.runs.push(run);
    }

    /// By function, symbols resolved by `resolve` ([`symbols::resolve`]); `None` without runs.
    pub fn resolve(&self, resolve: &mut dyn FnMut(usize) -> Option<symbols::Symbol>) -> Option<Functions> {
        if self.runs.is_empty() {
            return None;
        }
        let n = self.runs.len();
        // A sample's function, and the location and library function inlined at its address.
        let mut cache: HashMap<usize, (String, Spot)> = HashMap::new();
        let mut name = |pc: usize| {
            cache
                .entry(pc)
                .or_insert_with(|| match resolve(pc) {
                    Some(s) => (s.function, (s.location, s.inlined)),
                    None => (UNKNOWN.to_owned(), (None, None)),
                })
                .clone()
        };
        #[derive(Default)]
        struct Sums {
            cpu: Vec<f64>,
            path: Vec<f64>,
            serial: f64,
            imbalance: f64,
            locations: HashMap<Option<String>, f64>,
            inlined: HashMap<Option<String>, f64>,
        }
        let mut by: HashMap<String, Sums> = HashMap::new();
        let new = || Sums { cpu: vec![0.0; n], path: vec![0.0; n], ..Sums::default() };
        for (r, run) in self.runs.iter().enumerate() {
            for (&pc, &ns) in &run.cpu {
                let (key, (location, inlined)) = name(pc);
                let sums = by.entry(key).or_insert_with(new);
                sums.cpu[r] += ns;
                *sums.locations.entry(location).or_default() += ns;
                *sums.inlined.entry(inlined).or_default() += ns;
            }
            for (&pc, &ns) in &run.path {
                by.entry(name(pc).0).or_insert_with(new).path[r] += ns;
            }
        }
        for (&pc, &ns) in &self.serial_blame {
            by.entry(name(pc).0).or_insert_with(new).serial += ns;
        }
        for (&pc, &ns) in &self.imbalance_blame {
            by.entry(name(pc).0).or_insert_with(new).imbalance += ns;
        }
        let mut functions: Vec<FunctionCpu> = by
            .into_iter()
            .map(|(function, s)| FunctionCpu {
                inlined: mostly(&s.inlined),
                location: s
                    .locations
                    .into_iter()
                    .max_by(|a, b| a.1.total_cmp(&b.1).then_with(|| b.0.cmp(&a.0)))
                    .and_then(|l| l.0),
                function,
                cpu_ns: s.cpu.iter().map(|&x| x.round() as u64).collect(),
                path_ns: s.path.iter().map(|&x| x.round() as u64).collect(),
                serial_blame_ns: s.serial.round() as u64,
                imbalance_blame_ns: s.imbalance.round() as u64,
            })
            .collect();
        functions.sort_by(|a, b| total(&b.cpu_ns).cmp(&total(&a.cpu_ns)).then_with(|| a.function.cmp(&b.function)));
        // Keep the most CPU time, and whatever leads blame or the path though it holds less.
        let mut leads: Vec<String> = Vec::new();
        for key in [
            (|f: &FunctionCpu| f.serial_blame_ns) as fn(&FunctionCpu) -> u64,
            |f| f.imbalance_blame_ns,
            |f| total(&f.path_ns),
        ] {
            let mut order: Vec<&FunctionCpu> = functions.iter().filter(|f| key(f) > 0).collect();
            order.sort_by(|a, b| key(b).cmp(&key(a)).then_with(|| a.function.cmp(&b.function)));
            leads.extend(order.iter().take(8).map(|f| f.function.clone()));
        }
        // What is left out is bounded per run by its largest member: a function not kept ran at
        // most that long in that run.
        let (mut rank, mut left_out_ns) = (0, Vec::new());
        functions.retain(|f| {
            let keep = rank < KEPT || leads.contains(&f.function);
            rank += 1;
            if !keep {
                left_out_ns.resize(n, 0);
                left_out_ns.iter_mut().zip(&f.cpu_ns).for_each(|(most, &ns)| *most = (*most).max(ns));
            }
            keep
        });
        Some(Functions {
            runs: self
                .runs
                .iter()
                .map(|r| RunCpu { wall_ns: r.wall_ns, cpu_ns: r.cpu_ns, samples: r.samples })
                .collect(),
            functions,
            untimed_samples: self.untimed,
            left_out_ns,
        })
    }
}

#[cfg(test)]
impl FunctionTally {
    /// A tally of runs' self CPU time by program counter alone (no blame, no path), for tests.
    pub(crate) fn of_cpu(runs: &[Vec<(usize, f64)>]) -> FunctionTally {
        let runs = runs
            .iter()
            .map(|cpu| RunTally {
                wall_ns: 1,
                cpu_ns: cpu.iter().map(|(_, ns)| ns).sum::<f64>().round() as u64,
                samples: cpu.len() as u64,
                cpu: cpu.iter().copied().collect(),
                path: HashMap::new(),
            })
            .collect();
        FunctionTally { runs, ..FunctionTally::default() }
    }
}

fn total(values: &[u64]) -> u64 {
    values.iter().sum()
}

impl Functions {
    /// The mean over the runs of a per-run series.
    pub fn mean(values: &[u64]) -> f64 {
        if values.is_empty() { 0.0 } else { values.iter().map(|&v| v as f64).sum::<f64>() / values.len() as f64 }
    }

    /// The function named `name`, when kept.
    pub fn function(&self, name: &str) -> Option<&FunctionCpu> {
        self.functions.iter().find(|f| f.function == name)
    }

    /// The least and the most self CPU time the function named `name` can have had in each run:
    /// its own series, twice, when kept; when not, 0 and the run's `left_out_ns` (0 too where
    /// nothing was left out: it did not run).
    pub fn cpu_within(&self, name: &str) -> [Vec<u64>; 2] {
        match self.function(name) {
            Some(f) => [f.cpu_ns.clone(), f.cpu_ns.clone()],
            None => [
                vec![0; self.runs.len()],
                (0..self.runs.len()).map(|r| self.left_out_ns.get(r).copied().unwrap_or(0)).collect(),
            ],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::mostly;
    use std::collections::HashMap;

    #[test]
    fn what_a_function_was_doing_by_the_kind_of_code_inlined_into_it() {
        let of = |pairs: &[(Option<&str>, f64)]| -> HashMap<Option<String>, f64> {
            pairs.iter().map(|(k, v)| (k.map(str::to_owned), *v)).collect()
        };
        // A lock's compare-exchange, swap and load together hold 70%: a lock, named by the first.
        let lock = of(&[
            (Some("atomic_compare_exchange<u32>"), 30.0),
            (Some("atomic_swap<u32>"), 25.0),
            (Some("atomic_load<u32>"), 15.0),
            (None, 30.0),
        ]);
        assert_eq!(mostly(&lock).as_deref(), Some("atomic_compare_exchange<u32>"));
        // Arithmetic inlined at 60%: that function; nothing holding half: none.
        assert_eq!(mostly(&of(&[(Some("add"), 60.0), (None, 40.0)])).as_deref(), Some("add"));
        assert_eq!(mostly(&of(&[(Some("add"), 40.0), (Some("mul"), 20.0), (None, 40.0)])), None);
    }
}
