//! Your code as a workload without a trait impl: a name, a kind, an optional untimed setup per
//! workload, an optional untimed setup per sample, and the closure that is timed.
//!
//! ```
//! use amdahl::{Kind, Team};
//!
//! // Sequential: nothing to set up; the value returned must be the same at every j.
//! let chain = amdahl::function("hash-chain", Kind::Sequential)
//!     .run(|_, _team: &Team| (0..1000u64).fold(1u64, |h, i| h.rotate_left(5) ^ i));
//!
//! // Work that consumes its input: made once (setup), copied afresh before every sample
//! // (each_sample), untimed; only the last closure is timed.
//! let sort = amdahl::function("sort", Kind::Parallel)
//!     .tasks(64)
//!     .setup(|_params| (0..10_000u32).rev().collect::<Vec<u32>>())
//!     .each_sample(|input: &Vec<u32>| input.clone())
//!     .run(|v: &mut Vec<u32>, team: &Team| {
//!         team.map_chunks_mut(v, 1024, |_, chunk| chunk.sort_unstable());
//!         v.sort_unstable();
//!         (v[0], v[v.len() - 1])
//!     });
//! # let _ = (chain, sort);
//! ```
//!
//! What the timed closure gets: without `setup`, `&mut ()`; with `setup` alone, `&mut` the value
//! the setup made (the same value every sample, changes included); with `each_sample`, the fresh
//! value it made for this sample. It runs on the team's own worker 0, already inside the team's
//! pool ([`Team::install`]): rayon calls in it (`par_iter`, `par_sort_unstable`, `rayon::join`)
//! use the team's j threads with or without `team.install` around them.
//!
//! The value the timed closure returns is kept, and hashed with a fixed hasher
//! ([`amdahl_workloads::FixedHasher`]) and dropped after the clock has stopped
//! ([`Instance::checksum_after_run`]): only the closure is timed. The sweep checks that the hash
//! is the same at every j, as for built-ins.

use std::hash::Hash;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

use amdahl_workloads::{Checksum, Instance, Kind, ParamSpec, Params, Team, Workload, WorkloadError};

/// The timed closure; `T` is the value it returns, hashed after the clock.
type Timed<X, T> = Arc<dyn Fn(&mut X, &Team) -> T + Send + Sync>;
/// The setup per workload.
type Setup<S> = Arc<dyn Fn(&Params) -> S + Send + Sync>;
/// The setup per sample.
type Fresh<S, I> = Arc<dyn Fn(&S) -> I + Send + Sync>;

/// The `size` every workload declares (the contract's): a closure's amount of work is its own,
/// so its `size` is 1 unless it declares one.
const SIZE: ParamSpec = ParamSpec::integer("size", "the amount of work (a closure's own; 1 unless declared)", 1, 1, 1);

/// What every closure workload says about itself.
#[derive(Clone)]
struct About {
    name: String,
    kind: Kind,
    description: String,
    tasks: Option<usize>,
    params: &'static [ParamSpec],
}

/// Starts a closure workload named `name` of kind `kind` (what curve to expect): add an untimed
/// [`Function::setup`], optionally an untimed [`Function::each_sample`], and the timed
/// [`Function::run`]. See the [module docs](self).
pub fn function(name: impl Into<String>, kind: Kind) -> Function<()> {
    let name = name.into();
    Function {
        about: About { description: format!("{name} (closure)"), name, kind, tasks: None, params: &[SIZE] },
        setup: Arc::new(|_: &Params| ()),
    }
}

/// A closure workload being built; `S` is what its setup makes.
pub struct Function<S> {
    about: About,
    setup: Setup<S>,
}

impl<S: Send + 'static> Function<S> {
    /// One line saying what it does (`measure`'s tables and the results file show it).
    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.about.description = text.into();
        self
    }

    /// How many independent tasks one run has: more threads than this find nothing to do, so
    /// the default plan stops there (the granularity bound).
    pub fn tasks(mut self, tasks: usize) -> Self {
        self.about.tasks = Some(tasks.max(1));
        self
    }

    /// Declared parameters (defaults and ranges), handed to the setup as [`Params`] and recorded
    /// in the results file. `size` (the amount of work, the same default on every machine) is
    /// added, fixed at 1, when not declared.
    pub fn params(mut self, params: &'static [ParamSpec]) -> Self {
        self.about.params = if params.iter().any(|p| p.name == "size") {
            params
        } else {
            // Once per workload built: a few bytes for the life of the bench.
            Vec::leak([params, &[SIZE]].concat())
        };
        self
    }

    /// The setup per workload: run once, untimed, before the workload's first sample; what it
    /// returns is handed to [`Function::each_sample`] or, without one, to the timed closure.
    pub fn setup<T: Send + 'static>(self, setup: impl Fn(&Params) -> T + Send + Sync + 'static) -> Function<T> {
        Function { about: self.about, setup: Arc::new(setup) }
    }

    /// The setup per sample, for work that consumes or mutates its input (a sort): run before
    /// every timed run, untimed, from the setup's value; the timed closure gets what it returns.
    /// criterion's `iter_batched` is the precedent.
    pub fn each_sample<I: Send + 'static>(self, fresh: impl Fn(&S) -> I + Send + Sync + 'static) -> PerSample<S, I> {
        PerSample { about: self.about, setup: self.setup, fresh: Arc::new(fresh) }
    }

    /// The timed closure: does the fixed amount of work over the [`Team`] of j threads, with the
    /// setup's value (`&mut ()` without a setup; the same value every sample: work that changes it
    /// should use [`Function::each_sample`]), and returns a value whose hash must be the same at
    /// every j. It runs inside the team's pool already: rayon calls in it use the team's threads.
    pub fn run<T: Hash + Send + 'static>(
        self,
        run: impl Fn(&mut S, &Team) -> T + Send + Sync + 'static,
    ) -> FunctionWorkload {
        let timed: Timed<S, T> = Arc::new(run);
        let setup = self.setup;
        FunctionWorkload {
            about: self.about,
            prepare: Arc::new(move |params: &Params| {
                Box::new(Plain { state: setup(params), timed: Arc::clone(&timed), value: None }) as Box<dyn Instance>
            }),
        }
    }
}

/// A closure workload with a setup per sample; `I` is what that setup makes.
pub struct PerSample<S, I> {
    about: About,
    setup: Setup<S>,
    fresh: Fresh<S, I>,
}

impl<S: Send + 'static, I: Send + 'static> PerSample<S, I> {
    /// The timed closure: gets the value the setup per sample just made (dropped after the run,
    /// untimed) and returns a value whose hash must be the same at every j.
    pub fn run<T: Hash + Send + 'static>(
        self,
        run: impl Fn(&mut I, &Team) -> T + Send + Sync + 'static,
    ) -> FunctionWorkload {
        let timed: Timed<I, T> = Arc::new(run);
        let (setup, fresh) = (self.setup, self.fresh);
        FunctionWorkload {
            about: self.about,
            prepare: Arc::new(move |params: &Params| {
                Box::new(Batched {
                    state: setup(params),
                    input: None,
                    fresh: Arc::clone(&fresh),
                    timed: Arc::clone(&timed),
                    value: None,
                }) as Box<dyn Instance>
            }),
        }
    }
}

/// A finished closure workload: a [`Workload`] like any built-in, for [`crate::main!`] or a
/// [`crate::config::RunRequest`]'s `specs`.
#[derive(Clone)]
pub struct FunctionWorkload {
    about: About,
    prepare: Prepare,
}

/// Makes an instance: the setup, and the instance that holds what it made.
type Prepare = Arc<dyn Fn(&Params) -> Box<dyn Instance> + Send + Sync>;

impl std::fmt::Debug for FunctionWorkload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "FunctionWorkload({}, {})", self.about.name, self.about.kind)
    }
}

impl Workload for FunctionWorkload {
    fn name(&self) -> &str {
        &self.about.name
    }
    fn kind(&self) -> Kind {
        self.about.kind
    }
    fn description(&self) -> &str {
        &self.about.description
    }
    fn params(&self) -> &'static [ParamSpec] {
        self.about.params
    }
    /// Runs the setup; a panic in it is this workload's failure, not the harness's.
    fn prepare(&self, params: &Params) -> Result<Box<dyn Instance>, WorkloadError> {
        catch_unwind(AssertUnwindSafe(|| (self.prepare)(params))).map_err(|panic| WorkloadError {
            workload: self.about.name.clone(),
            message: format!("its setup panicked: {}", panic_text(&panic)),
        })
    }
    fn parallelism(&self, _params: &Params) -> Option<usize> {
        self.about.tasks
    }
}

fn panic_text(panic: &Box<dyn std::any::Any + Send>) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(no message)".to_owned())
}

/// The instance of a closure workload without a setup per sample; `value` holds what the last
/// timed run returned, until it is hashed after the clock.
struct Plain<S, T> {
    state: S,
    timed: Timed<S, T>,
    value: Option<T>,
}

impl<S: Send, T: Hash + Send> Instance for Plain<S, T> {
    fn run(&mut self, team: &Team) -> Checksum {
        Checksum::of_hash(&(self.timed)(&mut self.state, team))
    }

    fn timed_run(&mut self, team: &Team) -> Result<Option<Checksum>, String> {
        self.value = Some((self.timed)(&mut self.state, team));
        Ok(None)
    }

    fn checksum_after_run(&mut self) -> Checksum {
        hash_kept(self.value.take())
    }
}

/// The checksum of a kept value (dropped here, after the clock).
fn hash_kept<T: Hash>(value: Option<T>) -> Checksum {
    value.map_or_else(|| Checksum::of_u64s([]), |v| Checksum::of_hash(&v))
}

/// The instance of a closure workload with a setup per sample: the input is made in
/// [`Instance::before_run`] and dropped in [`Instance::after_run`], both outside the timing.
struct Batched<S, I, T> {
    state: S,
    input: Option<I>,
    fresh: Fresh<S, I>,
    timed: Timed<I, T>,
    value: Option<T>,
}

impl<S: Send, I: Send, T: Hash + Send> Instance for Batched<S, I, T> {
    fn before_run(&mut self) {
        // The last input goes before the next is made: two need not fit in memory at once.
        self.input = None;
        self.input = Some((self.fresh)(&self.state));
    }

    fn run(&mut self, team: &Team) -> Checksum {
        // A caller that did not call `before_run` (a test calling `run` directly) still gets a
        // fresh input, made here.
        let (fresh, state) = (&self.fresh, &self.state);
        Checksum::of_hash(&(self.timed)(self.input.get_or_insert_with(|| fresh(state)), team))
    }

    fn timed_run(&mut self, team: &Team) -> Result<Option<Checksum>, String> {
        let (fresh, state) = (&self.fresh, &self.state);
        self.value = Some((self.timed)(self.input.get_or_insert_with(|| fresh(state)), team));
        Ok(None)
    }

    fn checksum_after_run(&mut self) -> Checksum {
        hash_kept(self.value.take())
    }

    fn after_run(&mut self) -> Option<String> {
        self.input = None;
        None
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use amdahl_workloads::Backend;

    use super::*;

    #[test]
    fn the_value_is_hashed_with_the_fixed_hasher() {
        let w = function("seven", Kind::Parallel).run(|_, _| 7u64);
        let mut instance = w.prepare(&Params::defaults(&w).unwrap()).unwrap();
        assert_eq!(instance.run(&Team::new(1, Backend::Rayon).unwrap()), Checksum::of_hash(&7u64));
        assert_eq!(
            (w.name(), w.kind(), w.parallelism(&Params::defaults(&w).unwrap())),
            ("seven", Kind::Parallel, None)
        );
    }

    #[test]
    fn each_sample_makes_a_fresh_input_and_drops_it_after() {
        let made = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&made);
        let w = function("sort", Kind::Parallel)
            .tasks(8)
            .setup(|_| vec![3u32, 1, 2])
            .each_sample(move |v: &Vec<u32>| {
                counter.fetch_add(1, Ordering::SeqCst);
                v.clone()
            })
            .run(|v: &mut Vec<u32>, _| {
                // The input is unsorted at every run: it was made afresh.
                assert_eq!(v, &[3, 1, 2]);
                v.sort_unstable();
                v.clone()
            });
        let params = Params::defaults(&w).unwrap();
        assert_eq!(w.parallelism(&params), Some(8));
        let mut instance = w.prepare(&params).unwrap();
        let team = Team::new(1, Backend::Rayon).unwrap();
        for round in 1..=3 {
            instance.before_run();
            assert_eq!(made.load(Ordering::SeqCst), round);
            assert_eq!(instance.run(&team), Checksum::of_hash(&vec![1u32, 2, 3]));
            instance.after_run();
        }
    }

    #[test]
    fn a_panicking_setup_is_the_workloads_error() {
        let w = function("broken", Kind::Parallel).setup(|_| -> u32 { panic!("no input file") }).run(|_, _| 0);
        let err = w.prepare(&Params::defaults(&w).unwrap()).err().unwrap();
        assert_eq!(err.workload, "broken");
        assert!(err.message.contains("no input file"), "{err}");
    }

    #[test]
    fn every_closure_declares_a_size() {
        const N: ParamSpec = ParamSpec::integer("n", "items", 10, 1, 100);
        const SIZED: ParamSpec = ParamSpec::integer("size", "items", 10, 1, 100);
        let names = |w: &FunctionWorkload| w.params().iter().map(|p| p.name).collect::<Vec<_>>();
        assert_eq!(names(&function("a", Kind::Parallel).run(|_, _| 0)), ["size"]);
        assert_eq!(names(&function("a", Kind::Parallel).params(&[N]).run(|_, _| 0)), ["n", "size"]);
        assert_eq!(names(&function("a", Kind::Parallel).params(&[SIZED]).run(|_, _| 0)), ["size"]);
        let w = function("a", Kind::Parallel).params(&[N]).setup(|p| p.integer("n")).run(|n, _| *n);
        let mut instance = w.prepare(&Params::defaults(&w).unwrap()).unwrap();
        assert_eq!(instance.run(&Team::new(1, Backend::Rayon).unwrap()), Checksum::of_hash(&10u64));
    }
}
